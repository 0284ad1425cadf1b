"""Celery tasks for webhooks: thin wrappers over partners.services.

Beat entry to add to config/celery.py (owned elsewhere)::

    "partners-webhooks-sweep": {"task": "partners.tasks.sweep_webhooks", "schedule": 60.0}
"""

from celery import shared_task

from partners import services


@shared_task(acks_late=True, ignore_result=True)
def fan_out_event(event_id: int) -> int:
    """Create the deliveries of one committed event and queue them."""
    return len(services.webhook_fan_out_event(event_id=event_id))


@shared_task(acks_late=True, ignore_result=True, soft_time_limit=60, time_limit=90)
def deliver_webhook(delivery_id: int) -> str:
    """One delivery attempt; on failure the next one is queued with exponential backoff."""
    outcome = services.webhook_deliver(delivery_id=delivery_id)
    if outcome.retry_in:
        services.enqueue_task(deliver_webhook, delivery_id, countdown=outcome.retry_in)
    return outcome.status


@shared_task(ignore_result=True)
def sweep_webhooks() -> dict[str, int]:
    """Every minute from beat: stale claims, events whose fan-out was lost, due retries."""
    result = services.webhooks_sweep()
    return {
        "released": result.released,
        "events_scanned": result.events_scanned,
        "deliveries_created": result.deliveries_created,
        "requeued": result.requeued,
    }
