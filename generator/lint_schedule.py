"""Schedule sense: lint rules about what goes out when, checked on the expanded calendars.

A driver notices "早上好" at 20:30 and an owner notices "今天周五" on a Tuesday;
these rules catch them before a pack is published. Each finding is reported
where the slot was written (calendar, campaign or curriculum), once per slot
and post however many days repeat it. Severities and limits: qunsop.yaml.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from .errors import Problem
from .models import Calendar, Campaign, Curriculum, Post, Slot, Tier
from .resolve import Loc, Project
from .schedule import CalendarSchedule, ScheduledDay, ScheduledSlot
from .settings import LintSettings
from .validate import Item

WEEKDAY_NAMES = "一二三四五六日天"
# greetings that say what time it is now: (first minute, last minute) when they fit
GREETINGS: dict[str, tuple[int, int]] = {
    "早上好": (4 * 60, 11 * 60), "早安": (4 * 60, 11 * 60), "上午好": (6 * 60, 12 * 60),
    "中午好": (11 * 60, 14 * 60), "下午好": (12 * 60, 18 * 60 + 30),
    "晚上好": (17 * 60, 24 * 60), "晚安": (20 * 60, 24 * 60 + 3 * 60),
}
GREETING = re.compile("|".join(GREETINGS))
ANY_WEEKDAY = re.compile(f"(?:周|星期|礼拜)[{WEEKDAY_NAMES}]|周末")
TODAY_WEEKDAY = re.compile(f"(?:今天|今儿)(?:是)?(?:周|星期|礼拜)([{WEEKDAY_NAMES}])")
# a time later today: 今晚8点, 今天 20:00, 今天下午3点半
TODAY_TIME = re.compile(r"(今天晚上|今天下午|今天中午|今天早上|今天上午|今晚|今夜|今早|今天|今日)\s*"
                        r"(\d{1,2})\s*(?:点|:|：)\s*(半|\d{2})?")
AFTERNOON = ("今天晚上", "今天下午", "今晚", "今夜")
ADVERT = frozenset({"product", "activity"})


def minutes(clock: str) -> int:
    hours, mins = clock.split(":")
    return int(hours) * 60 + int(mins)


def slot_text(slot: ScheduledSlot) -> str:
    """What gets pasted for a slot (lesson reminders are written by qunsop itself)."""
    if slot.post:
        return slot.post.body
    if slot.activity:
        return slot.activity.text
    if slot.game:
        return slot.game.steps[0].host_line
    if slot.reply:
        return slot.reply.body
    return ""


@dataclass
class _Findings:
    """Findings grouped by where they were written, so a weekly slot is reported once."""

    days: dict[tuple[str, Loc, str, str], list[str]] = field(default_factory=lambda: defaultdict(list))
    items: dict[tuple[str, Loc, str, str], Item[Any]] = field(default_factory=dict)


class ScheduleLint:
    def __init__(self, project: Project, config: LintSettings) -> None:
        self.project = project
        self.config = config
        self.findings = _Findings()
        self.problems: list[Problem] = []

    def run(self, schedules: dict[str, CalendarSchedule]) -> list[Problem]:
        for schedule in schedules.values():
            self.calendar(schedule)
        self.flush()
        if not self.project.of(Calendar).broken:
            # with a calendar that did not load, these would blame the files it would serve
            self.tiers_without_calendar()
            self.unscheduled_announcements(schedules)
            self.never_scheduled()
        return self.problems

    # --- per calendar ---------------------------------------------------------------------

    def owner(self, schedule: CalendarSchedule, slot: ScheduledSlot) -> Item[Any]:
        kind, _, item_id = slot.origin.partition(":")
        if kind == "campaign":
            return self.project.of(Campaign)[item_id]
        if kind == "curriculum":
            return self.project.of(Curriculum)[item_id]
        return self.project.of(Calendar)[schedule.calendar.id]

    def note(self, schedule: CalendarSchedule, slot: ScheduledSlot, day: ScheduledDay, rule: str,
             message: str) -> None:
        """Record a finding; the day is added to the same finding's list of days."""
        if self.config.level(rule) == "off":
            return
        owner = self.owner(schedule, slot)
        key = (owner.source.path, slot.loc, rule, message)
        self.findings.items[key] = owner
        self.findings.days[key].append(day.key)

    def flush(self) -> None:
        for key, days in self.findings.days.items():
            _path, loc, rule, message = key
            owner = self.findings.items[key]
            when = "、".join(days[:3]) + (f" 等 {len(days)} 天" if len(days) > 3 else "")
            self.problems.append(owner.problem(loc, rule, f"{when}：{message}",
                                               self.config.level(rule)))

    def calendar(self, schedule: CalendarSchedule) -> None:
        last_used: dict[str, int] = {}
        moments_ads = 0
        for day in schedule.days:
            tags: dict[str, int] = defaultdict(int)
            for slot in day.slots:
                self.slot(schedule, day, slot)
                if slot.post and slot.channel == "group":
                    for tag in slot.post.tags:
                        tags[tag] += 1
                        if tags[tag] == self.config.max_same_tag_per_day + 1:
                            self.note(schedule, slot, day, "same-tag-day",
                                      f"同一天有 {tags[tag]} 条带标签“{tag}”的内容，群友会觉得重复："
                                      f"每天最多 {self.config.max_same_tag_per_day} 条")
                    previous = last_used.get(slot.post.id)
                    gap = day.number - previous if previous is not None else None
                    if gap is not None and 0 < gap < self.config.repeat_within_days:
                        self.note(schedule, slot, day, "repeat-post",
                                  f"「{slot.post.title}」{gap} 天前刚发过：同一条 "
                                  f"{self.config.repeat_within_days} 天内不要重复")
                    last_used[slot.post.id] = day.number
                if slot.channel == "moments":
                    moments_ads = moments_ads + 1 if slot.category in ADVERT else 0
                    if moments_ads == 3:
                        self.note(schedule, slot, day, "moments-ads",
                                  "朋友圈连着三条都是广告（产品或活动）：中间插一条生活或知识，朋友才不会屏蔽")

    def slot(self, schedule: CalendarSchedule, day: ScheduledDay, slot: ScheduledSlot) -> None:
        text = slot_text(slot)
        if not text:
            return
        at = minutes(slot.time)
        for match in GREETING.finditer(text):
            start, end = GREETINGS[match.group(0)]
            if not (start <= at <= end or start <= at + 24 * 60 <= end):
                self.note(schedule, slot, day, "time-word",
                          f"「{slot.title}」里说“{match.group(0)}”，却在 {slot.time} 发：改时间或改说法")
        if day.date is None:
            found = ANY_WEEKDAY.search(text)
            if found:
                self.note(schedule, slot, day, "weekday-word",
                          f"「{slot.title}」里写了“{found.group(0)}”，按建群天数的排期哪天都可能是，"
                          "请去掉星期几")
        else:
            actual = "一二三四五六日"[day.date.weekday()]
            for found in TODAY_WEEKDAY.finditer(text):
                said = "日" if found.group(1) == "天" else found.group(1)
                if said != actual:
                    self.note(schedule, slot, day, "weekday-word",
                              f"「{slot.title}」里说“{found.group(0)}”，那天却是周{actual}")
        for found in TODAY_TIME.finditer(text):
            hour = int(found.group(2))
            if found.group(1) in AFTERNOON and hour < 12:
                hour += 12
            extra = 30 if found.group(3) == "半" else int(found.group(3) or 0)
            if hour < 24 and hour * 60 + extra < at:
                self.note(schedule, slot, day, "announcement-time",
                          f"「{slot.title}」说“{found.group(0)}”，可是 {slot.time} 才发，那时已经过了")

    # --- across the project ---------------------------------------------------------------

    def report(self, item: Item[Any], loc: Loc, rule: str, message: str) -> None:
        level = self.config.level(rule)
        if level != "off":
            self.problems.append(item.problem(loc, rule, message, level))

    def tiers_without_calendar(self) -> None:
        served = {tier for item in self.project.of(Calendar) for tier in item.model.tiers}
        for item in self.project.of(Tier):
            tier = item.model
            if tier.posts_per_day > 0 and tier.id not in served:
                self.report(item, ("posts_per_day",), "tier-without-calendar",
                            f"群层级每天要发 {tier.posts_per_day} 条，却没有任何排期：加一个排期，"
                            "或把 posts_per_day 改成 0")

    def unscheduled_announcements(self, schedules: dict[str, CalendarSchedule]) -> None:
        landed = {(slot.origin, day.date, slot.post.id) for schedule in schedules.values()
                  for day in schedule.days for slot in day.slots if slot.post}
        for item in self.project.of(Campaign):
            for number, announcement in enumerate(item.model.announcements):
                if before_shown(announcement.date, set(item.model.tiers), schedules):
                    continue
                if (f"campaign:{item.model.id}", announcement.date, announcement.post) not in landed:
                    self.report(item, ("announcements", number, "date"),
                                "unscheduled-announcement",
                                f"{announcement.date} 这条通知没有落进任何排期：参与的群层级在那天"
                                "没有按日期的排期，店主和群助理都收不到它")

    def never_scheduled(self) -> None:
        """Approved posts no calendar names, no campaign announces and no pick rule can choose."""
        named = {slot.post for item in self.project.of(Calendar) for slots in calendar_slots(item.model)
                 for slot in slots if slot.post}
        named |= {a.post for item in self.project.of(Campaign) for a in item.model.announcements}
        picks: dict[str, set[tuple[str | None, frozenset[str]]]] = {}  # by category
        for calendar in self.project.of(Calendar).models():
            for slots in calendar_slots(calendar):
                for slot in slots:
                    if slot.pick:
                        picks.setdefault(slot.pick.category or slot.category, set()).add(
                            (slot.pick.tag, frozenset(calendar.tiers)))
        for item in self.project.of(Post):
            post = item.model
            if post.status != "approved" or post.id in named:
                continue
            tiers = set(post.tiers)
            if not any((tag is None or tag in post.tags) and calendar_tiers <= tiers
                       for tag, calendar_tiers in picks.get(post.category, ())):
                self.report(item, ("category",), "never-scheduled",
                            "没有哪个排期会用到这条：没有排期直接写它，也没有 pick 规则挑得中"
                            "（看看分类、标签和适用群层级）")


def calendar_slots(calendar: Calendar) -> list[list[Slot]]:
    return ([plan.slots for plan in calendar.weekly.values()]
            + [day.slots for day in calendar.overrides] + [day.slots for day in calendar.days])


def lint_schedules(project: Project, schedules: dict[str, CalendarSchedule]) -> list[Problem]:
    return ScheduleLint(project, project.settings.lint).run(schedules)


def before_shown(date: dt.date, tiers: set[str], schedules: dict[str, CalendarSchedule]) -> bool:
    """A date before the days an open-ended calendar of these tiers shows is history there."""
    firsts = [schedule.days[0].date for schedule in schedules.values()
              if schedule.calendar.open_ended and set(schedule.calendar.tiers) & tiers
              and schedule.days and schedule.days[0].date]
    return bool(firsts) and all(date < first for first in firsts if first is not None)
