"""Content statistics for editors: category balance, unused and reused posts, expiry, cadence."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from .lint import lint_today
from .models import CATEGORY_LABELS, Post
from .pipeline import CheckedProject


@dataclass(frozen=True)
class CalendarStats:
    id: str
    name: str
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


def content_stats(checked: CheckedProject, within_days: int = 14) -> ContentStats:
    project = checked.project
    uses: Counter[str] = Counter()
    calendars = []
    for schedule in checked.schedules.values():
        slots = [slot for day in schedule.days for slot in day.slots]
        uses.update(slot.post.id for slot in slots if slot.post)
        cadence = max((project.tiers[t].model.posts_per_day for t in schedule.calendar.tiers
                       if t in project.tiers), default=0)
        categories = Counter(slot.category for slot in slots)
        calendars.append(CalendarStats(
            schedule.calendar.id, schedule.calendar.name, len(schedule.days), len(slots),
            {key: categories.get(key, 0) for key in CATEGORY_LABELS},
            sum(1 for day in schedule.days if len(day.slots) < cadence), cadence))
    posts = sorted(project.posts.models(), key=lambda post: post.id)
    today = lint_today()
    horizon = today + dt.timedelta(days=within_days)
    return ContentStats(
        calendars=calendars,
        unused=[post for post in posts if uses[post.id] == 0],
        reuse=[(project.posts[post_id].model, count) for post_id, count in uses.most_common()],
        expiring=[post for post in posts
                  if post.valid_until and today <= post.valid_until <= horizon],
        today=today)
