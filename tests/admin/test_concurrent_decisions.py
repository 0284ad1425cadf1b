"""Two officials deciding the same case at once: exactly one decision wins (PostgreSQL row locks).

Transactional tests flush the database when they end; ``serialized_rollback`` restores the reference
data (loaded by migrations) before each of them, so they run in any order.
"""

import threading

import pytest
from django.db import connection

from licensing.errors import TransitionNotAllowed
from licensing.models import Application, Event, Licence
from licensing.services import applications as svc


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_approval_and_a_rejection_at_the_same_moment_leave_exactly_one_decision(
    make_submitted, officer, supervisor_user, second_supervisor
):
    app = svc.application_start_review(application=make_submitted(), official=officer)
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def decide(name: str, call) -> None:  # type: ignore[no-untyped-def]
        try:
            # Each thread holds a stale copy read before the other's decision, like an open admin page.
            stale = Application.objects.get(pk=app.pk)
            barrier.wait()
            call(stale)
            outcomes[name] = "won"
        except TransitionNotAllowed as exc:
            outcomes[name] = exc.message
        finally:
            connection.close()

    threads = [
        threading.Thread(
            target=decide,
            args=("approve", lambda a: svc.application_approve(application=a, official=supervisor_user)),
        ),
        threading.Thread(
            target=decide,
            args=("reject", lambda a: svc.application_reject(application=a, official=second_supervisor, reason="No.")),
        ),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)

    app.refresh_from_db()
    assert sorted(outcomes) == ["approve", "reject"]
    winners = [name for name, outcome in outcomes.items() if outcome == "won"]
    assert len(winners) == 1
    loser = "reject" if winners == ["approve"] else "approve"
    assert app.status == {"approve": "approved", "reject": "rejected"}[winners[0]]
    # The loser is told what happened, in words an official can act on.
    assert outcomes[loser] == (
        f"Application {app.reference} is {app.get_status_display().lower()}: you cannot {loser} it now."
    )
    assert Licence.objects.filter(application=app).count() == (1 if winners == ["approve"] else 0)
    decisions = Event.objects.filter(
        subject_type="application", subject_id=str(app.pk), verb__in=["application.approved", "application.rejected"]
    )
    assert decisions.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_approvals_at_once_issue_one_licence(make_submitted, officer, supervisor_user, second_supervisor):
    app = svc.application_start_review(application=make_submitted(), official=officer)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def approve(official) -> None:  # type: ignore[no-untyped-def]
        try:
            stale = Application.objects.get(pk=app.pk)
            barrier.wait()
            svc.application_approve(application=stale, official=official)
            outcomes.append("won")
        except TransitionNotAllowed:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=approve, args=(o,)) for o in (supervisor_user, second_supervisor)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcomes) == ["refused", "won"]
    assert Licence.objects.filter(application=app).count() == 1
