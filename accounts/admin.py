"""People and organisations. Managed by superusers; exporter and partner accounts are never staff."""

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.db.models import Count, QuerySet
from django.http import HttpRequest

from .models import Organisation, User


def _check_account_kind(cleaned: dict[str, Any]) -> None:
    if cleaned.get("organisation") and (cleaned.get("is_staff") or cleaned.get("is_superuser")):
        raise forms.ValidationError(
            "Exporter and partner accounts cannot be staff: the admin is for the authority's officials."
        )
    if cleaned.get("authority") and cleaned.get("organisation"):
        raise forms.ValidationError("A person is an official of an authority or a member of an organisation, not both.")


class KyokaUserChangeForm(UserChangeForm):
    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        _check_account_kind(cleaned)
        return cleaned


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = KyokaUserChangeForm
    list_display = ("username", "email", "first_name", "last_name", "organisation", "authority", "is_staff", "roles")
    list_filter = ("is_staff", "is_superuser", "is_active", "groups", "authority", "organisation__kind")
    search_fields = ("username", "first_name", "last_name", "email", "organisation__name")
    list_select_related = ("organisation", "authority")
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        ("Kyoka", {"fields": ("organisation", "is_organisation_admin", "authority", "language")}),
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        return super().get_queryset(request).prefetch_related("groups")

    @admin.display(description="roles")
    def roles(self, obj: User) -> str:
        return ", ".join(g.name for g in obj.groups.all()) or "—"


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "corporate_number", "member_count", "created_at")
    list_filter = ("kind",)
    search_fields = ("name", "corporate_number")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Organisation]:
        return super().get_queryset(request).annotate(member_total=Count("members"))

    @admin.display(description="members", ordering="member_total")
    def member_count(self, obj: Organisation) -> int:
        return obj.member_total  # type: ignore[attr-defined]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # applications and licences refer to organisations
