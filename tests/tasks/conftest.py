"""Helpers for the background-work tests: moments in an authority's time zone, running sweeps at
a moment (time-machine), Celery in eager mode for the email path."""

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from config.celery import app as celery_app
from licensing.services.sweeps import sweep_run
from notifications.models import Notification
from notifications.services import broker_backoff_reset

TOKYO = ZoneInfo("Asia/Tokyo")


def tokyo(year: int, month: int, day: int, hour: int = 9, minute: int = 0, second: int = 0) -> datetime:
    """A moment on the wall clock in Tokyo (the JP authority's time zone)."""
    return datetime(year, month, day, hour, minute, second, tzinfo=TOKYO)


def at(moment: datetime, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Call ``fn`` with the clock stopped at ``moment``."""
    with time_machine.travel(moment, tick=False):
        return fn(*args, **kwargs)


def sweep_at(name: str, moment: datetime) -> dict[str, Any]:
    """Run one sweep the way the Celery task does (lock and all), as of ``moment``."""
    return at(moment, sweep_run, name)


def notified(verb: str, **filters: Any) -> list[Notification]:
    return list(Notification.objects.filter(verb=verb, **filters).select_related("recipient").order_by("pk"))


@pytest.fixture
def eager_celery() -> Iterator[None]:
    """Tasks published after commit run in-process (the real task code, no broker)."""
    previous = celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True
    broker_backoff_reset()
    try:
        yield
    finally:
        celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates = previous


@pytest.fixture(autouse=True)
def _lock_dir_in_tmp(settings: Any, tmp_path: Any) -> None:
    settings.KYOKA_LOCK_DIR = tmp_path / "locks"
