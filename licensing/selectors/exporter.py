"""Reads for the exporter pages. Every query is scoped to one organisation and fetches what the
page shows in a fixed number of queries (select_related / prefetch_related here, never in views).
"""

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404

from licensing.models import (
    Application,
    ApplicationDocument,
    ClockStop,
    InformationRequest,
    Licence,
    Shipment,
)
from licensing.services.clock import days_left, days_left_when_stopped


def exporter_applications(*, organisation_id: int) -> QuerySet[Application]:
    """The organisation's applications, with what a list row shows."""
    return (
        Application.objects.filter(organisation_id=organisation_id)
        .select_related("item", "authority")
        .prefetch_related(Prefetch("clock_stops", queryset=ClockStop.objects.order_by("stopped_at")))
    )


def exporter_application_list(
    *, organisation_id: int, status: str = "", item: str = "", q: str = ""
) -> QuerySet[Application]:
    """The dashboard's applications: filtered by status and item, searched by reference or parties."""
    qs = exporter_applications(organisation_id=organisation_id)
    if status:
        qs = qs.filter(status=status)
    if item:
        qs = qs.filter(item__slug=item)
    if q:
        qs = qs.filter(
            Q(reference__icontains=q)
            | Q(consignee_name__icontains=q)
            | Q(end_user_name__icontains=q)
            | Q(item__name__icontains=q)
            | Q(item__name_ja__icontains=q)
        )
    return qs.order_by("-created_at", "-id")


def exporter_licences(*, organisation_id: int) -> QuerySet[Licence]:
    return Licence.objects.filter(organisation_id=organisation_id).select_related("item", "authority", "application")


def exporter_licence_list(*, organisation_id: int, status: str = "", q: str = "") -> QuerySet[Licence]:
    qs = exporter_licences(organisation_id=organisation_id)
    if status:
        qs = qs.filter(status=status)
    if q:
        qs = qs.filter(
            Q(number__icontains=q)
            | Q(application__reference__icontains=q)
            | Q(application__consignee_name__icontains=q)
            | Q(item__name__icontains=q)
            | Q(item__name_ja__icontains=q)
        )
    return qs.order_by("valid_until", "id")


def exporter_status_counts(*, organisation_id: int) -> dict[str, int]:
    """How many of the organisation's applications are in each status (one query)."""
    rows = (
        Application.objects.filter(organisation_id=organisation_id).values("status").annotate(n=Count("id")).order_by()
    )
    return {row["status"]: row["n"] for row in rows}


def exporter_application_detail(*, organisation_id: int, reference: str) -> Application:
    """One application of the organisation with its documents, questions and clock; 404 otherwise."""
    documents = ApplicationDocument.objects.select_related("document_type", "uploaded_by").order_by("uploaded_at", "id")
    requests = InformationRequest.objects.select_related("requested_by", "responded_by").order_by("requested_at")
    qs = (
        Application.objects.filter(organisation_id=organisation_id)
        .select_related("item", "authority", "applicant", "regime_rule", "regime_grouping")
        .prefetch_related(
            Prefetch("documents", queryset=documents),
            Prefetch("information_requests", queryset=requests),
            Prefetch("clock_stops", queryset=ClockStop.objects.order_by("stopped_at")),
        )
    )
    try:
        return qs.get(reference=reference)
    except Application.DoesNotExist as exc:
        raise Http404("No such application.") from exc


def exporter_licence_detail(*, organisation_id: int, number: str) -> Licence:
    shipments = Shipment.objects.select_related("recorded_by").order_by("shipped_on", "id")
    qs = (
        Licence.objects.filter(organisation_id=organisation_id)
        .select_related("item", "authority", "application", "organisation", "issued_by")
        .prefetch_related(Prefetch("shipments", queryset=shipments))
    )
    try:
        return qs.get(number=number)
    except Licence.DoesNotExist as exc:
        raise Http404("No such licence.") from exc


def licence_for_verification(*, code: str) -> Licence:
    """The public view of a licence, by verification code. Only the fields the page may show."""
    try:
        return (
            Licence.objects.select_related("item", "authority")
            .only(
                "number",
                "status",
                "valid_until",
                "destination",
                "verification_code",
                "item__name",
                "item__name_ja",
                "authority__code",
                "authority__name",
                "authority__timezone",
            )
            .get(verification_code=code.strip().upper())
        )
    except Licence.DoesNotExist as exc:
        raise Http404("No licence has this verification code.") from exc


def default_authority_timezone() -> str:
    """The time zone of the authority this deployment serves: pages without a case show times in it."""
    from whitelist.models import Authority

    zone = Authority.objects.filter(code=settings.KYOKA_DEFAULT_AUTHORITY).values_list("timezone", flat=True).first()
    return zone or settings.TIME_ZONE


def document_for_download(*, user: Any, pk: int) -> ApplicationDocument:
    """A document the user may download: their organisation's, or (officials) their authority's.

    Officials need ``licensing.view_applicationdocument``. Anyone else gets a 404, so a guessed id
    tells nothing about whether the document exists.
    """
    qs = ApplicationDocument.objects.select_related("application")
    if user.is_authenticated and user.is_active and user.organisation_id:
        qs = qs.filter(application__organisation_id=user.organisation_id)
    elif (
        user.is_authenticated
        and user.is_active
        and user.is_staff
        and user.authority_id
        and user.has_perm("licensing.view_applicationdocument")
    ):
        qs = qs.filter(application__authority_id=user.authority_id)
    else:
        raise Http404("No such document.")
    try:
        return qs.get(pk=pk)
    except ApplicationDocument.DoesNotExist as exc:
        raise Http404("No such document.") from exc


@dataclass(frozen=True)
class ClockView:
    """What the page says about the processing clock, derived on read."""

    state: str  # "not_started" | "running" | "stopped" | "ended"
    due_date: date | None
    days_left: int | None
    days_left_when_stopped: int | None
    stopped_on: date | None

    @property
    def overdue(self) -> bool:
        return self.state == "running" and self.days_left is not None and self.days_left < 0


def clock_view(application: Application, *, today: date) -> ClockView:
    """Uses the prefetched clock stops: no query per row."""
    if application.submitted_at is None:
        return ClockView("not_started", None, None, None, None)
    if application.clock_running:
        return ClockView("running", application.due_date, days_left(application, today=today), None, None)
    if application.status == Application.Status.INFORMATION_REQUESTED:
        open_stop = next((s for s in application.clock_stops.all() if s.restarted_on is None), None)
        return ClockView(
            "stopped",
            application.due_date,
            None,
            days_left_when_stopped(application),
            open_stop.stopped_on if open_stop else None,
        )
    return ClockView("ended", application.due_date, None, None, None)
