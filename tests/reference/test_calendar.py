"""The authorities' calendars with the seeded closures, and counting processing days (FACTS.md §3, §5)."""

from datetime import date, timedelta

import pytest

from licensing.selectors.regimes import determine_regime
from materials.models import ControlledItem
from whitelist.calendar import AuthorityCalendar, counted_days
from whitelist.models import Authority

pytestmark = pytest.mark.django_db


@pytest.fixture
def jp_calendar():
    return AuthorityCalendar.for_authority(Authority.objects.get(code="JP"))


@pytest.fixture
def kr_calendar():
    return AuthorityCalendar.for_authority(Authority.objects.get(code="KR"))


# --- Japan -----------------------------------------------------------------------------------


def test_coming_of_age_day_2026_is_not_a_business_day_in_japan(jp_calendar):
    day = date(2026, 1, 12)
    assert day.weekday() == 0  # a Monday: only the holiday makes it a non-business day
    assert not jp_calendar.is_business_day(day)
    assert jp_calendar.holiday_name(day) == "Coming of Age Day"
    assert jp_calendar.is_business_day(date(2026, 1, 13))


@pytest.mark.parametrize("day", [date(2026, 12, 29), date(2026, 12, 30), date(2026, 12, 31), date(2027, 1, 1)])
def test_the_year_end_closure_days_are_not_business_days_in_japan(jp_calendar, day):
    assert day.weekday() < 5
    assert not jp_calendar.is_business_day(day)


def test_the_year_end_closure_is_named_on_a_day_with_no_public_holiday(jp_calendar):
    assert jp_calendar.holiday_name(date(2026, 12, 30)) == "Government year-end closure (29 Dec – 3 Jan)"


def test_the_days_either_side_of_the_year_end_closure_are_business_days(jp_calendar):
    assert jp_calendar.is_business_day(date(2026, 12, 28))
    assert jp_calendar.is_business_day(date(2027, 1, 4))


def test_the_year_end_closure_repeats_every_year_from_its_seeded_2019_dates(jp_calendar):
    assert not jp_calendar.is_business_day(date(2030, 1, 3))  # a Thursday
    assert jp_calendar.is_business_day(date(2030, 1, 4))


def test_seven_business_days_from_2026_12_25_skip_new_year_and_coming_of_age_day(jp_calendar):
    # Counted: 28 Dec; 4, 5, 6, 7, 8 Jan; (11 Jan is Coming of Age Day) 12 Jan.
    due = counted_days(calendar=jp_calendar, start=date(2026, 12, 25), basis="business").add(7)
    assert due == date(2027, 1, 12)


def test_ninety_calendar_days_from_2019_07_04_fall_due_on_2019_10_02(jp_calendar):
    due = counted_days(calendar=jp_calendar, start=date(2019, 7, 4), basis="calendar").add(90)
    assert due == date(2019, 10, 2)


def test_a_calendar_period_ignores_holidays_and_the_year_end_closure(jp_calendar):
    due = counted_days(calendar=jp_calendar, start=date(2026, 12, 1), basis="calendar").add(90)
    assert due == date(2026, 12, 1) + timedelta(days=90)


def test_a_clock_stop_pushes_a_calendar_due_date_out_by_the_stopped_days(jp_calendar):
    start = date(2026, 3, 2)
    stop = (date(2026, 3, 10), date(2026, 3, 24))  # days 11..24 March do not count: 14 days
    due = counted_days(calendar=jp_calendar, start=start, basis="calendar", excluded=[stop]).add(90)
    assert due == start + timedelta(days=90 + 14)


def test_a_clock_stop_pushes_a_business_due_date_out_by_the_stopped_business_days(jp_calendar):
    start = date(2026, 6, 1)  # a Monday, no holidays in June 2026
    plain = counted_days(calendar=jp_calendar, start=start, basis="business").add(7)
    assert plain == date(2026, 6, 10)
    stopped = counted_days(
        calendar=jp_calendar, start=start, basis="business", excluded=[(date(2026, 6, 2), date(2026, 6, 4))]
    ).add(7)
    assert stopped == date(2026, 6, 12)  # 3 and 4 June did not count


def test_the_japanese_individual_regime_falls_due_90_calendar_days_after_acceptance(jp_calendar):
    resist = ControlledItem.objects.get(slug="resist")
    rule = determine_regime(
        authority=Authority.objects.get(code="JP"), item=resist, destination="KR", on_date=date(2019, 12, 2)
    ).rule
    due = counted_days(calendar=jp_calendar, start=date(2019, 12, 2), basis=rule.processing_basis)
    assert due.add(rule.processing_days) == date(2020, 3, 1)


# --- Korea -----------------------------------------------------------------------------------


@pytest.mark.parametrize("day", [date(2019, 9, 12), date(2019, 9, 13)])
def test_chuseok_2019_is_not_a_business_day_in_korea_but_is_in_japan(kr_calendar, jp_calendar, day):
    assert day.weekday() < 5
    assert not kr_calendar.is_business_day(day)
    assert jp_calendar.is_business_day(day)


def test_korea_has_no_year_end_closure(kr_calendar):
    assert kr_calendar.is_business_day(date(2026, 12, 30))


def test_the_ga2_fifteen_days_from_2019_09_18_skip_korean_holidays(kr_calendar):
    japan_item = ControlledItem.objects.get(slug="hydrogen-fluoride")
    rule = determine_regime(
        authority=Authority.objects.get(code="KR"), item=japan_item, destination="JP", on_date=date(2019, 9, 18)
    ).rule
    due = counted_days(calendar=kr_calendar, start=date(2019, 9, 18), basis=rule.processing_basis)
    # 15 business days: 3 Oct (National Foundation Day) and 9 Oct (Hangul Day) do not count.
    assert due.add(rule.processing_days) == date(2019, 10, 11)
