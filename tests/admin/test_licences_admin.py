"""Licences in the admin: list, detail with the shipment ledger, suspend / reinstate / revoke with a reason."""

from decimal import Decimal

import pytest
from django.urls import reverse

from licensing.models import Event, Licence
from licensing.services.licences import licence_record_shipment, licence_suspend
from tests.admin.conftest import messages_of

pytestmark = pytest.mark.django_db


def _url(licence: Licence, action: str) -> str:
    return reverse("admin:licensing_licence_action", args=[licence.pk, action])


def _buttons(client, licence) -> set[str]:
    page = client.get(reverse("admin:licensing_licence_change", args=[licence.pk]))
    return {a.name for a in page.context["object_actions"]}


def test_the_licence_list_and_detail_show_the_shipment_ledger_read_only(officer_client, make_licence, exporter):
    licence = make_licence(quantity=Decimal("100"))
    licence_record_shipment(
        licence=licence, user=exporter, shipped_on=licence.valid_from, quantity=Decimal("30"), consignee_name="Hanbit"
    )
    listing = officer_client.get(reverse("admin:licensing_licence_changelist")).content.decode()
    assert licence.number in listing and "30 / 100 kg" in listing
    page = officer_client.get(reverse("admin:licensing_licence_change", args=[licence.pk]))
    html = page.content.decode()
    assert "Hanbit" in html and 'name="_save"' not in html
    inline = page.context["inline_admin_formsets"][0]
    assert inline.has_add_permission is False and inline.has_change_permission is False
    assert inline.has_delete_permission is False
    assert "licence.issued" in html and "shipment.recorded" in html


def test_an_officer_suspends_and_reinstates_with_a_reason(officer_client, make_licence, officer):
    licence = make_licence()
    assert _buttons(officer_client, licence) == {"suspend"}
    response = officer_client.post(_url(licence, "suspend"), {"reason": "End-user check pending."})
    licence.refresh_from_db()
    assert (licence.status, licence.status_reason) == ("suspended", "End-user check pending.")
    assert messages_of(response) == [f"Licence {licence.number} suspended."]
    assert _buttons(officer_client, licence) == {"reinstate"}
    officer_client.post(_url(licence, "reinstate"), {"reason": "Check passed."})
    licence.refresh_from_db()
    assert licence.status == "active"
    events = Event.objects.filter(subject_type="licence", subject_id=str(licence.pk), actor=officer)
    assert list(events.values_list("verb", "payload__reason")) == [
        ("licence.suspended", "End-user check pending."),
        ("licence.reinstated", "Check passed."),
    ]


def test_a_suspension_needs_a_reason(officer_client, make_licence):
    licence = make_licence()
    response = officer_client.post(_url(licence, "suspend"), {"reason": " "})
    assert messages_of(response) == ["A reason is required to suspend. Give the reason."]
    licence.refresh_from_db()
    assert licence.status == "active"


def test_an_officer_cannot_revoke(officer_client, make_licence):
    licence = make_licence()
    response = officer_client.post(_url(licence, "revoke"), {"reason": "Diversion."})
    assert messages_of(response) == ["Your role does not allow this action."]
    licence.refresh_from_db()
    assert licence.status == "active"


def test_a_supervisor_revokes_a_suspended_licence(supervisor_client, make_licence, officer, supervisor_user):
    licence = make_licence()
    licence_suspend(licence=licence, official=officer, reason="Pending.")
    assert _buttons(supervisor_client, licence) == {"reinstate", "revoke"}
    supervisor_client.post(_url(licence, "revoke"), {"reason": "Diversion confirmed."})
    licence.refresh_from_db()
    assert licence.status == "revoked"
    event = Event.objects.filter(subject_type="licence", subject_id=str(licence.pk)).latest("id")
    assert (event.verb, event.actor) == ("licence.revoked", supervisor_user)
    assert _buttons(supervisor_client, licence) == set()


def test_reinstating_an_active_licence_is_refused(supervisor_client, make_licence):
    licence = make_licence()
    response = supervisor_client.post(_url(licence, "reinstate"), {"reason": "?"})
    assert messages_of(response) == [f"Licence {licence.number} is active: you cannot reinstate it."]


def test_another_authoritys_official_cannot_touch_the_licence(login, kr_officer, make_licence):
    licence = make_licence()
    client = login(kr_officer)
    assert licence.number not in client.get(reverse("admin:licensing_licence_changelist")).content.decode()
    assert client.post(_url(licence, "suspend"), {"reason": "x"}).status_code == 404


def test_nobody_issues_or_deletes_a_licence_in_the_admin(admin_client, make_licence):
    licence = make_licence()
    assert admin_client.get(reverse("admin:licensing_licence_add")).status_code == 403
    assert (
        admin_client.post(reverse("admin:licensing_licence_delete", args=[licence.pk]), {"post": "yes"}).status_code
        == 403
    )
    assert Licence.objects.filter(pk=licence.pk).exists()
