"""Uploading supporting documents: the type is checked from the file's bytes, never its name."""

import hashlib
from typing import Any

import filetype
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from licensing.errors import InvalidDocument, TransitionNotAllowed
from licensing.models import Application, ApplicationDocument, DocumentType, InformationRequest
from licensing.permissions import require_exporter_of
from licensing.services.events import Verb, application_event_record

# What each format name in DocumentType.allowed_formats accepts, by detected MIME type.
FORMAT_MIME_TYPES = {
    "pdf": {"application/pdf"},
    "png": {"image/png"},
    "jpeg": {"image/jpeg"},
    "docx": {"application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
    "xlsx": {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
}
FORMAT_LABELS = {"pdf": "PDF", "png": "PNG", "jpeg": "JPEG", "docx": "Word (.docx)", "xlsx": "Excel (.xlsx)"}


def detect_content_type(head: bytes) -> str | None:
    kind = filetype.guess(head)
    return kind.mime if kind is not None else None


def document_check(*, document_type: DocumentType, upload: UploadedFile) -> tuple[str, str]:
    """Return (content type, sha256) or raise InvalidDocument with a message a person can act on."""
    limit = settings.KYOKA_MAX_UPLOAD_BYTES
    if upload.size is None or upload.size == 0:
        raise InvalidDocument(_("“%(name)s” is empty.") % {"name": upload.name})
    if upload.size > limit:
        raise InvalidDocument(
            _("“%(name)s” is %(size)s MB; the limit is %(limit)s MB.")
            % {"name": upload.name, "size": f"{upload.size / 1_048_576:.1f}", "limit": f"{limit / 1_048_576:.0f}"}
        )
    upload.seek(0)
    head = upload.read(8192)
    detected = detect_content_type(head)
    allowed = {mime for f in document_type.formats for mime in FORMAT_MIME_TYPES.get(f, set())}
    if detected not in allowed:
        wanted = ", ".join(FORMAT_LABELS.get(f, f) for f in document_type.formats)
        found = (
            _("its content is %(type)s") % {"type": detected}
            if detected
            else _("its content is not a recognised document format")
        )
        raise InvalidDocument(
            _("“%(name)s” was refused: %(found)s. %(type)s must be %(wanted)s.")
            % {"name": upload.name, "found": found, "type": document_type.name, "wanted": wanted}
        )
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return detected, digest.hexdigest()  # type: ignore[return-value]


@transaction.atomic
def document_upload(
    *,
    application: Application,
    user: Any,
    document_type: DocumentType,
    upload: UploadedFile,
    information_request: InformationRequest | None = None,
    replace: bool = True,
) -> ApplicationDocument:
    """Add a document to a draft (replacing the same type), or to an answer to a question."""
    app = Application.objects.select_for_update().get(pk=application.pk)
    require_exporter_of(user, app)
    if information_request is None and app.status != Application.Status.DRAFT:
        raise TransitionNotAllowed("Documents can only be changed before the application is submitted.")
    if information_request is not None and (
        information_request.application_id != app.pk or not information_request.is_open
    ):
        raise TransitionNotAllowed("That question is not open for answers.")
    if document_type.authority_id != app.authority_id:
        raise InvalidDocument("That document type belongs to another authority.")
    content_type, sha256 = document_check(document_type=document_type, upload=upload)
    if replace and information_request is None:
        for old in app.documents.filter(document_type=document_type, information_request__isnull=True):
            _delete(old, user=user, app=app)
    document = ApplicationDocument(
        application=app,
        document_type=document_type,
        information_request=information_request,
        original_name=upload.name[:255] if upload.name else "document",
        content_type=content_type,
        size=upload.size or 0,
        sha256=sha256,
        uploaded_by=user,
    )
    document.file.save("upload", upload, save=False)
    try:
        document.save()
        application_event_record(
            app,
            Verb.DOCUMENT_UPLOADED,
            user,
            document_id=document.pk,
            document_type=document_type.code,
            name=document.original_name,
            sha256=sha256,
        )
    except Exception:
        # Nothing half-written: a stored file whose row failed is removed at once. (A rollback of
        # an enclosing transaction can still leave an unreferenced file; it is never served.)
        document.file.storage.delete(document.file.name)
        raise
    return document


@transaction.atomic
def document_remove(*, document: ApplicationDocument, user: Any) -> None:
    app = Application.objects.select_for_update().get(pk=document.application_id)
    require_exporter_of(user, app)
    if app.status != Application.Status.DRAFT:
        raise TransitionNotAllowed("Documents can only be removed before the application is submitted.")
    _delete(document, user=user, app=app)


def _delete(document: ApplicationDocument, *, user: Any, app: Application) -> None:
    name, storage = document.file.name, document.file.storage
    application_event_record(app, Verb.DOCUMENT_REMOVED, user, document_id=document.pk, name=document.original_name)
    document.delete()
    transaction.on_commit(lambda: storage.delete(name))
