from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    """Something a person should know about, stored (in-app list) and emailed.

    ``key`` makes a notification idempotent: the same key for the same recipient is stored once,
    so a sweep that runs twice notifies once.
    """

    class EmailState(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        NOT_REQUIRED = "not_required", _("Not required")

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    key = models.CharField(max_length=200, help_text=_("Idempotency key, e.g. 'due-soon:JP-2026-000001'."))
    verb = models.CharField(max_length=60)
    title = models.CharField(max_length=300)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=300, blank=True)
    event = models.ForeignKey("licensing.Event", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    application = models.ForeignKey(
        "licensing.Application", on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    licence = models.ForeignKey(
        "licensing.Licence", on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)
    email_state = models.CharField(max_length=16, choices=EmailState.choices, default=EmailState.PENDING)
    email_attempts = models.PositiveSmallIntegerField(default=0)
    email_last_attempt_at = models.DateTimeField(null=True, blank=True)
    # Set while a worker is sending: a second task for the same row skips instead of sending twice.
    # A worker that died mid-send leaves a claim that simply runs out.
    email_claimed_until = models.DateTimeField(null=True, blank=True)
    # When the resend sweep last put the email back on the queue (once per resend window).
    email_requeued_at = models.DateTimeField(null=True, blank=True)
    email_sent_at = models.DateTimeField(null=True, blank=True)
    email_error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "read_at"]),
            models.Index(fields=["email_state", "created_at"]),
        ]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "key"], name="unique_notification_per_recipient_key"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_unread(self) -> bool:
        return self.read_at is None
