"""Content statistics for editors: category balance, unused and reused posts, expiry, cadence."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from .models import CATEGORY_LABELS, Post
from .pipeline import CheckedProject
from .rules import cadence, expiring, post_usage, short_days


@dataclass(frozen=True)
class CalendarStats:
    id: str
    name: str
    playbook: str
    days: int
    slots: int
    by_category: dict[str, int]
    below_cadence: int
    cadence: int


@dataclass(frozen=True)
class ContentStats:
    calendars: list[CalendarStats]
    unused: list[Post]
    reuse: list[tuple[Post, int]]
    expiring: list[Post]
    today: dt.date
    within_days: int
    usage: dict[str, int]


def content_stats(checked: CheckedProject, playbook: str | None = None) -> ContentStats:
    """Statistics of every calendar (or one playbook's) and of the posts they use."""
    project = checked.project
    schedules = [schedule for schedule in checked.schedules.values()
                 if playbook in (None, schedule.playbook)]
    uses = post_usage(schedules)
    calendars = []
    for schedule in schedules:
        slots = [slot for day in schedule.days for slot in day.slots]
        wanted = cadence(project, schedule.calendar)
        categories = Counter(slot.category for slot in slots)
        calendars.append(CalendarStats(
            schedule.calendar.id, schedule.calendar.name, schedule.playbook, len(schedule.days),
            len(slots), {key: categories.get(key, 0) for key in CATEGORY_LABELS},
            len(short_days(schedule, wanted)), wanted))
    posts = sorted(project.of(Post).models(), key=lambda post: post.id)
    if playbook is not None:
        tiers = {item.model.id for item in project.indexes["tier"] if item.playbook == playbook}
        posts = [post for post in posts if set(post.tiers) & tiers]
    within = project.settings.lint.expiring_within_days
    return ContentStats(
        calendars=calendars,
        unused=[post for post in posts if uses[post.id] == 0],
        reuse=[(project.of(Post)[post_id].model, count) for post_id, count in uses.most_common()],
        expiring=expiring(posts, checked.today, within, schedules),
        today=checked.today, within_days=within, usage=dict(uses))
