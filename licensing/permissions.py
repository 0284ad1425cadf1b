"""Who may do what. Services call these before any change; they raise PermissionDenied."""

from typing import Any

from licensing.errors import PermissionDenied
from licensing.models import Application, Licence


def is_official(user: Any) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.is_staff and user.authority_id)


def require_exporter_of(user: Any, obj: Application | Licence) -> None:
    """The user must be an active member of the organisation that owns ``obj``."""
    if not (user and user.is_authenticated and user.is_active and user.organisation_id == obj.organisation_id):
        raise PermissionDenied("Only the exporter's own organisation may do this.")


def require_official(user: Any, obj: Application | Licence, perm: str) -> None:
    """The user must be an official of the case's authority holding ``perm``."""
    if not is_official(user) or user.authority_id != obj.authority_id:
        raise PermissionDenied("Only an official of the licensing authority may do this.")
    if not user.has_perm(perm):
        raise PermissionDenied("Your role does not allow this action.")
