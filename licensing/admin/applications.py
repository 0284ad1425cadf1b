"""The officials' queue and case page: filed applications, read-only, worked through the services."""

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django_countries import countries

from accounts.models import User
from licensing.admin.base import ObjectAction, ObjectActionsMixin, OfficialAdminMixin, ReadOnlyHistoryAdmin, run_bulk
from licensing.admin.dashboard import dashboard_view
from licensing.models import OPEN_CASE, Application, ApplicationStatus, ClockStop, Event, Licence
from licensing.selectors.queue import (
    application_queue,
    applications_due_within,
    applications_overdue,
    authority_today,
    days_left_on,
    official_authority,
)
from licensing.services.applications import (
    application_approve,
    application_assign,
    application_recommend,
    application_reject,
    application_request_information,
    application_start_review,
)
from licensing.services.clock import local_date
from whitelist.calendar import AuthorityCalendar, DayCounter

# --- Filters ------------------------------------------------------------------------------------


def _request_today(request: HttpRequest) -> date:
    """Today where the official's authority sits, looked up once per request."""
    if not hasattr(request, "_kyoka_today"):
        request._kyoka_today = authority_today(official_authority(request.user))  # type: ignore[attr-defined]
    return request._kyoka_today  # type: ignore[attr-defined]


class StatusFilter(admin.SimpleListFilter):
    """The filed statuses (drafts are the exporter's own and never in the queue), and "open"."""

    title = "status"
    parameter_name = "status"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        filed = [(s.value, str(s.label)) for s in ApplicationStatus if s != ApplicationStatus.DRAFT]
        return [("open", "Open (not decided yet)"), *filed]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Application]) -> QuerySet[Application]:
        if self.value() == "open":
            return queryset.filter(status__in=OPEN_CASE)
        if self.value() in ApplicationStatus.values:
            return queryset.filter(status=self.value())
        return queryset


class DeadlineFilter(admin.SimpleListFilter):
    title = "deadline"
    parameter_name = "deadline"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [
            ("overdue", "Overdue"),
            ("2", "Due within 2 days"),
            ("7", "Due within 7 days"),
            ("14", "Due within 14 days"),
            ("stopped", "Clock stopped (waiting for the exporter)"),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Application]) -> QuerySet[Application]:
        value = self.value()
        if value == "overdue":
            return applications_overdue(queryset, today=_request_today(request))
        if value in ("2", "7", "14"):
            return applications_due_within(queryset, today=_request_today(request), days=int(value))
        if value == "stopped":
            return queryset.filter(status__in=OPEN_CASE, clock_running=False)
        return queryset


class DestinationFilter(admin.SimpleListFilter):
    """Only the destinations that occur (the full country list would be 250 entries)."""

    title = "destination"
    parameter_name = "destination"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        codes = model_admin.get_queryset(request).order_by().values_list("destination", flat=True).distinct()
        return sorted(((code, f"{countries.name(code)} ({code})") for code in codes if code), key=lambda c: c[1])

    def queryset(self, request: HttpRequest, queryset: QuerySet[Application]) -> QuerySet[Application]:
        return queryset.filter(destination=self.value()) if self.value() else queryset


class AssigneeFilter(admin.SimpleListFilter):
    title = "assignee"
    parameter_name = "assignee"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        user: Any = request.user
        officials = User.objects.filter(is_staff=True, authority__isnull=False, is_active=True)
        if not user.is_superuser:
            officials = officials.filter(authority_id=user.authority_id)
        choices = [("me", "Assigned to me"), ("none", "Unassigned")]
        for pk, username, first, last in officials.order_by("username").values_list(
            "pk", "username", "first_name", "last_name"
        ):
            if pk != user.pk:
                name = f"{first} {last}".strip()
                choices.append((str(pk), f"{name} ({username})" if name else username))
        return choices

    def queryset(self, request: HttpRequest, queryset: QuerySet[Application]) -> QuerySet[Application]:
        value = self.value()
        if value == "me":
            return queryset.filter(assigned_to=request.user)
        if value == "none":
            return queryset.filter(assigned_to__isnull=True)
        if value and value.isdigit():
            return queryset.filter(assigned_to_id=int(value))
        return queryset


# --- The case page's read-outs ------------------------------------------------------------------


@dataclass(frozen=True)
class StopRow:
    stop: ClockStop
    days: int  # calendar days the clock stood still (so far, for an open stop)
    open: bool


@dataclass(frozen=True)
class ClockSummary:
    start: date | None
    due: date | None
    basis: str
    processing_days: int | None
    running: bool
    counted_until: date
    days_used: int | None  # counted days (in the rule's basis) from the start to today or the decision
    days_left: int | None  # calendar days to the due date; when stopped, as they stood at the stop
    stops: list[StopRow]

    @property
    def overdue(self) -> bool:
        return self.running and self.days_left is not None and self.days_left < 0


def clock_summary(app: Application, *, today: date) -> ClockSummary:
    snapshot = app.regime_snapshot or {}
    stops = list(app.clock_stops.select_related("information_request"))
    rows = [
        StopRow(stop=s, days=((s.restarted_on or today) - s.stopped_on).days, open=s.restarted_on is None)
        for s in stops
    ]
    end = local_date(app.authority, app.decided_at) if app.decided_at else today
    days_used = None
    if app.clock_start_date and snapshot.get("processing_basis"):
        excluded = [(s.stopped_on, s.restarted_on or max(end, s.stopped_on)) for s in stops]
        calendar = AuthorityCalendar.for_authority(app.authority)
        counter = DayCounter(
            calendar=calendar, start=app.clock_start_date, basis=snapshot["processing_basis"], excluded=excluded
        )
        days_used = counter.between(app.clock_start_date, end)
    left = days_left_on(app, today=today)
    if left is None and app.status in OPEN_CASE and app.due_date and not app.clock_running:
        open_stop = next((s for s in stops if s.restarted_on is None), None)
        left = (app.due_date - open_stop.stopped_on).days if open_stop else None
    return ClockSummary(
        start=app.clock_start_date,
        due=app.due_date,
        basis=snapshot.get("processing_basis", ""),
        processing_days=snapshot.get("processing_days"),
        running=app.clock_running and app.status in OPEN_CASE,
        counted_until=end,
        days_used=days_used,
        days_left=left,
        stops=rows,
    )


@dataclass(frozen=True)
class HistoryRow:
    when: Any
    who: str
    kind: str
    changes: list[tuple[str, str, str]]


def _history_value(field: Any, value: Any, users: dict[int, str]) -> str:
    if value in (None, ""):
        return "—"
    if field is None:
        return str(value)
    if field.name == "regime_snapshot" and isinstance(value, dict):
        if not value:
            return "—"
        return (
            f"{value.get('licence_type', '?')} regime, rule #{value.get('rule_id', '?')}, "
            f"{value.get('processing_days', '?')} {value.get('processing_basis', '')} days"
        )
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if field.is_relation:
        if field.related_model is User:
            return users.get(value, f"user #{value}")
        return f"#{value}"
    return str(value)


def field_history(app: Application) -> list[HistoryRow]:
    """The field-level audit trail from django-simple-history, newest first (one query for the rows,
    one for the names of the users they mention)."""
    records = list(app.history.select_related("history_user").order_by("history_date", "history_id"))
    fields = {f.name: f for f in Application._meta.fields}
    user_ids = {v for r in records for v in (r.assigned_to_id, r.decided_by_id, r.applicant_id) if v is not None}
    users = dict(User.objects.filter(pk__in=user_ids).values_list("pk", "username"))
    rows: list[HistoryRow] = []
    previous = None
    for record in records:
        changes: list[tuple[str, str, str]] = []
        if previous is not None:
            delta = record.diff_against(previous)
            for change in delta.changes:
                field = fields.get(change.field)
                label = str(field.verbose_name) if field is not None else change.field
                changes.append(
                    (label, _history_value(field, change.old, users), _history_value(field, change.new, users))
                )
        who = record.history_user.get_username() if record.history_user else "system"
        rows.append(
            HistoryRow(when=record.history_date, who=who, kind=record.get_history_type_display(), changes=changes)
        )
        previous = record
    return list(reversed(rows))


def document_download_url(document_pk: int) -> str | None:
    """The permission-checked download view (licensing:document_download), when it is installed."""
    try:
        return reverse("licensing:document_download", args=[document_pk])
    except NoReverseMatch:
        return None


def case_events(app: Application, licence: Licence | None) -> list[Event]:
    """The application's events and its licence's, in order (the audit trail for this case)."""
    subjects = Q(subject_type="application", subject_id=str(app.pk))
    if licence is not None:
        subjects |= Q(subject_type="licence", subject_id=str(licence.pk))
    return list(Event.objects.filter(subjects).select_related("actor").order_by("id"))


# --- Actions ------------------------------------------------------------------------------------


def _not_mine(app: Application, user: Any) -> bool:
    return app.status in OPEN_CASE and app.assigned_to_id != user.pk


def _cannot_decide(app: Application, user: Any) -> bool:
    # Supervisors decide; the recommendation buttons are for the officers who prepare the case.
    return not user.has_perm("licensing.decide_application")


def _recommend_action(recommendation: str, name: str, label: str, noun: str) -> ObjectAction:
    return ObjectAction(
        name=name,
        label=label,
        perm="licensing.review_application",
        transition=recommendation,
        field="note",
        field_label="Reasoning for the supervisor",
        required=True,
        available=_cannot_decide,
        help="Internal: recorded on the case for the supervisor who decides; the exporter never sees it.",
        run=lambda app, user, text: application_recommend(
            application=app, official=user, recommendation=recommendation, note=text
        ),
        done=lambda app, _: f"{noun} of {app.reference} recommended.",
    )


APPLICATION_ACTIONS = {
    a.name: a
    for a in (
        ObjectAction(
            name="assign_to_me",
            label="Assign to me",
            perm="licensing.review_application",
            available=_not_mine,
            run=lambda app, user, _: application_assign(application=app, official=user, assignee=user),
            done=lambda app, _: f"{app.reference} is assigned to you.",
        ),
        ObjectAction(
            name="start_review",
            label="Start review",
            perm="licensing.review_application",
            transition="start_review",
            style="primary",
            run=lambda app, user, _: application_start_review(application=app, official=user),
            done=lambda app, _: f"Review of {app.reference} started.",
        ),
        ObjectAction(
            name="request_information",
            label="Request information",
            perm="licensing.review_application",
            transition="request_information",
            field="message",
            field_label="Question for the exporter",
            required=True,
            help="The clock stops until the exporter answers.",
            run=lambda app, user, text: application_request_information(application=app, official=user, message=text),
            done=lambda app, _: f"Question sent on {app.reference}; the clock is stopped until the exporter answers.",
        ),
        _recommend_action("approve", "recommend_approval", "Recommend approval", "Approval"),
        _recommend_action("reject", "recommend_rejection", "Recommend rejection", "Rejection"),
        ObjectAction(
            name="approve",
            label="Approve and issue the licence",
            perm="licensing.decide_application",
            transition="approve",
            field="conditions",
            field_label="Conditions (optional)",
            style="primary",
            confirm="Approve this application and issue the licence?",
            help="The licence takes the type and validity of the regime frozen at submission.",
            run=lambda app, user, text: application_approve(application=app, official=user, conditions=text.strip()),
            done=lambda app, licence: (
                f"{app.reference} approved: licence {licence.number} issued, valid until "
                f"{licence.valid_until:%Y-%m-%d}."
            ),
        ),
        ObjectAction(
            name="reject",
            label="Reject",
            perm="licensing.decide_application",
            transition="reject",
            field="reason",
            field_label="Reason for the rejection",
            required=True,
            style="danger",
            confirm="Reject this application?",
            run=lambda app, user, text: application_reject(application=app, official=user, reason=text),
            done=lambda app, _: f"{app.reference} rejected.",
        ),
    )
}


# --- The admin ----------------------------------------------------------------------------------


@admin.register(Application)
class ApplicationAdmin(ObjectActionsMixin, OfficialAdminMixin, ReadOnlyHistoryAdmin):
    """The queue (changelist) and the case page (read-only, with the action buttons)."""

    object_actions = APPLICATION_ACTIONS
    change_form_template = "admin/licensing/application/change_form.html"
    change_list_template = "admin/licensing/application/change_list.html"

    list_display = (
        "reference",
        "organisation",
        "item",
        "destination_code",
        "licence_type",
        "status",
        "days_left",
        "due_date",
        "assigned_to",
    )
    list_display_links = ("reference",)
    list_filter = (
        StatusFilter,
        "licence_type",
        DeadlineFilter,
        "item",
        DestinationFilter,
        AssigneeFilter,
    )
    search_fields = ("reference", "organisation__name", "consignee_name", "end_user_name")
    search_help_text = "Reference, exporter, consignee or end user."
    list_select_related = ("organisation", "item", "authority", "assigned_to")
    list_per_page = 50
    show_full_result_count = False
    actions = ("assign_to_me", "start_review")

    fieldsets = (
        ("Case", {"fields": ("reference", "status", "organisation", "applicant", "authority", "submitted_at")}),
        (
            "Goods",
            {
                "fields": (
                    "item",
                    "destination",
                    "quantity",
                    "unit",
                    "value",
                    "currency",
                    "shipment_window_start",
                    "shipment_window_end",
                )
            },
        ),
        ("Consignee", {"fields": ("consignee_name", "consignee_address", "consignee_country")}),
        ("End user", {"fields": ("end_user_name", "end_user_address", "end_user_country", "end_use")}),
        ("Handling", {"fields": ("assigned_to", "decided_at", "decided_by", "decision_reason")}),
    )
    readonly_fields = tuple(f for _, opts in fieldsets for f in opts["fields"])

    # Officials never edit an exporter's submission, and exporters file applications: the page is
    # read-only for everyone (superusers included) and changes happen only through the actions.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_review_permission(self, request: HttpRequest) -> bool:
        user: Any = request.user
        return bool(user.authority_id) and user.has_perm("licensing.review_application")

    def get_ordering(self, request: HttpRequest) -> tuple[str, ...]:
        # Urgency: running clocks by due date, then stopped clocks, then closed cases (an annotation,
        # so not declared as ``ordering``, which the system checks restrict to model fields).
        return ("urgency", "due_date", "submitted_at", "pk")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Application]:
        qs = application_queue()
        user: Any = request.user
        if not user.is_superuser:
            qs = qs.filter(authority_id=user.authority_id)
        return qs

    def get_object(self, request: HttpRequest, object_id: str, from_field: str | None = None) -> Any:
        # The case page also shows the applicant and the decider: join them (the queue does not need them).
        model = self.model
        field = model._meta.pk if from_field is None else model._meta.get_field(from_field)
        try:
            object_id = field.to_python(object_id)
            return self.get_queryset(request).select_related("applicant", "decided_by").get(**{field.name: object_id})
        except (model.DoesNotExist, ValidationError, ValueError):
            return None

    @admin.display(description="destination", ordering="destination")
    def destination_code(self, obj: Application) -> str:
        return obj.destination.code

    @admin.display(description="days left", ordering="due_date")
    def days_left(self, obj: Application) -> str:
        if obj.status not in OPEN_CASE or obj.due_date is None:
            return format_html('<span class="kyoka-days kyoka-days--closed">{}</span>', "—")
        left = days_left_on(obj, today=authority_today(obj.authority))
        if not obj.clock_running:
            if left is None:
                return format_html('<span class="kyoka-days kyoka-days--paused">{}</span>', "stopped")
            return format_html(
                '<span class="kyoka-days kyoka-days--paused" title="Clock stopped on {}">stopped · {} left</span>',
                obj.open_stop_on,  # type: ignore[attr-defined]
                left,
            )
        assert left is not None
        if left < 0:
            css, text = "overdue", f"{-left} day{'s' if left != -1 else ''} overdue"
        elif left == 0:
            css, text = "urgent", "due today"
        elif left <= 2:
            css, text = "urgent", f"{left} day{'s' if left != 1 else ''}"
        elif left <= 7:
            css, text = "soon", f"{left} days"
        else:
            css, text = "ok", f"{left} days"
        return format_html('<span class="kyoka-days kyoka-days--{}">{}</span>', css, text)

    # --- bulk actions -------------------------------------------------------------------------

    @admin.action(description="Assign the selected applications to me", permissions=["review"])
    def assign_to_me(self, request: HttpRequest, queryset: QuerySet[Application]) -> None:
        run_bulk(
            request,
            queryset,
            lambda app: application_assign(application=app, official=request.user, assignee=request.user),
            done="Assigned to you",
        )

    @admin.action(description="Start the review of the selected applications", permissions=["review"])
    def start_review(self, request: HttpRequest, queryset: QuerySet[Application]) -> None:
        run_bulk(
            request,
            queryset,
            lambda app: application_start_review(application=app, official=request.user),
            done="Review started",
        )

    # --- pages --------------------------------------------------------------------------------

    def get_urls(self) -> list[Any]:
        dashboard = self.admin_site.admin_view(lambda request: dashboard_view(self, request))
        return [path("dashboard/", dashboard, name="licensing_application_dashboard"), *super().get_urls()]

    def render_change_form(
        self,
        request: HttpRequest,
        context: dict[str, Any],
        add: bool = False,
        change: bool = False,
        form_url: str = "",
        obj: Any = None,
    ) -> Any:
        if obj is not None:
            context.update(self.case_context(obj))
        return super().render_change_form(request, context, add, change, form_url, obj)

    def case_context(self, app: Application) -> dict[str, Any]:
        today = authority_today(app.authority)
        snapshot = app.regime_snapshot or {}
        documents = list(app.documents.select_related("document_type", "uploaded_by", "information_request"))
        for doc in documents:
            doc.download_url = document_download_url(doc.pk)  # type: ignore[attr-defined]
        uploaded = {d.document_type_id for d in documents}
        checklist = [{**d, "uploaded": d.get("document_type_id") in uploaded} for d in snapshot.get("documents", [])]
        licence = Licence.objects.filter(application=app).first()
        return {
            "today": today,
            "local_tz": app.authority.timezone,
            "snapshot": snapshot,
            "regime_explanation": snapshot.get("explanation", ""),
            "clock": clock_summary(app, today=today),
            "documents": documents,
            "checklist": checklist,
            "information_requests": list(
                app.information_requests.select_related("requested_by", "responded_by").order_by("requested_at")
            ),
            "case_events": case_events(app, licence),
            "field_history": field_history(app),
            "licence": licence,
            "next_week": today + timedelta(days=7),
            "now": timezone.now(),
        }
