"""What every Kyoka admin shares: who may see it, authority scoping, read-only audit, service errors.

The admin is the officials' workplace. Exporter and partner accounts are never staff, so Django's
own ``AdminSite.has_permission`` keeps them out; on top of that the licensing, whitelist and
materials admins answer only to officials (staff with an authority) and superusers, and an
official changes only their own authority's data.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import admin, messages
from django.contrib.admin.utils import quote, unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import SimpleTemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django_fsm import can_proceed
from simple_history.admin import SimpleHistoryAdmin

from licensing.errors import ApplicationIncomplete, DomainError
from licensing.permissions import is_official
from licensing.selectors.queue import official_authority


def may_use_admin(user: Any) -> bool:
    """Officials (staff with an authority) and superusers; never exporter or partner accounts."""
    return bool(user and user.is_active and (user.is_superuser or is_official(user)))


class OfficialAdminMixin:
    """Only officials and superusers see or touch the model, whatever their model permissions."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return may_use_admin(request.user) and super().has_module_permission(request)  # type: ignore[misc]

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return may_use_admin(request.user) and super().has_view_permission(request, obj)  # type: ignore[misc]

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return may_use_admin(request.user) and super().has_add_permission(request, *args)  # type: ignore[misc]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return may_use_admin(request.user) and super().has_change_permission(request, obj)  # type: ignore[misc]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return may_use_admin(request.user) and super().has_delete_permission(request, obj)  # type: ignore[misc]

    # Dates and times on the pages read in the official's authority's time zone (stored in UTC).
    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        return _in_authority_time(
            request,
            lambda: super(OfficialAdminMixin, self).changelist_view(  # type: ignore[misc]
                request, extra_context
            ),
        )

    def changeform_view(
        self, request: HttpRequest, object_id: str | None = None, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        return _in_authority_time(
            request,
            lambda: super(OfficialAdminMixin, self).changeform_view(  # type: ignore[misc]
                request, object_id, form_url, extra_context
            ),
        )


def _in_authority_time(request: HttpRequest, view: Callable[[], HttpResponse]) -> HttpResponse:
    authority = official_authority(request.user) if may_use_admin(request.user) else None
    with timezone.override(ZoneInfo(authority.timezone) if authority else None):
        response = view()
        if isinstance(response, SimpleTemplateResponse) and not response.is_rendered:
            response.render()  # render now, while the time zone is in effect
    return response


def own_authority(request: HttpRequest, obj: Any, field: str = "authority") -> bool:
    """True for a superuser, or when ``obj`` belongs to the official's authority."""
    user: Any = request.user
    if obj is None or user.is_superuser:
        return True
    return getattr(obj, f"{field}_id") == user.authority_id


class AuthorityScopedMixin(OfficialAdminMixin):
    """Reference data keyed by authority (rules, groups, closures, document types, groupings).

    The law of every authority may be read (officials compare them); only an official's own
    authority's rows may be changed, and new rows can only be made for it.
    """

    authority_field = "authority"
    # ForeignKey fields whose choices are limited to the official's authority: field → lookup to the authority.
    authority_limited_fks: dict[str, str] = {}

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_change_permission(request, obj) and own_authority(request, obj, self.authority_field)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_delete_permission(request, obj) and own_authority(request, obj, self.authority_field)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        user: Any = request.user
        if not user.is_superuser and user.authority_id:
            if db_field.name == self.authority_field:
                kwargs["queryset"] = db_field.remote_field.model.objects.filter(pk=user.authority_id)
                kwargs["initial"] = user.authority_id
            elif db_field.name in self.authority_limited_fks:
                lookup = self.authority_limited_fks[db_field.name]
                kwargs["queryset"] = db_field.remote_field.model.objects.filter(**{lookup: user.authority_id})
        return super().formfield_for_foreignkey(db_field, request, **kwargs)  # type: ignore[misc]

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        initial = super().get_changeform_initial_data(request)  # type: ignore[misc]
        user: Any = request.user
        if user.authority_id:
            initial.setdefault(self.authority_field, user.authority_id)
        return initial


class ReadOnlyHistoryAdmin(SimpleHistoryAdmin):
    """The field-level history pages, never a way to edit: no "revert", and the history form
    refuses any POST (simple_history's form view would otherwise save an old version straight
    through ``save_model``, bypassing the services)."""

    def revert_disabled(self, request: HttpRequest, obj: Any = None) -> bool:
        return True

    def history_form_view(
        self, request: HttpRequest, object_id: str, version_id: str, extra_context: dict | None = None
    ) -> Any:
        if request.method not in ("GET", "HEAD"):
            raise PermissionDenied("The history is read-only.")
        return super().history_form_view(request, object_id, version_id, extra_context)


class ReadOnlyAdminMixin:
    """For the audit trail: nobody adds, changes or deletes through the admin, superusers included."""

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def error_text(exc: DomainError | ValidationError) -> str:
    """One line for a message: the domain error's message, with any field details."""
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    text = exc.message
    if isinstance(exc, ApplicationIncomplete) and exc.fields:
        details = " ".join(v for v in exc.fields.values() if v not in text)
        text = f"{text} {details}".strip()
    return text


@dataclass(frozen=True)
class ObjectAction:
    """A button on an object's page that POSTs to a view calling one service.

    ``transition``: the FSM method that must be able to proceed for the button to show.
    ``available``: any further condition for showing it. ``field``: the text the official must
    (``required``) or may give, e.g. the reason. The buttons are a convenience: the service is
    the check that counts, and refuses with a message whatever the page showed.
    """

    name: str
    label: str
    perm: str
    run: Callable[[Any, Any, str], Any]
    done: Callable[[Any, Any], str]
    transition: str = ""
    available: Callable[[Any, Any], bool] | None = None
    field: str = ""
    field_label: str = ""
    required: bool = False
    style: str = "default"  # default | primary | danger
    confirm: str = ""
    help: str = ""


class ObjectActionsMixin:
    """Adds ``<pk>/do/<action>/`` (POST only, CSRF-checked by ``admin_view``) for ``object_actions``,
    and the buttons the user may press to the change page's context as ``object_actions``."""

    object_actions: dict[str, ObjectAction] = {}

    def action_available(self, request: HttpRequest, obj: Any, action: ObjectAction) -> bool:
        user: Any = request.user
        if not (is_official(user) and user.authority_id == obj.authority_id and user.has_perm(action.perm)):
            return False
        if action.transition and not can_proceed(getattr(obj, action.transition)):
            return False
        return action.available is None or action.available(obj, user)

    def available_actions(self, request: HttpRequest, obj: Any) -> list[ObjectAction]:
        return [a for a in self.object_actions.values() if self.action_available(request, obj, a)]

    def get_urls(self) -> list[Any]:
        opts = self.model._meta  # type: ignore[attr-defined]
        view = self.admin_site.admin_view(self.object_action_view)  # type: ignore[attr-defined]
        urls = [
            path(
                "<path:object_id>/do/<slug:action>/",
                view,
                name=f"{opts.app_label}_{opts.model_name}_action",
            )
        ]
        return urls + super().get_urls()  # type: ignore[misc]

    def object_action_view(self, request: HttpRequest, object_id: str, action: str) -> HttpResponse:
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        spec = self.object_actions.get(action)
        obj = self.get_object(request, unquote(object_id))  # type: ignore[attr-defined]
        if spec is None or obj is None or not self.has_view_permission(request, obj):  # type: ignore[attr-defined]
            raise Http404("No such object or action.")
        text = request.POST.get(spec.field, "") if spec.field else ""
        try:
            result = spec.run(obj, request.user, text)
        except (DomainError, ValidationError) as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, spec.done(obj, result))
        opts = self.model._meta  # type: ignore[attr-defined]
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[quote(obj.pk)])
        return HttpResponseRedirect(url)

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
            opts = self.model._meta  # type: ignore[attr-defined]
            context["object_actions"] = self.available_actions(request, obj)
            context["object_action_url"] = f"admin:{opts.app_label}_{opts.model_name}_action"
        return super().render_change_form(request, context, add, change, form_url, obj)  # type: ignore[misc]


def run_bulk(
    request: HttpRequest,
    objects: Iterable[models.Model],
    call: Callable[[Any], Any],
    *,
    done: str,
    label: Callable[[Any], str] = str,
) -> None:
    """Run one service per object, each in its own transaction; report what went through and what not."""
    ok, refused = [], []
    for obj in objects:
        try:
            call(obj)
        except (DomainError, ValidationError) as exc:
            refused.append(f"{label(obj)}: {error_text(exc)}")
        else:
            ok.append(label(obj))
    if ok:
        messages.success(request, f"{done}: {', '.join(ok)}.")
    for line in refused:
        messages.error(request, line)
    if not ok and not refused:
        messages.warning(request, "Nothing was selected.")


class KyokaModelAdmin(OfficialAdminMixin, admin.ModelAdmin):
    pass
