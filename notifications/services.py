"""Storing notifications and sending their emails after commit.

Events about an organisation's cases are fanned out to its members here, in the same transaction
as the event; the email leaves the process only after commit, through Celery.
"""

import logging
from typing import Any

from django.db import IntegrityError, transaction

from licensing.models import Event

from .models import Notification

logger = logging.getLogger(__name__)

# What an exporter organisation's members are told, by event verb.
EXPORTER_MESSAGES = {
    "application.submitted": "Application {reference} was submitted; due {due_date}.",
    "application.review_started": "Application {reference} is under review.",
    "application.information_requested": "The authority has a question on application {reference}.",
    "application.information_provided": "Your answer on {reference} was received; the new due date is {due_date}.",
    "application.approved": "Application {reference} was approved: licence {licence}.",
    "application.rejected": "Application {reference} was rejected.",
    "application.withdrawn": "Application {reference} was withdrawn.",
    "application.lapsed": "Application {reference} lapsed: the question went unanswered.",
    "licence.suspended": "Licence {number} was suspended.",
    "licence.reinstated": "Licence {number} was reinstated.",
    "licence.revoked": "Licence {number} was revoked.",
    "licence.expired": "Licence {number} has expired.",
    "licence.exhausted": "Licence {number} is fully used.",
}


def notification_create(
    *,
    recipient: Any,
    key: str,
    verb: str,
    title: str,
    body: str = "",
    url: str = "",
    event: Event | None = None,
    application_id: int | None = None,
    licence_id: int | None = None,
    email: bool = True,
) -> Notification | None:
    """Store one notification (once per recipient and key) and email it after commit."""
    if Notification.objects.filter(recipient=recipient, key=key).exists():
        return None
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                recipient=recipient,
                key=key,
                verb=verb,
                title=title[:300],
                body=body,
                url=url,
                event=event,
                application_id=application_id,
                licence_id=licence_id,
                email_state=(
                    Notification.EmailState.PENDING
                    if email and recipient.email
                    else Notification.EmailState.NOT_REQUIRED
                ),
            )
    except IntegrityError:  # the same key was stored concurrently: notify once
        return None
    if notification.email_state == Notification.EmailState.PENDING:
        from .tasks import send_notification_email

        transaction.on_commit(lambda: _enqueue(send_notification_email, notification.pk))
    return notification


def _enqueue(task: Any, notification_id: int) -> None:
    # Web requests never wait on the broker: if it is down, the pending row is picked up later
    # by the beat sweep that retries pending emails.
    try:
        task.delay(notification_id)
    except Exception:
        logger.warning("Broker unavailable; notification %s stays pending for the sweep.", notification_id)


def notify_for_event(event: Event) -> None:
    """Fan an organisation's event out to its active members."""
    template = EXPORTER_MESSAGES.get(event.verb)
    if template is None or event.organisation_id is None:
        return
    from accounts.models import User

    payload = {"reference": "", "number": "", "due_date": "", "licence": "", **event.payload}
    title = template.format(**payload)
    is_licence = event.subject_type == "licence"
    url = f"/licences/{payload['number']}/" if is_licence else f"/applications/{payload['reference']}/"
    for user in User.objects.filter(organisation_id=event.organisation_id, is_active=True):
        notification_create(
            recipient=user,
            key=f"event:{event.pk}",
            verb=event.verb,
            title=title,
            body=payload.get("message", "") or payload.get("reason", ""),
            url=url,
            event=event,
            application_id=None if is_licence else int(event.subject_id),
            licence_id=int(event.subject_id) if is_licence else None,
        )
