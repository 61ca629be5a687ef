"""Doubled posts: people in two groups must not get the same thing twice.

Tiers declare which other tiers share members (`shares_members_with`). On one
date, groups that share members should not both get the same post, the same
game or a festival post each; a quiz whose questions are written into its
script (`quiz: true`) rests `quiz_rest_days` for the same people. Dated
calendars are compared; each finding is reported where the second slot was
written, with the days it happens on.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from .errors import Problem
from .lint_schedule import ScheduleLint
from .members import calendars_share, shared_tiers
from .schedule import CalendarSchedule, ScheduledDay, ScheduledSlot


@dataclass
class _Sent:
    """What one dated calendar sends, by date."""

    schedule: CalendarSchedule
    days: dict[dt.date, ScheduledDay] = field(default_factory=dict)
    posts: dict[dt.date, dict[str, ScheduledSlot]] = field(default_factory=lambda: defaultdict(dict))
    games: dict[dt.date, dict[str, ScheduledSlot]] = field(default_factory=lambda: defaultdict(dict))
    festival: dict[dt.date, ScheduledSlot] = field(default_factory=dict)
    quizzes: dict[str, list[tuple[dt.date, ScheduledSlot]]] = field(
        default_factory=lambda: defaultdict(list))


class OverlapLint(ScheduleLint):
    def run(self, schedules: dict[str, CalendarSchedule]) -> list[Problem]:
        shared = shared_tiers(self.project)
        sent = [self.sent(schedule) for schedule in schedules.values() if schedule.calendar.is_dated]
        for number, second in enumerate(sent):
            self.quizzes(second, second)  # a group's own calendar repeating it
            for first in sent[:number]:
                if calendars_share(shared, first.schedule.calendar, second.schedule.calendar):
                    self.doubled(first, second)
                    self.quizzes(first, second)
                    self.quizzes(second, first)
        self.flush()
        return self.problems

    def sent(self, schedule: CalendarSchedule) -> _Sent:
        found = _Sent(schedule)
        tag = self.config.festival_tag
        for day in schedule.days:
            if day.date is None:
                continue
            found.days[day.date] = day
            for slot in day.slots:
                if slot.channel == "private":
                    continue
                if slot.post:
                    if slot.post.id in found.posts[day.date]:
                        self.note(schedule, slot, day, "doubled-post",
                                  f"帖子「{slot.title}」这一天在这个排期里发了两次：删掉一个时段")
                    found.posts[day.date].setdefault(slot.post.id, slot)
                    if slot.channel == "group" and tag in slot.post.tags:
                        found.festival.setdefault(day.date, slot)
                if slot.game:
                    found.games[day.date].setdefault(slot.game.id, slot)
                    if slot.game.quiz:
                        found.quizzes[slot.game.id].append((day.date, slot))
        return found

    def doubled(self, first: _Sent, second: _Sent) -> None:
        other = f"排期 `{first.schedule.calendar.id}`"
        why = "两个群有共同成员（群层级的 shares_members_with），同一批人会收到两遍：换一条，或只在一个群里发"
        for date, day in second.days.items():
            for kind, mine, theirs in (("帖子", second.posts[date], first.posts.get(date, {})),
                                       ("游戏", second.games[date], first.games.get(date, {}))):
                for item_id, slot in mine.items():
                    if item_id in theirs:
                        self.note(second.schedule, slot, day, "doubled-post",
                                  f"{kind}「{slot.title}」{other}同一天也发：{why}")
            festival, earlier = second.festival.get(date), first.festival.get(date)
            if festival and earlier and festival.post and earlier.post and festival.post.id not in \
                    first.posts.get(date, {}):
                self.note(second.schedule, festival, day, "doubled-post",
                          f"节日帖「{festival.title}」和{other}的「{earlier.title}」同一天发：{why}")

    def quizzes(self, first: _Sent, second: _Sent) -> None:
        rest = self.config.quiz_rest_days
        for game_id, played in second.quizzes.items():
            before = first.quizzes.get(game_id, [])
            for date, slot in played:
                earlier = [d for d, _ in before if dt.timedelta(0) < date - d < dt.timedelta(days=rest)]
                if earlier:
                    where = "同一排期" if first is second else f"排期 `{first.schedule.calendar.id}`"
                    self.note(second.schedule, slot, second.days[date], "repeat-quiz",
                              f"问答「{slot.title}」{where}不到 {rest} 天前刚玩过：题目写死在话术里，"
                              f"同一批人 {rest} 天内再玩就是背答案，换一套题或隔开")
