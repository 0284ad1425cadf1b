"""The official's question: shown prominently, answered with text and documents, the clock restarted."""

from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from licensing.models import DocumentType
from licensing.services import applications as svc
from tests.conftest import upload_mandatory_documents
from tests.factories import PNG_BYTES, pdf_upload
from tests.web.conftest import sign_in

pytestmark = pytest.mark.django_db


def test_the_question_is_shown_prominently_with_the_clock_stopped(
    exporter_client: Client, make_information_requested: Any
) -> None:
    app, _ = make_information_requested(message="Which fab will use the resist?")
    content = exporter_client.get(reverse("licensing:application_detail", args=[app.reference])).content.decode()
    question = content.index('data-testid="question"')
    assert content.index("The licensing authority has a question") < question < content.index("Where it stands")
    assert "Which fab will use the resist?" in content
    assert "Clock stopped" in content
    assert "days left when it stopped" in content
    assert "Send answer" in content


def test_answering_with_a_document_restarts_the_clock_with_a_new_due_date(
    client: Client, exporter: Any, make_draft: Any, officer: Any
) -> None:
    with time_machine.travel("2026-03-02 10:00 +0900", tick=False):
        app = make_draft()
        upload_mandatory_documents(app, exporter)
        app = svc.application_submit(application=app, user=exporter)
        svc.application_start_review(application=app, official=officer)
        svc.application_request_information(application=app, official=officer, message="Fab location?")
    first_due = app.due_date
    with time_machine.travel("2026-03-09 10:00 +0900", tick=False):
        sign_in(client, exporter)
        response = client.post(
            reverse("licensing:application_respond", args=[app.reference]),
            {
                "response": "Hwaseong Fab 2.",
                "document_type": DocumentType.objects.get(authority__code="JP", code="buyer-evidence").pk,
                "files": [pdf_upload("fab.pdf"), pdf_upload("site-plan.pdf")],
            },
            follow=True,
        )
    app.refresh_from_db()
    content = response.content.decode()
    assert app.status == "under_review" and app.clock_running
    assert app.due_date > first_due
    assert "Answer sent. The clock has restarted; the new due date is" in content
    assert "Hwaseong Fab 2." in content
    answer_docs = app.documents.filter(information_request__isnull=False)
    assert sorted(answer_docs.values_list("original_name", flat=True)) == ["fab.pdf", "site-plan.pdf"]
    assert "fab.pdf" in content


def test_a_refused_document_keeps_the_answer_text_and_stores_nothing(
    exporter_client: Client, make_information_requested: Any
) -> None:
    app, _ = make_information_requested()
    response = exporter_client.post(
        reverse("licensing:application_respond", args=[app.reference]),
        {
            "response": "My careful answer.",
            "document_type": DocumentType.objects.get(authority__code="JP", code="application-form").pk,
            "files": [pdf_upload("ok.pdf"), SimpleUploadedFile("photo.pdf", PNG_BYTES, "application/pdf")],
        },
    )
    content = response.content.decode()
    app.refresh_from_db()
    assert app.status == "information_requested"
    assert "“photo.pdf” was refused" in content
    assert "Your answer text is kept; choose the files again." in content
    assert "My careful answer." in content
    assert not app.documents.filter(information_request__isnull=False).exists()


def test_an_empty_answer_is_refused(exporter_client: Client, make_information_requested: Any) -> None:
    app, _ = make_information_requested()
    content = exporter_client.post(
        reverse("licensing:application_respond", args=[app.reference]), {"response": "  "}
    ).content.decode()
    assert "This field is required." in content
    app.refresh_from_db()
    assert app.status == "information_requested"


def test_files_without_a_document_type_are_refused(exporter_client: Client, make_information_requested: Any) -> None:
    app, _ = make_information_requested()
    content = exporter_client.post(
        reverse("licensing:application_respond", args=[app.reference]),
        {"response": "Answer", "files": [pdf_upload()]},
    ).content.decode()
    assert "Say what kind of document you are attaching." in content


def test_answering_when_no_question_is_open(exporter_client: Client, make_submitted: Any) -> None:
    app = make_submitted()
    response = exporter_client.post(
        reverse("licensing:application_respond", args=[app.reference]), {"response": "Hello"}, follow=True
    )
    assert "There is no open question on this application." in response.content.decode()
