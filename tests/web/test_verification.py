"""The public verification page: validity only, no login, unknown codes 404, rate-limited."""

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from licensing.models import Licence
from licensing.views import verification

pytestmark = pytest.mark.django_db


def test_anyone_can_verify_a_licence_and_sees_only_its_validity(client: Client, licence: Licence) -> None:
    response = client.get(reverse("licensing:verify", args=[licence.verification_code]))
    content = response.content.decode()
    assert response.status_code == 200
    assert "This licence is valid today." in content
    assert licence.number in content
    assert "Active" in content
    assert "Resist" in content and "South Korea" in content
    # Nothing confidential: not the holder, the consignee, quantities or the application.
    application = licence.application
    for secret in (
        licence.organisation.name,
        application.consignee_name,
        application.reference,
        application.end_use,
        "kilograms",
    ):
        assert secret not in content, secret
    assert response["Cache-Control"] == "no-store"


def test_the_code_is_case_insensitive(client: Client, licence: Licence) -> None:
    response = client.get(reverse("licensing:verify", args=[licence.verification_code.lower()]))
    assert response.status_code == 200


def test_a_revoked_licence_is_shown_as_not_valid(client: Client, licence: Licence, supervisor_user: Any) -> None:
    from licensing.services.licences import licence_revoke

    licence_revoke(licence=licence, official=supervisor_user, reason="Diversion risk.")
    content = client.get(reverse("licensing:verify", args=[licence.verification_code])).content.decode()
    assert "This licence is not valid today." in content
    assert "Revoked" in content
    assert "Diversion risk." not in content


def test_an_unknown_code_is_not_found(client: Client, licence: Licence) -> None:
    assert client.get(reverse("licensing:verify", args=["NOPE23456789"])).status_code == 404


def test_lookups_are_rate_limited_per_address(client: Client, licence: Licence, monkeypatch: Any) -> None:
    monkeypatch.setattr(verification, "VERIFY_LIMIT", 3)
    url = reverse("licensing:verify", args=[licence.verification_code])
    assert [client.get(url).status_code for _ in range(3)] == [200, 200, 200]
    response = client.get(reverse("licensing:verify", args=["NOPE23456789"]))
    assert response.status_code == 429
    assert response["Retry-After"] == str(verification.VERIFY_WINDOW_SECONDS)
    assert "Too many lookups" in response.content.decode()
    other = Client(REMOTE_ADDR="10.0.0.9")
    assert other.get(url).status_code == 200


def test_the_lookup_form_goes_to_the_verification_page(client: Client, licence: Licence) -> None:
    response = client.get(reverse("licensing:verify_lookup"), {"code": licence.verification_code.lower()})
    assert response.status_code == 302
    assert response["Location"] == reverse("licensing:verify", args=[licence.verification_code])
