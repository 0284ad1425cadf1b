"""OpenAPI: the security scheme, scopes on every operation, problem responses, the long description."""

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse

from licensing.api.problems import PROBLEM_CONTENT_TYPE, PROBLEM_TYPES

SECURITY_SCHEME = "ApiKeyAuth"

DESCRIPTION = """
Licences, applications, regimes and the whitelist of the Kyoka export-licensing system, for partners:
customs, the partner authority, forwarders and exporters' own systems.

## Authentication and scopes

Every call except this schema and the docs needs an API key, created by Kyoka's officials
(`manage.py create_api_key`) and shown once:

    Authorization: Api-Key <prefix>.<secret>

A key belongs to one organisation and carries scopes: `licences:verify` (one licence by number,
validity fields only — for customs), `licences:read` and `applications:read` (the organisation's own
licences and applications), `whitelist:read`, `regimes:read`, `webhooks:manage`. Each operation says
which scope it needs (`x-required-scopes`; any one listed is enough).
No key or a bad, revoked or expired key: **401**. A missing scope: **403**. Another organisation's
application or licence: **404**, as if it did not exist.

## Errors

Every error is an RFC 9457 problem document (`application/problem+json`) with `type`, `title`,
`status`, `detail`, `instance`, and `errors` for invalid parameters (`parameter`) or body fields
(`pointer`). The `type` URIs resolve to a short description under `/api/problems/`.
Each key is rate-limited (**429** with `Retry-After`; `RateLimit-*` headers on every response);
request bodies over the limit are refused with **413**.

## Polling cheaply

* Every GET carries a strong `ETag` (and `Last-Modified` on single resources). Send it back in
  `If-None-Match`: if nothing changed you get **304** with no body, decided from a small indexed
  query before anything is serialised. Responses are `Cache-Control: private, no-cache`.
* Lists are ordered by (`updated_at`, `id`) and paginated by cursor: pass `next_cursor` as
  `cursor`. `next_cursor` is returned on the last page too, so you can come back later and get
  only rows changed since. `updated_since` filters by change time.
* For a complete, exactly-once stream of changes use **`/api/v1/changes/`** (see its description:
  events younger than `settle_seconds` are held back so that late commits are never skipped).
  When polling a list with `updated_since` instead, overlap by a few seconds and de-duplicate by id.

## Webhooks

Register HTTPS endpoints under `/api/v1/webhooks/` (scope `webhooks:manage`). Each event is
POSTed as JSON (the same document as a change-feed entry) with headers:

* `Kyoka-Event`: the event type, e.g. `licence.revoked`
* `Kyoka-Delivery`: a delivery id (the same on retries: use it to de-duplicate)
* `Kyoka-Timestamp`: Unix seconds when this attempt was signed
* `Kyoka-Signature`: `v1=` + hex HMAC-SHA256 of `<timestamp>.<raw body>` with the endpoint's secret

Verify the signature over the raw body in constant time and refuse timestamps more than five minutes
old. Answer 2xx within 10 seconds; anything else is retried with exponential backoff (30 s, 1 min,
2 min, … up to 8 attempts). After 15 failed attempts in a row the endpoint is disabled; re-enable it
with `PATCH {"is_active": true}`. Deliveries are made by background workers and never delay Kyoka's
own work.
""".strip()

TAGS = [
    {"name": "licences", "description": "Licences: verification at the border, and the organisation's own."},
    {"name": "applications", "description": "The organisation's licence applications."},
    {"name": "regimes", "description": "Which regime applies; the controlled items."},
    {"name": "whitelist", "description": "Country groupings over time."},
    {"name": "changes", "description": "The change feed."},
    {"name": "webhooks", "description": "Webhook endpoints and their delivery log."},
]


class APIKeyAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "licensing.api.authentication.APIKeyAuthentication"
    name = SECURITY_SCHEME

    def get_security_definition(self, auto_schema: AutoSchema) -> dict[str, Any]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Api-Key <prefix>.<secret>`. Scopes are listed on each operation (x-required-scopes).",
        }


class PartnerAutoSchema(AutoSchema):
    """Adds the scopes a view needs to its operations (x-required-scopes and the description)."""

    def get_operation(self, *args: Any, **kwargs: Any) -> dict[str, Any] | None:
        operation = super().get_operation(*args, **kwargs)
        if operation is None:
            return None
        scopes = list(getattr(self.view, "required_scopes", ()))
        operation["x-required-scopes"] = scopes
        wanted = ", ".join(f"`{scope}`" for scope in scopes) if scopes else "any valid key"
        note = f"Required scope (any one): {wanted}."
        operation["description"] = (operation.get("description", "") + "\n\n" + note).strip()
        return operation


def error_responses(*codes: int) -> dict[tuple[int, str], OpenApiResponse]:
    """Problem responses for the given HTTP statuses, as application/problem+json."""
    from licensing.api.serializers import ProblemSerializer

    titles: dict[int, list[str]] = {}
    for code, (http_status, title, _meaning) in PROBLEM_TYPES.items():
        titles.setdefault(http_status, []).append(f"`{code}` ({title})")
    return {
        (code, PROBLEM_CONTENT_TYPE): OpenApiResponse(
            ProblemSerializer, description="Problem: " + ", ".join(titles.get(code, ["error"]))
        )
        for code in codes
    }


def not_modified_response_doc() -> OpenApiResponse:
    return OpenApiResponse(description="Not modified: the ETag in If-None-Match is current. No body.")


def postprocess_schema(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    result.setdefault("info", {})["description"] = DESCRIPTION
    result["tags"] = TAGS
    return result
