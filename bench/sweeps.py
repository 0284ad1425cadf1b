"""Celery sweeps benchmark: does a sweep's cost follow the rows that change, or all the rows?

For each size N (10,000 / 100,000 / 1,000,000 by default) the database holds N licences with their
N approved applications, plus N/10 open applications (a tenth of them waiting for information),
all in a steady state: nothing is due, every reminder already sent. Then a fixed number K of rows
is made due for every sweep (cases due tomorrow and overdue, licences past their last day, at 30
days with the 90-day reminder sent, fully drawn down, questions 14 and 61 days old, pending cases
to a country whose amendment takes effect today, a rule starting today, emails left pending by a
broker outage). Each sweep runs once (K changes) and again (nothing due), timed, with its
queries counted (an execute wrapper on the connection). At the largest N the run is repeated with 10 x K.

Usage: python bench/sweeps.py [--sizes 10000,100000,1000000] [--changing 100] [--no-record]
Needs PostgreSQL (BENCH_SWEEPS_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/kyoka_bench_sweeps;
recreated on every run) and Redis (db 13; the emails the sweeps enqueue go to a queue of their own,
purged afterwards). Results go to bench/RESULTS.md, section "Celery sweeps".
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import datetime as dt
import io
import json
import os
import platform
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/kyoka_bench_sweeps"
REDIS = "redis://127.0.0.1:6379/13"
QUEUE = "kyoka-bench-sweeps"
RESULTS = ROOT / "bench" / "RESULTS.md"
SECTION = "## Celery sweeps"
# Countries with no grouping row for Japan (its default group C applies): one amendment per round.
AMENDMENT_COUNTRIES = ["TW", "SG", "MY", "TH", "VN", "ID", "PH", "MX"]
# Group A countries: a new resist rule per round (no rule has this key yet).
RULE_COUNTRIES = ["NZ", "NO", "SE", "FI", "DK", "IE", "PT", "AT"]
SWEEP_ORDER = [
    "whitelist-amendments",
    "rules-in-force",
    "licence-expiry",
    "licence-exhaustion",
    "licence-expiry-reminders",
    "deadlines",
    "information-requests",
    "email-requeue",
]


def recreate_database(url: str) -> None:
    base, name = url.rsplit("/", 1)
    admin = base + "/postgres"
    subprocess.run(["psql", admin, "-qc", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'], check=True)
    subprocess.run(["psql", admin, "-qc", f'CREATE DATABASE "{name}"'], check=True)


def django_setup(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ["REDIS_URL"] = REDIS
    os.environ["CELERY_TASK_DEFAULT_QUEUE"] = QUEUE
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    os.environ.setdefault("KYOKA_VAR_DIR", str(ROOT / "var" / "bench"))
    import django

    django.setup()


# --- Bulk loading with COPY ---------------------------------------------------------------------


class Loader:
    """COPY rows into a table with explicit ids (so rows of other tables can point at them)."""

    def __init__(self, model: Any) -> None:
        from django.db import connection

        self.model = model
        self.table = model._meta.db_table
        self.fields = list(model._meta.concrete_fields)
        self.columns = [f.column for f in self.fields]
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {self.table}")
            self.next_id = cursor.fetchone()[0] + 1

    def take_id(self) -> int:
        self.next_id += 1
        return self.next_id - 1

    def copy(self, rows: Iterable[dict[str, Any]], chunk: int = 100_000) -> int:
        from django.db import connection

        total = 0
        batch: list[dict[str, Any]] = []
        for row in rows:
            batch.append(row)
            if len(batch) >= chunk:
                total += self._copy(connection, batch)
                batch = []
        if batch:
            total += self._copy(connection, batch)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{self.table}', 'id'), {self.next_id})")
        return total

    def _copy(self, connection: Any, rows: list[dict[str, Any]]) -> int:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        for row in rows:
            writer.writerow([_csv(row.get(column)) for column in self.columns])
        buffer.seek(0)
        with connection.cursor() as cursor:
            cursor.cursor.copy_expert(
                f"COPY {self.table} ({', '.join(self.columns)}) FROM STDIN WITH (FORMAT csv, NULL '\\N')", buffer
            )
        return len(rows)


def _csv(value: Any) -> Any:
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


@dataclass
class World:
    """What the rows point at: the authority, items, users, regime snapshots."""

    jp: Any
    resist: Any
    org: Any
    exporter: Any
    officer: Any
    supervisor: Any
    bulk_rule: Any
    bulk_snapshot: dict[str, Any]
    today: dt.date
    now: dt.datetime

    def application(self, loader: Loader, reference: str, **overrides: Any) -> dict[str, Any]:
        row = {
            "id": loader.take_id(),
            "reference": reference,
            "organisation_id": self.org.pk,
            "applicant_id": self.exporter.pk,
            "authority_id": self.jp.pk,
            "item_id": self.resist.pk,
            "destination": "KR",
            "consignee_name": "Bench Consignee",
            "consignee_address": "1 Bench Road",
            "consignee_country": "KR",
            "end_user_name": "Bench End User",
            "end_user_address": "1 Bench Road",
            "end_user_country": "KR",
            "end_use": "Benchmark",
            "quantity": "100",
            "unit": "kg",
            "value": "1000",
            "currency": "JPY",
            "status": "approved",
            "regime_rule_id": self.bulk_rule.pk,
            "licence_type": "bulk",
            "regime_snapshot": self.bulk_snapshot,
            "submitted_at": self.now - dt.timedelta(days=30),
            "clock_start_date": self.today - dt.timedelta(days=30),
            "due_date": self.today - dt.timedelta(days=20),
            "clock_running": False,
            "decided_at": self.now - dt.timedelta(days=25),
            "decision_reason": "",
            "created_at": self.now,
            "updated_at": self.now,
        }
        row.update(overrides)
        return row

    def licence(self, loader: Loader, application_id: int, number: str, **overrides: Any) -> dict[str, Any]:
        row = {
            "id": loader.take_id(),
            "number": number,
            "verification_code": f"V{number}",
            "application_id": application_id,
            "organisation_id": self.org.pk,
            "authority_id": self.jp.pk,
            "item_id": self.resist.pk,
            "destination": "KR",
            "licence_type": "bulk",
            "bulk_type": "general",
            "valid_from": self.today - dt.timedelta(days=30),
            "valid_until": self.today + dt.timedelta(days=400),
            "quantity_authorised": "100",
            "quantity_shipped": "0",
            "unit": "kg",
            "conditions": "",
            "status": "active",
            "status_reason": "",
            "issued_at": self.now - dt.timedelta(days=25),
            "issued_by_id": self.supervisor.pk,
            "expiry_reminded_days": None,
            "updated_at": self.now,
        }
        row.update(overrides)
        if "expiry_reminder_due_on" not in overrides:  # scheduled, as the reminder sweep leaves it
            reminded = row["expiry_reminded_days"]
            days = {None: 90, 90: 30, 30: 7}.get(reminded)
            row["expiry_reminder_due_on"] = (
                row["valid_until"] - dt.timedelta(days=days) if days else dt.date(9999, 12, 31)
            )
        return row


def make_world() -> World:
    from django.contrib.auth.models import Group
    from django.utils import timezone

    from accounts.models import Organisation, User
    from accounts.roles import OFFICER, SUPERVISOR
    from licensing.selectors.regimes import determine_regime
    from licensing.services.clock import local_date
    from materials.models import ControlledItem
    from whitelist.models import Authority

    jp = Authority.objects.get(code="JP")
    resist = ControlledItem.objects.get(slug="resist")
    org = Organisation.objects.create(name="Bench Exporter K.K.", kind=Organisation.Kind.EXPORTER)
    exporter = User.objects.create_user("bench-exporter", "exporter@bench.example", "x", organisation=org)
    officers = Group.objects.get(name=OFFICER)
    officer = User.objects.create_user("bench-officer", "officer@bench.example", "x", authority=jp, is_staff=True)
    officer.groups.add(officers)
    other = User.objects.create_user("bench-officer-2", "officer2@bench.example", "x", authority=jp, is_staff=True)
    other.groups.add(officers)
    supervisor = User.objects.create_user("bench-supervisor", "sup@bench.example", "x", authority=jp, is_staff=True)
    supervisor.groups.add(Group.objects.get(name=SUPERVISOR))
    now = timezone.now()
    today = local_date(jp, now)
    regime = determine_regime(authority=jp, item=resist, destination="KR", on_date=today)
    return World(jp, resist, org, exporter, officer, supervisor, regime.rule, regime.snapshot(), today, now)


# --- The steady state (nothing due) and the rows that change --------------------------------------


BULK_TABLES = ("licensing_application", "licensing_licence")


@contextlib.contextmanager
def _secondary_indexes_dropped(cursor: Any, count: int) -> Iterator[None]:
    """For a big load, drop the non-unique indexes and build them again after: one sort per index
    instead of a million insertions into each."""
    if count < 50_000:
        yield
        return
    cursor.execute(
        """
        SELECT i.indexname, i.indexdef FROM pg_indexes i
        JOIN pg_class c ON c.relname = i.indexname JOIN pg_index x ON x.indexrelid = c.oid
        WHERE i.tablename = ANY(%s) AND NOT x.indisunique
        """,
        [list(BULK_TABLES)],
    )
    indexes = cursor.fetchall()
    for name, _definition in indexes:
        cursor.execute(f'DROP INDEX "{name}"')
    try:
        yield
    finally:
        cursor.execute("SET maintenance_work_mem = '256MB'")
        for _name, definition in indexes:
            cursor.execute(definition)


def seed_background(world: World, count: int, start: int) -> None:
    """``count`` licences (with their approved applications) and count/10 open cases, nothing due.

    Generated on the server (INSERT ... SELECT over generate_series): no row crosses the wire.
    Row i's kind is i % 20 for its licence (14 of 20 active with more than 90 days left, 2 in the
    90-day window reminded at 90, 1 in the 30-day window reminded at 30, 1 in the last week
    reminded at 7, 1 expired, 1 fully shipped); every tenth row also has an open case due in 10-89
    days, and every hundredth case waits for an answer asked 1-10 days ago.
    """
    from django.db import connection

    end = start + count - 1
    params = {
        "start": start,
        "end": end,
        "org": world.org.pk,
        "exporter": world.exporter.pk,
        "authority": world.jp.pk,
        "item": world.resist.pk,
        "rule": world.bulk_rule.pk,
        "snapshot": json.dumps(world.bulk_snapshot),
        "now": world.now,
        "today": world.today,
        "officer": world.officer.pk,
        "supervisor": world.supervisor.pk,
    }
    common_app = """
        organisation_id, applicant_id, authority_id, item_id, destination, consignee_name, consignee_address,
        consignee_country, end_user_name, end_user_address, end_user_country, end_use, quantity, unit, value,
        currency, regime_rule_id, licence_type, regime_snapshot, decision_reason, created_at, updated_at"""
    common_values = """
        %(org)s, %(exporter)s, %(authority)s, %(item)s, 'KR', 'Bench Consignee', '1 Bench Road', 'KR',
        'Bench End User', '1 Bench Road', 'KR', 'Benchmark', 100, 'kg', 1000, 'JPY', %(rule)s, 'bulk',
        %(snapshot)s::jsonb, '', %(now)s, %(now)s"""
    with connection.cursor() as cursor, _secondary_indexes_dropped(cursor, count):
        cursor.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM licensing_application")
        params["a0"] = cursor.fetchone()[0]
        cursor.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM licensing_licence")
        params["l0"] = cursor.fetchone()[0]
        params["o0"] = params["a0"] + count
        cursor.execute(
            f"""
            INSERT INTO licensing_application (id, reference, status, submitted_at, clock_start_date, due_date,
                clock_running, decided_at, {common_app})
            SELECT %(a0)s + i - %(start)s, 'BENCH-A-' || lpad(i::text, 9, '0'), 'approved',
                %(now)s - interval '30 days', %(today)s::date - 30, %(today)s::date - 20, false,
                %(now)s - interval '25 days', {common_values}
            FROM generate_series(%(start)s, %(end)s) AS i
            """,
            params,
        )
        cursor.execute(
            """
            INSERT INTO licensing_licence (id, number, verification_code, application_id, organisation_id,
                authority_id, item_id, destination, licence_type, bulk_type, valid_from, valid_until,
                quantity_authorised, quantity_shipped, unit, conditions, status, status_reason, issued_at,
                issued_by_id, expiry_reminded_days, expiry_reminder_due_on, updated_at)
            SELECT %(l0)s + i - %(start)s, 'BENCH-L-' || lpad(i::text, 9, '0'), 'VB' || lpad(i::text, 9, '0'),
                %(a0)s + i - %(start)s, %(org)s, %(authority)s, %(item)s, 'KR', 'bulk', 'general',
                CASE WHEN i %% 20 = 18 THEN %(today)s::date - 1100 ELSE %(today)s::date - 30 END,
                CASE
                    WHEN i %% 20 <= 13 THEN %(today)s::date + 91 + i %% 1000
                    WHEN i %% 20 <= 15 THEN %(today)s::date + 31 + i %% 59
                    WHEN i %% 20 = 16 THEN %(today)s::date + 8 + i %% 22
                    WHEN i %% 20 = 17 THEN %(today)s::date + i %% 7
                    WHEN i %% 20 = 18 THEN %(today)s::date - 1 - i %% 500
                    ELSE %(today)s::date + 400
                END,
                100, CASE WHEN i %% 20 = 19 THEN 100 ELSE 0 END, 'kg', '',
                CASE i %% 20 WHEN 18 THEN 'expired' WHEN 19 THEN 'exhausted' ELSE 'active' END, '',
                %(now)s - interval '25 days', %(supervisor)s,
                CASE i %% 20 WHEN 14 THEN 90 WHEN 15 THEN 90 WHEN 16 THEN 30 WHEN 17 THEN 7 END,
                CASE
                    WHEN i %% 20 <= 13 THEN %(today)s::date + 1 + i %% 1000
                    WHEN i %% 20 <= 15 THEN %(today)s::date + 1 + i %% 59
                    WHEN i %% 20 = 16 THEN %(today)s::date + 1 + i %% 22
                    WHEN i %% 20 = 17 THEN DATE '9999-12-31'
                END,
                %(now)s
            FROM generate_series(%(start)s, %(end)s) AS i
            """,
            params,
        )
        cursor.execute(
            f"""
            INSERT INTO licensing_application (id, reference, status, submitted_at, clock_start_date, due_date,
                clock_running, assigned_to_id, {common_app})
            SELECT %(o0)s + i - %(start)s, 'BENCH-O-' || lpad(i::text, 9, '0'),
                CASE WHEN i %% 100 = 0 THEN 'information_requested' ELSE 'under_review' END,
                %(now)s - interval '3 days', %(today)s::date - 3, %(today)s::date + 10 + i %% 80,
                i %% 100 <> 0, %(officer)s, {common_values}
            FROM generate_series(%(start)s, %(end)s) AS i
            WHERE i %% 10 = 0
            """,
            params,
        )
        cursor.execute(
            """
            INSERT INTO licensing_informationrequest (application_id, message, requested_by_id, requested_at, response)
            SELECT id, 'Which fab?', %(officer)s, %(now)s - (1 + id %% 10) * interval '1 day', ''
            FROM licensing_application
            WHERE id >= %(o0)s AND status = 'information_requested'
            """,
            params,
        )
        cursor.execute(
            """
            INSERT INTO licensing_clockstop (application_id, information_request_id, stopped_at, stopped_on)
            SELECT r.application_id, r.id, r.requested_at, (r.requested_at AT TIME ZONE 'Asia/Tokyo')::date
            FROM licensing_informationrequest r
            WHERE r.application_id >= %(o0)s
            """,
            params,
        )
        for table in ("licensing_application", "licensing_licence"):
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))")


def seed_changing(world: World, k: int, round_no: int) -> dict[str, int]:
    """K rows due for every sweep; returns how many changes each sweep should make."""
    from django.db.models import F

    from licensing.models import Application, ClockStop, InformationRequest, Licence, RegimeRule
    from licensing.selectors.regimes import determine_regime
    from licensing.services.rules import rule_save
    from notifications.models import Notification
    from whitelist.models import CountryGroup
    from whitelist.services import amendment_schedule

    apps, lics = Loader(Application), Loader(Licence)
    requests_, stops = Loader(InformationRequest), Loader(ClockStop)
    today, now = world.today, world.now
    tag = f"R{round_no}"
    app_rows, licence_rows, request_rows, stop_rows = [], [], [], []
    open_case = {
        "status": "under_review",
        "clock_running": True,
        "decided_at": None,
        "submitted_at": now - dt.timedelta(days=10),
        "clock_start_date": today - dt.timedelta(days=10),
        "assigned_to_id": world.officer.pk,
    }
    for i in range(k):
        app_rows.append(world.application(apps, f"{tag}-SOON-{i}", **open_case, due_date=today + dt.timedelta(days=1)))
        app_rows.append(world.application(apps, f"{tag}-LATE-{i}", **open_case, due_date=today - dt.timedelta(days=1)))
        for what, extra in (
            ("EXP", {"valid_until": today - dt.timedelta(days=1)}),
            ("REM", {"valid_until": today + dt.timedelta(days=20), "expiry_reminded_days": 90}),
            ("DRAWN", {"quantity_shipped": "100"}),
        ):
            app = world.application(apps, f"{tag}-{what}-{i}")
            app_rows.append(app)
            licence_rows.append(world.licence(lics, app["id"], f"{tag}-{what}-{i}", **extra))
        for what, age in (("ASK14", 14), ("ASK61", 61)):
            case = world.application(
                apps,
                f"{tag}-{what}-{i}",
                **{**open_case, "status": "information_requested", "clock_running": False},
                due_date=today + dt.timedelta(days=30),
            )
            app_rows.append(case)
            request = {
                "id": requests_.take_id(),
                "application_id": case["id"],
                "message": "Which fab?",
                "requested_by_id": world.officer.pk,
                "requested_at": now - dt.timedelta(days=age),
                "response": "",
            }
            request_rows.append(request)
            stop_rows.append(
                {
                    "id": stops.take_id(),
                    "application_id": case["id"],
                    "information_request_id": request["id"],
                    "stopped_at": now - dt.timedelta(days=age),
                    "stopped_on": today - dt.timedelta(days=age),
                }
            )
    # Pending individual-regime cases to a country whose amendment (C -> A) takes effect today.
    country = AMENDMENT_COUNTRIES[round_no]
    individual = determine_regime(authority=world.jp, item=world.resist, destination=country, on_date=today)
    for i in range(k):
        app_rows.append(
            world.application(
                apps,
                f"{tag}-AMEND-{i}",
                **{**open_case, "status": "submitted"},
                destination=country,
                due_date=today + dt.timedelta(days=60),
                regime_rule_id=individual.rule.pk,
                licence_type="individual",
                regime_snapshot=individual.snapshot(),
            )
        )
    apps.copy(app_rows)
    lics.copy(licence_rows)
    requests_.copy(request_rows)
    stops.copy(stop_rows)
    amendment_schedule(
        authority=world.jp,
        country=country,
        new_group=CountryGroup.objects.get(authority=world.jp, code="A"),
        effective_date=today,
        legal_basis=f"Bench amendment {tag}",
    )
    rule_save(
        rule=RegimeRule(
            authority=world.jp,
            item=world.resist,
            destination_country=RULE_COUNTRIES[round_no],
            effective_from=today,
            licence_type="bulk",
            bulk_type="general",
            processing_days=7,
            processing_basis="business",
            validity_months=36,
            legal_basis=f"Bench rule {tag}",
        )
    )
    # Emails a broker outage left pending: older than a minute, never attempted.
    Notification.objects.bulk_create(
        [
            Notification(recipient=world.exporter, key=f"{tag}-outage-{i}", verb="licence.expired", title="t")
            for i in range(k)
        ]
    )
    Notification.objects.filter(key__startswith=f"{tag}-outage-").update(
        created_at=F("created_at") - dt.timedelta(minutes=5)
    )
    return {
        "whitelist-amendments": k + 1,  # K offers and the amendment
        "rules-in-force": 1,
        "licence-expiry": k,
        "licence-exhaustion": k,
        "licence-expiry-reminders": k,
        "deadlines": 2 * k,
        "information-requests": 2 * k,
        "email-requeue": k,
    }


# --- Measuring ----------------------------------------------------------------------------------


class QueryCounter:
    """Counts every query on the connection (CaptureQueriesContext keeps only the last 9,000)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        self.count += 1
        return execute(sql, params, many, context)


def run_sweep(name: str) -> tuple[int, float, int]:
    """(changes, milliseconds, queries) of one run, the way the task runs it (lock included)."""
    from django.db import connection

    from licensing.services.locks import sweep_lock
    from licensing.services.sweeps import sweep_run
    from notifications.services import notification_emails_requeue

    counter = QueryCounter()
    with connection.execute_wrapper(counter):
        started = time.perf_counter()
        if name == "email-requeue":
            with sweep_lock(name):
                changed = notification_emails_requeue().requeued
        else:
            changed = sweep_run(name)["changed"]
        elapsed = (time.perf_counter() - started) * 1000
    return changed, elapsed, counter.count


def settle_emails(*, except_outage_of: int) -> None:
    """No worker runs here: mark the emails the sweeps enqueued as sent (as a worker would), so the
    requeue sweep sees only the K the 'outage' left pending."""
    from notifications.models import Notification

    Notification.objects.filter(email_state=Notification.EmailState.PENDING).exclude(
        key__startswith=f"R{except_outage_of}-outage-"
    ).update(email_state=Notification.EmailState.SENT)


def purge_queue() -> None:
    from config.celery import app

    with app.connection_for_write() as conn:
        conn.default_channel.queue_purge(QUEUE)


def analyze() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def rounds(sizes: list[int], k: int) -> Iterator[tuple[int, int]]:
    for size in sizes:
        yield size, k
    yield sizes[-1], 10 * k


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--changing", type=int, default=100, help="K: rows made due for each sweep per round")
    parser.add_argument("--no-record", action="store_true", help="print only; do not update bench/RESULTS.md")
    args, _unknown = parser.parse_known_args(argv)  # bench/run.py passes its arguments to every bench
    sizes = sorted(int(s) for s in args.sizes.split(","))
    url = os.environ.get("BENCH_SWEEPS_DATABASE_URL", DEFAULT_DB)
    load_before = os.getloadavg()[0]
    recreate_database(url)
    django_setup(url)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    world = make_world()
    rows: list[dict[str, Any]] = []
    loaded, seed_seconds = 0, {}
    # Warm-up (not recorded): templates compiled, connections and caches in place.
    seed_changing(world, 2, 0)
    for name in SWEEP_ORDER:
        settle_emails(except_outage_of=0)
        run_sweep(name)
    purge_queue()
    for round_no, (size, k) in enumerate(rounds(sizes, args.changing), start=1):
        if size > loaded:
            started = time.perf_counter()
            seed_background(world, size - loaded, loaded)
            analyze()
            seed_seconds[size] = time.perf_counter() - started
            print(f"seeded {size:,} licences (+{size // 10:,} open cases) in {seed_seconds[size]:.0f} s", flush=True)
            loaded = size
        expected = seed_changing(world, k, round_no)
        analyze()
        for name in SWEEP_ORDER:
            if name == "email-requeue":
                settle_emails(except_outage_of=round_no)
            changed, ms, queries = run_sweep(name)
            again_changed, again_ms, again_queries = run_sweep(name)
            row = {
                "size": size,
                "k": k,
                "sweep": name,
                "changed": changed,
                "expected": expected[name],
                "ms": ms,
                "queries": queries,
                "again_changed": again_changed,
                "again_ms": again_ms,
                "again_queries": again_queries,
            }
            rows.append(row)
            print(
                f"N={size:>9,} K={k:>5,} {name:<26} {changed:>5} changed {ms:>9.1f} ms {queries:>6} queries | "
                f"again: {again_changed} changed {again_ms:>7.1f} ms {again_queries:>3} queries",
                flush=True,
            )
            if changed != expected[name] or again_changed != 0:
                print(f"  !! expected {expected[name]} changes then 0", flush=True)
        purge_queue()
    report = render(rows, sizes, args.changing, seed_seconds, load_before)
    print(report)
    if not args.no_record:
        record(report)
    failed = any(r["changed"] != r["expected"] or r["again_changed"] for r in rows)
    return 1 if failed else 0


def render(rows: list[dict[str, Any]], sizes: list[int], k: int, seed_seconds: dict[int, float], load: float) -> str:
    import django
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg = cursor.fetchone()[0]
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    cpu = _cpu_model()
    lines = [
        SECTION,
        "",
        f"Recorded {when} by `make bench` (`bench/sweeps.py`).",
        "",
        f"- Machine: {cpu}, {os.cpu_count()} cores; {platform.platform()}; load average before the run "
        f"{load:.1f}; Python {platform.python_version()}; Django {django.get_version()}; PostgreSQL {pg}.",
        "- Data per size N: N licences with their N approved applications and N/10 open cases (a tenth waiting "
        "for information), nothing due. Seeding (INSERT ... SELECT over generate_series on the server; "
        "the rows made due each round by COPY) took "
        + ", ".join(f"{seed_seconds[s]:.0f} s to reach {s:,}" for s in sorted(seed_seconds))
        + ".",
        f"- Each round then makes K = {k:,} rows due for every sweep (the last round: {10 * k:,} at the largest N). "
        "A sweep runs as its task does (lock included), once (K changes, their notifications and after-commit "
        "email publishes to Redis), then again (nothing due).",
        "- 'changes' is what the sweep reports: state changes, flags and reminders, offers; deadlines and "
        "questions have two kinds of K each.",
        "",
        "| N (licences) | K | sweep | changes | ms | queries | ms / change | again: ms | again: queries |",
        "|---:|---:|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        per = r["ms"] / r["changed"] if r["changed"] else 0
        lines.append(
            f"| {r['size']:,} | {r['k']:,} | {r['sweep']} | {r['changed']:,} | {r['ms']:,.0f} | {r['queries']:,} | "
            f"{per:.1f} | {r['again_ms']:,.1f} | {r['again_queries']} |"
        )
    lines += ["", _reading(rows, sizes, k), ""]
    return "\n".join(lines)


def _reading(rows: list[dict[str, Any]], sizes: list[int], k: int) -> str:
    def total(size: int, kk: int, key: str) -> float:
        return sum(r[key] for r in rows if r["size"] == size and r["k"] == kk)

    small, large = sizes[0], sizes[-1]
    return (
        f"Reading: with the same K changes, all sweeps together took {total(small, k, 'ms'):,.0f} ms at "
        f"N = {small:,} and {total(large, k, 'ms'):,.0f} ms at N = {large:,} ({large // small:,}x the rows), with "
        f"{total(small, k, 'queries'):,.0f} and {total(large, k, 'queries'):,.0f} queries; with 10x the changes "
        f"at N = {large:,} they took {total(large, 10 * k, 'ms'):,.0f} ms and {total(large, 10 * k, 'queries'):,.0f} "
        f"queries. A run with nothing due costs the same few queries at every size "
        f"({total(small, k, 'again_queries'):,.0f} vs {total(large, k, 'again_queries'):,.0f} for all sweeps). "
        "Time follows the rows that change, not the rows in the tables."
    )


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def record(report: str) -> None:
    """Replace (or add) the "Celery sweeps" section of bench/RESULTS.md, leaving the others alone."""
    text = RESULTS.read_text() if RESULTS.exists() else "# Benchmark results\n"
    start = text.find(SECTION)
    if start == -1:
        text = text.rstrip("\n") + "\n\n" + report.rstrip("\n") + "\n"
    else:
        following = text.find("\n## ", start + len(SECTION))
        end = len(text) if following == -1 else following + 1
        text = text[:start] + report.rstrip("\n") + "\n" + ("\n" + text[end:] if following != -1 else "")
    RESULTS.write_text(text)
    print(f"recorded in {RESULTS}")


if __name__ == "__main__":
    sys.exit(main())
