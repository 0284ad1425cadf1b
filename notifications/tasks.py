from celery import shared_task
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from .models import Notification


@shared_task(bind=True, acks_late=True, max_retries=5, autoretry_for=(OSError,), retry_backoff=True)
def send_notification_email(self, notification_id: int) -> str:  # type: ignore[no-untyped-def]
    """Send one notification's email; the row keeps its delivery state."""
    with transaction.atomic():
        n = Notification.objects.select_for_update().select_related("recipient").filter(pk=notification_id).first()
        if n is None or n.email_state != Notification.EmailState.PENDING:
            return "skipped"
        n.email_attempts += 1
        try:
            send_mail(n.title, n.body or n.title, None, [n.recipient.email])
        except OSError as exc:
            n.email_error = str(exc)[:2000]
            if self.request.retries >= self.max_retries:
                n.email_state = Notification.EmailState.FAILED
            n.save(update_fields=["email_attempts", "email_error", "email_state"])
            raise
        n.email_state = Notification.EmailState.SENT
        n.email_sent_at = timezone.now()
        n.save(update_fields=["email_attempts", "email_state", "email_sent_at"])
    return "sent"
