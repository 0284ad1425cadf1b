"""Officials' notifications in the admin: their own list, read-only (superusers see every row,
with the delivery state, to watch the email outbox)."""

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .models import Notification
from .services import notifications_mark_all_read


class UnreadFilter(admin.SimpleListFilter):
    title = _("read")
    parameter_name = "unread"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("1", _("Unread")), ("0", _("Read"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Notification]) -> QuerySet[Notification]:
        if self.value() == "1":
            return queryset.filter(read_at__isnull=True)
        if self.value() == "0":
            return queryset.filter(read_at__isnull=False)
        return queryset


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "title", "verb", "recipient", "is_unread", "email_state", "email_attempts"]
    list_filter = [UnreadFilter, "verb", "email_state"]
    search_fields = ["title", "key", "application__reference", "licence__number"]
    date_hierarchy = "created_at"
    list_select_related = ["recipient"]
    ordering = ["-created_at", "-id"]
    actions = ["mark_read"]
    readonly_fields = [
        "recipient",
        "verb",
        "title",
        "body",
        "url",
        "key",
        "event",
        "application",
        "licence",
        "created_at",
        "read_at",
        "email_state",
        "email_attempts",
        "email_last_attempt_at",
        "email_sent_at",
        "email_error",
    ]
    fieldsets = [
        (None, {"fields": ["title", "body", "url", "verb", "recipient", "created_at", "read_at"]}),
        (_("About"), {"fields": ["application", "licence", "event", "key"]}),
        (
            _("Email delivery"),
            {"fields": ["email_state", "email_attempts", "email_last_attempt_at", "email_sent_at", "email_error"]},
        ),
    ]

    @admin.display(boolean=True, description=_("unread"))
    def is_unread(self, obj: Notification) -> bool:
        return obj.read_at is None

    def get_queryset(self, request: HttpRequest) -> QuerySet[Notification]:
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return qs.filter(recipient=request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Notification | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Notification | None = None) -> bool:
        return False

    @admin.action(description=_("Mark selected notifications read"), permissions=["view"])
    def mark_read(self, request: HttpRequest, queryset: QuerySet[Notification]) -> None:
        # Only the official's own notifications, whatever was selected.
        count = notifications_mark_all_read(user=request.user, ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(request, _("%(count)d notification(s) marked read.") % {"count": count}, messages.SUCCESS)
