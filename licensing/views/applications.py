"""Applications: start, save and resume a draft, see the regime, submit, answer questions, withdraw."""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.dateparse import parse_date
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from licensing.errors import (
    ApplicationIncomplete,
    ChecklistIncomplete,
    DomainError,
    InvalidDocument,
    NoRegime,
    TransitionNotAllowed,
)
from licensing.forms import ApplicationForm, InformationResponseForm, RegimePreviewForm, WithdrawForm
from licensing.models import Application, Event, Licence
from licensing.selectors.conversion import conversion_offers_pending
from licensing.selectors.exporter import clock_view, exporter_application_detail
from licensing.selectors.regimes import determine_regime
from licensing.services import applications as app_services
from licensing.services.documents import document_check, document_upload
from licensing.services.events import Verb
from licensing.views.common import (
    RegimeView,
    add_validation_errors,
    attach_documents,
    authority_today,
    default_authority,
    exporter_required,
    localized_name,
    regime_view_from_live,
    regime_view_from_snapshot,
)
from materials.models import ControlledItem
from whitelist.models import Authority

# The history panel: what each event means to the exporter (the event rows are the audit trail).
EVENT_LABELS = {
    Verb.APPLICATION_CREATED: gettext_lazy("Draft created"),
    Verb.APPLICATION_UPDATED: gettext_lazy("Draft updated"),
    Verb.APPLICATION_SUBMITTED: gettext_lazy("Submitted; the clock started"),
    Verb.APPLICATION_ASSIGNED: gettext_lazy("Assigned to an officer"),
    Verb.APPLICATION_REVIEW_STARTED: gettext_lazy("Review started"),
    Verb.APPLICATION_INFORMATION_REQUESTED: gettext_lazy("The authority asked a question; the clock stopped"),
    Verb.APPLICATION_INFORMATION_PROVIDED: gettext_lazy("Answer sent; the clock restarted"),
    Verb.APPLICATION_APPROVED: gettext_lazy("Approved; licence issued"),
    Verb.APPLICATION_REJECTED: gettext_lazy("Rejected"),
    Verb.APPLICATION_WITHDRAWN: gettext_lazy("Withdrawn"),
    Verb.APPLICATION_LAPSED: gettext_lazy("Lapsed: the question went unanswered"),
    Verb.APPLICATION_REGIME_CONVERTED: gettext_lazy("Regime converted"),
    Verb.DOCUMENT_UPLOADED: gettext_lazy("Document uploaded"),
    Verb.DOCUMENT_REMOVED: gettext_lazy("Document removed"),
}


# --- The regime that would apply today ---------------------------------------------------------


def regime_preview_context(authority: Authority, *, item: ControlledItem | None, destination: str) -> dict[str, Any]:
    """Context for the regime partial: the regime in force today, a NoRegime message, or a prompt."""
    today = authority_today(authority)
    context: dict[str, Any] = {"preview_date": today, "authority": authority, "item": item, "destination": destination}
    if item is None or not destination:
        context["regime_prompt"] = True
        return context
    try:
        context["regime"] = regime_view_from_live(
            determine_regime(authority=authority, item=item, destination=destination, on_date=today)
        )
    except NoRegime:
        context["no_regime"] = True
    except DomainError as exc:  # AmbiguousRegime: a data problem the authority must fix
        context["regime_error"] = exc.message
    return context


@exporter_required
@require_GET
def regime_preview(request: HttpRequest) -> HttpResponse:
    """The htmx partial behind the live preview (a full page when opened without htmx)."""
    form = RegimePreviewForm(request.GET)
    item, destination = None, ""
    if form.is_valid():
        item, destination = form.cleaned_data["item"], form.cleaned_data["destination"]
    context = regime_preview_context(default_authority(), item=item, destination=destination)
    template = "licensing/partials/regime_preview.html" if request.htmx else "licensing/regime_preview_page.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


# --- New and edit ------------------------------------------------------------------------------


def _form_page(
    request: HttpRequest,
    form: ApplicationForm,
    *,
    authority: Authority,
    application: Application | None,
    status: int = 200,
    **extra: Any,
) -> HttpResponse:
    item, destination = None, ""
    if form.is_bound:
        preview = RegimePreviewForm(form.data)
        if preview.is_valid():
            item, destination = preview.cleaned_data["item"], preview.cleaned_data["destination"]
    elif application is not None:
        item, destination = application.item, application.destination.code
    else:
        item = form.initial.get("item")
        destination = form.initial.get("destination", "")
    context = {
        "form": form,
        "application": application,
        **regime_preview_context(authority, item=item, destination=destination),
        **extra,
    }
    return render(request, "licensing/application_form.html", context, status=status)


@exporter_required
@require_http_methods(["GET", "POST"])
def application_new(request: HttpRequest) -> HttpResponse:
    authority = default_authority()
    if request.method == "GET":
        form = ApplicationForm(initial={"destination": "KR", "currency": "JPY"})
        return _form_page(request, form, authority=authority, application=None)
    form = ApplicationForm(request.POST)
    if request.POST.get("action") == "preview":
        return _form_page(request, form, authority=authority, application=None, previewed=True)
    if not form.is_valid():
        return _form_page(request, form, authority=authority, application=None)
    try:
        app = app_services.application_create_draft(
            user=request.user,
            authority=authority,
            item=form.cleaned_data["item"],
            destination=form.cleaned_data["destination"],
            **form.service_fields(),
        )
    except ValidationError as exc:
        add_validation_errors(form, exc)
        return _form_page(request, form, authority=authority, application=None)
    except DomainError as exc:
        form.add_error(None, exc.message)
        return _form_page(request, form, authority=authority, application=None)
    messages.success(
        request,
        _("Draft %(reference)s saved. Next: upload the documents on the checklist, then submit.")
        % {"reference": app.reference},
    )
    return redirect(reverse("licensing:application_detail", args=[app.reference]) + "#documents")


@exporter_required
@require_http_methods(["GET", "POST"])
def application_edit(request: HttpRequest, reference: str) -> HttpResponse:
    app = exporter_application_detail(organisation_id=request.user.organisation_id, reference=reference)
    if app.status != Application.Status.DRAFT:
        messages.info(
            request,
            _("Application %(reference)s has been submitted; it can no longer be edited.")
            % {"reference": app.reference},
        )
        return redirect("licensing:application_detail", reference=app.reference)
    if request.method == "GET":
        form = ApplicationForm(initial=ApplicationForm.initial_from(app))
        return _form_page(request, form, authority=app.authority, application=app)
    form = ApplicationForm(request.POST)
    if request.POST.get("action") == "preview":
        return _form_page(request, form, authority=app.authority, application=app, previewed=True)
    if not form.is_valid():
        return _form_page(request, form, authority=app.authority, application=app)
    try:
        app = app_services.application_update_draft(
            application=app,
            user=request.user,
            item=form.cleaned_data["item"],
            destination=form.cleaned_data["destination"],
            **form.service_fields(),
        )
    except ValidationError as exc:
        add_validation_errors(form, exc)
        return _form_page(request, form, authority=app.authority, application=app)
    except DomainError as exc:
        form.add_error(None, exc.message)
        return _form_page(request, form, authority=app.authority, application=app)
    messages.success(request, _("Draft %(reference)s saved.") % {"reference": app.reference})
    return redirect("licensing:application_detail", reference=app.reference)


# --- The application page ----------------------------------------------------------------------


def application_page(request: HttpRequest, app: Application, *, status: int = 200, **extra: Any) -> HttpResponse:
    """The application page, also re-rendered (with the failing form bound) when a POST fails."""
    today = authority_today(app.authority)
    documents = list(app.documents.all())
    checklist_documents = [d for d in documents if d.information_request_id is None]
    regime: RegimeView | None = None
    no_regime = False
    if app.status == Application.Status.DRAFT:
        try:
            regime = regime_view_from_live(
                determine_regime(
                    authority=app.authority, item=app.item, destination=app.destination.code, on_date=today
                )
            )
        except NoRegime:
            no_regime = True
    elif app.regime_snapshot:
        regime = regime_view_from_snapshot(app.regime_snapshot)
    other_documents = attach_documents(regime, checklist_documents) if regime else checklist_documents

    requests = list(app.information_requests.all())
    for info_request in requests:
        info_request.answer_documents = [d for d in documents if d.information_request_id == info_request.pk]
    open_request = next((r for r in requests if r.is_open), None)

    licence = None
    if app.status == Application.Status.APPROVED:
        licence = Licence.objects.filter(application=app).only("number", "status", "valid_until").first()
    events = [
        {
            "at": e.occurred_at,
            "label": EVENT_LABELS.get(e.verb, e.verb),
            "payload": e.payload,
            "due_date": parse_date(e.payload.get("due_date") or "") if isinstance(e.payload, dict) else None,
        }
        # Only the verbs the exporter is meant to see: internal ones (recommendations) stay internal.
        for e in Event.objects.filter(
            subject_type="application", subject_id=str(app.pk), verb__in=list(EVENT_LABELS)
        ).order_by("id")
    ]
    upload_forms = extra.pop("upload_forms", {})
    context = {
        "application": app,
        "today": today,
        "clock": clock_view(app, today=today),
        "regime": regime,
        "no_regime": no_regime,
        "other_documents": other_documents,
        "information_requests": requests,
        "open_request": open_request,
        "conversion_offer": conversion_offers_pending(app).first(),
        "licence": licence,
        "events": events,
        "missing_field_labels": _missing_field_labels(app),
        "max_upload_mb": settings.KYOKA_MAX_UPLOAD_BYTES // (1024 * 1024),
        "can_withdraw": app.status in _PRE_DECISION,
        "upload_forms": upload_forms,
        "response_form": extra.pop("response_form", None)
        or (InformationResponseForm(authority_id=app.authority_id) if open_request else None),
        **extra,
    }
    if regime:
        for row in regime.documents:
            row.form = upload_forms.get(row.document_type_id)  # a failed upload's bound form, with its errors
    return render(request, "licensing/application_detail.html", context, status=status)


def _missing_field_labels(app: Application) -> list[str]:
    if app.status != Application.Status.DRAFT:
        return []
    missing = app_services.application_missing_fields(app)
    return [str(ApplicationForm.base_fields[name].label) for name in missing if name in ApplicationForm.base_fields]


_PRE_DECISION = {
    Application.Status.DRAFT,
    Application.Status.SUBMITTED,
    Application.Status.UNDER_REVIEW,
    Application.Status.INFORMATION_REQUESTED,
}


@exporter_required
@require_GET
def application_detail(request: HttpRequest, reference: str) -> HttpResponse:
    app = exporter_application_detail(organisation_id=request.user.organisation_id, reference=reference)
    return application_page(request, app)


# --- Submit ------------------------------------------------------------------------------------


@exporter_required
@require_POST
def application_submit(request: HttpRequest, reference: str) -> HttpResponse:
    app = exporter_application_detail(organisation_id=request.user.organisation_id, reference=reference)
    try:
        app = app_services.application_submit(application=app, user=request.user)
    except ChecklistIncomplete as exc:
        app = exporter_application_detail(organisation_id=request.user.organisation_id, reference=reference)
        return application_page(request, app, submit_missing=_localized_missing(app, exc.missing))
    except ApplicationIncomplete as exc:
        form = ApplicationForm.bound_from(app)
        form.is_valid()
        for name, problem in exc.fields.items():
            form.add_error(name if name in form.fields else None, _field_required_message(form, name, problem))
        return _form_page(request, form, authority=app.authority, application=app, submit_blocked=True)
    except NoRegime:
        messages.error(
            request,
            _("No licence regime covers this item to this destination today, so it cannot be submitted."),
        )
        return redirect("licensing:application_detail", reference=app.reference)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("licensing:application_detail", reference=app.reference)
    regime = regime_view_from_snapshot(app.regime_snapshot)
    messages.success(
        request,
        _(
            "Application %(reference)s submitted. Regime frozen: %(licence_type)s licence, %(days)s %(basis)s. "
            "Due date: %(due)s. A confirmation has been sent by email."
        )
        % {
            "reference": app.reference,
            "licence_type": regime.licence_type_label.lower(),
            "days": regime.processing_days,
            "basis": regime.basis_label,
            "due": date_format(app.due_date, "DATE_FORMAT") if app.due_date else "—",
        },
    )
    return redirect("licensing:application_detail", reference=app.reference)


def _localized_missing(app: Application, missing: list[str]) -> list[str]:
    """The service names missing documents in English: show them in the page's language."""
    regime = determine_regime(
        authority=app.authority,
        item=app.item,
        destination=app.destination.code,
        on_date=authority_today(app.authority),
    )
    names = {d.name: localized_name(d.name, d.name_ja) for d in regime.documents}
    return [names.get(name, name) for name in missing]


def _field_required_message(form: ApplicationForm, name: str, fallback: str) -> str:
    if name in form.fields:
        return _("%(field)s is needed before you can submit.") % {"field": form.fields[name].label}
    return fallback


# --- Information requests ----------------------------------------------------------------------


@exporter_required
@require_POST
def application_respond(request: HttpRequest, reference: str) -> HttpResponse:
    """Answer the open question: optional documents first (all checked before any is stored), then the text."""
    app = exporter_application_detail(organisation_id=request.user.organisation_id, reference=reference)
    form = InformationResponseForm(request.POST, request.FILES, authority_id=app.authority_id)
    open_request = next((r for r in app.information_requests.all() if r.is_open), None)
    if open_request is None or app.status != Application.Status.INFORMATION_REQUESTED:
        messages.error(request, _("There is no open question on this application."))
        return redirect("licensing:application_detail", reference=app.reference)
    if not form.is_valid():
        return application_page(request, app, response_form=form)
    files = form.cleaned_data["files"]
    document_type = form.cleaned_data["document_type"]
    for upload in files:
        try:
            document_check(document_type=document_type, upload=upload)
        except InvalidDocument as exc:
            form.add_error("files", exc.message)
    if form.errors:
        form.add_error("files", _("Your answer text is kept; choose the files again."))
        return application_page(request, app, response_form=form)
    try:
        with transaction.atomic():
            for upload in files:
                document_upload(
                    application=app,
                    user=request.user,
                    document_type=document_type,
                    upload=upload,
                    information_request=open_request,
                )
            app = app_services.application_respond(
                application=app, user=request.user, response=form.cleaned_data["response"]
            )
    except ApplicationIncomplete as exc:
        for problem in exc.fields.values():
            form.add_error("response", problem)
        return application_page(request, app, response_form=form)
    except DomainError as exc:
        form.add_error(None, exc.message)
        return application_page(request, app, response_form=form)
    messages.success(
        request,
        _("Answer sent. The clock has restarted; the new due date is %(due)s.")
        % {"due": date_format(app.due_date, "DATE_FORMAT") if app.due_date else "—"},
    )
    return redirect("licensing:application_detail", reference=app.reference)


# --- Withdraw ----------------------------------------------------------------------------------


@exporter_required
@require_http_methods(["GET", "POST"])
def application_withdraw(request: HttpRequest, reference: str) -> HttpResponse:
    """A confirmation page first; the POST from it withdraws."""
    app = exporter_application_detail(organisation_id=request.user.organisation_id, reference=reference)
    if app.status not in _PRE_DECISION:
        messages.error(
            request,
            _("Application %(reference)s is %(status)s: it can no longer be withdrawn.")
            % {"reference": app.reference, "status": app.get_status_display().lower()},
        )
        return redirect("licensing:application_detail", reference=app.reference)
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            app_services.application_withdraw(
                application=app, user=request.user, reason=form.cleaned_data["reason"].strip()
            )
        except TransitionNotAllowed as exc:
            messages.error(request, exc.message)
            return redirect("licensing:application_detail", reference=app.reference)
        messages.success(request, _("Application %(reference)s was withdrawn.") % {"reference": app.reference})
        return redirect("licensing:application_detail", reference=app.reference)
    return render(request, "licensing/application_withdraw.html", {"application": app, "form": form})
