"""Whitelist amendments and rule changes take effect at 00:00 in the authority's time zone, are
announced once, and offer pending cases a cheaper regime when one now applies."""

from datetime import date

import pytest

from licensing.models import Application, Event, RegimeConversionOffer
from materials.models import ControlledItem
from tests.tasks.conftest import at, notified, sweep_at, tokyo
from whitelist.models import Amendment, CountryGroup, Grouping
from whitelist.services import amendment_schedule

pytestmark = pytest.mark.django_db


def _group(code: str) -> CountryGroup:
    return CountryGroup.objects.get(authority__code="JP", code=code)


def _schedule(jp, country, group, effective, user, *, on):
    return at(
        on,
        amendment_schedule,
        authority=jp,
        country=country,
        new_group=_group(group),
        effective_date=effective,
        legal_basis="Cabinet order (test)",
        user=user,
    )


def test_an_amendment_takes_effect_at_midnight_in_tokyo_and_is_announced_once(jp, supervisor_user):
    amendment = _schedule(jp, "TW", "A", date(2026, 6, 1), supervisor_user, on=tokyo(2026, 5, 12, 10))

    sweep_at("whitelist-amendments", tokyo(2026, 5, 31, 23, 59))
    amendment.refresh_from_db()
    assert amendment.status == Amendment.Status.SCHEDULED

    sweep_at("whitelist-amendments", tokyo(2026, 6, 1, 0, 0, 30))  # 15:00:30 UTC on 31 May
    sweep_at("whitelist-amendments", tokyo(2026, 6, 1, 0, 5))
    amendment.refresh_from_db()
    assert amendment.status == Amendment.Status.IN_FORCE
    assert amendment.activated_at == tokyo(2026, 6, 1, 0, 0, 30)
    (event,) = Event.objects.filter(verb="whitelist.amended")
    assert event.organisation_id is None  # public: in every partner's change feed
    assert event.subject_id == str(amendment.pk)
    assert event.payload["country"] == "TW" and event.payload["new_group"] == "A"
    assert event.payload["previous_group"] == "C"


def test_an_easing_amendment_offers_pending_individual_cases_a_conversion(
    jp, supervisor_user, make_submitted, exporter
):
    # Taiwan is in Japan's default group C: resist needs an individual licence (7 documents, 90 days).
    pending = at(tokyo(2026, 5, 11, 10), make_submitted, destination="TW")
    assert pending.licence_type == "individual"
    _schedule(jp, "TW", "A", date(2026, 6, 1), supervisor_user, on=tokyo(2026, 5, 12, 10))

    sweep_at("whitelist-amendments", tokyo(2026, 6, 1, 0, 1))
    sweep_at("whitelist-amendments", tokyo(2026, 6, 1, 0, 6))

    (offer,) = RegimeConversionOffer.objects.filter(application=pending)
    assert offer.status == RegimeConversionOffer.Status.PENDING
    assert offer.cause == "amendment" and offer.amendment.country == "TW"
    assert offer.regime_snapshot["licence_type"] == "bulk"
    assert [i["code"] for i in offer.improvements] == ["licence_type", "documents", "processing"]
    assert offer.current_due_date == pending.due_date
    assert offer.converted_due_date == date(2026, 6, 10)  # 7 business days from Mon 1 Jun
    assert len(offer.missing_documents) == 2  # the CP checklist receipt and the audit evidence
    (notice,) = notified("application.regime_conversion_offered")
    assert notice.recipient == exporter
    assert "a bulk licence instead of an individual licence" in notice.body
    pending.refresh_from_db()
    assert pending.licence_type == "individual"  # nothing changes until the exporter chooses


def test_a_tightening_amendment_offers_nothing(jp, supervisor_user, make_submitted):
    pending = at(tokyo(2026, 5, 11, 10), make_submitted, destination="US")  # group A: bulk
    _schedule(jp, "US", "B", date(2026, 6, 1), supervisor_user, on=tokyo(2026, 5, 12, 10))
    sweep_at("whitelist-amendments", tokyo(2026, 6, 1, 0, 1))
    assert not RegimeConversionOffer.objects.filter(application=pending).exists()
    assert Amendment.objects.get(country="US").status == Amendment.Status.IN_FORCE


def test_a_cancelled_amendment_never_takes_effect(jp, supervisor_user):
    from whitelist.services import amendment_cancel

    amendment = _schedule(jp, "TW", "A", date(2026, 6, 1), supervisor_user, on=tokyo(2026, 5, 12, 10))
    at(tokyo(2026, 5, 20, 10), amendment_cancel, amendment=amendment, user=supervisor_user)
    sweep_at("whitelist-amendments", tokyo(2026, 6, 1, 9))
    assert Amendment.objects.get(pk=amendment.pk).status == Amendment.Status.CANCELLED
    assert not Event.objects.filter(verb="whitelist.amended").exists()


# --- The historical dates -----------------------------------------------------------------------


@pytest.fixture
def korea_back_to_a_as_an_amendment(jp, supervisor_user) -> Amendment:
    """Replay 2023 as it happened: Korea in Group B open-ended until METI scheduled the return to
    Group A (announced 2023-04-28, in force 2023-07-21)."""
    Grouping.objects.filter(authority=jp, country="KR", effective_from=date(2023, 7, 21)).delete()
    Grouping.objects.filter(authority=jp, country="KR", effective_from=date(2019, 8, 28)).update(effective_to=None)
    return _schedule(jp, "KR", "A", date(2023, 7, 21), supervisor_user, on=tokyo(2023, 4, 28, 10))


@pytest.fixture
def other_listed_item(db) -> ControlledItem:
    """A listed item with no Korea-specific rule: the group rules decide its regime."""
    return ControlledItem.objects.create(slug="other-listed-item", name="Another listed item (test)")


def test_korea_back_in_group_a_on_2023_07_21_offers_a_conversion(
    korea_back_to_a_as_an_amendment, make_submitted, other_listed_item, resist, exporter
):
    individual = at(tokyo(2023, 5, 15, 10), make_submitted, item=other_listed_item)
    special_bulk = at(tokyo(2023, 5, 15, 11), make_submitted, item=resist)
    assert individual.licence_type == "individual" and individual.regime_snapshot["destination_group"] == "B"
    assert special_bulk.regime_snapshot["bulk_type"] == "special_general"

    sweep_at("whitelist-amendments", tokyo(2023, 7, 20, 23, 55))
    assert not RegimeConversionOffer.objects.exists()
    sweep_at("whitelist-amendments", tokyo(2023, 7, 21, 0, 5))

    (offer,) = RegimeConversionOffer.objects.all()
    assert offer.application_id == individual.pk
    assert offer.regime_snapshot["destination_group"] == "A"
    assert offer.regime_snapshot["bulk_type"] == "general"
    # Resist already had a bulk regime (special general -> general: same documents and period).
    assert not RegimeConversionOffer.objects.filter(application=special_bulk).exists()
    korea_back_to_a_as_an_amendment.refresh_from_db()
    assert korea_back_to_a_as_an_amendment.status == Amendment.Status.IN_FORCE


def test_the_2023_03_23_rules_come_into_force_once_and_offer_pending_cases_bulk(make_submitted, exporter):
    pending = at(tokyo(2023, 3, 1, 10), make_submitted)
    assert pending.licence_type == "individual" and pending.due_date == date(2023, 5, 30)

    sweep_at("rules-in-force", tokyo(2023, 3, 22, 23, 55))
    assert not Event.objects.filter(verb="rule.in_force").exists()
    sweep_at("rules-in-force", tokyo(2023, 3, 23, 0, 5))
    sweep_at("rules-in-force", tokyo(2023, 3, 23, 0, 10))
    sweep_at("rules-in-force", tokyo(2023, 3, 28, 9))

    announced = Event.objects.filter(verb="rule.in_force")
    # The three goods and their technology: six rules, each announced once, as public events.
    assert announced.count() == 6
    assert {e.payload["effective_from"] for e in announced} == {"2023-03-23"}
    assert all(e.organisation_id is None for e in announced)
    (offer,) = RegimeConversionOffer.objects.filter(application=pending)
    assert offer.cause == "rule" and offer.regime_snapshot["bulk_type"] == "special_general"
    assert {"code": "documents", "from": 7, "to": 4} in offer.improvements
    assert len(notified("application.regime_conversion_offered")) == 1


def test_rules_that_started_long_ago_are_history_not_news(make_submitted):
    sweep_at("rules-in-force", tokyo(2026, 5, 1, 9))
    assert not Event.objects.filter(verb="rule.in_force").exists()


def test_a_rule_missed_by_an_outage_is_announced_within_the_lookback(settings):
    settings.KYOKA_RULE_ANNOUNCE_LOOKBACK_DAYS = 7
    sweep_at("rules-in-force", tokyo(2023, 3, 30, 9))  # seven days late
    assert Event.objects.filter(verb="rule.in_force").count() == 6
    assert Event.objects.filter(verb="rule.in_force").first().occurred_at == tokyo(2023, 3, 30, 9)


def test_the_amendment_sweep_query_count_does_not_depend_on_cases_elsewhere(
    jp, supervisor_user, make_submitted, django_assert_max_num_queries
):
    for _ in range(3):
        at(tokyo(2026, 5, 11, 10), make_submitted)  # to Korea: not concerned by a Taiwan amendment
    _schedule(jp, "TW", "A", date(2026, 6, 1), supervisor_user, on=tokyo(2026, 5, 12, 10))
    with django_assert_max_num_queries(20):
        report = sweep_at("whitelist-amendments", tokyo(2026, 6, 1, 0, 1))
    assert report["changed"] == 1
    assert Application.objects.filter(status="submitted").count() == 3
