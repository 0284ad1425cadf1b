"""Small presentation helpers for the exporter pages."""

from typing import Any

from django import template
from django.utils.translation import get_language
from django_countries import countries

register = template.Library()

STATUS_TONES = {
    # applications
    "draft": "neutral",
    "submitted": "info",
    "under_review": "info",
    "information_requested": "warning",
    "approved": "success",
    "rejected": "danger",
    "withdrawn": "neutral",
    # licences
    "active": "success",
    "suspended": "warning",
    "revoked": "danger",
    "expired": "neutral",
    "exhausted": "neutral",
}


def _japanese() -> bool:
    return (get_language() or "").startswith("ja")


@register.filter
def loc(obj: Any) -> str:
    """An item's or document type's name in the page's language (``name_ja`` when Japanese)."""
    if obj is None:
        return ""
    if isinstance(obj, dict):
        name, name_ja = obj.get("name", ""), obj.get("name_ja", "")
    else:
        name, name_ja = getattr(obj, "name", ""), getattr(obj, "name_ja", "")
    return name_ja if _japanese() and name_ja else str(name)


@register.filter
def country(code: Any) -> str:
    """A country's name in the page's language, from a code or a Country."""
    code = getattr(code, "code", code)
    if not code:
        return ""
    return str(countries.name(code)) or str(code)


@register.filter
def tone(status: str) -> str:
    return STATUS_TONES.get(str(status), "neutral")


@register.filter
def absolute(value: int) -> int:
    return abs(value)


@register.filter
def timedelta_minutes(value: Any) -> int:
    """A timedelta as whole minutes, rounded up (for "try again in N minutes")."""
    seconds = value.total_seconds() if hasattr(value, "total_seconds") else float(value or 0)
    return max(1, -(-int(seconds) // 60))
