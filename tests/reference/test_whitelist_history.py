"""group_on_date over the seeded grouping history (FACTS.md §4–5): inclusive boundaries."""

from datetime import date, timedelta
from itertools import pairwise

import pytest

from whitelist.models import Authority, Grouping
from whitelist.selectors import group_on_date, grouping_history

pytestmark = pytest.mark.django_db


@pytest.fixture
def jp():
    return Authority.objects.get(code="JP")


@pytest.fixture
def kr():
    return Authority.objects.get(code="KR")


@pytest.mark.parametrize(
    ("on", "group"),
    [
        (date(2019, 1, 1), "A"),
        (date(2019, 8, 27), "A"),
        (date(2019, 8, 28), "B"),
        (date(2023, 7, 20), "B"),
        (date(2023, 7, 21), "A"),
        (date(2030, 1, 1), "A"),
    ],
)
def test_korea_in_japans_view_is_a_then_b_from_2019_08_28_then_a_from_2023_07_21(jp, on, group):
    answer = group_on_date(authority=jp, country="KR", on_date=on)
    assert answer.group.code == group
    assert not answer.is_default


@pytest.mark.parametrize(
    ("on", "group"),
    [
        (date(2019, 1, 1), "Ga"),
        (date(2019, 9, 17), "Ga"),
        (date(2019, 9, 18), "Ga-2"),
        (date(2023, 4, 23), "Ga-2"),
        (date(2023, 4, 24), "Ga"),
        (date(2030, 1, 1), "Ga"),
    ],
)
def test_japan_in_koreas_view_is_ga_then_ga2_from_2019_09_18_then_ga_from_2023_04_24(kr, on, group):
    answer = group_on_date(authority=kr, country="JP", on_date=on)
    assert answer.group.code == group
    assert not answer.is_default


@pytest.mark.parametrize(
    ("on", "group"),
    [(date(2019, 9, 17), "Ga"), (date(2019, 9, 18), "Ga-1"), (date(2023, 4, 23), "Ga-1"), (date(2023, 4, 24), "Ga")],
)
def test_the_other_trusted_countries_in_koreas_view_are_ga1_during_the_split(kr, on, group):
    assert group_on_date(authority=kr, country="DE", on_date=on).group.code == group


def test_korea_has_no_recorded_grouping_before_2019_in_japans_view(jp):
    answer = group_on_date(authority=jp, country="KR", on_date=date(2018, 12, 31))
    assert answer.is_default


def test_a_country_with_no_row_gets_the_documented_default(jp, kr):
    assert group_on_date(authority=jp, country="BR", on_date=date(2021, 1, 4)).group.code == "C"
    assert group_on_date(authority=kr, country="BR", on_date=date(2021, 1, 4)).group.code == "Na"


def test_koreas_history_in_japans_view_has_three_rows_with_their_legal_basis(jp):
    rows = list(grouping_history(authority=jp, country="KR"))
    assert [(g.group.code, g.effective_from, g.effective_to) for g in rows] == [
        ("A", date(2019, 1, 1), date(2019, 8, 27)),
        ("B", date(2019, 8, 28), date(2023, 7, 20)),
        ("A", date(2023, 7, 21), None),
    ]
    assert "2019-08-02" in rows[1].legal_basis
    assert "2023-07-21" in rows[2].legal_basis
    assert "Appended Table 3" in rows[0].legal_basis


def test_japans_history_in_koreas_view_has_three_rows_with_their_legal_basis(kr):
    rows = list(grouping_history(authority=kr, country="JP"))
    assert [(g.group.code, g.effective_from, g.effective_to) for g in rows] == [
        ("Ga", date(2019, 1, 1), date(2019, 9, 17)),
        ("Ga-2", date(2019, 9, 18), date(2023, 4, 23)),
        ("Ga", date(2023, 4, 24), None),
    ]
    assert all("Public Notice on Export and Import of Strategic Items" in g.legal_basis for g in rows)


def test_every_countrys_history_runs_without_gaps_from_2019_01_01():
    histories: dict[tuple[int, str], list[Grouping]] = {}
    for g in Grouping.objects.order_by("authority", "country", "effective_from"):
        histories.setdefault((g.authority_id, g.country.code), []).append(g)
    for rows in histories.values():
        assert rows[0].effective_from == date(2019, 1, 1)
        assert rows[-1].effective_to is None
        for earlier, later in pairwise(rows):
            assert later.effective_from == earlier.effective_to + timedelta(days=1), (earlier, later)


def test_the_first_row_says_2019_01_01_is_the_start_of_kyokas_history_not_of_the_listing(jp):
    first = grouping_history(authority=jp, country="US").first()
    assert "start of Kyoka's recorded history" in first.source
