"""The checklist: upload, replace, remove before submission; refused files; permission-checked download."""

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from licensing.models import ApplicationDocument, DocumentType
from tests.factories import PDF_BYTES, PNG_BYTES, pdf_upload
from tests.web.conftest import sign_in

pytestmark = pytest.mark.django_db


def doc_type(code: str) -> DocumentType:
    return DocumentType.objects.get(authority__code="JP", code=code)


def upload(client: Client, app: Any, code: str, file: SimpleUploadedFile) -> Any:
    return client.post(
        reverse("licensing:document_upload", args=[app.reference]),
        {"document_type": doc_type(code).pk, "file": file},
    )


def test_the_draft_page_shows_todays_checklist(exporter_client: Client, make_draft: Any) -> None:
    draft = make_draft()
    content = exporter_client.get(reverse("licensing:application_detail", args=[draft.reference])).content.decode()
    assert content.count('data-testid="checklist-row"') == 4
    assert "Application form (two copies)" in content
    assert 'accept=".pdf,application/pdf"' in content
    assert content.count('enctype="multipart/form-data"') == 4  # one form per row


def test_uploading_a_pdf_ticks_the_row(exporter_client: Client, make_draft: Any) -> None:
    draft = make_draft()
    response = upload(exporter_client, draft, "application-form", pdf_upload("form.pdf"))
    assert response.status_code == 302
    assert response["Location"].endswith("#documents")
    document = ApplicationDocument.objects.get(application=draft)
    assert document.original_name == "form.pdf" and document.content_type == "application/pdf"
    page = exporter_client.get(response["Location"]).content.decode()
    assert "“form.pdf” uploaded as Application form (two copies)." in page
    assert "is-done" in page


def test_a_file_of_the_wrong_type_is_refused_with_a_message(exporter_client: Client, make_draft: Any) -> None:
    draft = make_draft(consignee_name="Typed before the upload")
    renamed_png = SimpleUploadedFile("form.pdf", PNG_BYTES, content_type="application/pdf")
    response = upload(exporter_client, draft, "application-form", renamed_png)
    content = response.content.decode()
    assert response.status_code == 200
    assert "was refused: its content is image/png" in content
    assert "must be PDF" in content
    assert 'aria-invalid="true"' in content
    assert not ApplicationDocument.objects.exists()
    draft.refresh_from_db()
    assert draft.consignee_name == "Typed before the upload"  # the application is untouched
    assert "Typed before the upload" in content


def test_a_file_over_the_size_limit_is_refused(exporter_client: Client, make_draft: Any, settings: Any) -> None:
    settings.KYOKA_MAX_UPLOAD_BYTES = 1024
    draft = make_draft()
    big = SimpleUploadedFile("big.pdf", PDF_BYTES + b"0" * 4096, content_type="application/pdf")
    content = upload(exporter_client, draft, "application-form", big).content.decode()
    assert "the limit is" in content
    assert not ApplicationDocument.objects.exists()


def test_an_empty_file_is_refused(exporter_client: Client, make_draft: Any) -> None:
    draft = make_draft()
    content = upload(
        exporter_client, draft, "application-form", SimpleUploadedFile("empty.pdf", b"", "application/pdf")
    ).content.decode()
    assert "empty" in content
    assert not ApplicationDocument.objects.exists()


def test_uploading_again_replaces_the_file(exporter_client: Client, make_draft: Any) -> None:
    draft = make_draft()
    upload(exporter_client, draft, "application-form", pdf_upload("first.pdf"))
    upload(exporter_client, draft, "application-form", pdf_upload("second.pdf"))
    assert list(ApplicationDocument.objects.values_list("original_name", flat=True)) == ["second.pdf"]


def test_removing_a_document(exporter_client: Client, make_draft: Any) -> None:
    draft = make_draft()
    upload(exporter_client, draft, "application-form", pdf_upload("form.pdf"))
    document = ApplicationDocument.objects.get()
    response = exporter_client.post(reverse("licensing:document_remove", args=[document.pk]), follow=True)
    assert "“form.pdf” removed." in response.content.decode()
    assert not ApplicationDocument.objects.exists()


def test_documents_are_frozen_after_submission(exporter_client: Client, make_submitted: Any) -> None:
    app = make_submitted()
    document = app.documents.first()
    response = exporter_client.post(reverse("licensing:document_remove", args=[document.pk]), follow=True)
    assert "only be removed before the application is submitted" in response.content.decode()
    assert ApplicationDocument.objects.filter(pk=document.pk).exists()
    response = upload(exporter_client, app, "application-form", pdf_upload("late.pdf"))
    page = exporter_client.get(response["Location"]).content.decode()
    assert "only be changed before the application is submitted" in page
    assert app.documents.count() == 4


def test_the_owner_downloads_a_document_as_an_attachment(exporter_client: Client, make_submitted: Any) -> None:
    document = make_submitted().documents.first()
    response = exporter_client.get(reverse("licensing:document_download", args=[document.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert document.original_name in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    assert b"".join(response.streaming_content) == PDF_BYTES


def test_an_official_of_the_authority_downloads_a_document(client: Client, officer: Any, make_submitted: Any) -> None:
    document = make_submitted().documents.first()
    sign_in(client, officer)
    response = client.get(reverse("licensing:document_download", args=[document.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES


def test_an_official_of_another_authority_cannot_download(client: Client, make_submitted: Any) -> None:
    from tests.factories import OfficialFactory
    from whitelist.models import Authority

    document = make_submitted().documents.first()
    korean = OfficialFactory(authority=Authority.objects.get(code="KR"))
    sign_in(client, korean)
    assert client.get(reverse("licensing:document_download", args=[document.pk])).status_code == 404


def test_anonymous_download_asks_to_sign_in(client: Client, make_submitted: Any) -> None:
    document = make_submitted().documents.first()
    response = client.get(reverse("licensing:document_download", args=[document.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_no_url_serves_the_media_folder(exporter_client: Client, make_submitted: Any) -> None:
    document = make_submitted().documents.first()
    assert exporter_client.get("/media-not-served/" + document.file.name).status_code == 404
    assert exporter_client.get("/media/" + document.file.name).status_code == 404
