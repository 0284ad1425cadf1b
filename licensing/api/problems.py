"""RFC 9457 problem details for every error the partner API returns.

Body (``application/problem+json``)::

    {"type": "/api/problems/invalid-parameter", "title": "Invalid parameter", "status": 400,
     "detail": "...", "instance": "/api/v1/regime/?item=x",
     "errors": [{"parameter": "item", "detail": "No controlled item has the code 'x'."}]}

``type`` is a relative URI reference to a page (served by ``problem_type_view``) describing the
problem type; ``errors`` appears on validation problems: ``parameter`` names a query or path
parameter, ``pointer`` (a JSON pointer) a field of the request body.
"""

import logging
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response

from licensing import errors as domain

logger = logging.getLogger("django.request")

PROBLEM_CONTENT_TYPE = "application/problem+json"

# code -> (HTTP status, title, what it means)
PROBLEM_TYPES: dict[str, tuple[int, str, str]] = {
    "invalid-parameter": (400, "Invalid parameter", "A query or path parameter is missing or malformed."),
    "validation-error": (400, "Invalid request body", "The request body failed validation; see errors."),
    "malformed-request": (400, "Malformed request", "The request body is not valid JSON."),
    "authentication-required": (
        401,
        "Authentication required",
        "Send the key as 'Authorization: Api-Key <key>'.",
    ),
    "invalid-api-key": (401, "Invalid API key", "The key is unknown, revoked or expired."),
    "missing-scope": (403, "Missing scope", "The key lacks a scope this operation needs."),
    "forbidden": (403, "Forbidden", "The key may not do this."),
    "not-found": (404, "Not found", "No such resource, or it belongs to another organisation."),
    "no-regime": (404, "No regime", "No regime rule covers that item, destination and date."),
    "method-not-allowed": (405, "Method not allowed", "The resource does not support that HTTP method."),
    "not-acceptable": (406, "Not acceptable", "The API answers in JSON only."),
    "conflict": (409, "Conflict", "The request conflicts with the current state of the resource."),
    "payload-too-large": (413, "Payload too large", "The request body is larger than the API accepts."),
    "unsupported-media-type": (415, "Unsupported media type", "Send request bodies as application/json."),
    "rate-limited": (429, "Too many requests", "The key's rate limit is used up; retry after Retry-After seconds."),
    "server-error": (500, "Internal server error", "Something failed on Kyoka's side; it has been logged."),
}


def problem_type_uri(code: str) -> str:
    return f"/api/problems/{code}"


def problem_body(
    code: str,
    *,
    detail: str | None = None,
    instance: str | None = None,
    errors: list[dict[str, str]] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    http_status, title, meaning = PROBLEM_TYPES[code]
    body: dict[str, Any] = {
        "type": problem_type_uri(code),
        "title": title,
        "status": http_status,
        "detail": detail or meaning,
    }
    if instance:
        body["instance"] = instance
    if errors:
        body["errors"] = errors
    body.update(extra)
    return body


class InvalidParameters(exceptions.APIException):
    """400 naming the query or path parameters at fault."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "invalid-parameter"

    def __init__(self, errors: dict[str, str] | list[dict[str, str]], detail: str | None = None) -> None:
        if isinstance(errors, dict):
            errors = [{"parameter": name, "detail": str(message)} for name, message in errors.items()]
        self.errors = errors
        names = ", ".join(e["parameter"] for e in errors)
        super().__init__(detail or f"Invalid parameter: {names}.")


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "payload-too-large"
    default_detail = "The request body is too large."


class MissingScope(exceptions.PermissionDenied):
    default_code = "missing-scope"

    def __init__(self, scopes: list[str]) -> None:
        self.scopes = scopes
        wanted = " or ".join(f"'{s}'" for s in scopes)
        super().__init__(f"This operation needs the scope {wanted}; the key does not have it.")


def serializer_errors(detail: Any, prefix: str = "") -> list[dict[str, str]]:
    """Flatten DRF's nested error structure into [{"pointer": "#/field", "detail": "..."}]."""
    out: list[dict[str, str]] = []
    if isinstance(detail, dict):
        for key, value in detail.items():
            if key in ("non_field_errors", "__all__"):
                out += serializer_errors(value, prefix)
            else:
                out += serializer_errors(value, f"{prefix}/{key}")
    elif isinstance(detail, list):
        if all(not isinstance(v, dict | list) for v in detail):
            out += [{"pointer": f"#{prefix}", "detail": str(v)} for v in detail]
        else:
            for index, value in enumerate(detail):
                out += serializer_errors(value, f"{prefix}/{index}")
    else:
        out.append({"pointer": f"#{prefix}", "detail": str(detail)})
    return out


def _django_validation_errors(exc: DjangoValidationError) -> list[dict[str, str]]:
    if hasattr(exc, "error_dict"):
        return [
            {"pointer": "#" if field == "__all__" else f"#/{field}", "detail": message}
            for field, messages in exc.message_dict.items()
            for message in messages
        ]
    return [{"pointer": "#", "detail": message} for message in exc.messages]


def _problem(code: str, request: Any, headers: dict[str, str] | None = None, **kwargs: Any) -> Response:
    body = problem_body(code, instance=request.get_full_path() if request is not None else None, **kwargs)
    return Response(body, status=body["status"], headers=headers, content_type=PROBLEM_CONTENT_TYPE)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response:
    """DRF's EXCEPTION_HANDLER: every exception becomes a problem response."""
    request = context.get("request")
    headers: dict[str, str] = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header  # type: ignore[attr-defined]
    if getattr(exc, "wait", None) is not None:
        headers["Retry-After"] = str(max(1, int(exc.wait + 0.999)))  # type: ignore[attr-defined]

    if isinstance(exc, Http404):
        return _problem("not-found", request, headers)
    if isinstance(exc, DjangoPermissionDenied):
        return _problem("forbidden", request, headers)
    if isinstance(exc, DjangoValidationError):
        return _problem("validation-error", request, headers, errors=_django_validation_errors(exc))
    if isinstance(exc, domain.NoRegime):
        return _problem("no-regime", request, headers, detail=exc.message)
    if isinstance(exc, domain.PermissionDenied):
        return _problem("forbidden", request, headers, detail=exc.message)
    if isinstance(exc, domain.TransitionNotAllowed):
        return _problem("conflict", request, headers, detail=exc.message)
    if isinstance(exc, domain.DomainError):
        return _problem("validation-error", request, headers, detail=exc.message)

    if isinstance(exc, InvalidParameters):
        return _problem("invalid-parameter", request, headers, detail=str(exc.detail), errors=exc.errors)
    if isinstance(exc, MissingScope):
        return _problem("missing-scope", request, headers, detail=str(exc.detail), required_scopes=exc.scopes)
    if isinstance(exc, exceptions.ValidationError):
        return _problem("validation-error", request, headers, errors=serializer_errors(exc.detail))
    if isinstance(exc, exceptions.ParseError):
        return _problem("malformed-request", request, headers, detail=str(exc.detail))
    if isinstance(exc, exceptions.NotAuthenticated):
        return _problem("authentication-required", request, headers)
    if isinstance(exc, exceptions.AuthenticationFailed):
        return _problem("invalid-api-key", request, headers, detail=str(exc.detail))
    if isinstance(exc, exceptions.PermissionDenied):
        return _problem("forbidden", request, headers, detail=str(exc.detail))
    if isinstance(exc, exceptions.NotFound):
        return _problem("not-found", request, headers, detail=str(exc.detail))
    if isinstance(exc, exceptions.MethodNotAllowed):
        return _problem("method-not-allowed", request, headers, detail=str(exc.detail))
    if isinstance(exc, exceptions.NotAcceptable):
        return _problem("not-acceptable", request, headers)
    if isinstance(exc, exceptions.UnsupportedMediaType):
        return _problem("unsupported-media-type", request, headers, detail=str(exc.detail))
    if isinstance(exc, exceptions.Throttled):
        return _problem("rate-limited", request, headers, detail=str(exc.detail))
    if isinstance(exc, PayloadTooLarge):
        return _problem("payload-too-large", request, headers, detail=str(exc.detail))

    # Anything else is a bug: log it with the traceback (and to the admins), answer a plain 500.
    logger.error(
        "Internal Server Error: %s",
        getattr(request, "path", "?"),
        exc_info=exc,
        extra={"status_code": 500, "request": getattr(request, "_request", None)},
    )
    return _problem("server-error", request, headers)


def problem_json(request: HttpRequest, code: str, **kwargs: Any) -> JsonResponse:
    """A problem response outside DRF (plain Django views under /api/)."""
    body = problem_body(code, instance=request.get_full_path(), **kwargs)
    return JsonResponse(body, status=body["status"], content_type=PROBLEM_CONTENT_TYPE)
