"""The weekly 复盘: group statistics and receipts measured against the playbook's KPIs.

Plain data in, plain data out (no rendering): `qunsop review` prints it as tables and
review_pages.py lays it out as pages. Figures are per group only: the statistics hold
counts, never members' names.

- 活跃率 (active-rate): speakers ÷ members, summed over the days of the week;
- 净增 (net-growth): joined − left over the week;
- 退群率 (exit-rate): left ÷ members on the first day of the week;
- 发送率 (send-rate): days with a receipt ÷ days the group had a pack to send.

Alerts, each linked to an escalation plan (qunsop.yaml review.plans):
- silent: nobody spoke for review.silent_days days in a row (ending in the week);
- mass-exit: review.mass_exit or more left in one day;
- no-send: no receipt for review.no_send_days due days in a row;
- below-tier: the week's 活跃率 under review.below_tier × the median of its tier.
"""

from __future__ import annotations

import datetime as dt
import re
import statistics
from collections.abc import Iterable
from dataclasses import dataclass

from .errors import Problem, did_you_mean
from .metrics import Metrics, read_metrics
from .models import Campaign, Escalation, Kpi, Playbook, Tier
from .resolve import Project
from .roster import RosterGroup, roster_groups
from .schedule import CalendarSchedule
from .settings import ReviewSettings

TREND_WEEKS = 8
MEASURE_LABELS = {"active-rate": "活跃率", "net-growth": "净增人数", "exit-rate": "退群率",
                  "send-rate": "发送率"}
RATES = ("active-rate", "exit-rate", "send-rate")
LOWER_IS_BETTER = ("exit-rate",)
ALERT_LABELS = {"silent": "沉默群", "mass-exit": "集体退群", "no-send": "停发", "below-tier": "活跃落后"}
WEEK = re.compile(r"^(\d{4})-?W(\d{1,2})$", re.IGNORECASE)
TARGET_NUMBER = re.compile(r"(\d+(?:\.\d+)?)\s*(%|人)?")


def week_key(date: dt.date) -> str:
    year, week, _ = date.isocalendar()
    return f"{year}-W{week:02d}"


def week_start(key: str) -> dt.date | None:
    match = WEEK.match(key.strip())
    if match is None:
        return None
    try:
        return dt.date.fromisocalendar(int(match.group(1)), int(match.group(2)), 1)
    except ValueError:
        return None


def week_days(start: dt.date) -> list[dt.date]:
    return [start + dt.timedelta(days=offset) for offset in range(7)]


@dataclass(frozen=True)
class GroupWeek:
    group: RosterGroup
    side: str
    days: int  # days with statistics
    members: int  # on the last day with statistics
    active_rate: float | None
    joined: int
    left: int
    exit_rate: float | None
    sent: int
    due: int

    @property
    def net(self) -> int:
        return self.joined - self.left

    @property
    def send_rate(self) -> float | None:
        return self.sent / self.due if self.due else None

    def measure(self, name: str) -> float | None:
        return {"active-rate": self.active_rate, "net-growth": float(self.net), "exit-rate": self.exit_rate,
                "send-rate": self.send_rate}[name]


@dataclass(frozen=True)
class Alert:
    kind: str
    group: RosterGroup
    date: dt.date  # the day it shows (the last of the run, or the day of the exits)
    detail: str
    plan: Escalation | None


@dataclass(frozen=True)
class KpiRow:
    kpi: Kpi
    value: float | None
    goal: float | None  # in the measure's own unit (a share for rates)
    met: bool | None


@dataclass(frozen=True)
class TrendPoint:
    week: str
    active_rate: float | None
    net: int
    left: int
    send_rate: float | None


@dataclass(frozen=True)
class Ranking:
    campaign: Campaign
    measure: str
    rows: tuple[tuple[str, float], ...]  # (group name or tag value, value), best first
    by: str  # "群" or a tag name


@dataclass(frozen=True)
class Scope:
    kind: str  # "all", "tier" or "tag"
    key: str  # tier id or "省份=河北"
    title: str


@dataclass(frozen=True)
class WeekReview:
    playbook: Playbook
    week: str
    start: dt.date
    scope: Scope
    groups: tuple[GroupWeek, ...]
    kpis: tuple[KpiRow, ...]
    trend: tuple[TrendPoint, ...]
    rankings: tuple[Ranking, ...]
    alerts: tuple[Alert, ...]

    @property
    def totals(self) -> GroupWeek | None:
        return combine(self.groups)


def combine(weeks: Iterable[GroupWeek]) -> GroupWeek | None:
    """The scope as one group: rates weighted by members."""
    first: GroupWeek | None = None
    days = members = joined = left = sent = due = 0
    active = active_weight = exits = exit_weight = 0.0
    rated = exited = False
    for row in weeks:
        if not row.days:
            continue
        first = first or row
        days = max(days, row.days)
        members += row.members
        joined += row.joined
        left += row.left
        sent += row.sent
        due += row.due
        if row.active_rate is not None:
            rated = True
            active += row.active_rate * row.members
            active_weight += row.members
        if row.exit_rate is not None:
            exited = True
            exits += row.exit_rate * row.members
            exit_weight += row.members
    if first is None:
        return None
    return GroupWeek(first.group, first.side, days, members,
                     (active / active_weight if active_weight else 0.0) if rated else None,
                     joined, left, (exits / exit_weight if exit_weight else 0.0) if exited else None,
                     sent, due)


class Reviewer:
    """Everything the review needs, indexed once: roster, statistics, calendars, settings."""

    def __init__(self, project: Project, groups: list[RosterGroup], metrics: Metrics,
                 schedules: dict[str, CalendarSchedule], settings: ReviewSettings) -> None:
        self.project = project
        self.groups = groups
        self.metrics = metrics
        self.schedules = schedules
        self.settings = settings
        self.tiers = {item.model.id: item.model for item in project.of(Tier)}
        self.escalations = {item.model.id: item.model for item in project.of(Escalation)}
        self._weeks: dict[tuple[str, str], GroupWeek] = {}
        self._alerts: dict[tuple[str, str], list[Alert]] = {}
        self._medians: dict[tuple[str, str], float | None] = {}
        self._due_days: dict[str, set[object]] = {}
        self._reviews: dict[tuple[str, str, Scope], WeekReview] = {}
        self._quiet: dict[str, set[dt.date]] = {}  # group id -> days nobody spoke
        self._points: dict[tuple[str, str, Scope], TrendPoint | None] = {}

    def weeks(self) -> list[str]:
        return sorted({week_key(date) for date in self.metrics.dates})

    def scopes(self, playbook: str) -> list[Scope]:
        mine = [entry for entry in self.groups if entry.playbook == playbook]
        scopes = [Scope("all", "", "全部群")]
        for tier_id in sorted({entry.group.tier for entry in mine}):
            tier = self.tiers.get(tier_id)
            scopes.append(Scope("tier", tier_id, tier.name if tier else tier_id))
        tags = sorted({(key, value) for entry in mine for key, value in entry.group.tags.items()})
        scopes += [Scope("tag", f"{key}={value}", f"{key}：{value}") for key, value in tags]
        return scopes

    def in_scope(self, entry: RosterGroup, scope: Scope) -> bool:
        if scope.kind == "tier":
            return entry.group.tier == scope.key
        if scope.kind == "tag":
            key, _, value = scope.key.partition("=")
            return entry.group.tags.get(key) == value
        return True

    def side(self, entry: RosterGroup) -> str:
        tier = self.tiers.get(entry.group.tier)
        return tier.side if tier else "C"

    def group_week(self, entry: RosterGroup, week: str) -> GroupWeek:
        cached = self._weeks.get((entry.group.id, week))
        if cached is not None:
            return cached
        start = week_start(week)
        assert start is not None
        stats = self.metrics.stats.get(entry.group.id, {})
        rows = [stats[day] for day in week_days(start) if day in stats]
        spoke = [(row.speakers, row.members) for row in rows if row.speakers is not None]
        member_days = sum(members for _speakers, members in spoke)
        active = sum(speakers or 0 for speakers, _m in spoke) / member_days if member_days else None
        first = rows[0].members if rows else 0
        left = sum(row.left or 0 for row in rows)
        due = sent = 0
        if rows:
            sent_days = self.metrics.sent.get(entry.group.id, set())
            for day in (row.date for row in rows):
                if self.metrics.receipts_cover(day) and self.due(entry, day):
                    due += 1
                    sent += day in sent_days
        result = GroupWeek(entry, self.side(entry), len(rows), rows[-1].members if rows else 0, active,
                           sum(row.joined or 0 for row in rows), left,
                           left / first if first else None, sent, due)
        self._weeks[(entry.group.id, week)] = result
        return result

    def due(self, entry: RosterGroup, day: dt.date) -> bool:
        """Whether the group had anything to send that day (receipts.due_on, from sets)."""
        if not self._due_days:
            for calendar_id, schedule in self.schedules.items():
                self._due_days[calendar_id] = {day.date if schedule.calendar.is_dated else day.number
                                               for day in schedule.days if day.slots}
        for calendar_id in entry.calendars:
            days = self._due_days.get(calendar_id)
            if not days:
                continue
            if self.schedules[calendar_id].calendar.is_dated:
                if day in days:
                    return True
            elif entry.group.start is not None and (day - entry.group.start).days + 1 in days:
                return True
        return False

    def review(self, playbook: Playbook, week: str, scope: Scope) -> WeekReview:
        key = (playbook.id, week, scope)
        if key not in self._reviews:
            self._reviews[key] = self._review(playbook, week, scope)
        return self._reviews[key]

    def _review(self, playbook: Playbook, week: str, scope: Scope) -> WeekReview:
        start = week_start(week)
        assert start is not None
        mine = [entry for entry in self.groups if entry.playbook == playbook.id]
        chosen = [entry for entry in mine if self.in_scope(entry, scope)]
        weeks = tuple(row for row in (self.group_week(entry, week) for entry in chosen) if row.days)
        return WeekReview(playbook, week, start, scope, weeks, self.kpi_rows(playbook, weeks),
                          self.trend(playbook.id, scope, chosen, start),
                          self.rankings(playbook, week, start, chosen),
                          tuple(self.alerts(chosen, week, start, mine)))

    def kpi_rows(self, playbook: Playbook, weeks: tuple[GroupWeek, ...]) -> tuple[KpiRow, ...]:
        """Each measured KPI over the scope; met when every side in it meets its own goal."""
        rows = []
        sides = {side: [row for row in weeks if row.side == side] for side in sorted({r.side for r in weeks})}
        totals = {side: (combine(own), len(own)) for side, own in sides.items()}
        everything = (combine(weeks), len(weeks))
        for kpi in playbook.kpis:
            if kpi.measure is None:
                continue
            checks = [(scope_value(kpi.measure, *totals[side]), kpi_goal(kpi, side)) for side in sides]
            goals = {goal for _value, goal in checks}
            rows.append(KpiRow(kpi, scope_value(kpi.measure, *everything),
                               goals.pop() if len(goals) == 1 else None, meets(kpi.measure, checks)))
        return tuple(rows)

    def trend(self, playbook: str, scope: Scope, chosen: list[RosterGroup],
              start: dt.date) -> tuple[TrendPoint, ...]:
        points = []
        for back in range(TREND_WEEKS - 1, -1, -1):
            week = week_key(start - dt.timedelta(weeks=back))
            key = (playbook, week, scope)
            if key not in self._points:
                total = combine(self.group_week(entry, week) for entry in chosen)
                self._points[key] = None if total is None else TrendPoint(
                    week, total.active_rate, total.net, total.left, total.send_rate)
            point = self._points[key]
            if point is not None:
                points.append(point)
        return tuple(points)

    def rankings(self, playbook: Playbook, week: str, start: dt.date,
                 chosen: list[RosterGroup]) -> tuple[Ranking, ...]:
        measures = {kpi.id: kpi.measure for kpi in playbook.kpis if kpi.measure}
        end = start + dt.timedelta(days=6)
        rankings = []
        for item in self.project.of(Campaign):
            campaign = item.model
            if item.playbook != playbook.id or campaign.end < start or campaign.start > end:
                continue
            members = [entry for entry in chosen if entry.group.tier in campaign.tiers]
            for kpi_id in campaign.kpis:
                measure = measures.get(kpi_id)
                if measure is None or not members:
                    continue
                weeks = [self.group_week(entry, week) for entry in members]
                rows = [(row.group.group.name, value) for row in weeks
                        if row.days and (value := row.measure(measure)) is not None]
                rankings.append(Ranking(campaign, measure, _ranked(rows, measure), "群"))
                for tag in [campaign.rank_by] if campaign.rank_by else []:  # 省份 for a provincial PK
                    values: dict[str, list[GroupWeek]] = {}
                    for row in weeks:
                        if row.days and tag in row.group.group.tags:
                            values.setdefault(row.group.group.tags[tag], []).append(row)
                    tagged = [(value, total.measure(measure)) for value, rows_ in values.items()
                              if (total := combine(rows_)) is not None and total.measure(measure) is not None]
                    rankings.append(Ranking(campaign, measure, _ranked(tagged, measure), tag))  # type: ignore[arg-type]
        return tuple(rankings)

    def alerts(self, chosen: list[RosterGroup], week: str, start: dt.date,
               mine: list[RosterGroup]) -> list[Alert]:
        alerts = [alert for entry in chosen for alert in self.group_alerts(entry, week, start, mine)]
        return sorted(alerts, key=lambda alert: (list(ALERT_LABELS).index(alert.kind), alert.group.group.id,
                                                 alert.date))

    def median(self, tier_id: str, week: str, mine: list[RosterGroup]) -> float | None:
        """The median 活跃率 of a tier's groups in a week (None with fewer than three)."""
        if (tier_id, week) not in self._medians:
            rates = [rate for entry in mine if entry.group.tier == tier_id
                     and (rate := self.group_week(entry, week).active_rate) is not None]
            self._medians[(tier_id, week)] = statistics.median(rates) if len(rates) >= 3 else None
        return self._medians[(tier_id, week)]

    def group_alerts(self, entry: RosterGroup, week: str, start: dt.date,
                     mine: list[RosterGroup]) -> list[Alert]:
        key = (entry.group.id, week)
        if key not in self._alerts:
            self._alerts[key] = self._group_alerts(entry, week, start, mine)
        return self._alerts[key]

    def _group_alerts(self, entry: RosterGroup, week: str, start: dt.date,
                      mine: list[RosterGroup]) -> list[Alert]:
        settings = self.settings
        days = week_days(start)
        alerts: list[Alert] = []
        stats = self.metrics.stats.get(entry.group.id, {})
        if not any(day in stats for day in days):
            return alerts
        quiet = self._quiet.get(entry.group.id)
        if quiet is None:
            quiet = self._quiet[entry.group.id] = {day for day, row in stats.items() if row.speakers == 0}
        run = _longest_run(start, settings.silent_days, quiet)
        if run is not None:
            length = (run[1] - run[0]).days + 1
            alerts.append(self.alert("silent", entry, run[1],
                                     f"{run[0]} 到 {run[1]} 连续 {length} 天没有人发言"))
        for day in days:
            row = stats.get(day)
            if row is not None and row.left is not None and row.left >= settings.mass_exit:
                alerts.append(self.alert("mass-exit", entry, day,
                                         f"{day} 一天退群 {row.left} 人（群里 {row.members} 人）"))
        sent = self.metrics.sent.get(entry.group.id, set())
        due_days = [day for day in _days_back(start, 7 + settings.no_send_days)
                    if self.metrics.receipts_cover(day) and self.due(entry, day)]
        missing = 0
        last_missing: dt.date | None = None
        first_missing: dt.date | None = None
        for day in due_days:
            if day in sent:
                missing = 0
                continue
            missing += 1
            first_missing = day if missing == 1 else first_missing
            if missing >= settings.no_send_days and day >= start:
                last_missing = day
        if last_missing is not None:
            alerts.append(self.alert("no-send", entry, last_missing,
                                     f"{first_missing} 起应发的 {missing} 天都没有回报"))
        rate = self.group_week(entry, week).active_rate
        median = self.median(entry.group.tier, week, mine)
        if rate is not None and median and rate < settings.below_tier * median:
            alerts.append(self.alert("below-tier", entry, days[-1],
                                     f"本周活跃率 {percent(rate)}，同层级中位数 {percent(median)}"))
        return alerts

    def alert(self, kind: str, entry: RosterGroup, date: dt.date, detail: str) -> Alert:
        plan_id = self.settings.plans.get(kind)  # type: ignore[call-overload]
        return Alert(kind, entry, date, detail, self.escalations.get(plan_id) if plan_id else None)


def _days_back(start: dt.date, count: int) -> list[dt.date]:
    end = start + dt.timedelta(days=6)
    return [end - dt.timedelta(days=offset) for offset in range(count - 1, -1, -1)]


def _longest_run(start: dt.date, length: int, days: set[dt.date]) -> tuple[dt.date, dt.date] | None:
    """The first run of `length` or more days matching `test` that ends in the week."""
    run_start: dt.date | None = None
    found: tuple[dt.date, dt.date] | None = None
    for day in _days_back(start, 7 + length):
        if day in days:
            run_start = run_start or day
            if (day - run_start).days + 1 >= length and day >= start:
                found = (run_start, day)
        else:
            run_start = None
    return found


def _ranked(rows: list[tuple[str, float]], measure: str) -> tuple[tuple[str, float], ...]:
    sign = 1 if measure in LOWER_IS_BETTER else -1
    return tuple(sorted(rows, key=lambda row: (sign * row[1], row[0])))


def kpi_goal(kpi: Kpi, side: str) -> float | None:
    """The KPI's goal for a side, in the measure's unit: from `goal`, else the one number of `target`."""
    value: float | None = kpi.goal.get(side)  # type: ignore[call-overload]
    if value is None and kpi.goal:
        return None  # goals written per side, none for this one
    if value is None:
        numbers = TARGET_NUMBER.findall(kpi.target)
        if len(numbers) != 1:
            return None
        value = float(numbers[0][0])
    return value / 100 if kpi.measure in RATES else value


def scope_value(measure: str, total: GroupWeek | None, groups: int) -> float | None:
    """A measure over several groups (`total` from combine): net growth per group."""
    if total is None:
        return None
    if measure == "net-growth":
        return total.net / groups if groups else None
    return total.measure(measure)


def meets(measure: str, pairs: list[tuple[float | None, float | None]]) -> bool | None:
    checks = [(value, goal) for value, goal in pairs if value is not None and goal is not None]
    if not checks:
        return None
    if measure in LOWER_IS_BETTER:
        return all(value <= goal for value, goal in checks)
    return all(value >= goal for value, goal in checks)


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def measure_text(measure: str, value: float | None) -> str:
    if value is None:
        return "—"
    return percent(value) if measure in RATES else f"{value:+.1f}" if measure == "net-growth" else str(value)


def load_reviewer(project: Project, schedules: dict[str, CalendarSchedule]) -> Reviewer:
    """Read data/ against the roster of a checked project (no errors in it)."""
    groups = roster_groups(project)
    settings = project.settings.review
    metrics = read_metrics(project.root, groups, settings.columns, schedules)
    return Reviewer(project, groups, metrics, schedules, settings)


def check_review_settings(project: Project) -> list[Problem]:
    """The review's references: plans named in qunsop.yaml, campaigns' rank_by, KPI goals."""
    problems: list[Problem] = []
    settings = project.singletons.get("settings")
    escalations = project.of(Escalation)
    if settings is not None and "plans" in settings.model.review.model_fields_set:
        for kind, plan_id in settings.model.review.plans.items():
            if plan_id not in escalations:
                hint = did_you_mean(plan_id, escalations.items)
                problems.append(settings.problem(("review", "plans", kind), "unknown-ref",
                                                 f"没有紧急预案 `{plan_id}`{hint}：这种提醒就不会链到预案",
                                                 "warning"))
    playbooks = project.of(Playbook)
    for campaign in project.of(Campaign):
        tag = campaign.model.rank_by
        owner = campaign.playbook or ""
        tags = playbooks[owner].model.group_tags if owner in playbooks else []
        if tag and tag not in tags:
            problems.append(campaign.problem(("rank_by",), "unknown-tag-key",
                                         f"没有群标签“{tag}”{did_you_mean(tag, tags)}：rank_by 要写方案 "
                                         f"group_tags 里的一个（现在有 {'、'.join(tags) or '（还没有）'}）"))
    for item in playbooks:
        for number, kpi in enumerate(item.model.kpis):
            if kpi.goal and kpi.measure is None:
                problems.append(item.problem(("kpis", number, "goal"), "goal-without-measure",
                                             "写了 goal 却没有写 measure：复盘不知道怎么算这个指标，请补上 "
                                             "measure（active-rate、net-growth、exit-rate 或 send-rate）",
                                             "warning"))
    return problems
