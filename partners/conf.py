"""Tunables of partner access, with defaults; any can be overridden in Django settings."""

from django.conf import settings


def _get(name: str, default):  # type: ignore[no-untyped-def]
    return getattr(settings, name, default)


def webhook_max_attempts() -> int:
    """Attempts per delivery before it is given up (the first try included)."""
    return int(_get("KYOKA_WEBHOOK_MAX_ATTEMPTS", 8))


def webhook_backoff_base() -> float:
    """Seconds before the first retry; doubled on each further failure."""
    return float(_get("KYOKA_WEBHOOK_BACKOFF_BASE_SECONDS", 30))


def webhook_backoff_cap() -> float:
    return float(_get("KYOKA_WEBHOOK_BACKOFF_CAP_SECONDS", 3600))


def webhook_disable_after() -> int:
    """Failed attempts in a row (across deliveries) after which an endpoint is disabled."""
    return int(_get("KYOKA_WEBHOOK_DISABLE_AFTER_FAILURES", 15))


def webhook_timeout() -> float:
    """Seconds to connect and to wait for the receiver's answer."""
    return float(_get("KYOKA_WEBHOOK_TIMEOUT_SECONDS", 10))


def webhook_allow_loopback_http() -> bool:
    """http:// to a loopback host (development and tests only; production URLs must be https)."""
    return bool(_get("KYOKA_WEBHOOK_ALLOW_LOOPBACK_HTTP", False))


def changes_settle_seconds() -> float:
    return float(_get("KYOKA_CHANGES_SETTLE_SECONDS", 3.0))
