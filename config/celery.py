"""The Celery app and its beat schedule.

The schedule is declared here, in code, rather than in a database (django-celery-beat): it is
part of how Kyoka behaves, so it is reviewed, versioned and tested with the code, every
environment runs the same one, and nobody can switch a legal deadline off from an admin page.
Beat keeps only "when did each entry last run" in its schedule file (CELERY_BEAT_SCHEDULE_FILENAME).

Every job is a sweep that asks "what is due as of now" and is idempotent, so the cadence only sets
how soon after a threshold a change is noticed; a missed or repeated run changes nothing twice.
Beat's time zone (CELERY_TIMEZONE = UTC) does not matter for correctness: each sweep works out
"today" in each authority's own time zone. Each entry expires after its interval, so a backlog
built up while no worker ran is dropped rather than replayed run after run.
"""

import os
from datetime import timedelta

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("kyoka")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def _every(task: str, interval: timedelta) -> dict:
    return {"task": task, "schedule": interval, "options": {"expires": interval.total_seconds()}}


BEAT_SCHEDULE = {
    # An amendment takes effect at 00:00 authority time (the grouping rows already apply from
    # midnight); the sweep announces it, and makes conversion offers, within 5 minutes.
    "whitelist-amendments": _every("whitelist.tasks.sweep_amendments", timedelta(minutes=5)),
    # Likewise for a rule whose effective_from has arrived.
    "rules-in-force": _every("whitelist.tasks.sweep_rules_in_force", timedelta(minutes=5)),
    # A licence turns expired within 5 minutes after its last valid day ends.
    "licence-expiry": _every("licensing.tasks.sweep_licence_expiry", timedelta(minutes=5)),
    # Day-based thresholds; every 15 minutes flags a case early in the officers' working day.
    "deadlines": _every("licensing.tasks.sweep_deadlines", timedelta(minutes=15)),
    # Day-based thresholds (90/30/7 days, reminder and lapse limits): hourly is prompt enough.
    "licence-expiry-reminders": _every("licensing.tasks.sweep_licence_expiry_reminders", timedelta(hours=1)),
    "information-requests": _every("licensing.tasks.sweep_information_requests", timedelta(hours=1)),
    # A safety net: a shipment already exhausts the licence whose last unit it draws.
    "licence-exhaustion": _every("licensing.tasks.sweep_licence_exhaustion", timedelta(hours=1)),
    # Emails left pending by a broker outage go out within a minute or two of its end.
    "email-requeue": _every("notifications.tasks.requeue_pending_emails", timedelta(minutes=1)),
    # Partners' webhooks: stale claims, events whose fan-out was lost, retries that are due.
    "partners-webhooks": _every("partners.tasks.sweep_webhooks", timedelta(minutes=1)),
}

# CELERY_BEAT_SCHEDULE, set on the app here in code (not in settings or a database).
app.conf.beat_schedule = BEAT_SCHEDULE
