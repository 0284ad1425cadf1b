"""The unread count in the header: one COUNT query, and only when a page shows it."""

from typing import Any

from django.http import HttpRequest

from .models import Notification


class UnreadCount:
    """Callable, so the template engine calls it (and runs the query) only where it is used."""

    def __init__(self, user: Any) -> None:
        self.user = user
        self._count: int | None = None

    def __call__(self) -> int:
        if self._count is None:
            self._count = Notification.objects.filter(recipient=self.user, read_at__isnull=True).count()
        return self._count


def unread_notifications(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"unread_notifications": 0}
    return {"unread_notifications": UnreadCount(user)}
