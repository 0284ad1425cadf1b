"""``manage.py kyoka_clock``: the sweeps run "as of" a later date on a copy, never on the original."""

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from licensing.management.commands.kyoka_clock import parse_span

REPO = Path(__file__).resolve().parents[2]


def test_spans_are_hours_days_or_weeks():
    assert parse_span("12h").total_seconds() == 12 * 3600
    assert parse_span("30d").days == 30
    assert parse_span("2w").days == 14
    for bad in ("0d", "3y", "d", "-1d"):
        with pytest.raises(CommandError):
            parse_span(bad)


def test_it_refuses_a_missing_source(tmp_path):
    with pytest.raises(CommandError, match="No database"):
        call_command("kyoka_clock", "--advance", "1d", "--source", str(tmp_path / "none.sqlite3"))


def test_it_never_overwrites_the_source(tmp_path):
    db = tmp_path / "kyoka.sqlite3"
    sqlite3.connect(db).close()
    with pytest.raises(CommandError, match="must not be the live database"):
        call_command("kyoka_clock", "--advance", "1d", "--source", str(db), "--target", str(db))


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_month_later_the_submitted_case_is_due_soon_then_overdue_on_the_copy(make_submitted, officer, tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("kyoka_clock works on a copy of the embedded SQLite database")
    app = make_submitted()
    source, target = tmp_path / "kyoka.sqlite3", tmp_path / "timetravel.sqlite3"
    connection.ensure_connection()
    copy = sqlite3.connect(source)
    connection.connection.backup(copy)  # the test database, as the live one would be
    copy.close()

    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL", "DJANGO_ENV")}
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    env["KYOKA_VAR_DIR"] = str(tmp_path / "var")
    paths = ["--source", str(source), "--target", str(target)]
    result = subprocess.run(
        [sys.executable, "manage.py", "kyoka_clock", "--skip-checks", "--advance", "30d", *paths],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert f"{app.reference}: due soon ({app.due_date})" in result.stdout
    assert f"{app.reference}: overdue since {app.due_date}" in result.stdout

    def deadline_notices(path: Path) -> list[tuple[str, str]]:
        with sqlite3.connect(path) as db:
            return db.execute(
                "SELECT verb, email_state FROM notifications_notification WHERE verb LIKE 'deadline.%' ORDER BY id"
            ).fetchall()

    assert deadline_notices(target) == [("deadline.due_soon", "sent"), ("deadline.overdue", "sent")]
    assert deadline_notices(source) == []  # the original is untouched
    mails = list((tmp_path / "timetravel-mail").iterdir())
    assert any(f"Due soon: application {app.reference}" in m.read_text() for m in mails)
