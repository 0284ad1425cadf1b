"""Business days per authority: weekends, public holidays (the `holidays` package) and the
authority's editable closures (e.g. Japan's 29 Dec – 3 Jan government year-end closure)."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property

import holidays

from .models import Authority, CalendarClosure


@dataclass
class AuthorityCalendar:
    """Answers "is this a business day for the authority?". Load once, ask many times."""

    holiday_calendar: str
    closures: list[CalendarClosure] = field(default_factory=list)

    @classmethod
    def for_authority(cls, authority: Authority) -> "AuthorityCalendar":
        return cls(holiday_calendar=authority.holiday_calendar, closures=list(authority.closures.all()))

    @cached_property
    def _holidays(self) -> holidays.HolidayBase:
        return holidays.country_holidays(self.holiday_calendar)

    def is_closure(self, day: date) -> bool:
        return any(_closure_covers(c, day) for c in self.closures)

    def is_holiday(self, day: date) -> bool:
        return day in self._holidays

    def is_business_day(self, day: date) -> bool:
        return day.weekday() < 5 and not self.is_holiday(day) and not self.is_closure(day)

    def holiday_name(self, day: date) -> str | None:
        if self.is_holiday(day):
            return str(self._holidays.get(day))
        for c in self.closures:
            if _closure_covers(c, day):
                return c.name
        return None


def _closure_covers(closure: CalendarClosure, day: date) -> bool:
    if not closure.repeats_yearly:
        return closure.start <= day <= closure.end
    # A yearly closure may wrap the new year (29 Dec – 3 Jan): test this year's and last year's.
    span = (closure.end - closure.start).days
    for year in (day.year, day.year - 1):
        try:
            start = closure.start.replace(year=year)
        except ValueError:  # 29 Feb in a non-leap year
            start = closure.start.replace(year=year, day=28)
        if start <= day <= start + timedelta(days=span):
            return True
    return False


def counted_days(
    *,
    calendar: AuthorityCalendar,
    start: date,
    basis: str,
    excluded: Iterable[tuple[date, date]] = (),
) -> "DayCounter":
    return DayCounter(calendar=calendar, start=start, basis=basis, excluded=list(excluded))


@dataclass
class DayCounter:
    """Counts processing days after ``start``: calendar or business basis, skipping stopped spans.

    ``excluded`` holds (stopped_on, restarted_on) pairs; the days in (stopped_on, restarted_on]
    do not count: the day a question is asked counts, the day it is answered does not.
    """

    calendar: AuthorityCalendar
    start: date
    basis: str
    excluded: list[tuple[date, date]]

    def counts(self, day: date) -> bool:
        if any(stopped < day <= restarted for stopped, restarted in self.excluded):
            return False
        return self.basis == "calendar" or self.calendar.is_business_day(day)

    def add(self, days: int) -> date:
        """The date on which the ``days``-th counted day after ``start`` falls."""
        day, counted = self.start, 0
        while counted < days:
            day += timedelta(days=1)
            if self.counts(day):
                counted += 1
        return day

    def between(self, first_exclusive: date, last_inclusive: date) -> int:
        """How many counted days lie in (first_exclusive, last_inclusive]; negative if reversed."""
        if last_inclusive < first_exclusive:
            return -self.between(last_inclusive, first_exclusive)
        day, counted = first_exclusive, 0
        while day < last_inclusive:
            day += timedelta(days=1)
            if self.counts(day):
                counted += 1
        return counted
