"""Rules as data: overlaps refused naming the conflicting rule; a new rule changes new filings only."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from licensing.errors import NoRegime
from licensing.models import Event, RegimeRule
from licensing.selectors.regimes import determine_regime
from licensing.services.rules import rule_save
from whitelist.models import CountryGroup

pytestmark = pytest.mark.django_db


def korea_resist_rule(jp, resist, **kwargs):
    fields = {
        "authority": jp,
        "item": resist,
        "destination_country": "KR",
        "effective_from": date(2030, 1, 1),
        "licence_type": "individual",
        "processing_days": 30,
        "validity_months": 6,
    }
    return RegimeRule(**{**fields, **kwargs})


def test_an_overlapping_rule_for_the_same_key_is_refused_naming_the_conflict(jp, resist):
    existing = RegimeRule.objects.get(
        authority=jp, item=resist, destination_country="KR", effective_from=date(2019, 7, 4)
    )
    clash = korea_resist_rule(jp, resist, effective_from=date(2020, 1, 1), effective_to=date(2020, 12, 31))
    with pytest.raises(ValidationError, match=f"overlaps rule #{existing.pk}"):
        rule_save(rule=clash)
    assert not RegimeRule.objects.filter(effective_from=date(2020, 1, 1)).exists()


def test_a_rule_must_name_a_country_or_a_group_not_both(jp, resist):
    group_a = CountryGroup.objects.get(authority=jp, code="A")
    with pytest.raises(ValidationError, match="either a destination country or a destination group"):
        rule_save(rule=korea_resist_rule(jp, resist, destination_group=group_a))


def test_a_rule_that_ends_before_it_starts_is_refused(jp, resist):
    with pytest.raises(ValidationError):
        rule_save(rule=korea_resist_rule(jp, resist, effective_to=date(2029, 1, 1)))


def test_ending_a_rule_and_adding_its_successor_is_an_admin_edit_not_a_code_change(jp, resist):
    """The next change: from 2030 resist to Korea needs an individual licence again."""
    current = RegimeRule.objects.get(authority=jp, item=None, destination_group__code="A", effective_to=None)
    # A country-specific rule beats the group rule without touching it.
    rule_save(rule=korea_resist_rule(jp, resist))
    assert determine_regime(authority=jp, item=resist, destination="KR", on_date=date(2029, 12, 31)).rule == current
    regime = determine_regime(authority=jp, item=resist, destination="KR", on_date=date(2030, 1, 1))
    assert regime.licence_type == "individual"
    assert regime.rule.processing_days == 30
    assert Event.objects.filter(verb="rule.changed").count() == 1


def test_a_date_no_rule_covers_is_a_clear_no_regime_answer(jp, resist):
    with pytest.raises(NoRegime, match="No regime rule of JP covers Resist to KR on 2018-06-01"):
        determine_regime(authority=jp, item=resist, destination="KR", on_date=date(2018, 6, 1))
