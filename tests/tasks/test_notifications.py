"""Notifications: stored once, emailed after commit in the recipient's language, retried on
failure with the delivery state on the row, re-queued after a broker outage."""

import socket
import time
from collections.abc import Iterator
from datetime import timedelta
from smtplib import SMTPServerDisconnected
from typing import Any
from unittest import mock

import pytest
from celery.exceptions import Retry
from django.core import mail
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.test import override_settings
from django.urls import path
from django.utils import timezone

from config.celery import app as celery_app
from notifications import services as notification_services
from notifications.models import Notification
from notifications.services import (
    notification_create,
    notification_email_send,
    notification_emails_requeue,
)
from notifications.tasks import email_retry_countdown, send_notification_email
from tests.factories import ExporterFactory, OfficialFactory

pytestmark = pytest.mark.django_db

SEND = "django.core.mail.message.EmailMessage.send"


def _notify(user: Any, key: str = "k1", verb: str = "licence.expired", **context: Any) -> Notification:
    n = notification_create(
        recipient=user,
        key=key,
        verb=verb,
        context={"number": "JP-B-2026-000001", "valid_until": "2029-01-09", **context},
        url="/licences/JP-B-2026-000001/",
    )
    assert n is not None
    return n


def test_a_notification_is_stored_once_per_recipient_and_key(exporter):
    assert _notify(exporter) is not None
    assert notification_create(recipient=exporter, key="k1", verb="licence.expired", context={}) is None
    assert Notification.objects.filter(recipient=exporter).count() == 1


def test_the_email_leaves_only_after_commit(exporter, eager_celery, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        n = _notify(exporter)
        assert mail.outbox == []  # not inside the transaction
    assert len(callbacks) == 1
    assert [m.to for m in mail.outbox] == [[exporter.email]]
    n.refresh_from_db()
    assert n.email_state == Notification.EmailState.SENT and n.email_attempts == 1 and n.email_sent_at


def test_a_rolled_back_notification_sends_nothing(exporter, eager_celery, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        _notify(exporter)
        raise RuntimeError("the change failed")
    assert callbacks == [] and mail.outbox == []
    assert not Notification.objects.exists()


def test_the_email_is_written_in_the_recipients_language(exporter):
    japanese = ExporterFactory(organisation=exporter.organisation, language="ja", first_name="愛子", last_name="田中")
    en, ja = _notify(exporter, key="a"), _notify(japanese, key="b")
    for n in (en, ja):
        assert notification_email_send(notification_id=n.pk) == "sent"
    english_mail, japanese_mail = mail.outbox
    assert english_mail.subject == "Licence JP-B-2026-000001 has expired"
    assert japanese_mail.subject == "許可 JP-B-2026-000001 は有効期限が切れました"
    assert japanese_mail.body.startswith("田中 愛子 様")
    assert "Kyoka で開く: http://127.0.0.1:8000/licences/JP-B-2026-000001/" in japanese_mail.body
    assert japanese_mail.extra_headers["Content-Language"] == "ja"
    html, mimetype = japanese_mail.alternatives[0]
    assert mimetype == "text/html" and '<html lang="ja">' in html
    assert "Hello" in english_mail.body


def test_text_emails_are_not_html_escaped(exporter):
    n = notification_create(
        recipient=exporter,
        key="q",
        verb="application.information_requested",
        context={"reference": "JP-2026-000001", "message": "Is the end user's fab <Fab 3> & 4?"},
    )
    notification_email_send(notification_id=n.pk)
    assert "Is the end user's fab <Fab 3> & 4?" in mail.outbox[0].body
    assert "&lt;Fab 3&gt; &amp; 4" in mail.outbox[0].alternatives[0][0]


def test_a_failed_send_is_recorded_on_the_row_and_the_next_attempt_sends(exporter):
    n = _notify(exporter)
    with (
        mock.patch(SEND, side_effect=SMTPServerDisconnected("mail server went away")),
        pytest.raises(notification_services.EmailDeferred),
    ):
        notification_email_send(notification_id=n.pk)
    n.refresh_from_db()
    assert n.email_state == Notification.EmailState.PENDING
    assert n.email_attempts == 1 and "mail server went away" in n.email_error
    assert n.email_claimed_until is None  # released: the retry may claim it
    assert send_notification_email.apply(args=[n.pk]).get() == "sent"
    n.refresh_from_db()
    assert (n.email_state, n.email_attempts, n.email_error) == (Notification.EmailState.SENT, 2, "")
    assert len(mail.outbox) == 1


def test_the_retry_countdown_backs_off_and_is_capped(settings):
    settings.KYOKA_EMAIL_RETRY_BACKOFF_MAX = 600
    assert 24 <= email_retry_countdown(1) <= 36
    assert 48 <= email_retry_countdown(2) <= 72
    assert email_retry_countdown(20) <= 720


def test_the_task_asks_celery_for_a_delayed_retry(exporter):
    n = _notify(exporter)
    with (
        mock.patch(SEND, side_effect=OSError("connection refused")),
        mock.patch.object(send_notification_email, "retry", side_effect=Retry()) as retry,
    ):
        send_notification_email.apply(args=[n.pk])
    assert 24 <= retry.call_args.kwargs["countdown"] <= 36


def test_a_delivery_that_keeps_failing_ends_failed(exporter, settings):
    settings.KYOKA_EMAIL_MAX_ATTEMPTS = 2
    n = _notify(exporter)
    with mock.patch(SEND, side_effect=OSError("connection refused")):
        # Run eagerly, Celery performs the retries in-line: two attempts, then failed for good.
        assert send_notification_email.apply(args=[n.pk]).get() == "failed"
    n.refresh_from_db()
    assert n.email_state == Notification.EmailState.FAILED and n.email_attempts == 2
    assert send_notification_email.apply(args=[n.pk]).get() == "skipped"


def test_two_deliveries_of_the_same_task_send_one_email(exporter):
    n = _notify(exporter)
    assert notification_email_send(notification_id=n.pk) == "sent"
    assert notification_email_send(notification_id=n.pk) == "skipped"
    assert len(mail.outbox) == 1


def test_a_row_another_worker_is_sending_is_left_alone(exporter):
    n = _notify(exporter)
    Notification.objects.filter(pk=n.pk).update(email_claimed_until=timezone.now() + timedelta(minutes=1))
    assert notification_email_send(notification_id=n.pk) == "in-flight"
    assert mail.outbox == []


def test_a_recipient_without_an_address_needs_no_email(exporter):
    exporter.email = ""
    exporter.save()
    assert _notify(exporter).email_state == Notification.EmailState.NOT_REQUIRED


@pytest.fixture
def published() -> Iterator[list[int]]:
    calls: list[int] = []
    with mock.patch.object(send_notification_email, "delay", side_effect=lambda pk: calls.append(pk)):
        yield calls


def test_the_requeue_sweep_picks_up_pending_emails_older_than_a_minute(exporter, published):
    now = timezone.now()
    stuck, _fresh, sent, retrying = (_notify(exporter, key=k) for k in ("stuck", "fresh", "sent", "retrying"))
    Notification.objects.filter(pk__in=[stuck.pk, sent.pk, retrying.pk]).update(created_at=now - timedelta(minutes=5))
    Notification.objects.filter(pk=sent.pk).update(email_state=Notification.EmailState.SENT)
    Notification.objects.filter(pk=retrying.pk).update(email_last_attempt_at=now - timedelta(minutes=2))
    published.clear()

    assert notification_emails_requeue(now=now).requeued == 1
    assert published == [stuck.pk]
    assert notification_emails_requeue(now=now + timedelta(minutes=1)).requeued == 0  # once per window
    stuck.refresh_from_db()
    assert stuck.email_requeued_at == now


def test_the_requeue_sweep_stops_while_the_broker_is_still_down(exporter):
    n = _notify(exporter)
    Notification.objects.filter(pk=n.pk).update(created_at=timezone.now() - timedelta(minutes=5))
    with mock.patch.object(send_notification_email, "delay", side_effect=ConnectionRefusedError()):
        report = notification_emails_requeue()
    assert report.broker_down and report.requeued == 0
    n.refresh_from_db()
    assert n.email_requeued_at is None  # tried again on the next run


# --- The broker is down: the web still serves ---------------------------------------------------


@pytest.fixture
def broker_at(settings: Any) -> Iterator[Any]:
    """Point the Celery app at another broker URL, with the production Redis transport options."""
    saved = celery_app.conf.broker_url, celery_app.conf.broker_transport_options

    def point(url: str) -> None:
        celery_app.conf.broker_url = url
        celery_app.conf.broker_transport_options = settings.KYOKA_REDIS_TRANSPORT_OPTIONS
        celery_app._pool = None
        celery_app.amqp._producer_pool = None
        notification_services.broker_backoff_reset()

    yield point
    celery_app.conf.broker_url, celery_app.conf.broker_transport_options = saved
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
    notification_services.broker_backoff_reset()


@pytest.fixture
def hanging_redis() -> Iterator[str]:
    """A port that accepts connections and never answers (a Redis that hangs)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(64)
    yield f"redis://127.0.0.1:{server.getsockname()[1]}/15"
    server.close()


@pytest.fixture
def refused_redis() -> str:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    port = server.getsockname()[1]
    server.close()  # nothing listens there any more
    return f"redis://127.0.0.1:{port}/15"


def _submit_view(request: HttpRequest) -> HttpResponse:
    """A request whose work stores notifications (submitting an application notifies its exporters)."""
    from licensing.models import Application
    from licensing.services.applications import application_submit

    app = Application.objects.get(reference=request.GET["reference"])
    application_submit(application=app, user=app.applicant)
    return HttpResponse("submitted")


urlpatterns = [path("submit/", _submit_view)]


@pytest.mark.parametrize("broker", ["refused_redis", "hanging_redis"])
@override_settings(ROOT_URLCONF=__name__)
def test_a_request_succeeds_quickly_while_the_broker_is_down(
    broker, request, broker_at, make_draft, exporter, client, django_capture_on_commit_callbacks
):
    from tests.conftest import upload_mandatory_documents

    ExporterFactory(organisation=exporter.organisation)  # two members: two notifications, two publishes
    drafts = [make_draft() for _ in range(2)]
    for draft in drafts:
        upload_mandatory_documents(draft, exporter)
    broker_at(request.getfixturevalue(broker))
    timings = []
    for draft in drafts:
        started = time.monotonic()
        with django_capture_on_commit_callbacks(execute=True):
            response = client.get(f"/submit/?reference={draft.reference}")
        timings.append(time.monotonic() - started)
        assert response.status_code == 200
    # One bounded wait (connect or read timeout) at most, then the process stops trying for a while.
    assert timings[0] < 6 and timings[1] < 1, timings
    pending = Notification.objects.filter(verb="application.submitted")
    assert pending.count() == 4
    assert set(pending.values_list("email_state", flat=True)) == {Notification.EmailState.PENDING}


def test_officials_see_their_own_notifications_in_the_admin_read_only(client, officer, exporter):
    other = OfficialFactory(username="other-officer")
    mine = _notify(officer, key="mine", verb="deadline.due_soon", **_case())
    theirs = _notify(other, key="theirs", verb="deadline.due_soon", **{**_case(), "reference": "JP-2026-000777"})
    _notify(exporter, key="exporter")
    client.force_login(officer)
    page = client.get("/admin/notifications/notification/")
    assert page.status_code == 200
    content = page.content.decode()
    assert mine.title in content and theirs.title not in content
    assert "Licence JP-B-2026-000001" not in content
    detail = client.get(f"/admin/notifications/notification/{mine.pk}/change/")
    assert detail.status_code == 200 and 'name="_save"' not in detail.content.decode()
    assert client.get(f"/admin/notifications/notification/{theirs.pk}/change/").status_code == 302
    assert client.get("/admin/notifications/notification/add/").status_code == 403
    response = client.post(
        "/admin/notifications/notification/",
        {"action": "mark_read", "_selected_action": [mine.pk, theirs.pk]},
    )
    assert response.status_code == 302
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.read_at is not None and theirs.read_at is None


def _case() -> dict[str, Any]:
    return {
        "reference": "JP-2026-000042",
        "item": "Resist",
        "item_ja": "レジスト",
        "destination": "KR",
        "due_date": "2026-05-07",
        "today": "2026-04-30",
        "days_left": 7,
        "business_days_left": 2,
        "assigned": True,
    }
