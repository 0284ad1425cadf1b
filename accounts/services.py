"""Accounts: an organisation admin invites colleagues; an invitee sets a password and joins.

The emailed link carries a random token; only its SHA-256 is stored, so a database read does not
hand out working links. A link works once, until it expires or is revoked.
"""

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import Invitation, Organisation, User
from licensing.errors import DomainError, PermissionDenied

INVITATION_VALID_FOR = timedelta(days=7)


class InvitationInvalid(DomainError):
    code = "invitation_invalid"


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_url(token: str) -> str:
    return settings.SITE_URL + reverse("accounts:invitation_accept", args=[token])


def _require_organisation_admin(user: Any) -> Organisation:
    if not (user and user.is_authenticated and user.is_active and user.organisation_id and user.is_organisation_admin):
        raise PermissionDenied(_("Only an organisation admin can invite colleagues."))
    return user.organisation


@transaction.atomic
def invitation_create(*, invited_by: Any, email: str) -> tuple[Invitation, str]:
    """Invite ``email`` to the inviter's organisation and email the link (after commit).

    Returns the invitation and the raw token (for the email; it is not stored). Inviting the same
    address again replaces the pending invitation, so only the newest link works.
    """
    organisation = _require_organisation_admin(invited_by)
    email = User.objects.normalize_email(email.strip()).lower()
    if User.objects.filter(email__iexact=email).exists():
        raise InvitationInvalid(_("%(email)s already has a Kyoka account.") % {"email": email})
    now = timezone.now()
    Invitation.objects.filter(
        organisation=organisation, email=email, accepted_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=now)
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        organisation=organisation,
        email=email,
        token_hash=_token_hash(token),
        invited_by=invited_by,
        expires_at=now + INVITATION_VALID_FOR,
    )
    context = {
        "organisation": organisation.name,
        "inviter": invited_by.get_full_name() or invited_by.get_username(),
        "url": invitation_url(token),
        "expires_at": invitation.expires_at,
        "days": INVITATION_VALID_FOR.days,
    }
    language = translation.get_language() or settings.LANGUAGE_CODE

    def send() -> None:
        with translation.override(language):
            subject = render_to_string("accounts/emails/invitation_subject.txt", context).strip()
            body = render_to_string("accounts/emails/invitation_body.txt", context)
        send_mail(subject, body, None, [email])

    transaction.on_commit(send)
    return invitation, token


def invitation_for_token(token: str) -> Invitation:
    """The pending, unexpired invitation behind a link, or InvitationInvalid."""
    invitation = Invitation.objects.select_related("organisation").filter(token_hash=_token_hash(token)).first()
    if invitation is None or invitation.revoked_at is not None:
        raise InvitationInvalid(_("This invitation link is not valid. Ask for a new invitation."))
    if invitation.accepted_at is not None:
        raise InvitationInvalid(_("This invitation has already been used. Sign in instead."))
    if invitation.expires_at <= timezone.now():
        raise InvitationInvalid(_("This invitation has expired. Ask for a new invitation."))
    return invitation


@transaction.atomic
def invitation_accept(*, token: str, username: str, password: str, first_name: str = "", last_name: str = "") -> User:
    """Create the invitee's account in the organisation, with the password they chose."""
    invitation = invitation_for_token(token)
    invitation = Invitation.objects.select_for_update().select_related("organisation").get(pk=invitation.pk)
    if not invitation.is_pending:
        raise InvitationInvalid(_("This invitation has already been used. Sign in instead."))
    username = username.strip()
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": _("That username is taken; choose another.")})
    user = User(
        username=username,
        email=invitation.email,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        organisation=invitation.organisation,
        language=translation.get_language() if translation.get_language() in ("en", "ja") else "en",
    )
    validate_password(password, user)
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:
        raise ValidationError({"username": _("That username is taken; choose another.")}) from exc
    invitation.accepted_at = timezone.now()
    invitation.accepted_user = user
    invitation.save(update_fields=["accepted_at", "accepted_user"])
    return user


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, user: Any) -> Invitation:
    organisation = _require_organisation_admin(user)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.organisation_id != organisation.pk:
        raise PermissionDenied(_("That invitation belongs to another organisation."))
    if not invitation.is_pending:
        raise InvitationInvalid(_("That invitation is no longer pending."))
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    return invitation


@transaction.atomic
def user_update_profile(*, user: Any, first_name: str, last_name: str, email: str, language: str) -> User:
    """A person's own name, email and preferred language."""
    if language not in dict(settings.LANGUAGES):
        raise ValidationError({"language": _("Choose one of the offered languages.")})
    email = User.objects.normalize_email(email.strip())
    if email and User.objects.filter(email__iexact=email).exclude(pk=user.pk).exists():
        raise ValidationError({"email": _("Another account uses this email address.")})
    user.first_name = first_name.strip()
    user.last_name = last_name.strip()
    user.email = email
    user.language = language
    user.save(update_fields=["first_name", "last_name", "email", "language"])
    return user
