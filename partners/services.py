"""Partner access: API keys, webhook endpoints, and delivering events to them.

Webhooks never slow the workflow: a service only writes its Event row; after the transaction
commits, a Celery task fans the event out to subscribed endpoints (one WebhookDelivery row per
endpoint) and another sends each delivery over HTTP. If the broker is down, the beat sweep
(``webhooks_sweep``) fans out events past its cursor and re-queues due deliveries.
"""

import http.client
import ipaddress
import json
import logging
import random
import socket
import time
import urllib.error
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import Organisation
from licensing.models import Event
from partners import conf
from partners.models import (
    APIKey,
    Scope,
    WebhookDelivery,
    WebhookDispatchCursor,
    WebhookEndpoint,
    webhook_secret_new,
)
from partners.signing import (
    DELIVERY_HEADER,
    EVENT_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    signature_compute,
)

logger = logging.getLogger(__name__)

USER_AGENT = "Kyoka-Webhooks/1.0"
RESPONSE_KEEP_CHARS = 1000
SENDING_LEASE = timedelta(minutes=5)
SWEEP_REQUEUE_GRACE = timedelta(seconds=30)

# --- API keys -------------------------------------------------------------------------------------


def scopes_validate(scopes: Iterable[str]) -> list[str]:
    wanted = sorted({s.strip() for s in scopes if s and s.strip()})
    unknown = [s for s in wanted if s not in Scope.values]
    if not wanted:
        raise ValidationError({"scopes": "Give at least one scope."})
    if unknown:
        raise ValidationError({"scopes": f"Unknown scope(s): {', '.join(unknown)}. Known: {', '.join(Scope.values)}."})
    return wanted


@transaction.atomic
def api_key_create(
    *,
    organisation: Organisation,
    name: str,
    scopes: Iterable[str],
    expires_at: datetime | None = None,
    created_by: Any = None,
) -> tuple[APIKey, str]:
    """Create a key; returns the row and the key itself, which is not stored and cannot be shown again."""
    name = (name or "").strip()
    if not name or len(name) > 50:
        raise ValidationError({"name": "Give the key a name of 1 to 50 characters."})
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError({"expiry_date": "The expiry must be in the future."})
    api_key, raw = APIKey.objects.create_key(
        organisation=organisation,
        name=name,
        scopes=scopes_validate(scopes),
        expiry_date=expires_at,
        created_by=created_by if getattr(created_by, "pk", None) else None,
    )
    return api_key, raw


@transaction.atomic
def api_key_update(*, api_key: APIKey, name: str, scopes: Iterable[str], expires_at: datetime | None = None) -> APIKey:
    key = APIKey.objects.select_for_update().get(pk=api_key.pk)
    if key.revoked:
        raise ValidationError("A revoked key cannot be changed.")
    name = (name or "").strip()
    if not name or len(name) > 50:
        raise ValidationError({"name": "Give the key a name of 1 to 50 characters."})
    key.name = name
    key.scopes = scopes_validate(scopes)
    key.expiry_date = expires_at
    key.save(update_fields=["name", "scopes", "expiry_date"])
    _forget_cached_key(key)
    return key


def _forget_cached_key(key: APIKey) -> None:
    """The API caches key rows for a minute: drop the entry now and again after commit."""
    from django.core.cache import cache

    from licensing.api.authentication import api_key_cache_key

    cache.delete(api_key_cache_key(key.prefix))
    transaction.on_commit(lambda: cache.delete(api_key_cache_key(key.prefix)))


@transaction.atomic
def api_key_revoke(*, api_key: APIKey) -> APIKey:
    """Revoke at once (and for good: the library refuses to un-revoke)."""
    key = APIKey.objects.select_for_update().get(pk=api_key.pk)
    if not key.revoked:
        key.revoked = True
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked", "revoked_at"])
    _forget_cached_key(key)
    return key


# --- Webhook endpoints ----------------------------------------------------------------------------


def _address_refused(address: str) -> str | None:
    ip = ipaddress.ip_address(address)
    if ip.is_loopback:
        return None if conf.webhook_allow_loopback_http() else "loopback addresses are not allowed"
    if ip.is_private or ip.is_link_local or ip.is_multicast or ip.is_reserved or ip.is_unspecified:
        return f"{address} is not a public address"
    return None


def webhook_url_check(url: str, *, resolve: bool = False) -> None:
    """Refuse URLs a partner must not make Kyoka call: not https, or aimed at internal addresses.

    http:// is accepted only for loopback hosts with KYOKA_WEBHOOK_ALLOW_LOOPBACK_HTTP on (local
    development and tests). With ``resolve`` the host name is looked up and every address checked
    (done again before each delivery).
    """
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.scheme not in ("https", "http") or not host:
        raise ValidationError({"url": "Give an absolute https:// URL."})
    if parts.username or parts.password:
        raise ValidationError({"url": "Credentials in the URL are not accepted; check the signature instead."})
    loopback_name = host in ("localhost",) or host.endswith(".localhost")
    try:
        literal = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    is_loopback = loopback_name or (literal is not None and literal.is_loopback)
    if parts.scheme == "http" and not (is_loopback and conf.webhook_allow_loopback_http()):
        raise ValidationError({"url": "Webhook URLs must use https."})
    if literal is not None and (reason := _address_refused(str(literal))):
        raise ValidationError({"url": f"Not a deliverable address: {reason}."})
    if loopback_name and not conf.webhook_allow_loopback_http():
        raise ValidationError({"url": "Not a deliverable address: loopback hosts are not allowed."})
    if resolve and literal is None:
        try:
            infos = socket.getaddrinfo(host, parts.port or (443 if parts.scheme == "https" else 80))
        except (socket.gaierror, UnicodeError) as exc:
            raise ValidationError({"url": f"The host {host} does not resolve."}) from exc
        for info in infos:
            if reason := _address_refused(str(info[4][0])):
                raise ValidationError({"url": f"Not a deliverable address: {reason}."})


def _event_types_validate(event_types: Iterable[str]) -> list[str]:
    from licensing.api.serializers import EVENT_TYPES

    wanted = sorted(set(event_types))
    unknown = [t for t in wanted if t not in EVENT_TYPES]
    if not wanted or unknown:
        raise ValidationError({"event_types": f"Choose one or more of: {', '.join(EVENT_TYPES)}."})
    return wanted


@transaction.atomic
def webhook_endpoint_create(
    *,
    organisation_id: int,
    url: str,
    event_types: Iterable[str],
    description: str = "",
    api_key: APIKey | None = None,
) -> WebhookEndpoint:
    webhook_url_check(url)
    return WebhookEndpoint.objects.create(
        organisation_id=organisation_id,
        url=url,
        event_types=_event_types_validate(event_types),
        description=description.strip(),
        created_by_key=api_key,
    )


@transaction.atomic
def webhook_endpoint_update(
    *,
    endpoint: WebhookEndpoint,
    url: str | None = None,
    description: str | None = None,
    event_types: Iterable[str] | None = None,
    is_active: bool | None = None,
) -> WebhookEndpoint:
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    if url is not None:
        webhook_url_check(url)
        endpoint.url = url
    if description is not None:
        endpoint.description = description.strip()
    if event_types is not None:
        endpoint.event_types = _event_types_validate(event_types)
    endpoint.save()
    if is_active is True and not endpoint.is_active:
        endpoint = webhook_endpoint_enable(endpoint=endpoint)
    elif is_active is False and endpoint.is_active:
        endpoint = webhook_endpoint_disable(endpoint=endpoint, reason="Disabled by the partner.")
    return endpoint


@transaction.atomic
def webhook_endpoint_enable(*, endpoint: WebhookEndpoint) -> WebhookEndpoint:
    """Re-enable (e.g. after automatic disabling): pending deliveries are sent again."""
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    endpoint.is_active = True
    endpoint.consecutive_failures = 0
    endpoint.disabled_at = None
    endpoint.disabled_reason = ""
    endpoint.save()
    now = timezone.now()
    pending = list(
        WebhookDelivery.objects.filter(endpoint=endpoint, status=WebhookDelivery.Status.PENDING).values_list(
            "pk", flat=True
        )
    )
    WebhookDelivery.objects.filter(pk__in=pending).update(next_attempt_at=now)
    _deliver_on_commit(pending)
    return endpoint


@transaction.atomic
def webhook_endpoint_disable(*, endpoint: WebhookEndpoint, reason: str) -> WebhookEndpoint:
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    endpoint.is_active = False
    endpoint.disabled_at = timezone.now()
    endpoint.disabled_reason = reason[:300]
    endpoint.save()
    return endpoint


@transaction.atomic
def webhook_endpoint_rotate_secret(*, endpoint: WebhookEndpoint) -> WebhookEndpoint:
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    endpoint.secret = webhook_secret_new()
    endpoint.save()
    return endpoint


@transaction.atomic
def webhook_endpoint_delete(*, endpoint: WebhookEndpoint) -> None:
    endpoint.delete()


# --- Fan-out: events -> deliveries ----------------------------------------------------------------


def enqueue_task(task: Any, *args: Any, countdown: float | None = None) -> None:
    # The broker being down must never fail the caller: the beat sweep picks the work up later.
    try:
        if countdown:
            task.apply_async(args, countdown=countdown)
        else:
            task.delay(*args)
    except Exception:
        logger.warning("Broker unavailable: %s%r left for the webhook sweep.", task.name, args)


def _deliver_on_commit(delivery_ids: list[int]) -> None:
    if not delivery_ids:
        return
    from partners.tasks import deliver_webhook

    def send() -> None:
        for pk in delivery_ids:
            enqueue_task(deliver_webhook, pk)

    transaction.on_commit(send)


def _subscribed(organisation_id: int | None, verb: str) -> bool:
    endpoints = WebhookEndpoint.objects.filter(is_active=True)
    if organisation_id is not None:
        endpoints = endpoints.filter(organisation_id=organisation_id)
    return any(verb in (types or ()) for types in endpoints.values_list("event_types", flat=True))


def _kick_fan_out(event_id: int, organisation_id: int | None, verb: str) -> None:
    try:
        if not _subscribed(organisation_id, verb):
            return
        from partners.tasks import fan_out_event

        enqueue_task(fan_out_event, event_id)
    except Exception:  # after commit: never let a webhook problem reach the caller
        logger.exception("Could not queue the webhook fan-out of event %s; the sweep will.", event_id)


def webhooks_enqueue_on_commit(event: Event) -> None:
    """Called by ``event_record`` inside the change's transaction: fan out after it commits."""
    event_id, organisation_id, verb = event.pk, event.organisation_id, event.verb
    transaction.on_commit(lambda: _kick_fan_out(event_id, organisation_id, verb))


def _endpoint_sees(endpoint: WebhookEndpoint, event: Event) -> bool:
    from licensing.selectors.api import PARTNER_EVENT_TYPES

    if event.verb not in PARTNER_EVENT_TYPES:  # officials' internal events never leave Kyoka
        return False
    visible = event.organisation_id is None or event.organisation_id == endpoint.organisation_id
    # An endpoint only receives events from after it was registered (not the whole history).
    return visible and endpoint.wants(event.verb) and event.occurred_at >= endpoint.created_at


@transaction.atomic
def webhook_fan_out(*, events: list[Event]) -> list[int]:
    """Create the deliveries of ``events`` (idempotent) and queue them after commit."""
    if not events:
        return []
    organisations = {e.organisation_id for e in events}
    endpoints = WebhookEndpoint.objects.filter(is_active=True)
    if None not in organisations:
        endpoints = endpoints.filter(organisation_id__in=organisations)
    endpoints_list = list(endpoints)
    rows = [
        WebhookDelivery(endpoint=endpoint, event=event)
        for event in events
        for endpoint in endpoints_list
        if _endpoint_sees(endpoint, event)
    ]
    if not rows:
        return []
    WebhookDelivery.objects.bulk_create(rows, ignore_conflicts=True)
    fresh = list(
        WebhookDelivery.objects.filter(
            event_id__in=[e.pk for e in events], status=WebhookDelivery.Status.PENDING, attempts=0
        ).values_list("pk", flat=True)
    )
    _deliver_on_commit(fresh)
    return fresh


def webhook_fan_out_event(*, event_id: int) -> list[int]:
    event = Event.objects.filter(pk=event_id).first()
    if event is None:  # rolled back, or a stale message: nothing to do
        return []
    return webhook_fan_out(events=[event])


# --- Delivery -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DeliveryOutcome:
    status: str  # skipped | succeeded | retry | failed
    retry_in: float | None = None
    endpoint_disabled: bool = False


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Redirects are not followed (a 3xx is a failed attempt): they could point anywhere."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def webhook_body(event: Event) -> bytes:
    from licensing.api.representations import event_as_dict
    from licensing.api.serializers import EventSerializer

    document = EventSerializer(event_as_dict(event)).data
    return json.dumps(document, cls=DjangoJSONEncoder, separators=(",", ":"), sort_keys=True).encode()


def backoff_seconds(attempts: int) -> float:
    """Delay before the next attempt after ``attempts`` failures: base * 2^(n-1), capped, +0-10 % jitter."""
    delay = min(conf.webhook_backoff_cap(), conf.webhook_backoff_base() * 2 ** max(0, attempts - 1))
    return delay + delay * 0.1 * random.random()  # noqa: S311 -- jitter, not a secret


def _claim(delivery_id: int, now: datetime) -> WebhookDelivery | None:
    """Take the delivery for one attempt (an atomic conditional UPDATE: one sender at a time)."""
    claimed = WebhookDelivery.objects.filter(
        pk=delivery_id,
        status=WebhookDelivery.Status.PENDING,
        next_attempt_at__lte=now,
        endpoint__is_active=True,
    ).update(
        status=WebhookDelivery.Status.SENDING,
        claimed_until=now + SENDING_LEASE,
        attempts=F("attempts") + 1,
        last_attempt_at=now,
    )
    if not claimed:
        return None
    return WebhookDelivery.objects.select_related("endpoint", "event", "event__authority").get(pk=delivery_id)


def _post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int | None, str, str, int]:
    """POST once: (HTTP status or None, start of the response body, error, milliseconds)."""
    start = time.monotonic()

    def elapsed() -> int:
        return int((time.monotonic() - start) * 1000)

    try:
        webhook_url_check(url, resolve=True)
    except ValidationError as exc:
        return None, "", "; ".join(exc.messages), elapsed()
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310 -- checked above
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect())
    try:
        with opener.open(request, timeout=conf.webhook_timeout()) as response:
            text = response.read(RESPONSE_KEEP_CHARS).decode("utf-8", "replace")
            return response.status, text, "", elapsed()
    except urllib.error.HTTPError as exc:
        text = exc.read(RESPONSE_KEEP_CHARS).decode("utf-8", "replace") if exc.fp else ""
        return exc.code, text, f"HTTP {exc.code}", elapsed()
    except (urllib.error.URLError, OSError, http.client.HTTPException, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        return None, "", f"{type(exc).__name__}: {reason}"[:1000], elapsed()


def webhook_deliver(*, delivery_id: int) -> DeliveryOutcome:
    """One attempt: claim, sign, POST (outside any transaction), record the outcome."""
    now = timezone.now()
    delivery = _claim(delivery_id, now)
    if delivery is None:
        return DeliveryOutcome("skipped")
    endpoint, event = delivery.endpoint, delivery.event
    body = webhook_body(event)
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        EVENT_HEADER: event.verb,
        DELIVERY_HEADER: str(delivery.uuid),
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: signature_compute(secret=endpoint.secret, timestamp=timestamp, body=body),
    }
    status_code, text, error, duration_ms = _post(endpoint.url, body, headers)
    return _record(delivery, status_code=status_code, text=text, error=error, duration_ms=duration_ms)


@transaction.atomic
def _record(
    delivery: WebhookDelivery, *, status_code: int | None, text: str, error: str, duration_ms: int
) -> DeliveryOutcome:
    now = timezone.now()
    delivery.response_status = status_code
    delivery.response_body = text[:RESPONSE_KEEP_CHARS]
    delivery.duration_ms = duration_ms
    delivery.claimed_until = None
    endpoint_id = delivery.endpoint_id
    fields = ["status", "response_status", "response_body", "duration_ms", "claimed_until", "error"]
    if status_code is not None and 200 <= status_code < 300:
        delivery.status = WebhookDelivery.Status.SUCCEEDED
        delivery.delivered_at = now
        delivery.error = ""
        delivery.save(update_fields=[*fields, "delivered_at"])
        WebhookEndpoint.objects.filter(pk=endpoint_id, consecutive_failures__gt=0).update(
            consecutive_failures=0, updated_at=now
        )
        return DeliveryOutcome("succeeded")

    delivery.error = error or f"HTTP {status_code}"
    retry_in = None
    if delivery.attempts >= conf.webhook_max_attempts():
        delivery.status = WebhookDelivery.Status.FAILED
    else:
        retry_in = backoff_seconds(delivery.attempts)
        delivery.status = WebhookDelivery.Status.PENDING
        delivery.next_attempt_at = now + timedelta(seconds=retry_in)
    delivery.save(update_fields=[*fields, "next_attempt_at"])
    WebhookEndpoint.objects.filter(pk=endpoint_id).update(
        consecutive_failures=F("consecutive_failures") + 1, updated_at=now
    )
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint_id)
    disabled = False
    if endpoint.is_active and endpoint.consecutive_failures >= conf.webhook_disable_after():
        webhook_endpoint_disable(
            endpoint=endpoint,
            reason=f"Disabled after {endpoint.consecutive_failures} failed attempts in a row "
            f"(last: {delivery.error[:150]}).",
        )
        disabled = True
        retry_in = None
        logger.warning("Webhook endpoint %s disabled after repeated failures.", endpoint_id)
    return DeliveryOutcome("retry" if retry_in else "failed", retry_in=retry_in, endpoint_disabled=disabled)


@transaction.atomic
def webhook_deliveries_retry(*, deliveries: Iterable[WebhookDelivery], now: datetime) -> list[int]:
    """Make failed or waiting deliveries due now (an official's "retry now"), with a fresh attempt budget
    for failed ones."""
    ids = [d.pk for d in deliveries if d.status in (WebhookDelivery.Status.PENDING, WebhookDelivery.Status.FAILED)]
    WebhookDelivery.objects.filter(pk__in=ids, status=WebhookDelivery.Status.FAILED).update(
        status=WebhookDelivery.Status.PENDING, attempts=0
    )
    WebhookDelivery.objects.filter(pk__in=ids).update(next_attempt_at=now)
    _deliver_on_commit(ids)
    return ids


# --- The sweep (beat) -----------------------------------------------------------------------------


@dataclass(frozen=True)
class SweepResult:
    released: int
    events_scanned: int
    deliveries_created: int
    requeued: int


CURSOR_NAME = "events"


def webhooks_sweep(*, batch: int = 1000, now: datetime | None = None) -> SweepResult:
    """Safety net for a lost broker message or a crashed worker. Idempotent; run it every minute."""
    from licensing.selectors.api import settle_cutoff, settled_bound

    now = now or timezone.now()
    # 1. Attempts whose worker died mid-send go back to pending (the attempt stays counted).
    released = WebhookDelivery.objects.filter(status=WebhookDelivery.Status.SENDING, claimed_until__lt=now).update(
        status=WebhookDelivery.Status.PENDING, claimed_until=None, next_attempt_at=now
    )

    # 2. Fan out settled events past the cursor (those whose after-commit kick was lost).
    created: list[int] = []
    scanned = 0
    with transaction.atomic():
        cursor, _ = WebhookDispatchCursor.objects.select_for_update().get_or_create(name=CURSOR_NAME)
        settled = Event.objects.filter(id__gt=cursor.last_event_id, id__lt=settled_bound(settle_cutoff(now)))
        oldest_endpoint = (
            WebhookEndpoint.objects.filter(is_active=True).order_by("created_at").values_list("created_at", flat=True)
        ).first()
        if oldest_endpoint is None:
            last = settled.order_by("-id").values_list("id", flat=True).first()
        else:
            events = list(settled.filter(occurred_at__gte=oldest_endpoint).order_by("id")[:batch])
            scanned = len(events)
            created = webhook_fan_out(events=events)
            last = events[-1].pk if events else None
            if len(events) < batch:
                # Everything settled has been seen (older events predate every endpoint).
                last = settled.order_by("-id").values_list("id", flat=True).first() or last
        if last is not None and last > cursor.last_event_id:
            cursor.last_event_id = last
            cursor.save(update_fields=["last_event_id", "updated_at"])

    # 3. Re-queue deliveries that are due but were not picked up (lost countdown, broker outage).
    due = list(
        WebhookDelivery.objects.filter(
            status=WebhookDelivery.Status.PENDING,
            next_attempt_at__lte=now - SWEEP_REQUEUE_GRACE,
            endpoint__is_active=True,
        )
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:500]
    )
    if due:
        from partners.tasks import deliver_webhook

        for pk in due:
            enqueue_task(deliver_webhook, pk)
    return SweepResult(released=released, events_scanned=scanned, deliveries_created=len(created), requeued=len(due))


def api_key_expiry_from_date(value: date) -> datetime:
    """A key 'expiring on 2027-03-31' works through that day (UTC) and stops at midnight after it."""
    return datetime(value.year, value.month, value.day, tzinfo=UTC) + timedelta(days=1)
