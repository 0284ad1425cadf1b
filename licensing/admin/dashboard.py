"""The officials' dashboard: the queue by status, deadlines, processing times against the target with
a server-rendered SVG chart, and the timeline of rule and whitelist changes."""

import math
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from licensing.selectors.queue import (
    ProcessingReport,
    ProcessingStats,
    authority_today,
    change_timeline,
    deadline_counts,
    official_authority,
    processing_report,
    status_counts,
)
from licensing.services.clock import add_months
from whitelist.models import Authority

PERIODS = (6, 12, 24, 36)
DEFAULT_PERIOD = 12
TIMELINE_START, TIMELINE_END = date(2019, 1, 1), date(2023, 12, 31)

# The chart's geometry, in SVG user units (the SVG scales to its container).
WIDTH, HEIGHT = 720, 240
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 16, 36


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    value: float
    css: str
    title: str


@dataclass(frozen=True)
class Tick:
    y: float
    label: str


@dataclass(frozen=True)
class MonthLabel:
    x: float
    label: str


@dataclass(frozen=True)
class Chart:
    title: str
    width: int
    height: int
    bars: list[Bar]
    ticks: list[Tick]
    months: list[MonthLabel]
    target_y: float | None
    target_label: str
    plot_left: int
    plot_right: int
    plot_bottom: int
    center_x: float
    center_y: float
    empty: bool


def _nice_max(value: float) -> int:
    """A round upper bound for the axis: 10, 20, 50, 100, 200..."""
    if value <= 10:
        return 10
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if value <= step * magnitude:
            return int(step * magnitude)
    return int(10 * magnitude)


def processing_chart(stats: ProcessingStats, months: dict[str, ProcessingStats]) -> Chart:
    """Median and 90th-percentile bars per month, with the regime's target as a line."""
    values = [v for m in months.values() for v in (m.median, m.p90) if v is not None]
    if stats.target_days:
        values.append(stats.target_days)
    top = _nice_max(max(values) if values else 10)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    bottom = TOP + plot_h

    def y(value: float) -> float:
        return round(bottom - plot_h * value / top, 1)

    slot = plot_w / max(len(months), 1)
    bar_w = round(slot * 0.36, 1)
    bars, labels = [], []
    for i, (key, month) in enumerate(months.items()):
        x0 = LEFT + i * slot
        for offset, value, css, name in (
            (slot * 0.12, month.median, "median", "median"),
            (slot * 0.52, month.p90, "p90", "90th percentile"),
        ):
            if value is None:
                continue
            # A decision taken the same day (0 days) still shows, as a hairline.
            height = max(round(bottom - y(value), 1), 1.0)
            bars.append(
                Bar(
                    x=round(x0 + offset, 1),
                    y=round(bottom - height, 1),
                    width=bar_w,
                    height=height,
                    value=value,
                    css=css,
                    title=f"{key}: {name} {value:g} days ({month.decided} decided)",
                )
            )
        # Label every month when there are few, otherwise every third.
        if len(months) <= 12 or i % 3 == 0:
            labels.append(MonthLabel(x=round(x0 + slot / 2, 1), label=key[2:].replace("-", "/")))
    ticks = [Tick(y=y(top * k / 4), label=f"{top * k / 4:g}") for k in range(5)]
    target_label = f"target {stats.target_days} {stats.target_basis} days" if stats.target_days else ""
    return Chart(
        title=f"{stats.label}: processing days per month of decision",
        width=WIDTH,
        height=HEIGHT,
        bars=bars,
        ticks=ticks,
        months=labels,
        target_y=y(stats.target_days) if stats.target_days else None,
        target_label=target_label,
        plot_left=LEFT,
        plot_right=WIDTH - RIGHT,
        plot_bottom=bottom,
        center_x=(LEFT + WIDTH - RIGHT) / 2,
        center_y=TOP + plot_h / 2,
        empty=not bars,
    )


def _authority_for(request: HttpRequest) -> tuple[Authority | None, list[Authority]]:
    """An official sees their authority; a superuser may pick one (``?authority=KR``)."""
    user: Any = request.user
    if not user.is_superuser:
        return user.authority, []
    choices = list(Authority.objects.order_by("code"))
    wanted = request.GET.get("authority")
    picked = next((a for a in choices if a.code == wanted), None)
    return picked or official_authority(user), choices


def dashboard_view(model_admin: Any, request: HttpRequest) -> HttpResponse:
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    authority, authority_choices = _authority_for(request)
    today = authority_today(authority)
    try:
        period = int(request.GET.get("months", DEFAULT_PERIOD))
    except ValueError:
        period = DEFAULT_PERIOD
    if period not in PERIODS:
        period = DEFAULT_PERIOD
    since = add_months(today.replace(day=1), -(period - 1))
    report: ProcessingReport = processing_report(authority=authority, since=since, until=today)
    charts = [processing_chart(stats, report.by_regime_month[stats.key]) for stats in report.regimes]
    context = {
        **model_admin.admin_site.each_context(request),
        "title": "Dashboard",
        "opts": model_admin.model._meta,
        "authority": authority,
        "authority_choices": authority_choices,
        "today": today,
        "statuses": status_counts(authority=authority),
        "deadlines": deadline_counts(authority=authority, today=today),
        "report": report,
        "charts": charts,
        "period": period,
        "periods": PERIODS,
        "timeline": change_timeline(start=TIMELINE_START, end=TIMELINE_END),
        "timeline_start": TIMELINE_START,
        "timeline_end": TIMELINE_END,
    }
    request.current_app = model_admin.admin_site.name
    return TemplateResponse(request, "admin/licensing/application/dashboard.html", context)
