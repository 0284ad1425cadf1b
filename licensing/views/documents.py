"""Supporting documents: upload, replace and remove on a draft; permission-checked download."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from licensing.errors import DomainError, TransitionNotAllowed
from licensing.forms import DocumentUploadForm
from licensing.models import ApplicationDocument
from licensing.selectors.exporter import document_for_download, exporter_application_detail
from licensing.services.documents import document_remove, document_upload
from licensing.views.applications import application_page
from licensing.views.common import exporter_required, localized_name


def _documents_url(reference: str) -> str:
    return reverse("licensing:application_detail", args=[reference]) + "#documents"


@exporter_required
@require_POST
def document_upload_view(request: HttpRequest, reference: str) -> HttpResponse:
    """One checklist row's upload (replacing a file of the same type). The details form is untouched."""
    app = exporter_application_detail(organisation_id=request.user.organisation_id, reference=reference)
    form = DocumentUploadForm(request.POST, request.FILES, authority_id=app.authority_id)
    if form.is_valid():
        document_type = form.cleaned_data["document_type"]
        try:
            document = document_upload(
                application=app, user=request.user, document_type=document_type, upload=form.cleaned_data["file"]
            )
        except TransitionNotAllowed as exc:  # no longer a draft: there is no checklist row to show it on
            messages.error(request, exc.message)
            return redirect(_documents_url(app.reference))
        except DomainError as exc:
            form.add_error("file", exc.message)
        else:
            messages.success(
                request,
                _("“%(name)s” uploaded as %(type)s.")
                % {
                    "name": document.original_name,
                    "type": localized_name(document_type.name, document_type.name_ja),
                },
            )
            return redirect(_documents_url(app.reference))
    document_type_id = form.data.get("document_type")
    row = int(document_type_id) if str(document_type_id or "").isdigit() else None
    if row is None:
        messages.error(request, _("Choose which document this file is."))
        return redirect(_documents_url(app.reference))
    return application_page(request, app, upload_forms={row: form}, upload_failed=row)


@exporter_required
@require_POST
def document_remove_view(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        document = ApplicationDocument.objects.select_related("application").get(
            pk=pk, application__organisation_id=request.user.organisation_id
        )
    except ApplicationDocument.DoesNotExist as exc:
        raise Http404("No such document.") from exc
    reference = document.application.reference
    try:
        document_remove(document=document, user=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("“%(name)s” removed.") % {"name": document.original_name})
    return redirect(_documents_url(reference))


@login_required
@require_GET
def document_download(request: HttpRequest, pk: int) -> FileResponse:
    """The only way a stored document leaves the server: the owner organisation or an official of its
    authority, as an attachment with the type detected at upload (never rendered inline)."""
    document = document_for_download(user=request.user, pk=pk)
    try:
        handle = document.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404("The file is missing from storage.") from exc
    response = FileResponse(
        handle, as_attachment=True, filename=document.original_name, content_type=document.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
