"""Rules that more than one stage applies, each defined once: lint reports them, stats
counts them and the site shows them, so the three can never disagree."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable

from .models import Calendar, Post, Tier
from .resolve import Project
from .schedule import CalendarSchedule, ScheduledDay


def cadence(project: Project, calendar: Calendar) -> int:
    """Posts a day the calendar's tiers expect: the highest posts_per_day among them."""
    tiers = project.of(Tier)
    return max((tiers[tier].model.posts_per_day for tier in calendar.tiers if tier in tiers), default=0)


def short_days(schedule: CalendarSchedule, wanted: int) -> list[ScheduledDay]:
    """Days with fewer posts in the group than the cadence (moments and private tasks aside)."""
    return [day for day in schedule.days
            if sum(1 for slot in day.slots if slot.channel == "group") < wanted]


def post_usage(schedules: Iterable[CalendarSchedule]) -> Counter[str]:
    """How often each post is scheduled, over every calendar and day."""
    uses: Counter[str] = Counter()
    for schedule in schedules:
        for day in schedule.days:
            uses.update(slot.post.id for slot in day.slots if slot.post)
    return uses


def expiring(posts: Iterable[Post], today: dt.date, within_days: int,
             schedules: Iterable[CalendarSchedule]) -> list[Post]:
    """Posts whose valid_until falls within the lint window (qunsop.yaml), but for the ones
    calendars name for a date inside their window (seasonal: meant to expire)."""
    horizon = today + dt.timedelta(days=within_days)
    seasonal = seasonal_posts(schedules)
    return [post for post in posts if post.valid_until and today <= post.valid_until <= horizon
            and post.id not in seasonal]


def seasonal_posts(schedules: Iterable[CalendarSchedule]) -> set[str]:
    """Posts a calendar names for a date: they are meant to expire after it, no reminder needed
    (a post only picked from a pool leaves the rotation when it expires: that one is worth one)."""
    return {slot.post.id for schedule in schedules for day in schedule.days if day.date
            for slot in day.slots if slot.post and slot.origin != "pick"}

