"""The officials' dashboard: counts by status, deadlines, processing-time percentiles, chart, timeline."""

import statistics
from datetime import date

import pytest
import time_machine
from django.urls import reverse

from licensing.models import Application
from licensing.selectors.queue import percentile, processing_report
from licensing.services import applications as svc
from licensing.services.clock import local_date

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("admin:licensing_application_dashboard")
TODAY = "2025-06-15 03:00:00+00:00"  # 12:00 in Tokyo


def _at(day: str) -> time_machine.travel:
    return time_machine.travel(f"{day} 01:00:00+00:00", tick=False)  # 10:00 in Tokyo


@pytest.fixture
def history(make_submitted, officer, supervisor_user) -> dict[str, list[Application]]:
    """Five decided cases taking 2, 4, 6, 10 and 20 calendar days, and three open ones on 2025-06-15."""
    decided = []
    for submitted, decided_on, outcome in [
        ("2025-05-01", "2025-05-03", "approve"),
        ("2025-05-01", "2025-05-05", "reject"),
        ("2025-05-12", "2025-05-18", "approve"),
        ("2025-05-20", "2025-05-30", "approve"),
        ("2025-05-26", "2025-06-15", "approve"),
    ]:
        with _at(submitted):
            app = make_submitted()
        with _at(decided_on):
            svc.application_start_review(application=app, official=officer)
            if outcome == "approve":
                svc.application_approve(application=app, official=supervisor_user)
            else:
                svc.application_reject(application=app, official=supervisor_user, reason="No.")
        app.refresh_from_db()
        decided.append(app)
    with _at("2025-06-02"):
        overdue = make_submitted()  # 7 business days: due 2025-06-11
    with _at("2025-06-06"):
        due_soon = make_submitted()  # due 2025-06-17
    with _at("2025-06-10"):
        stopped = make_submitted()
        svc.application_start_review(application=stopped, official=officer)
        svc.application_request_information(application=stopped, official=officer, message="Purity?")
    return {"decided": decided, "open": [overdue, due_soon, stopped]}


def test_percentiles_interpolate_between_ranks_like_statistics_quantiles():
    assert percentile([1, 2, 3, 4], 50) == 2.5
    assert percentile(list(range(1, 11)), 90) == pytest.approx(9.1)
    assert percentile([5], 90) == 5
    assert percentile([], 50) is None
    values = [2, 4, 6, 10, 20, 3, 8]
    assert percentile(values, 90) == pytest.approx(statistics.quantiles(values, n=10, method="inclusive")[-1])


def test_processing_report_per_regime_and_month(history, jp):
    with time_machine.travel(TODAY, tick=False):
        report = processing_report(authority=jp, since=date(2024, 7, 1), until=date(2025, 6, 15))
    [bulk] = report.regimes
    assert (bulk.key, bulk.decided, bulk.median, bulk.p90) == ("bulk", 5, 6, 16)
    assert (bulk.target_days, bulk.target_basis) == (7, "business")
    expected_on_time = sum(local_date(a.authority, a.decided_at) <= a.due_date for a in history["decided"])
    assert bulk.on_time == expected_on_time == 3  # D and E were decided after their due dates
    months = report.by_regime_month["bulk"]
    keys = list(months)
    assert (len(keys), keys[0], keys[-1]) == (12, "2024-07", "2025-06")
    assert (months["2025-05"].decided, months["2025-05"].median, months["2025-05"].p90) == (4, 5, pytest.approx(8.8))
    assert (months["2025-06"].decided, months["2025-06"].median) == (1, 20)
    assert months["2025-01"].decided == 0 and months["2025-01"].median is None


def test_the_dashboard_shows_numbers_you_can_check(officer_client, history):
    with time_machine.travel(TODAY, tick=False):
        response = officer_client.get(DASHBOARD)
    assert response.status_code == 200
    html = response.content.decode()
    # By status.
    counts = {status: n for status, _, n in response.context["statuses"]}
    assert counts == {
        "submitted": 2,
        "under_review": 0,
        "information_requested": 1,
        "approved": 4,
        "rejected": 1,
        "withdrawn": 0,
    }
    assert 'data-status="approved">4<' in html
    # Deadlines.
    deadlines = response.context["deadlines"]
    assert (deadlines.overdue, deadlines.due_this_week, deadlines.stopped, deadlines.open_cases) == (1, 1, 1, 3)
    assert (
        'id="kyoka-overdue" href="/admin/licensing/application/?deadline=overdue"><span class="kyoka-card__n">1<'
        in html
    )
    # Processing times against the target.
    assert 'data-stat="median">6<' in html and 'data-stat="p90">16<' in html
    assert "7 business days" in html
    # The chart: a server-rendered SVG, two bars (median, 90th) for each of the two months with decisions.
    [chart] = response.context["charts"]
    assert len(chart.bars) == 4 and chart.target_label == "target 7 business days"
    assert html.count('<rect class="kyoka-chart__bar') == 4
    assert "<svg" in html and "<script" not in html.split('id="content-main"')[1]
    # The timeline of rule and whitelist changes beside it.
    assert '<time datetime="2019-08-28">2019-08-28</time>' in html
    assert "KR in group B" in html and "KR in group A" in html
    assert '<time datetime="2023-03-23">' in html


def test_the_chart_scales_bars_to_the_axis(officer_client, history):
    with time_machine.travel(TODAY, tick=False):
        chart = officer_client.get(DASHBOARD).context["charts"][0]
    tallest = max(chart.bars, key=lambda b: b.value)
    assert tallest.value == 20
    # The axis tops out at 20 (a round bound over 20 days): the 20-day bar fills the plot's height.
    assert tallest.y == pytest.approx(16) and chart.ticks[-1].label == "20"
    assert chart.target_y == pytest.approx(chart.plot_bottom - (chart.plot_bottom - 16) * 7 / 20, abs=0.1)


def test_an_empty_period_says_so(officer_client):
    response = officer_client.get(DASHBOARD + "?months=6")
    assert response.status_code == 200
    assert "No application was decided in this period." in response.content.decode()
    assert response.context["period"] == 6


def test_an_official_sees_only_their_authoritys_figures(login, kr_officer, history):
    with time_machine.travel(TODAY, tick=False):
        response = login(kr_officer).get(DASHBOARD + "?authority=JP")
    assert all(n == 0 for _, _, n in response.context["statuses"])
    assert response.context["authority"].code == "KR"


def test_a_superuser_picks_the_authority(admin_client, history):
    with time_machine.travel(TODAY, tick=False):
        jp = admin_client.get(DASHBOARD + "?authority=JP").context
        kr = admin_client.get(DASHBOARD + "?authority=KR").context
    assert jp["deadlines"].open_cases == 3 and kr["deadlines"].open_cases == 0


def test_the_dashboard_costs_a_fixed_number_of_queries(officer_client, history, django_assert_max_num_queries):
    with time_machine.travel(TODAY, tick=False), django_assert_max_num_queries(14):
        officer_client.get(DASHBOARD)
