"""The application lifecycle. Every entry point (pages, admin, API, tasks) changes cases here."""

from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django_fsm import ConcurrentTransition, can_proceed

from licensing.errors import ApplicationIncomplete, ChecklistIncomplete, PermissionDenied, TransitionNotAllowed
from licensing.models import Application, ClockStop, InformationRequest, Licence
from licensing.permissions import require_exporter_of, require_official
from licensing.selectors.regimes import determine_regime
from licensing.services.clock import compute_due_date, local_date, validity_end
from licensing.services.events import Verb, application_event_record, event_record
from licensing.services.references import (
    application_reference_next,
    licence_number_next,
    verification_code_new,
)
from materials.models import ControlledItem
from whitelist.models import Authority

# Fields an exporter fills in (and may change while the application is a draft).
DRAFT_FIELDS = (
    "item",
    "destination",
    "consignee_name",
    "consignee_address",
    "consignee_country",
    "end_user_name",
    "end_user_address",
    "end_user_country",
    "end_use",
    "quantity",
    "unit",
    "value",
    "currency",
    "shipment_window_start",
    "shipment_window_end",
)
REQUIRED_FOR_SUBMISSION = (
    "consignee_name",
    "consignee_address",
    "consignee_country",
    "end_user_name",
    "end_user_address",
    "end_user_country",
    "end_use",
    "quantity",
    "value",
)

ACTION_LABELS = {
    "submit": gettext_lazy("submit"),
    "start_review": gettext_lazy("start the review of"),
    "request_information": gettext_lazy("request information on"),
    "receive_response": gettext_lazy("answer"),
    "approve": gettext_lazy("approve"),
    "reject": gettext_lazy("reject"),
    "withdraw": gettext_lazy("withdraw"),
}


def _locked(application: Application) -> Application:
    """Re-read the application under a row lock: every transition decides on fresh state."""
    return (
        Application.objects.select_for_update(of=("self",))
        .select_related("authority", "item", "organisation")
        .get(pk=application.pk)
    )


def _transition(app: Application, name: str) -> None:
    _transition_check_only(app, name)
    getattr(app, name)()


def _save(app: Application) -> None:
    try:
        app.save()
    except ConcurrentTransition as exc:  # someone else changed the status first
        raise TransitionNotAllowed(
            _("Application %(reference)s was changed by someone else a moment ago; reload and try again.")
            % {"reference": app.reference}
        ) from exc


def _event(app: Application, verb: str, actor: Any, **payload: Any) -> None:
    application_event_record(app, verb, actor, **payload)


# --- Exporter actions ---------------------------------------------------------------------------


@transaction.atomic
def application_create_draft(
    *, user: Any, authority: Authority, item: ControlledItem, destination: str, **fields: Any
) -> Application:
    if not (user.is_authenticated and user.organisation_id):
        raise PermissionDenied("Only members of an exporter organisation can file applications.")
    unknown = set(fields) - set(DRAFT_FIELDS)
    if unknown:
        raise ValueError(f"Unknown application fields: {sorted(unknown)}")
    app = Application(
        reference=application_reference_next(authority=authority, year=local_date(authority, timezone.now()).year),
        organisation_id=user.organisation_id,
        applicant=user,
        authority=authority,
        item=item,
        destination=destination,
        unit=fields.pop("unit", None) or item.default_unit,
        **fields,
    )
    app.full_clean(exclude=["status"], validate_unique=False)
    app.save()
    _event(app, Verb.APPLICATION_CREATED, user)
    return app


@transaction.atomic
def application_update_draft(*, application: Application, user: Any, **fields: Any) -> Application:
    app = _locked(application)
    require_exporter_of(user, app)
    if app.status != Application.Status.DRAFT:
        raise TransitionNotAllowed(
            _("Application %(reference)s has been submitted; it can no longer be edited.")
            % {"reference": app.reference}
        )
    unknown = set(fields) - set(DRAFT_FIELDS)
    if unknown:
        raise ValueError(f"Unknown application fields: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(app, name, value)
    app.full_clean(exclude=["status"], validate_unique=False)
    _save(app)
    return app


def application_missing_fields(app: Application) -> dict[str, str]:
    missing = {}
    for name in REQUIRED_FOR_SUBMISSION:
        if getattr(app, name) in (None, ""):
            missing[name] = _("%(field)s is required.") % {"field": Application._meta.get_field(name).verbose_name}
    if app.shipment_window_start and app.shipment_window_end and app.shipment_window_end < app.shipment_window_start:
        missing["shipment_window_end"] = _("The planned shipment window ends before it starts.")
    return missing


@transaction.atomic
def application_submit(*, application: Application, user: Any, on: Any = None) -> Application:
    """Freeze the regime in force today, check the checklist, start the clock."""
    app = _locked(application)
    require_exporter_of(user, app)
    _transition_check_only(app, "submit")
    now = on or timezone.now()
    today = local_date(app.authority, now)
    missing_fields = application_missing_fields(app)
    if missing_fields:
        raise ApplicationIncomplete(_("The application is not complete."), fields=missing_fields)
    regime = determine_regime(authority=app.authority, item=app.item, destination=app.destination.code, on_date=today)
    uploaded = set(app.documents.values_list("document_type_id", flat=True))
    missing = [d.name for d in regime.documents if d.mandatory and d.document_type_id not in uploaded]
    if missing:
        raise ChecklistIncomplete(
            ngettext(
                "%(count)d mandatory document missing: %(names)s.",
                "%(count)d mandatory documents missing: %(names)s.",
                len(missing),
            )
            % {"count": len(missing), "names": "; ".join(missing)},
            missing=missing,
        )
    _transition(app, "submit")
    app.regime_rule = regime.rule
    app.regime_grouping = regime.group.grouping
    app.licence_type = regime.licence_type
    app.regime_snapshot = regime.snapshot()
    app.submitted_at = now
    app.clock_start_date = today
    app.clock_running = True
    app.due_date = compute_due_date(app)
    _save(app)
    _event(
        app,
        Verb.APPLICATION_SUBMITTED,
        user,
        licence_type=app.licence_type,
        rule_id=regime.rule.pk,
        due_date=app.due_date.isoformat(),
    )
    return app


def _transition_check_only(app: Application, name: str) -> None:
    if not can_proceed(getattr(app, name)):
        raise TransitionNotAllowed(
            _("Application %(reference)s is %(status)s: you cannot %(action)s it now.")
            % {
                "reference": app.reference,
                "status": str(app.get_status_display()).lower(),
                "action": ACTION_LABELS[name],
            },
            status=app.status,
            action=name,
        )


@transaction.atomic
def application_respond(*, application: Application, user: Any, response: str) -> Application:
    """The exporter answers the open information request: the clock restarts, the due date moves out."""
    app = _locked(application)
    require_exporter_of(user, app)
    _transition_check_only(app, "receive_response")
    if not response.strip():
        raise ApplicationIncomplete(_("Please write an answer."), fields={"response": _("An answer is required.")})
    now = timezone.now()
    request = app.information_requests.select_for_update().get(responded_at__isnull=True)
    request.response = response
    request.responded_by = user
    request.responded_at = now
    request.save(update_fields=["response", "responded_by", "responded_at"])
    stop = ClockStop.objects.get(information_request=request)
    stop.restarted_at = now
    stop.restarted_on = local_date(app.authority, now)
    stop.save(update_fields=["restarted_at", "restarted_on"])
    _transition(app, "receive_response")
    app.clock_running = True
    previous_due = app.due_date
    app.due_date = compute_due_date(app)
    _save(app)
    _event(
        app,
        Verb.APPLICATION_INFORMATION_PROVIDED,
        user,
        request_id=request.pk,
        stopped_days=(stop.restarted_on - stop.stopped_on).days,
        previous_due_date=previous_due.isoformat() if previous_due else None,
        due_date=app.due_date.isoformat(),
    )
    return app


@transaction.atomic
def application_withdraw(*, application: Application, user: Any, reason: str = "") -> Application:
    app = _locked(application)
    require_exporter_of(user, app)
    _withdraw(app, actor=user, verb=Verb.APPLICATION_WITHDRAWN, reason=reason)
    return app


@transaction.atomic
def application_lapse(*, application: Application, reason: str) -> Application:
    """The system withdraws a case whose information request went unanswered past the limit."""
    app = _locked(application)
    if app.status != Application.Status.INFORMATION_REQUESTED:
        raise TransitionNotAllowed(f"Application {app.reference} is not waiting for information.")
    _withdraw(app, actor=None, verb=Verb.APPLICATION_LAPSED, reason=reason)
    return app


def _withdraw(app: Application, *, actor: Any, verb: str, reason: str) -> None:
    _transition(app, "withdraw")
    now = timezone.now()
    # Close an open clock stop so the facts stay whole.
    ClockStop.objects.filter(application=app, restarted_at__isnull=True).update(
        restarted_at=now, restarted_on=local_date(app.authority, now)
    )
    app.clock_running = False
    app.decided_at = now
    app.decision_reason = reason
    _save(app)
    _event(app, verb, actor, reason=reason)


# --- Official actions ---------------------------------------------------------------------------


@transaction.atomic
def application_assign(*, application: Application, official: Any, assignee: Any) -> Application:
    app = _locked(application)
    require_official(official, app, "licensing.review_application")
    if app.is_decided or app.status == Application.Status.DRAFT:
        raise TransitionNotAllowed(
            f"Application {app.reference} is {app.get_status_display().lower()}: it cannot be assigned."
        )
    if assignee is not None:
        require_official(assignee, app, "licensing.review_application")
    app.assigned_to = assignee
    _save(app)
    _event(app, Verb.APPLICATION_ASSIGNED, official, assignee=assignee.get_username() if assignee else None)
    return app


@transaction.atomic
def application_start_review(*, application: Application, official: Any) -> Application:
    app = _locked(application)
    require_official(official, app, "licensing.review_application")
    _transition(app, "start_review")
    if app.assigned_to_id is None:
        app.assigned_to = official
    _save(app)
    _event(app, Verb.APPLICATION_REVIEW_STARTED, official)
    return app


@transaction.atomic
def application_request_information(*, application: Application, official: Any, message: str) -> InformationRequest:
    """An official's question: the clock stops until the exporter answers."""
    app = _locked(application)
    require_official(official, app, "licensing.review_application")
    if not message.strip():
        raise ApplicationIncomplete(
            "A question is required.", fields={"message": "Write the question for the exporter."}
        )
    _transition(app, "request_information")
    now = timezone.now()
    request = InformationRequest.objects.create(
        application=app, message=message.strip(), requested_by=official, requested_at=now
    )
    ClockStop.objects.create(
        application=app, information_request=request, stopped_at=now, stopped_on=local_date(app.authority, now)
    )
    app.clock_running = False
    _save(app)
    _event(app, Verb.APPLICATION_INFORMATION_REQUESTED, official, request_id=request.pk, message=request.message)
    return request


RECOMMENDATIONS = ("approve", "reject")


@transaction.atomic
def application_recommend(*, application: Application, official: Any, recommendation: str, note: str) -> Application:
    """An officer's recommendation to the supervisor who decides. Internal: an event on the case,
    never shown to the exporter or partners; the state does not change."""
    app = _locked(application)
    require_official(official, app, "licensing.review_application")
    if recommendation not in RECOMMENDATIONS:
        raise ValueError(f"Unknown recommendation {recommendation!r}")
    if app.status != Application.Status.UNDER_REVIEW:
        raise TransitionNotAllowed(
            f"Application {app.reference} is {app.get_status_display().lower()}: "
            "a recommendation can only be made during the review."
        )
    if not note.strip():
        raise ApplicationIncomplete(
            "A recommendation needs its reasoning.", fields={"note": "Explain the recommendation."}
        )
    _event(app, Verb.APPLICATION_RECOMMENDED, official, recommendation=recommendation, note=note.strip())
    return app


@transaction.atomic
def application_approve(*, application: Application, official: Any, conditions: str = "") -> Licence:
    """Approve and issue the licence, with the type and validity of the frozen regime."""
    app = _locked(application)
    require_official(official, app, "licensing.decide_application")
    _transition(app, "approve")
    now = timezone.now()
    today = local_date(app.authority, now)
    snapshot = app.regime_snapshot
    app.clock_running = False
    app.decided_at = now
    app.decided_by = official
    app.decision_reason = conditions
    _save(app)
    licence = Licence.objects.create(
        number=licence_number_next(authority=app.authority, licence_type=snapshot["licence_type"], year=today.year),
        verification_code=verification_code_new(),
        application=app,
        organisation_id=app.organisation_id,
        authority=app.authority,
        item=app.item,
        destination=app.destination,
        licence_type=snapshot["licence_type"],
        bulk_type=snapshot.get("bulk_type", ""),
        valid_from=today,
        valid_until=validity_end(today, snapshot["validity_months"]),
        quantity_authorised=app.quantity,
        unit=app.unit,
        conditions=conditions,
        issued_at=now,
        issued_by=official,
    )
    _event(app, Verb.APPLICATION_APPROVED, official, licence=licence.number)
    event_record(
        verb=Verb.LICENCE_ISSUED,
        subject=licence,
        actor=official,
        organisation_id=licence.organisation_id,
        authority_id=licence.authority_id,
        payload={
            "number": licence.number,
            "reference": app.reference,
            "status": licence.status,
            "licence_type": licence.licence_type,
            "valid_until": licence.valid_until.isoformat(),
        },
    )
    return licence


@transaction.atomic
def application_reject(*, application: Application, official: Any, reason: str) -> Application:
    app = _locked(application)
    require_official(official, app, "licensing.decide_application")
    if not reason.strip():
        raise ApplicationIncomplete("A reason is required to reject.", fields={"reason": "Give the reason."})
    _transition(app, "reject")
    app.clock_running = False
    app.decided_at = timezone.now()
    app.decided_by = official
    app.decision_reason = reason.strip()
    _save(app)
    _event(app, Verb.APPLICATION_REJECTED, official, reason=app.decision_reason)
    return app


def clock_today(application: Application) -> date:
    return local_date(application.authority, timezone.now())
