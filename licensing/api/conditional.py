"""Conditional GETs: strong ETags from change markers, 304 decided before serialising.

A view computes a cheap marker (see licensing.selectors.api), calls ``etag_for`` with everything
else the representation depends on (path, query, the key's scope variant), and asks
``is_not_modified``. The ETag never comes from hashing the body.
"""

import hashlib
from collections.abc import Iterable
from datetime import datetime

from django.http import HttpResponseNotModified
from django.utils.http import http_date, parse_http_date_safe
from rest_framework.request import Request

# Bump when a representation changes shape, so clients' cached ETags stop matching.
REPRESENTATION_VERSION = "1"
CACHE_CONTROL = "private, no-cache"


def etag_for(request: Request, *parts: object) -> str:
    query = sorted((k, v) for k, values in request.query_params.lists() for v in values)
    material = repr((REPRESENTATION_VERSION, request.path, query, parts)).encode()
    return '"' + hashlib.sha256(material).hexdigest()[:40] + '"'


def _etags(header: str) -> Iterable[str]:
    for tag in header.split(","):
        tag = tag.strip()
        if tag.startswith("W/"):
            tag = tag[2:]  # If-None-Match uses the weak comparison (RFC 9110, 13.1.2)
        if tag:
            yield tag


def is_not_modified(request: Request, etag: str, last_modified: datetime | None = None) -> bool:
    if_none_match = request.headers.get("If-None-Match")
    if if_none_match is not None:
        # RFC 9110: when If-None-Match is present, If-Modified-Since is ignored.
        return any(tag in ("*", etag) for tag in _etags(if_none_match))
    if_modified_since = request.headers.get("If-Modified-Since")
    if if_modified_since and last_modified is not None:
        since = parse_http_date_safe(if_modified_since)
        return since is not None and int(last_modified.timestamp()) <= since
    return False


def validator_headers(etag: str, last_modified: datetime | None) -> dict[str, str]:
    headers = {"ETag": etag, "Cache-Control": CACHE_CONTROL, "Vary": "Authorization"}
    if last_modified is not None:
        headers["Last-Modified"] = http_date(last_modified.timestamp())
    return headers


def not_modified_response(etag: str, last_modified: datetime | None) -> HttpResponseNotModified:
    response = HttpResponseNotModified()
    for name, value in validator_headers(etag, last_modified).items():
        response[name] = value
    return response
