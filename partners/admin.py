"""Admin for partner access: API keys (shown once, revocable), webhook endpoints and the delivery log.

Every write goes through partners.services.
"""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework_api_key.models import APIKey as LibraryAPIKey

from licensing.api.serializers import EVENT_TYPES
from partners import services
from partners.models import APIKey, Scope, WebhookDelivery, WebhookEndpoint

# The library's own APIKey model is unused (Kyoka's keys carry an organisation and scopes).
if admin.site.is_registered(LibraryAPIKey):
    admin.site.unregister(LibraryAPIKey)


class APIKeyForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(choices=Scope.choices, widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = APIKey
        fields = ["organisation", "name", "scopes", "expiry_date"]


@admin.register(APIKey)
class APIKeyAdmin(admin.ModelAdmin):
    form = APIKeyForm
    list_display = ["name", "prefix", "organisation", "scopes_display", "created", "expiry_date", "usable"]
    list_filter = ["revoked", "organisation"]
    search_fields = ["name", "prefix", "organisation__name"]
    readonly_fields = ["prefix", "created", "revoked", "revoked_at", "created_by"]
    actions = ["revoke_keys"]

    def get_readonly_fields(self, request: HttpRequest, obj: APIKey | None = None) -> list[str]:
        fields = list(self.readonly_fields)
        if obj is not None:
            fields.append("organisation")  # a key never moves to another organisation
            if obj.revoked:
                fields += ["name", "scopes", "expiry_date"]
        return fields

    @admin.display(description=_("scopes"))
    def scopes_display(self, obj: APIKey) -> str:
        return ", ".join(obj.scopes)

    @admin.display(boolean=True, description=_("usable"))
    def usable(self, obj: APIKey) -> bool:
        return obj.is_usable

    def save_model(self, request: HttpRequest, obj: APIKey, form: Any, change: bool) -> None:
        try:
            if change:
                services.api_key_update(
                    api_key=obj, name=obj.name, scopes=form.cleaned_data["scopes"], expires_at=obj.expiry_date
                )
                return
            created, raw = services.api_key_create(
                organisation=obj.organisation,
                name=obj.name,
                scopes=form.cleaned_data["scopes"],
                expires_at=obj.expiry_date,
                created_by=request.user,
            )
        except ValidationError as exc:
            self.message_user(request, "; ".join(exc.messages), messages.ERROR)
            raise
        for field in APIKey._meta.concrete_fields:
            setattr(obj, field.attname, getattr(created, field.attname))
        obj._state.adding = False
        self.message_user(
            request,
            _("The API key for “%(name)s” is: %(key)s — copy it now: it is stored hashed and cannot be shown again.")
            % {"name": created.name, "key": raw},
            messages.WARNING,
        )

    @admin.action(description=_("Revoke the selected keys (cannot be undone)"))
    def revoke_keys(self, request: HttpRequest, queryset: QuerySet[APIKey]) -> None:
        for key in queryset:
            services.api_key_revoke(api_key=key)
        self.message_user(request, _("%(n)d key(s) revoked.") % {"n": queryset.count()})

    def has_delete_permission(self, request: HttpRequest, obj: APIKey | None = None) -> bool:
        return False  # revoke instead: the row stays as a record of who had access


class WebhookEndpointForm(forms.ModelForm):
    url = forms.URLField(max_length=500, assume_scheme="https", help_text=_("https only."))
    event_types = forms.MultipleChoiceField(choices=[(t, t) for t in EVENT_TYPES], widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = WebhookEndpoint
        fields = ["organisation", "url", "description", "event_types"]

    def clean_url(self) -> str:
        url = self.cleaned_data["url"]
        try:
            services.webhook_url_check(url)
        except ValidationError as exc:
            raise ValidationError(exc.messages) from exc
        return url


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    form = WebhookEndpointForm
    list_display = ["url", "organisation", "is_active", "consecutive_failures", "disabled_at", "created_at"]
    list_filter = ["is_active", "organisation"]
    search_fields = ["url", "organisation__name", "description"]
    readonly_fields = [
        "secret",
        "is_active",
        "consecutive_failures",
        "disabled_at",
        "disabled_reason",
        "created_by_key",
        "created_at",
        "updated_at",
    ]
    actions = ["enable", "disable", "rotate_secret"]

    def save_model(self, request: HttpRequest, obj: WebhookEndpoint, form: Any, change: bool) -> None:
        data = form.cleaned_data
        if change:
            services.webhook_endpoint_update(
                endpoint=obj, url=data["url"], description=data.get("description", ""), event_types=data["event_types"]
            )
            return
        created = services.webhook_endpoint_create(
            organisation_id=data["organisation"].pk,
            url=data["url"],
            event_types=data["event_types"],
            description=data.get("description", ""),
        )
        for field in WebhookEndpoint._meta.concrete_fields:
            setattr(obj, field.attname, getattr(created, field.attname))
        obj._state.adding = False

    @admin.action(description=_("Enable (and resend pending deliveries)"))
    def enable(self, request: HttpRequest, queryset: QuerySet[WebhookEndpoint]) -> None:
        for endpoint in queryset:
            services.webhook_endpoint_enable(endpoint=endpoint)

    @admin.action(description=_("Disable"))
    def disable(self, request: HttpRequest, queryset: QuerySet[WebhookEndpoint]) -> None:
        for endpoint in queryset:
            services.webhook_endpoint_disable(endpoint=endpoint, reason=f"Disabled by {request.user} in the admin.")

    @admin.action(description=_("Rotate the signing secret"))
    def rotate_secret(self, request: HttpRequest, queryset: QuerySet[WebhookEndpoint]) -> None:
        for endpoint in queryset:
            services.webhook_endpoint_rotate_secret(endpoint=endpoint)
        self.message_user(request, _("New secrets are shown on each endpoint's page; tell the partner."))


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ["event", "endpoint", "status", "attempts", "response_status", "last_attempt_at", "next_attempt_at"]
    list_filter = ["status", "endpoint__organisation"]
    search_fields = ["endpoint__url", "event__verb", "uuid"]
    list_select_related = ["event", "endpoint", "endpoint__organisation"]
    readonly_fields = [f.name for f in WebhookDelivery._meta.fields]
    actions = ["retry_now"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: WebhookDelivery | None = None) -> bool:
        return False

    @admin.action(description=_("Retry now"))
    def retry_now(self, request: HttpRequest, queryset: QuerySet[WebhookDelivery]) -> None:
        ids = services.webhook_deliveries_retry(deliveries=queryset, now=timezone.now())
        self.message_user(request, _("%(n)d delivery(ies) queued.") % {"n": len(ids)})
