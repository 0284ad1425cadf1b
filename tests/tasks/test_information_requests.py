"""Unanswered information requests: a reminder after N days, a lapse to withdrawn after the limit."""

import pytest
from django.core import mail

from licensing.models import Application, Event, InformationRequest
from licensing.services import applications as svc
from tests.factories import ExporterFactory
from tests.tasks.conftest import at, notified, sweep_at, tokyo

pytestmark = pytest.mark.django_db


@pytest.fixture
def waiting(make_submitted, officer) -> Application:
    """Submitted 2 Mar 2026; the officer asks a question on Tue 3 Mar."""
    app = at(tokyo(2026, 3, 2, 10), make_submitted)
    at(tokyo(2026, 3, 2, 14), svc.application_start_review, application=app, official=officer)
    at(
        tokyo(2026, 3, 3, 11),
        svc.application_request_information,
        application=app,
        official=officer,
        message="Which fab?",
    )
    return app


def test_the_exporter_is_reminded_after_14_days_once(waiting, exporter):
    colleague = ExporterFactory(organisation=exporter.organisation, language="ja")
    sweep_at("information-requests", tokyo(2026, 3, 16, 23, 50))  # 13 days
    assert notified("information.reminder") == []
    sweep_at("information-requests", tokyo(2026, 3, 17, 0, 10))  # 14 days
    sweep_at("information-requests", tokyo(2026, 3, 18, 9))
    reminders = notified("information.reminder")
    assert {n.recipient for n in reminders} == {exporter, colleague}
    request = InformationRequest.objects.get(application=waiting)
    assert request.reminded_at is not None
    assert {n.key for n in reminders} == {f"information-reminder:{request.pk}"}
    english = next(n for n in reminders if n.recipient == exporter)
    assert "Which fab?" in english.body and "2026-05-02" in english.body  # lapses 60 days after asking
    assert next(n for n in reminders if n.recipient == colleague).title.startswith("再通知")


def test_the_application_lapses_to_withdrawn_after_the_limit_with_an_email(
    waiting, exporter, eager_celery, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        sweep_at("information-requests", tokyo(2026, 5, 1, 9))  # 59 days
    assert Application.objects.get(pk=waiting.pk).status == Application.Status.INFORMATION_REQUESTED
    with django_capture_on_commit_callbacks(execute=True):
        sweep_at("information-requests", tokyo(2026, 5, 2, 9))  # 60 days
        sweep_at("information-requests", tokyo(2026, 5, 2, 10))
    waiting.refresh_from_db()
    assert waiting.status == Application.Status.WITHDRAWN
    assert waiting.clock_running is False
    lapsed = Event.objects.filter(verb="application.lapsed", subject_id=str(waiting.pk))
    assert lapsed.count() == 1
    assert "2026-03-03" in lapsed.get().payload["reason"] and lapsed.get().actor is None
    (notice,) = notified("application.lapsed")
    assert notice.recipient == exporter and notice.email_state == "sent"
    lapse_mails = [m for m in mail.outbox if m.subject.startswith(f"Application {waiting.reference} lapsed")]
    assert len(lapse_mails) == 1 and lapse_mails[0].to == [exporter.email]


def test_limits_are_configurable(waiting, settings):
    settings.KYOKA_INFORMATION_REMINDER_DAYS = 3
    settings.KYOKA_INFORMATION_LAPSE_DAYS = 10
    sweep_at("information-requests", tokyo(2026, 3, 6, 9))
    assert len(notified("information.reminder")) == 1
    sweep_at("information-requests", tokyo(2026, 3, 13, 9))
    assert Application.objects.get(pk=waiting.pk).status == Application.Status.WITHDRAWN


def test_after_an_outage_a_case_past_both_limits_lapses_without_a_reminder(waiting):
    sweep_at("information-requests", tokyo(2026, 6, 1, 9))
    assert Application.objects.get(pk=waiting.pk).status == Application.Status.WITHDRAWN
    assert notified("information.reminder") == []


def test_an_answered_question_is_neither_reminded_nor_lapsed(waiting, exporter):
    at(tokyo(2026, 3, 10, 9), svc.application_respond, application=waiting, user=exporter, response="Fab 3.")
    sweep_at("information-requests", tokyo(2026, 3, 20, 9))
    sweep_at("information-requests", tokyo(2026, 6, 1, 9))
    assert notified("information.reminder") == []
    assert Application.objects.get(pk=waiting.pk).status == Application.Status.UNDER_REVIEW


def test_a_case_the_exporter_withdrew_is_left_alone(waiting, exporter):
    at(tokyo(2026, 3, 5, 9), svc.application_withdraw, application=waiting, user=exporter, reason="Order cancelled.")
    sweep_at("information-requests", tokyo(2026, 6, 1, 9))
    assert notified("information.reminder") == []
    assert not Event.objects.filter(verb="application.lapsed").exists()
