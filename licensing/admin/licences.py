"""Licences for officials: the list, the detail with its shipment ledger, suspension, reinstatement
and revocation (each with a reason, each an event written by the service)."""

from typing import Any

from django.contrib import admin
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils.html import format_html

from licensing.admin.base import ObjectAction, ObjectActionsMixin, OfficialAdminMixin, ReadOnlyHistoryAdmin
from licensing.models import Event, Licence, Shipment
from licensing.selectors.queue import authority_today
from licensing.services.licences import licence_reinstate, licence_revoke, licence_suspend


class ShipmentInline(OfficialAdminMixin, admin.TabularInline):
    """The ledger is append-only: shown, never edited here (exporters record shipments)."""

    model = Shipment
    extra = 0
    can_delete = False
    fields = ("shipped_on", "quantity", "consignee_name", "reference", "destination", "recorded_by", "recorded_at")
    readonly_fields = fields
    ordering = ("shipped_on", "id")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Shipment]:
        return super().get_queryset(request).select_related("recorded_by")


def _reason_action(name: str, label: str, perm: str, service: Any, done: str, style: str = "default") -> ObjectAction:
    return ObjectAction(
        name=name,
        label=label,
        perm=perm,
        transition=name,
        field="reason",
        field_label=f"Reason to {name}",
        required=True,
        style=style,
        confirm=f"{label} this licence?",
        run=lambda lic, user, text: service(licence=lic, official=user, reason=text),
        done=lambda lic, _: f"Licence {lic.number} {done}.",
    )


LICENCE_ACTIONS = {
    a.name: a
    for a in (
        _reason_action("suspend", "Suspend", "licensing.suspend_licence", licence_suspend, "suspended"),
        _reason_action("reinstate", "Reinstate", "licensing.suspend_licence", licence_reinstate, "reinstated"),
        _reason_action("revoke", "Revoke", "licensing.revoke_licence", licence_revoke, "revoked", style="danger"),
    )
}


@admin.register(Licence)
class LicenceAdmin(ObjectActionsMixin, OfficialAdminMixin, ReadOnlyHistoryAdmin):
    object_actions = LICENCE_ACTIONS
    change_form_template = "admin/licensing/licence/change_form.html"
    inlines = (ShipmentInline,)

    list_display = (
        "number",
        "organisation",
        "item",
        "destination_code",
        "licence_type",
        "status",
        "valid_from",
        "valid_until",
        "usage",
        "application_link",
    )
    list_filter = ("status", "licence_type", "item")
    search_fields = ("number", "verification_code", "organisation__name", "application__reference")
    search_help_text = "Licence number, verification code, exporter or application reference."
    list_select_related = ("organisation", "item", "application")
    show_full_result_count = False
    fieldsets = (
        ("Licence", {"fields": ("number", "verification_code", "status", "status_reason", "application_link")}),
        (
            "Holder and goods",
            {"fields": ("organisation", "authority", "item", "destination", "licence_type", "bulk_type", "conditions")},
        ),
        (
            "Validity and quantity",
            {"fields": ("valid_from", "valid_until", "quantity_authorised", "quantity_shipped", "unit")},
        ),
        ("Issue", {"fields": ("issued_at", "issued_by")}),
    )
    readonly_fields = tuple(f for _, opts in fieldsets for f in opts["fields"])

    # Licences are issued by approval and changed only through the actions below.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Licence]:
        qs = super().get_queryset(request).select_related("organisation", "item", "application", "authority")
        user: Any = request.user
        if not user.is_superuser:
            qs = qs.filter(authority_id=user.authority_id)
        return qs

    @admin.display(description="destination", ordering="destination")
    def destination_code(self, obj: Licence) -> str:
        return obj.destination.code

    @admin.display(description="shipped / authorised")
    def usage(self, obj: Licence) -> str:
        return f"{obj.quantity_shipped.normalize():f} / {obj.quantity_authorised.normalize():f} {obj.unit}"

    @admin.display(description="application", ordering="application__reference")
    def application_link(self, obj: Licence) -> str:
        from django.urls import reverse

        url = reverse("admin:licensing_application_change", args=[obj.application_id])
        return format_html('<a href="{}">{}</a>', url, obj.application.reference)

    def render_change_form(
        self,
        request: HttpRequest,
        context: dict[str, Any],
        add: bool = False,
        change: bool = False,
        form_url: str = "",
        obj: Any = None,
    ) -> Any:
        if obj is not None:
            context["today"] = authority_today(obj.authority)
            context["local_tz"] = obj.authority.timezone
            context["case_events"] = list(
                Event.objects.filter(
                    Q(subject_type="licence", subject_id=str(obj.pk))
                    | Q(subject_type="application", subject_id=str(obj.application_id))
                )
                .select_related("actor")
                .order_by("id")
            )
        return super().render_change_form(request, context, add, change, form_url, obj)
