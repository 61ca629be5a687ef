"""Expand calendars into concrete days: weekly patterns, overrides, picks, campaigns.

Picks are deterministic: the least-used suitable post wins, ties broken by
the day it was last used and then by id, so the same sources always give the
same packs and evergreen posts rotate.
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections.abc import Iterator
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from .errors import Problem, UsageError
from .models import WEEKDAYS, Calendar, DayPlan, Game, Post, Slot
from .resolve import Loc, Project, validity_problem
from .validate import Item


@dataclass(frozen=True)
class ScheduledSlot:
    time: str
    category: str
    post: Post | None
    game: Game | None
    note: str
    origin: str  # "calendar", "pick" or "campaign:<id>"


@dataclass(frozen=True)
class ScheduledDay:
    key: str  # URL segment: 2026-12-01 or day-01
    date: dt.date | None
    number: int  # 1-based position in the calendar
    title: str
    festival: str
    slots: tuple[ScheduledSlot, ...]


@dataclass(frozen=True)
class CalendarSchedule:
    calendar: Calendar
    playbook: str
    timezone: str
    days: tuple[ScheduledDay, ...]


@dataclass
class _Usage:
    count: dict[str, int] = field(default_factory=dict)
    last: dict[str, int] = field(default_factory=dict)

    def use(self, post_id: str, day_number: int) -> None:
        self.count[post_id] = self.count.get(post_id, 0) + 1
        self.last[post_id] = day_number


def build_schedules(project: Project) -> tuple[dict[str, CalendarSchedule], list[Problem]]:
    schedules: dict[str, CalendarSchedule] = {}
    problems: list[Problem] = []
    # shared by every calendar: sorting and tier sets once, not once per calendar
    approved = [(post, frozenset(post.tiers)) for post in
                sorted(project.posts.models(), key=lambda post: post.id) if post.status == "approved"]
    for item in project.calendars:
        schedule, found = _Expander(project, item, approved).expand()
        schedules[item.model.id] = schedule
        problems.extend(found)
    return schedules, problems


def day_key(day: dt.date | int) -> str:
    return day.isoformat() if isinstance(day, dt.date) else f"day-{day:02d}"


def requested_day_key(schedule: CalendarSchedule, date_text: str | None,
                      day_number: int | None) -> str:
    """The day a user asked for: a date for dated calendars (default today), N otherwise."""
    if schedule.calendar.is_dated:
        if day_number is not None:
            raise UsageError("按日期的排期请用 --date YYYY-MM-DD")
        if date_text is None:
            return dt.datetime.now(ZoneInfo(schedule.timezone)).date().isoformat()
        try:
            return day_key(dt.date.fromisoformat(date_text))
        except ValueError:
            raise UsageError(f"日期格式应为 YYYY-MM-DD，现在是 {date_text}") from None
    if date_text is not None or day_number is None:
        raise UsageError("按建群天数的排期请用 --day N，例如 --day 1")
    return day_key(day_number)


class _Expander:
    def __init__(self, project: Project, item: Item[Calendar],
                 approved: list[tuple[Post, frozenset[str]]]) -> None:
        self.project = project
        self.approved = approved
        self.item = item
        self.calendar = item.model
        self.usage = _Usage()
        self.problems: list[Problem] = []
        self.pools: dict[tuple[str, str | None], list[Post]] = {}
        self.heaps: dict[tuple[str, str | None], list[tuple[int, int, str, Post]]] = {}

    def pool(self, category: str, tag: str | None) -> list[Post]:
        """Approved posts of a category (and tag) that suit every tier of this calendar."""
        if not self.pools:
            tiers = frozenset(self.calendar.tiers)
            for post, post_tiers in self.approved:
                if not tiers <= post_tiers:
                    continue
                for key in ((post.category, None), *((post.category, t) for t in post.tags)):
                    self.pools.setdefault(key, []).append(post)
        return self.pools.get((category, tag), [])

    def expand(self) -> tuple[CalendarSchedule, list[Problem]]:
        days = [self._day(number, key, loc, plan, date)
                for number, (key, loc, plan, date) in enumerate(self._plans(), start=1)]
        playbook = self.project.playbook_for(self.item)
        timezone = playbook.timezone if playbook else "Asia/Shanghai"
        schedule = CalendarSchedule(self.calendar, self.item.playbook or "", timezone, tuple(days))
        return schedule, self.problems

    def _plans(self) -> Iterator[tuple[str, Loc, DayPlan, dt.date | None]]:
        calendar = self.calendar
        if not calendar.is_dated:
            for number, day in sorted(enumerate(calendar.days), key=lambda pair: pair[1].day):
                yield day_key(day.day), ("days", number), day, None
            return
        assert calendar.start and calendar.end
        overrides = {day.date: (n, day) for n, day in enumerate(calendar.overrides)}
        current = calendar.start
        while current <= calendar.end:
            if current in overrides:
                number, override = overrides[current]
                yield day_key(current), ("overrides", number), override, current
            else:
                weekday = WEEKDAYS[current.weekday()]
                plan = calendar.weekly.get(weekday, DayPlan())
                yield day_key(current), ("weekly", weekday), plan, current
            current += dt.timedelta(days=1)

    def _day(self, number: int, key: str, loc: Loc, plan: DayPlan,
             date: dt.date | None) -> ScheduledDay:
        slots = [self._slot(number, (*loc, "slots", n), slot, date)
                 for n, slot in enumerate(plan.slots)]
        if date is not None:
            slots += self._announcements(date, {slot.time for slot in slots if slot})
        chosen = sorted((slot for slot in slots if slot is not None), key=lambda s: s.time)
        festival = getattr(plan, "festival", "")
        return ScheduledDay(key, date, number, plan.title, festival, tuple(chosen))

    def _slot(self, number: int, loc: Loc, slot: Slot,
              date: dt.date | None) -> ScheduledSlot | None:
        if slot.game is not None:
            game = self.project.games.items.get(slot.game)
            return ScheduledSlot(slot.time, slot.category, None, game.model if game else None,
                                 slot.note, "calendar") if game else None
        if slot.post is not None:
            post = self.project.posts.items.get(slot.post)
            if post is None:
                return None
            problem = validity_problem(self.item, (*loc, "post"), post, date) if date else None
            if problem:
                self.problems.append(problem)
            if post.model.status == "draft":
                self.problems.append(self.item.problem(
                    (*loc, "post"), "draft-scheduled",
                    f"帖子 `{post.model.id}` 还是草稿（status: draft），审核通过后再排期", "warning"))
            self.usage.use(post.model.id, number)
            return ScheduledSlot(slot.time, slot.category, post.model, None, slot.note, "calendar")
        return self._pick(number, loc, slot, date)

    def _pick(self, number: int, loc: Loc, slot: Slot,
              date: dt.date | None) -> ScheduledSlot | None:
        assert slot.pick is not None
        category = slot.pick.category or slot.category
        chosen = self._least_used((category, slot.pick.tag), date)
        if chosen is None:
            when = f"{date}" if date else f"第 {number} 天"
            tag = f"、标签“{slot.pick.tag}”" if slot.pick.tag else ""
            self.problems.append(self.item.problem(
                (*loc, "pick"), "pick-empty",
                f"{when}没有可用的帖子（分类 {category}{tag}、适用于 "
                f"{'、'.join(self.calendar.tiers)}、已审核且在有效期内）：请补充帖子或放宽规则"))
            return None
        self.usage.use(chosen.id, number)
        return ScheduledSlot(slot.time, slot.category, chosen, None, slot.note, "pick")

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

    def _announcements(self, date: dt.date, taken: set[str]) -> list[ScheduledSlot | None]:
        found: list[ScheduledSlot | None] = []
        for campaign in self.project.campaigns:
            if not set(campaign.model.tiers) & set(self.calendar.tiers):
                continue
            for number, announcement in enumerate(campaign.model.announcements):
                post = self.project.posts.items.get(announcement.post)
                if announcement.date != date or post is None:
                    continue
                if announcement.time in taken:
                    self.problems.append(campaign.problem(
                        ("announcements", number, "time"), "slot-clash",
                        f"{date} {announcement.time} 在排期 `{self.calendar.id}` 里已有内容，"
                        "请换一个时间"))
                    continue
                taken.add(announcement.time)
                found.append(ScheduledSlot(announcement.time, "activity", post.model, None,
                                           announcement.note, f"campaign:{campaign.model.id}"))
        return found
