"""Celery tasks for whitelist amendments and rule changes: thin wrappers over the sweeps.

Same contract as ``licensing.tasks``: late acknowledgement, retries with backoff on database and
broker blips, one run at a time per sweep (its lock), idempotent work.
"""

from typing import Any

from celery import shared_task

from licensing.services.sweeps import sweep_run
from licensing.tasks import SWEEP_TASK


@shared_task(**SWEEP_TASK)
def sweep_amendments(self: Any) -> dict[str, Any]:
    """Scheduled amendments whose date has begun (00:00 authority time) are marked in force."""
    return sweep_run("whitelist-amendments")


@shared_task(**SWEEP_TASK)
def sweep_rules_in_force(self: Any) -> dict[str, Any]:
    """Rules whose effective_from has arrived are announced (``rule.in_force``), once."""
    return sweep_run("rules-in-force")
