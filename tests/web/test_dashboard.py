"""The dashboard: the organisation's applications and licences, filters, search, empty states."""

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import upload_mandatory_documents

pytestmark = pytest.mark.django_db


def test_an_empty_dashboard_says_what_to_do_next(exporter_client: Client) -> None:
    response = exporter_client.get(reverse("licensing:dashboard"))
    assert response.status_code == 200
    assert b"No applications yet." in response.content
    assert b"Start an application" in response.content
    assert b"No licences yet." in response.content


def test_the_dashboard_lists_only_the_organisations_cases(
    exporter_client: Client, make_draft: Any, other_exporter: Any, make_submitted: Any
) -> None:
    mine = make_submitted()
    theirs = make_draft(user=other_exporter)
    content = exporter_client.get(reverse("licensing:dashboard")).content.decode()
    assert mine.reference in content
    assert theirs.reference not in content
    assert mine.due_date.strftime("%Y") in content
    assert "days left" in content


def test_the_clock_shows_stopped_while_a_question_is_open(
    exporter_client: Client, make_information_requested: Any
) -> None:
    make_information_requested()
    content = exporter_client.get(reverse("licensing:dashboard")).content.decode()
    assert "Information requested" in content
    assert "stopped (" in content
    assert "waiting for your answer" in content


def test_licences_show_type_validity_and_remaining_quantity(exporter_client: Client, licence: Any) -> None:
    content = exporter_client.get(reverse("licensing:dashboard")).content.decode()
    assert licence.number in content
    assert "Bulk" in content
    assert "100 kg" in content  # remaining of the 100 kg authorised
    assert "1095 days" in content or "1096 days" in content  # 36 months from today


def test_filters_by_status_item_and_search(
    exporter_client: Client, make_draft: Any, make_submitted: Any, hydrogen_fluoride: Any
) -> None:
    draft = make_draft(consignee_name="Busan Wafer Works")
    submitted = make_submitted()
    hf = make_draft(item=hydrogen_fluoride)
    url = reverse("licensing:dashboard")

    content = exporter_client.get(url, {"status": "submitted"}).content.decode()
    assert submitted.reference in content and draft.reference not in content

    content = exporter_client.get(url, {"item": "hydrogen-fluoride"}).content.decode()
    assert hf.reference in content and draft.reference not in content and submitted.reference not in content

    content = exporter_client.get(url, {"q": "busan wafer"}).content.decode()
    assert draft.reference in content and submitted.reference not in content

    content = exporter_client.get(url, {"q": "nothing-matches-this"}).content.decode()
    assert "No application matches these filters." in content


def test_the_dashboard_query_count_does_not_grow_with_rows(
    exporter_client: Client,
    exporter: Any,
    make_draft: Any,
    make_submitted: Any,
    make_information_requested: Any,
    make_licence: Any,
    django_assert_max_num_queries: Any,
) -> None:
    make_draft()
    make_information_requested()
    make_licence()
    with django_assert_max_num_queries(14) as few:
        exporter_client.get(reverse("licensing:dashboard"))
    for _ in range(5):  # 18 applications: one page
        make_draft()
        make_information_requested()
        make_licence()
    with django_assert_max_num_queries(len(few.captured_queries)) as many:
        response = exporter_client.get(reverse("licensing:dashboard"))
    assert response.status_code == 200
    assert response.content.count(b"stopped (") == 6
    assert len(many.captured_queries) == len(few.captured_queries)


def test_a_draft_resumes_from_the_dashboard(exporter_client: Client, make_draft: Any) -> None:
    draft = make_draft()
    content = exporter_client.get(reverse("licensing:dashboard")).content.decode()
    assert reverse("licensing:application_detail", args=[draft.reference]) in content
    upload_mandatory_documents(draft, draft.applicant)
    page = exporter_client.get(reverse("licensing:application_detail", args=[draft.reference])).content.decode()
    assert "Everything needed is here." in page
