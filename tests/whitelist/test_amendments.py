"""Grouping rows never overlap; a scheduled amendment changes the answer from its date on."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from licensing.errors import OverlappingPeriod
from licensing.models import Event
from whitelist.models import Amendment, CountryGroup, Grouping
from whitelist.selectors import group_on_date
from whitelist.services import amendment_cancel, amendment_schedule, grouping_validate

pytestmark = pytest.mark.django_db


def test_an_overlapping_grouping_row_is_refused(jp):
    group_b = CountryGroup.objects.get(authority=jp, code="B")
    row = Grouping(
        authority=jp, country="KR", group=group_b, effective_from=date(2023, 1, 1), effective_to=date(2023, 12, 31)
    )
    with pytest.raises(ValidationError, match="overlaps"):
        grouping_validate(row)


def test_a_non_overlapping_grouping_row_is_accepted(jp):
    group_a = CountryGroup.objects.get(authority=jp, code="A")
    grouping_validate(Grouping(authority=jp, country="SG", group=group_a, effective_from=date(2031, 1, 1)))


def test_scheduling_korea_back_to_b_splits_the_open_row_at_the_effective_date(jp):
    group_b = CountryGroup.objects.get(authority=jp, code="B")
    amendment = amendment_schedule(
        authority=jp,
        country="KR",
        new_group=group_b,
        effective_date=date(2031, 4, 1),
        legal_basis="Cabinet order (test)",
    )
    assert amendment.status == Amendment.Status.SCHEDULED
    assert amendment.previous_group.code == "A"
    assert group_on_date(authority=jp, country="KR", on_date=date(2031, 3, 31)).group.code == "A"
    assert group_on_date(authority=jp, country="KR", on_date=date(2031, 4, 1)).group.code == "B"
    assert Event.objects.filter(verb="whitelist.amendment_scheduled").count() == 1


def test_cancelling_a_scheduled_amendment_restores_the_open_row(jp):
    group_b = CountryGroup.objects.get(authority=jp, code="B")
    amendment = amendment_schedule(
        authority=jp, country="KR", new_group=group_b, effective_date=date(2031, 4, 1), legal_basis="test"
    )
    amendment_cancel(amendment=amendment)
    assert group_on_date(authority=jp, country="KR", on_date=date(2031, 4, 1)).group.code == "A"
    assert Grouping.objects.filter(authority=jp, country="KR", effective_to__isnull=True).count() == 1


def test_an_amendment_before_an_existing_later_row_is_refused(jp):
    group_b = CountryGroup.objects.get(authority=jp, code="B")
    with pytest.raises(OverlappingPeriod):
        amendment_schedule(
            authority=jp, country="KR", new_group=group_b, effective_date=date(2023, 1, 1), legal_basis="x"
        )


def test_an_amendment_to_the_same_group_is_refused(jp):
    group_a = CountryGroup.objects.get(authority=jp, code="A")
    with pytest.raises(ValidationError, match="already in group A"):
        amendment_schedule(
            authority=jp, country="KR", new_group=group_a, effective_date=date(2031, 1, 1), legal_basis="x"
        )
