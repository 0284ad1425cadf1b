"""Who may see what: exporters only see their own organisation's cases; everyone else gets 403/404."""

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from licensing.models import ApplicationDocument
from tests.factories import OfficialFactory, pdf_upload
from tests.web.conftest import sign_in

pytestmark = pytest.mark.django_db


def exporter_pages(app_ref: str, licence_number: str) -> list[str]:
    return [
        reverse("licensing:dashboard"),
        reverse("licensing:application_new"),
        reverse("licensing:regime_preview"),
        reverse("licensing:application_detail", args=[app_ref]),
        reverse("licensing:application_edit", args=[app_ref]),
        reverse("licensing:application_withdraw", args=[app_ref]),
        reverse("licensing:licence_detail", args=[licence_number]),
        reverse("licensing:licence_certificate", args=[licence_number]),
    ]


def test_every_exporter_page_requires_sign_in(client: Client, licence: Any, make_draft: Any) -> None:
    draft = make_draft()
    for url in exporter_pages(draft.reference, licence.number):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("accounts:login")), url


def test_every_exporter_page_answers_the_owner(exporter_client: Client, licence: Any, make_draft: Any) -> None:
    draft = make_draft()
    for url in exporter_pages(draft.reference, licence.number):
        assert exporter_client.get(url).status_code == 200, url


def test_another_organisations_application_is_not_found(
    other_client: Client, make_draft: Any, make_submitted: Any
) -> None:
    draft, submitted = make_draft(), make_submitted()
    for url in [
        reverse("licensing:application_detail", args=[draft.reference]),
        reverse("licensing:application_edit", args=[draft.reference]),
        reverse("licensing:application_withdraw", args=[submitted.reference]),
    ]:
        assert other_client.get(url).status_code == 404, url
    for name in ("application_submit", "application_respond", "application_withdraw", "document_upload"):
        url = reverse(f"licensing:{name}", args=[draft.reference])
        assert other_client.post(url, {"file": pdf_upload(), "document_type": 1}).status_code == 404, url
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_another_organisations_licence_is_not_found(other_client: Client, licence: Any) -> None:
    for name in ("licence_detail", "licence_certificate"):
        assert other_client.get(reverse(f"licensing:{name}", args=[licence.number])).status_code == 404
    response = other_client.post(
        reverse("licensing:licence_shipment_record", args=[licence.number]),
        {"shipped_on": "2026-01-01", "quantity": "1", "consignee_name": "X"},
    )
    assert response.status_code == 404
    assert not licence.shipments.exists()


def test_another_organisations_document_is_not_found(other_client: Client, make_submitted: Any) -> None:
    app = make_submitted()
    document = app.documents.first()
    assert other_client.get(reverse("licensing:document_download", args=[document.pk])).status_code == 404
    assert other_client.post(reverse("licensing:document_remove", args=[document.pk])).status_code == 404
    assert ApplicationDocument.objects.filter(pk=document.pk).exists()


def test_an_official_is_told_the_exporter_pages_are_not_theirs(client: Client, officer: Any) -> None:
    sign_in(client, officer)
    response = client.get(reverse("licensing:dashboard"))
    assert response.status_code == 403
    assert b"administration site" in response.content


def test_a_partner_user_is_refused_the_exporter_pages(client: Client, partner_user: Any) -> None:
    sign_in(client, partner_user)
    response = client.get(reverse("licensing:application_new"))
    assert response.status_code == 403
    assert b"This page is for exporters" in response.content


def test_a_colleague_in_the_same_organisation_sees_the_case(client: Client, colleague: Any, make_draft: Any) -> None:
    draft = make_draft()
    sign_in(client, colleague)
    assert client.get(reverse("licensing:application_detail", args=[draft.reference])).status_code == 200


def test_state_changing_views_refuse_get(exporter_client: Client, make_draft: Any, licence: Any) -> None:
    draft = make_draft()
    for url in [
        reverse("licensing:application_submit", args=[draft.reference]),
        reverse("licensing:application_respond", args=[draft.reference]),
        reverse("licensing:document_upload", args=[draft.reference]),
        reverse("licensing:licence_shipment_record", args=[licence.number]),
    ]:
        assert exporter_client.get(url).status_code == 405, url


def test_forms_are_csrf_protected(exporter: Any, make_draft: Any) -> None:
    draft = make_draft()
    client = Client(enforce_csrf_checks=True)
    sign_in(client, exporter)
    response = client.post(reverse("licensing:application_submit", args=[draft.reference]))
    assert response.status_code == 403
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_an_official_without_the_document_permission_cannot_download(client: Client, make_submitted: Any) -> None:
    document = make_submitted().documents.first()
    official = OfficialFactory()
    official.groups.clear()
    sign_in(client, official)
    assert client.get(reverse("licensing:document_download", args=[document.pk])).status_code == 404
