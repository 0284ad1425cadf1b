"""Real Celery processes against Redis and PostgreSQL.

* beat + worker: beat finds every entry overdue (as after downtime), sends the sweeps, and the
  worker expires a licence, writes its event and sends the exporter's email, end to end;
* a worker killed with SIGKILL in the middle of a slow sweep leaves only whole batches done, and
  the next run completes the rest, each change exactly once.

They run where REDIS_URL and DATABASE_URL (PostgreSQL) are set (``.ci/run`` does), against the
test database, on a queue of their own.
"""

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from config.celery import app as celery_app
from licensing.models import Event, Licence
from notifications.models import Notification
from tests.factories import ExporterFactory
from tests.tasks.conftest import at, tokyo

REPO = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(
        not (os.environ.get("REDIS_URL") and os.environ.get("DATABASE_URL", "").startswith("postgres")),
        reason="needs REDIS_URL and a PostgreSQL DATABASE_URL (real worker and beat processes)",
    ),
]


def _wait_for(predicate: Callable[[], Any], *, timeout: float, what: str, every: float = 0.2) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def _test_database_url() -> str:
    db = settings.DATABASES["default"]
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class CeleryProcess:
    """A ``celery -A config ...`` subprocess in its own process group, logging to a file."""

    def __init__(self, args: list[str], *, env: dict[str, str], log: Path) -> None:
        self.log = log
        self._log_file = log.open("w")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", *args],
            cwd=REPO,
            env=env,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_for_output(self, text: str, timeout: float = 60) -> None:
        def seen() -> bool:
            if self.proc.poll() is not None:
                raise AssertionError(f"celery exited with {self.proc.returncode}:\n{self.output()[-3000:]}")
            return text in self.output()

        _wait_for(seen, timeout=timeout, what=f"{text!r} in {self.log.name}")

    def kill(self) -> None:
        """SIGKILL the whole group (the main process and its pool children), as a crash would."""
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(30)
        self._log_file.close()

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)
        self._log_file.close()


def _use_default_queue(name: str) -> None:
    celery_app.conf.task_default_queue = name
    for cached in ("queues", "default_queue", "router"):  # rebuilt from the new default
        celery_app.amqp.__dict__.pop(cached, None)
    assert celery_app.amqp.default_queue.name == name


@pytest.fixture
def celery_env(transactional_db: None, tmp_path: Path) -> Iterator[dict[str, str]]:
    """Environment for worker/beat: the test database, Redis, and a queue no one else uses.

    The test process publishes to the same queue (task_default_queue is switched for the test).
    """
    queue = f"kyoka-test-{uuid.uuid4().hex[:10]}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_ENV": "test",
        "DATABASE_URL": _test_database_url(),
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "KYOKA_VAR_DIR": str(tmp_path / "var"),
        "PYTHONUNBUFFERED": "1",
    }
    previous = celery_app.conf.task_default_queue
    _use_default_queue(queue)
    try:
        yield env
    finally:
        _use_default_queue(previous)
        _forget_queue(queue)


def _forget_queue(queue: str) -> None:
    """Leave nothing of the test's queue in Redis: the list, its bindings, and the message a killed
    worker left unacknowledged (it would otherwise come back after the visibility timeout)."""
    import redis

    client = redis.Redis.from_url(os.environ["REDIS_URL"])
    client.delete(queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")
    for tag, raw in client.hgetall("unacked").items():
        try:
            routing_key = json.loads(raw)[2]
        except (ValueError, IndexError, TypeError):
            continue
        if routing_key == queue:
            client.hdel("unacked", tag)
            client.zrem("unacked_index", tag)


@pytest.fixture
def start_celery(celery_env: dict[str, str], tmp_path: Path) -> Iterator[Callable[..., CeleryProcess]]:
    started: list[CeleryProcess] = []

    def start(kind: str, *args: str, **extra_env: str) -> CeleryProcess:
        name = f"{kind}-{len(started)}"
        if kind == "worker":
            argv = [
                "worker",
                "-l",
                "info",
                "-n",
                f"{name}-{uuid.uuid4().hex[:6]}@%h",
                "--concurrency",
                "1",
                "--without-mingle",
                "--without-gossip",
                "--without-heartbeat",
                *args,
            ]
        else:
            argv = ["beat", "-l", "info", "--max-interval", "1", *args]
        process = CeleryProcess(argv, env={**celery_env, **extra_env}, log=tmp_path / f"{name}.log")
        started.append(process)
        return process

    yield start
    for process in started:
        process.stop()


def _expired_licences(make_licence: Callable[..., Licence], count: int) -> list[Licence]:
    """Individual licences issued in March 2020 (valid 6 months): long past their last valid day."""
    first = at(tokyo(2020, 3, 2, 10), make_licence)
    assert first.valid_until == first.valid_from + timedelta(days=183)
    licences = [first]
    app = first.application
    for i in range(1, count):
        app.pk = app.id = None
        app.reference = f"JP-2020-{900000 + i}"
        app.save()
        lic = Licence.objects.get(pk=first.pk)
        lic.pk = lic.id = None
        lic.application = app
        lic.number = f"JP-I-2020-{900000 + i}"
        lic.verification_code = f"TESTCODE{i:06d}"
        lic.save()
        licences.append(lic)
    return licences


def _overdue_beat_schedule(path: Path) -> None:
    """A beat schedule file in which every entry last ran a day ago (beat restarted after downtime)."""
    from celery.beat import PersistentScheduler

    scheduler = PersistentScheduler(app=celery_app, schedule_filename=str(path))
    for entry in scheduler.schedule.values():
        entry.last_run_at = timezone.now() - timedelta(days=1)
    scheduler.sync()
    scheduler.close()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_beat_and_a_worker_expire_a_licence_end_to_end(make_licence, exporter, start_celery, tmp_path):
    (licence,) = _expired_licences(make_licence, 1)
    schedule = tmp_path / "celerybeat-schedule"
    _overdue_beat_schedule(schedule)
    # Started together: what beat sends waits in Redis until the worker is up.
    beat = start_celery("beat", "-s", str(schedule))
    worker = start_celery("worker")
    worker.wait_for_output("ready.")

    def expired_and_told() -> bool:
        lic = Licence.objects.get(pk=licence.pk)
        emailed = Notification.objects.filter(
            licence=licence, verb="licence.expired", email_state=Notification.EmailState.SENT
        )
        return lic.status == Licence.Status.EXPIRED and emailed.exists()

    _wait_for(expired_and_told, timeout=60, what="the licence to expire and the exporter's email to go out")
    assert Event.objects.filter(verb="licence.expired", subject_id=str(licence.pk)).count() == 1
    assert "Sending due task licence-expiry" in beat.output()
    assert "licensing.tasks.sweep_licence_expiry" in worker.output()
    # Every other sweep beat sent ran too (each logs its report).
    _wait_for(lambda: "Sweep information-requests as of" in worker.output(), timeout=30, what="all sweeps")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_worker_killed_mid_sweep_leaves_whole_batches_and_the_next_run_finishes(make_licence, exporter, start_celery):
    colleague = ExporterFactory(organisation=exporter.organisation)
    licences = _expired_licences(make_licence, 24)
    ids = [lic.pk for lic in licences]
    batch = 4
    slow = start_celery("worker", KYOKA_SWEEP_BATCH_SIZE=str(batch), KYOKA_SWEEP_BATCH_DELAY="1.5")
    slow.wait_for_output("ready.")

    from licensing.tasks import sweep_licence_expiry

    sweep_licence_expiry.delay()

    def expired_count() -> int:
        return Licence.objects.filter(pk__in=ids, status=Licence.Status.EXPIRED).count()

    _wait_for(lambda: expired_count() >= batch, timeout=60, what="the first batch to commit")
    slow.kill()
    done = expired_count()
    assert 0 < done < len(ids), "the kill must land mid-sweep"

    def assert_consistent() -> set[int]:
        expired = set(Licence.objects.filter(pk__in=ids, status=Licence.Status.EXPIRED).values_list("pk", flat=True))
        events = list(Event.objects.filter(verb="licence.expired").values_list("subject_id", flat=True))
        assert sorted(events) == sorted(str(pk) for pk in expired)  # one event per expired licence, no other
        for pk in ids:
            told = Notification.objects.filter(licence_id=pk, verb="licence.expired")
            assert told.count() == (2 if pk in expired else 0)
            assert set(told.values_list("recipient_id", flat=True)) <= {exporter.pk, colleague.pk}
        return expired

    # Only whole batches: the batch in flight when the worker died was rolled back.
    assert len(assert_consistent()) % batch == 0

    fresh = start_celery("worker")
    fresh.wait_for_output("ready.")

    def next_run_done() -> bool:
        # What beat would do: send the sweep again until a run completes it.
        if expired_count() < len(ids):
            sweep_licence_expiry.delay()
            return False
        return True

    _wait_for(next_run_done, timeout=90, what="the next run to expire the rest", every=2)
    assert assert_consistent() == set(ids)
    assert connection.vendor == "postgresql"
