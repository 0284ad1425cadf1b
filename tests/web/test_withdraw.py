"""Withdrawing before a decision, with a confirmation step."""

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_withdrawing_asks_for_confirmation_first(exporter_client: Client, make_submitted: Any) -> None:
    app = make_submitted()
    content = exporter_client.get(reverse("licensing:application_withdraw", args=[app.reference])).content.decode()
    assert f"Withdraw application {app.reference}?" in content
    assert "This cannot be undone" in content
    assert "Yes, withdraw it" in content
    app.refresh_from_db()
    assert app.status == "submitted"


def test_confirming_withdraws_the_application(exporter_client: Client, make_information_requested: Any) -> None:
    app, _ = make_information_requested()
    response = exporter_client.post(
        reverse("licensing:application_withdraw", args=[app.reference]), {"reason": "Order cancelled."}, follow=True
    )
    app.refresh_from_db()
    assert app.status == "withdrawn"
    assert app.decision_reason == "Order cancelled."
    assert not app.clock_stops.filter(restarted_at__isnull=True).exists()
    content = response.content.decode()
    assert f"Application {app.reference} was withdrawn." in content
    assert "Withdraw this application" not in content


def test_a_decided_application_cannot_be_withdrawn(exporter_client: Client, licence: Any) -> None:
    app = licence.application
    response = exporter_client.get(reverse("licensing:application_withdraw", args=[app.reference]), follow=True)
    assert "it can no longer be withdrawn" in response.content.decode()
    exporter_client.post(reverse("licensing:application_withdraw", args=[app.reference]))
    app.refresh_from_db()
    assert app.status == "approved"
