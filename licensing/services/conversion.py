"""Regime conversion: when a whitelist amendment or a rule change makes a cheaper regime apply,
exporters with cases still pending under the old regime are offered the new one.

It is the exporter's choice. Nothing changes until they accept (``application_convert_regime``):
then the regime is frozen again, as of the conversion date, and the due date is recomputed from
that date. Declining (``application_decline_regime_conversion``) leaves the case as it was, and
the same regime is never offered again on it. Either way the frozen regime never changes
silently: the offer, the conversion and the refusal are events.

"Cheaper" means better for the exporter on at least one of licence type (bulk instead of
individual), mandatory documents (fewer) and processing period (shorter, counted from the same
day in the authority's calendar) -- and worse on none.
"""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from licensing.errors import NoRegime, TransitionNotAllowed
from licensing.models import (
    OPEN_CASE,
    Application,
    ApplicationDocument,
    RegimeConversionOffer,
)
from licensing.permissions import require_exporter_of
from licensing.selectors.regimes import Regime, determine_regime
from licensing.services.batches import SweepReport, process_in_batches
from licensing.services.clock import compute_due_date, local_date
from licensing.services.events import Verb, event_record
from whitelist.calendar import AuthorityCalendar, DayCounter
from whitelist.models import Amendment

LICENCE_TYPE_BURDEN = {"bulk": 0, "individual": 1}


def _period_end(calendar: AuthorityCalendar, start: date, days: int, basis: str) -> date:
    return DayCounter(calendar=calendar, start=start, basis=basis, excluded=[]).add(days)


def _mandatory_count(documents: list[dict[str, Any]]) -> int:
    return sum(1 for d in documents if d.get("mandatory"))


def regime_improvements(
    *, frozen: dict[str, Any], regime: Regime, calendar: AuthorityCalendar, on_date: date
) -> list[dict[str, Any]] | None:
    """What the new regime improves over the frozen one; None when it is not cheaper.

    Each improvement is data (a code and the two values) so texts can be worded in any language.
    """
    rule = regime.rule
    better: list[dict[str, Any]] = []
    worse = False

    old_type, new_type = frozen.get("licence_type", ""), rule.licence_type
    old_rank, new_rank = LICENCE_TYPE_BURDEN.get(old_type), LICENCE_TYPE_BURDEN.get(new_type)
    if old_rank is not None and new_rank is not None:
        if new_rank < old_rank:
            better.append({"code": "licence_type", "from": old_type, "to": new_type})
        worse |= new_rank > old_rank

    old_docs = _mandatory_count(frozen.get("documents", []))
    new_docs = sum(1 for d in regime.documents if d.mandatory)
    if new_docs < old_docs:
        better.append({"code": "documents", "from": old_docs, "to": new_docs})
    worse |= new_docs > old_docs

    old_end = _period_end(calendar, on_date, frozen["processing_days"], frozen["processing_basis"])
    new_end = _period_end(calendar, on_date, rule.processing_days, rule.processing_basis)
    if new_end < old_end:
        better.append(
            {
                "code": "processing",
                "from": {"days": frozen["processing_days"], "basis": frozen["processing_basis"]},
                "to": {"days": rule.processing_days, "basis": rule.processing_basis},
            }
        )
    worse |= new_end > old_end
    return better if better and not worse else None


@dataclass
class _OfferContext:
    """What one sweep run shares between the applications it looks at (queries once per key)."""

    now: datetime
    cause: str
    amendment: Amendment | None
    report: SweepReport

    def __post_init__(self) -> None:
        self.regimes: dict[tuple[int, int, str], Regime | None] = {}
        self.calendars: dict[int, AuthorityCalendar] = {}

    def regime(self, app: Application, today: date) -> Regime | None:
        key = (app.authority_id, app.item_id, str(app.destination))
        if key not in self.regimes:
            try:
                self.regimes[key] = determine_regime(
                    authority=app.authority, item=app.item, destination=str(app.destination), on_date=today
                )
            except NoRegime:
                self.regimes[key] = None
        return self.regimes[key]

    def calendar(self, app: Application) -> AuthorityCalendar:
        if app.authority_id not in self.calendars:
            self.calendars[app.authority_id] = AuthorityCalendar.for_authority(app.authority)
        return self.calendars[app.authority_id]


def conversion_offers_make(
    *,
    candidates: QuerySet[Application],
    now: datetime,
    cause: str,
    report: SweepReport,
    amendment: Amendment | None = None,
) -> None:
    """Offer the regime now in force to each pending candidate for which it is cheaper.

    Idempotent: an application is offered a given rule at most once (a unique constraint), so a
    rerun after a crash only makes the offers still missing.
    """
    ctx = _OfferContext(now=now, cause=cause, amendment=amendment, report=report)
    process_in_batches(
        candidates.filter(status__in=OPEN_CASE),
        lambda app: _offer(app, ctx) is not None,
        report=report,
        select_related=("authority", "item", "organisation"),
    )


def _offer(app: Application, ctx: _OfferContext) -> RegimeConversionOffer | None:
    today = local_date(app.authority, ctx.now)
    regime = ctx.regime(app, today)
    if regime is None or regime.rule.pk == app.regime_rule_id or not app.regime_snapshot:
        return None
    if RegimeConversionOffer.objects.filter(application=app, to_rule=regime.rule).exists():
        return None  # offered before (and perhaps declined): never again for this rule
    calendar = ctx.calendar(app)
    improvements = regime_improvements(frozen=app.regime_snapshot, regime=regime, calendar=calendar, on_date=today)
    if improvements is None:
        return None
    on_file = set(
        ApplicationDocument.objects.filter(application=app, information_request__isnull=True).values_list(
            "document_type_id", flat=True
        )
    )
    missing = [d.name for d in regime.documents if d.mandatory and d.document_type_id not in on_file]
    converted_due = _period_end(calendar, today, regime.rule.processing_days, regime.rule.processing_basis)
    # A newer change supersedes an older offer still open on the same case.
    RegimeConversionOffer.objects.filter(application=app, status=RegimeConversionOffer.Status.PENDING).update(
        status=RegimeConversionOffer.Status.SUPERSEDED, decided_at=ctx.now
    )
    offer = RegimeConversionOffer.objects.create(
        application=app,
        cause=ctx.cause,
        amendment=ctx.amendment,
        from_rule_id=app.regime_rule_id,
        to_rule=regime.rule,
        offered_at=ctx.now,
        offered_on=today,
        regime_snapshot=regime.snapshot(),
        improvements=improvements,
        current_due_date=app.due_date,
        converted_due_date=converted_due,
        missing_documents=missing,
    )
    event_record(
        verb=Verb.APPLICATION_REGIME_CONVERSION_OFFERED,
        subject=app,
        actor=None,
        organisation_id=app.organisation_id,
        authority_id=app.authority_id,
        payload={
            "reference": app.reference,
            "status": app.status,
            "offer_id": offer.pk,
            "cause": ctx.cause,
            "amendment_id": ctx.amendment.pk if ctx.amendment else None,
            "from_rule_id": app.regime_rule_id,
            "to_rule_id": regime.rule.pk,
            "from_licence_type": app.regime_snapshot.get("licence_type"),
            "to_licence_type": regime.licence_type,
            "improvements": improvements,
            "due_date": app.due_date.isoformat() if app.due_date else None,
            "converted_due_date": converted_due.isoformat(),
            "missing_documents": missing,
        },
    )
    ctx.report.note(f"{app.reference}: offered rule #{regime.rule.pk} ({regime.licence_type})")
    return offer


# --- The exporter's choice -------------------------------------------------------------------


def _locked_offer(offer: RegimeConversionOffer, user: Any) -> tuple[RegimeConversionOffer, Application]:
    app = (
        Application.objects.select_for_update(of=("self",))
        .select_related("authority", "item", "organisation")
        .get(pk=offer.application_id)
    )
    require_exporter_of(user, app)
    offer = RegimeConversionOffer.objects.select_for_update().get(pk=offer.pk)
    if offer.status != RegimeConversionOffer.Status.PENDING:
        raise TransitionNotAllowed(f"This offer has already been {offer.get_status_display().lower()}.")
    if app.status not in OPEN_CASE:
        raise TransitionNotAllowed(
            f"Application {app.reference} is {app.get_status_display().lower()}: its regime can no longer change."
        )
    return offer, app


@transaction.atomic
def application_convert_regime(*, offer: RegimeConversionOffer, user: Any) -> Application:
    """Accept an offer: freeze the regime in force today and restart the period from today.

    Refused if the rules have moved on since the offer (the regime in force today is no longer the
    one offered): a person must see what they accept.
    """
    offer, app = _locked_offer(offer, user)
    now = timezone.now()
    today = local_date(app.authority, now)
    try:
        regime = determine_regime(
            authority=app.authority, item=app.item, destination=str(app.destination), on_date=today
        )
    except NoRegime as exc:
        raise TransitionNotAllowed(
            f"No regime applies to {app.reference} today; the offer can no longer be accepted."
        ) from exc
    if regime.rule.pk != offer.to_rule_id:
        raise TransitionNotAllowed(
            f"The rules changed after this offer was made on {offer.offered_on:%Y-%m-%d}; it can no longer be "
            "accepted. Any new offer will be shown on the application."
        )
    previous = {
        "previous_rule_id": app.regime_rule_id,
        "previous_licence_type": app.licence_type,
        "previous_due_date": app.due_date.isoformat() if app.due_date else None,
        "previous_clock_start_date": app.clock_start_date.isoformat() if app.clock_start_date else None,
    }
    app.regime_rule = regime.rule
    app.regime_grouping = regime.group.grouping
    app.licence_type = regime.licence_type
    app.regime_snapshot = regime.snapshot()
    app.clock_start_date = today
    app.due_date = compute_due_date(app)
    app.save()
    on_file = set(app.documents.filter(information_request__isnull=True).values_list("document_type_id", flat=True))
    missing = [d.name for d in regime.documents if d.mandatory and d.document_type_id not in on_file]
    offer.status = RegimeConversionOffer.Status.ACCEPTED
    offer.decided_at = now
    offer.decided_by = user
    offer.save(update_fields=["status", "decided_at", "decided_by"])
    event_record(
        verb=Verb.APPLICATION_REGIME_CONVERTED,
        subject=app,
        actor=user,
        organisation_id=app.organisation_id,
        authority_id=app.authority_id,
        payload={
            "reference": app.reference,
            "status": app.status,
            "offer_id": offer.pk,
            **previous,
            "rule_id": regime.rule.pk,
            "licence_type": app.licence_type,
            "clock_start_date": today.isoformat(),
            "due_date": app.due_date.isoformat(),
            "missing_documents": missing,
        },
    )
    _tell_case_officers(app, offer=offer, missing=missing)
    return app


@transaction.atomic
def application_decline_regime_conversion(*, offer: RegimeConversionOffer, user: Any) -> RegimeConversionOffer:
    """Decline an offer: the case keeps its frozen regime, and this regime is not offered again."""
    offer, app = _locked_offer(offer, user)
    offer.status = RegimeConversionOffer.Status.DECLINED
    offer.decided_at = timezone.now()
    offer.decided_by = user
    offer.save(update_fields=["status", "decided_at", "decided_by"])
    event_record(
        verb=Verb.APPLICATION_REGIME_CONVERSION_DECLINED,
        subject=app,
        actor=user,
        organisation_id=app.organisation_id,
        authority_id=app.authority_id,
        payload={"reference": app.reference, "status": app.status, "offer_id": offer.pk, "rule_id": offer.to_rule_id},
    )
    return offer


def _tell_case_officers(app: Application, *, offer: RegimeConversionOffer, missing: list[str]) -> None:
    """The officers on the case learn that its regime and due date changed."""
    from licensing.services.sweeps import case_officers, official_url
    from notifications.services import notification_create

    for officer in case_officers(app):
        notification_create(
            recipient=officer,
            key=f"case-regime-converted:{offer.pk}",
            verb="case.regime_converted",
            context={
                "reference": app.reference,
                "licence_type": app.licence_type,
                "due_date": app.due_date.isoformat() if app.due_date else "",
                "missing_documents": missing,
            },
            url=official_url(app),
            application_id=app.pk,
        )
