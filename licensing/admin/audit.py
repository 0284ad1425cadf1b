"""The audit trail in the admin: events are read, never added, changed or deleted (superusers included)."""

import json
from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html

from licensing.admin.base import OfficialAdminMixin, ReadOnlyAdminMixin
from licensing.models import Event

# Subjects that have an admin page, by the event's subject_type.
SUBJECT_ADMIN_URLS = {
    "application": "admin:licensing_application_change",
    "licence": "admin:licensing_licence_change",
    "regimerule": "admin:licensing_regimerule_change",
    "amendment": "admin:whitelist_amendment_change",
}


@admin.register(Event)
class EventAdmin(ReadOnlyAdminMixin, OfficialAdminMixin, admin.ModelAdmin):
    list_display = ("id", "occurred_at", "verb", "subject", "actor_label", "organisation", "authority")
    list_filter = ("verb", "subject_type", "authority")
    search_fields = ("subject_id", "actor_label", "verb", "organisation__name")
    list_select_related = ("organisation", "authority", "actor")
    show_full_result_count = False
    ordering = ("-id",)
    fields = (
        "id",
        "occurred_at",
        "verb",
        "subject",
        "actor",
        "actor_label",
        "organisation",
        "authority",
        "payload_pretty",
    )
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[Event]:
        qs = super().get_queryset(request)
        user: Any = request.user
        if not user.is_superuser:
            qs = qs.filter(authority_id=user.authority_id)
        return qs

    def get_actions(self, request: HttpRequest) -> dict:
        return {}

    @admin.display(description="subject")
    def subject(self, obj: Event) -> str:
        name = SUBJECT_ADMIN_URLS.get(obj.subject_type)
        label = f"{obj.subject_type} #{obj.subject_id}"
        reference = (obj.payload or {}).get("reference") or (obj.payload or {}).get("number")
        if reference:
            label = f"{label} ({reference})"
        if name is None:
            return label
        return format_html('<a href="{}">{}</a>', reverse(name, args=[obj.subject_id]), label)

    @admin.display(description="payload")
    def payload_pretty(self, obj: Event) -> str:
        return format_html("<pre>{}</pre>", json.dumps(obj.payload, indent=2, ensure_ascii=False, sort_keys=True))
