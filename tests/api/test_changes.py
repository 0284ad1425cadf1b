"""The change feed: what a key sees, in id order, exactly once, even when commits land out of order."""

import threading
import time
from datetime import timedelta

import pytest
import time_machine
from django.db import connection, transaction
from django.utils import timezone

from licensing.models import Event
from licensing.services import applications as app_svc
from licensing.services import licences as lic_svc
from licensing.services.events import Verb, event_record
from whitelist.models import Authority


def _poll_all(api, after=0):
    """Follow next_after until the feed says there is no more: the events seen, in order."""
    seen = []
    while True:
        body = api.get(f"/api/v1/changes/?after={after}&limit=2").json()
        seen += body["results"]
        after = body["next_after"]
        if not body["has_more"]:
            return seen, after


@pytest.fixture
def no_settling(settings):
    settings.KYOKA_CHANGES_SETTLE_SECONDS = 0


@pytest.mark.django_db
def test_feed_shows_own_application_and_licence_events_in_id_order(
    no_settling, exporter_api, make_licence, supervisor_user
):
    licence = make_licence()
    lic_svc.licence_suspend(licence=licence, official=supervisor_user, reason="Audit.")
    events, _ = _poll_all(exporter_api)
    types = [e["type"] for e in events]
    assert types == [
        "application.created",
        "application.submitted",
        "application.review_started",
        "application.approved",
        "licence.issued",
        "licence.suspended",
    ]
    ids = [e["id"] for e in events]
    assert ids == sorted(ids)
    assert events[-1]["subject"] == {
        "type": "licence",
        "id": licence.number,
        "url": f"/api/v1/licences/{licence.number}/",
    }
    assert events[-1]["data"]["status"] == "suspended"


@pytest.mark.django_db
def test_feed_hides_other_organisations_and_filters_by_scope(
    no_settling, make_licence, other_exporter, make_key, client_for, jp
):
    make_licence()
    event_record(verb=Verb.RULE_CHANGED, subject=jp, authority_id=jp.pk, payload={"rule_id": 1})
    _, outsider = make_key(other_exporter.organisation, scopes=["applications:read", "licences:read"])
    assert _poll_all(client_for(outsider))[0] == []
    _, rules_only = make_key(other_exporter.organisation, scopes=["regimes:read"])
    assert [e["type"] for e in _poll_all(client_for(rules_only))[0]] == ["rule.changed"]


@pytest.mark.django_db
def test_a_poller_never_sees_an_event_twice_and_resumes_where_it_left(
    no_settling, exporter_api, make_submitted, officer
):
    app = make_submitted()
    first, cursor = _poll_all(exporter_api)
    app_svc.application_start_review(application=app, official=officer)
    second, cursor = _poll_all(exporter_api, cursor)
    assert [e["type"] for e in second] == ["application.review_started"]
    assert _poll_all(exporter_api, cursor)[0] == []
    assert not {e["id"] for e in first} & {e["id"] for e in second}


@pytest.mark.django_db
def test_events_younger_than_the_settle_interval_are_held_back(settings, exporter_api, make_submitted):
    settings.KYOKA_CHANGES_SETTLE_SECONDS = 30
    make_submitted()
    body = exporter_api.get("/api/v1/changes/").json()
    assert (body["results"], body["next_after"], body["settle_seconds"]) == ([], 0, 30.0)
    with time_machine.travel(timezone.now() + timedelta(seconds=31)):
        assert len(exporter_api.get("/api/v1/changes/").json()["results"]) == 2


@pytest.mark.django_db
def test_a_young_event_holds_back_every_later_one(settings, exporter, exporter_api):
    """Settling is by id: an older-looking event after a young one waits with it."""
    settings.KYOKA_CHANGES_SETTLE_SECONDS = 30
    authority = Authority.objects.get(code="JP")
    now = timezone.now()
    young = Event.objects.create(
        occurred_at=now,
        verb=Verb.LICENCE_REVOKED,
        subject_type="licence",
        subject_id="1",
        organisation=exporter.organisation,
        authority=authority,
    )
    # Written after it, but stamped earlier (its clock read came first): must not overtake.
    late_stamp = Event.objects.create(
        occurred_at=now - timedelta(minutes=5),
        verb=Verb.LICENCE_EXPIRED,
        subject_type="licence",
        subject_id="2",
        organisation=exporter.organisation,
        authority=authority,
    )
    assert late_stamp.pk > young.pk
    assert exporter_api.get("/api/v1/changes/").json()["results"] == []


def _write_event(org, verb, number):
    return Event.objects.create(
        occurred_at=timezone.now(),
        verb=verb,
        subject_type="licence",
        subject_id=number,
        organisation=org,
        payload={"number": number, "status": "revoked"},
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("settle", [0.0, 3.0])
def test_a_lower_id_committed_after_a_higher_one_is_not_skipped(settings, exporter, make_key, client_for, settle):
    """Two transactions: A writes event n and commits late; B writes n+1 and commits first.

    Without settling (0 s) a poller sees n+1, moves its cursor past n and never sees n: the hazard
    is real. With settling (3 s) the feed holds n+1 back until n can no longer appear.
    """
    settings.KYOKA_CHANGES_SETTLE_SECONDS = settle
    org = exporter.organisation
    _, raw = make_key(org, scopes=["licences:read"])
    api = client_for(raw)
    inserted, release = threading.Event(), threading.Event()
    ids = {}

    def slow_transaction():
        try:
            with transaction.atomic():
                ids["low"] = _write_event(org, Verb.LICENCE_REVOKED, "A").pk
                inserted.set()
                release.wait(10)
        finally:
            connection.close()

    writer = threading.Thread(target=slow_transaction)
    writer.start()
    assert inserted.wait(10)
    high = _write_event(org, Verb.LICENCE_REVOKED, "B").pk  # autocommit: visible at once
    assert high > ids["low"]

    seen, after = [], 0
    deadline = time.monotonic() + 1.0
    while time.monotonic() < deadline:  # poll while A is still open
        body = api.get(f"/api/v1/changes/?after={after}").json()
        seen += [e["id"] for e in body["results"]]
        after = body["next_after"]
        time.sleep(0.1)
    release.set()
    writer.join(10)

    time.sleep(settle + 0.5)
    body = api.get(f"/api/v1/changes/?after={after}").json()
    seen += [e["id"] for e in body["results"]]
    if settle == 0:
        assert seen == [high]  # the late commit was skipped: what settling prevents
    else:
        assert seen == [ids["low"], high]
