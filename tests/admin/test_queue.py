"""The officials' queue: urgency order, filters, search, the days-left column, a fixed query count."""

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from licensing.models import Application
from licensing.services import applications as svc
from tests.factories import ExporterFactory

pytestmark = pytest.mark.django_db

QUEUE = reverse("admin:licensing_application_changelist")


def _references(response) -> list[str]:
    return [obj.reference for obj in response.context["cl"].result_list]


def _file_many(make_submitted, count: int) -> list[Application]:
    # Different exporters and assignees, so a per-row lookup would show up in the count.
    return [make_submitted(user=ExporterFactory(), consignee_name=f"Consignee {i}") for i in range(count)]


def test_the_queue_costs_the_same_number_of_queries_for_5_and_50_rows(
    officer_client, make_submitted, officer, django_assert_num_queries
):
    first = _file_many(make_submitted, 5)
    svc.application_start_review(application=first[0], official=officer)
    svc.application_request_information(application=first[0], official=officer, message="Which fab?")
    with CaptureQueriesContext(connection) as five:
        response = officer_client.get(QUEUE)
    assert len(response.context["cl"].result_list) == 5
    _file_many(make_submitted, 45)
    with django_assert_num_queries(len(five.captured_queries)):
        response = officer_client.get(QUEUE)
    assert len(response.context["cl"].result_list) == 50
    # And with every filter the queue offers applied, still fixed.
    filtered = f"{QUEUE}?deadline=14&assignee=none&destination=KR&q=Consignee"
    with CaptureQueriesContext(connection) as with_filters:
        response = officer_client.get(filtered)
    assert len(response.context["cl"].result_list) == 49
    assert len(with_filters.captured_queries) == len(five.captured_queries)
    assert len(five.captured_queries) <= 12, [q["sql"][:80] for q in five.captured_queries]


def test_running_clocks_come_first_by_due_date_then_stopped_then_decided(
    officer_client, make_submitted, officer, supervisor_user
):
    with time_machine.travel("2025-06-02 01:00:00+00:00", tick=False):
        early = make_submitted()
    with time_machine.travel("2025-06-09 01:00:00+00:00", tick=False):
        later = make_submitted()
        stopped = make_submitted()
        decided = make_submitted()
        svc.application_start_review(application=stopped, official=officer)
        svc.application_request_information(application=stopped, official=officer, message="Purity?")
        svc.application_start_review(application=decided, official=officer)
        svc.application_approve(application=decided, official=supervisor_user)
    with time_machine.travel("2025-06-10 01:00:00+00:00", tick=False):
        newest = make_submitted()
        assert _references(officer_client.get(QUEUE)) == [
            early.reference,
            later.reference,
            newest.reference,
            stopped.reference,
            decided.reference,
        ]


def test_drafts_are_not_in_the_queue(officer_client, make_draft, make_submitted):
    draft, filed = make_draft(), make_submitted()
    refs = _references(officer_client.get(QUEUE))
    assert filed.reference in refs and draft.reference not in refs


def test_the_deadline_filters_pick_overdue_and_due_soon_cases(officer_client, make_submitted, officer):
    with time_machine.travel("2025-06-02 01:00:00+00:00", tick=False):
        overdue = make_submitted()  # bulk regime: 7 business days → due 2025-06-11
    with time_machine.travel("2025-06-06 01:00:00+00:00", tick=False):
        soon = make_submitted()  # due 2025-06-17
    with time_machine.travel("2025-06-13 01:00:00+00:00", tick=False):
        later = make_submitted()  # due 2025-06-24
        stopped = make_submitted()
        svc.application_start_review(application=stopped, official=officer)
        svc.application_request_information(application=stopped, official=officer, message="Purity?")
    assert (overdue.due_date.isoformat(), soon.due_date.isoformat(), later.due_date.isoformat()) == (
        "2025-06-11",
        "2025-06-17",
        "2025-06-24",
    )
    with time_machine.travel("2025-06-15 03:00:00+00:00", tick=False):
        assert _references(officer_client.get(QUEUE + "?deadline=overdue")) == [overdue.reference]
        assert _references(officer_client.get(QUEUE + "?deadline=2")) == [soon.reference]
        assert _references(officer_client.get(QUEUE + "?deadline=7")) == [soon.reference]
        assert _references(officer_client.get(QUEUE + "?deadline=14")) == [soon.reference, later.reference]
        assert _references(officer_client.get(QUEUE + "?deadline=stopped")) == [stopped.reference]


def test_the_days_left_column_is_coloured_by_urgency(officer_client, make_submitted, officer):
    with time_machine.travel("2025-06-02 01:00:00+00:00", tick=False):
        overdue = make_submitted()
    with time_machine.travel("2025-06-13 01:00:00+00:00", tick=False):
        paused = make_submitted()
        svc.application_start_review(application=paused, official=officer)
        svc.application_request_information(application=paused, official=officer, message="Purity?")
    with time_machine.travel("2025-06-15 03:00:00+00:00", tick=False):
        html = officer_client.get(QUEUE).content.decode()
    assert '<span class="kyoka-days kyoka-days--overdue">4 days overdue</span>' in html
    assert 'kyoka-days kyoka-days--paused" title="Clock stopped on 2025-06-13">stopped · 11 left</span>' in html
    assert paused.reference in html and overdue.reference in html


@pytest.mark.parametrize("query", ["Hanbit", "Tokyo Resist", "JP-", "End User Ltd"])
def test_search_finds_cases_by_reference_exporter_consignee_or_end_user(officer_client, make_submitted, query):
    app = make_submitted(end_user_name="Special End User Ltd")
    other = make_submitted(
        user=ExporterFactory(organisation__name="Kyushu Gas"), consignee_name="Busan Fab", end_user_name="Busan Fab"
    )
    refs = _references(officer_client.get(QUEUE, {"q": query}))
    assert app.reference in refs
    if query != "JP-":
        assert other.reference not in refs


def test_the_assignee_filter_shows_my_cases_and_unassigned_ones(officer_client, make_submitted, officer):
    mine, nobody = make_submitted(), make_submitted()
    svc.application_assign(application=mine, official=officer, assignee=officer)
    assert _references(officer_client.get(QUEUE + "?assignee=me")) == [mine.reference]
    assert _references(officer_client.get(QUEUE + "?assignee=none")) == [nobody.reference]
    assert _references(officer_client.get(QUEUE + f"?assignee={officer.pk}")) == [mine.reference]


def test_filters_by_status_regime_item_and_destination(officer_client, make_submitted, officer, hydrogen_fluoride):
    resist_case = make_submitted()
    hf_case = make_submitted(item=hydrogen_fluoride)
    svc.application_start_review(application=hf_case, official=officer)
    assert _references(officer_client.get(QUEUE + "?status=under_review")) == [hf_case.reference]
    assert _references(officer_client.get(QUEUE + f"?item__id__exact={hydrogen_fluoride.pk}")) == [hf_case.reference]
    assert set(_references(officer_client.get(QUEUE + "?licence_type__exact=bulk"))) == {
        resist_case.reference,
        hf_case.reference,
    }
    assert _references(officer_client.get(QUEUE + "?licence_type__exact=individual")) == []
    assert set(_references(officer_client.get(QUEUE + "?destination=KR"))) == {resist_case.reference, hf_case.reference}
    assert _references(officer_client.get(QUEUE + "?destination=US")) == []


def test_a_due_date_is_counted_in_the_authoritys_time_zone(officer_client, make_submitted):
    # 16:00 UTC on 2025-06-16 is already 17 June in Tokyo: a case due on the 17th is "due today".
    with time_machine.travel("2025-06-06 01:00:00+00:00", tick=False):
        app = make_submitted()
    assert app.due_date.isoformat() == "2025-06-17"
    with time_machine.travel("2025-06-16 16:00:00+00:00", tick=False):
        html = officer_client.get(QUEUE).content.decode()
    assert '<span class="kyoka-days kyoka-days--urgent">due today</span>' in html


def test_the_status_filter_offers_open_cases_and_never_drafts(officer_client, make_submitted, officer, supervisor_user):
    open_case, decided = make_submitted(), make_submitted()
    svc.application_start_review(application=decided, official=officer)
    svc.application_reject(application=decided, official=supervisor_user, reason="No.")
    assert _references(officer_client.get(QUEUE + "?status=open")) == [open_case.reference]
    assert _references(officer_client.get(QUEUE + "?status=rejected")) == [decided.reference]
    response = officer_client.get(QUEUE)
    status_filter = next(f for f in response.context["cl"].filter_specs if f.parameter_name == "status")
    assert "draft" not in {value for value, _ in status_filter.lookup_choices}
