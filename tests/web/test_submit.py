"""Submitting: blocked with exactly what is missing; on success the reference, frozen regime and due date."""

from typing import Any

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse

from licensing.models import Application, DocumentType
from licensing.services.documents import document_upload
from notifications.models import Notification
from tests.conftest import upload_mandatory_documents
from tests.factories import pdf_upload

pytestmark = pytest.mark.django_db


def submit(client: Client, app: Application, **kwargs: Any) -> Any:
    return client.post(reverse("licensing:application_submit", args=[app.reference]), **kwargs)


def test_submit_is_blocked_with_the_exact_missing_documents(exporter_client: Client, make_draft: Any) -> None:
    draft = make_draft()
    document_upload(
        application=draft,
        user=draft.applicant,
        document_type=DocumentType.objects.get(authority__code="JP", code="application-form"),
        upload=pdf_upload(),
    )
    content = submit(exporter_client, draft).content.decode()
    assert "Not submitted: 3 mandatory documents are missing" in content
    blocked = content.split('data-testid="submit-blocked"')[1].split("</div>")[0]
    assert "Application details sheet" in blocked
    assert "Compliance-programme (CP) checklist receipt" in blocked
    assert "Evidence of METI" in blocked
    assert "Application form (two copies)" not in blocked
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_submit_with_missing_fields_shows_them_on_the_form(exporter_client: Client, make_draft: Any) -> None:
    draft = make_draft(end_use="", value=None)
    upload_mandatory_documents(draft, draft.applicant)
    response = submit(exporter_client, draft)
    content = response.content.decode()
    assert response.status_code == 200
    assert "The application is not complete yet" in content
    assert "End use is needed before you can submit." in content
    assert "Value is needed before you can submit." in content
    assert 'id="id_end_use"' in content and 'aria-invalid="true"' in content
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_a_successful_submission_shows_reference_regime_and_due_date(exporter_client: Client, make_draft: Any) -> None:
    draft = make_draft()
    upload_mandatory_documents(draft, draft.applicant)
    response = submit(exporter_client, draft, follow=True)
    draft.refresh_from_db()
    content = response.content.decode()
    assert draft.status == "submitted"
    assert f"Application {draft.reference} submitted." in content
    assert "Regime frozen: bulk licence, 7 business days." in content
    assert "Regime (frozen at submission)" in content
    assert 'data-testid="due-date"' in content
    assert draft.due_date.strftime("%Y") in content
    assert "days left" in content
    assert "Withdraw this application" in content


@time_machine.travel("2020-02-03 10:00 +0900", tick=False)
def test_the_2020_individual_regime_is_frozen_with_its_90_day_clock(exporter_client: Client, make_draft: Any) -> None:
    draft = make_draft()
    upload_mandatory_documents(draft, draft.applicant)
    content = submit(exporter_client, draft, follow=True).content.decode()
    draft.refresh_from_db()
    assert draft.licence_type == "individual"
    assert "Regime frozen: individual licence, 90 calendar days." in content
    assert str(draft.due_date) == "2020-05-03"
    assert "May 3, 2020" in content


def test_submitting_sends_a_confirmation_email_with_reference_and_due_date(
    exporter_client: Client, exporter: Any, make_draft: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from notifications.tasks import send_notification_email

    draft = make_draft()
    upload_mandatory_documents(draft, draft.applicant)
    with django_capture_on_commit_callbacks(execute=False):
        submit(exporter_client, draft)
    draft.refresh_from_db()
    notification = Notification.objects.get(recipient=exporter, verb="application.submitted")
    send_notification_email.apply(args=[notification.pk])
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == [exporter.email]
    assert draft.reference in email.subject
    assert draft.due_date.isoformat() in email.subject + email.body


def test_a_submitted_application_cannot_be_submitted_twice(exporter_client: Client, make_submitted: Any) -> None:
    app = make_submitted()
    response = submit(exporter_client, app, follow=True)
    assert "you cannot submit it now" in response.content.decode()
