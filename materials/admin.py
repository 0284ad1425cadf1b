"""Controlled items and their control-list references, editable by supervisors."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from licensing.admin.base import OfficialAdminMixin, ReadOnlyHistoryAdmin

from .models import ControlledItem, ControlListReference


class ControlListReferenceInline(OfficialAdminMixin, admin.TabularInline):
    model = ControlListReference
    extra = 0
    fields = ("control_list", "entry", "note")


@admin.register(ControlledItem)
class ControlledItemAdmin(OfficialAdminMixin, ReadOnlyHistoryAdmin):
    inlines = (ControlListReferenceInline,)
    list_display = ("name", "slug", "kind", "cas_number", "hs_code", "default_unit", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("name", "name_ja", "slug", "cas_number", "hs_code")
    fieldsets = (
        (None, {"fields": ("name", "name_ja", "slug", "kind", "is_active")}),
        ("Classification", {"fields": ("cas_number", "hs_code", "control_threshold", "default_unit")}),
        ("Notes", {"fields": ("description", "source")}),
    )

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # The slug is the stable code applications, rules and the API use: fixed once created.
        return ("slug",) if obj is not None else ()

    def get_prepopulated_fields(self, request: HttpRequest, obj: Any = None) -> dict[str, Any]:
        return {} if obj is not None else {"slug": ("name",)}

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # retire an item with "active" instead: rules and cases refer to it
