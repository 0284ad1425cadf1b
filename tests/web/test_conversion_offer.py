"""The exporter sees a cheaper regime offered on the case page and chooses: convert or keep."""

import pytest
import time_machine

from licensing.models import RegimeConversionOffer
from licensing.selectors.conversion import conversion_offers_pending
from licensing.services import applications as svc
from tests.tasks.conftest import at, sweep_at, tokyo

pytestmark = pytest.mark.django_db


@pytest.fixture
def offered(make_submitted, officer):
    """Resist to Korea filed on 1 Mar 2023 (individual); on 23 Mar the bulk rule starts."""
    app = at(tokyo(2023, 3, 1, 10), make_submitted)
    at(tokyo(2023, 3, 2, 10), svc.application_start_review, application=app, official=officer)
    sweep_at("rules-in-force", tokyo(2023, 3, 23, 0, 5))
    (offer,) = conversion_offers_pending(app)
    return app, offer


def _post(client, app, offer, decision):
    return client.post(f"/applications/{app.reference}/conversion/{offer.pk}/", {"decision": decision}, follow=True)


@time_machine.travel("2023-03-24 01:00:00+00:00", tick=False)
def test_the_offer_is_shown_and_converting_refreezes_the_regime(exporter_client, offered):
    app, offer = offered
    page = exporter_client.get(f"/applications/{app.reference}/").content.decode()
    assert "A cheaper regime now applies to this case" in page
    response = _post(exporter_client, app, offer, "accept")
    app.refresh_from_db()
    assert app.licence_type == "bulk"
    assert "The new regime is frozen on" in response.content.decode()
    assert "A cheaper regime now applies" not in response.content.decode()


@time_machine.travel("2023-03-24 01:00:00+00:00", tick=False)
def test_keeping_the_current_regime_changes_nothing(exporter_client, offered):
    app, offer = offered
    _post(exporter_client, app, offer, "decline")
    app.refresh_from_db()
    offer.refresh_from_db()
    assert app.licence_type == "individual"
    assert offer.status == RegimeConversionOffer.Status.DECLINED


@time_machine.travel("2023-03-24 01:00:00+00:00", tick=False)
def test_another_organisation_gets_a_404(other_client, offered):
    app, offer = offered
    response = other_client.post(f"/applications/{app.reference}/conversion/{offer.pk}/", {"decision": "accept"})
    assert response.status_code == 404
    offer.refresh_from_db()
    assert offer.status == RegimeConversionOffer.Status.PENDING
