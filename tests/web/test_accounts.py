"""Signing in and out, lockout after failed attempts, passwords, the account page and invitations."""

import re
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.hashers import identify_hasher
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Invitation, User
from accounts.services import invitation_create
from tests.web.conftest import PASSWORD, sign_in

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Resist-Hwaseong-2026!"


@pytest.fixture
def saved_exporter(exporter: Any) -> Any:
    exporter.save(update_fields=["password"])
    return exporter


def login(client: Client, username: str, password: str, **extra: Any) -> Any:
    return client.post(reverse("accounts:login"), {"username": username, "password": password}, **extra)


def test_signing_in_goes_to_the_dashboard_and_signing_out_back(client: Client, saved_exporter: Any) -> None:
    response = login(client, saved_exporter.username, PASSWORD)
    assert response.status_code == 302 and response["Location"] == reverse("licensing:dashboard")
    assert client.get(reverse("licensing:dashboard")).status_code == 200
    response = client.post(reverse("accounts:logout"))
    assert response["Location"] == reverse("accounts:login")
    assert client.get(reverse("licensing:dashboard")).status_code == 302


def test_signing_in_returns_to_the_page_asked_for(client: Client, saved_exporter: Any) -> None:
    next_url = reverse("licensing:application_new")
    response = client.post(
        reverse("accounts:login") + f"?next={next_url}",
        {"username": saved_exporter.username, "password": PASSWORD, "next": next_url},
    )
    assert response["Location"] == next_url


def test_a_wrong_password_says_so(client: Client, saved_exporter: Any) -> None:
    response = login(client, saved_exporter.username, "wrong")
    assert response.status_code == 200
    assert "didn&#x27;t match" in response.content.decode() or "didn't match" in response.content.decode()


def test_signing_in_switches_to_the_users_language(client: Client, saved_exporter: Any) -> None:
    saved_exporter.language = "ja"
    saved_exporter.save(update_fields=["language"])
    response = login(client, saved_exporter.username, PASSWORD)
    assert response.cookies["django_language"].value == "ja"


def test_five_failed_sign_ins_lock_the_account_with_a_page_that_says_so(
    client: Client, saved_exporter: Any, settings: Any
) -> None:
    assert settings.AXES_FAILURE_LIMIT == 5
    for _ in range(4):
        assert login(client, saved_exporter.username, "wrong").status_code == 200
    response = login(client, saved_exporter.username, "wrong")
    content = response.content.decode()
    assert response.status_code == 429
    assert "Signing in is locked for now" in content
    assert "5 failed attempts" in content
    assert "Try again in 15 minutes." in content
    assert reverse("accounts:password_reset") in content
    # Even the right password is refused while locked.
    assert login(client, saved_exporter.username, PASSWORD).status_code == 429
    assert "_auth_user_id" not in client.session


def test_changing_the_password(client: Client, saved_exporter: Any) -> None:
    sign_in(client, saved_exporter)
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response["Location"] == reverse("accounts:password_change_done")
    saved_exporter.refresh_from_db()
    assert saved_exporter.check_password(NEW_PASSWORD)
    assert client.get(reverse("licensing:dashboard")).status_code == 200  # still signed in


def test_resetting_a_forgotten_password_by_email(client: Client, saved_exporter: Any) -> None:
    response = client.post(reverse("accounts:password_reset"), {"email": saved_exporter.email})
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/]+(/accounts/password/reset/[^\s]+/)", mail.outbox[0].body).group(1)
    response = client.get(link, follow=True)
    assert "Choose a new password" in response.content.decode()
    set_url = response.redirect_chain[-1][0]
    response = client.post(set_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response["Location"] == reverse("accounts:password_reset_complete")
    saved_exporter.refresh_from_db()
    assert saved_exporter.check_password(NEW_PASSWORD)


def test_an_unknown_email_gets_the_same_answer_and_no_mail(client: Client, saved_exporter: Any) -> None:
    response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.com"})
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert mail.outbox == []


def test_the_account_page_saves_name_email_and_language(client: Client, saved_exporter: Any) -> None:
    sign_in(client, saved_exporter)
    response = client.post(
        reverse("accounts:account"),
        {"first_name": "Aiko", "last_name": "Tanaka", "email": "aiko@example.com", "language": "ja"},
    )
    assert response.status_code == 302
    assert response.cookies["django_language"].value == "ja"
    saved_exporter.refresh_from_db()
    assert (saved_exporter.first_name, saved_exporter.email, saved_exporter.language) == (
        "Aiko",
        "aiko@example.com",
        "ja",
    )


# --- Invitations -------------------------------------------------------------------------------


@pytest.fixture
def org_admin(saved_exporter: Any) -> Any:
    saved_exporter.is_organisation_admin = True
    saved_exporter.save(update_fields=["is_organisation_admin"])
    return saved_exporter


def test_an_organisation_admin_invites_a_colleague_who_joins(
    client: Client, org_admin: Any, django_capture_on_commit_callbacks: Any
) -> None:
    sign_in(client, org_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:organisation"), {"email": "Kenta@Example.com"}, follow=True)
    assert "Invitation sent to kenta@example.com." in response.content.decode()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["kenta@example.com"]
    assert org_admin.organisation.name in mail.outbox[0].subject
    path = re.search(r"https?://[^/]+(/accounts/invitations/[^\s]+/)", mail.outbox[0].body).group(1)
    invitation = Invitation.objects.get()
    assert path.split("/")[-2] not in invitation.token_hash  # only the hash is stored

    client.post(reverse("accounts:logout"))
    page = client.get(path).content.decode()
    assert f"Join {org_admin.organisation.name} on Kyoka" in page
    response = client.post(
        path,
        {
            "username": "kenta",
            "first_name": "Kenta",
            "last_name": "Mori",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
    )
    assert response["Location"] == reverse("licensing:dashboard")
    kenta = User.objects.get(username="kenta")
    assert kenta.organisation_id == org_admin.organisation_id
    assert kenta.email == "kenta@example.com" and not kenta.is_organisation_admin
    assert kenta.check_password(NEW_PASSWORD)
    assert identify_hasher(kenta.password).algorithm  # hashed, never stored in clear
    assert client.get(reverse("licensing:dashboard")).status_code == 200
    # The link works once.
    client.post(reverse("accounts:logout"))
    assert client.get(path).status_code == 410


def test_a_weak_password_is_refused_on_joining(client: Client, org_admin: Any) -> None:
    _, token = invitation_create(invited_by=org_admin, email="weak@example.com")
    url = reverse("accounts:invitation_accept", args=[token])
    response = client.post(url, {"username": "weak", "password1": "123", "password2": "123"})
    assert response.status_code == 200
    assert "too short" in response.content.decode()
    assert not User.objects.filter(username="weak").exists()


def test_an_expired_or_revoked_invitation_does_not_work(client: Client, org_admin: Any) -> None:
    invitation, token = invitation_create(invited_by=org_admin, email="late@example.com")
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    response = client.get(reverse("accounts:invitation_accept", args=[token]))
    assert response.status_code == 410 and "expired" in response.content.decode()

    invitation, token = invitation_create(invited_by=org_admin, email="late@example.com")
    sign_in(client, org_admin)
    client.post(reverse("accounts:invitation_revoke", args=[invitation.pk]))
    client.post(reverse("accounts:logout"))
    assert client.get(reverse("accounts:invitation_accept", args=[token])).status_code == 410
    assert client.get(reverse("accounts:invitation_accept", args=["made-up-token"])).status_code == 410


def test_inviting_again_replaces_the_earlier_link(org_admin: Any) -> None:
    _, first = invitation_create(invited_by=org_admin, email="twice@example.com")
    _, second = invitation_create(invited_by=org_admin, email="twice@example.com")
    client = Client()
    assert client.get(reverse("accounts:invitation_accept", args=[first])).status_code == 410
    assert client.get(reverse("accounts:invitation_accept", args=[second])).status_code == 200


def test_only_an_organisation_admin_can_invite(client: Client, saved_exporter: Any) -> None:
    sign_in(client, saved_exporter)
    page = client.get(reverse("accounts:organisation")).content.decode()
    assert "Invite a colleague" not in page
    response = client.post(reverse("accounts:organisation"), {"email": "sneaky@example.com"})
    assert response.status_code == 403
    assert not Invitation.objects.exists()


def test_an_existing_account_cannot_be_invited(client: Client, org_admin: Any, other_exporter: Any) -> None:
    sign_in(client, org_admin)
    content = client.post(reverse("accounts:organisation"), {"email": other_exporter.email}).content.decode()
    assert "already has a Kyoka account" in content
    assert not Invitation.objects.exists()


def test_an_admin_cannot_revoke_another_organisations_invitation(
    client: Client, org_admin: Any, other_exporter: Any
) -> None:
    other_exporter.is_organisation_admin = True
    other_exporter.save()
    invitation, _ = invitation_create(invited_by=other_exporter, email="theirs@example.com")
    sign_in(client, org_admin)
    assert client.post(reverse("accounts:invitation_revoke", args=[invitation.pk])).status_code == 404
    invitation.refresh_from_db()
    assert invitation.is_pending


def test_a_language_chosen_before_signing_in_is_kept(client: Client, saved_exporter: Any) -> None:
    client.post(reverse("set_language"), {"language": "ja", "next": "/"})
    response = login(client, saved_exporter.username, PASSWORD)
    assert "django_language" not in response.cookies  # the switcher's choice stays
    assert "ダッシュボード" in client.get(reverse("licensing:dashboard")).content.decode()
