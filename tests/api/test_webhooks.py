"""Webhooks: endpoint management through the API, signed deliveries to a receiver on loopback,
retries with backoff, giving up, automatic disabling, and the sweep."""

import hashlib
import hmac
import json
import queue
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from config.celery import app as celery_app
from licensing.services import licences as lic_svc
from partners import services
from partners.models import WebhookDelivery, WebhookEndpoint
from partners.signing import signature_verify
from tests.api.conftest import problem


class Receiver:
    """An HTTP server on 127.0.0.1 recording each POST; answers with the queued statuses (then 200)."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.statuses: queue.Queue[int] = queue.Queue()
        self.delay = 0.0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append({"headers": dict(self.headers), "body": body})
                time.sleep(receiver.delay)
                status = receiver.statuses.get_nowait() if not receiver.statuses.empty() else 200
                self.send_response(status)
                if status in (301, 302):
                    self.send_header("Location", "http://127.0.0.1:1/elsewhere")
                self.end_headers()
                self.wfile.write(b"ok" if status < 300 else b"nope")

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks/kyoka"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver(settings):
    settings.KYOKA_WEBHOOK_ALLOW_LOOPBACK_HTTP = True  # tests only: production URLs must be https
    settings.KYOKA_WEBHOOK_TIMEOUT_SECONDS = 2
    r = Receiver()
    yield r
    r.close()


@pytest.fixture
def eager_celery(monkeypatch):
    monkeypatch.setitem(celery_app.conf, "task_always_eager", True)


@pytest.fixture
def endpoint(receiver, exporter):
    return services.webhook_endpoint_create(
        organisation_id=exporter.organisation_id, url=receiver.url, event_types=["licence.suspended"]
    )


def _delivery(endpoint, licence, supervisor_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        lic_svc.licence_suspend(licence=licence, official=supervisor_user, reason="Audit.")
    return WebhookDelivery.objects.get(endpoint=endpoint)


# --- Managing endpoints through the API -----------------------------------------------------------


@pytest.mark.django_db
def test_partner_registers_lists_changes_and_deletes_an_endpoint(exporter_api):
    created = exporter_api.post(
        "/api/v1/webhooks/",
        {"url": "https://erp.example.com/kyoka", "event_types": ["licence.revoked", "licence.issued"]},
        format="json",
    )
    assert created.status_code == 201
    body = created.json()
    assert body["secret"].startswith("whsec_")
    assert body["event_types"] == ["licence.issued", "licence.revoked"]
    url = f"/api/v1/webhooks/{body['id']}/"
    assert "secret" not in exporter_api.get(url).json()
    assert [e["id"] for e in exporter_api.get("/api/v1/webhooks/").json()["results"]] == [body["id"]]
    patched = exporter_api.patch(url, {"description": "ERP", "event_types": ["licence.expired"]}, format="json")
    assert (patched.json()["description"], patched.json()["event_types"]) == ("ERP", ["licence.expired"])
    rotated = exporter_api.post(f"{url}rotate-secret/").json()["secret"]
    assert rotated != body["secret"]
    assert exporter_api.delete(url).status_code == 204
    assert exporter_api.get(url).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "http://erp.example.com/hook",  # not https
        "https://10.0.0.5/hook",  # private network
        "https://169.254.169.254/latest/meta-data",  # cloud metadata
        "https://127.0.0.1/hook",  # loopback (allowed only in development/tests)
        "https://user:pw@erp.example.com/hook",
        "ftp://erp.example.com/hook",
    ],
)
def test_unsafe_webhook_urls_are_refused(settings, exporter_api, url):
    settings.KYOKA_WEBHOOK_ALLOW_LOOPBACK_HTTP = False
    response = exporter_api.post("/api/v1/webhooks/", {"url": url, "event_types": ["licence.revoked"]}, format="json")
    assert response.status_code == 400
    assert problem(response)["errors"][0]["pointer"] == "#/url"


@pytest.mark.django_db
@pytest.mark.parametrize("event_type", ["licence.stolen", "application.recommended", "application.assigned"])
def test_unknown_and_internal_event_types_are_400_with_the_field(exporter_api, event_type):
    response = exporter_api.post(
        "/api/v1/webhooks/", {"url": "https://erp.example.com/h", "event_types": [event_type]}, format="json"
    )
    assert response.status_code == 400
    assert problem(response)["errors"][0]["pointer"] == "#/event_types/0"


@pytest.mark.django_db
def test_an_officials_internal_event_is_never_delivered(exporter, make_submitted):
    from licensing.models import Event

    endpoint = services.webhook_endpoint_create(
        organisation_id=exporter.organisation_id, url="https://erp.example.com/h", event_types=["licence.revoked"]
    )
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(event_types=["application.recommended"])  # stale row
    app = make_submitted()
    internal = Event.objects.create(
        occurred_at=timezone.now(),
        verb="application.recommended",
        subject_type="application",
        subject_id=str(app.pk),
        organisation=exporter.organisation,
        payload={"note": "for the supervisor"},
    )
    assert services.webhook_fan_out(events=[internal]) == []


@pytest.mark.django_db
def test_another_organisations_endpoint_is_404(exporter, other_exporter, make_key, client_for):
    endpoint = services.webhook_endpoint_create(
        organisation_id=exporter.organisation_id, url="https://erp.example.com/h", event_types=["licence.revoked"]
    )
    _, raw = make_key(other_exporter.organisation, scopes=["webhooks:manage"])
    api = client_for(raw)
    assert api.get(f"/api/v1/webhooks/{endpoint.pk}/").status_code == 404
    assert api.delete(f"/api/v1/webhooks/{endpoint.pk}/").status_code == 404
    assert WebhookEndpoint.objects.filter(pk=endpoint.pk).exists()


# --- Delivering -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_licence_event_is_delivered_signed_after_commit(
    receiver, endpoint, eager_celery, make_licence, supervisor_user, django_capture_on_commit_callbacks
):
    licence = make_licence()
    delivery = _delivery(endpoint, licence, supervisor_user, django_capture_on_commit_callbacks)
    assert delivery.status == WebhookDelivery.Status.SUCCEEDED
    assert len(receiver.requests) == 1
    request = receiver.requests[0]
    headers, body = request["headers"], request["body"]
    # The receiver's own check, written out: HMAC-SHA256 over "<timestamp>.<raw body>".
    expected = hmac.new(endpoint.secret.encode(), headers["Kyoka-Timestamp"].encode() + b"." + body, hashlib.sha256)
    assert headers["Kyoka-Signature"] == "v1=" + expected.hexdigest()
    assert abs(int(headers["Kyoka-Timestamp"]) - time.time()) < 60
    assert signature_verify(
        secret=endpoint.secret,
        timestamp_header=headers["Kyoka-Timestamp"],
        signature_header=headers["Kyoka-Signature"],
        body=body,
    )
    assert not signature_verify(
        secret="whsec_wrong",
        timestamp_header=headers["Kyoka-Timestamp"],
        signature_header=headers["Kyoka-Signature"],
        body=body,
    )
    document = json.loads(body)
    assert (document["type"], document["subject"]["id"], document["data"]["status"]) == (
        "licence.suspended",
        licence.number,
        "suspended",
    )
    assert headers["Kyoka-Event"] == "licence.suspended"
    assert headers["Kyoka-Delivery"] == str(delivery.uuid)


@pytest.mark.django_db
def test_only_subscribed_types_of_the_own_organisation_are_delivered(
    receiver, endpoint, eager_celery, make_licence, other_exporter, supervisor_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        make_licence()  # licence.issued etc.: not subscribed
    assert receiver.requests == []
    assert not WebhookDelivery.objects.exists()


@pytest.mark.django_db
def test_a_slow_endpoint_never_slows_the_workflow(
    receiver, endpoint, make_licence, supervisor_user, django_capture_on_commit_callbacks, monkeypatch
):
    receiver.delay = 1.5
    sent = []
    monkeypatch.setattr("partners.tasks.fan_out_event.delay", lambda *a: sent.append(a))
    licence = make_licence()
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        lic_svc.licence_suspend(licence=licence, official=supervisor_user, reason="Audit.")
    assert time.monotonic() - started < 1.0
    assert receiver.requests == []  # nothing is sent inside the request; a worker does it
    assert len(sent) == 1


@pytest.mark.django_db
def test_a_broker_outage_is_caught_up_by_the_sweep(
    settings, receiver, endpoint, make_licence, supervisor_user, django_capture_on_commit_callbacks, monkeypatch
):
    def broker_down(*args):
        raise ConnectionError("broker unreachable")

    monkeypatch.setattr("partners.tasks.fan_out_event.delay", broker_down)
    licence = make_licence()
    with django_capture_on_commit_callbacks(execute=True):
        lic_svc.licence_suspend(licence=licence, official=supervisor_user, reason="Audit.")  # does not raise
    assert not WebhookDelivery.objects.exists()
    settings.KYOKA_CHANGES_SETTLE_SECONDS = 0
    queued = []
    monkeypatch.setattr("partners.tasks.deliver_webhook.delay", lambda pk: queued.append(pk))
    with django_capture_on_commit_callbacks(execute=True):
        result = services.webhooks_sweep()
    delivery = WebhookDelivery.objects.get()
    assert result.deliveries_created == 1
    assert queued == [delivery.pk]
    assert services.webhooks_sweep().deliveries_created == 0  # idempotent


@pytest.mark.django_db
def test_failed_attempts_back_off_exponentially_then_succeed(
    receiver, endpoint, make_licence, supervisor_user, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(
        "partners.tasks.fan_out_event.delay", lambda event_id: services.webhook_fan_out_event(event_id=event_id)
    )
    monkeypatch.setattr("partners.tasks.deliver_webhook.delay", lambda pk: None)
    licence = make_licence()
    delivery = _delivery(endpoint, licence, supervisor_user, django_capture_on_commit_callbacks)
    receiver.statuses.put(500)
    receiver.statuses.put(503)
    first = services.webhook_deliver(delivery_id=delivery.pk)
    assert first.status == "retry"
    assert 30 <= first.retry_in <= 33
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_status) == ("pending", 1, 500)
    assert services.webhook_deliver(delivery_id=delivery.pk).status == "skipped"  # not due yet
    with time_machine.travel(timezone.now() + timedelta(seconds=34)):
        second = services.webhook_deliver(delivery_id=delivery.pk)
    assert second.status == "retry"
    assert 60 <= second.retry_in <= 66
    with time_machine.travel(timezone.now() + timedelta(seconds=120)):
        assert services.webhook_deliver(delivery_id=delivery.pk).status == "succeeded"
    delivery.refresh_from_db()
    endpoint.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("succeeded", 3)
    assert endpoint.consecutive_failures == 0
    assert len(receiver.requests) == 3
    # The same delivery id on every attempt (receivers de-duplicate on it).
    assert {r["headers"]["Kyoka-Delivery"] for r in receiver.requests} == {str(delivery.uuid)}


@pytest.mark.django_db
def test_redirects_are_not_followed(
    receiver, endpoint, make_licence, supervisor_user, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(
        "partners.tasks.fan_out_event.delay", lambda event_id: services.webhook_fan_out_event(event_id=event_id)
    )
    monkeypatch.setattr("partners.tasks.deliver_webhook.delay", lambda pk: None)
    delivery = _delivery(endpoint, make_licence(), supervisor_user, django_capture_on_commit_callbacks)
    receiver.statuses.put(302)
    assert services.webhook_deliver(delivery_id=delivery.pk).status == "retry"
    assert len(receiver.requests) == 1


@pytest.mark.django_db
def test_gives_up_after_the_last_attempt(
    settings, receiver, endpoint, make_licence, supervisor_user, django_capture_on_commit_callbacks, monkeypatch
):
    settings.KYOKA_WEBHOOK_MAX_ATTEMPTS = 2
    monkeypatch.setattr(
        "partners.tasks.fan_out_event.delay", lambda event_id: services.webhook_fan_out_event(event_id=event_id)
    )
    monkeypatch.setattr("partners.tasks.deliver_webhook.delay", lambda pk: None)
    delivery = _delivery(endpoint, make_licence(), supervisor_user, django_capture_on_commit_callbacks)
    receiver.statuses.put(500)
    receiver.statuses.put(500)
    services.webhook_deliver(delivery_id=delivery.pk)
    with time_machine.travel(timezone.now() + timedelta(minutes=5)):
        outcome = services.webhook_deliver(delivery_id=delivery.pk)
    assert (outcome.status, outcome.retry_in) == ("failed", None)
    delivery.refresh_from_db()
    assert delivery.status == "failed"
    assert "HTTP 500" in delivery.error


@pytest.mark.django_db
def test_endpoint_is_disabled_after_repeated_failures_and_re_enabled_by_the_partner(
    settings,
    receiver,
    endpoint,
    exporter,
    make_key,
    client_for,
    make_licence,
    supervisor_user,
    django_capture_on_commit_callbacks,
    monkeypatch,
):
    settings.KYOKA_WEBHOOK_DISABLE_AFTER_FAILURES = 3
    settings.KYOKA_WEBHOOK_BACKOFF_BASE_SECONDS = 1
    monkeypatch.setattr(
        "partners.tasks.fan_out_event.delay", lambda event_id: services.webhook_fan_out_event(event_id=event_id)
    )
    queued = []
    monkeypatch.setattr("partners.tasks.deliver_webhook.delay", lambda pk: queued.append(pk))
    delivery = _delivery(endpoint, make_licence(), supervisor_user, django_capture_on_commit_callbacks)
    for _ in range(3):
        receiver.statuses.put(500)
    outcomes = []
    for step in range(3):
        with time_machine.travel(timezone.now() + timedelta(seconds=10 * step)):
            outcomes.append(services.webhook_deliver(delivery_id=delivery.pk))
    assert outcomes[-1].endpoint_disabled
    endpoint.refresh_from_db()
    assert not endpoint.is_active
    assert "3 failed attempts in a row" in endpoint.disabled_reason
    with time_machine.travel(timezone.now() + timedelta(minutes=5)):
        assert services.webhook_deliver(delivery_id=delivery.pk).status == "skipped"  # disabled: nothing sent
    assert len(receiver.requests) == 3

    _, raw = make_key(exporter.organisation, scopes=["webhooks:manage"])
    api = client_for(raw)
    log = api.get(f"/api/v1/webhooks/{endpoint.pk}/deliveries/").json()["results"]
    assert (log[0]["status"], log[0]["attempts"], log[0]["response_status"]) == ("pending", 3, 500)
    queued.clear()
    with django_capture_on_commit_callbacks(execute=True):
        enabled = api.patch(f"/api/v1/webhooks/{endpoint.pk}/", {"is_active": True}, format="json").json()
    assert (enabled["is_active"], enabled["consecutive_failures"]) == (True, 0)
    assert queued == [delivery.pk]  # pending deliveries go out again
    assert services.webhook_deliver(delivery_id=delivery.pk).status == "succeeded"


@pytest.mark.django_db
def test_the_sweep_releases_attempts_of_a_dead_worker(
    receiver, endpoint, make_licence, supervisor_user, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(
        "partners.tasks.fan_out_event.delay", lambda event_id: services.webhook_fan_out_event(event_id=event_id)
    )
    monkeypatch.setattr("partners.tasks.deliver_webhook.delay", lambda pk: None)
    delivery = _delivery(endpoint, make_licence(), supervisor_user, django_capture_on_commit_callbacks)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status="sending", claimed_until=timezone.now() - timedelta(seconds=1), attempts=1
    )
    assert services.webhooks_sweep().released == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("pending", 1)


def test_http_urls_are_refused_outside_loopback_and_loopback_outside_development(settings):
    settings.KYOKA_WEBHOOK_ALLOW_LOOPBACK_HTTP = False
    for url in ["http://127.0.0.1:8080/h", "https://localhost/h", "http://erp.example.com/h"]:
        with pytest.raises(ValidationError):
            services.webhook_url_check(url)
    services.webhook_url_check("https://erp.example.com/h")
    settings.KYOKA_WEBHOOK_ALLOW_LOOPBACK_HTTP = True
    services.webhook_url_check("http://127.0.0.1:8080/h")
    with pytest.raises(ValidationError):
        services.webhook_url_check("http://erp.example.com/h")
