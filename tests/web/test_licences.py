"""Licences: the shipment ledger, recording shipments, refusals, the certificate and its QR code."""

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from licensing.models import Licence
from licensing.services.clock import local_date
from licensing.services.licences import licence_record_shipment

pytestmark = pytest.mark.django_db


def today(licence: Licence) -> Any:
    from django.utils import timezone

    return local_date(licence.authority, timezone.now())


def ship(client: Client, licence: Licence, quantity: str, **extra: Any) -> Any:
    data = {"shipped_on": today(licence).isoformat(), "quantity": quantity, "consignee_name": "Hanbit", **extra}
    return client.post(reverse("licensing:licence_shipment_record", args=[licence.number]), data, follow=True)


def test_the_licence_page_shows_the_ledger_and_remaining_quantity(exporter_client: Client, licence: Licence) -> None:
    licence_record_shipment(
        licence=licence,
        user=licence.application.applicant,
        shipped_on=today(licence),
        quantity=licence.quantity_authorised / 4,
        consignee_name="Hanbit",
        reference="AWB-123",
    )
    content = exporter_client.get(reverse("licensing:licence_detail", args=[licence.number])).content.decode()
    assert "Shipment ledger" in content
    assert "AWB-123" in content
    assert '<strong data-testid="remaining">75 kilograms</strong>' in content
    assert "days to expiry" in content
    assert "Record a shipment" in content


def test_recording_a_shipment(exporter_client: Client, licence: Licence) -> None:
    content = ship(exporter_client, licence, "40", reference="INV-9").content.decode()
    licence.refresh_from_db()
    assert licence.quantity_shipped == 40
    assert "Shipment of 40 kg recorded. Remaining on the licence: 60 kg." in content
    assert "INV-9" in content


def test_an_overdraw_is_refused_with_the_remaining_quantity(exporter_client: Client, licence: Licence) -> None:
    ship(exporter_client, licence, "60")
    response = ship(exporter_client, licence, "50")
    content = response.content.decode()
    licence.refresh_from_db()
    assert licence.quantity_shipped == 60
    assert "50 kg is more than the 40 kg remaining on this licence." in content
    assert 'value="50.000"' in content or 'value="50"' in content  # what was typed stays in the form


def test_a_future_shipment_date_is_refused_with_the_reason(exporter_client: Client, licence: Licence) -> None:
    response = ship(exporter_client, licence, "10", shipped_on=(today(licence) + timedelta(days=3)).isoformat())
    assert "Shipment refused:" in response.content.decode()
    assert "is in the future" in response.content.decode()
    assert not licence.shipments.exists()


def test_a_suspended_licence_takes_no_shipment(exporter_client: Client, licence: Licence, supervisor_user: Any) -> None:
    from licensing.services.licences import licence_suspend

    licence_suspend(licence=licence, official=supervisor_user, reason="Audit.")
    content = exporter_client.get(reverse("licensing:licence_detail", args=[licence.number])).content.decode()
    assert "No shipment can be recorded" in content
    content = ship(exporter_client, licence, "1").content.decode()
    assert "is suspended: no shipment can be recorded" in content


def test_the_certificate_has_a_verification_code_and_an_inline_svg_qr_code(
    exporter_client: Client, licence: Licence, settings: Any
) -> None:
    settings.SITE_URL = "https://kyoka.example"
    content = exporter_client.get(reverse("licensing:licence_certificate", args=[licence.number])).content.decode()
    url = f"https://kyoka.example/verify/{licence.verification_code}/"
    assert licence.verification_code in content
    assert url in content
    assert '<svg class="qr" role="img"' in content
    assert "<title" in content and "verification page" in content
    assert "style=" not in content
    assert "Print" in content


def test_the_qr_code_encodes_the_verification_url(licence: Licence, settings: Any) -> None:
    from licensing.views.licences import qr_svg

    settings.SITE_URL = "https://kyoka.example"
    url = f"https://kyoka.example/verify/{licence.verification_code}/"
    # The same payload gives the same symbol; a different one does not.
    assert qr_svg(url, title="t") == qr_svg(url, title="t")
    assert qr_svg(url, title="t") != qr_svg(url + "x", title="t")
