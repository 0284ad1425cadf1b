"""Writing domain events: one append-only row per state change, inside the change's transaction."""

from typing import Any

from django.db import models, transaction
from django.utils import timezone

from licensing.models import Event


class Verb:
    """The event vocabulary (also the partners' change-feed types and webhook event types)."""

    APPLICATION_CREATED = "application.created"
    APPLICATION_UPDATED = "application.updated"
    APPLICATION_SUBMITTED = "application.submitted"
    APPLICATION_ASSIGNED = "application.assigned"
    APPLICATION_REVIEW_STARTED = "application.review_started"
    APPLICATION_RECOMMENDED = "application.recommended"
    APPLICATION_INFORMATION_REQUESTED = "application.information_requested"
    APPLICATION_INFORMATION_PROVIDED = "application.information_provided"
    APPLICATION_APPROVED = "application.approved"
    APPLICATION_REJECTED = "application.rejected"
    APPLICATION_WITHDRAWN = "application.withdrawn"
    APPLICATION_LAPSED = "application.lapsed"
    APPLICATION_REGIME_CONVERTED = "application.regime_converted"
    APPLICATION_REGIME_CONVERSION_OFFERED = "application.regime_conversion_offered"
    APPLICATION_REGIME_CONVERSION_DECLINED = "application.regime_conversion_declined"
    DOCUMENT_UPLOADED = "document.uploaded"
    DOCUMENT_REMOVED = "document.removed"
    LICENCE_ISSUED = "licence.issued"
    LICENCE_SUSPENDED = "licence.suspended"
    LICENCE_REINSTATED = "licence.reinstated"
    LICENCE_REVOKED = "licence.revoked"
    LICENCE_EXPIRED = "licence.expired"
    LICENCE_EXHAUSTED = "licence.exhausted"
    SHIPMENT_RECORDED = "shipment.recorded"
    WHITELIST_AMENDMENT_SCHEDULED = "whitelist.amendment_scheduled"
    WHITELIST_AMENDED = "whitelist.amended"
    RULE_CHANGED = "rule.changed"
    RULE_IN_FORCE = "rule.in_force"


def event_record(
    *,
    verb: str,
    subject: models.Model,
    actor: Any = None,
    actor_label: str = "",
    organisation_id: int | None = None,
    authority_id: int | None = None,
    payload: dict[str, Any] | None = None,
) -> Event:
    """Insert one event. Must run inside the transaction that makes the change."""
    conn = transaction.get_connection()
    assert conn.in_atomic_block, "events are written inside the change's transaction"
    user = actor if getattr(actor, "pk", None) else None
    label = actor_label or (user.get_username() if user is not None else "system")
    event = Event.objects.create(
        occurred_at=timezone.now(),
        actor=user,
        actor_label=label,
        verb=verb,
        subject_type=subject._meta.model_name or "",
        subject_id=str(subject.pk),
        organisation_id=organisation_id,
        authority_id=authority_id,
        payload=payload or {},
    )
    from notifications.services import notify_for_event

    notify_for_event(event)
    from partners.services import webhooks_enqueue_on_commit

    webhooks_enqueue_on_commit(event)  # webhook fan-out runs in Celery after commit, never here
    return event


def application_event_record(application: Any, verb: str, actor: Any, **payload: Any) -> Event:
    """An event about an application, owned by its organisation, with its reference and status."""
    return event_record(
        verb=verb,
        subject=application,
        actor=actor,
        organisation_id=application.organisation_id,
        authority_id=application.authority_id,
        payload={"reference": application.reference, "status": application.status, **payload},
    )
