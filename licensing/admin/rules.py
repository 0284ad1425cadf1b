"""Regime rules and document types: data that supervisors amend, validated and saved by the services."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect

from licensing.admin.base import AuthorityScopedMixin, OfficialAdminMixin, ReadOnlyHistoryAdmin
from licensing.models import DocumentType, RegimeRule, RuleDocument
from licensing.selectors.queue import authority_today, official_authority
from licensing.services.rules import rule_save, rule_validate


class RegimeRuleForm(forms.ModelForm):
    class Meta:
        model = RegimeRule
        fields = (
            "authority",
            "item",
            "destination_country",
            "destination_group",
            "effective_from",
            "effective_to",
            "licence_type",
            "bulk_type",
            "processing_days",
            "processing_basis",
            "validity_months",
            "legal_basis",
            "notes",
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("effective_from"), data.get("effective_to")
        if start and end and end < start:
            self.add_error("effective_to", "The period ends before it starts.")
        return data

    def _post_clean(self) -> None:
        super()._post_clean()
        # The service's own check (period, destination, and overlap naming the conflicting rule),
        # once the fields it reads are valid.
        if not self._errors:
            try:
                rule_validate(self.instance)
            except ValidationError as exc:
                self._update_errors(exc)


class RuleDocumentInline(OfficialAdminMixin, admin.TabularInline):
    model = RuleDocument
    extra = 0
    fields = ("position", "document_type", "mandatory", "condition")
    ordering = ("position", "id")
    autocomplete_fields = ()

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        user: Any = request.user
        if db_field.name == "document_type":
            qs = DocumentType.objects.select_related("authority")
            if not user.is_superuser and user.authority_id:
                qs = qs.filter(authority_id=user.authority_id)
            kwargs["queryset"] = qs
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_add_permission(request, obj) and _own(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_change_permission(request, obj) and _own(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_delete_permission(request, obj) and _own(request, obj)


def _own(request: HttpRequest, rule: Any) -> bool:
    user: Any = request.user
    return rule is None or user.is_superuser or rule.authority_id == user.authority_id


class InForceFilter(admin.SimpleListFilter):
    title = "in force"
    parameter_name = "in_force"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("now", "In force today"), ("future", "Starts later"), ("ended", "Ended")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[RegimeRule]) -> QuerySet[RegimeRule]:
        today = authority_today(official_authority(request.user))
        if self.value() == "now":
            return queryset.filter(effective_from__lte=today).filter(
                Q(effective_to__isnull=True) | Q(effective_to__gte=today)
            )
        if self.value() == "future":
            return queryset.filter(effective_from__gt=today)
        if self.value() == "ended":
            return queryset.filter(effective_to__lt=today)
        return queryset


@admin.register(RegimeRule)
class RegimeRuleAdmin(AuthorityScopedMixin, ReadOnlyHistoryAdmin):
    """Add a rule, or end one by giving its last day. Overlaps for the same item and destination
    are refused with the conflicting rule named; every save is an event (``rule_save``)."""

    form = RegimeRuleForm
    inlines = (RuleDocumentInline,)
    authority_limited_fks = {"destination_group": "authority_id"}
    list_display = (
        "id",
        "authority",
        "item_label",
        "destination_label",
        "effective_from",
        "effective_to",
        "licence_type",
        "bulk_type",
        "processing",
        "validity_months",
    )
    list_display_links = ("id", "item_label")
    list_filter = ("authority", InForceFilter, "licence_type", "item", "destination_group")
    search_fields = ("legal_basis", "notes", "item__slug", "item__name")
    list_select_related = ("authority", "item", "destination_group")
    ordering = ("authority", "effective_from", "id")
    fieldsets = (
        ("Key", {"fields": ("authority", "item", "destination_country", "destination_group")}),
        (
            "Period",
            {
                "fields": ("effective_from", "effective_to"),
                "description": "Inclusive dates. To end a rule, give its last day.",
            },
        ),
        ("Regime", {"fields": ("licence_type", "bulk_type", "processing_days", "processing_basis", "validity_months")}),
        ("Sources", {"fields": ("legal_basis", "notes")}),
    )

    @admin.display(description="item", ordering="item__slug")
    def item_label(self, obj: RegimeRule) -> str:
        return obj.item.slug if obj.item_id else "all items"  # type: ignore[union-attr]

    @admin.display(description="destination")
    def destination_label(self, obj: RegimeRule) -> str:
        if obj.destination_country:
            return obj.destination_country.code
        return f"group {obj.destination_group.code}"  # type: ignore[union-attr]

    @admin.display(description="processing")
    def processing(self, obj: RegimeRule) -> str:
        return f"{obj.processing_days} {obj.get_processing_basis_display()}"

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Rules are ended, not deleted: filed applications point at them.
        return False

    def save_model(self, request: HttpRequest, obj: RegimeRule, form: Any, change: bool) -> None:
        obj._history_user = request.user  # type: ignore[attr-defined]
        rule_save(rule=obj, user=request.user)

    def changeform_view(
        self, request: HttpRequest, object_id: str | None = None, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ValidationError as exc:
            # A rule saved by someone else between the form check and the locked save.
            messages.error(request, " ".join(exc.messages))
            return HttpResponseRedirect(request.get_full_path())


@admin.register(DocumentType)
class DocumentTypeAdmin(AuthorityScopedMixin, admin.ModelAdmin):
    list_display = ("name", "code", "authority", "allowed_formats")
    list_filter = ("authority",)
    search_fields = ("name", "name_ja", "code")
    list_select_related = ("authority",)
    prepopulated_fields = {"code": ("name",)}

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # rules and uploaded documents refer to them
