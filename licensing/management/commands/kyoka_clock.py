"""Move the clock forward on a copy of the embedded database and watch the sweeps act.

    manage.py kyoka_clock --advance 30d            # a month, one day at a time
    manage.py kyoka_clock --advance 1100d --step 7d

The live database is never touched: ``var/kyoka.sqlite3`` is copied (SQLite's online backup, safe
while the web and worker write) to ``var/timetravel.sqlite3``, and a child process pointed at the
copy (DATABASE_URL) runs every beat sweep through its Celery task, in-process (eager), at each
step with the clock moved (time-machine). Emails go to files under ``var/timetravel-mail/``
unless ``--print-emails``. Afterwards, browse the copy:

    DATABASE_URL=sqlite:///var/timetravel.sqlite3 .venv/bin/python manage.py runserver 8001
"""

import os
import re
import sqlite3
import subprocess
import sys
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.test import override_settings
from django.utils import timezone

# The order beat would settle in after a day: whitelist first (offers use the new regime), then
# licences, deadlines, questions, and the emails left pending.
TASKS = [
    ("whitelist-amendments", "whitelist.tasks.sweep_amendments"),
    ("rules-in-force", "whitelist.tasks.sweep_rules_in_force"),
    ("licence-expiry", "licensing.tasks.sweep_licence_expiry"),
    ("licence-exhaustion", "licensing.tasks.sweep_licence_exhaustion"),
    ("licence-expiry-reminders", "licensing.tasks.sweep_licence_expiry_reminders"),
    ("deadlines", "licensing.tasks.sweep_deadlines"),
    ("information-requests", "licensing.tasks.sweep_information_requests"),
]

UNITS = {"h": "hours", "d": "days", "w": "weeks"}


def parse_span(text: str) -> timedelta:
    match = re.fullmatch(r"(\d+)\s*([hdw])", text.strip().lower())
    if not match or int(match.group(1)) == 0:
        raise CommandError(f"{text!r}: give a positive number of hours, days or weeks, e.g. 12h, 30d, 2w.")
    return timedelta(**{UNITS[match.group(2)]: int(match.group(1))})


class Command(BaseCommand):
    help = "Run the background sweeps 'as of' a future date on a copy of the embedded SQLite database."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--advance", required=True, help="How far to move the clock: 12h, 30d, 2w.")
        parser.add_argument("--step", default="1d", help="Run the sweeps every this much (default 1d).")
        parser.add_argument("--source", help="The database to copy (default: var/kyoka.sqlite3).")
        parser.add_argument("--target", help="Where the copy goes (default: var/timetravel.sqlite3).")
        parser.add_argument("--print-emails", action="store_true", help="Print emails instead of filing them.")
        parser.add_argument("--inner", action="store_true", help="(internal) run the steps on the copy")
        parser.add_argument("--mail-dir", help="(internal) file the emails in this folder")

    def handle(self, *args: Any, advance: str, step: str, inner: bool, **options: Any) -> None:
        span, every = parse_span(advance), parse_span(step)
        if every > span:
            every = span
        if inner:
            if options["mail_dir"]:
                with override_settings(
                    EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
                    EMAIL_FILE_PATH=options["mail_dir"],
                ):
                    self._travel(span, every)
            else:
                with override_settings(EMAIL_BACKEND="django.core.mail.backends.console.EmailBackend"):
                    self._travel(span, every)
        else:
            self._copy_and_travel(advance, step, **options)

    # --- In the calling process: copy, then run the steps in a child pointed at the copy --------

    def _copy_and_travel(self, advance: str, step: str, **options: Any) -> None:
        var = Path(settings.VAR_DIR)
        source = Path(options["source"] or var / "kyoka.sqlite3").resolve()
        target = Path(options["target"] or var / "timetravel.sqlite3").resolve()
        if not source.is_file():
            raise CommandError(f"No database at {source}: run `make run` (or migrate and seed_demo) first.")
        if source == target:
            raise CommandError("The copy must not be the live database.")
        for leftover in (target, Path(f"{target}-wal"), Path(f"{target}-shm")):
            leftover.unlink(missing_ok=True)
        src, dst = sqlite3.connect(source), sqlite3.connect(target)
        try:
            src.backup(dst)  # a consistent snapshot, even while the web and worker write
        finally:
            dst.close()
            src.close()
        mail_dir = target.parent / "timetravel-mail"
        mail_dir.mkdir(parents=True, exist_ok=True)
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{target}",
            # Tasks run in this process: the copy needs no worker and no broker.
            "CELERY_TASK_ALWAYS_EAGER": "true",
            # Sweep locks of their own: never wait on (or block) the live worker's.
            "KYOKA_LOCK_DIR": str(target.parent / "timetravel-locks"),
            # The report below says what happened; the tasks' own INFO lines would drown it.
            "LOG_LEVEL": os.environ.get("KYOKA_CLOCK_LOG_LEVEL", "WARNING"),
        }
        env.pop("REDIS_URL", None)
        env.pop("CELERY_BROKER_URL", None)
        self.stdout.write(f"Copied {source} to {target}; moving the clock forward {advance}, every {step}.")
        manage = Path(settings.BASE_DIR) / "manage.py"
        argv = [sys.executable, str(manage), "kyoka_clock", "--inner", "--advance", advance, "--step", step]
        if not options["print_emails"]:
            argv += ["--mail-dir", str(mail_dir)]
        result = subprocess.run(argv, env=env, check=False)  # noqa: S603 -- our own manage.py
        if result.returncode != 0:
            raise CommandError(f"The time travel failed (exit {result.returncode}).")
        self.stdout.write(
            f"\nBrowse the result: DATABASE_URL=sqlite:///{target} {sys.executable} {manage} runserver 8001\n"
            f"Emails: {'printed above' if options['print_emails'] else mail_dir}"
        )

    # --- In the child: the steps ------------------------------------------------------------

    def _travel(self, span: timedelta, every: timedelta) -> None:
        try:
            import time_machine
        except ImportError as exc:  # a dev dependency
            raise CommandError("kyoka_clock needs time-machine: run `make install-dev`.") from exc
        from celery import current_app

        from licensing.models import Event
        from notifications.models import Notification

        if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
            raise CommandError("--inner runs only on the SQLite copy.")
        current_app.loader.import_default_modules()
        start = timezone.now()
        first_event = (Event.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
        first_notification = (Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
        moment = start
        while moment < start + span:
            moment = min(moment + every, start + span)
            with time_machine.travel(moment, tick=False):
                lines = []
                for name, task_name in TASKS:
                    report = current_app.tasks[task_name].apply().get()
                    if report.get("changed") or report.get("notifications"):
                        lines.append(
                            f"  {name}: {report['changed']} changed, {report['notifications']} notification(s)"
                        )
                        lines.extend(f"    - {detail}" for detail in report.get("details", []))
                current_app.tasks["notifications.tasks.requeue_pending_emails"].apply()
            if lines:
                self.stdout.write(self.style.MIGRATE_HEADING(f"{moment:%Y-%m-%d %H:%M} UTC"))
                self.stdout.write("\n".join(lines))
        self._summary(first_event, first_notification)

    def _summary(self, first_event: int, first_notification: int) -> None:
        from licensing.models import Event
        from notifications.models import Notification

        events = Counter(Event.objects.filter(pk__gte=first_event).values_list("verb", flat=True))
        notes = Notification.objects.filter(pk__gte=first_notification)
        self.stdout.write(self.style.SUCCESS("\nWhat the sweeps did"))
        if not events and not notes.exists():
            self.stdout.write("  nothing was due in that time.")
        for verb, count in sorted(events.items()):
            self.stdout.write(f"  event {verb}: {count}")
        for verb, count in sorted(Counter(notes.values_list("verb", flat=True)).items()):
            self.stdout.write(f"  notification {verb}: {count}")
        for recipient, title, state in notes.order_by("pk").values_list("recipient__username", "title", "email_state"):
            self.stdout.write(f"    {recipient}: {title} [email {state}]")
