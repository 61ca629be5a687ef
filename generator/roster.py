"""The roster: the real groups a playbook runs (`groups.yaml` or `groups.csv`).

Checked after the calendars are expanded (a row must fill every placeholder its
calendars' posts use), and turned into the public data a group's link reads.
Private columns never leave this module.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .errors import Problem, did_you_mean
from .models import Calendar, Group, Playbook, Roster, Tier
from .resolve import PLACEHOLDER_PATTERN, Project
from .schedule import CalendarSchedule, ScheduledSlot
from .validate import Item

# how far ahead a group may be planned: a start date after this is a typing slip (2062 for 2026)
MAX_DAYS_AHEAD = 366


@dataclass(frozen=True)
class RosterGroup:
    """One group with what it resolves to: its calendars (ids) and row in the source."""

    group: Group
    playbook: str
    calendars: tuple[str, ...]
    number: int  # index in the roster's list


def slot_texts(slot: ScheduledSlot) -> list[str]:
    """Every text of a slot the sender pastes or reads, placeholders kept."""
    texts = [slot.note, slot.task]
    if slot.post is not None:
        texts.append(slot.post.body)
    if slot.game is not None:
        texts += [step.host_line for step in slot.game.steps]
    if slot.activity is not None:
        texts.append(slot.activity.text)
    if slot.reply is not None:
        texts.append(slot.reply.body)
    return texts


def placeholders_used(schedule: CalendarSchedule) -> set[str]:
    return {match.group(1) for day in schedule.days for slot in day.slots
            for text in slot_texts(slot) for match in PLACEHOLDER_PATTERN.finditer(text)}


def calendars_of(project: Project, playbook: str, group: Group) -> tuple[str, ...]:
    """The calendars a group follows: those it names, or every calendar of its tier."""
    if group.calendars:
        return tuple(group.calendars)
    return tuple(item.model.id for item in project.of(Calendar)
                 if item.playbook == playbook and group.tier in item.model.tiers)


def roster_groups(project: Project) -> list[RosterGroup]:
    """Every group of every roster, in file order (after check_rosters found no errors)."""
    return [RosterGroup(group, playbook, calendars_of(project, playbook, group), number)
            for playbook, item in sorted(project.rosters.items())
            for number, group in enumerate(item.model.groups)]


def check_rosters(project: Project, schedules: dict[str, CalendarSchedule],
                  today: dt.date) -> list[Problem]:
    problems: list[Problem] = []
    used = {calendar_id: placeholders_used(schedule) for calendar_id, schedule in schedules.items()}
    for playbook, item in sorted(project.rosters.items()):
        problems += _check_roster(project, playbook, item, used, today)
    return problems


def _check_roster(project: Project, playbook: str, item: Item[Roster], used: dict[str, set[str]],
                  today: dt.date) -> list[Problem]:
    problems: list[Problem] = []
    tiers = {tier.model.id: tier.model for tier in project.of(Tier) if tier.playbook == playbook}
    calendars = {cal.model.id: cal.model for cal in project.of(Calendar) if cal.playbook == playbook}
    playbooks = project.of(Playbook)
    tag_keys = list(playbooks[playbook].model.group_tags) if playbook in playbooks else []
    csv = item.source.path.endswith(".csv")
    first_id: dict[str, int] = {}
    first_name: dict[str, int] = {}

    def row(number: int) -> str:
        return f"第 {item.position('groups', number)[0]} 行" if csv else f"第 {number + 1} 个群"

    def report(loc: tuple[str | int, ...], code: str, message: str, severity: str = "error") -> None:
        problems.append(item.problem(("groups", *loc), code, message, severity))

    for number, group in enumerate(item.model.groups):
        for seen, value, field, label in ((first_id, group.id, "id", "编号"),
                                          (first_name, group.name, "name", "群名")):
            if value in seen:
                report((number, field), f"duplicate-group-{field}",
                       f"群{label}“{value}”和{row(seen[value])}重复：每个群的{label}都不能一样")
            else:
                seen[value] = number
        if group.tier not in tiers:
            if group.tier not in project.of(Tier).broken:  # a broken tier file is reported there
                report((number, "tier"), "unknown-tier",
                       f"没有群层级 `{group.tier}`{did_you_mean(group.tier, tiers)}：这个方案的群层级有 "
                       f"{'、'.join(sorted(tiers)) or '（还没有）'}")
            continue
        for index, calendar_id in enumerate(group.calendars):
            calendar = calendars.get(calendar_id)
            if calendar is None and calendar_id in project.of(Calendar).broken:
                continue
            if calendar is None:
                report((number, "calendars", index), "unknown-calendar",
                       f"没有排期 `{calendar_id}`{did_you_mean(calendar_id, calendars)}")
            elif group.tier not in calendar.tiers:
                report((number, "calendars", index), "calendar-tier",
                       f"排期 `{calendar_id}` 不是给群层级 `{group.tier}` 用的（它给 "
                       f"{'、'.join(calendar.tiers)}）：换一个排期，或改这个群的层级")
        mine = [calendars[c] for c in calendars_of(project, playbook, group)
                if c in calendars and group.tier in calendars[c].tiers]
        relative = [calendar.id for calendar in mine if not calendar.is_dated]
        if relative and group.start is None:
            report((number, "start"), "group-start-missing",
                   f"这个群用按建群天数的排期 {'、'.join(relative)}：请写上建群日期（start），"
                   "例如 2026-12-01，它的链接才能打开正确的第 N 天")
        if group.start is not None and (group.start - today).days > MAX_DAYS_AHEAD:
            report((number, "start"), "group-start-range",
                   f"建群日期 {group.start} 在一年多以后：请检查年份（日期写成 年-月-日，例如 "
                   f"{today.isoformat()}）")
        for key in group.values if "placeholders" not in project.broken_singletons else ():
            if key not in project.placeholders:
                report((number, "values", key), "unknown-column",
                       f"“{key}”不是占位符{did_you_mean(key, project.placeholders)}：占位符的值才能直接写；"
                       f"标签写成“标签:{key}”，不发布的内部信息写成“内部:{key}”")
        for key in group.tags if playbook in playbooks else ():  # a broken playbook: reported there
            if key not in tag_keys:
                report((number, "tags", key), "unknown-tag-key",
                       f"没有标签“{key}”{did_you_mean(key, tag_keys)}：标签名要先写在 "
                       f"playbooks/{playbook}/playbook.yaml 的 group_tags 里"
                       f"（现在有 {'、'.join(tag_keys) or '（还没有）'}）")
        for calendar in mine:
            empty = sorted(name for name in used.get(calendar.id, set())
                           if name in project.placeholders and not group.values.get(name, "").strip())
            if empty:
                report((number, "values"), "group-value-missing",
                       f"排期 `{calendar.id}` 的内容用到 {'、'.join('{' + name + '}' for name in empty)}，"
                       f"这个群没有填：请补上（CSV 里是同名的列），否则它的链接里会留着占位符")
                break
    return problems
