"""Partner access: API keys with scopes, webhook endpoints and their delivery log.

API keys use djangorestframework-api-key's model (a public prefix plus a SHA-512 hash of the whole
key; the key itself is shown once and never stored). Webhook deliveries are one row per
(endpoint, event): the row is the delivery log and the retry state.
"""

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework_api_key.models import AbstractAPIKey, BaseAPIKeyManager


class Scope(models.TextChoices):
    LICENCES_VERIFY = "licences:verify", _("Verify one licence by its number (validity fields only)")
    LICENCES_READ = "licences:read", _("Read the organisation's licences")
    APPLICATIONS_READ = "applications:read", _("Read the organisation's applications")
    WHITELIST_READ = "whitelist:read", _("Read country groupings over time")
    REGIMES_READ = "regimes:read", _("Determine the licence regime; read controlled items")
    WEBHOOKS_MANAGE = "webhooks:manage", _("Register and manage the organisation's webhook endpoints")


class APIKeyManager(BaseAPIKeyManager):
    def get_usable_keys(self) -> models.QuerySet:
        return super().get_usable_keys().filter(Q(expiry_date__isnull=True) | Q(expiry_date__gt=timezone.now()))


class APIKey(AbstractAPIKey):
    """A partner organisation's key. Only the prefix and a hash are stored."""

    objects = APIKeyManager()

    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="api_keys", verbose_name=_("organisation")
    )
    scopes = models.JSONField(
        _("scopes"), default=list, blank=True, help_text=_("What the key may do, e.g. licences:verify.")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta(AbstractAPIKey.Meta):
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")
        indexes = [models.Index(fields=["organisation", "revoked"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes

    @property
    def is_usable(self) -> bool:
        return not self.revoked and not self.has_expired


def webhook_secret_new() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


class WebhookEndpoint(models.Model):
    """An organisation's HTTPS URL that receives signed event deliveries."""

    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="webhook_endpoints"
    )
    url = models.URLField(_("URL"), max_length=500, help_text=_("https only (http only for loopback in development)."))
    description = models.CharField(_("description"), max_length=200, blank=True)
    event_types = models.JSONField(
        _("event types"), default=list, help_text=_("Event verbs to deliver, e.g. licence.revoked.")
    )
    secret = models.CharField(
        _("signing secret"),
        max_length=100,
        default=webhook_secret_new,
        help_text=_("Key of the HMAC-SHA256 signature; the receiver checks each delivery with it."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    consecutive_failures = models.PositiveIntegerField(_("failed attempts in a row"), default=0)
    disabled_at = models.DateTimeField(_("disabled at"), null=True, blank=True)
    disabled_reason = models.CharField(_("why disabled"), max_length=300, blank=True)
    created_by_key = models.ForeignKey(APIKey, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["organisation", "id"]
        indexes = [models.Index(fields=["organisation", "is_active"])]

    def __str__(self) -> str:
        return f"{self.organisation}: {self.url}"

    def wants(self, verb: str) -> bool:
        return verb in self.event_types


class WebhookDelivery(models.Model):
    """One event sent (or to be sent) to one endpoint: its state, attempts and last outcome."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SUCCEEDED = "succeeded", _("Delivered")
        FAILED = "failed", _("Failed (gave up)")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    event = models.ForeignKey("licensing.Event", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_until = models.DateTimeField(null=True, blank=True, help_text=_("Lease of the worker sending it."))
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.TextField(blank=True, help_text=_("The first 1,000 characters of the last response."))
    error = models.TextField(blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        verbose_name_plural = _("webhook deliveries")
        constraints = [models.UniqueConstraint(fields=["endpoint", "event"], name="one_delivery_per_endpoint_event")]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"]),
            models.Index(fields=["endpoint", "id"]),
        ]

    def __str__(self) -> str:
        return f"{self.event.verb} #{self.event_id} → {self.endpoint.url}: {self.status}"


class WebhookDispatchCursor(models.Model):
    """How far the beat sweep has fanned events out to endpoints (a single row, row-locked)."""

    name = models.CharField(max_length=40, unique=True)
    last_event_id = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.name}: up to event #{self.last_event_id}"
