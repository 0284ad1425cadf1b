"""determine_regime replays the 2019–2023 history from the seeded rules (FACTS.md §3–5)."""

from datetime import date

import pytest

from licensing.errors import NoRegime
from licensing.selectors.regimes import Regime, determine_regime
from materials.models import ControlledItem
from whitelist.models import Authority

pytestmark = pytest.mark.django_db

JP_INDIVIDUAL_DOCUMENTS = [
    ("application-form", True),
    ("application-details", True),
    ("contract", True),
    ("parameter-sheet", True),
    ("catalogue-specification", True),
    ("buyer-evidence", True),
    ("end-user-pledge", True),
    ("transaction-summary", False),
    ("power-of-attorney", False),
]
JP_BULK_DOCUMENTS = ["application-form", "application-details", "cp-checklist-receipt", "cp-audit-evidence"]
KR_BASE_DOCUMENTS = ["application-form", "contract", "item-specification"]
KR_GA2_DOCUMENTS = [*KR_BASE_DOCUMENTS, "final-consignee-statement", "end-user-pledge"]

THE_SIX_ITEMS = [
    "hydrogen-fluoride",
    "fluorinated-polyimide",
    "resist",
    "hydrogen-fluoride-technology",
    "fluorinated-polyimide-technology",
    "resist-technology",
]


@pytest.fixture
def jp():
    return Authority.objects.get(code="JP")


@pytest.fixture
def kr():
    return Authority.objects.get(code="KR")


@pytest.fixture
def resist():
    return ControlledItem.objects.get(slug="resist")


@pytest.fixture
def other_item():
    """A listed item the 2019 measure did not single out."""
    return ControlledItem.objects.create(slug="test-machine-tool", name="Test machine tool")


def regime(authority, item, destination: str, on: date) -> Regime:
    return determine_regime(authority=authority, item=item, destination=destination, on_date=on)


def terms(r: Regime) -> tuple:
    rule = r.rule
    return (
        rule.licence_type,
        rule.bulk_type,
        rule.processing_days,
        rule.processing_basis,
        rule.validity_months,
        r.group.group.code,
    )


# --- Japan: the three items to South Korea ---------------------------------------------------


def test_group_a_general_bulk_applies_to_resist_for_korea_on_2019_07_03(jp, resist):
    r = regime(jp, resist, "KR", date(2019, 7, 3))
    assert terms(r) == ("bulk", "general", 7, "business", 36, "A")
    assert r.matched_on == "all items + group"
    assert [d.code for d in r.documents] == JP_BULK_DOCUMENTS


def test_individual_regime_applies_to_resist_for_korea_from_2019_07_04(jp, resist):
    r = regime(jp, resist, "KR", date(2019, 7, 4))
    assert terms(r) == ("individual", "", 90, "calendar", 6, "A")
    assert r.matched_on == "item + country"
    assert [(d.code, d.mandatory) for d in r.documents] == JP_INDIVIDUAL_DOCUMENTS
    assert len(r.documents) == 9
    assert sum(d.mandatory for d in r.documents) == 7


def test_conditional_documents_of_the_individual_regime_say_when_they_are_needed(jp, resist):
    r = regime(jp, resist, "KR", date(2020, 1, 6))
    conditions = {d.code: d.condition for d in r.documents if not d.mandatory}
    assert set(conditions) == {"transaction-summary", "power-of-attorney"}
    assert "agent" in conditions["power-of-attorney"]
    assert conditions["transaction-summary"]


def test_individual_regime_still_applies_to_resist_for_korea_on_2023_03_22(jp, resist):
    r = regime(jp, resist, "KR", date(2023, 3, 22))
    assert terms(r) == ("individual", "", 90, "calendar", 6, "B")


def test_special_general_bulk_applies_to_resist_for_korea_from_2023_03_23(jp, resist):
    r = regime(jp, resist, "KR", date(2023, 3, 23))
    assert terms(r) == ("bulk", "special_general", 7, "business", 36, "B")
    assert [d.code for d in r.documents] == JP_BULK_DOCUMENTS
    assert all(d.mandatory for d in r.documents)


def test_special_general_bulk_still_applies_to_resist_for_korea_on_2023_07_20(jp, resist):
    r = regime(jp, resist, "KR", date(2023, 7, 20))
    assert terms(r) == ("bulk", "special_general", 7, "business", 36, "B")


def test_group_a_general_bulk_applies_to_resist_for_korea_again_from_2023_07_21(jp, resist):
    r = regime(jp, resist, "KR", date(2023, 7, 21))
    assert terms(r) == ("bulk", "general", 7, "business", 36, "A")
    assert r.rule.item_id is None
    assert r.group.grouping.effective_from == date(2023, 7, 21)


@pytest.mark.parametrize("slug", THE_SIX_ITEMS)
def test_the_2019_measure_covers_each_material_and_its_technology(jp, slug):
    item = ControlledItem.objects.get(slug=slug)
    assert regime(jp, item, "KR", date(2019, 7, 3)).licence_type == "bulk"
    assert terms(regime(jp, item, "KR", date(2019, 7, 4)))[:5] == ("individual", "", 90, "calendar", 6)
    assert terms(regime(jp, item, "KR", date(2023, 3, 23)))[:5] == ("bulk", "special_general", 7, "business", 36)
    assert regime(jp, item, "KR", date(2023, 7, 21)).rule.bulk_type == "general"


def test_technology_rules_cite_the_technology_article(jp):
    item = ControlledItem.objects.get(slug="resist-technology")
    assert "Art. 25(1)" in regime(jp, item, "KR", date(2020, 1, 6)).rule.legal_basis


def test_resist_rule_says_the_2019_12_20_specific_bulk_is_not_modelled(jp, resist):
    notes = regime(jp, resist, "KR", date(2020, 1, 6)).rule.notes
    assert "2019-12-20" in notes
    assert "not modelled" in notes


# --- Japan: other items to South Korea follow the group ---------------------------------------


def test_other_items_to_korea_go_under_group_a_bulk_on_2019_08_27(jp, other_item):
    r = regime(jp, other_item, "KR", date(2019, 8, 27))
    assert terms(r) == ("bulk", "general", 7, "business", 36, "A")


def test_other_items_to_korea_need_an_individual_licence_from_2019_08_28_in_group_b(jp, other_item):
    r = regime(jp, other_item, "KR", date(2019, 8, 28))
    assert terms(r) == ("individual", "", 90, "calendar", 6, "B")
    assert len(r.documents) == 9


def test_other_items_to_korea_stay_individual_after_the_2023_03_23_easing_until_group_a(jp, other_item):
    assert regime(jp, other_item, "KR", date(2023, 5, 1)).licence_type == "individual"
    assert regime(jp, other_item, "KR", date(2023, 7, 21)).licence_type == "bulk"


# --- Japan: other destinations ---------------------------------------------------------------


@pytest.mark.parametrize("on", [date(2019, 1, 1), date(2019, 7, 4), date(2021, 6, 1), date(2026, 1, 5)])
def test_resist_to_the_united_states_is_group_a_general_bulk_on_any_date(jp, resist, on):
    assert terms(regime(jp, resist, "US", on)) == ("bulk", "general", 7, "business", 36, "A")


def test_a_country_with_no_grouping_row_falls_to_default_group_c_and_an_individual_licence(jp, resist):
    r = regime(jp, resist, "BR", date(2024, 1, 1))
    assert terms(r) == ("individual", "", 90, "calendar", 6, "C")
    assert r.group.is_default
    assert "default group C" in r.explanation()


def test_north_korea_is_group_d_and_needs_an_individual_licence(jp, resist):
    r = regime(jp, resist, "KP", date(2024, 1, 1))
    assert terms(r) == ("individual", "", 90, "calendar", 6, "D")
    assert not r.group.is_default


# --- Korea's view: Japan ---------------------------------------------------------------------


def test_korea_treats_japan_as_ga_on_2019_09_17_three_documents_five_days(kr, resist):
    r = regime(kr, resist, "JP", date(2019, 9, 17))
    assert terms(r) == ("individual", "", 5, "business", 12, "Ga")
    assert [d.code for d in r.documents] == KR_BASE_DOCUMENTS


def test_korea_moves_japan_to_ga2_from_2019_09_18_five_documents_fifteen_days(kr, resist):
    r = regime(kr, resist, "JP", date(2019, 9, 18))
    assert terms(r) == ("individual", "", 15, "business", 12, "Ga-2")
    assert [d.code for d in r.documents] == KR_GA2_DOCUMENTS


def test_korea_keeps_japan_in_ga2_on_2023_04_23(kr, resist):
    assert terms(regime(kr, resist, "JP", date(2023, 4, 23))) == ("individual", "", 15, "business", 12, "Ga-2")


def test_korea_returns_japan_to_ga_from_2023_04_24(kr, other_item):
    r = regime(kr, other_item, "JP", date(2023, 4, 24))
    assert terms(r) == ("individual", "", 5, "business", 12, "Ga")
    assert len(r.documents) == 3
    assert r.rule.effective_from == date(2023, 4, 24)


def test_korea_puts_the_other_trusted_countries_in_ga1_during_the_split(kr, resist):
    assert terms(regime(kr, resist, "US", date(2021, 1, 4))) == ("individual", "", 5, "business", 12, "Ga-1")


def test_korea_treats_a_country_with_no_row_as_na(kr, resist):
    r = regime(kr, resist, "BR", date(2021, 1, 4))
    assert terms(r) == ("individual", "", 15, "business", 12, "Na")
    assert len(r.documents) == 5


# --- Before the recorded history, and the explanation ----------------------------------------


@pytest.mark.parametrize(("authority_code", "destination"), [("JP", "KR"), ("JP", "US"), ("KR", "JP")])
def test_no_regime_is_answered_before_2019_01_01(authority_code, destination, resist):
    authority = Authority.objects.get(code=authority_code)
    with pytest.raises(NoRegime):
        regime(authority, resist, destination, date(2018, 12, 31))


def test_explanation_names_the_rule_and_the_grouping_row(jp, other_item):
    r = regime(jp, other_item, "KR", date(2019, 8, 28))
    text = r.explanation()
    assert f"Rule #{r.rule.pk}" in text
    assert "group B" in text
    assert "from 2019-08-28" in text
    assert "until 2023-07-20" in text
    assert "cabinet decision 2019-08-02" in text


def test_explanation_of_the_item_rule_names_the_item_and_korea(jp, resist):
    text = regime(jp, resist, "KR", date(2019, 7, 4)).explanation()
    assert "Resist to destination South Korea specifically" in text
    assert "2019-07-04 until 2023-03-22" in text
