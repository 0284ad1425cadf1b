"""The Celery side: the schedule in code, thin tasks that ack late and retry blips, sweep locks."""

import os
import subprocess
import sys
import threading
from datetime import timedelta
from unittest import mock

import pytest
from django.db import OperationalError, connection, connections

from config.celery import BEAT_SCHEDULE
from config.celery import app as celery_app
from licensing import tasks as licensing_tasks
from licensing.services.locks import sweep_lock
from licensing.services.sweeps import SWEEPS, sweep_run
from notifications import tasks as notification_tasks
from whitelist import tasks as whitelist_tasks

SWEEP_TASKS = [
    licensing_tasks.sweep_deadlines,
    licensing_tasks.sweep_licence_expiry,
    licensing_tasks.sweep_licence_expiry_reminders,
    licensing_tasks.sweep_licence_exhaustion,
    licensing_tasks.sweep_information_requests,
    whitelist_tasks.sweep_amendments,
    whitelist_tasks.sweep_rules_in_force,
]


def test_every_beat_entry_names_a_registered_task_and_expires_after_its_interval():
    celery_app.loader.import_default_modules()
    for name, entry in BEAT_SCHEDULE.items():
        assert entry["task"] in celery_app.tasks, name
        assert isinstance(entry["schedule"], timedelta)
        assert entry["options"]["expires"] == entry["schedule"].total_seconds()
    assert celery_app.conf.beat_schedule == BEAT_SCHEDULE
    assert celery_app.conf.timezone == "UTC"


def test_every_sweep_is_on_the_schedule():
    scheduled = {entry["task"] for entry in BEAT_SCHEDULE.values()}
    assert {t.name for t in SWEEP_TASKS} <= scheduled
    assert "notifications.tasks.requeue_pending_emails" in scheduled
    assert len(SWEEP_TASKS) == len(SWEEPS)


@pytest.mark.parametrize("task", [*SWEEP_TASKS, notification_tasks.send_notification_email], ids=lambda t: t.name)
def test_tasks_acknowledge_late_and_retry_transient_errors_with_backoff(task):
    assert task.acks_late is True
    assert OperationalError in task.autoretry_for
    assert task.retry_backoff
    assert celery_app.conf.task_reject_on_worker_lost is True


@pytest.mark.django_db
def test_a_database_blip_is_retried_then_given_up(settings):
    calls = []

    def flaky(name):
        calls.append(name)
        raise OperationalError("server closed the connection unexpectedly")

    with mock.patch.object(licensing_tasks, "sweep_run", side_effect=flaky):
        result = licensing_tasks.sweep_deadlines.apply()
    assert result.state == "FAILURE"
    assert len(calls) == 1 + licensing_tasks.sweep_deadlines.max_retries


@pytest.mark.django_db
def test_a_sweep_task_runs_its_sweep():
    result = licensing_tasks.sweep_licence_expiry.apply().get()
    assert result["sweep"] == "licence-expiry" and result["changed"] == 0


def _hold_in_thread(name: str, *, then):  # type: ignore[no-untyped-def]
    """Take the lock in another thread (its own database connection) and call ``then`` meanwhile."""
    held, release = threading.Event(), threading.Event()
    outcome = {}

    def holder() -> None:
        try:
            with sweep_lock(name) as acquired:
                outcome["acquired"] = acquired
                held.set()
                release.wait(10)
        finally:
            connections.close_all()

    thread = threading.Thread(target=holder)
    thread.start()
    assert held.wait(10)
    try:
        return outcome["acquired"], then()
    finally:
        release.set()
        thread.join(10)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_instances_never_run_the_same_sweep_at_once():
    acquired, result = _hold_in_thread("deadlines", then=lambda: sweep_run("deadlines"))
    assert acquired is True
    assert result == {"sweep": "deadlines", "skipped": "running elsewhere"}
    assert sweep_run("deadlines")["sweep"] == "deadlines"  # released: runs again


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_different_sweeps_do_not_block_each_other():
    acquired, result = _hold_in_thread("deadlines", then=lambda: sweep_run("licence-expiry"))
    assert acquired and "changed" in result


@pytest.mark.django_db
def test_a_lock_dies_with_the_process_that_held_it(settings, tmp_path):
    if connection.vendor == "postgresql":
        pytest.skip("PostgreSQL releases advisory locks with the session: see the integration tests")
    os.makedirs(settings.KYOKA_LOCK_DIR, exist_ok=True)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import fcntl, os, sys, time; fd = os.open(sys.argv[1], os.O_CREAT | os.O_RDWR);"
            "fcntl.flock(fd, fcntl.LOCK_EX); print('held', flush=True); time.sleep(60)",
            str(settings.KYOKA_LOCK_DIR / "deadlines.lock"),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        with sweep_lock("deadlines") as acquired:
            assert acquired is False
        holder.kill()
        holder.wait(10)
        with sweep_lock("deadlines") as acquired:
            assert acquired is True
    finally:
        holder.kill()
        holder.wait(10)
