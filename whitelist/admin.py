"""The whitelist in the admin: authorities, their country groups, each country's grouping history,
scheduled amendments (with an impact preview before they are saved) and office closures."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import quote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django_countries import countries

from licensing.admin.base import (
    AuthorityScopedMixin,
    ObjectAction,
    ObjectActionsMixin,
    OfficialAdminMixin,
    ReadOnlyHistoryAdmin,
    error_text,
    run_bulk,
)
from licensing.errors import DomainError
from licensing.selectors.impact import amendment_impact
from licensing.selectors.queue import authority_today

from .models import Amendment, Authority, CalendarClosure, CountryGroup, Grouping
from .services import amendment_cancel, amendment_schedule, grouping_validate


@admin.register(Authority)
class AuthorityAdmin(OfficialAdminMixin, admin.ModelAdmin):
    list_display = ("code", "name", "country", "timezone", "holiday_calendar", "default_group")
    list_select_related = ("default_group__authority",)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(CountryGroup)
class CountryGroupAdmin(AuthorityScopedMixin, admin.ModelAdmin):
    list_display = ("code", "name", "authority", "trust_rank")
    list_filter = ("authority",)
    search_fields = ("code", "name")
    list_select_related = ("authority",)
    ordering = ("authority", "-trust_rank", "code")

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # groupings, rules and amendments refer to groups


# --- Groupings ----------------------------------------------------------------------------------


class GroupingForm(forms.ModelForm):
    class Meta:
        model = Grouping
        fields = ("authority", "country", "group", "effective_from", "effective_to", "legal_basis", "source")

    def _post_clean(self) -> None:
        super()._post_clean()
        if not self._errors:
            try:
                grouping_validate(self.instance)
            except ValidationError as exc:
                self._update_errors(exc)


class CountryFilter(admin.SimpleListFilter):
    """The countries that have grouping rows (not all 250)."""

    title = "country"
    parameter_name = "country"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        codes = Grouping.objects.order_by().values_list("country", flat=True).distinct()
        return sorted(((c, f"{countries.name(c)} ({c})") for c in codes), key=lambda c: c[1])

    def queryset(self, request: HttpRequest, queryset: QuerySet[Grouping]) -> QuerySet[Grouping]:
        return queryset.filter(country=self.value()) if self.value() else queryset


@admin.register(Grouping)
class GroupingAdmin(AuthorityScopedMixin, ReadOnlyHistoryAdmin):
    """Each authority's grouping of each country over time. Pick a country to read its history.

    Changes of group go through amendments (scheduled, announced, recorded as events); editing a
    row here is a correction of reference data, checked for overlaps by ``grouping_validate``.
    """

    form = GroupingForm
    authority_limited_fks = {"group": "authority_id"}
    list_display = (
        "country_label",
        "authority",
        "group",
        "effective_from",
        "effective_to",
        "amendment",
        "legal_basis",
        "history_link",
    )
    list_filter = ("authority", CountryFilter, "group")
    search_fields = ("country", "legal_basis")
    list_select_related = ("authority", "group__authority", "amendment__authority", "amendment__new_group")
    ordering = ("authority", "country", "effective_from")
    list_per_page = 100

    @admin.display(description="country", ordering="country")
    def country_label(self, obj: Grouping) -> str:
        return f"{obj.country.name} ({obj.country.code})"

    @admin.display(description="history")
    def history_link(self, obj: Grouping) -> str:
        url = reverse("admin:whitelist_grouping_changelist")
        return format_html(
            '<a href="{}?country={}&amp;authority__id__exact={}">{} history</a>',
            url,
            obj.country.code,
            obj.authority_id,
            obj.country.code,
        )

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and obj.amendment_id is not None:
            return False  # cancel the amendment instead: it puts the rows back as they were
        return super().has_delete_permission(request, obj)

    def get_actions(self, request: HttpRequest) -> dict:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # one row at a time, so the amendment check applies
        return actions


# --- Amendments ---------------------------------------------------------------------------------


class AmendmentScheduleForm(forms.Form):
    authority = forms.ModelChoiceField(queryset=Authority.objects.all())
    country = forms.ChoiceField(choices=[("", "---------"), *countries])
    new_group = forms.ModelChoiceField(queryset=CountryGroup.objects.select_related("authority"))
    effective_date = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="The new group applies from 00:00 (authority time) on this day.",
    )
    legal_basis = forms.CharField(
        max_length=300, label="Legal basis / notice reference", help_text="e.g. the cabinet order and its date."
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not user.is_superuser:
            self.fields["authority"].queryset = Authority.objects.filter(pk=user.authority_id)
            self.fields["authority"].initial = user.authority_id
            self.fields["new_group"].queryset = CountryGroup.objects.filter(
                authority_id=user.authority_id
            ).select_related("authority")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        authority, group, when = data.get("authority"), data.get("new_group"), data.get("effective_date")
        if authority and group and group.authority_id != authority.pk:
            self.add_error("new_group", "That group belongs to another authority.")
        if authority and when and when <= authority_today(authority):
            self.add_error("effective_date", "An amendment takes effect at 00:00 on its date: give a future date.")
        return data


def _cancel(amendment: Amendment, user: Any, _: str) -> Amendment:
    return amendment_cancel(amendment=amendment, user=user)


AMENDMENT_ACTIONS = {
    "cancel": ObjectAction(
        name="cancel",
        label="Cancel this amendment",
        perm="whitelist.change_amendment",
        available=lambda a, _: a.status == Amendment.Status.SCHEDULED,
        style="danger",
        confirm="Cancel the amendment? The grouping rows go back as they were.",
        run=_cancel,
        done=lambda a, _: f"Amendment cancelled: {a.country.code} stays in its previous group.",
    )
}


@admin.register(Amendment)
class AmendmentAdmin(ObjectActionsMixin, AuthorityScopedMixin, admin.ModelAdmin):
    """Scheduling goes through a form with an impact preview; the record itself is read-only."""

    object_actions = AMENDMENT_ACTIONS
    change_form_template = "admin/whitelist/amendment/change_form.html"
    list_display = (
        "country_label",
        "authority",
        "previous_group",
        "new_group",
        "effective_date",
        "status",
        "legal_basis",
        "created_by",
    )
    list_filter = ("status", "authority", "new_group")
    search_fields = ("country", "legal_basis")
    list_select_related = ("authority", "previous_group__authority", "new_group__authority", "created_by")
    ordering = ("-effective_date", "-id")
    actions = ("cancel_selected",)
    fields = (
        "authority",
        "country",
        "previous_group",
        "new_group",
        "effective_date",
        "legal_basis",
        "status",
        "created_by",
        "created_at",
        "activated_at",
    )
    readonly_fields = fields

    @admin.display(description="country", ordering="country")
    def country_label(self, obj: Amendment) -> str:
        return f"{obj.country.name} ({obj.country.code})"

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # an amendment is scheduled or cancelled, never edited

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_cancel_permission(self, request: HttpRequest) -> bool:
        user: Any = request.user
        return bool(user.authority_id) and user.has_perm("whitelist.change_amendment")

    @admin.action(description="Cancel the selected amendments", permissions=["cancel"])
    def cancel_selected(self, request: HttpRequest, queryset: QuerySet[Amendment]) -> None:
        user: Any = request.user
        allowed = [a for a in queryset if user.is_superuser or a.authority_id == user.authority_id]
        run_bulk(request, allowed, lambda a: amendment_cancel(amendment=a, user=request.user), done="Cancelled")

    def add_view(self, request: HttpRequest, form_url: str = "", extra_context: Any = None) -> HttpResponse:
        """Schedule: fill in the form → preview the impact → confirm (``amendment_schedule``)."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = AmendmentScheduleForm(request.POST if request.method == "POST" else None, user=request.user)
        impact = None
        if request.method == "POST" and form.is_valid() and "_edit" not in request.POST:
            data = form.cleaned_data
            if "_confirm" in request.POST:
                try:
                    amendment = amendment_schedule(
                        authority=data["authority"],
                        country=data["country"],
                        new_group=data["new_group"],
                        effective_date=data["effective_date"],
                        legal_basis=data["legal_basis"],
                        user=request.user,
                    )
                except ValidationError as exc:
                    form.add_error(None, exc)
                except DomainError as exc:
                    form.add_error(None, error_text(exc))
                else:
                    self.log_addition(request, amendment, [{"added": {}}])
                    messages.success(request, f"Amendment scheduled: {amendment}.")
                    url = reverse("admin:whitelist_amendment_change", args=[quote(amendment.pk)])
                    return HttpResponseRedirect(url)
            if not form.errors:
                impact = amendment_impact(
                    authority=data["authority"],
                    country=data["country"],
                    new_group=data["new_group"],
                    effective_date=data["effective_date"],
                )
        context = {
            **self.admin_site.each_context(request),
            "title": "Preview the amendment's impact" if impact else "Schedule an amendment",
            "opts": self.model._meta,
            "form": form,
            "impact": impact,
            "media": self.media + form.media,
            **(extra_context or {}),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/whitelist/amendment/schedule.html", context)

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
            context["groupings"] = list(obj.groupings.select_related("group").order_by("effective_from"))
            if obj.status == Amendment.Status.SCHEDULED:
                context["impact"] = amendment_impact(
                    authority=obj.authority,
                    country=str(obj.country),
                    new_group=obj.new_group,
                    effective_date=obj.effective_date,
                )
        return super().render_change_form(request, context, add, change, form_url, obj)


@admin.register(CalendarClosure)
class CalendarClosureAdmin(AuthorityScopedMixin, ReadOnlyHistoryAdmin):
    list_display = ("name", "authority", "start", "end", "repeats_yearly")
    list_filter = ("authority", "repeats_yearly")
    search_fields = ("name",)
    list_select_related = ("authority",)
    ordering = ("authority", "start")
