"""Expand calendars into concrete days: weekly patterns, overrides, picks, campaigns,
multi-day activities, curriculum lessons and open incidents.

Picks are deterministic: the least-used suitable post wins, ties broken by
the day it was last used and then by id, so the same sources always give the
same packs and evergreen posts rotate.
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from .errors import Problem, UsageError
from .festivals import day_mark
from .members import calendars_share, shared_tiers
from .models import (
    CATEGORY_LABELS,
    WEEKDAYS,
    Activity,
    Calendar,
    Campaign,
    Curriculum,
    DayPlan,
    Escalation,
    Game,
    Group,
    Incident,
    Lesson,
    Post,
    Reply,
    Slot,
    Tier,
)
from .resolve import Loc, Project, validity_problem
from .validate import Item


@dataclass(frozen=True)
class ActivityLine:
    """One day of a multi-day activity, its tokens filled in."""

    activity: Activity
    day: int  # 1-based day of the activity
    text: str


@dataclass(frozen=True)
class LessonRef:
    curriculum: Curriculum
    lesson: Lesson
    playbook: str
    starts: str  # HH:MM the lesson starts; the reminder slot goes out before


@dataclass(frozen=True)
class ScheduledSlot:
    time: str
    category: str
    channel: str  # group, moments or private
    post: Post | None = None
    game: Game | None = None
    activity: ActivityLine | None = None
    lesson: LessonRef | None = None
    reply: Reply | None = None
    task: str = ""
    note: str = ""  # for the person who sends it
    remark: str = ""  # for operators, on the SOP site only
    origin: str = "calendar"  # calendar, pick, campaign:<id>, activity:<id>, curriculum:<id>
    held_by: str = ""  # id of the open incident that holds this slot back
    # open incidents that hold it back only for some groups or some start dates (decided on the phone)
    maybe_held_by: tuple[str, ...] = ()
    variants: tuple[tuple[str, str, Post], ...] = ()  # (tag, value, post) sent instead by those groups
    loc: Loc = ()  # where it was asked for, in the calendar, campaign or curriculum of `origin`
    quiz_round: int = -1  # a game with a question bank: which of its rounds (quiz.py), else -1

    @property
    def kind(self) -> str:
        for name in ("post", "game", "activity", "lesson", "reply"):
            if getattr(self, name) is not None:
                return name
        raise AssertionError("a scheduled slot always has a source")

    @property
    def title(self) -> str:
        if self.post:
            return self.post.title
        if self.game:
            return self.game.name
        if self.activity:
            return f"{self.activity.activity.name}（第 {self.activity.day}/{self.activity.activity.days} 天）"
        if self.lesson:
            return f"培训课：{self.lesson.lesson.title}"
        assert self.reply is not None
        return self.reply.title


@dataclass(frozen=True)
class OpenIncident:
    incident: Incident
    plan: Escalation
    # for a calendar of the other side (B for a C-side incident): what to tell its senders
    echo: str = ""


@dataclass(frozen=True)
class ScheduledDay:
    key: str  # URL segment: 2026-12-01 or day-01
    date: dt.date | None
    number: int  # 1-based: position in a dated calendar, the day after creation otherwise
    title: str
    festival: str
    slots: tuple[ScheduledSlot, ...]
    incidents: tuple[OpenIncident, ...] = ()
    marks: str = ""  # what the Chinese calendar says of the day: 腊八, 春节 · 法定假日, 调休上班
    # incidents that apply only to some groups (groups, tags) or, in a day-N calendar, only
    # when the group's start date puts this day inside them: the pack page decides
    maybe: tuple[OpenIncident, ...] = ()


def source_keys(calendar_id: str, day: ScheduledDay) -> list[str]:
    """The sources a day's pack is made from, as kind:id (calendar, posts, campaigns…)."""
    keys = [f"calendar:{calendar_id}"]
    keys += [f"incident:{entry.incident.id}" for entry in (*day.incidents, *day.maybe)]
    for slot in day.slots:
        kind, _, owner = slot.origin.partition(":")
        if kind in ("campaign", "curriculum"):
            keys.append(f"{kind}:{owner}")
        for name in ("post", "game", "reply"):
            model = getattr(slot, name)
            if model is not None:
                keys.append(f"{name}:{model.id}")
        if slot.activity is not None:
            keys.append(f"activity:{slot.activity.activity.id}")
    return keys


@dataclass(frozen=True)
class CalendarSchedule:
    calendar: Calendar
    playbook: str
    timezone: str
    days: tuple[ScheduledDay, ...]
    # an open-ended calendar's weekly template, one day per weekday (keys weekly-mon…), for
    # reading it on a day past the ones expanded
    rhythm: tuple[ScheduledDay, ...] = ()


def group_in_scope(group: Group, groups: list[str], tags: dict[str, list[str]]) -> bool:
    """A roster group is in a scope when it is named (or none are) and has every tag asked for."""
    return (not groups or group.id in groups) and all(
        group.tags.get(key) in values for key, values in tags.items())


def follows(project: Project, playbook: str | None, group: Group, calendar: Calendar) -> bool:
    if group.calendars:
        return calendar.id in group.calendars
    return group.tier in calendar.tiers and any(
        item.model.id == calendar.id and item.playbook == playbook for item in project.of(Calendar))


def affects(project: Project, incident: Incident, calendar: Calendar, playbook: str | None) -> bool:
    """Whether an incident reaches (some groups of) a calendar.

    Tiers and calendars name calendars; groups and tags alone reach the calendars their
    roster groups follow (without a roster, every calendar: the owner's saved tags decide)."""
    if incident.tiers or incident.calendars:
        return calendar.id in incident.calendars or bool(set(calendar.tiers) & set(incident.tiers))
    roster = project.rosters.get(playbook or "")
    if roster is None:
        return not incident.groups
    return any(group_in_scope(group, incident.groups, incident.tags) and
               follows(project, playbook, group, calendar) for group in roster.model.groups)


def sides(project: Project, tiers: list[str]) -> set[str]:
    index = project.of(Tier)
    return {index[tier].model.side for tier in tiers if tier in index}


def scope_label(project: Project, playbook: str | None, incident: Incident) -> str:
    """Who an incident reaches, in words: 老周轮胎车友群、…, 省份为河北的群, or tier names."""
    roster = project.rosters.get(playbook or "")
    if incident.groups:
        names = {group.id: group.name for group in roster.model.groups} if roster else {}
        return "、".join(names.get(group, group) for group in incident.groups)
    if incident.tags:
        return "、".join(f"{key}为{'或'.join(values)}" for key, values in incident.tags.items()) + "的群"
    tiers = project.of(Tier)
    return "、".join(tiers[t].model.name if t in tiers else t for t in incident.tiers) or \
        "、".join(incident.calendars)


def other_side_notice(project: Project, item: Item[Incident], calendar: Calendar,
                      entry: OpenIncident) -> str:
    """The notice a calendar of the other side gets while an incident holds posts back.

    A store-owner group's guide (B side) announces what the consumer groups (C side) post
    today: while those posts are held, its senders must not ask owners to prepare them."""
    if not calendar.is_dated or item.playbook is None:
        return ""
    reached = [other.model for other in project.of(Calendar) if other.playbook == item.playbook
               and affects(project, item.model, other.model, item.playbook)]
    mine = sides(project, calendar.tiers)
    theirs = set().union(*(sides(project, other.tiers) for other in reached)) if reached else set()
    if not theirs or theirs & mine:
        return ""
    held = "、".join(CATEGORY_LABELS[category] for category in entry.plan.hold_categories)
    return (f"{scope_label(project, item.playbook, item.model)}正在处理这件事，暂停发{held}内容："
            f"导读和提醒里提到这些内容时，请告诉这些门店先不要准备、不要发")


@dataclass
class _Usage:
    count: dict[str, int] = field(default_factory=dict)
    last: dict[str, int] = field(default_factory=dict)

    def use(self, post_id: str, day_number: int) -> None:
        self.count[post_id] = self.count.get(post_id, 0) + 1
        self.last[post_id] = day_number


# an open-ended calendar is expanded from this many days before the day it is read for to this
# many days after it (and to its last override)
OPEN_ENDED_PAST_DAYS, OPEN_ENDED_DAYS = 28, 42


def build_schedules(project: Project, anchor: dt.date) -> tuple[dict[str, CalendarSchedule], list[Problem]]:
    """Every calendar's days; open-ended ones through `anchor` plus OPEN_ENDED_DAYS (the build
    passes its stamp's day, so the same commit expands the same days). Games' question-bank
    rounds are assigned afterwards (quiz.assign_quiz_rounds, in the pipeline)."""
    schedules: dict[str, CalendarSchedule] = {}
    problems: list[Problem] = []
    # shared by every calendar: sorting and tier sets once, not once per calendar
    approved = [(post, frozenset(post.tiers)) for post in
                sorted(project.of(Post).models(), key=lambda post: post.id) if post.status == "approved"]
    taken = _Taken(project)
    for item in project.of(Calendar):
        schedule, found = _Expander(project, item, approved, anchor, taken.avoid_for(item.model)).expand()
        schedules[item.model.id] = schedule
        taken.record(schedule)
        problems.extend(found)
    return schedules, problems


def no_avoid(date: dt.date) -> frozenset[str]:
    return frozenset()


class _Taken:
    """Posts that groups sharing members already get on a date, so a pick chooses another.

    Calendars are expanded one after another: for one already expanded its day's posts
    are known; for one still to come, the posts its day names directly are.
    """

    def __init__(self, project: Project) -> None:
        self.shared = shared_tiers(project)
        self.calendars = [item.model for item in project.of(Calendar) if item.model.is_dated]
        self.used: dict[str, dict[dt.date, frozenset[str]]] = {}

    def record(self, schedule: CalendarSchedule) -> None:
        self.used[schedule.calendar.id] = {
            day.date: frozenset(slot.post.id for slot in day.slots
                                if slot.post and slot.channel != "private")
            for day in schedule.days if day.date is not None}

    def avoid_for(self, calendar: Calendar) -> Callable[[dt.date], frozenset[str]]:
        partners = [other for other in self.calendars if other.id != calendar.id
                    and calendars_share(self.shared, calendar, other)]
        if not calendar.is_dated or not partners:
            return no_avoid

        def avoid(date: dt.date) -> frozenset[str]:
            found: set[str] = set()
            for other in partners:
                known = self.used.get(other.id)
                found |= known.get(date, frozenset()) if known is not None else named_posts(other, date)
            return frozenset(found)
        return avoid


def named_posts(calendar: Calendar, date: dt.date) -> frozenset[str]:
    """Posts a dated calendar names directly for a date (its picks are not known yet)."""
    if (calendar.start is not None and date < calendar.start) or \
            (calendar.end is not None and date > calendar.end):  # an open end: no limit
        return frozenset()
    override = next((day for day in calendar.overrides if day.date == date), None)
    plan = override or calendar.weekly.get(WEEKDAYS[date.weekday()], DayPlan())
    return frozenset(slot.post for slot in plan.slots if slot.post and slot.channel != "private")


def day_key(day: dt.date | int) -> str:
    return day.isoformat() if isinstance(day, dt.date) else f"day-{day:02d}"


def requested_day_key(schedule: CalendarSchedule, date_text: str | None,
                      day_number: int | None, today: dt.date) -> str:
    """The day a user asked for: a date for dated calendars (default today), N otherwise."""
    if schedule.calendar.is_dated:
        if day_number is not None:
            raise UsageError("按日期的排期请用 --date YYYY-MM-DD")
        if date_text is None:
            return today.isoformat()
        try:
            return day_key(dt.date.fromisoformat(date_text))
        except ValueError:
            raise UsageError(f"日期格式应为 YYYY-MM-DD，现在是 {date_text}") from None
    if date_text is not None or day_number is None:
        raise UsageError("按建群天数的排期请用 --day N，例如 --day 1")
    return day_key(day_number)


def within_calendar(schedule: CalendarSchedule, key: str) -> bool:
    """A day the calendar covers, whether or not anything is sent that day: from `start` to
    `end`, or from day 1 to its last numbered day."""
    calendar = schedule.calendar
    if calendar.is_dated:
        day = dt.date.fromisoformat(key)
        return (calendar.start is None or calendar.start <= day) and (
            calendar.end is None or day <= calendar.end)
    number = int(key.removeprefix("day-"))
    return 1 <= number <= max((day.day for day in calendar.days), default=0)


def reminder_time(start: str, minutes_before: int) -> str:
    """When a lesson reminder goes out: some minutes before the lesson (not before 00:00)."""
    hours, mins = map(int, start.split(":"))
    at = max(0, hours * 60 + mins - minutes_before)
    return f"{at // 60:02d}:{at % 60:02d}"


def fill_activity_tokens(text: str, activity: Activity, day: int, last_date: dt.date | None) -> str:
    values = {"第几天": str(day), "共几天": str(activity.days), "还剩几天": str(activity.days - day)}
    if last_date is not None:
        values["截止日期"] = f"{last_date.month}月{last_date.day}日"
    for name, value in values.items():
        text = text.replace("{" + name + "}", value)
    return text


@dataclass
class _DayDraft:
    """A day being assembled: its plan's slots plus what other sources add to it."""

    key: str
    loc: Loc
    plan: DayPlan
    date: dt.date | None
    number: int
    slots: list[ScheduledSlot] = field(default_factory=list)


class _Expander:
    def __init__(self, project: Project, item: Item[Calendar],
                 approved: list[tuple[Post, frozenset[str]]], anchor: dt.date,
                 avoid: Callable[[dt.date], frozenset[str]] = no_avoid) -> None:
        self.anchor = anchor
        self.project = project
        self.avoid = avoid  # posts groups sharing members already get that day
        self.approved = approved
        self.item = item
        self.calendar = item.model
        self.tiers = frozenset(item.model.tiers)
        self.usage = _Usage()
        self.problems: list[Problem] = []
        self.pools: dict[tuple[str, str | None], list[Post]] = {}
        self.heaps: dict[tuple[str, str | None], list[tuple[int, int, str, Post]]] = {}
        self.extra_days: list[_DayDraft] = []  # relative days that only activities or lessons fill
        self.affected: dict[str, bool] = {}  # incident id -> whether it reaches this calendar
        self.echoes: dict[str, str] = {}  # incident id -> this calendar's other-side notice

    def pool(self, category: str, tag: str | None) -> list[Post]:
        """Approved posts of a category (and tag) that suit every tier of this calendar."""
        if not self.pools:
            for post, post_tiers in self.approved:
                if not self.tiers <= post_tiers:
                    continue
                for key in ((post.category, None), *((post.category, t) for t in post.tags)):
                    self.pools.setdefault(key, []).append(post)
        return self.pools.get((category, tag), [])

    def expand(self) -> tuple[CalendarSchedule, list[Problem]]:
        days = list(self._plans())
        by_number = {day.number: day for day in days}
        starts: list[tuple[Any, ...]] = []  # (first day, loc, activity, base slot[, campaign])
        for day in days:
            for number, slot in enumerate(day.plan.slots):
                self._slot(day, (*day.loc, "slots", number), slot, starts)
        # the calendar's own slots come first; multi-day lines fill the times left free
        self._campaign_activities(days, starts)
        for first, loc, activity, base, *owner in starts:
            self._activity(first, loc, activity, base, by_number, *owner)
        for day in days:
            if day.date is not None:
                self._announcements(day)
        self._lessons(by_number)
        playbook = self.project.playbook_for(self.item)
        timezone = playbook.timezone if playbook else "Asia/Shanghai"
        finished = tuple(self._finish(day) for day in
                         sorted([*days, *self.extra_days], key=lambda d: d.number))
        rhythm = tuple(self._finish(day) for day in self._rhythm()) if self.calendar.open_ended else ()
        schedule = CalendarSchedule(self.calendar, self.item.playbook or "", timezone, finished, rhythm)
        return schedule, self.problems

    def first_day(self) -> dt.date:
        """An open-ended calendar is shown from a few weeks before the anchor: its older days are
        history (their weekly template is the same one)."""
        assert self.calendar.start is not None
        if self.calendar.end is not None:
            return self.calendar.start
        return max(self.calendar.start, self.anchor - dt.timedelta(days=OPEN_ENDED_PAST_DAYS))

    def last_day(self) -> dt.date:
        calendar = self.calendar
        assert calendar.start is not None
        if calendar.end is not None:
            return calendar.end
        overrides = [day.date for day in calendar.overrides]
        return max([calendar.start, self.anchor + dt.timedelta(days=OPEN_ENDED_DAYS), *overrides])

    def _rhythm(self) -> Iterator[_DayDraft]:
        """The weekly template on its own: what any later week looks like (no date, so only
        timeless posts are picked)."""
        for weekday in WEEKDAYS:
            plan = self.calendar.weekly.get(weekday)
            if plan is None:
                continue
            day = _DayDraft(f"weekly-{weekday}", ("weekly", weekday), plan, None, 0)
            for number, slot in enumerate(plan.slots):
                if slot.activity is None:
                    self._slot(day, ("weekly", weekday, "slots", number), slot, [])
            yield day

    def _plans(self) -> Iterator[_DayDraft]:
        calendar = self.calendar
        if not calendar.is_dated:
            for number, day in enumerate(calendar.days):
                yield _DayDraft(day_key(day.day), ("days", number), day, None, day.day)
            return
        assert calendar.start
        overrides = {day.date: (n, day) for n, day in enumerate(calendar.overrides)}
        current, last = self.first_day(), self.last_day()
        number = (current - calendar.start).days + 1
        while current <= last:
            if current in overrides:
                position, override = overrides[current]
                yield _DayDraft(day_key(current), ("overrides", position), override, current, number)
            else:
                weekday = WEEKDAYS[current.weekday()]
                yield _DayDraft(day_key(current), ("weekly", weekday),
                           calendar.weekly.get(weekday, DayPlan()), current, number)
            current += dt.timedelta(days=1)
            number += 1

    def _finish(self, day: _DayDraft) -> ScheduledDay:
        incidents, maybe = self._open_incidents(day.date, day.number)
        held: dict[str, str] = {category: entry.incident.id for entry in incidents if not entry.echo
                                for category in entry.plan.hold_categories}
        maybe_held: dict[str, tuple[str, ...]] = {}
        for entry in maybe:
            for category in entry.plan.hold_categories:
                maybe_held[category] = (*maybe_held.get(category, ()), entry.incident.id)
        slots = tuple(replace(slot, held_by=held[slot.category]) if slot.category in held else
                      replace(slot, maybe_held_by=maybe_held[slot.category])
                      if slot.category in maybe_held else slot
                      for slot in sorted(day.slots, key=lambda s: (s.time, s.channel)))
        marks = day_mark(day.date).label if day.date else ""
        return ScheduledDay(day.key, day.date, day.number, day.plan.title,
                            getattr(day.plan, "festival", ""), slots, incidents, marks, maybe)

    def _open_incidents(self, date: dt.date | None, number: int
                        ) -> tuple[tuple[OpenIncident, ...], tuple[OpenIncident, ...]]:
        """(open for every group of this calendar, open only for some groups or start dates).

        A day-N day is open for a group whose start date puts it inside the incident; an
        incident scoped to roster groups is left out of the days none of them is on then."""
        found: list[OpenIncident] = []
        maybe: list[OpenIncident] = []
        plans = self.project.of(Escalation)
        for item in self.project.of(Incident):
            incident = item.model
            if incident.plan not in plans or (date is not None and not incident.open_on(date)):
                continue
            entry = OpenIncident(incident, plans[incident.plan].model)
            if self._affects(incident):
                if date is None and not self._reaches_day(incident, number):
                    continue
                (maybe if date is None or incident.scoped else found).append(entry)
            elif date is not None and entry.plan.hold_categories:
                if incident.id not in self.echoes:
                    self.echoes[incident.id] = other_side_notice(self.project, item, self.calendar, entry)
                echo = self.echoes[incident.id]
                if echo:
                    found.append(replace(entry, echo=echo))
        return (tuple(sorted(found, key=lambda entry: entry.incident.id)),
                tuple(sorted(maybe, key=lambda entry: entry.incident.id)))

    def _affects(self, incident: Incident) -> bool:
        known = self.affected.get(incident.id)
        if known is None:
            known = self.affected[incident.id] = affects(self.project, incident, self.calendar,
                                                         self.item.playbook)
        return known

    def _reaches_day(self, incident: Incident, number: int) -> bool:
        roster = self.project.rosters.get(self.item.playbook or "")
        if roster is None or not incident.scoped:
            return True  # any start date a phone saves may put this day inside it
        return any(group.start is not None and incident.open_on(group.start + dt.timedelta(days=number - 1))
                   and group_in_scope(group, incident.groups, incident.tags)
                   and follows(self.project, self.item.playbook, group, self.calendar)
                   for group in roster.model.groups)

    def _add(self, day: _DayDraft, slot: ScheduledSlot, loc: Loc, owner: Item[Any] | None = None,
             own: bool = False) -> None:
        """Add a slot unless the time is taken in that channel (reported where it came from;
        two slots of one day in the calendar itself are reported by the reference check)."""
        taken = next((s for s in day.slots if s.time == slot.time and s.channel == slot.channel), None)
        if taken is not None and not own:
            where = day.date.isoformat() if day.date else f"第 {day.number} 天"
            self.problems.append((owner or self.item).problem(
                loc, "slot-clash", f"{where} {slot.time} 在排期 `{self.calendar.id}` 里已经有"
                f"「{taken.title}」，请换一个时间"))
        if taken is not None:
            return
        day.slots.append(slot if slot.loc == loc else replace(slot, loc=loc))

    def _campaign_activities(self, days: list[_DayDraft], starts: list[tuple[Any, ...]]) -> None:
        """Multi-day activities a campaign starts on a date, in the calendars of the tiers
        both the campaign and the activity are for."""
        by_date = {day.date: day for day in days if day.date is not None}
        for campaign in self.project.of(Campaign):
            if not set(campaign.model.tiers) & self.tiers:
                continue
            for number, start in enumerate(campaign.model.activities):
                activity = self.project.of(Activity).items.get(start.activity)
                day = by_date.get(start.date)
                if activity is None or day is None or not self.tiers <= set(activity.model.tiers):
                    continue
                base = ScheduledSlot(start.time, "activity", "group", note=start.note,
                                     origin=f"campaign:{campaign.model.id}")
                starts.append((day, ("activities", number), activity.model, base, campaign))

    def _slot(self, day: _DayDraft, loc: Loc, slot: Slot,
              starts: list[tuple[Any, ...]]) -> None:
        posts = self.project.of(Post).items

        def scheduled(**source: Any) -> ScheduledSlot:  # made once: a year of days has 20,000
            return ScheduledSlot(slot.time, slot.category, slot.channel, note=slot.note,
                                 remark=slot.remark, task=slot.task, loc=loc,
                                 variants=tuple((variant.tag, variant.value, posts[variant.post].model)
                                                for variant in slot.variants if variant.post in posts),
                                 **source)

        if slot.game is not None:
            game = self.project.of(Game).items.get(slot.game)
            if game:
                self._add(day, scheduled(game=game.model), loc, own=True)
        elif slot.reply is not None:
            reply = self.project.of(Reply).items.get(slot.reply)
            if reply:
                self._add(day, scheduled(reply=reply.model), loc, own=True)
        elif slot.activity is not None:
            activity = self.project.of(Activity).items.get(slot.activity)
            if activity:
                starts.append((day, loc, activity.model, scheduled()))
        elif slot.post is not None:
            post = posts.get(slot.post)
            if post is None:
                return
            problem = validity_problem(self.item, (*loc, "post"), post, day.date) if day.date else None
            if problem:
                self.problems.append(problem)
            self.usage.use(post.model.id, day.number)
            self._add(day, scheduled(post=post.model), loc, own=True)
        else:
            self._pick(day, loc, slot, scheduled)

    def _activity(self, first: _DayDraft, loc: Loc, activity: Activity, base: ScheduledSlot,
                  by_number: dict[int, _DayDraft], owner: Item[Any] | None = None) -> None:
        """Day 1 of the activity is this slot's day; each later day gets its own line.
        A calendar's slot or a campaign (`owner`) asked for it; problems are reported there."""
        where = owner or self.item
        # a campaign's entry names the activity and the time; a calendar slot is the entry
        slot_loc = loc if owner is None else (*loc, "time")
        origin = f"activity:{activity.id}" if owner is None else base.origin
        last_number = first.number + activity.days - 1
        last_date = first.date + dt.timedelta(days=activity.days - 1) if first.date else None
        lines = [activity.line(day) for day in range(1, activity.days + 1)]
        if first.date is None and any("{截止日期}" in line for line in lines):
            self.problems.append(where.problem(
                (*loc, "activity"), "activity-date",
                f"多日活动 `{activity.id}` 的话术用了 {{截止日期}}，按建群天数的排期没有日期："
                "请改用 {还剩几天}"))
            return
        for offset in range(activity.days):
            number = first.number + offset
            day = by_number.get(number)
            if day is None and first.date is None and number <= self._last_relative_day():
                day = self._relative_day(number, by_number)
            if day is None and self.calendar.open_ended:
                return  # past the days expanded: the activity goes on in days not shown yet
            if day is None:
                until = f"（{last_date}）" if last_date else ""
                self.problems.append(where.problem(
                    (*loc, "activity"), "activity-past-end",
                    f"多日活动 `{activity.id}` 共 {activity.days} 天，要到第 {last_number} 天{until}，"
                    "超出了排期的范围：请提前开始"))
                return
            text = fill_activity_tokens(lines[offset], activity, offset + 1, last_date)
            line = ActivityLine(activity, offset + 1, text)
            self._add(day, replace(base, activity=line, origin=origin,
                                   note=base.note if offset == 0 else "", remark=""), slot_loc, owner)

    def _last_relative_day(self) -> int:
        return max((day.day for day in self.calendar.days), default=0)

    def _relative_day(self, number: int, by_number: dict[int, _DayDraft]) -> _DayDraft:
        """A day of a relative calendar that has no plan of its own but gets added slots."""
        day = _DayDraft(day_key(number), ("days",), DayPlan(), None, number)
        by_number[number] = day
        self.extra_days.append(day)
        return day

    def _pick(self, day: _DayDraft, loc: Loc, slot: Slot,
              scheduled: Callable[..., ScheduledSlot]) -> None:
        assert slot.pick is not None
        category = slot.pick.category or slot.category
        chosen = self._least_used((category, slot.pick.tag), day.date)
        if chosen is None:
            if self.project.of(Post).broken:
                return  # a post that failed to load may be the one that fits: reported there
            if slot.pick.tag is not None and not any(slot.pick.tag in post.tags
                                                     for post in self.project.of(Post).models()):
                return  # no post has the tag at all: the cause is reported at pick.tag, once
            when = f"{day.date}" if day.date else f"第 {day.number} 天"
            tag = f"、标签“{slot.pick.tag}”" if slot.pick.tag else ""
            self.problems.append(self.item.problem(
                (*loc, "pick"), "pick-empty",
                f"{when}没有可用的帖子（分类 {category}{tag}、适用于 "
                f"{'、'.join(self.calendar.tiers)}、已审核且在有效期内）：请补充帖子或放宽规则"))
            return
        self.usage.use(chosen.id, day.number)
        self._add(day, scheduled(post=chosen, origin="pick"), loc, own=True)

    def _least_used(self, key: tuple[str, str | None], date: dt.date | None) -> Post | None:
        """The suitable post used least often, then least recently, then by id.

        A lazy heap per pool: usage only grows, so an entry whose recorded
        usage is stale is re-pushed with the current one when it surfaces.
        """
        heap = self.heaps.get(key)
        if heap is None:
            heap = self.heaps[key] = [(0, 0, post.id, post) for post in self.pool(*key)]
            heapq.heapify(heap)
        count, last = self.usage.count, self.usage.last
        avoided = self.avoid(date) if date is not None else frozenset()
        skipped = []
        chosen: Post | None = None
        doubled: Post | None = None  # the best post shared members already get: the last resort
        while heap:
            used, when, post_id, post = heap[0]
            current = (count.get(post_id, 0), last.get(post_id, 0))
            if (used, when) != current:
                heapq.heapreplace(heap, (*current, post_id, post))
            elif (post.valid_from or post.valid_until) and not self._valid_for(post, date):
                skipped.append(heapq.heappop(heap))
            elif post_id in avoided:
                doubled = doubled or post
                skipped.append(heapq.heappop(heap))
            else:
                chosen = post
                break
        chosen = chosen or doubled
        for entry in skipped:
            heapq.heappush(heap, entry)
        return chosen

    @staticmethod
    def _valid_for(post: Post, date: dt.date | None) -> bool:
        if date is None:  # a relative day has no date: only timeless posts fit
            return post.valid_from is None and post.valid_until is None
        return post.valid_on(date)

    def _announcements(self, day: _DayDraft) -> None:
        assert day.date is not None
        for campaign in self.project.of(Campaign):
            if not set(campaign.model.tiers) & self.tiers:
                continue
            for number, announcement in enumerate(campaign.model.announcements):
                post = self.project.of(Post).items.get(announcement.post)
                if announcement.date != day.date or post is None:
                    continue
                slot = ScheduledSlot(announcement.time, "activity", "group", post=post.model,
                                     note=announcement.note, remark=announcement.remark,
                                     origin=f"campaign:{campaign.model.id}")
                self._add(day, slot, ("announcements", number, "time"), campaign)

    def _lessons(self, by_number: dict[int, _DayDraft]) -> None:
        """Each curriculum lesson becomes a reminder slot in its audience's calendars."""
        for item in self.project.of(Curriculum):
            curriculum = item.model
            if not set(curriculum.audience) & self.tiers:
                continue
            lessons = {lesson.id: lesson for lesson in curriculum.lessons}
            for number, entry in enumerate(curriculum.schedule):
                lesson = lessons.get(entry.lesson)
                offset = (entry.week - 1) * 7 + entry.day - 1
                day = self._lesson_day(curriculum, offset, by_number)
                if lesson is None or day is None:
                    continue
                slot = ScheduledSlot(reminder_time(entry.time, entry.remind_before), "interaction", "group",
                                     lesson=LessonRef(curriculum, lesson, item.playbook or "", entry.time),
                                     origin=f"curriculum:{curriculum.id}")
                self._add(day, slot, ("schedule", number, "time"), item)

    def _lesson_day(self, curriculum: Curriculum, offset: int,
                    by_number: dict[int, _DayDraft]) -> _DayDraft | None:
        if not self.calendar.is_dated:
            number = offset + 1
            if number > self._last_relative_day():
                return None
            return by_number.get(number) or self._relative_day(number, by_number)
        if curriculum.start is None:
            return None
        assert self.calendar.start is not None
        number = (curriculum.start + dt.timedelta(days=offset) - self.calendar.start).days + 1
        return by_number.get(number)
