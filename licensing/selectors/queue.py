"""Reads for the officials' queue and dashboard: urgency, deadlines, processing times, the change timeline.

Everything here is a read. Querysets come back with the related rows the admin shows already
joined, so a page costs a fixed number of queries whatever its size.
"""

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Case, Count, IntegerField, Min, OuterRef, Q, QuerySet, Subquery, Value, When
from django.utils import timezone

from licensing.models import OPEN_CASE, Application, ApplicationStatus, ClockStop, RegimeRule
from whitelist.models import Authority, Grouping

# Urgency buckets of the queue: running clocks first (by due date), stopped clocks next, closed cases last.
URGENCY_RUNNING = 0
URGENCY_STOPPED = 1
URGENCY_CLOSED = 2

DECIDED = (ApplicationStatus.APPROVED, ApplicationStatus.REJECTED)


def authority_today(authority: Authority | None) -> date:
    """Today's date where the authority sits (the date its clocks count in)."""
    tz_name = authority.timezone if authority is not None else settings.TIME_ZONE
    return timezone.now().astimezone(ZoneInfo(tz_name)).date()


def official_authority(user: Any) -> Authority | None:
    """The authority whose work a user sees: their own; for a superuser without one, the deployment's."""
    if getattr(user, "authority_id", None):
        return user.authority
    return Authority.objects.filter(code=settings.KYOKA_DEFAULT_AUTHORITY).first()


def application_queue(*, authority: Authority | None = None) -> QuerySet[Application]:
    """Filed applications (never drafts: those are the exporter's own), with the queue's annotations.

    ``urgency``: 0 running clock, 1 stopped clock, 2 closed. ``open_stop_on``: the day the clock
    stopped, for a case waiting on the exporter (a correlated subquery, so still one query).
    """
    open_stop = ClockStop.objects.filter(application=OuterRef("pk"), restarted_on__isnull=True).order_by("-stopped_at")
    qs = (
        Application.objects.exclude(status=ApplicationStatus.DRAFT)
        .select_related("organisation", "item", "authority", "assigned_to")
        .annotate(
            urgency=Case(
                When(status__in=OPEN_CASE, clock_running=True, then=Value(URGENCY_RUNNING)),
                When(status__in=OPEN_CASE, then=Value(URGENCY_STOPPED)),
                default=Value(URGENCY_CLOSED),
                output_field=IntegerField(),
            ),
            open_stop_on=Subquery(open_stop.values("stopped_on")[:1]),
        )
    )
    if authority is not None:
        qs = qs.filter(authority=authority)
    return qs


def running_clocks(qs: QuerySet[Application]) -> QuerySet[Application]:
    return qs.filter(status__in=OPEN_CASE, clock_running=True, due_date__isnull=False)


def applications_due_within(qs: QuerySet[Application], *, today: date, days: int) -> QuerySet[Application]:
    """Running clocks due today or in the next ``days`` days (not yet overdue)."""
    return running_clocks(qs).filter(due_date__gte=today, due_date__lte=today + timedelta(days=days))


def applications_overdue(qs: QuerySet[Application], *, today: date) -> QuerySet[Application]:
    return running_clocks(qs).filter(due_date__lt=today)


def days_left_on(application: Application, *, today: date) -> int | None:
    """Calendar days to the due date for a running clock; when stopped, the days left when it stopped."""
    if application.due_date is None or application.status not in OPEN_CASE:
        return None
    if application.clock_running:
        return (application.due_date - today).days
    stopped_on = getattr(application, "open_stop_on", None)
    if stopped_on is None:
        return None
    return (application.due_date - stopped_on).days


# --- Dashboard ------------------------------------------------------------------------------------


def status_counts(*, authority: Authority | None) -> list[tuple[str, str, int]]:
    """(status, label, count) for every filed status, zeros included, in lifecycle order."""
    qs = Application.objects.exclude(status=ApplicationStatus.DRAFT)
    if authority is not None:
        qs = qs.filter(authority=authority)
    counts = dict(qs.order_by().values_list("status").annotate(n=Count("id")))
    return [(s.value, str(s.label), counts.get(s.value, 0)) for s in ApplicationStatus if s != ApplicationStatus.DRAFT]


@dataclass(frozen=True)
class DeadlineCounts:
    open_cases: int
    running: int
    stopped: int
    overdue: int
    due_this_week: int  # due today or in the next 7 days, not overdue
    unassigned: int


def deadline_counts(*, authority: Authority | None, today: date) -> DeadlineCounts:
    """One aggregate query over the open cases."""
    qs = Application.objects.filter(status__in=OPEN_CASE)
    if authority is not None:
        qs = qs.filter(authority=authority)
    running = Q(clock_running=True, due_date__isnull=False)
    row = qs.aggregate(
        open_cases=Count("id"),
        running=Count("id", filter=running),
        stopped=Count("id", filter=Q(clock_running=False)),
        overdue=Count("id", filter=running & Q(due_date__lt=today)),
        due_this_week=Count("id", filter=running & Q(due_date__gte=today, due_date__lte=today + timedelta(days=7))),
        unassigned=Count("id", filter=Q(assigned_to__isnull=True)),
    )
    return DeadlineCounts(**row)


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th percentile (0–100) by linear interpolation between closest ranks.

    The same definition as numpy's default and ``statistics.quantiles(method="inclusive")``:
    the median of [1, 2, 3, 4] is 2.5; the 90th percentile of 1..10 is 9.1.
    """
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    lower, upper = math.floor(position), math.ceil(position)
    if lower == upper:
        return float(ordered[lower])
    return ordered[lower] + (ordered[upper] - ordered[lower]) * (position - lower)


@dataclass
class ProcessingStats:
    """Processing times (submission → decision, calendar days in the authority's time zone)."""

    label: str
    key: str = ""  # the licence type ("" for a month's stats)
    decided: int = 0
    median: float | None = None
    p90: float | None = None
    on_time: int = 0  # decided on or before the due date (which already counts the rule's basis and stops)
    target_days: int | None = None
    target_basis: str = ""
    days: list[int] = field(default_factory=list, repr=False)

    @property
    def on_time_share(self) -> float | None:
        return round(100 * self.on_time / self.decided, 1) if self.decided else None

    def finish(self) -> "ProcessingStats":
        self.decided = len(self.days)
        self.median = percentile(self.days, 50)
        self.p90 = percentile(self.days, 90)
        return self


@dataclass
class ProcessingReport:
    since: date
    until: date
    regimes: list[ProcessingStats]
    # licence type → month ("YYYY-MM") → stats, for every month of the period (empty months included)
    months: list[str]
    by_regime_month: dict[str, dict[str, ProcessingStats]]


def month_keys(since: date, until: date) -> list[str]:
    keys, year, month = [], since.year, since.month
    while (year, month) <= (until.year, until.month):
        keys.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return keys


def processing_report(*, authority: Authority | None, since: date, until: date) -> ProcessingReport:
    """Median and 90th percentile processing days against the target, per regime and per month.

    One ``values_list`` query over the decided cases; the percentiles are computed here in
    Python (a few thousand rows a year: cheaper and portable across SQLite and PostgreSQL,
    which would otherwise need ``percentile_cont``).
    """
    qs = Application.objects.filter(
        status__in=DECIDED, submitted_at__isnull=False, decided_at__isnull=False, decided_at__date__gte=since
    )
    if authority is not None:
        qs = qs.filter(authority=authority)
    rows = qs.order_by().values_list(
        "licence_type",
        "submitted_at",
        "decided_at",
        "due_date",
        "authority__timezone",
        "regime_snapshot__processing_days",
        "regime_snapshot__processing_basis",
    )
    labels = dict(Application._meta.get_field("licence_type").choices or [])
    months = month_keys(since, until)
    per_regime: dict[str, ProcessingStats] = {}
    per_month: dict[str, dict[str, ProcessingStats]] = defaultdict(dict)
    targets: dict[str, Counter[tuple[int, str]]] = defaultdict(Counter)
    for licence_type, submitted_at, decided_at, due_date, tz_name, target, basis in rows:
        tz = ZoneInfo(tz_name)
        decided_on = _local(decided_at, tz)
        if decided_on < since or decided_on > until:
            continue
        days = (decided_on - _local(submitted_at, tz)).days
        on_time = due_date is not None and decided_on <= due_date
        regime = per_regime.setdefault(
            licence_type, ProcessingStats(label=str(labels.get(licence_type, licence_type)), key=licence_type)
        )
        month = per_month[licence_type].setdefault(
            decided_on.strftime("%Y-%m"), ProcessingStats(label=decided_on.strftime("%Y-%m"))
        )
        for stats in (regime, month):
            stats.days.append(days)
            stats.on_time += on_time
        if target is not None:
            targets[licence_type][(int(target), str(basis or "calendar"))] += 1
    for licence_type, stats in per_regime.items():
        if targets[licence_type]:
            # The target most of the regime's cases were filed under (rules may differ within a type).
            (stats.target_days, stats.target_basis), _ = targets[licence_type].most_common(1)[0]
        stats.finish()
        for month_key in months:
            month_stats = per_month[licence_type].setdefault(month_key, ProcessingStats(label=month_key))
            month_stats.target_days, month_stats.target_basis = stats.target_days, stats.target_basis
            month_stats.finish()
    regimes = sorted(per_regime.values(), key=lambda s: s.label)
    by_regime_month = {lt: {m: per_month[lt][m] for m in months} for lt in per_regime}
    return ProcessingReport(since=since, until=until, regimes=regimes, months=months, by_regime_month=by_regime_month)


def _local(moment: datetime, tz: ZoneInfo) -> date:
    return moment.astimezone(tz).date()


# --- The change timeline ----------------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineEntry:
    on: date
    authority: str
    kind: str  # "rule" | "grouping"
    text: str
    count: int = 1


def _names(values: Iterable[str], limit: int = 8) -> str:
    values = sorted(set(values))
    shown = ", ".join(values[:limit])
    return shown + (f" and {len(values) - limit} more" if len(values) > limit else "")


def change_timeline(*, start: date, end: date) -> list[TimelineEntry]:
    """Rule and grouping changes between ``start`` and ``end``, from their effective dates.

    A row that starts on its authority's earliest date is the seeded baseline, not a change, so it
    is left out; a rule's last day is shown when no rule for the same key starts the next day.
    Four queries, whatever the number of rows.
    """
    rules = list(
        RegimeRule.objects.filter(Q(effective_from__range=(start, end)) | Q(effective_to__range=(start, end)))
        .select_related("authority", "item", "destination_group")
        .order_by("effective_from", "id")
    )
    groupings = list(
        Grouping.objects.filter(effective_from__range=(start, end))
        .select_related("authority", "group")
        .order_by("effective_from", "id")
    )
    rule_baseline = dict(
        RegimeRule.objects.order_by().values_list("authority__code").annotate(first=Min("effective_from"))
    )
    grouping_baseline = dict(
        Grouping.objects.order_by().values_list("authority__code").annotate(first=Min("effective_from"))
    )

    def key(rule: RegimeRule) -> tuple[Any, ...]:
        return (rule.authority_id, rule.item_id, str(rule.destination_country), rule.destination_group_id)

    starting = {(*key(r), r.effective_from) for r in rules}
    starts: dict[tuple[date, str, str, str], list[str]] = defaultdict(list)
    ends: dict[tuple[date, str, str, str], list[str]] = defaultdict(list)
    for rule in rules:
        code = rule.authority.code
        group = rule.destination_group
        dest = rule.destination_country.code if rule.destination_country else f"group {group.code}"  # type: ignore[union-attr]
        regime = rule.get_licence_type_display().lower()
        if rule.bulk_type:
            regime = f"{rule.get_bulk_type_display().lower()} ({regime})"
        item = rule.item.slug if rule.item_id else "all items"  # type: ignore[union-attr]
        if start <= rule.effective_from <= end and rule.effective_from != rule_baseline.get(code):
            terms = f"{regime}, {rule.processing_days} {rule.get_processing_basis_display()}"
            starts[(rule.effective_from, code, dest, terms)].append(item)
        ended = rule.effective_to and start <= rule.effective_to <= end
        if ended and (*key(rule), rule.effective_to + timedelta(days=1)) not in starting:  # type: ignore[operator]
            ends[(rule.effective_to, code, dest, regime)].append(item)

    entries: list[TimelineEntry] = []
    for (on, code, dest, terms), items in starts.items():
        entries.append(TimelineEntry(on, code, "rule", f"Rule for {_names(items)} → {dest}: {terms}", len(items)))
    for (on, code, dest, regime), items in ends.items():
        text = f"Last day of the {regime} rule for {_names(items)} → {dest}"
        entries.append(TimelineEntry(on, code, "rule", text, len(items)))

    moves: dict[tuple[date, str, str], list[str]] = defaultdict(list)
    for grouping in groupings:
        code = grouping.authority.code
        if grouping.effective_from != grouping_baseline.get(code):
            moves[(grouping.effective_from, code, grouping.group.code)].append(grouping.country.code)
    for (on, code, group), countries in moves.items():
        entries.append(TimelineEntry(on, code, "grouping", f"{_names(countries)} in group {group}", len(countries)))
    return sorted(entries, key=lambda e: (e.on, e.authority, e.kind))
