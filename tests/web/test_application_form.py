"""Starting and editing a draft, and the regime shown as soon as item and destination are chosen."""

from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from licensing.models import Application

pytestmark = pytest.mark.django_db

FILLED = {
    "item": "",  # set per test
    "destination": "KR",
    "consignee_name": "Hanbit Semiconductor Co., Ltd.",
    "consignee_address": "123 Samsung-ro, Hwaseong",
    "consignee_country": "KR",
    "end_user_name": "Hanbit Semiconductor Co., Ltd.",
    "end_user_address": "123 Samsung-ro, Hwaseong",
    "end_user_country": "KR",
    "end_use": "Photolithography for memory chips.",
    "quantity": "120",
    "unit": "kg",
    "value": "18000000",
    "currency": "JPY",
    "shipment_window_start": "2030-01-01",
    "shipment_window_end": "2030-03-31",
}


def test_the_new_application_page_has_every_field_labelled(exporter_client: Client) -> None:
    content = exporter_client.get(reverse("licensing:application_new")).content.decode()
    for name in FILLED:
        assert f'for="id_{name}"' in content, name
    assert "Show regime" in content  # works without JavaScript
    assert 'hx-get="/applications/regime-preview/"' in content
    assert "Choose an item and a destination" in content


def test_the_htmx_preview_returns_only_the_regime_partial(exporter_client: Client, resist: Any) -> None:
    response = exporter_client.get(
        reverse("licensing:regime_preview"), {"item": resist.pk, "destination": "KR"}, HTTP_HX_REQUEST="true"
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in content
    assert "HX-Request" in response["Vary"]
    assert "Bulk" in content and "General bulk" in content
    assert "7 business days" in content
    assert "36 months" in content
    assert "4 documents" in content
    assert "group A" in content
    assert "Rule #" in content


@time_machine.travel("2020-02-03 10:00 +0900", tick=False)
def test_the_preview_shows_the_2020_individual_regime_with_conditional_documents(
    exporter_client: Client, resist: Any
) -> None:
    content = exporter_client.get(
        reverse("licensing:regime_preview"), {"item": resist.pk, "destination": "KR"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "Individual" in content
    assert "90 calendar days" in content
    assert "6 months" in content
    assert "9 documents" in content
    assert content.count("conditional") == 2
    assert "Only when:" in content and "agent files" in content
    assert "group B" in content


@time_machine.travel("2018-06-01 10:00 +0900", tick=False)
def test_no_regime_is_a_clear_message(exporter_client: Client, resist: Any) -> None:
    content = exporter_client.get(
        reverse("licensing:regime_preview"), {"item": resist.pk, "destination": "KR"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "No licence regime covers this" in content
    assert "cannot be submitted" in content


def test_the_preview_without_htmx_is_a_full_page(exporter_client: Client, resist: Any) -> None:
    content = exporter_client.get(
        reverse("licensing:regime_preview"), {"item": resist.pk, "destination": "KR"}
    ).content.decode()
    assert "<html" in content and "7 business days" in content


def test_show_regime_without_javascript_keeps_what_was_typed_and_saves_nothing(
    exporter_client: Client, resist: Any
) -> None:
    data = {**FILLED, "item": resist.pk, "action": "preview"}
    response = exporter_client.post(reverse("licensing:application_new"), data)
    content = response.content.decode()
    assert response.status_code == 200
    assert "7 business days" in content
    assert "Nothing has been saved yet" in content
    assert 'value="Hanbit Semiconductor Co., Ltd."' in content
    assert "Photolithography for memory chips." in content
    assert not Application.objects.exists()


def test_saving_a_draft_with_only_item_and_destination(exporter_client: Client, exporter: Any, resist: Any) -> None:
    response = exporter_client.post(
        reverse("licensing:application_new"), {"item": resist.pk, "destination": "KR", "currency": "JPY"}
    )
    app = Application.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("licensing:application_detail", args=[app.reference]) + "#documents"
    assert app.status == "draft" and app.organisation_id == exporter.organisation_id
    assert app.unit == "kg"  # the item's default unit
    page = exporter_client.get(response["Location"]).content.decode()
    assert f"Draft {app.reference} saved." in page
    assert "Before you can submit:" in page


def test_invalid_input_is_shown_with_what_was_typed(exporter_client: Client, resist: Any) -> None:
    data = {**FILLED, "item": resist.pk, "quantity": "-5", "shipment_window_end": "2029-01-01"}
    response = exporter_client.post(reverse("licensing:application_new"), data)
    content = response.content.decode()
    assert response.status_code == 200
    assert "Please correct the following" in content
    assert "Ensure this value is greater than or equal to 0.001." in content
    assert "The planned shipment window ends before it starts." in content
    assert 'aria-invalid="true"' in content
    assert "Photolithography for memory chips." in content  # nothing typed is lost
    assert not Application.objects.exists()


def test_a_draft_resumes_in_the_edit_form_and_saves_changes(exporter_client: Client, make_draft: Any) -> None:
    draft = make_draft(consignee_name="First consignee")
    url = reverse("licensing:application_edit", args=[draft.reference])
    page = exporter_client.get(url).content.decode()
    assert 'value="First consignee"' in page
    assert "7 business days" in page  # the regime of the saved item + destination, server-rendered
    data = {**FILLED, "item": draft.item_id, "consignee_name": "Second consignee"}
    response = exporter_client.post(url, data)
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.consignee_name == "Second consignee"
    assert str(draft.quantity) == "120.000"


def test_a_submitted_application_can_no_longer_be_edited(exporter_client: Client, make_submitted: Any) -> None:
    app = make_submitted()
    response = exporter_client.get(reverse("licensing:application_edit", args=[app.reference]), follow=True)
    assert "can no longer be edited" in response.content.decode()
    response = exporter_client.post(
        reverse("licensing:application_edit", args=[app.reference]), {**FILLED, "item": app.item_id}
    )
    app.refresh_from_db()
    assert app.consignee_name == "Hanbit Semiconductor Co., Ltd."
