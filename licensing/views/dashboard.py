"""The dashboard: the organisation's applications and licences, filtered and searched."""

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from licensing.forms import ApplicationFilterForm
from licensing.selectors.exporter import (
    clock_view,
    exporter_application_list,
    exporter_licence_list,
    exporter_status_counts,
)
from licensing.views.common import authority_today, default_authority, exporter_required

PAGE_SIZE = 20


@exporter_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    organisation_id = request.user.organisation_id
    form = ApplicationFilterForm(request.GET or None)
    q, status, item = form.value("q"), form.value("status"), form.value("item")
    licence_status = form.value("licence_status")
    today = authority_today(default_authority())

    page = Paginator(
        exporter_application_list(organisation_id=organisation_id, status=status, item=item, q=q), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    rows = [{"application": app, "clock": clock_view(app, today=today)} for app in page.object_list]
    licence_page = Paginator(
        exporter_licence_list(organisation_id=organisation_id, status=licence_status, q=q), PAGE_SIZE
    ).get_page(request.GET.get("lpage"))
    licences = [{"licence": lic, "days_to_expiry": (lic.valid_until - today).days} for lic in licence_page]
    counts = exporter_status_counts(organisation_id=organisation_id)
    filtered = bool(q or status or item or licence_status)
    query = request.GET.copy()
    query.pop("page", None)
    licence_query = request.GET.copy()
    licence_query.pop("lpage", None)
    context = {
        "form": form,
        "page": page,
        "rows": rows,
        "licences": licences,
        "licence_page": licence_page,
        "licence_page_query": licence_query.urlencode(),
        "counts": counts,
        "total_applications": sum(counts.values()),
        "open_cases": sum(counts.get(s, 0) for s in ("submitted", "under_review", "information_requested")),
        "waiting_on_you": counts.get("information_requested", 0),
        "drafts": counts.get("draft", 0),
        "filtered": filtered,
        "today": today,
        "page_query": query.urlencode(),
    }
    return render(request, "licensing/dashboard.html", context)
