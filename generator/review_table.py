"""Print a weekly review on the terminal: the same figures as the review pages, as tables."""

from __future__ import annotations

from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from .errors import Problem
from .review import ALERT_LABELS, MEASURE_LABELS, WeekReview, measure_text, percent


def print_problems(problems: list[Problem], console: Console) -> None:
    if not problems:
        return
    console.rule(f"数据里有 {len(problems)} 处问题（这些行没有计入，其余照常统计）")
    for problem in problems:
        column = f" {problem.path}" if problem.path else ""
        console.print(f"{problem.file}:{problem.line}:{problem.column}{column}  "
                      f"{problem.message}  [{problem.code}]", soft_wrap=True, markup=False)


def print_review(review: WeekReview, console: Console) -> None:
    console.rule(f"{review.playbook.name} · {review.week} 复盘 · {review.scope.title}")
    total = review.totals
    if total is None:
        console.print("这一周没有数据。")
        return
    console.print(f"{len(review.groups)} 个群，{total.members} 人；活跃率 {percent(total.active_rate)}，"
                  f"净增 {total.net:+d}，退群 {total.left}，发送率 {percent(total.send_rate)}")
    kpis = Table("指标", "本周", "目标", "达成", box=box.SIMPLE_HEAD, title="指标")
    for row in review.kpis:
        assert row.kpi.measure is not None
        kpis.add_row(escape(row.kpi.name), measure_text(row.kpi.measure, row.value), escape(row.kpi.target),
                     "—" if row.met is None else ("达成" if row.met else "未达成"))
    console.print(kpis)
    trend = Table("周", "活跃率", "净增", "退群", "发送率", box=box.SIMPLE_HEAD, title="近几周")
    for point in review.trend:
        trend.add_row(point.week, percent(point.active_rate), f"{point.net:+d}", str(point.left),
                      percent(point.send_rate))
    console.print(trend)
    for ranking in (ranking for ranking in review.rankings if ranking.rows):
        table = Table("名次", ranking.by, MEASURE_LABELS[ranking.measure], box=box.SIMPLE_HEAD,
                      title=f"{escape(ranking.campaign.name)} · 按{MEASURE_LABELS[ranking.measure]}")
        for place, (name, value) in enumerate(ranking.rows[:10], start=1):
            table.add_row(str(place), escape(name), measure_text(ranking.measure, value))
        console.print(table)
    alerts = Table("提醒", "群编号", "群名", "日期", "情况", "预案", box=box.SIMPLE_HEAD,
                   title=f"提醒 {len(review.alerts)} 条")
    for alert in review.alerts:
        alerts.add_row(ALERT_LABELS[alert.kind], alert.group.group.id, escape(alert.group.group.name),
                       alert.date.isoformat(), escape(alert.detail),
                       escape(alert.plan.name) if alert.plan else "—")
    console.print(alerts if review.alerts else "本周没有提醒。")
