"""The application lifecycle through the services: submission, review, questions, decisions."""

from datetime import date, timedelta

import pytest
import time_machine
from django.utils import timezone

from licensing.errors import ApplicationIncomplete, ChecklistIncomplete, PermissionDenied, TransitionNotAllowed
from licensing.models import Application, ClockStop, Event
from licensing.services import applications as svc
from tests.conftest import upload_mandatory_documents

pytestmark = pytest.mark.django_db


def test_reference_numbers_are_sequential_per_authority_and_year(make_draft):
    first, second = make_draft(), make_draft()
    year = timezone.now().year
    assert first.reference == f"JP-{year}-000001"
    assert second.reference == f"JP-{year}-000002"


def test_submission_is_refused_with_the_list_of_missing_documents(make_draft, exporter):
    app = make_draft()
    with pytest.raises(ChecklistIncomplete) as exc:
        svc.application_submit(application=app, user=exporter)
    assert len(exc.value.missing) == 4  # today's regime for resist to Korea is bulk: 4 documents
    app.refresh_from_db()
    assert app.status == Application.Status.DRAFT
    assert not Event.objects.filter(verb="application.submitted").exists()


def test_submission_is_refused_when_required_fields_are_blank(make_draft, exporter):
    app = make_draft(end_use="")
    upload_mandatory_documents(app, exporter)
    with pytest.raises(ApplicationIncomplete) as exc:
        svc.application_submit(application=app, user=exporter)
    assert "end_use" in exc.value.fields


@time_machine.travel("2020-03-02 01:00:00+00:00", tick=False)
def test_submission_in_2020_freezes_the_individual_regime_and_a_90_day_clock(make_draft, exporter):
    app = make_draft()
    upload_mandatory_documents(app, exporter)
    app = svc.application_submit(application=app, user=exporter)
    assert app.status == Application.Status.SUBMITTED
    assert app.licence_type == "individual"
    assert app.regime_snapshot["processing_days"] == 90
    assert app.regime_snapshot["validity_months"] == 6
    assert app.clock_start_date == date(2020, 3, 2)  # 10:00 in Tokyo
    assert app.due_date == date(2020, 3, 2) + timedelta(days=90)
    assert Event.objects.filter(verb="application.submitted", subject_id=str(app.pk)).count() == 1


@time_machine.travel("2020-03-02 01:00:00+00:00", tick=False)
def test_a_later_rule_change_never_alters_a_filed_case(make_draft, exporter):
    app = make_draft()
    upload_mandatory_documents(app, exporter)
    app = svc.application_submit(application=app, user=exporter)
    rule = app.regime_rule
    rule.processing_days = 30
    rule.save()
    app.refresh_from_db()
    assert app.regime_snapshot["processing_days"] == 90
    assert app.due_date == date(2020, 5, 31)


def test_a_clock_stop_moves_the_due_date_out_by_the_stopped_days(make_draft, exporter, officer):
    with time_machine.travel("2020-03-02 01:00:00+00:00", tick=False):
        app = make_draft()
        upload_mandatory_documents(app, exporter)
        app = svc.application_submit(application=app, user=exporter)
        svc.application_start_review(application=app, official=officer)
    original_due = app.due_date
    with time_machine.travel("2020-03-10 01:00:00+00:00", tick=False):
        svc.application_request_information(application=app, official=officer, message="Which fab?")
    app.refresh_from_db()
    assert app.status == Application.Status.INFORMATION_REQUESTED
    assert app.clock_running is False
    with time_machine.travel("2020-03-24 01:00:00+00:00", tick=False):
        app = svc.application_respond(application=app, user=exporter, response="Fab 2, Hwaseong.")
    assert app.status == Application.Status.UNDER_REVIEW
    assert app.clock_running is True
    assert app.due_date == original_due + timedelta(days=14)
    stop = ClockStop.objects.get(application=app)
    assert (stop.stopped_on, stop.restarted_on) == (date(2020, 3, 10), date(2020, 3, 24))


def test_approval_issues_a_licence_with_the_frozen_type_and_validity(make_licence):
    with time_machine.travel("2020-03-02 01:00:00+00:00", tick=False):
        licence = make_licence()
    assert licence.licence_type == "individual"
    assert licence.valid_from == date(2020, 3, 2)
    assert licence.valid_until == date(2020, 9, 1)  # six months, last day inclusive
    assert licence.number.startswith("JP-I-2020-")
    assert licence.application.status == Application.Status.APPROVED


@pytest.mark.parametrize(
    "action",
    [
        lambda app, u, o, s: svc.application_start_review(application=app, official=o),
        lambda app, u, o, s: svc.application_request_information(application=app, official=o, message="?"),
        lambda app, u, o, s: svc.application_respond(application=app, user=u, response="answer"),
        lambda app, u, o, s: svc.application_approve(application=app, official=s),
        lambda app, u, o, s: svc.application_reject(application=app, official=s, reason="no"),
    ],
    ids=["start_review", "request_information", "respond", "approve", "reject"],
)
def test_illegal_transitions_from_draft_change_nothing(make_draft, exporter, officer, supervisor_user, action):
    app = make_draft()
    before = Event.objects.count()
    with pytest.raises(TransitionNotAllowed):
        action(app, exporter, officer, supervisor_user)
    app.refresh_from_db()
    assert app.status == Application.Status.DRAFT
    assert Event.objects.count() == before


@pytest.mark.parametrize(
    "action",
    [
        lambda app, u, o, s: svc.application_submit(application=app, user=u),
        lambda app, u, o, s: svc.application_start_review(application=app, official=o),
        lambda app, u, o, s: svc.application_request_information(application=app, official=o, message="?"),
        lambda app, u, o, s: svc.application_respond(application=app, user=u, response="answer"),
        lambda app, u, o, s: svc.application_approve(application=app, official=s),
        lambda app, u, o, s: svc.application_reject(application=app, official=s, reason="no"),
        lambda app, u, o, s: svc.application_withdraw(application=app, user=u),
    ],
    ids=["submit", "start_review", "request_information", "respond", "approve", "reject", "withdraw"],
)
def test_nothing_moves_a_decided_case(make_licence, exporter, officer, supervisor_user, action):
    app = make_licence().application
    with pytest.raises(TransitionNotAllowed):
        action(app, exporter, officer, supervisor_user)
    app.refresh_from_db()
    assert app.status == Application.Status.APPROVED


def test_submitted_case_cannot_be_approved_before_review(make_submitted, supervisor_user):
    app = make_submitted()
    with pytest.raises(TransitionNotAllowed, match="submitted"):
        svc.application_approve(application=app, official=supervisor_user)


def test_an_officer_cannot_decide(make_submitted, officer):
    app = make_submitted()
    svc.application_start_review(application=app, official=officer)
    with pytest.raises(PermissionDenied):
        svc.application_approve(application=app, official=officer)


def test_another_organisation_cannot_touch_an_application(make_draft, other_exporter):
    app = make_draft()
    with pytest.raises(PermissionDenied):
        svc.application_withdraw(application=app, user=other_exporter)
    with pytest.raises(PermissionDenied):
        svc.application_submit(application=app, user=other_exporter)


def test_withdrawal_during_an_information_request_closes_the_clock_stop(make_submitted, exporter, officer):
    app = make_submitted()
    svc.application_start_review(application=app, official=officer)
    svc.application_request_information(application=app, official=officer, message="Which fab?")
    app = svc.application_withdraw(application=app, user=exporter, reason="Order cancelled")
    assert app.status == Application.Status.WITHDRAWN
    assert ClockStop.objects.get(application=app).restarted_on is not None


def test_rejection_needs_a_reason(make_submitted, officer, supervisor_user):
    app = make_submitted()
    svc.application_start_review(application=app, official=officer)
    with pytest.raises(ApplicationIncomplete):
        svc.application_reject(application=app, official=supervisor_user, reason="  ")
    app.refresh_from_db()
    assert app.status == Application.Status.UNDER_REVIEW
