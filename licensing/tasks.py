"""Celery tasks for the licensing sweeps: thin wrappers over ``licensing.services.sweeps``.

Every task acknowledges late (a worker lost mid-run leaves the message to be delivered again),
retries database and broker blips with exponential backoff, and takes the sweep's lock through
``sweep_run``. The work itself is recomputed from the rows, so a retry or a duplicate delivery
changes nothing twice.
"""

from typing import Any

from celery import shared_task
from django.db import InterfaceError, OperationalError
from kombu.exceptions import OperationalError as BrokerError

from licensing.services.sweeps import sweep_run

TRANSIENT_ERRORS = (OperationalError, InterfaceError, BrokerError)

SWEEP_TASK = {
    "bind": True,
    "acks_late": True,
    "autoretry_for": TRANSIENT_ERRORS,
    "retry_backoff": 5,
    "retry_backoff_max": 300,
    "retry_jitter": True,
    "max_retries": 5,
}


@shared_task(**SWEEP_TASK)
def sweep_deadlines(self: Any) -> dict[str, Any]:
    """Cases due within N business days, and overdue ones (escalated to supervisors)."""
    return sweep_run("deadlines")


@shared_task(**SWEEP_TASK)
def sweep_licence_expiry(self: Any) -> dict[str, Any]:
    """Licences whose last valid day has ended (authority time) become expired."""
    return sweep_run("licence-expiry")


@shared_task(**SWEEP_TASK)
def sweep_licence_expiry_reminders(self: Any) -> dict[str, Any]:
    """Exporters reminded 90/30/7 days (KYOKA_EXPIRY_REMINDER_DAYS) before a licence expires."""
    return sweep_run("licence-expiry-reminders")


@shared_task(**SWEEP_TASK)
def sweep_licence_exhaustion(self: Any) -> dict[str, Any]:
    """Safety net: active licences with nothing left to ship become exhausted."""
    return sweep_run("licence-exhaustion")


@shared_task(**SWEEP_TASK)
def sweep_information_requests(self: Any) -> dict[str, Any]:
    """Unanswered questions: reminders, then lapse to withdrawn past the limit."""
    return sweep_run("information-requests")
