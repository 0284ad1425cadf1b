"""Partner API v1: one thin view per endpoint over selectors (reads) and services (writes)."""

from datetime import UTC, date, datetime
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponseBase
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django_countries import countries
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from licensing.api import serializers as s
from licensing.api.conditional import etag_for, is_not_modified, not_modified_response, validator_headers
from licensing.api.pagination import Page, keyset_page
from licensing.api.parsers import max_body_bytes
from licensing.api.permissions import HasScope, key_scopes
from licensing.api.problems import InvalidParameters, PayloadTooLarge, problem_json
from licensing.api.representations import event_as_dict
from licensing.api.schema import PartnerAutoSchema, error_responses, not_modified_response_doc
from licensing.selectors import api as sel
from licensing.selectors.regimes import determine_regime
from licensing.services.clock import local_date
from materials.models import ControlledItem
from partners import services as partner_services
from partners.models import APIKey, WebhookDelivery, WebhookEndpoint
from whitelist.models import Authority
from whitelist.selectors import group_on_date, grouping_history

IF_NONE_MATCH = OpenApiParameter(
    "If-None-Match",
    str,
    OpenApiParameter.HEADER,
    required=False,
    description="ETag of the representation you hold: 304 Not Modified, without a body, if it is still current.",
)


def _as_datetime(value: Any) -> datetime | None:
    """Raw SQL returns datetimes as text on SQLite."""
    if value is None or isinstance(value, datetime):
        return value
    parsed = parse_datetime(str(value))
    if parsed is not None and parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed


class PartnerAPIView(APIView):
    """Base: API-key auth, scopes, per-key throttle, bounded bodies, conditional GETs."""

    required_scopes: ClassVar[tuple[str, ...]] = ()
    permission_classes = [HasScope]
    schema = PartnerAutoSchema()

    def get_required_scopes(self, request: Request) -> tuple[str, ...]:
        return self.required_scopes

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        length = request.META.get("CONTENT_LENGTH") or "0"
        if length.isdigit() and int(length) > max_body_bytes():
            raise PayloadTooLarge(f"The request body is larger than {max_body_bytes()} bytes.")
        self._validators: tuple[str, datetime | None] | None = None
        super().initial(request, *args, **kwargs)

    def finalize_response(
        self, request: Request, response: HttpResponseBase, *args: Any, **kwargs: Any
    ) -> HttpResponseBase:
        response = super().finalize_response(request, response, *args, **kwargs)
        validators = getattr(self, "_validators", None)
        if validators is not None and request.method in ("GET", "HEAD") and response.status_code == 200:
            for name, value in validator_headers(*validators).items():
                response[name] = value
        elif request.method in ("GET", "HEAD") and "Cache-Control" not in response:
            response["Cache-Control"] = "private, no-store"
        rate = getattr(request, "rate_limit", None)
        if rate is not None:
            limit, remaining, reset = rate
            response["RateLimit-Limit"] = str(limit)
            response["RateLimit-Remaining"] = str(remaining)
            response["RateLimit-Reset"] = str(max(0, int(reset + 0.999)))
        return response

    # --- helpers ---------------------------------------------------------------------------------

    @property
    def api_key(self) -> APIKey:
        return self.request.auth  # type: ignore[return-value]

    @property
    def organisation_id(self) -> int:
        return self.api_key.organisation_id

    def params(self, serializer_class: type) -> dict[str, Any]:
        serializer = serializer_class(data=self.request.query_params)
        if not serializer.is_valid():
            raise InvalidParameters(
                {
                    name: messages[0] if isinstance(messages, list) else messages
                    for name, messages in serializer.errors.items()
                }
            )
        return dict(serializer.validated_data)

    def conditional(self, etag: str, last_modified: datetime | None = None) -> HttpResponseBase | None:
        """Remember the validators for the 200; answer 304 now if the client's copy is current."""
        self._validators = (etag, last_modified)
        if is_not_modified(self.request, etag, last_modified):
            return not_modified_response(etag, last_modified)
        return None

    def authority_param(self, code: str | None) -> Authority:
        code = (code or settings.KYOKA_DEFAULT_AUTHORITY).upper()
        authority = Authority.objects.select_related("default_group").filter(code=code).first()
        if authority is None:
            known = ", ".join(Authority.objects.order_by("code").values_list("code", flat=True))
            raise InvalidParameters({"authority": f"Unknown authority '{code}'; known: {known}."})
        return authority

    def page_response(self, page: Page, results: Any) -> dict[str, Any]:
        next_url = None
        if page.has_more and page.next_cursor:
            query = self.request.query_params.copy()
            query["cursor"] = page.next_cursor
            next_url = self.request.build_absolute_uri(f"{self.request.path}?{query.urlencode()}")
        return {"results": results, "next_cursor": page.next_cursor, "has_more": page.has_more, "next": next_url}


def _filtered(queryset: QuerySet, params: dict[str, Any]) -> QuerySet:
    if params.get("updated_since"):
        queryset = queryset.filter(updated_at__gte=params["updated_since"])
    return queryset


def _country_code(value: str) -> str | None:
    code = (value or "").upper()
    return code if len(code) == 2 and code.isalpha() and code in dict(countries) else None


LIST_ERRORS = error_responses(400, 401, 403, 429)
DETAIL_ERRORS = error_responses(401, 403, 404, 429)


# --- Reference data -------------------------------------------------------------------------------


class RegimeView(PartnerAPIView):
    required_scopes = ("regimes:read",)

    @extend_schema(
        operation_id="regime_determine",
        tags=["regimes"],
        summary="Which licence regime applies",
        description=(
            "The licence type, required documents, processing period and validity that apply to an item "
            "exported to a destination on a date, with the rule and the destination's group that decide it. "
            "**Scope:** `regimes:read`. A date no rule covers is a 404 `no-regime` problem; an unknown item, "
            "country, authority or a malformed date is a 400 naming the parameter."
        ),
        parameters=[s.RegimeParams, IF_NONE_MATCH],
        responses={
            200: s.RegimeSerializer,
            304: not_modified_response_doc(),
            **error_responses(400, 401, 403, 404, 429),
        },
    )
    def get(self, request: Request) -> HttpResponseBase:
        params = self.params(s.RegimeParams)
        authority = self.authority_param(params.get("authority"))
        destination = _country_code(params["destination"])
        if destination is None:
            raise InvalidParameters({"destination": f"'{params['destination']}' is not an ISO 3166-1 alpha-2 code."})
        item = ControlledItem.objects.filter(slug=params["item"]).first()
        if item is None:
            raise InvalidParameters({"item": f"No controlled item has the code '{params['item']}'."})
        on_date: date = params.get("date") or local_date(authority, timezone.now())
        marker = sel.regime_marker(authority=authority, country=destination)
        etag = etag_for(request, "regime", authority.pk, item.pk, item.slug, destination, on_date, marker)
        if (not_modified := self.conditional(etag)) is not None:
            return not_modified
        regime = determine_regime(authority=authority, item=item, destination=destination, on_date=on_date)
        rule, group = regime.rule, regime.group
        data = {
            "authority": authority.code,
            "item": item.slug,
            "destination": destination,
            "date": on_date,
            "licence_type": rule.licence_type,
            "bulk_type": rule.bulk_type or None,
            "required_documents": [
                {
                    "code": d.code,
                    "name": d.name,
                    "name_ja": d.name_ja,
                    "mandatory": d.mandatory,
                    "condition": d.condition,
                }
                for d in regime.documents
            ],
            "processing_period": {"days": rule.processing_days, "basis": rule.processing_basis},
            "validity_months": rule.validity_months,
            "destination_group": {"code": group.group.code, "name": group.group.name, "is_default": group.is_default},
            "rule": {
                "id": rule.pk,
                "effective_from": rule.effective_from,
                "effective_to": rule.effective_to,
                "legal_basis": rule.legal_basis,
            },
            "explanation": regime.explanation(),
        }
        return Response(s.RegimeSerializer(data).data)


class ItemListView(PartnerAPIView):
    required_scopes = ()

    @extend_schema(
        operation_id="items_list",
        tags=["regimes"],
        summary="Controlled items",
        description="The controlled goods and technologies, with their control-list entries. **Scope:** any.",
        parameters=[s.ListParams, IF_NONE_MATCH],
        responses={200: s.ItemPageSerializer, 304: not_modified_response_doc(), **LIST_ERRORS},
    )
    def get(self, request: Request) -> HttpResponseBase:
        params = self.params(s.ListParams)
        marker = sel.items_marker()
        last_modified = _as_datetime(marker[1])
        if (not_modified := self.conditional(etag_for(request, "items", marker), last_modified)) is not None:
            return not_modified
        page = keyset_page(
            _filtered(sel.items_active(), params), cursor=params.get("cursor"), page_size=params["page_size"]
        )
        return Response(self.page_response(page, s.ItemSerializer(page.rows, many=True).data))


class WhitelistView(PartnerAPIView):
    required_scopes = ("whitelist:read",)

    @extend_schema(
        operation_id="whitelist_country",
        tags=["whitelist"],
        summary="A country's group on a date, and its history",
        description=(
            "The group (e.g. Japan's A–D, Korea's Ga/Na) an authority puts the country in on the date, and every "
            "grouping period on record. **Scope:** `whitelist:read`. An unknown country code is a 404."
        ),
        parameters=[
            OpenApiParameter(
                "country",
                str,
                OpenApiParameter.PATH,
                pattern="^[A-Z]{2}$",
                description="ISO 3166-1 alpha-2 code, upper case, e.g. KR.",
                examples=[OpenApiExample("Korea", value="KR"), OpenApiExample("Japan", value="JP")],
            ),
            s.WhitelistParams,
            IF_NONE_MATCH,
        ],
        responses={
            200: s.WhitelistSerializer,
            304: not_modified_response_doc(),
            **error_responses(400, 401, 403, 404, 429),
        },
    )
    def get(self, request: Request, country: str) -> HttpResponseBase:
        code = _country_code(country)
        if code is None or code != country:
            raise NotFound(f"'{country}' is not an ISO 3166-1 alpha-2 code.")
        params = self.params(s.WhitelistParams)
        authority = self.authority_param(params.get("authority"))
        on_date: date = params.get("date") or local_date(authority, timezone.now())
        marker = sel.grouping_history_marker(authority=authority, country=code)
        if (
            not_modified := self.conditional(etag_for(request, "whitelist", authority.pk, on_date, marker))
        ) is not None:
            return not_modified
        current = group_on_date(authority=authority, country=code, on_date=on_date)
        data = {
            "country": code,
            "authority": authority.code,
            "date": on_date,
            "group": (
                {"code": current.group.code, "name": current.group.name, "is_default": current.is_default}
                if current
                else None
            ),
            "history": [
                {
                    "group": g.group.code,
                    "group_name": g.group.name,
                    "effective_from": g.effective_from,
                    "effective_to": g.effective_to,
                    "legal_basis": g.legal_basis,
                }
                for g in grouping_history(authority=authority, country=code)
            ],
        }
        return Response(s.WhitelistSerializer(data).data)


# --- Licences -------------------------------------------------------------------------------------


class LicenceListView(PartnerAPIView):
    required_scopes = ("licences:read",)

    @extend_schema(
        operation_id="licences_list",
        tags=["licences"],
        summary="The organisation's licences",
        description=(
            "Licences issued to the key's organisation, oldest change first (`updated_at`, then id). "
            "**Scope:** `licences:read` (`licences:verify` alone cannot list)."
        ),
        parameters=[s.ListParams, IF_NONE_MATCH],
        responses={200: s.LicencePageSerializer, 304: not_modified_response_doc(), **LIST_ERRORS},
    )
    def get(self, request: Request) -> HttpResponseBase:
        params = self.params(s.ListParams)
        marker = sel.events_marker(organisation_id=self.organisation_id)
        if (not_modified := self.conditional(etag_for(request, "licences", self.organisation_id, marker))) is not None:
            return not_modified
        queryset = _filtered(sel.licences_for_organisation(organisation_id=self.organisation_id), params)
        page = keyset_page(queryset, cursor=params.get("cursor"), page_size=params["page_size"])
        return Response(self.page_response(page, s.LicenceSerializer(page.rows, many=True).data))


class LicenceDetailView(PartnerAPIView):
    required_scopes = ("licences:read", "licences:verify")

    @extend_schema(
        operation_id="licences_retrieve",
        tags=["licences"],
        summary="One licence, by number",
        description=(
            "With `licences:read`: the organisation's own licence, in full. With `licences:verify` (customs): "
            "any licence, validity fields only (`LicenceVerification`). Another organisation's licence without "
            "`licences:verify` is a 404."
        ),
        parameters=[IF_NONE_MATCH],
        responses={
            200: OpenApiResponse(
                s.LicenceSerializer, description="Licence (licences:read) or LicenceVerification (licences:verify)"
            ),
            304: not_modified_response_doc(),
            **DETAIL_ERRORS,
        },
    )
    def get(self, request: Request, number: str) -> HttpResponseBase:
        licence = sel.licence_by_number(number=number)
        scopes = key_scopes(request)
        full = licence is not None and "licences:read" in scopes and licence.organisation_id == self.organisation_id
        if licence is None or not (full or "licences:verify" in scopes):
            raise NotFound(f"No licence {number} is visible to this key.")
        if full:
            etag = etag_for(request, "licence", licence.pk, licence.updated_at)
            if (not_modified := self.conditional(etag, licence.updated_at)) is not None:
                return not_modified
            return Response(s.LicenceSerializer(licence).data)
        today = timezone.now().astimezone(ZoneInfo(licence.authority_timezone)).date()
        etag = etag_for(request, "licence-verification", licence.pk, licence.updated_at, today)
        if (not_modified := self.conditional(etag, licence.updated_at)) is not None:
            return not_modified
        licence.checked_on = today  # type: ignore[attr-defined]
        licence.is_valid = (  # type: ignore[attr-defined]
            licence.status == "active" and licence.valid_from <= today <= licence.valid_until
        )
        return Response(s.LicenceVerificationSerializer(licence).data)


# --- Applications ---------------------------------------------------------------------------------


class ApplicationListView(PartnerAPIView):
    required_scopes = ("applications:read",)

    @extend_schema(
        operation_id="applications_list",
        tags=["applications"],
        summary="The organisation's applications",
        description=(
            "Applications of the key's organisation with status, frozen regime, due date, clock state and status "
            "history, oldest change first. **Scope:** `applications:read`."
        ),
        parameters=[s.ListParams, IF_NONE_MATCH],
        responses={200: s.ApplicationPageSerializer, 304: not_modified_response_doc(), **LIST_ERRORS},
    )
    def get(self, request: Request) -> HttpResponseBase:
        params = self.params(s.ListParams)
        marker = sel.events_marker(organisation_id=self.organisation_id)
        etag = etag_for(request, "applications", self.organisation_id, marker)
        if (not_modified := self.conditional(etag)) is not None:
            return not_modified
        queryset = _filtered(sel.applications_for_organisation(organisation_id=self.organisation_id), params)
        page = keyset_page(queryset, cursor=params.get("cursor"), page_size=params["page_size"])
        histories = sel.application_status_histories(a.pk for a in page.rows)
        data = s.ApplicationSerializer(page.rows, many=True, context={"histories": histories}).data
        return Response(self.page_response(page, data))


class ApplicationDetailView(PartnerAPIView):
    required_scopes = ("applications:read",)

    @extend_schema(
        operation_id="applications_retrieve",
        tags=["applications"],
        summary="One application, by reference",
        description="**Scope:** `applications:read`. Another organisation's application is a 404.",
        parameters=[IF_NONE_MATCH],
        responses={200: s.ApplicationSerializer, 304: not_modified_response_doc(), **DETAIL_ERRORS},
    )
    def get(self, request: Request, reference: str) -> HttpResponseBase:
        app = sel.application_for_organisation(organisation_id=self.organisation_id, reference=reference)
        if app is None:
            raise NotFound(f"No application {reference} is visible to this key.")
        etag = etag_for(request, "application", app.pk, app.updated_at)
        if (not_modified := self.conditional(etag, app.updated_at)) is not None:
            return not_modified
        histories = sel.application_status_histories([app.pk])
        return Response(s.ApplicationSerializer(app, context={"histories": histories}).data)


# --- Change feed ----------------------------------------------------------------------------------


class ChangesView(PartnerAPIView):
    required_scopes = ("applications:read", "licences:read", "whitelist:read", "regimes:read")

    @extend_schema(
        operation_id="changes_list",
        tags=["changes"],
        summary="The change feed",
        description=(
            "Events the key may see, in id order: its organisation's application status changes "
            "(`applications:read`), licence events and shipments (`licences:read`), whitelist amendments "
            "(`whitelist:read`) and rule changes (`regimes:read`).\n\n"
            "**Completeness rule.** Call with `after` = the `next_after` of your previous call (0 the first time). "
            "Event ids are assigned when an event is written, but transactions commit in any order, so the feed "
            "holds back events younger than `settle_seconds` (and everything after the oldest of them). Every "
            "event therefore appears exactly once to a poller that always passes the last id it saw: no gaps, "
            "no repeats, at the price of a few seconds' delay. Webhooks are not delayed."
        ),
        parameters=[s.ChangesParams, IF_NONE_MATCH],
        responses={200: s.ChangesSerializer, 304: not_modified_response_doc(), **LIST_ERRORS},
    )
    def get(self, request: Request) -> HttpResponseBase:
        params = self.params(s.ChangesParams)
        scopes = sorted(key_scopes(request))
        visible = sel.feed_filter(organisation_id=self.organisation_id, scopes=scopes)
        assert visible is not None  # HasScope guarantees one of the feed scopes
        after, limit = params["after"], params["limit"]
        now = timezone.now()
        marker = sel.feed_marker(visible=visible, after=after, now=now)
        etag = etag_for(request, "changes", self.organisation_id, scopes, marker)
        if (not_modified := self.conditional(etag)) is not None:
            return not_modified
        events = sel.feed_events(visible=visible, after=after, limit=limit + 1, now=now)
        has_more = len(events) > limit
        events = events[:limit]
        data = {
            "results": s.EventSerializer([event_as_dict(e) for e in events], many=True).data,
            "next_after": events[-1].pk if events else after,
            "has_more": has_more,
            "settle_seconds": sel.settle_seconds(),
        }
        return Response(data)


# --- Webhooks -------------------------------------------------------------------------------------

WEBHOOK_SCOPES = ("webhooks:manage",)


class WebhookEndpointListView(PartnerAPIView):
    required_scopes = WEBHOOK_SCOPES

    @extend_schema(
        operation_id="webhooks_list",
        tags=["webhooks"],
        summary="The organisation's webhook endpoints",
        description="**Scope:** `webhooks:manage`.",
        parameters=[IF_NONE_MATCH],
        responses={200: s.WebhookEndpointListSerializer, 304: not_modified_response_doc(), **LIST_ERRORS},
    )
    def get(self, request: Request) -> HttpResponseBase:
        endpoints = list(WebhookEndpoint.objects.filter(organisation_id=self.organisation_id).order_by("id"))
        marker = [(e.pk, e.updated_at) for e in endpoints]
        if (not_modified := self.conditional(etag_for(request, "webhooks", self.organisation_id, marker))) is not None:
            return not_modified
        return Response({"results": s.WebhookEndpointSerializer(endpoints, many=True).data})

    @extend_schema(
        operation_id="webhooks_create",
        tags=["webhooks"],
        summary="Register a webhook endpoint",
        description=(
            "Kyoka POSTs each event of the chosen types to the URL, signed (see the API description). The "
            "response carries the signing `secret` once. URLs must be https. **Scope:** `webhooks:manage`."
        ),
        request=s.WebhookEndpointInputSerializer,
        responses={201: s.WebhookEndpointWithSecretSerializer, **error_responses(400, 401, 403, 413, 415, 429)},
    )
    def post(self, request: Request) -> Response:
        serializer = s.WebhookEndpointInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        endpoint = partner_services.webhook_endpoint_create(
            organisation_id=self.organisation_id, api_key=self.api_key, **serializer.validated_data
        )
        return Response(s.WebhookEndpointWithSecretSerializer(endpoint).data, status=201)


class _OneEndpointView(PartnerAPIView):
    required_scopes = WEBHOOK_SCOPES

    def endpoint(self, pk: int) -> WebhookEndpoint | None:
        return WebhookEndpoint.objects.filter(pk=pk, organisation_id=self.organisation_id).first()


class WebhookEndpointDetailView(_OneEndpointView):
    @extend_schema(
        operation_id="webhooks_retrieve",
        tags=["webhooks"],
        summary="One webhook endpoint",
        parameters=[IF_NONE_MATCH],
        responses={200: s.WebhookEndpointSerializer, 304: not_modified_response_doc(), **DETAIL_ERRORS},
    )
    def get(self, request: Request, pk: int) -> HttpResponseBase:
        endpoint = self.endpoint(pk)
        if endpoint is None:
            raise NotFound("No such webhook endpoint.")
        etag = etag_for(request, "webhook", endpoint.pk, endpoint.updated_at)
        if (not_modified := self.conditional(etag, endpoint.updated_at)) is not None:
            return not_modified
        return Response(s.WebhookEndpointSerializer(endpoint).data)

    @extend_schema(
        operation_id="webhooks_update",
        tags=["webhooks"],
        summary="Change a webhook endpoint (or re-enable it)",
        request=s.WebhookEndpointUpdateSerializer,
        responses={200: s.WebhookEndpointSerializer, **error_responses(400, 401, 403, 404, 413, 415, 429)},
    )
    def patch(self, request: Request, pk: int) -> HttpResponseBase:
        endpoint = self.endpoint(pk)
        if endpoint is None:
            raise NotFound("No such webhook endpoint.")
        serializer = s.WebhookEndpointUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        endpoint = partner_services.webhook_endpoint_update(endpoint=endpoint, **serializer.validated_data)
        return Response(s.WebhookEndpointSerializer(endpoint).data)

    @extend_schema(
        operation_id="webhooks_destroy",
        tags=["webhooks"],
        summary="Delete a webhook endpoint",
        responses={204: None, **DETAIL_ERRORS},
    )
    def delete(self, request: Request, pk: int) -> HttpResponseBase:
        endpoint = self.endpoint(pk)
        if endpoint is None:
            raise NotFound("No such webhook endpoint.")
        partner_services.webhook_endpoint_delete(endpoint=endpoint)
        return Response(status=204)


class WebhookRotateSecretView(_OneEndpointView):
    @extend_schema(
        operation_id="webhooks_rotate_secret",
        tags=["webhooks"],
        summary="Replace the signing secret",
        description="The old secret stops working at once; the new one is in the response, once.",
        request=None,
        responses={200: s.WebhookEndpointWithSecretSerializer, **DETAIL_ERRORS},
    )
    def post(self, request: Request, pk: int) -> HttpResponseBase:
        endpoint = self.endpoint(pk)
        if endpoint is None:
            raise NotFound("No such webhook endpoint.")
        endpoint = partner_services.webhook_endpoint_rotate_secret(endpoint=endpoint)
        return Response(s.WebhookEndpointWithSecretSerializer(endpoint).data)


class WebhookDeliveryListView(_OneEndpointView):
    @extend_schema(
        operation_id="webhooks_deliveries",
        tags=["webhooks"],
        summary="The endpoint's delivery log (latest 100)",
        parameters=[IF_NONE_MATCH],
        responses={200: s.WebhookDeliveryListSerializer, 304: not_modified_response_doc(), **DETAIL_ERRORS},
    )
    def get(self, request: Request, pk: int) -> HttpResponseBase:
        endpoint = self.endpoint(pk)
        if endpoint is None:
            raise NotFound("No such webhook endpoint.")
        deliveries = list(
            WebhookDelivery.objects.filter(endpoint=endpoint).select_related("event").order_by("-id")[:100]
        )
        marker = [(d.pk, d.status, d.attempts, d.last_attempt_at) for d in deliveries]
        if (not_modified := self.conditional(etag_for(request, "deliveries", endpoint.pk, marker))) is not None:
            return not_modified
        return Response({"results": s.WebhookDeliverySerializer(deliveries, many=True).data})


# --- Outside DRF ----------------------------------------------------------------------------------


def problem_type_view(request: HttpRequest, code: str) -> HttpResponseBase:
    """What a problem ``type`` URI points at: its title, status and meaning."""
    from django.http import JsonResponse

    from licensing.api.problems import PROBLEM_TYPES, problem_type_uri

    if code not in PROBLEM_TYPES:
        return problem_json(request, "not-found", detail=f"No problem type '{code}'.")
    http_status, title, meaning = PROBLEM_TYPES[code]
    return JsonResponse({"type": problem_type_uri(code), "title": title, "status": http_status, "description": meaning})


def api_not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
    """Any unknown URL under /api/: a problem document, never an HTML page."""
    detail = f"No API endpoint at {request.path}."
    if not request.path.endswith("/"):
        detail += f" Did you mean {request.path}/ ?"
    return problem_json(request, "not-found", detail=detail)
