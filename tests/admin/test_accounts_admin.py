"""People and organisations in the admin: superusers only, and an exporter can never be made staff."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _user_data(user, **overrides):
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": "on",
        "date_joined_0": "2025-01-01",
        "date_joined_1": "00:00:00",
        "organisation": user.organisation_id or "",
        "authority": user.authority_id or "",
        "language": user.language,
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_an_exporter_account_cannot_be_made_staff(admin_client, exporter):
    url = reverse("admin:accounts_user_change", args=[exporter.pk])
    response = admin_client.post(url, _user_data(exporter, is_staff="on"))
    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors() == [
        "Exporter and partner accounts cannot be staff: the admin is for the authority's officials."
    ]
    exporter.refresh_from_db()
    assert exporter.is_staff is False


def test_a_person_is_an_official_or_a_member_not_both(admin_client, exporter, jp):
    url = reverse("admin:accounts_user_change", args=[exporter.pk])
    response = admin_client.post(url, _user_data(exporter, authority=jp.pk))
    assert response.status_code == 200
    exporter.refresh_from_db()
    assert exporter.authority_id is None


def test_officials_do_not_manage_accounts(officer_client, supervisor_client, admin_client):
    for client in (officer_client, supervisor_client):
        assert client.get(reverse("admin:accounts_user_changelist")).status_code == 403
        assert client.get(reverse("admin:accounts_organisation_changelist")).status_code == 403
    listing = admin_client.get(reverse("admin:accounts_user_changelist"))
    assert listing.status_code == 200
