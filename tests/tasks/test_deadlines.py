"""The deadline sweep: due-soon and overdue cases, in the authority's business-day calendar."""

from datetime import date

import pytest

from licensing.models import Application
from licensing.services import applications as svc
from licensing.services.sweeps import deadlines_sweep
from tests.factories import OfficialFactory, supervisor
from tests.tasks.conftest import at, notified, sweep_at, tokyo

pytestmark = pytest.mark.django_db


@pytest.fixture
def second_officer(db):
    return OfficialFactory(username="officer-two")


def test_a_case_due_after_golden_week_is_due_soon_a_week_ahead(make_submitted, officer, second_officer):
    # Filed Wed 22 Apr 2026 under the bulk regime: 7 business days, skipping Showa Day (29 Apr)
    # and Golden Week (2-6 May) -> due Thu 7 May.
    app = at(tokyo(2026, 4, 22, 10), make_submitted)
    assert app.due_date == date(2026, 5, 7)

    sweep_at("deadlines", tokyo(2026, 4, 28, 9))  # two business days ahead: 30 Apr, 1 May
    assert notified("deadline.due_soon") == []

    sweep_at("deadlines", tokyo(2026, 4, 30, 9))  # two business days ahead: 1 May, 7 May
    flagged = notified("deadline.due_soon")
    assert {n.recipient for n in flagged} == {officer, second_officer}  # unassigned: every officer
    assert all(n.key == f"due-soon:{app.pk}:2026-05-07" for n in flagged)
    assert "7 calendar days" in flagged[0].body and "2 business days" in flagged[0].body


def test_the_year_end_closure_counts_as_closed_days(make_submitted, officer):
    # Filed Mon 21 Dec 2026: 7 business days, skipping 29 Dec - 3 Jan -> due Tue 5 Jan 2027.
    app = at(tokyo(2026, 12, 21, 10), make_submitted)
    assert app.due_date == date(2027, 1, 5)

    sweep_at("deadlines", tokyo(2026, 12, 25, 9))  # ahead: 28 Dec, 4 Jan
    assert notified("deadline.due_soon") == []
    sweep_at("deadlines", tokyo(2026, 12, 28, 9))  # ahead: 4 Jan, 5 Jan -- eight calendar days away
    assert [n.recipient for n in notified("deadline.due_soon")] == [officer]


def test_running_the_sweep_twice_notifies_once(make_submitted, officer):
    app = at(tokyo(2026, 4, 22, 10), make_submitted)
    first = sweep_at("deadlines", tokyo(2026, 4, 30, 9))
    second = sweep_at("deadlines", tokyo(2026, 4, 30, 9, 15))
    third = sweep_at("deadlines", tokyo(2026, 5, 1, 9))
    assert first["changed"] == 1 and first["notifications"] == 1
    assert second["changed"] == 0 and third["changed"] == 0
    assert len(notified("deadline.due_soon")) == 1
    app.refresh_from_db()
    assert app.due_soon_flagged_for == date(2026, 5, 7)


def test_an_assigned_case_notifies_only_its_officer(make_submitted, officer, second_officer):
    app = at(tokyo(2026, 4, 22, 10), make_submitted)
    at(tokyo(2026, 4, 23, 10), svc.application_start_review, application=app, official=second_officer)
    sweep_at("deadlines", tokyo(2026, 4, 30, 9))
    assert [n.recipient for n in notified("deadline.due_soon")] == [second_officer]


def test_an_overdue_case_is_escalated_to_the_supervisors(make_submitted, officer, supervisor_user):
    other_authority_supervisor = supervisor(authority=officer.authority.__class__.objects.get(code="KR"))
    app = at(tokyo(2026, 4, 22, 10), make_submitted)
    at(tokyo(2026, 4, 23, 10), svc.application_start_review, application=app, official=officer)

    sweep_at("deadlines", tokyo(2026, 5, 7, 18))  # the due day itself is not overdue
    assert notified("deadline.overdue") == []
    sweep_at("deadlines", tokyo(2026, 5, 8, 0, 5))
    sweep_at("deadlines", tokyo(2026, 5, 8, 9))
    assert [n.recipient for n in notified("deadline.overdue")] == [officer]
    escalations = notified("deadline.overdue_escalated")
    assert [n.recipient for n in escalations] == [supervisor_user]
    assert other_authority_supervisor not in {n.recipient for n in escalations}
    assert officer.username in escalations[0].body
    app.refresh_from_db()
    assert app.overdue_flagged_for == date(2026, 5, 7)


def test_a_stopped_clock_is_never_flagged(make_submitted, officer, supervisor_user):
    app = at(tokyo(2026, 4, 22, 10), make_submitted)
    at(tokyo(2026, 4, 23, 10), svc.application_start_review, application=app, official=officer)
    at(tokyo(2026, 4, 24, 10), svc.application_request_information, application=app, official=officer, message="?")
    for moment in (tokyo(2026, 4, 30, 9), tokyo(2026, 5, 7, 9), tokyo(2026, 5, 20, 9)):
        sweep_at("deadlines", moment)
    assert notified("deadline.due_soon") == [] and notified("deadline.overdue") == []


def test_a_due_date_moved_by_a_clock_stop_is_flagged_again(make_submitted, exporter, officer):
    app = at(tokyo(2026, 4, 22, 10), make_submitted)
    at(tokyo(2026, 4, 23, 10), svc.application_start_review, application=app, official=officer)
    sweep_at("deadlines", tokyo(2026, 4, 30, 9))
    assert len(notified("deadline.due_soon")) == 1

    at(tokyo(2026, 4, 30, 11), svc.application_request_information, application=app, official=officer, message="?")
    app = at(tokyo(2026, 5, 11, 10), svc.application_respond, application=app, user=exporter, response="Fab 3.")
    assert app.due_date > date(2026, 5, 7)
    sweep_at("deadlines", tokyo(2026, 5, 11, 11))
    keys = [n.key for n in notified("deadline.due_soon")]
    assert keys == [f"due-soon:{app.pk}:2026-05-07", f"due-soon:{app.pk}:{app.due_date}"]


def test_decided_cases_are_not_flagged(make_submitted, officer, supervisor_user):
    app = at(tokyo(2026, 4, 22, 10), make_submitted)
    at(tokyo(2026, 4, 23, 10), svc.application_start_review, application=app, official=officer)
    at(tokyo(2026, 4, 24, 10), svc.application_approve, application=app, official=supervisor_user)
    sweep_at("deadlines", tokyo(2026, 5, 8, 9))
    assert Application.objects.get(pk=app.pk).status == Application.Status.APPROVED
    assert notified("deadline.overdue") == [] and notified("deadline.due_soon") == []


def test_officials_read_the_notice_in_their_language(make_submitted):
    OfficialFactory(username="kansa", language="ja")
    at(tokyo(2026, 4, 22, 10), make_submitted)
    sweep_at("deadlines", tokyo(2026, 4, 30, 9))
    (notice,) = notified("deadline.due_soon")
    assert notice.title.startswith("処理期限間近")
    assert "2 開庁日" in notice.body


def _clone(app: Application, n: int) -> None:
    """Cases that are nowhere near their due date (copies of one submitted case)."""
    for i in range(n):
        app.pk = None
        app.id = None
        app.reference = f"JP-2026-9{i:05d}"
        app.due_date = date(2026, 9, 1)
        app.save()


def test_the_query_count_does_not_grow_with_cases_that_are_not_due(
    make_submitted, officer, django_assert_max_num_queries
):
    app = at(tokyo(2026, 4, 22, 10), make_submitted)
    at(tokyo(2026, 4, 30, 9), deadlines_sweep)  # flag it, so nothing is due on the next run
    _clone(Application.objects.get(pk=app.pk), 30)
    # authorities, and per authority: closures, due-soon ids, overdue ids
    with django_assert_max_num_queries(7):
        report = at(tokyo(2026, 5, 1, 9), deadlines_sweep)
    assert report.changed == 0
