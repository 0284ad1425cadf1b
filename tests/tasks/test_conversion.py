"""The exporter's choice on a regime-conversion offer: accept (re-freeze, new due date) or decline."""

from datetime import date

import pytest

from licensing.errors import PermissionDenied, TransitionNotAllowed
from licensing.models import Application, Event, RegimeConversionOffer
from licensing.selectors.conversion import conversion_offer_for_user, conversion_offers_pending
from licensing.services import applications as svc
from licensing.services.batches import SweepReport
from licensing.services.conversion import (
    application_convert_regime,
    application_decline_regime_conversion,
    conversion_offers_make,
)
from tests.tasks.conftest import at, notified, sweep_at, tokyo

pytestmark = pytest.mark.django_db


@pytest.fixture
def offered(make_submitted, officer) -> tuple[Application, RegimeConversionOffer]:
    """Resist to Korea filed on 1 Mar 2023 (individual, due 30 May); on 23 Mar the bulk rule starts."""
    app = at(tokyo(2023, 3, 1, 10), make_submitted)
    at(tokyo(2023, 3, 2, 10), svc.application_start_review, application=app, official=officer)
    sweep_at("rules-in-force", tokyo(2023, 3, 23, 0, 5))
    (offer,) = conversion_offers_pending(app)
    return app, offer


def test_accepting_refreezes_the_regime_and_restarts_the_period_from_the_conversion_date(offered, exporter, officer):
    app, offer = offered
    app = at(tokyo(2023, 3, 24, 10), application_convert_regime, offer=offer, user=exporter)
    assert app.licence_type == "bulk"
    assert app.regime_snapshot["bulk_type"] == "special_general"
    assert app.regime_snapshot["determined_on"] == "2023-03-24"
    assert app.regime_rule_id == offer.to_rule_id
    assert app.clock_start_date == date(2023, 3, 24)
    assert app.due_date == date(2023, 4, 4)  # 7 business days after Fri 24 Mar
    assert app.status == Application.Status.UNDER_REVIEW

    offer.refresh_from_db()
    assert offer.status == RegimeConversionOffer.Status.ACCEPTED and offer.decided_by == exporter
    (event,) = Event.objects.filter(verb="application.regime_converted")
    assert event.actor == exporter
    assert event.payload["previous_licence_type"] == "individual"
    assert event.payload["previous_due_date"] == "2023-05-30"
    assert event.payload["due_date"] == "2023-04-04"
    assert len(event.payload["missing_documents"]) == 2
    assert [n.recipient for n in notified("case.regime_converted")] == [officer]
    assert [n.recipient for n in notified("application.regime_converted")] == [exporter]
    assert not conversion_offers_pending(app).exists()


def test_declining_keeps_the_frozen_regime_and_the_offer_is_never_made_again(offered, exporter):
    app, offer = offered
    at(tokyo(2023, 3, 24, 10), application_decline_regime_conversion, offer=offer, user=exporter)
    app.refresh_from_db()
    assert app.licence_type == "individual" and app.due_date == date(2023, 5, 30)
    assert Event.objects.filter(verb="application.regime_conversion_declined", subject_id=str(app.pk)).count() == 1

    report = SweepReport("test", tokyo(2023, 3, 25))
    at(
        tokyo(2023, 3, 25, 9),
        conversion_offers_make,
        candidates=Application.objects.filter(pk=app.pk),
        now=tokyo(2023, 3, 25, 9),
        cause="rule",
        report=report,
    )
    assert RegimeConversionOffer.objects.filter(application=app).count() == 1
    assert not conversion_offers_pending(app).exists()


def test_an_offer_cannot_be_taken_twice(offered, exporter):
    _app, offer = offered
    at(tokyo(2023, 3, 24, 10), application_convert_regime, offer=offer, user=exporter)
    with pytest.raises(TransitionNotAllowed, match="already been accepted"):
        at(tokyo(2023, 3, 24, 11), application_decline_regime_conversion, offer=offer, user=exporter)


def test_an_offer_made_stale_by_a_later_change_is_refused(offered, exporter):
    app, offer = offered
    # By 21 Jul 2023 the special general bulk rule has ended and Korea is in Group A.
    with pytest.raises(TransitionNotAllowed, match="rules changed after this offer"):
        at(tokyo(2023, 7, 21, 10), application_convert_regime, offer=offer, user=exporter)
    app.refresh_from_db()
    assert app.licence_type == "individual"


def test_another_organisation_cannot_see_or_accept_the_offer(offered, other_exporter):
    _app, offer = offered
    with pytest.raises(RegimeConversionOffer.DoesNotExist):
        conversion_offer_for_user(user=other_exporter, offer_id=offer.pk)
    with pytest.raises(PermissionDenied):
        at(tokyo(2023, 3, 24, 10), application_convert_regime, offer=offer, user=other_exporter)
    offer.refresh_from_db()
    assert offer.status == RegimeConversionOffer.Status.PENDING


def test_a_decided_case_has_no_pending_offer(offered, supervisor_user, exporter):
    app, offer = offered
    at(tokyo(2023, 3, 24, 10), svc.application_approve, application=app, official=supervisor_user)
    assert not conversion_offers_pending(app).exists()
    with pytest.raises(TransitionNotAllowed, match="approved"):
        at(tokyo(2023, 3, 24, 11), application_convert_regime, offer=offer, user=exporter)


def test_the_owner_finds_the_offer_by_id(offered, exporter):
    _app, offer = offered
    assert conversion_offer_for_user(user=exporter, offer_id=offer.pk) == offer
