"""Partner API benchmark: 100,000 applications and licences on PostgreSQL, served by gunicorn.

Measured in one run, on one machine, against 127.0.0.1 only, each for a bounded duration:

* a 304 poll of the licence list (If-None-Match with the current ETag),
* a 200 list page (first page, and a page deep in the list via its cursor),
* a licence verification by number (customs' licences:verify key),
* the ceiling: a bare Django view returning a constant JSON body,
* the baseline an integrator would otherwise get: a plain DRF ModelViewSet with page-number
  pagination over the same rows (first page, and the page at the same depth).

Usage: python bench/api.py [--rows 100000] [--duration 10] [--reseed]
Needs PostgreSQL (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/kyoka_bench; the database
is created if missing) and wrk (apt-get install wrk) or falls back to a bounded Python client.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import http.client
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/kyoka_bench"
ORG_NAME = "Bench Exporter K.K."
RESULTS = ROOT / "bench" / "RESULTS.md"


# --- Setup ----------------------------------------------------------------------------------------


def ensure_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    exists = subprocess.run(
        ["psql", url.rsplit("/", 1)[0] + "/postgres", "-tAc", f"SELECT 1 FROM pg_database WHERE datname = '{name}'"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    if exists != "1":
        subprocess.run(["psql", url.rsplit("/", 1)[0] + "/postgres", "-c", f'CREATE DATABASE "{name}"'], check=True)


def django_setup(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    # The full stack's cache (the per-key rate limit lives there): Redis, a database of its own.
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/14")
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    os.environ.setdefault("KYOKA_VAR_DIR", str(ROOT / "var" / "bench"))
    import django

    django.setup()


def seed(rows: int, reseed: bool) -> dict[str, str]:
    """Bulk-insert ``rows`` approved applications with their licences and licence.issued events."""
    from decimal import Decimal

    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from accounts.models import Organisation, User
    from licensing.models import Application, Event, Licence
    from materials.models import ControlledItem
    from partners.models import APIKey
    from partners.services import api_key_create
    from whitelist.models import Authority

    call_command("migrate", verbosity=0, interactive=False)
    org, _ = Organisation.objects.get_or_create(name=ORG_NAME, defaults={"kind": Organisation.Kind.EXPORTER})
    customs, _ = Organisation.objects.get_or_create(name="Bench Customs", defaults={"kind": Organisation.Kind.PARTNER})
    have = Licence.objects.filter(organisation=org).count()
    if reseed or have != rows:
        started = time.monotonic()
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(
                    "DELETE FROM licensing_event WHERE organisation_id = %s", [org.pk]
                )  # bench data only: bypasses the append-only guard on purpose
            Licence.objects.filter(organisation=org).delete()
            Application.objects.filter(organisation=org).delete()
        applicant, _ = User.objects.get_or_create(username="bench-exporter", defaults={"organisation": org})
        official, _ = User.objects.get_or_create(username="bench-official", defaults={"is_staff": True})
        jp = Authority.objects.get(code="JP")
        items = list(ControlledItem.objects.filter(kind="goods"))
        now = timezone.now()
        batch = 5000
        for start in range(0, rows, batch):
            count = min(batch, rows - start)
            with transaction.atomic():
                apps = Application.objects.bulk_create(
                    [
                        Application(
                            reference=f"JP-2090-{start + i:07d}",
                            organisation=org,
                            applicant=applicant,
                            authority=jp,
                            item=items[(start + i) % len(items)],
                            destination="KR",
                            quantity=Decimal("100"),
                            licence_type="bulk",
                        )
                        for i in range(count)
                    ]
                )
                Application.objects.filter(pk__in=[a.pk for a in apps]).update(status="approved")
                licences = Licence.objects.bulk_create(
                    [
                        Licence(
                            number=f"JP-B-2090-{start + i:07d}",
                            verification_code=f"BENCH{start + i:07d}",
                            application=app,
                            organisation=org,
                            authority=jp,
                            item=app.item,
                            destination="KR",
                            licence_type="bulk",
                            valid_from=now.date(),
                            valid_until=now.date() + dt.timedelta(days=1095),
                            quantity_authorised=Decimal("100"),
                            unit="kg",
                            issued_at=now,
                            issued_by=official,
                        )
                        for i, app in enumerate(apps)
                    ]
                )
                Event.objects.bulk_create(
                    [
                        Event(
                            occurred_at=now - dt.timedelta(minutes=5),
                            actor_label="bench",
                            verb="licence.issued",
                            subject_type="licence",
                            subject_id=str(lic.pk),
                            organisation=org,
                            authority=jp,
                            payload={"number": lic.number, "status": "active"},
                        )
                        for lic in licences
                    ]
                )
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        print(f"seeded {rows:,} applications, licences and events in {time.monotonic() - started:.0f} s")
    else:
        print(f"reusing {have:,} seeded licences")
    APIKey.objects.filter(organisation__in=[org, customs]).update(revoked=True)
    _, erp_key = api_key_create(organisation=org, name="bench ERP", scopes=["licences:read", "applications:read"])
    _, customs_key = api_key_create(organisation=customs, name="bench customs", scopes=["licences:verify"])
    deep = Licence.objects.filter(organisation=org).order_by("updated_at", "id")[rows // 2 - 1]
    from licensing.api.pagination import encode_cursor

    return {
        "erp_key": erp_key,
        "customs_key": customs_key,
        "number": Licence.objects.filter(organisation=org).order_by("id").values_list("number", flat=True)[rows // 3],
        "deep_cursor": encode_cursor(deep.updated_at, deep.pk),
        "deep_page": str(rows // 2 // 50 + 1),
    }


# --- Server ---------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(port: int, workers: int) -> subprocess.Popen:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings"}
    proc = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--worker-class",
            "sync",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/bench/bare/", timeout=1)
            return proc
        except OSError:
            time.sleep(0.3)
    proc.terminate()
    raise SystemExit("gunicorn did not start")


# --- Load -----------------------------------------------------------------------------------------


@dataclass
class Result:
    name: str
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    non_2xx_3xx: int


def _ms(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value).groups()  # type: ignore[union-attr]
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def run_wrk(name: str, url: str, headers: dict[str, str], duration: int, connections: int) -> Result:
    cmd = ["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--latency", "--timeout", "5s"]
    for key, value in headers.items():
        cmd += ["-H", f"{key}: {value}"]
    out = subprocess.run([*cmd, url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p50 = _ms(re.search(r"\s50%\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"\s99%\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    total = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return Result(name, rps, p50, p99, total, int(bad.group(1)) if bad else 0)


def run_python(name: str, url: str, headers: dict[str, str], duration: int, connections: int) -> Result:
    """Fallback load: ``connections`` threads, each on its own keep-alive connection, for ``duration``."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    latencies: list[float] = []
    bad = 0
    lock = threading.Lock()
    stop_at = time.monotonic() + duration

    def worker() -> None:
        nonlocal bad
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=5)
        mine, errors = [], 0
        while time.monotonic() < stop_at:
            started = time.perf_counter()
            try:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                response.read()
                if response.status >= 400:
                    errors += 1
                if response.getheader("Connection", "").lower() == "close":
                    conn.close()
            except (OSError, http.client.HTTPException):
                errors += 1
                conn.close()
            mine.append((time.perf_counter() - started) * 1000)
        with lock:
            latencies.extend(mine)
            bad += errors

    threads = [threading.Thread(target=worker) for _ in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    latencies.sort()
    q = statistics.quantiles(latencies, n=100)
    return Result(name, len(latencies) / duration, q[49], q[98], len(latencies), bad)


# --- Report ---------------------------------------------------------------------------------------


def machine() -> str:
    cpu = "unknown CPU"
    with contextlib.suppress(OSError, StopIteration):
        cpu = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
    mem_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    pg = subprocess.run(
        ["psql", os.environ["DATABASE_URL"], "-tAc", "SHOW server_version"], capture_output=True, text=True
    )
    return (
        f"{cpu}, {os.cpu_count()} cores, {mem_gib:.0f} GiB; {platform.platform()}; load average before the run "
        f"{os.getloadavg()[0]:.1f}; "
        f"Python {platform.python_version()}; PostgreSQL {pg.stdout.strip() or '?'}"
    )


def table(results: list[Result], ratios: dict[str, list[tuple[str, str]]]) -> str:
    by_name = {r.name: r for r in results}
    lines = [
        "| request | req/s | p50 ms | p99 ms | requests | errors | compared with |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for r in results:
        notes = []
        for base, label in ratios.get(r.name, []):
            other = by_name[base]
            notes.append(f"{r.rps / other.rps:.2f}× the req/s of {label}, p50 {r.p50_ms / other.p50_ms:.2f}×")
        lines.append(
            f"| {r.name} | {r.rps:,.0f} | {r.p50_ms:.2f} | {r.p99_ms:.2f} | {r.requests:,} | {r.non_2xx_3xx} | "
            + ("; ".join(notes) or "—")
            + " |"
        )
    return "\n".join(lines)


def write_results(section: str) -> None:
    text = RESULTS.read_text() if RESULTS.exists() else "# Benchmark results\n\nRecorded by `make bench`.\n"
    start = text.find("## Partner API")
    if start == -1:
        text = text.rstrip() + "\n\n" + section
    else:
        end = text.find("\n## ", start + 3)
        text = text[:start] + section + (text[end + 1 :] if end != -1 else "")
    RESULTS.write_text(text.rstrip() + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--duration", type=int, default=15, help="seconds per row, over all rounds (max 60)")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds; medians are reported")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--reseed", action="store_true")
    parser.add_argument("--no-record", action="store_true", help="print only; do not update bench/RESULTS.md")
    args = parser.parse_args()
    duration = max(1, min(args.duration, 60))

    database_url = os.environ.get("DATABASE_URL") or DEFAULT_DB
    if not database_url.startswith("postgres"):
        raise SystemExit("The API benchmark needs PostgreSQL: set DATABASE_URL=postgres://...")
    ensure_database(database_url)
    django_setup(database_url)
    fixtures = seed(args.rows, args.reseed)

    port = free_port()
    server = start_gunicorn(port, args.workers)
    base = f"http://127.0.0.1:{port}"
    erp = {"Authorization": f"Api-Key {fixtures['erp_key']}"}
    customs = {"Authorization": f"Api-Key {fixtures['customs_key']}"}
    load = run_wrk if shutil.which("wrk") else run_python
    tool = "wrk 1 thread" if load is run_wrk else "Python threads (keep-alive)"
    try:
        list_url = f"{base}/api/v1/licences/?page_size=50"
        etag = urllib.request.urlopen(urllib.request.Request(list_url, headers=erp)).headers["ETag"]
        for url, headers in [(list_url, erp), (f"{base}/bench/drf/licences/", erp), (f"{base}/bench/bare/", {})]:
            load(url=url, name="warm-up", headers=headers, duration=1, connections=2)
        scenarios = [
            ("bare Django view (constant JSON)", f"{base}/bench/bare/", {}),
            ("304 poll: licence list, If-None-Match", list_url, {**erp, "If-None-Match": etag}),
            ("200 list page: first 50 (keyset)", list_url, erp),
            ("200 list page: 50 at row 50,000 (keyset)", f"{list_url}&cursor={fixtures['deep_cursor']}", erp),
            ("plain DRF ModelViewSet: page 1", f"{base}/bench/drf/licences/", erp),
            (
                "plain DRF ModelViewSet: page at row 50,000",
                f"{base}/bench/drf/licences/?page={fixtures['deep_page']}",
                erp,
            ),
            ("licence verification (licences:verify)", f"{base}/api/v1/licences/{fixtures['number']}/", customs),
        ]
        # Interleaved rounds: a change in the machine's load during the run hits every row alike.
        rounds = max(1, args.rounds)
        slice_s = max(1, duration // rounds)
        samples: dict[str, list[Result]] = {name: [] for name, _, _ in scenarios}
        for round_no in range(rounds):
            for name, url, headers in scenarios:
                samples[name].append(
                    load(name=name, url=url, headers=headers, duration=slice_s, connections=args.connections)
                )
            print(f"  round {round_no + 1}/{rounds} done")
        results = []
        for name, _, _ in scenarios:
            runs = samples[name]
            result = Result(
                name,
                statistics.median(r.rps for r in runs),
                statistics.median(r.p50_ms for r in runs),
                statistics.median(r.p99_ms for r in runs),
                sum(r.requests for r in runs),
                sum(r.non_2xx_3xx for r in runs),
            )
            results.append(result)
            print(f"  {name}: {result.rps:,.0f} req/s, p50 {result.p50_ms:.2f} ms, p99 {result.p99_ms:.2f} ms")
    finally:
        server.terminate()
        server.wait(10)

    bare = "bare Django view (constant JSON)"
    drf_first, drf_deep = "plain DRF ModelViewSet: page 1", "plain DRF ModelViewSet: page at row 50,000"
    ratios = {
        "304 poll: licence list, If-None-Match": [(bare, "bare"), ("200 list page: first 50 (keyset)", "the 200")],
        "200 list page: first 50 (keyset)": [(bare, "bare"), (drf_first, "DRF page 1")],
        "200 list page: 50 at row 50,000 (keyset)": [(drf_deep, "DRF at the same depth")],
        "licence verification (licences:verify)": [(bare, "bare")],
    }
    rendered = table(results, ratios)
    print()
    print(rendered)
    section = (
        "## Partner API\n\n"
        f"Recorded {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC by `make bench` (`bench/api.py`).\n\n"
        f"- Machine: {machine()}\n"
        f"- Data: {args.rows:,} approved applications with their licences and {args.rows:,} events, one exporter "
        "organisation, on PostgreSQL.\n"
        f"- Server: gunicorn, {args.workers} sync workers, `bench.settings` (product settings, DEBUG off, the "
        "per-key rate limit still evaluated); client: "
        f"{tool}, {args.connections} connections, {max(1, args.rounds)} interleaved rounds of "
        f"{max(1, duration // max(1, args.rounds))} s per row (medians), all on 127.0.0.1.\n"
        "- Ratios are req/s of the row divided by req/s of the named baseline, measured in the same run.\n\n"
        f"{rendered}\n"
    )
    if not args.no_record:
        write_results(section)
        print(f"\nrecorded in {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
