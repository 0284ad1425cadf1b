"""Reads over notifications: a user's own list (the exporter's page, the officials' admin list)."""

from typing import Any

from django.db.models import QuerySet

from .models import Notification


def notifications_for(*, user: Any, unread_only: bool = False) -> QuerySet[Notification]:
    """The user's own notifications, newest first. Never anyone else's."""
    qs = Notification.objects.filter(recipient=user).select_related("application", "licence")
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return qs.order_by("-created_at", "-id")


def unread_count(*, user: Any) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
