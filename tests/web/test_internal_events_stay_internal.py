"""An officer's recommendation is internal: the exporter's case page never shows it."""

import pytest

from licensing.services import applications as svc

pytestmark = pytest.mark.django_db


def test_the_exporter_never_sees_an_officers_recommendation(exporter_client, make_submitted, officer):
    app = make_submitted()
    svc.application_start_review(application=app, official=officer)
    svc.application_recommend(
        application=app, official=officer, recommendation="reject", note="Suspect diversion to a third country."
    )
    html = exporter_client.get(f"/applications/{app.reference}/").content.decode()
    assert "Review started" in html
    assert "diversion" not in html
    assert "recommend" not in html.lower()
