"""Celery tasks for notification emails: thin wrappers over ``notifications.services``."""

import random
from typing import Any

from celery import shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError
from kombu.exceptions import OperationalError as BrokerError

from licensing.services.locks import sweep_lock

from .services import EmailDeferred, notification_email_send, notification_emails_requeue

# A database or broker blip: try the task again later (the work is recomputed from the rows).
TRANSIENT_ERRORS = (OperationalError, InterfaceError, BrokerError)


def email_retry_countdown(attempts: int) -> int:
    """30 s, 60 s, 120 s ... capped, with jitter so a mail-server outage does not end in a stampede."""
    base = min(30 * 2 ** max(attempts - 1, 0), settings.KYOKA_EMAIL_RETRY_BACKOFF_MAX)
    return int(base * random.uniform(0.8, 1.2))  # noqa: S311 -- jitter, not security


@shared_task(
    bind=True,
    acks_late=True,
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=5,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=None,
    soft_time_limit=60,
    time_limit=90,
)
def send_notification_email(self: Any, notification_id: int) -> str:
    """Send one notification's email; the row keeps its delivery state.

    ``max_retries`` is left open on purpose: the row's attempt counter (KYOKA_EMAIL_MAX_ATTEMPTS)
    decides when a delivery has failed for good, whoever made the attempts.
    """
    try:
        return notification_email_send(notification_id=notification_id)
    except EmailDeferred as exc:
        raise self.retry(exc=exc, countdown=email_retry_countdown(exc.attempts)) from exc


@shared_task(bind=True, acks_late=True, autoretry_for=TRANSIENT_ERRORS, retry_backoff=5, max_retries=3)
def requeue_pending_emails(self: Any) -> dict[str, Any]:
    """Beat: put pending emails older than a minute back on the queue (covers a broker outage)."""
    with sweep_lock("email-requeue") as acquired:
        if not acquired:
            return {"sweep": "email-requeue", "skipped": "running elsewhere"}
        return notification_emails_requeue().as_dict()
