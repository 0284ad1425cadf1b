"""The processing clock, computed from facts: submission, clock stops, the rule's period and basis.

Nothing is counted up by a job: ``due_date`` is recomputed whenever the clock changes, and days
left are derived on read.
"""

import calendar as _calendar
from datetime import date, datetime
from zoneinfo import ZoneInfo

from licensing.models import Application
from whitelist.calendar import AuthorityCalendar, DayCounter
from whitelist.models import Authority


def local_date(authority: Authority, moment: datetime) -> date:
    """The date of ``moment`` in the authority's time zone (the date the law counts from)."""
    return moment.astimezone(ZoneInfo(authority.timezone)).date()


def add_months(start: date, months: int) -> date:
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    day = min(start.day, _calendar.monthrange(year, month)[1])
    return date(year, month, day)


def validity_end(valid_from: date, months: int) -> date:
    """Last valid day: ``months`` after ``valid_from``, less a day (6 months from 10 Jul → 9 Jan)."""
    from datetime import timedelta

    return add_months(valid_from, months) - timedelta(days=1)


def day_counter(application: Application, *, calendar: AuthorityCalendar | None = None) -> DayCounter:
    """A counter in the frozen regime's basis, skipping the application's closed clock stops."""
    snapshot = application.regime_snapshot
    stops = [(s.stopped_on, s.restarted_on) for s in application.clock_stops.all() if s.restarted_on is not None]
    return DayCounter(
        calendar=calendar or AuthorityCalendar.for_authority(application.authority),
        start=application.clock_start_date,  # type: ignore[arg-type]
        basis=snapshot["processing_basis"],
        excluded=stops,
    )


def compute_due_date(application: Application, *, calendar: AuthorityCalendar | None = None) -> date:
    """Start + processing period, in the rule's basis and calendar, pushed out by closed stops."""
    return day_counter(application, calendar=calendar).add(application.regime_snapshot["processing_days"])


def days_left(application: Application, *, today: date) -> int | None:
    """Calendar days until the due date (negative when overdue); None while there is no running clock."""
    if application.due_date is None or not application.clock_running:
        return None
    return (application.due_date - today).days


def days_left_when_stopped(application: Application) -> int | None:
    """While the clock is stopped: how many calendar days were left when it stopped."""
    if application.clock_running or application.due_date is None:
        return None
    open_stop = next((s for s in application.clock_stops.all() if s.restarted_on is None), None)
    if open_stop is None:
        return None
    return (application.due_date - open_stop.stopped_on).days
