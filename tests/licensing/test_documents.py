"""Uploads: the type comes from the bytes, sizes are limited, only drafts change."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from licensing.errors import InvalidDocument, PermissionDenied, TransitionNotAllowed
from licensing.models import ApplicationDocument, DocumentType
from licensing.services.documents import document_remove, document_upload
from tests.factories import PDF_BYTES, PNG_BYTES, pdf_upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def form_type(jp):
    return DocumentType.objects.get(authority=jp, code="application-form")


def test_a_pdf_is_stored_under_a_random_name_with_its_digest(make_draft, exporter, form_type, settings):
    doc = document_upload(
        application=make_draft(), user=exporter, document_type=form_type, upload=pdf_upload("../../etc/x.pdf")
    )
    assert doc.content_type == "application/pdf"
    assert doc.original_name == "x.pdf"  # Django strips the path; the stored name is random anyway
    assert ".." not in doc.file.name and doc.file.name.startswith("documents/")
    assert len(doc.sha256) == 64
    assert (settings.MEDIA_ROOT / doc.file.name).read_bytes() == PDF_BYTES


def test_a_file_whose_bytes_are_not_an_allowed_type_is_refused_whatever_its_name(make_draft, exporter, form_type):
    fake = SimpleUploadedFile("contract.pdf", b"MZ\x90\x00 this is an executable", content_type="application/pdf")
    with pytest.raises(InvalidDocument, match="must be PDF"):
        document_upload(application=make_draft(), user=exporter, document_type=form_type, upload=fake)
    assert not ApplicationDocument.objects.exists()


def test_an_image_is_refused_where_only_pdf_is_allowed(make_draft, exporter, form_type):
    form_type.allowed_formats = "pdf"
    form_type.save()
    png = SimpleUploadedFile("scan.pdf", PNG_BYTES, content_type="application/pdf")
    with pytest.raises(InvalidDocument, match="image/png"):
        document_upload(application=make_draft(), user=exporter, document_type=form_type, upload=png)


def test_a_file_over_the_size_limit_is_refused(make_draft, exporter, form_type, settings):
    settings.KYOKA_MAX_UPLOAD_BYTES = 100
    big = SimpleUploadedFile("big.pdf", PDF_BYTES + b"0" * 200, content_type="application/pdf")
    with pytest.raises(InvalidDocument, match="limit"):
        document_upload(application=make_draft(), user=exporter, document_type=form_type, upload=big)


def test_an_empty_file_is_refused(make_draft, exporter, form_type):
    with pytest.raises(InvalidDocument, match="empty"):
        document_upload(
            application=make_draft(), user=exporter, document_type=form_type, upload=SimpleUploadedFile("e.pdf", b"")
        )


def test_uploading_the_same_type_again_replaces_the_draft_document(make_draft, exporter, form_type):
    app = make_draft()
    first = document_upload(application=app, user=exporter, document_type=form_type, upload=pdf_upload("v1.pdf"))
    document_upload(application=app, user=exporter, document_type=form_type, upload=pdf_upload("v2.pdf"))
    assert list(app.documents.values_list("original_name", flat=True)) == ["v2.pdf"]
    assert not ApplicationDocument.objects.filter(pk=first.pk).exists()


def test_documents_are_frozen_after_submission(make_submitted, exporter, form_type):
    app = make_submitted()
    with pytest.raises(TransitionNotAllowed):
        document_upload(application=app, user=exporter, document_type=form_type, upload=pdf_upload())
    with pytest.raises(TransitionNotAllowed):
        document_remove(document=app.documents.first(), user=exporter)


def test_another_organisation_cannot_upload(make_draft, other_exporter, form_type):
    with pytest.raises(PermissionDenied):
        document_upload(application=make_draft(), user=other_exporter, document_type=form_type, upload=pdf_upload())
