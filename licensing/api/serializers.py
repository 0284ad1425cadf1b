"""Serializers of the partner API, per audience. Output only, except the webhook endpoint input."""

from datetime import datetime
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from licensing.selectors.api import PARTNER_EVENT_TYPES
from licensing.services.events import Verb
from materials.models import Unit

# The event types partners can see and subscribe to (an allowlist of licensing.services.events.Verb).
EVENT_TYPES = list(PARTNER_EVENT_TYPES)


# --- Problems (documentation only: problems are built in licensing.api.problems) -----------------


class ProblemFieldErrorSerializer(serializers.Serializer):
    parameter = serializers.CharField(required=False, help_text="The query or path parameter at fault.")
    pointer = serializers.CharField(required=False, help_text="JSON pointer to the body field at fault.")
    detail = serializers.CharField()


class ProblemSerializer(serializers.Serializer):
    type = serializers.CharField(help_text="URI reference identifying the problem type, e.g. /api/problems/not-found.")
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField()
    instance = serializers.CharField(required=False)
    errors = ProblemFieldErrorSerializer(many=True, required=False)
    required_scopes = serializers.ListField(child=serializers.CharField(), required=False)


# --- Query parameters ---------------------------------------------------------------------------


class SafeDateTimeField(serializers.DateTimeField):
    """ISO 8601 date-time; out-of-range values are a 400, never an overflow."""

    def to_internal_value(self, value: Any) -> datetime:
        try:
            return super().to_internal_value(value)
        except (OverflowError, ValueError) as exc:
            raise serializers.ValidationError("Not a valid date-time.") from exc


class ListParams(serializers.Serializer):
    updated_since = SafeDateTimeField(
        required=False, help_text="Only rows changed at or after this instant (ISO 8601, e.g. 2026-01-31T00:00:00Z)."
    )
    cursor = serializers.CharField(
        required=False, max_length=200, help_text="next_cursor from the previous page; omit for the first page."
    )
    page_size = serializers.IntegerField(required=False, min_value=1, max_value=200, default=50)


class RegimeParams(serializers.Serializer):
    item = serializers.RegexField(
        r"^[-a-z0-9]+$", max_length=80, help_text="Controlled item code, e.g. resist (see /api/v1/items/)."
    )
    destination = serializers.RegexField(
        r"^[A-Za-z]{2}$", help_text="Destination country, ISO 3166-1 alpha-2, e.g. KR."
    )
    date = serializers.DateField(
        required=False, help_text="Date of export, YYYY-MM-DD. Default: today at the authority."
    )
    authority = serializers.RegexField(
        r"^[A-Za-z]{2,8}$", required=False, help_text="Licensing authority, JP or KR. Default: the deployment's (JP)."
    )


class WhitelistParams(serializers.Serializer):
    date = serializers.DateField(required=False, help_text="Date to answer for, YYYY-MM-DD. Default: today.")
    authority = serializers.RegexField(
        r"^[A-Za-z]{2,8}$", required=False, help_text="Licensing authority, JP or KR. Default: the deployment's (JP)."
    )


class ChangesParams(serializers.Serializer):
    after = serializers.IntegerField(
        required=False, min_value=0, max_value=2**62, default=0, help_text="Last event id you have seen (0: start)."
    )
    limit = serializers.IntegerField(required=False, min_value=1, max_value=500, default=100)


# --- Reference data -----------------------------------------------------------------------------


class ControlListReferenceSerializer(serializers.Serializer):
    control_list = serializers.CharField()
    entry = serializers.CharField()
    note = serializers.CharField()


class ItemSerializer(serializers.Serializer):
    code = serializers.CharField(source="slug")
    name = serializers.CharField()
    name_ja = serializers.CharField()
    kind = serializers.CharField()
    cas_number = serializers.CharField()
    hs_code = serializers.CharField()
    control_threshold = serializers.CharField()
    default_unit = serializers.ChoiceField(choices=Unit.choices)
    is_active = serializers.BooleanField()
    references = ControlListReferenceSerializer(many=True, source="references.all")
    updated_at = serializers.DateTimeField()


class RequiredDocumentSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    name_ja = serializers.CharField()
    mandatory = serializers.BooleanField()
    condition = serializers.CharField(help_text="When a conditional document is required.")


class ProcessingPeriodSerializer(serializers.Serializer):
    days = serializers.IntegerField()
    basis = serializers.ChoiceField(choices=["calendar", "business"])


class DestinationGroupSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    is_default = serializers.BooleanField(help_text="True when no grouping row lists the country.")


class RuleSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    effective_from = serializers.DateField()
    effective_to = serializers.DateField(allow_null=True)
    legal_basis = serializers.CharField()


class RegimeSerializer(serializers.Serializer):
    authority = serializers.CharField()
    item = serializers.CharField()
    destination = serializers.CharField()
    date = serializers.DateField()
    licence_type = serializers.ChoiceField(choices=["individual", "bulk"])
    bulk_type = serializers.CharField(allow_null=True)
    required_documents = RequiredDocumentSerializer(many=True)
    processing_period = ProcessingPeriodSerializer()
    validity_months = serializers.IntegerField()
    destination_group = DestinationGroupSerializer()
    rule = RuleSerializer()
    explanation = serializers.CharField()


class GroupingSerializer(serializers.Serializer):
    group = serializers.CharField()
    group_name = serializers.CharField()
    effective_from = serializers.DateField()
    effective_to = serializers.DateField(allow_null=True)
    legal_basis = serializers.CharField()


class WhitelistSerializer(serializers.Serializer):
    country = serializers.CharField()
    authority = serializers.CharField()
    date = serializers.DateField()
    group = DestinationGroupSerializer(allow_null=True, help_text="The group on the date; null if none applies.")
    history = GroupingSerializer(many=True)


# --- Licences ----------------------------------------------------------------------------------


class LicenceVerificationSerializer(serializers.Serializer):
    """What customs needs at the border: is this licence valid for this item and destination."""

    number = serializers.CharField()
    status = serializers.CharField()
    is_valid = serializers.BooleanField(help_text="Active, and today (at the authority) within the validity period.")
    checked_on = serializers.DateField(help_text="The authority's date the validity was checked for.")
    licence_type = serializers.CharField()
    authority = serializers.CharField(source="authority_code")
    item = serializers.CharField(source="item_code")
    destination = serializers.CharField(source="destination.code")
    valid_from = serializers.DateField()
    valid_until = serializers.DateField()
    updated_at = serializers.DateTimeField()


class LicenceSerializer(serializers.Serializer):
    number = serializers.CharField()
    status = serializers.CharField()
    licence_type = serializers.CharField()
    bulk_type = serializers.CharField()
    authority = serializers.CharField(source="authority_code")
    item = serializers.CharField(source="item_code")
    destination = serializers.CharField(source="destination.code")
    valid_from = serializers.DateField()
    valid_until = serializers.DateField()
    quantity_authorised = serializers.DecimalField(max_digits=14, decimal_places=3)
    quantity_remaining = serializers.DecimalField(max_digits=14, decimal_places=3)
    unit = serializers.CharField()
    application = serializers.CharField(source="application_reference")
    issued_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class LicencePageSerializer(serializers.Serializer):
    results = LicenceSerializer(many=True)
    next_cursor = serializers.CharField(allow_null=True)
    has_more = serializers.BooleanField()
    next = serializers.CharField(allow_null=True, help_text="URL of the next page, when has_more.")


# --- Applications ------------------------------------------------------------------------------


class FrozenRegimeSerializer(serializers.Serializer):
    rule_id = serializers.IntegerField()
    licence_type = serializers.CharField()
    bulk_type = serializers.CharField()
    processing_days = serializers.IntegerField()
    processing_basis = serializers.CharField()
    validity_months = serializers.IntegerField()
    destination_group = serializers.CharField()
    legal_basis = serializers.CharField()
    effective_from = serializers.DateField()
    effective_to = serializers.DateField(allow_null=True)


class ClockSerializer(serializers.Serializer):
    state = serializers.ChoiceField(
        choices=["not_started", "running", "stopped", "finished"],
        help_text="stopped: waiting for the exporter's answer to a question (those days do not count).",
    )
    start_date = serializers.DateField(allow_null=True)
    due_date = serializers.DateField(allow_null=True)
    stopped_since = serializers.DateTimeField(allow_null=True)


class StatusChangeSerializer(serializers.Serializer):
    status = serializers.CharField()
    event = serializers.CharField(source="verb")
    occurred_at = serializers.DateTimeField()
    event_id = serializers.IntegerField()


class ApplicationSerializer(serializers.Serializer):
    reference = serializers.CharField()
    status = serializers.CharField()
    authority = serializers.CharField(source="authority_code")
    item = serializers.CharField(source="item_code")
    destination = serializers.CharField(source="destination.code")
    quantity = serializers.DecimalField(max_digits=14, decimal_places=3, allow_null=True)
    unit = serializers.CharField()
    licence_type = serializers.CharField(allow_null=True)
    regime = serializers.SerializerMethodField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    clock = serializers.SerializerMethodField()
    licence = serializers.SerializerMethodField()
    decided_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    status_history = serializers.SerializerMethodField()

    def to_representation(self, instance: Any) -> dict[str, Any]:
        data = super().to_representation(instance)
        data["licence_type"] = data["licence_type"] or None
        return data

    def _history(self, app: Any) -> list[Any]:
        return self.context["histories"].get(app.pk, [])

    @staticmethod
    def _regime(app: Any) -> dict[str, Any] | None:
        snap = app.regime_snapshot or {}
        if not snap:
            return None
        return {
            "rule_id": snap.get("rule_id"),
            "licence_type": snap.get("licence_type", ""),
            "bulk_type": snap.get("bulk_type", ""),
            "processing_days": snap.get("processing_days"),
            "processing_basis": snap.get("processing_basis", ""),
            "validity_months": snap.get("validity_months"),
            "destination_group": snap.get("destination_group", ""),
            "legal_basis": snap.get("legal_basis", ""),
            "effective_from": snap.get("effective_from"),
            "effective_to": snap.get("effective_to"),
        }

    @extend_schema_field(FrozenRegimeSerializer(allow_null=True, help_text="Frozen at submission; null for drafts."))
    def get_regime(self, app: Any) -> dict[str, Any] | None:
        regime = self._regime(app)
        return FrozenRegimeSerializer(regime).data if regime else None

    @extend_schema_field(ClockSerializer())
    def get_clock(self, app: Any) -> dict[str, Any]:
        stopped_since = None
        if app.clock_start_date is None:
            state = "not_started"
        elif app.clock_running:
            state = "running"
        elif app.status == "information_requested":
            state = "stopped"
            asked = [h for h in self._history(app) if h.verb == Verb.APPLICATION_INFORMATION_REQUESTED]
            stopped_since = asked[-1].occurred_at if asked else None
        else:
            state = "finished"
        return ClockSerializer(
            {
                "state": state,
                "start_date": app.clock_start_date,
                "due_date": app.due_date,
                "stopped_since": stopped_since,
            }
        ).data

    @extend_schema_field(serializers.CharField(allow_null=True, help_text="Licence issued on approval."))
    def get_licence(self, app: Any) -> str | None:
        return app.licence_number if app.status == "approved" else None

    @extend_schema_field(StatusChangeSerializer(many=True))
    def get_status_history(self, app: Any) -> list[dict[str, Any]]:
        return StatusChangeSerializer(self._history(app), many=True).data


class ApplicationPageSerializer(serializers.Serializer):
    results = ApplicationSerializer(many=True)
    next_cursor = serializers.CharField(allow_null=True)
    has_more = serializers.BooleanField()
    next = serializers.CharField(allow_null=True)


class ItemPageSerializer(serializers.Serializer):
    results = ItemSerializer(many=True)
    next_cursor = serializers.CharField(allow_null=True)
    has_more = serializers.BooleanField()
    next = serializers.CharField(allow_null=True)


# --- Change feed -------------------------------------------------------------------------------


class EventSubjectSerializer(serializers.Serializer):
    type = serializers.CharField(help_text="application, licence, amendment, regimerule, ...")
    id = serializers.CharField(help_text="Application reference, licence number, or the row id.")
    url = serializers.CharField(allow_null=True)


class EventSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    type = serializers.ChoiceField(choices=EVENT_TYPES)
    occurred_at = serializers.DateTimeField()
    authority = serializers.CharField(allow_null=True)
    subject = EventSubjectSerializer()
    data = serializers.DictField(help_text="Event-specific data (status, reference, number, ...).")


class ChangesSerializer(serializers.Serializer):
    results = EventSerializer(many=True)
    next_after = serializers.IntegerField(help_text="Pass as ?after= on the next call.")
    has_more = serializers.BooleanField(help_text="True when more settled events are ready now.")
    settle_seconds = serializers.FloatField(help_text="Events younger than this are held back.")


# --- Webhooks ----------------------------------------------------------------------------------


class WebhookEndpointInputSerializer(serializers.Serializer):
    url = serializers.URLField(max_length=500, help_text="https:// URL that receives POSTed events.")
    description = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    event_types = serializers.ListField(
        child=serializers.ChoiceField(choices=EVENT_TYPES), min_length=1, max_length=len(EVENT_TYPES)
    )


class WebhookEndpointUpdateSerializer(serializers.Serializer):
    url = serializers.URLField(max_length=500, required=False)
    description = serializers.CharField(max_length=200, required=False, allow_blank=True)
    event_types = serializers.ListField(
        child=serializers.ChoiceField(choices=EVENT_TYPES), min_length=1, max_length=len(EVENT_TYPES), required=False
    )
    is_active = serializers.BooleanField(
        required=False, help_text="true re-enables an endpoint disabled after repeated failures."
    )


class WebhookEndpointSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    url = serializers.CharField()
    description = serializers.CharField()
    event_types = serializers.ListField(child=serializers.CharField())
    is_active = serializers.BooleanField()
    consecutive_failures = serializers.IntegerField()
    disabled_at = serializers.DateTimeField(allow_null=True)
    disabled_reason = serializers.CharField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class WebhookEndpointWithSecretSerializer(WebhookEndpointSerializer):
    secret = serializers.CharField(help_text="Signing secret. Shown only when created or rotated: store it.")


class WebhookEndpointListSerializer(serializers.Serializer):
    results = WebhookEndpointSerializer(many=True)


class WebhookDeliverySerializer(serializers.Serializer):
    id = serializers.UUIDField(source="uuid", help_text="Also sent as the Kyoka-Delivery header.")
    event_id = serializers.IntegerField()
    event_type = serializers.CharField(source="event.verb")
    status = serializers.CharField()
    attempts = serializers.IntegerField()
    next_attempt_at = serializers.DateTimeField(allow_null=True)
    last_attempt_at = serializers.DateTimeField(allow_null=True)
    response_status = serializers.IntegerField(allow_null=True)
    error = serializers.CharField()
    duration_ms = serializers.IntegerField(allow_null=True)
    delivered_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()


class WebhookDeliveryListSerializer(serializers.Serializer):
    results = WebhookDeliverySerializer(many=True)
