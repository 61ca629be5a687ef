"""Expand calendars into concrete days: weekly patterns, overrides, picks, campaigns,
multi-day activities, curriculum lessons and open incidents.

Picks are deterministic: the least-used suitable post wins, ties broken by
the day it was last used and then by id, so the same sources always give the
same packs and evergreen posts rotate.
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from .errors import Problem, UsageError
from .festivals import day_mark
from .models import (
    WEEKDAYS,
    Activity,
    Calendar,
    Campaign,
    Curriculum,
    DayPlan,
    Escalation,
    Game,
    Incident,
    Lesson,
    Post,
    Reply,
    Slot,
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


@dataclass(frozen=True)
class CalendarSchedule:
    calendar: Calendar
    playbook: str
    timezone: str
    days: tuple[ScheduledDay, ...]
    # an open-ended calendar's weekly template, one day per weekday (keys weekly-mon…), for
    # reading it on a day past the ones expanded
    rhythm: tuple[ScheduledDay, ...] = ()


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
    passes its stamp's day, so the same commit expands the same days)."""
    schedules: dict[str, CalendarSchedule] = {}
    problems: list[Problem] = []
    # shared by every calendar: sorting and tier sets once, not once per calendar
    approved = [(post, frozenset(post.tiers)) for post in
                sorted(project.of(Post).models(), key=lambda post: post.id) if post.status == "approved"]
    for item in project.of(Calendar):
        schedule, found = _Expander(project, item, approved, anchor).expand()
        schedules[item.model.id] = schedule
        problems.extend(found)
    from .quiz import assign_quiz_rounds  # it reads this module's types

    schedules, found = assign_quiz_rounds(project, schedules)
    return schedules, problems + found


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
class _Day:
    """A day being assembled: its plan's slots plus what other sources add to it."""

    key: str
    loc: Loc
    plan: DayPlan
    date: dt.date | None
    number: int
    slots: list[ScheduledSlot] = field(default_factory=list)


class _Expander:
    def __init__(self, project: Project, item: Item[Calendar],
                 approved: list[tuple[Post, frozenset[str]]], anchor: dt.date) -> None:
        self.anchor = anchor
        self.project = project
        self.approved = approved
        self.item = item
        self.calendar = item.model
        self.tiers = frozenset(item.model.tiers)
        self.usage = _Usage()
        self.problems: list[Problem] = []
        self.pools: dict[tuple[str, str | None], list[Post]] = {}
        self.heaps: dict[tuple[str, str | None], list[tuple[int, int, str, Post]]] = {}
        self.extra_days: list[_Day] = []  # relative days that only activities or lessons fill

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
        starts: list[tuple[_Day, Loc, Activity, ScheduledSlot]] = []
        for day in days:
            for number, slot in enumerate(day.plan.slots):
                self._slot(day, (*day.loc, "slots", number), slot, starts)
        # the calendar's own slots come first; multi-day lines fill the times left free
        for first, loc, activity, base in starts:
            self._activity(first, loc, activity, base, by_number)
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

    def _rhythm(self) -> Iterator[_Day]:
        """The weekly template on its own: what any later week looks like (no date, so only
        timeless posts are picked)."""
        for weekday in WEEKDAYS:
            plan = self.calendar.weekly.get(weekday)
            if plan is None:
                continue
            day = _Day(f"weekly-{weekday}", ("weekly", weekday), plan, None, 0)
            for number, slot in enumerate(plan.slots):
                if slot.activity is None:
                    self._slot(day, ("weekly", weekday, "slots", number), slot, [])
            yield day

    def _plans(self) -> Iterator[_Day]:
        calendar = self.calendar
        if not calendar.is_dated:
            for number, day in enumerate(calendar.days):
                yield _Day(day_key(day.day), ("days", number), day, None, day.day)
            return
        assert calendar.start
        overrides = {day.date: (n, day) for n, day in enumerate(calendar.overrides)}
        current, last = self.first_day(), self.last_day()
        number = (current - calendar.start).days + 1
        while current <= last:
            if current in overrides:
                position, override = overrides[current]
                yield _Day(day_key(current), ("overrides", position), override, current, number)
            else:
                weekday = WEEKDAYS[current.weekday()]
                yield _Day(day_key(current), ("weekly", weekday),
                           calendar.weekly.get(weekday, DayPlan()), current, number)
            current += dt.timedelta(days=1)
            number += 1

    def _finish(self, day: _Day) -> ScheduledDay:
        incidents = self._open_incidents(day.date)
        held: dict[str, str] = {category: entry.incident.id for entry in incidents
                                for category in entry.plan.hold_categories}
        slots = tuple(replace(slot, held_by=held[slot.category]) if slot.category in held else slot
                      for slot in sorted(day.slots, key=lambda s: (s.time, s.channel)))
        marks = day_mark(day.date).label if day.date else ""
        return ScheduledDay(day.key, day.date, day.number, day.plan.title,
                            getattr(day.plan, "festival", ""), slots, incidents, marks)

    def _open_incidents(self, date: dt.date | None) -> tuple[OpenIncident, ...]:
        if date is None:
            return ()
        found = []
        for item in self.project.of(Incident):
            incident = item.model
            affected = self.calendar.id in incident.calendars or self.tiers & set(incident.tiers)
            plans = self.project.of(Escalation)
            if affected and incident.open_on(date) and incident.plan in plans:
                found.append(OpenIncident(incident, plans[incident.plan].model))
        return tuple(sorted(found, key=lambda entry: entry.incident.id))

    def _add(self, day: _Day, slot: ScheduledSlot, loc: Loc, owner: Item[Any] | None = None,
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

    def _slot(self, day: _Day, loc: Loc, slot: Slot,
              starts: list[tuple[_Day, Loc, Activity, ScheduledSlot]]) -> None:
        base = ScheduledSlot(slot.time, slot.category, slot.channel, note=slot.note,
                             remark=slot.remark, task=slot.task, loc=loc)
        if slot.game is not None:
            game = self.project.of(Game).items.get(slot.game)
            if game:
                self._add(day, replace(base, game=game.model), loc, own=True)
        elif slot.reply is not None:
            reply = self.project.of(Reply).items.get(slot.reply)
            if reply:
                self._add(day, replace(base, reply=reply.model), loc, own=True)
        elif slot.activity is not None:
            activity = self.project.of(Activity).items.get(slot.activity)
            if activity:
                starts.append((day, loc, activity.model, base))
        elif slot.post is not None:
            post = self.project.of(Post).items.get(slot.post)
            if post is None:
                return
            problem = validity_problem(self.item, (*loc, "post"), post, day.date) if day.date else None
            if problem:
                self.problems.append(problem)
            self.usage.use(post.model.id, day.number)
            self._add(day, replace(base, post=post.model), loc, own=True)
        else:
            self._pick(day, loc, slot, base)

    def _activity(self, first: _Day, loc: Loc, activity: Activity, base: ScheduledSlot,
                  by_number: dict[int, _Day]) -> None:
        """Day 1 of the activity is this slot's day; each later day gets its own line."""
        last_number = first.number + activity.days - 1
        last_date = first.date + dt.timedelta(days=activity.days - 1) if first.date else None
        lines = [activity.line(day) for day in range(1, activity.days + 1)]
        if first.date is None and any("{截止日期}" in line for line in lines):
            self.problems.append(self.item.problem(
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
                self.problems.append(self.item.problem(
                    (*loc, "activity"), "activity-past-end",
                    f"多日活动 `{activity.id}` 共 {activity.days} 天，要到第 {last_number} 天{until}，"
                    "超出了排期的范围：请提前开始"))
                return
            text = fill_activity_tokens(lines[offset], activity, offset + 1, last_date)
            line = ActivityLine(activity, offset + 1, text)
            self._add(day, replace(base, activity=line, origin=f"activity:{activity.id}",
                                   note=base.note if offset == 0 else "", remark=""), loc)

    def _last_relative_day(self) -> int:
        return max((day.day for day in self.calendar.days), default=0)

    def _relative_day(self, number: int, by_number: dict[int, _Day]) -> _Day:
        """A day of a relative calendar that has no plan of its own but gets added slots."""
        day = _Day(day_key(number), ("days",), DayPlan(), None, number)
        by_number[number] = day
        self.extra_days.append(day)
        return day

    def _pick(self, day: _Day, loc: Loc, slot: Slot, base: ScheduledSlot) -> None:
        assert slot.pick is not None
        category = slot.pick.category or slot.category
        chosen = self._least_used((category, slot.pick.tag), day.date)
        if chosen is None:
            if self.project.of(Post).broken:
                return  # a post that failed to load may be the one that fits: reported there
            when = f"{day.date}" if day.date else f"第 {day.number} 天"
            tag = f"、标签“{slot.pick.tag}”" if slot.pick.tag else ""
            self.problems.append(self.item.problem(
                (*loc, "pick"), "pick-empty",
                f"{when}没有可用的帖子（分类 {category}{tag}、适用于 "
                f"{'、'.join(self.calendar.tiers)}、已审核且在有效期内）：请补充帖子或放宽规则"))
            return
        self.usage.use(chosen.id, day.number)
        self._add(day, replace(base, post=chosen, origin="pick"), loc, own=True)

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
        skipped = []
        chosen: Post | None = None
        while heap:
            used, when, post_id, post = heap[0]
            current = (count.get(post_id, 0), last.get(post_id, 0))
            if (used, when) != current:
                heapq.heapreplace(heap, (*current, post_id, post))
            elif (post.valid_from or post.valid_until) and not self._valid_for(post, date):
                skipped.append(heapq.heappop(heap))
            else:
                chosen = post
                break
        for entry in skipped:
            heapq.heappush(heap, entry)
        return chosen

    @staticmethod
    def _valid_for(post: Post, date: dt.date | None) -> bool:
        if date is None:  # a relative day has no date: only timeless posts fit
            return post.valid_from is None and post.valid_until is None
        return post.valid_on(date)

    def _announcements(self, day: _Day) -> None:
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

    def _lessons(self, by_number: dict[int, _Day]) -> None:
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
                    by_number: dict[int, _Day]) -> _Day | None:
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
