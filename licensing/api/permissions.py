"""Scopes: each view names the scopes it accepts (any one of them is enough)."""

from typing import Any

from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from licensing.api.problems import MissingScope
from partners.models import APIKey


def key_scopes(request: Request) -> frozenset[str]:
    key = request.auth
    return frozenset(key.scopes or ()) if isinstance(key, APIKey) else frozenset()


class HasScope(BasePermission):
    """Grants when the key has one of ``view.required_scopes`` (per method via a dict)."""

    def has_permission(self, request: Request, view: Any) -> bool:
        if not isinstance(request.auth, APIKey):
            return False  # -> 401 via the authenticator's WWW-Authenticate
        required = view.get_required_scopes(request)
        if not required:
            return True
        if key_scopes(request) & set(required):
            return True
        raise MissingScope(list(required))
