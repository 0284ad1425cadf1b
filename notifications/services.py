"""Storing notifications and delivering their emails.

A notification is stored in the transaction that causes it (once per recipient and key), titled
and worded in the recipient's language. Its email leaves the process only after commit, through
Celery; the row keeps the delivery state (pending / sent / failed, attempts, last error). If the
broker is unreachable the row stays pending and the beat sweep ``notification_emails_requeue``
puts it back on the queue later: a web request never waits on the broker.
"""

import logging
import time
from dataclasses import dataclass
from datetime import timedelta
from smtplib import SMTPException
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from licensing.models import Event

from .models import Notification
from .rendering import email_message, render_text

logger = logging.getLogger(__name__)

# Event verbs that the members of the organisation concerned are told about (one template each).
EXPORTER_EVENT_VERBS = frozenset(
    {
        "application.submitted",
        "application.review_started",
        "application.information_requested",
        "application.information_provided",
        "application.approved",
        "application.rejected",
        "application.withdrawn",
        "application.lapsed",
        "application.regime_conversion_offered",
        "application.regime_converted",
        "licence.suspended",
        "licence.reinstated",
        "licence.revoked",
        "licence.expired",
        "licence.exhausted",
    }
)

# SMTPException is an OSError since Python 3.4; both are named for the reader.
TRANSIENT_EMAIL_ERRORS = (SMTPException, OSError)
# How long a worker may hold a row while it sends (longer than the send task's time limit).
EMAIL_CLAIM = timedelta(minutes=3)


def notification_create(
    *,
    recipient: Any,
    key: str,
    verb: str,
    context: dict[str, Any] | None = None,
    title: str = "",
    body: str = "",
    url: str = "",
    event: Event | None = None,
    application_id: int | None = None,
    licence_id: int | None = None,
    email: bool = True,
) -> Notification | None:
    """Store one notification (once per recipient and key) and email it after commit.

    Without a ``title``, title and body come from the verb's template in the recipient's language,
    rendered with ``context``. Returns None when the key was already notified.
    """
    if Notification.objects.filter(recipient=recipient, key=key).exists():
        return None
    if not title:
        title, body = render_text(verb, context or {}, language=getattr(recipient, "language", None))
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
        transaction.on_commit(lambda: email_enqueue(notification.pk))
    return notification


# --- Publishing to the broker without ever making a request wait on it -----------------------

_broker_unavailable_until = 0.0


def email_enqueue(notification_id: int) -> bool:
    """Put the email on the queue; False (and logged) if the broker cannot take it right now.

    After one failed publish this process stops trying for KYOKA_BROKER_RETRY_AFTER_SECONDS, so a
    request that stores many notifications pays the (short, bounded) connect timeout at most once.
    """
    global _broker_unavailable_until
    if time.monotonic() < _broker_unavailable_until:
        return False
    from .tasks import send_notification_email

    try:
        send_notification_email.delay(notification_id)
    except Exception:
        _broker_unavailable_until = time.monotonic() + settings.KYOKA_BROKER_RETRY_AFTER_SECONDS
        logger.warning("Broker unavailable; notification %s stays pending for the resend sweep.", notification_id)
        return False
    return True


def broker_backoff_reset() -> None:
    """Forget an earlier publish failure (tests; and a worker that just saw the broker work)."""
    global _broker_unavailable_until
    _broker_unavailable_until = 0.0


# --- Fan-out of domain events --------------------------------------------------------------


def notify_for_event(event: Event) -> None:
    """Tell the active members of the event's organisation, in each one's language."""
    if event.verb not in EXPORTER_EVENT_VERBS or event.organisation_id is None:
        return
    from accounts.models import User

    is_licence = event.subject_type == "licence"
    payload = event.payload
    url = f"/licences/{payload.get('number', '')}/" if is_licence else f"/applications/{payload.get('reference', '')}/"
    for user in User.objects.filter(organisation_id=event.organisation_id, is_active=True):
        notification_create(
            recipient=user,
            key=f"event:{event.pk}",
            verb=event.verb,
            context={**payload, "verb": event.verb, "occurred_at": event.occurred_at},
            url=url,
            event=event,
            application_id=None if is_licence else int(event.subject_id),
            licence_id=int(event.subject_id) if is_licence else None,
        )


# --- Email delivery ------------------------------------------------------------------------


class EmailDeferred(Exception):
    """A transient failure was recorded on the row; the caller retries later."""

    def __init__(self, message: str, *, attempts: int) -> None:
        super().__init__(message)
        self.attempts = attempts


def notification_email_send(*, notification_id: int) -> str:
    """Send one notification's email and record the outcome on the row.

    Returns "sent", "failed" (permanently), or why nothing was done ("skipped", "in-flight",
    "missing"); raises EmailDeferred after a transient failure with attempts left.

    The row is claimed in a short transaction, the email is sent outside any transaction, and the
    outcome is written in another: no database lock is held while talking to the mail server, and
    two tasks for the same row never send it twice at once.
    """
    now = timezone.now()
    with transaction.atomic():
        n = (
            Notification.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("recipient")
            .filter(pk=notification_id)
            .first()
        )
        if n is None:
            return "missing"
        if n.email_state != Notification.EmailState.PENDING:
            return "skipped"
        if n.email_claimed_until is not None and n.email_claimed_until > now:
            return "in-flight"
        n.email_attempts += 1
        n.email_last_attempt_at = now
        n.email_claimed_until = now + EMAIL_CLAIM
        n.save(update_fields=["email_attempts", "email_last_attempt_at", "email_claimed_until"])
    try:
        email_message(n).send()
    except TRANSIENT_EMAIL_ERRORS as exc:
        final = n.email_attempts >= settings.KYOKA_EMAIL_MAX_ATTEMPTS
        _email_outcome(
            n.pk,
            state=Notification.EmailState.FAILED if final else Notification.EmailState.PENDING,
            error=f"{type(exc).__name__}: {exc}",
        )
        if final:
            logger.error("Email for notification %s failed after %s attempts: %s", n.pk, n.email_attempts, exc)
            return "failed"
        raise EmailDeferred(str(exc), attempts=n.email_attempts) from exc
    except Exception as exc:
        # Not a delivery problem (a template or address error): retrying would fail the same way.
        logger.exception("Email for notification %s cannot be built or sent", n.pk)
        _email_outcome(n.pk, state=Notification.EmailState.FAILED, error=f"{type(exc).__name__}: {exc}")
        return "failed"
    _email_outcome(n.pk, state=Notification.EmailState.SENT, error="", sent_at=timezone.now())
    return "sent"


def _email_outcome(pk: int, *, state: str, error: str, sent_at: Any = None) -> None:
    fields: dict[str, Any] = {"email_state": state, "email_error": error[:2000], "email_claimed_until": None}
    if sent_at is not None:
        fields["email_sent_at"] = sent_at
    Notification.objects.filter(pk=pk).update(**fields)


@dataclass
class RequeueReport:
    requeued: int = 0
    broker_down: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {"sweep": "email-requeue", "requeued": self.requeued, "broker_down": self.broker_down}


def emails_due_for_requeue(*, now: Any) -> Any:
    """Pending emails nobody is working on: never published (broker down), or a worker lost them."""
    settled = now - timedelta(seconds=60)
    stale = now - timedelta(seconds=settings.KYOKA_EMAIL_RESEND_AFTER_SECONDS)
    return (
        Notification.objects.filter(email_state=Notification.EmailState.PENDING, created_at__lte=settled)
        .filter(Q(email_claimed_until__isnull=True) | Q(email_claimed_until__lt=now))
        .filter(Q(email_last_attempt_at__isnull=True) | Q(email_last_attempt_at__lte=stale))
        .filter(Q(email_requeued_at__isnull=True) | Q(email_requeued_at__lte=stale))
    )


def notification_emails_requeue(*, now: Any = None, batch_size: int | None = None) -> RequeueReport:
    """Put pending emails older than a minute back on the queue (the broker-outage safety net)."""
    from .tasks import send_notification_email

    now = now or timezone.now()
    size = batch_size or settings.KYOKA_SWEEP_BATCH_SIZE
    report = RequeueReport()
    last = 0
    while True:
        ids = list(
            emails_due_for_requeue(now=now).filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:size]
        )
        if not ids:
            break
        published = []
        for pk in ids:
            try:
                send_notification_email.delay(pk)
            except Exception:
                logger.warning("Broker still unavailable; %s pending email(s) wait for the next run.", len(ids))
                report.broker_down = True
                break
            published.append(pk)
        if published:
            Notification.objects.filter(pk__in=published).update(email_requeued_at=now)
            report.requeued += len(published)
        if report.broker_down:
            break
        last = ids[-1]
    if not report.broker_down:
        broker_backoff_reset()
    return report


# --- Reading state (for the in-app lists and the admin) --------------------------------------


@transaction.atomic
def notification_mark_read(*, notification: Notification, user: Any) -> Notification:
    """Mark one of the user's own notifications read (another user's: DoesNotExist -> 404)."""
    n = Notification.objects.select_for_update().get(pk=notification.pk, recipient=user)
    if n.read_at is None:
        n.read_at = timezone.now()
        n.save(update_fields=["read_at"])
    return n


def notifications_mark_all_read(*, user: Any, ids: list[int] | None = None) -> int:
    """Mark the user's own unread notifications read (all, or those of ``ids``); returns how many."""
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=timezone.now())
