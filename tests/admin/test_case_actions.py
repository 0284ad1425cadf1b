"""Working a case from its admin page: each action's allowed and refused paths, by state and by role."""

import pytest
from django.urls import reverse

from licensing.models import Application, Event, InformationRequest, Licence
from licensing.services import applications as svc
from tests.admin.conftest import action_url, change_url, messages_of

pytestmark = pytest.mark.django_db


def _buttons(client, app) -> set[str]:
    return {a.name for a in client.get(change_url(app)).context["object_actions"]}


def _last_event(app: Application) -> Event:
    return Event.objects.filter(subject_type="application", subject_id=str(app.pk)).latest("id")


# --- The page ---------------------------------------------------------------------------------


def test_the_case_page_shows_the_frozen_regime_the_clock_documents_events_and_field_history(
    officer_client, under_review
):
    html = officer_client.get(change_url(under_review)).content.decode()
    snapshot = under_review.regime_snapshot
    assert snapshot["explanation"] in html.replace("&#x27;", "'")
    assert f"{snapshot['processing_days']} business days" in html
    assert f"<strong>{under_review.due_date:%Y-%m-%d}</strong>" in html
    for doc in under_review.documents.all():
        assert reverse("licensing:document_download", args=[doc.pk]) in html
        assert doc.original_name in html
    assert "application.submitted" in html and "application.review_started" in html
    assert "Field-level history" in html
    assert "Submitted → Under review" in html  # the status change, from django-simple-history


def test_the_clock_panel_lists_stops_with_their_days(officer_client, under_review, officer, exporter):
    svc.application_request_information(application=under_review, official=officer, message="Which fab?")
    page = officer_client.get(change_url(under_review))
    clock = page.context["clock"]
    assert clock.running is False
    assert len(clock.stops) == 1 and clock.stops[0].open
    assert "still stopped" in page.content.decode()
    svc.application_respond(application=under_review, user=exporter, response="Fab 2, Hwaseong.")
    clock = officer_client.get(change_url(under_review)).context["clock"]
    assert clock.running and not clock.stops[0].open and clock.stops[0].days == 0
    assert clock.days_used == 0  # submitted, asked and answered today


# --- Which buttons show ---------------------------------------------------------------------------


def test_an_officer_sees_review_buttons_but_never_the_decision_buttons(officer_client, make_submitted, under_review):
    assert _buttons(officer_client, make_submitted()) == {"assign_to_me", "start_review"}
    # start_review assigned it to them; an officer recommends, a supervisor decides
    assert _buttons(officer_client, under_review) == {
        "request_information",
        "recommend_approval",
        "recommend_rejection",
    }


def test_a_supervisor_sees_the_decision_buttons_once_the_review_started(
    supervisor_client, make_submitted, under_review
):
    assert _buttons(supervisor_client, make_submitted()) == {"assign_to_me", "start_review"}
    assert _buttons(supervisor_client, under_review) == {"assign_to_me", "request_information", "approve", "reject"}


def test_a_decided_case_has_no_buttons(supervisor_client, under_review, supervisor_user):
    svc.application_reject(application=under_review, official=supervisor_user, reason="End use unclear.")
    assert _buttons(supervisor_client, under_review) == set()


def test_a_superuser_without_an_authority_sees_the_case_but_no_buttons(admin_client, under_review):
    assert _buttons(admin_client, under_review) == set()


# --- Assign, start review, request information -------------------------------------------------


def test_assign_to_me(officer_client, make_submitted, officer):
    app = make_submitted()
    response = officer_client.post(action_url(app, "assign_to_me"))
    assert response.status_code == 302 and response["Location"] == change_url(app)
    app.refresh_from_db()
    assert app.assigned_to == officer
    event = _last_event(app)
    assert (event.verb, event.actor, event.payload["assignee"]) == ("application.assigned", officer, officer.username)
    assert messages_of(response) == [f"{app.reference} is assigned to you."]


def test_start_review(officer_client, make_submitted, officer):
    app = make_submitted()
    response = officer_client.post(action_url(app, "start_review"))
    app.refresh_from_db()
    assert app.status == "under_review" and app.assigned_to == officer
    assert (_last_event(app).verb, _last_event(app).actor) == ("application.review_started", officer)
    assert messages_of(response) == [f"Review of {app.reference} started."]


def test_start_review_twice_is_refused_with_the_state_in_the_message(officer_client, under_review):
    response = officer_client.post(action_url(under_review, "start_review"))
    assert response.status_code == 302
    assert messages_of(response) == [
        f"Application {under_review.reference} is under review: you cannot start the review of it now."
    ]


def test_request_information_needs_a_question(officer_client, under_review):
    response = officer_client.post(action_url(under_review, "request_information"), {"message": "   "})
    assert messages_of(response) == ["A question is required. Write the question for the exporter."]
    under_review.refresh_from_db()
    assert under_review.status == "under_review" and under_review.clock_running


def test_request_information_stops_the_clock(officer_client, under_review, officer):
    response = officer_client.post(
        action_url(under_review, "request_information"), {"message": "Which fab uses the resist?"}
    )
    under_review.refresh_from_db()
    assert under_review.status == "information_requested" and not under_review.clock_running
    assert InformationRequest.objects.get(application=under_review).message == "Which fab uses the resist?"
    event = _last_event(under_review)
    assert (event.verb, event.actor) == ("application.information_requested", officer)
    assert "the clock is stopped" in messages_of(response)[0]


def test_an_officer_recommends_approval_with_reasoning_and_the_state_does_not_change(
    officer_client, under_review, officer
):
    response = officer_client.post(
        action_url(under_review, "recommend_approval"), {"note": "End user verified; fab visit report on file."}
    )
    assert messages_of(response) == [f"Approval of {under_review.reference} recommended."]
    under_review.refresh_from_db()
    assert under_review.status == "under_review"
    event = _last_event(under_review)
    assert (event.verb, event.actor, event.payload["recommendation"]) == ("application.recommended", officer, "approve")


def test_a_recommendation_needs_reasoning(officer_client, under_review):
    response = officer_client.post(action_url(under_review, "recommend_rejection"), {"note": " "})
    assert messages_of(response) == ["A recommendation needs its reasoning. Explain the recommendation."]
    assert not Event.objects.filter(verb="application.recommended").exists()


def test_a_recommendation_is_refused_outside_the_review(officer_client, make_submitted):
    app = make_submitted()
    response = officer_client.post(action_url(app, "recommend_approval"), {"note": "Looks fine."})
    assert "a recommendation can only be made during the review" in messages_of(response)[0]


# --- Approve and reject ---------------------------------------------------------------------------


def test_an_officer_cannot_approve(officer_client, under_review):
    response = officer_client.post(action_url(under_review, "approve"), {"conditions": ""})
    assert messages_of(response) == ["Your role does not allow this action."]
    under_review.refresh_from_db()
    assert under_review.status == "under_review"
    assert not Licence.objects.exists()


def test_an_officer_cannot_reject(officer_client, under_review):
    response = officer_client.post(action_url(under_review, "reject"), {"reason": "No."})
    assert messages_of(response) == ["Your role does not allow this action."]
    under_review.refresh_from_db()
    assert under_review.status == "under_review"


def test_a_supervisor_approves_with_conditions_and_the_licence_is_issued(
    supervisor_client, under_review, supervisor_user
):
    response = supervisor_client.post(action_url(under_review, "approve"), {"conditions": "No re-export."})
    under_review.refresh_from_db()
    licence = Licence.objects.get(application=under_review)
    assert under_review.status == "approved" and under_review.decided_by == supervisor_user
    assert licence.conditions == "No re-export." and licence.licence_type == under_review.licence_type
    valid_until = f"{licence.valid_until:%Y-%m-%d}"
    assert messages_of(response) == [
        f"{under_review.reference} approved: licence {licence.number} issued, valid until {valid_until}."
    ]
    verbs = list(Event.objects.filter(actor=supervisor_user).values_list("verb", flat=True))
    assert verbs == ["application.approved", "licence.issued"]


def test_approving_before_the_review_started_is_refused(supervisor_client, make_submitted):
    app = make_submitted()
    response = supervisor_client.post(action_url(app, "approve"))
    assert messages_of(response) == [f"Application {app.reference} is submitted: you cannot approve it now."]
    assert not Licence.objects.exists()


def test_a_rejection_needs_a_reason(supervisor_client, under_review):
    response = supervisor_client.post(action_url(under_review, "reject"), {"reason": ""})
    assert messages_of(response) == ["A reason is required to reject. Give the reason."]
    under_review.refresh_from_db()
    assert under_review.status == "under_review"


def test_a_supervisor_rejects_with_a_reason(supervisor_client, under_review, supervisor_user):
    response = supervisor_client.post(action_url(under_review, "reject"), {"reason": "End use not credible."})
    under_review.refresh_from_db()
    assert (under_review.status, under_review.decision_reason) == ("rejected", "End use not credible.")
    event = _last_event(under_review)
    assert (event.verb, event.actor, event.payload["reason"]) == (
        "application.rejected",
        supervisor_user,
        "End use not credible.",
    )
    assert messages_of(response) == [f"{under_review.reference} rejected."]


def test_a_second_decision_from_a_stale_page_gets_a_clear_message(
    login, supervisor_client, second_supervisor, under_review
):
    # Both supervisors opened the case while it was under review; the first approves.
    other = login(second_supervisor)
    assert "reject" in _buttons(other, under_review)
    supervisor_client.post(action_url(under_review, "approve"))
    response = other.post(action_url(under_review, "reject"), {"reason": "Too late."})
    assert response.status_code == 302
    assert messages_of(response) == [f"Application {under_review.reference} is approved: you cannot reject it now."]
    under_review.refresh_from_db()
    assert under_review.status == "approved"
    assert Licence.objects.filter(application=under_review).count() == 1


# --- The action view itself -------------------------------------------------------------------------


def test_the_action_view_accepts_only_post(supervisor_client, under_review):
    assert supervisor_client.get(action_url(under_review, "approve")).status_code == 405
    under_review.refresh_from_db()
    assert under_review.status == "under_review"


def test_an_unknown_action_is_a_404(supervisor_client, under_review):
    assert supervisor_client.post(action_url(under_review, "delete_everything")).status_code == 404


def test_the_action_view_checks_the_csrf_token(supervisor_user, under_review):
    from django.test import Client

    supervisor_user.save()
    client = Client(enforce_csrf_checks=True)
    client.force_login(supervisor_user)
    assert client.post(action_url(under_review, "approve")).status_code == 403
    under_review.refresh_from_db()
    assert under_review.status == "under_review"


def test_the_buttons_are_csrf_protected_forms(supervisor_client, under_review):
    html = supervisor_client.get(change_url(under_review)).content.decode()
    assert f'action="{action_url(under_review, "approve")}"' in html
    assert html.count('name="csrfmiddlewaretoken"') >= 5  # the change form + one per button


# --- Bulk actions ---------------------------------------------------------------------------------


def test_bulk_assign_to_me_reports_each_case(officer_client, make_submitted, officer, supervisor_user):
    open_case = make_submitted()
    decided = make_submitted()
    svc.application_start_review(application=decided, official=officer)
    svc.application_reject(application=decided, official=supervisor_user, reason="No.")
    response = officer_client.post(
        reverse("admin:licensing_application_changelist"),
        {"action": "assign_to_me", "_selected_action": [open_case.pk, decided.pk]},
    )
    assert response.status_code == 302
    open_case.refresh_from_db()
    assert open_case.assigned_to == officer
    assert messages_of(response) == [
        f"Assigned to you: {open_case.reference}.",
        f"{decided.reference}: Application {decided.reference} is rejected: it cannot be assigned.",
    ]


def test_bulk_start_review(officer_client, make_submitted, officer):
    apps = [make_submitted(), make_submitted()]
    officer_client.post(
        reverse("admin:licensing_application_changelist"),
        {"action": "start_review", "_selected_action": [a.pk for a in apps]},
    )
    for app in apps:
        app.refresh_from_db()
        assert app.status == "under_review"
        assert _last_event(app).actor == officer


def test_there_is_no_bulk_approval_or_deletion(supervisor_client):
    response = supervisor_client.get(reverse("admin:licensing_application_changelist"))
    actions = {name for name, _ in response.context["action_form"].fields["action"].choices if name}
    assert actions == {"assign_to_me", "start_review"}


def test_the_case_page_costs_the_same_number_of_queries_however_long_the_history(
    officer_client, under_review, officer, exporter
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    svc.application_request_information(application=under_review, official=officer, message="Q0")
    svc.application_respond(application=under_review, user=exporter, response="A0")
    with CaptureQueriesContext(connection) as short:
        officer_client.get(change_url(under_review))
    for i in range(1, 4):
        svc.application_request_information(application=under_review, official=officer, message=f"Q{i}")
        svc.application_respond(application=under_review, user=exporter, response=f"A{i}")
    with CaptureQueriesContext(connection) as long:
        page = officer_client.get(change_url(under_review))
    assert len(page.context["clock"].stops) == 4 and len(page.context["information_requests"]) == 4
    assert len(long.captured_queries) == len(short.captured_queries)
