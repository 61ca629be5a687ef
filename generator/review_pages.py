"""Plan the weekly 复盘 pages: per playbook, week, and scope (all groups, a tier, a tag).

Figures come from review.py; this module only lays them out as typed views (with the
coordinates of the static SVG charts) for site_templates/pages/review*.md.j2. The same
pages go into the SOP site, or are written as plain HTML into a folder of their own for
internal hosting (qunsop.yaml review.publish), or are left out (`build --no-review`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from .links import Links
from .models import Playbook
from .review import (
    ALERT_LABELS,
    MEASURE_LABELS,
    TREND_WEEKS,
    Reviewer,
    Scope,
    TrendPoint,
    WeekReview,
    measure_text,
    percent,
)
from .views import Link, Page

MAX_ALERTS = 60  # per page: the terminal lists them all
MAX_RANKED = 10
CHART_WIDTH, CHART_HEIGHT = 360, 180
PLOT_LEFT, PLOT_RIGHT, PLOT_TOP, PLOT_BOTTOM = 44, 350, 14, 150


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str  # the x-axis label
    value: str  # the number it shows
    negative: bool


@dataclass(frozen=True)
class Tick:
    y: float
    label: str


@dataclass(frozen=True)
class Chart:
    """A bar chart of one figure by week; `rows` repeats its numbers for the table."""

    id: str
    title: str
    width: int
    height: int
    bars: tuple[Bar, ...]
    ticks: tuple[Tick, ...]
    baseline: float
    rows: tuple[tuple[str, str], ...]  # (week, value)


@dataclass(frozen=True)
class KpiView:
    name: str
    value: str
    target: str
    status: str  # 达成 / 未达成 / —


@dataclass(frozen=True)
class AlertView:
    kind: str
    group: str
    group_id: str
    date: str
    detail: str
    plan: Link | None


@dataclass(frozen=True)
class RankingView:
    title: str
    by: str
    measure: str
    rows: tuple[tuple[int, str, str], ...]  # (place, name, value)


@dataclass(frozen=True)
class ReviewPage:
    title: str
    week: str
    dates: str
    scope: str
    synopsis: str
    kpis: tuple[KpiView, ...]
    charts: tuple[Chart, ...]
    rankings: tuple[RankingView, ...]
    alerts: tuple[AlertView, ...]
    alerts_more: int
    alert_counts: tuple[tuple[str, int], ...]
    scopes: tuple[Link, ...]  # the other pages of the same week
    weeks: tuple[Link, ...]  # the same scope in the other weeks
    index: Link


@dataclass(frozen=True)
class ReviewIndexPage:
    title: str
    weeks: tuple[tuple[Link, int, tuple[Link, ...]], ...]  # week, alerts, scope pages
    data_files: tuple[str, ...]
    problems: int


def index_path(playbook: str) -> str:
    return f"{playbook}/review/index.md"


def scope_path(playbook: str, week: str, scope: Scope, number: int) -> str:
    if scope.kind == "all":
        return f"{playbook}/review/{week}/index.md"
    if scope.kind == "tier":
        return f"{playbook}/review/{week}/{scope.key}.md"
    return f"{playbook}/review/{week}/tag-{number}.md"


def review_pages(reviewer: Reviewer, playbooks: list[Playbook], links: Links,
                 plan_link: Callable[[str], str] | None = None) -> list[Page]:
    """Every review page of every playbook with a roster and statistics."""
    weeks = reviewer.weeks()[-TREND_WEEKS:]
    if not weeks:
        return []
    plan_link = plan_link or (lambda escalation_id: links.of("escalation", escalation_id))
    pages: list[Page] = []
    for playbook in playbooks:
        if not any(entry.playbook == playbook.id for entry in reviewer.groups):
            continue
        scopes = reviewer.scopes(playbook.id)
        paths = {(week, scope): scope_path(playbook.id, week, scope, number)
                 for week in weeks for number, scope in enumerate(scopes)}
        index = Link("每周复盘", index_path(playbook.id))
        summary: list[tuple[Link, int, tuple[Link, ...]]] = []
        for week in reversed(weeks):
            alerts = 0
            for scope in scopes:
                review = reviewer.review(playbook, week, scope)
                if scope.kind == "all":
                    alerts = len(review.alerts)
                view = _page(review, plan_link, index,
                             tuple(Link(other.title, paths[(week, other)]) for other in scopes
                                   if other != scope),
                             tuple(Link(other, paths[(other, scope)]) for other in weeks if other != week))
                pages.append(Page(paths[(week, scope)], "review.md.j2", view.title, view, searchable=False,
                                  in_nav=False))
            summary.append((Link(week, paths[(week, scopes[0])]), alerts,
                            tuple(Link(scope.title, paths[(week, scope)]) for scope in scopes[1:])))
        pages.append(Page(index.url, "review_index.md.j2", "每周复盘", ReviewIndexPage(
            f"{playbook.name} · 每周复盘", tuple(summary), tuple(reviewer.metrics.files),
            len(reviewer.metrics.problems)), searchable=False))
    return pages


def _page(review: WeekReview, plan_link: Callable[[str], str], index: Link, scopes: tuple[Link, ...],
          weeks: tuple[Link, ...]) -> ReviewPage:
    total = review.totals
    end = review.start.toordinal() + 6
    dates = f"{review.start.isoformat()} ~ {review.start.fromordinal(end).isoformat()}"
    synopsis = "这一周没有数据。" if total is None else (
        f"{len(review.groups)} 个群，共 {total.members} 人；活跃率 {percent(total.active_rate)}，"
        f"净增 {total.net:+d} 人，退群 {total.left} 人，发送率 {percent(total.send_rate)}。")
    kpis = tuple(KpiView(row.kpi.name, measure_text(row.kpi.measure or "", row.value),
                         row.kpi.target, "—" if row.met is None else ("达成" if row.met else "未达成"))
                 for row in review.kpis)
    alerts = tuple(AlertView(ALERT_LABELS[alert.kind], alert.group.group.name, alert.group.group.id,
                             alert.date.isoformat(), alert.detail,
                             Link(alert.plan.name, plan_link(alert.plan.id)) if alert.plan else None)
                   for alert in review.alerts[:MAX_ALERTS])
    counts = tuple((label, sum(1 for alert in review.alerts if alert.kind == kind))
                   for kind, label in ALERT_LABELS.items())
    rankings = tuple(RankingView(ranking.campaign.name, ranking.by, MEASURE_LABELS[ranking.measure],
                                 tuple((place, name, measure_text(ranking.measure, value))
                                       for place, (name, value) in enumerate(ranking.rows[:MAX_RANKED],
                                                                             start=1)))
                     for ranking in review.rankings if ranking.rows)
    return ReviewPage(f"{review.week} 复盘 · {review.scope.title}", review.week, dates, review.scope.title,
                      synopsis, kpis, charts(review.trend), rankings, alerts,
                      max(0, len(review.alerts) - MAX_ALERTS), counts, scopes, weeks, index)


def charts(trend: tuple[TrendPoint, ...]) -> tuple[Chart, ...]:
    return (
        bar_chart("active", "活跃率（发言人数 ÷ 群成员数）",
                  [(point.week, point.active_rate) for point in trend], percent, True),
        bar_chart("net", "净增人数（进群 − 退群）", [(point.week, float(point.net)) for point in trend],
                  lambda value: f"{value:+.0f}", False),
        bar_chart("left", "退群人数", [(point.week, float(point.left)) for point in trend],
                  lambda value: f"{value:.0f}", False),
        bar_chart("sent", "发送率（有回报的天数 ÷ 应发天数）",
                  [(point.week, point.send_rate) for point in trend], percent, True),
    )


def bar_chart(chart_id: str, title: str, values: list[tuple[str, float | None]],
              text: Callable[[float], str], rate: bool) -> Chart:
    known = [value for _week, value in values if value is not None]
    top = max([*known, 0.0]) or (0.1 if rate else 1.0)
    bottom = min([*known, 0.0])
    top = _nice(top)
    bottom = -_nice(-bottom) if bottom < 0 else 0.0
    span = top - bottom or 1.0
    height = PLOT_BOTTOM - PLOT_TOP

    def y_of(value: float) -> float:
        return round(PLOT_BOTTOM - (value - bottom) / span * height, 1)

    slot = (PLOT_RIGHT - PLOT_LEFT) / max(1, len(values))
    bars = []
    for number, (week, value) in enumerate(values):
        x = round(PLOT_LEFT + number * slot + slot * 0.15, 1)
        label = week.split("-")[-1]
        if value is None:
            bars.append(Bar(x, y_of(0), round(slot * 0.7, 1), 0, label, "—", False))
            continue
        y0, y1 = y_of(0), y_of(value)
        bars.append(Bar(x, min(y0, y1), round(slot * 0.7, 1), round(abs(y0 - y1), 1), label,
                        text(value), value < 0))
    ticks = tuple(Tick(y_of(value), text(value)) for value in sorted({bottom, (bottom + top) / 2, top}))
    return Chart(chart_id, title, CHART_WIDTH, CHART_HEIGHT, tuple(bars), ticks, y_of(0),
                 tuple((week, "—" if value is None else text(value)) for week, value in values))


def _nice(value: float) -> float:
    """A round upper bound for an axis: 1, 2 or 5 times a power of ten, at least `value`."""
    if value <= 0:
        return 0.0
    base = 10.0 ** math.floor(math.log10(value))
    return next(step * base for step in (1, 2, 5, 10) if step * base >= value * (1 - 1e-9))
