"""The sweeps: "what is due as of now", run by Celery beat (and by ``manage.py kyoka_clock``).

Each sweep is idempotent: it recomputes from the rows what is due at ``now`` and records what it
did on the rows themselves (a status, a marker such as ``due_soon_flagged_for``, an event, a
notification key), so a missed run is caught up by the next and a repeated run changes nothing
twice. Each works in batches (``licensing.services.batches``): candidate ids from an indexed
query, rows locked with SKIP LOCKED, one short transaction per batch. The tasks
(``licensing.tasks``, ``whitelist.tasks``) only take the sweep's lock and call ``sweep_run``.

Dates are the authority's: "today" is the date in the authority's time zone, so a licence
expires, and an amendment takes effect, at 00:00 where the law is made.
"""

import logging
from collections.abc import Callable
from datetime import date, datetime, timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F, Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django_fsm import can_proceed

from accounts.roles import OFFICER, SUPERVISOR
from licensing.models import (
    Application,
    ApplicationStatus,
    Event,
    InformationRequest,
    Licence,
    RegimeConversionOffer,
    RegimeRule,
)
from licensing.services.applications import application_lapse
from licensing.services.batches import SweepReport, candidate_batches, process_in_batches
from licensing.services.clock import local_date
from licensing.services.conversion import conversion_offers_make
from licensing.services.events import Verb, event_record
from licensing.services.licences import licence_expire
from licensing.services.locks import sweep_lock
from notifications.services import notification_create
from whitelist.calendar import AuthorityCalendar, DayCounter
from whitelist.models import Amendment, Authority
from whitelist.selectors import groupings_in_force
from whitelist.services import amendment_payload

logger = logging.getLogger(__name__)

CLOCK_RUNNING_STATUSES = [ApplicationStatus.SUBMITTED, ApplicationStatus.UNDER_REVIEW]


# --- Who is told ---------------------------------------------------------------------------


def _officials(authority_id: int, role: str) -> list[Any]:
    User = get_user_model()
    return list(
        User.objects.filter(is_active=True, is_staff=True, authority_id=authority_id, groups__name=role)
        .distinct()
        .order_by("pk")
    )


def case_officers(app: Application) -> list[Any]:
    """The assigned officer; all officers of the authority while nobody is assigned."""
    if app.assigned_to is not None and app.assigned_to.is_active:
        return [app.assigned_to]
    return _officials(app.authority_id, OFFICER)


class _People:
    """Officers and supervisors per authority, read once per sweep run."""

    def __init__(self) -> None:
        self._cache: dict[tuple[int, str], list[Any]] = {}

    def officials(self, authority_id: int, role: str) -> list[Any]:
        key = (authority_id, role)
        if key not in self._cache:
            self._cache[key] = _officials(authority_id, role)
        return self._cache[key]

    def case_officers(self, app: Application) -> list[Any]:
        if app.assigned_to is not None and app.assigned_to.is_active:
            return [app.assigned_to]
        return self.officials(app.authority_id, OFFICER)


def _members(organisation_id: int) -> list[Any]:
    User = get_user_model()
    return list(User.objects.filter(organisation_id=organisation_id, is_active=True).order_by("pk"))


def official_url(app: Application) -> str:
    try:
        return reverse("admin:licensing_application_change", args=[app.pk])
    except NoReverseMatch:
        return "/admin/"


def _notify(report: SweepReport, recipients: list[Any], **kwargs: Any) -> None:
    for user in recipients:
        if notification_create(recipient=user, **kwargs) is not None:
            report.notifications += 1


def _authorities() -> list[Authority]:
    return list(Authority.objects.order_by("code"))


# --- Deadlines -----------------------------------------------------------------------------


def deadlines_sweep(*, now: datetime | None = None) -> SweepReport:
    """Flag running cases due within KYOKA_DUE_SOON_BUSINESS_DAYS business days, and overdue ones.

    Once per case and due date and threshold: a due date that moves (a clock stop) flags again.
    Stopped clocks are never flagged (``clock_running``); overdue cases escalate to supervisors.
    """
    now = now or timezone.now()
    report = SweepReport("deadlines", now)
    people = _People()
    for authority in _authorities():
        today = local_date(authority, now)
        calendar = AuthorityCalendar.for_authority(authority)
        horizon = DayCounter(calendar=calendar, start=today, basis="business", excluded=[]).add(
            settings.KYOKA_DUE_SOON_BUSINESS_DAYS
        )
        running = Application.objects.filter(authority=authority, status__in=CLOCK_RUNNING_STATUSES, clock_running=True)
        due_soon = running.filter(due_date__gte=today, due_date__lte=horizon).exclude(
            due_soon_flagged_for=F("due_date")
        )
        overdue = running.filter(due_date__lt=today).exclude(overdue_flagged_for=F("due_date"))
        related = ("authority", "item", "assigned_to")
        process_in_batches(
            due_soon,
            partial(_flag_due_soon, today=today, calendar=calendar, people=people, report=report),
            report=report,
            select_related=related,
        )
        process_in_batches(
            overdue,
            partial(_flag_overdue, today=today, calendar=calendar, people=people, report=report),
            report=report,
            select_related=related,
        )
    return report


def _case_context(app: Application, *, today: date, calendar: AuthorityCalendar) -> dict[str, Any]:
    counter = DayCounter(calendar=calendar, start=today, basis="business", excluded=[])
    due: date = app.due_date  # type: ignore[assignment]
    return {
        "reference": app.reference,
        "item": app.item.name,
        "item_ja": app.item.name_ja or app.item.name,
        "destination": str(app.destination),
        "due_date": due.isoformat(),
        "today": today.isoformat(),
        "days_left": (due - today).days,
        "business_days_left": counter.between(today, due),
        "days_overdue": (today - due).days,
        "assigned": app.assigned_to_id is not None,
        "licence_type": app.licence_type,
    }


def _flag_due_soon(
    app: Application, *, today: date, calendar: AuthorityCalendar, people: _People, report: SweepReport
) -> bool:
    context = _case_context(app, today=today, calendar=calendar)
    _notify(
        report,
        people.case_officers(app),
        key=f"due-soon:{app.pk}:{app.due_date}",
        verb="deadline.due_soon",
        context=context,
        url=official_url(app),
        application_id=app.pk,
    )
    Application.objects.filter(pk=app.pk).update(due_soon_flagged_for=app.due_date)
    report.note(f"{app.reference}: due soon ({app.due_date})")
    return True


def _flag_overdue(
    app: Application, *, today: date, calendar: AuthorityCalendar, people: _People, report: SweepReport
) -> bool:
    context = _case_context(app, today=today, calendar=calendar)
    officers = people.case_officers(app)
    url = official_url(app)
    _notify(
        report,
        officers,
        key=f"overdue:{app.pk}:{app.due_date}",
        verb="deadline.overdue",
        context=context,
        url=url,
        application_id=app.pk,
    )
    told = {u.pk for u in officers}
    supervisors = [u for u in people.officials(app.authority_id, SUPERVISOR) if u.pk not in told]
    _notify(
        report,
        supervisors,
        key=f"overdue-escalated:{app.pk}:{app.due_date}",
        verb="deadline.overdue_escalated",
        context={**context, "officers": [u.get_username() for u in officers] if context["assigned"] else []},
        url=url,
        application_id=app.pk,
    )
    Application.objects.filter(pk=app.pk).update(overdue_flagged_for=app.due_date)
    report.note(f"{app.reference}: overdue since {app.due_date}")
    return True


# --- Licences: expiry, reminders, exhaustion -------------------------------------------------


def licence_expiry_sweep(*, now: datetime | None = None) -> SweepReport:
    """Expire licences whose last valid day has ended in the authority's time zone."""
    now = now or timezone.now()
    report = SweepReport("licence-expiry", now)
    for authority in _authorities():
        today = local_date(authority, now)
        candidates = Licence.objects.filter(
            authority=authority,
            status__in=[Licence.Status.ACTIVE, Licence.Status.SUSPENDED],
            valid_until__lt=today,
        )
        process_in_batches(
            candidates, partial(_expire, today=today, report=report), report=report, select_related=("authority",)
        )
    return report


def _expire(lic: Licence, *, today: date, report: SweepReport) -> bool:
    changed = licence_expire(licence=lic, today=today)
    if changed:
        report.note(f"{lic.number}: expired (valid until {lic.valid_until})")
    return changed


REMINDERS_DONE = date(9999, 12, 31)


def _thresholds() -> list[int]:
    return sorted({int(t) for t in settings.KYOKA_EXPIRY_REMINDER_DAYS if int(t) > 0}, reverse=True)


def next_reminder_due_on(valid_until: date, reminded: int | None, thresholds: list[int]) -> date:
    """The date from which the next reminder is due: ``valid_until`` less the widest threshold not
    yet reminded (thresholds narrower than the last one reminded); REMINDERS_DONE when none is left."""
    remaining = [t for t in thresholds if reminded is None or t < reminded]
    return valid_until - timedelta(days=remaining[0]) if remaining else REMINDERS_DONE


def licence_expiry_reminder_sweep(*, now: datetime | None = None) -> SweepReport:
    """Remind exporters KYOKA_EXPIRY_REMINDER_DAYS before ``valid_until``, once per threshold.

    Each active licence carries the date its next reminder is due (``expiry_reminder_due_on``),
    so a run reads only the licences due today (an index range) and the ones not scheduled yet
    (new licences). A licence that crossed several thresholds since the last run (an outage) gets
    only the tightest one. Changed thresholds apply from each licence's next reminder.
    """
    now = now or timezone.now()
    report = SweepReport("licence-expiry-reminders", now)
    thresholds = _thresholds()
    unscheduled = Licence.objects.filter(status=Licence.Status.ACTIVE, expiry_reminder_due_on__isnull=True)
    for ids in candidate_batches(unscheduled):
        with transaction.atomic():
            rows = list(
                unscheduled.filter(pk__in=ids)
                .select_for_update(skip_locked=True, of=("self",))
                .only("pk", "valid_until", "expiry_reminded_days", "expiry_reminder_due_on")
            )
            for lic in rows:
                lic.expiry_reminder_due_on = next_reminder_due_on(lic.valid_until, lic.expiry_reminded_days, thresholds)
            Licence.objects.bulk_update(rows, ["expiry_reminder_due_on"])
    for authority in _authorities():
        today = local_date(authority, now)
        due = Licence.objects.filter(
            authority=authority,
            status=Licence.Status.ACTIVE,
            expiry_reminder_due_on__lte=today,
            valid_until__gte=today,
        )
        process_in_batches(
            due,
            partial(_remind_expiry, thresholds=thresholds, today=today, report=report),
            report=report,
            select_related=("item",),
        )
    return report


def _remind_expiry(lic: Licence, *, thresholds: list[int], today: date, report: SweepReport) -> bool:
    days_left = (lic.valid_until - today).days
    reminded = lic.expiry_reminded_days
    open_thresholds = [t for t in thresholds if t >= days_left and (reminded is None or t < reminded)]
    if not open_thresholds:  # nothing to say now (thresholds changed): schedule the next one
        Licence.objects.filter(pk=lic.pk).update(
            expiry_reminder_due_on=next_reminder_due_on(lic.valid_until, reminded, thresholds)
        )
        return False
    days = min(open_thresholds)
    _notify(
        report,
        _members(lic.organisation_id),
        key=f"expiry:{lic.pk}:{days}",
        verb="licence.expiry_reminder",
        context={
            "number": lic.number,
            "valid_until": lic.valid_until.isoformat(),
            "days_left": days_left,
            "threshold": days,
            "item": lic.item.name,
            "item_ja": lic.item.name_ja or lic.item.name,
            "destination": str(lic.destination),
            "quantity_remaining": str(lic.quantity_remaining),
            "unit": lic.unit,
        },
        url=f"/licences/{lic.number}/",
        licence_id=lic.pk,
    )
    Licence.objects.filter(pk=lic.pk).update(
        expiry_reminded_days=days, expiry_reminder_due_on=next_reminder_due_on(lic.valid_until, days, thresholds)
    )
    report.note(f"{lic.number}: reminded {days} days before {lic.valid_until}")
    return True


def licence_exhaustion_sweep(*, now: datetime | None = None) -> SweepReport:
    """Safety net: an active licence with nothing left to ship becomes ``exhausted``.

    ``licence_record_shipment`` already does this on the shipment that draws the last unit; this
    catches any licence that reached zero another way (a data fix, an interrupted import).
    """
    now = now or timezone.now()
    report = SweepReport("licence-exhaustion", now)
    candidates = Licence.objects.filter(status=Licence.Status.ACTIVE, quantity_shipped__gte=F("quantity_authorised"))
    process_in_batches(candidates, partial(_exhaust, report=report), report=report)
    return report


def _exhaust(lic: Licence, *, report: SweepReport) -> bool:
    if licence_exhaust_drawn_down(licence=lic):
        report.note(f"{lic.number}: exhausted")
        return True
    return False


@transaction.atomic
def licence_exhaust_drawn_down(*, licence: Licence) -> bool:
    """Mark an active, fully drawn-down licence exhausted. Idempotent: False if nothing to do."""
    lic = Licence.objects.select_for_update(of=("self",)).get(pk=licence.pk)
    if lic.status != Licence.Status.ACTIVE or lic.quantity_remaining > 0 or not can_proceed(lic.exhaust):
        return False
    lic.exhaust()
    lic.status_reason = "The authorised quantity has been fully shipped."
    lic.save()
    event_record(
        verb=Verb.LICENCE_EXHAUSTED,
        subject=lic,
        actor=None,
        organisation_id=lic.organisation_id,
        authority_id=lic.authority_id,
        payload={"number": lic.number, "status": lic.status, "quantity_remaining": str(lic.quantity_remaining)},
    )
    return True


# --- Information requests --------------------------------------------------------------------


def information_request_sweep(*, now: datetime | None = None) -> SweepReport:
    """Remind exporters of unanswered questions, and lapse cases left unanswered too long.

    Counted in calendar days from the day the question was asked (authority time). Lapses run
    first: a case past both limits (after an outage) lapses without a pointless reminder.
    """
    now = now or timezone.now()
    report = SweepReport("information-requests", now)
    remind_after = settings.KYOKA_INFORMATION_REMINDER_DAYS
    lapse_after = settings.KYOKA_INFORMATION_LAPSE_DAYS
    for authority in _authorities():
        today = local_date(authority, now)
        lapse_cutoff = today - timedelta(days=lapse_after)
        remind_cutoff = today - timedelta(days=remind_after)
        lapsing = Application.objects.filter(
            authority=authority,
            status=ApplicationStatus.INFORMATION_REQUESTED,
            clock_stops__restarted_at__isnull=True,
            clock_stops__stopped_on__lte=lapse_cutoff,
        )
        process_in_batches(
            lapsing,
            partial(_lapse, lapse_after=lapse_after, report=report),
            report=report,
            select_related=("authority",),
        )
        reminders = InformationRequest.objects.filter(
            responded_at__isnull=True,
            reminded_at__isnull=True,
            application__authority=authority,
            application__status=ApplicationStatus.INFORMATION_REQUESTED,
            clock_stop__restarted_at__isnull=True,
            clock_stop__stopped_on__lte=remind_cutoff,
            clock_stop__stopped_on__gt=lapse_cutoff,
        )
        process_in_batches(
            reminders,
            partial(_remind_information, now=now, today=today, lapse_after=lapse_after, report=report),
            report=report,
            select_related=("application", "clock_stop", "application__authority"),
        )
    return report


def _lapse(app: Application, *, lapse_after: int, report: SweepReport) -> bool:
    stop = app.clock_stops.filter(restarted_at__isnull=True).order_by("-stopped_on").first()
    asked = stop.stopped_on.isoformat() if stop else "?"
    application_lapse(
        application=app,
        reason=f"The information requested on {asked} was not provided within {lapse_after} days.",
    )
    report.note(f"{app.reference}: lapsed (question of {asked} unanswered)")
    return True


def _remind_information(
    req: InformationRequest, *, now: datetime, today: date, lapse_after: int, report: SweepReport
) -> bool:
    app = req.application
    asked_on = req.clock_stop.stopped_on
    _notify(
        report,
        _members(app.organisation_id),
        key=f"information-reminder:{req.pk}",
        verb="information.reminder",
        context={
            "reference": app.reference,
            "asked_on": asked_on.isoformat(),
            "days_waiting": (today - asked_on).days,
            "lapses_on": (asked_on + timedelta(days=lapse_after)).isoformat(),
            "message": req.message,
        },
        url=f"/applications/{app.reference}/",
        application_id=app.pk,
    )
    InformationRequest.objects.filter(pk=req.pk).update(reminded_at=now)
    report.note(f"{app.reference}: reminded of the question of {asked_on}")
    return True


# --- Whitelist amendments and rule changes -----------------------------------------------------


def amendment_activation_sweep(*, now: datetime | None = None) -> SweepReport:
    """Mark scheduled amendments in force once their date has begun (00:00 authority time).

    The grouping rows already say what applies on each date (``amendment_schedule`` wrote them),
    so ``determine_regime`` is right from midnight whatever this sweep's latency; the sweep makes
    the change known: the amendment's status, a public ``whitelist.amended`` event, and regime-
    conversion offers to exporters whose pending cases would now be cheaper. Offers come first and
    the amendment is marked last, so a crash in between is redone by the next run.
    """
    now = now or timezone.now()
    report = SweepReport("whitelist-amendments", now)
    for authority in _authorities():
        today = local_date(authority, now)
        due = (
            Amendment.objects.filter(authority=authority, status=Amendment.Status.SCHEDULED, effective_date__lte=today)
            .select_related("authority", "new_group", "previous_group")
            .order_by("effective_date", "pk")
        )
        for amendment in due:
            conversion_offers_make(
                candidates=Application.objects.filter(authority=authority, destination=amendment.country),
                now=now,
                cause=RegimeConversionOffer.Cause.AMENDMENT,
                amendment=amendment,
                report=report,
            )
            if amendment_activate(amendment=amendment, now=now):
                report.changed += 1
                report.note(f"{amendment}: in force")
    return report


@transaction.atomic
def amendment_activate(*, amendment: Amendment, now: datetime) -> bool:
    """Mark one scheduled amendment in force, with its public event. Idempotent."""
    amendment = Amendment.objects.select_for_update(of=("self",)).select_related("authority").get(pk=amendment.pk)
    if amendment.status != Amendment.Status.SCHEDULED or amendment.effective_date > local_date(
        amendment.authority, now
    ):
        return False
    amendment.status = Amendment.Status.IN_FORCE
    amendment.activated_at = now
    amendment.save(update_fields=["status", "activated_at"])
    event_record(
        verb=Verb.WHITELIST_AMENDED,
        subject=amendment,
        actor=None,
        organisation_id=None,
        authority_id=amendment.authority_id,
        payload={**amendment_payload(amendment), "activated_at": now.isoformat()},
    )
    return True


def rule_in_force_sweep(*, now: datetime | None = None) -> SweepReport:
    """Announce rules whose ``effective_from`` has arrived: a ``rule.in_force`` event, once.

    Rules that started within KYOKA_RULE_ANNOUNCE_LOOKBACK_DAYS are announced (so an outage is
    caught up); older starts are history and are not. As with amendments, conversion offers are
    made first and the event last, the event being the marker that the rule is done.
    """
    now = now or timezone.now()
    report = SweepReport("rules-in-force", now)
    for authority in _authorities():
        today = local_date(authority, now)
        starting = list(
            RegimeRule.objects.filter(
                authority=authority,
                effective_from__lte=today,
                effective_from__gte=today - timedelta(days=settings.KYOKA_RULE_ANNOUNCE_LOOKBACK_DAYS),
            )
            .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=today))
            .select_related("authority", "item", "destination_group")
            .order_by("effective_from", "pk")
        )
        if not starting:
            continue
        announced = set(
            Event.objects.filter(
                verb=Verb.RULE_IN_FORCE, subject_type="regimerule", subject_id__in=[str(r.pk) for r in starting]
            ).values_list("subject_id", flat=True)
        )
        for rule in starting:
            if str(rule.pk) in announced:
                continue
            conversion_offers_make(
                candidates=_applications_a_rule_may_cover(rule, authority=authority, today=today),
                now=now,
                cause=RegimeConversionOffer.Cause.RULE,
                report=report,
            )
            if rule_announce_in_force(rule=rule, now=now):
                report.changed += 1
                report.note(f"rule #{rule.pk}: in force from {rule.effective_from}")
    return report


def _applications_a_rule_may_cover(rule: RegimeRule, *, authority: Authority, today: date) -> Any:
    candidates = Application.objects.filter(authority=authority)
    if rule.item_id:
        candidates = candidates.filter(item_id=rule.item_id)
    if rule.destination_country:
        candidates = candidates.filter(destination=rule.destination_country)
    elif rule.destination_group_id != authority.default_group_id:
        # Countries of the group today (the authority's default group has no list: all of them).
        countries = groupings_in_force(authority=authority, on_date=today).filter(group_id=rule.destination_group_id)
        candidates = candidates.filter(destination__in=list(countries.values_list("country", flat=True)))
    return candidates


@transaction.atomic
def rule_announce_in_force(*, rule: RegimeRule, now: datetime) -> bool:
    """Write the rule's ``rule.in_force`` event unless it exists. Idempotent."""
    rule = (
        RegimeRule.objects.select_for_update(of=("self",))
        .select_related("authority", "item", "destination_group")
        .get(pk=rule.pk)
    )
    if Event.objects.filter(verb=Verb.RULE_IN_FORCE, subject_type="regimerule", subject_id=str(rule.pk)).exists():
        return False
    event_record(
        verb=Verb.RULE_IN_FORCE,
        subject=rule,
        actor=None,
        organisation_id=None,
        authority_id=rule.authority_id,
        payload={
            "rule_id": rule.pk,
            "authority": rule.authority.code,
            "item": rule.item.slug if rule.item else None,
            "destination_country": str(rule.destination_country or "") or None,
            "destination_group": rule.destination_group.code if rule.destination_group else None,
            "licence_type": rule.licence_type,
            "bulk_type": rule.bulk_type,
            "processing_days": rule.processing_days,
            "processing_basis": rule.processing_basis,
            "validity_months": rule.validity_months,
            "effective_from": rule.effective_from.isoformat(),
            "effective_to": rule.effective_to.isoformat() if rule.effective_to else None,
        },
    )
    return True


# --- Running a sweep -------------------------------------------------------------------------

SWEEPS: dict[str, Callable[..., SweepReport]] = {
    "whitelist-amendments": amendment_activation_sweep,
    "rules-in-force": rule_in_force_sweep,
    "licence-expiry": licence_expiry_sweep,
    "licence-exhaustion": licence_exhaustion_sweep,
    "licence-expiry-reminders": licence_expiry_reminder_sweep,
    "deadlines": deadlines_sweep,
    "information-requests": information_request_sweep,
}


def sweep_run(name: str, *, now: datetime | None = None) -> dict[str, Any]:
    """Run one sweep under its lock; if another process holds the lock, do nothing (it is on it)."""
    sweep = SWEEPS[name]
    with sweep_lock(name) as acquired:
        if not acquired:
            logger.info("Sweep %s is running elsewhere; skipped.", name)
            return {"sweep": name, "skipped": "running elsewhere"}
        report = sweep(now=now)
    result = report.as_dict()
    logger.info(
        "Sweep %s as of %s: %s changed, %s notifications, %s skipped, %s refused, %s batches",
        name,
        result["as_of"],
        report.changed,
        report.notifications,
        report.skipped,
        report.refused,
        report.batches,
    )
    return result
