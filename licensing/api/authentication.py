"""API keys: ``Authorization: Api-Key <prefix>.<secret>``.

The key's prefix finds the row; the whole key is checked against its SHA-512 hash in constant
time. Revoked or expired keys are refused with 401, naming why only once the secret has matched.

The row is cached for a minute under its prefix (a poll then costs no query for the key). The
services that revoke or change a key delete that cache entry, so revocation takes effect on the
next request; expiry is checked on every request.
"""

from typing import Any

from django.core.cache import cache
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication
from rest_framework.request import Request

from partners.models import APIKey

KEYWORD = "Api-Key"
MAX_KEY_LENGTH = 200


class APIKeyPrincipal:
    """What ``request.user`` is for an API request: the key's organisation, not a person."""

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_staff = False
    is_superuser = False
    pk = None
    id = None

    def __init__(self, api_key: APIKey) -> None:
        self.api_key = api_key
        self.organisation_id = api_key.organisation_id
        self.scopes = frozenset(api_key.scopes or ())

    def __str__(self) -> str:
        return f"API key {self.api_key.prefix}"

    def get_username(self) -> str:
        return f"api-key:{self.api_key.prefix}"

    def has_perm(self, perm: str, obj: Any = None) -> bool:
        return False


KEY_CACHE_SECONDS = 60


def api_key_cache_key(prefix: str) -> str:
    return f"api-key:{prefix}"


def api_key_lookup(prefix: str) -> APIKey | None:
    cached = cache.get(api_key_cache_key(prefix))
    if cached is not None:
        return cached
    api_key = APIKey.objects.filter(prefix=prefix).first()
    if api_key is not None:
        cache.set(api_key_cache_key(prefix), api_key, KEY_CACHE_SECONDS)
    return api_key


class APIKeyAuthentication(BaseAuthentication):
    def authenticate(self, request: Request) -> tuple[APIKeyPrincipal, APIKey] | None:
        header = request.META.get("HTTP_AUTHORIZATION", "")
        keyword, _sep, key = header.partition(" ")
        if not header or keyword.lower() != KEYWORD.lower():
            return None  # no API key given: 401 "authentication required" if the view needs one
        key = key.strip()
        prefix, dot, secret = key.partition(".")
        if not dot or not prefix or not secret or len(key) > MAX_KEY_LENGTH:
            raise exceptions.AuthenticationFailed(_("The API key is malformed: expected '<prefix>.<secret>'."))
        api_key = api_key_lookup(prefix)
        if api_key is None or not api_key.is_valid(key):
            raise exceptions.AuthenticationFailed(_("The API key is not valid."))
        if api_key.revoked:
            raise exceptions.AuthenticationFailed(_("The API key has been revoked."))
        if api_key.has_expired:
            raise exceptions.AuthenticationFailed(_("The API key has expired."))
        return APIKeyPrincipal(api_key), api_key

    def authenticate_header(self, request: Request) -> str:
        return f'{KEYWORD} realm="kyoka"'
