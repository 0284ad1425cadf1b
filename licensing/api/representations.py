"""Plain-dict representations shared by the change feed and webhook deliveries."""

from typing import Any

from django.urls import reverse

from licensing.models import Event


def _subject(event: Event) -> dict[str, Any]:
    payload = event.payload or {}
    if event.subject_type == "application" and payload.get("reference"):
        ref = payload["reference"]
        return {"type": "application", "id": ref, "url": reverse("api:application-detail", args=[ref])}
    if event.subject_type == "licence" and payload.get("number"):
        number = payload["number"]
        return {"type": "licence", "id": number, "url": reverse("api:licence-detail", args=[number])}
    return {"type": event.subject_type, "id": event.subject_id, "url": None}


def event_as_dict(event: Event) -> dict[str, Any]:
    """One event as partners see it (feed entry and webhook body)."""
    return {
        "id": event.pk,
        "type": event.verb,
        "occurred_at": event.occurred_at,
        "authority": event.authority.code if event.authority_id else None,
        "subject": _subject(event),
        "data": event.payload or {},
    }
