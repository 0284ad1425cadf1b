"""Regime rules, applications, documents, information requests, licences, shipments and events.

Invariants the database can hold are declared here (unique numbers, non-negative quantities,
valid periods); workflow lives in ``licensing.services``.
"""

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from django_fsm import ConcurrentTransitionMixin, FSMField, transition
from simple_history.models import HistoricalRecords

from materials.models import Unit


class LicenceType(models.TextChoices):
    INDIVIDUAL = "individual", _("Individual")
    BULK = "bulk", _("Bulk")


class BulkType(models.TextChoices):
    GENERAL = "general", _("General bulk")
    SPECIAL_GENERAL = "special_general", _("Special general bulk")
    SPECIFIC = "specific", _("Specific bulk")
    COMPREHENSIVE = "comprehensive", _("Comprehensive (Korea)")


class ProcessingBasis(models.TextChoices):
    CALENDAR = "calendar", _("calendar days")
    BUSINESS = "business", _("business days")


class DocumentType(models.Model):
    """A kind of supporting document an authority asks for, e.g. "end-user pledge"."""

    authority = models.ForeignKey("whitelist.Authority", on_delete=models.PROTECT, related_name="document_types")
    code = models.SlugField(_("code"), max_length=60)
    name = models.CharField(_("name"), max_length=200)
    name_ja = models.CharField(_("name (Japanese)"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    allowed_formats = models.CharField(
        _("allowed formats"),
        max_length=200,
        default="pdf",
        help_text=_("Comma-separated: pdf, png, jpeg, docx, xlsx. Checked from the file's bytes."),
    )
    source = models.TextField(_("source"), blank=True)

    class Meta:
        ordering = ["authority", "name"]
        constraints = [models.UniqueConstraint(fields=["authority", "code"], name="unique_document_type_code")]

    def __str__(self) -> str:
        return self.name

    @property
    def formats(self) -> list[str]:
        return [f.strip().lower() for f in self.allowed_formats.split(",") if f.strip()]


class RegimeRule(models.Model):
    """Which licence regime applies to an item going to a destination, over a period.

    Key: authority + item (blank = all items) + destination (a country, or a group). Rules for the
    same key may not overlap in time; the most specific key wins (item over all items, country over
    group). Periods are inclusive; a blank ``effective_to`` is open-ended.
    """

    authority = models.ForeignKey("whitelist.Authority", on_delete=models.PROTECT, related_name="rules")
    item = models.ForeignKey(
        "materials.ControlledItem",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="rules",
        help_text=_("Blank = all controlled items."),
    )
    destination_country = CountryField(_("destination country"), blank=True)
    destination_group = models.ForeignKey(
        "whitelist.CountryGroup", on_delete=models.PROTECT, null=True, blank=True, related_name="rules"
    )
    effective_from = models.DateField(_("effective from"))
    effective_to = models.DateField(_("effective to"), null=True, blank=True, help_text=_("Last day; blank = open."))
    licence_type = models.CharField(_("licence type"), max_length=16, choices=LicenceType.choices)
    bulk_type = models.CharField(_("bulk sub-type"), max_length=20, choices=BulkType.choices, blank=True)
    processing_days = models.PositiveSmallIntegerField(_("processing period (days)"))
    processing_basis = models.CharField(
        _("processing basis"), max_length=10, choices=ProcessingBasis.choices, default=ProcessingBasis.CALENDAR
    )
    validity_months = models.PositiveSmallIntegerField(_("validity (months)"))
    document_types = models.ManyToManyField(DocumentType, through="RuleDocument", related_name="rules")
    legal_basis = models.CharField(_("legal basis"), max_length=300, blank=True)
    notes = models.TextField(_("notes and sources"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["authority", "effective_from", "id"]
        indexes = [
            models.Index(fields=["authority", "destination_country", "effective_from"]),
            models.Index(fields=["authority", "destination_group", "effective_from"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True) | Q(effective_to__gte=F("effective_from")),
                name="rule_period_valid",
            ),
            models.CheckConstraint(
                condition=(Q(destination_country="") & Q(destination_group__isnull=False))
                | (~Q(destination_country="") & Q(destination_group__isnull=True)),
                name="rule_destination_country_xor_group",
            ),
            models.CheckConstraint(
                condition=Q(licence_type="bulk") | Q(bulk_type=""), name="rule_bulk_type_only_for_bulk"
            ),
            models.CheckConstraint(condition=Q(processing_days__gt=0), name="rule_processing_days_positive"),
            models.CheckConstraint(condition=Q(validity_months__gt=0), name="rule_validity_positive"),
        ]

    def __str__(self) -> str:
        item = self.item.slug if self.item_id else "all items"
        dest = self.destination_country.code if self.destination_country else f"group {self.destination_group}"
        end = self.effective_to or "…"
        return (
            f"{self.authority.code}: {item} → {dest}, {self.effective_from} → {end}: {self.get_licence_type_display()}"
        )


class RuleDocument(models.Model):
    """A document type a rule requires: mandatory, or conditional (with the condition)."""

    rule = models.ForeignKey(RegimeRule, on_delete=models.CASCADE, related_name="rule_documents")
    document_type = models.ForeignKey(DocumentType, on_delete=models.PROTECT, related_name="+")
    mandatory = models.BooleanField(_("mandatory"), default=True)
    condition = models.CharField(_("when required"), max_length=300, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["rule", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["rule", "document_type"], name="unique_rule_document")]

    def __str__(self) -> str:
        return f"{self.document_type} ({'mandatory' if self.mandatory else 'conditional'})"


class ReferenceSequence(models.Model):
    """Per authority, kind and year: the last number handed out (row-locked when incremented)."""

    authority = models.ForeignKey("whitelist.Authority", on_delete=models.CASCADE)
    kind = models.CharField(max_length=16)  # "application" | "licence"
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["authority", "kind", "year"], name="unique_sequence")]

    def __str__(self) -> str:
        return f"{self.kind} {self.year}: {self.last}"


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    UNDER_REVIEW = "under_review", _("Under review")
    INFORMATION_REQUESTED = "information_requested", _("Information requested")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


PRE_DECISION = [
    ApplicationStatus.DRAFT,
    ApplicationStatus.SUBMITTED,
    ApplicationStatus.UNDER_REVIEW,
    ApplicationStatus.INFORMATION_REQUESTED,
]
OPEN_CASE = [
    ApplicationStatus.SUBMITTED,
    ApplicationStatus.UNDER_REVIEW,
    ApplicationStatus.INFORMATION_REQUESTED,
]


class Application(ConcurrentTransitionMixin, models.Model):
    """An exporter's licence application. The status moves only through ``licensing.services``."""

    Status = ApplicationStatus

    reference = models.CharField(_("reference"), max_length=32, unique=True)
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="applications")
    applicant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="applications")
    authority = models.ForeignKey("whitelist.Authority", on_delete=models.PROTECT, related_name="applications")
    item = models.ForeignKey("materials.ControlledItem", on_delete=models.PROTECT, related_name="applications")
    destination = CountryField(_("destination country"))
    consignee_name = models.CharField(_("consignee"), max_length=200, blank=True)
    consignee_address = models.TextField(_("consignee address"), blank=True)
    consignee_country = CountryField(_("consignee country"), blank=True)
    end_user_name = models.CharField(_("end user"), max_length=200, blank=True)
    end_user_address = models.TextField(_("end user address"), blank=True)
    end_user_country = CountryField(_("end user country"), blank=True)
    end_use = models.TextField(_("end use"), blank=True)
    quantity = models.DecimalField(
        _("quantity"),
        max_digits=14,
        decimal_places=3,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.001"))],
    )
    unit = models.CharField(_("unit"), max_length=8, choices=Unit.choices, default=Unit.KILOGRAM)
    value = models.DecimalField(
        _("value"),
        max_digits=16,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    currency = models.CharField(_("currency"), max_length=3, default="JPY")
    shipment_window_start = models.DateField(_("planned shipment from"), null=True, blank=True)
    shipment_window_end = models.DateField(_("planned shipment until"), null=True, blank=True)

    status = FSMField(_("status"), default=Status.DRAFT, choices=Status.choices, protected=True, db_index=True)

    # The regime frozen at submission: a later rule change never alters a filed case.
    regime_rule = models.ForeignKey(
        RegimeRule, on_delete=models.PROTECT, null=True, blank=True, related_name="applications"
    )
    regime_grouping = models.ForeignKey(
        "whitelist.Grouping", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    licence_type = models.CharField(_("licence type"), max_length=16, choices=LicenceType.choices, blank=True)
    regime_snapshot = models.JSONField(_("regime as frozen"), default=dict, blank=True)

    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    clock_start_date = models.DateField(_("clock starts"), null=True, blank=True)
    due_date = models.DateField(_("due date"), null=True, blank=True, db_index=True)
    clock_running = models.BooleanField(_("clock running"), default=False)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="assigned_cases"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decision_reason = models.TextField(_("decision reason"), blank=True)
    # The due date for which the deadline sweep last flagged the case (a moved due date flags again).
    due_soon_flagged_for = models.DateField(null=True, blank=True, editable=False)
    overdue_flagged_for = models.DateField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["-created_at"]
        permissions = [
            ("review_application", "Can review applications (assign, start review, request information)"),
            ("decide_application", "Can approve or reject applications"),
        ]
        indexes = [
            models.Index(fields=["organisation", "status"]),
            models.Index(fields=["updated_at", "id"]),
            # A partner's polling cursor: its own organisation's rows in (updated_at, id) order.
            models.Index(fields=["organisation", "updated_at", "id"]),
            models.Index(fields=["status", "due_date"]),
            # Open cases to one destination (regime-conversion offers after a whitelist change).
            models.Index(fields=["destination", "status"], name="application_dest_status_idx"),
            # Running clocks by due date (the deadline sweep): only open cases, so the overdue
            # range never wades through decided cases whose due dates are long past.
            models.Index(
                fields=["due_date"],
                condition=Q(clock_running=True) & Q(status__in=["submitted", "under_review"]),
                name="application_running_due_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__isnull=True) | Q(quantity__gt=0), name="application_quantity_positive"
            ),
            models.CheckConstraint(
                condition=Q(value__isnull=True) | Q(value__gte=0), name="application_value_non_negative"
            ),
            models.CheckConstraint(
                condition=Q(shipment_window_start__isnull=True)
                | Q(shipment_window_end__isnull=True)
                | Q(shipment_window_end__gte=F("shipment_window_start")),
                name="application_shipment_window_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    # --- The lifecycle (one declaration). Only services call these, inside a transaction. ---
    @transition(field=status, source=Status.DRAFT, target=Status.SUBMITTED)
    def submit(self) -> None:
        pass

    @transition(field=status, source=Status.SUBMITTED, target=Status.UNDER_REVIEW)
    def start_review(self) -> None:
        pass

    @transition(field=status, source=Status.UNDER_REVIEW, target=Status.INFORMATION_REQUESTED)
    def request_information(self) -> None:
        pass

    @transition(field=status, source=Status.INFORMATION_REQUESTED, target=Status.UNDER_REVIEW)
    def receive_response(self) -> None:
        pass

    @transition(field=status, source=Status.UNDER_REVIEW, target=Status.APPROVED)
    def approve(self) -> None:
        pass

    @transition(field=status, source=Status.UNDER_REVIEW, target=Status.REJECTED)
    def reject(self) -> None:
        pass

    @transition(field=status, source=PRE_DECISION, target=Status.WITHDRAWN)
    def withdraw(self) -> None:
        pass

    @property
    def is_decided(self) -> bool:
        return self.status in (self.Status.APPROVED, self.Status.REJECTED, self.Status.WITHDRAWN)


def document_upload_to(instance: "ApplicationDocument", filename: str) -> str:
    # The stored name is random: the original name is kept in a field, never trusted as a path.
    return f"documents/{instance.application.organisation_id}/{uuid.uuid4().hex}"


class ApplicationDocument(models.Model):
    """An uploaded supporting document. Never served from a public URL."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="documents")
    document_type = models.ForeignKey(DocumentType, on_delete=models.PROTECT, related_name="+")
    information_request = models.ForeignKey(
        "InformationRequest", on_delete=models.PROTECT, null=True, blank=True, related_name="documents"
    )
    file = models.FileField(upload_to=document_upload_to, max_length=300)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["application", "document_type", "uploaded_at"]
        indexes = [models.Index(fields=["application", "document_type"])]

    def __str__(self) -> str:
        return f"{self.document_type}: {self.original_name}"


class InformationRequest(models.Model):
    """An official's question. Open requests stop the application's clock."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="information_requests")
    message = models.TextField(_("question"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField()
    response = models.TextField(_("response"), blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    responded_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["application", "requested_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(responded_at__isnull=True) | Q(responded_at__gte=F("requested_at")),
                name="information_request_answered_after_asked",
            ),
            models.UniqueConstraint(
                fields=["application"], condition=Q(responded_at__isnull=True), name="one_open_request_per_application"
            ),
        ]

    def __str__(self) -> str:
        return f"Question on {self.application}: {self.message[:60]}"

    @property
    def is_open(self) -> bool:
        return self.responded_at is None


class ClockStop(models.Model):
    """A fact: the processing clock stopped on ``stopped_on`` and restarted on ``restarted_on``.

    Dates are in the authority's time zone; days in (stopped_on, restarted_on] are not counted.
    """

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="clock_stops")
    information_request = models.OneToOneField(InformationRequest, on_delete=models.CASCADE, related_name="clock_stop")
    stopped_at = models.DateTimeField()
    stopped_on = models.DateField()
    restarted_at = models.DateTimeField(null=True, blank=True)
    restarted_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["application", "stopped_at"]
        indexes = [
            # Only clocks stopped right now (the information-request sweep's candidates).
            models.Index(fields=["stopped_on"], condition=Q(restarted_at__isnull=True), name="clockstop_open_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(restarted_on__isnull=True) | Q(restarted_on__gte=F("stopped_on")),
                name="clock_stop_period_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"Clock stopped {self.stopped_on} → {self.restarted_on or '…'}"


class LicenceStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    REVOKED = "revoked", _("Revoked")
    EXPIRED = "expired", _("Expired")
    EXHAUSTED = "exhausted", _("Exhausted")


class Licence(ConcurrentTransitionMixin, models.Model):
    """A licence issued on approval. Kept apart from its application."""

    Status = LicenceStatus

    number = models.CharField(_("licence number"), max_length=32, unique=True)
    verification_code = models.CharField(_("verification code"), max_length=32, unique=True)
    application = models.OneToOneField(Application, on_delete=models.PROTECT, related_name="licence")
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="licences")
    authority = models.ForeignKey("whitelist.Authority", on_delete=models.PROTECT, related_name="licences")
    item = models.ForeignKey("materials.ControlledItem", on_delete=models.PROTECT, related_name="licences")
    destination = CountryField(_("destination country"))
    licence_type = models.CharField(_("licence type"), max_length=16, choices=LicenceType.choices)
    bulk_type = models.CharField(_("bulk sub-type"), max_length=20, choices=BulkType.choices, blank=True)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), db_index=True)
    quantity_authorised = models.DecimalField(_("quantity authorised"), max_digits=14, decimal_places=3)
    quantity_shipped = models.DecimalField(_("quantity shipped"), max_digits=14, decimal_places=3, default=0)
    unit = models.CharField(_("unit"), max_length=8, choices=Unit.choices)
    conditions = models.TextField(_("conditions"), blank=True)
    status = FSMField(_("status"), default=Status.ACTIVE, choices=Status.choices, protected=True, db_index=True)
    status_reason = models.TextField(_("reason for the status"), blank=True)
    issued_at = models.DateTimeField()
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # The smallest "days before valid_until" threshold the exporter has been reminded at, and the
    # date from which the next reminder is due (blank = not scheduled yet; 9999-12-31 = none left).
    expiry_reminded_days = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    expiry_reminder_due_on = models.DateField(null=True, blank=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["-issued_at"]
        permissions = [
            ("suspend_licence", "Can suspend or reinstate licences"),
            ("revoke_licence", "Can revoke licences"),
        ]
        indexes = [
            models.Index(fields=["organisation", "status"]),
            models.Index(fields=["updated_at", "id"]),
            # A partner's polling cursor: its own organisation's rows in (updated_at, id) order.
            models.Index(fields=["organisation", "updated_at", "id"]),
            models.Index(fields=["status", "valid_until"]),
            # Expiry reminders: active licences by the date their next reminder is due, and the
            # ones not scheduled yet (new licences).
            models.Index(
                fields=["expiry_reminder_due_on"], condition=Q(status="active"), name="licence_reminder_due_idx"
            ),
            models.Index(
                fields=["id"],
                condition=Q(status="active") & Q(expiry_reminder_due_on__isnull=True),
                name="licence_reminder_unsched_idx",
            ),
            # Active licences fully drawn down (the exhaustion safety net finds only these).
            models.Index(
                fields=["id"],
                condition=Q(status="active") & Q(quantity_shipped__gte=F("quantity_authorised")),
                name="licence_drawn_down_active_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(quantity_authorised__gt=0), name="licence_quantity_positive"),
            models.CheckConstraint(condition=Q(quantity_shipped__gte=0), name="licence_shipped_non_negative"),
            models.CheckConstraint(
                condition=Q(quantity_shipped__lte=F("quantity_authorised")), name="licence_never_overdrawn"
            ),
            models.CheckConstraint(condition=Q(valid_until__gte=F("valid_from")), name="licence_period_valid"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def quantity_remaining(self) -> Decimal:
        return self.quantity_authorised - self.quantity_shipped

    @transition(field=status, source=Status.ACTIVE, target=Status.SUSPENDED)
    def suspend(self) -> None:
        pass

    @transition(field=status, source=Status.SUSPENDED, target=Status.ACTIVE)
    def reinstate(self) -> None:
        pass

    @transition(field=status, source=[Status.ACTIVE, Status.SUSPENDED], target=Status.REVOKED)
    def revoke(self) -> None:
        pass

    @transition(field=status, source=[Status.ACTIVE, Status.SUSPENDED], target=Status.EXPIRED)
    def expire(self) -> None:
        pass

    @transition(field=status, source=Status.ACTIVE, target=Status.EXHAUSTED)
    def exhaust(self) -> None:
        pass


class Shipment(models.Model):
    """One shipment drawn against a licence. An append-only ledger: never edited or deleted."""

    licence = models.ForeignKey(Licence, on_delete=models.PROTECT, related_name="shipments")
    shipped_on = models.DateField(_("shipment date"))
    item = models.ForeignKey("materials.ControlledItem", on_delete=models.PROTECT, related_name="+")
    destination = CountryField(_("destination country"))
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=3)
    consignee_name = models.CharField(_("consignee"), max_length=200)
    reference = models.CharField(_("your reference"), max_length=100, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["licence", "shipped_on", "id"]
        constraints = [models.CheckConstraint(condition=Q(quantity__gt=0), name="shipment_quantity_positive")]

    def __str__(self) -> str:
        return f"{self.licence}: {self.quantity} on {self.shipped_on}"


class Event(models.Model):
    """A domain event: the audit trail, the partners' change feed and the notification outbox.

    Inserted by services in the same transaction as the change; never updated or deleted.
    """

    occurred_at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(max_length=200, blank=True, help_text=_("e.g. 'system' or an API key name."))
    verb = models.CharField(max_length=60, db_index=True)
    subject_type = models.CharField(max_length=40)
    subject_id = models.CharField(max_length=64)
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
        help_text=_("Whose data this is; blank = public (e.g. a whitelist amendment)."),
    )
    authority = models.ForeignKey(
        "whitelist.Authority", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    payload = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["subject_type", "subject_id", "id"]),
            models.Index(fields=["organisation", "id"]),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.verb} {self.subject_type}:{self.subject_id}"

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        # Append-only is an invariant of the table, not workflow: refuse updates outright.
        if self.pk is not None and not self._state.adding:
            raise ValueError("Events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        raise ValueError("Events are append-only.")


class RegimeConversionOffer(models.Model):
    """An offer to move a pending application onto a cheaper regime that a whitelist amendment or a
    rule change brought into force. The exporter chooses; the frozen regime never changes silently.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        SUPERSEDED = "superseded", _("Superseded by a newer offer")

    class Cause(models.TextChoices):
        AMENDMENT = "amendment", _("Whitelist amendment")
        RULE = "rule", _("Rule change")

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="conversion_offers")
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    cause = models.CharField(_("cause"), max_length=16, choices=Cause.choices)
    amendment = models.ForeignKey(
        "whitelist.Amendment", on_delete=models.SET_NULL, null=True, blank=True, related_name="conversion_offers"
    )
    from_rule = models.ForeignKey(RegimeRule, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    to_rule = models.ForeignKey(RegimeRule, on_delete=models.PROTECT, related_name="conversion_offers")
    offered_at = models.DateTimeField(_("offered at"))
    offered_on = models.DateField(_("offered on"), help_text=_("The authority's local date of the offer."))
    regime_snapshot = models.JSONField(_("regime offered"), default=dict)
    improvements = models.JSONField(_("what is cheaper"), default=list)
    current_due_date = models.DateField(_("due date under the frozen regime"), null=True, blank=True)
    converted_due_date = models.DateField(_("due date if converted on the offer date"), null=True, blank=True)
    missing_documents = models.JSONField(
        _("mandatory documents of the new regime not on file"), default=list, blank=True
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-offered_at", "-id"]
        indexes = [models.Index(fields=["application", "status"])]
        constraints = [
            # Once per application and regime: a declined offer is never made again for that rule.
            models.UniqueConstraint(fields=["application", "to_rule"], name="one_conversion_offer_per_rule"),
            models.UniqueConstraint(
                fields=["application"], condition=Q(status="pending"), name="one_pending_conversion_offer"
            ),
        ]

    def __str__(self) -> str:
        return f"Offer to convert {self.application} to rule #{self.to_rule_id} ({self.get_status_display()})"
