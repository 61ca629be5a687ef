"""Which round of a game's question bank each of its scheduled plays uses.

A group never gets the same round twice within REPEAT_DAYS, and calendars whose tiers share
members (the same tier, or tiers joined by `flows_to`) never play the same round on the
same day. Rounds are chosen in date order, each play taking the allowed round that the
related calendars used longest ago (then the first), so the same sources always give the
same packs. Dated calendars are compared by date; a day-N calendar by its day numbers.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from .errors import Problem
from .models import Calendar, Game, GameStep, Tier
from .resolve import Project
from .schedule import CalendarSchedule, ScheduledDay

REPEAT_DAYS = 56  # 8 weeks
NUMBERS = "一二三四五六七八九十"


def host_script(game: Game, round_number: int) -> list[GameStep]:
    """The steps the host pastes: without a question bank, the game's steps; with one, the
    first step, then a step per question of the round (each announcing the last answer),
    the last answer, then the game's other steps."""
    if not game.rounds:
        return list(game.steps)
    opener, *closing = game.steps  # a play with no round given (a weekly template's day) takes the first
    questions = game.rounds[max(round_number, 0) % len(game.rounds)].questions
    end = closing[0].at if closing else game.minutes
    gap = max(1, (end - opener.at) // (len(questions) + 1))
    steps = [opener]
    for index, question in enumerate(questions):
        told = f"上一题答案：{questions[index - 1].answer}\n" if index else ""
        line = f"{told}第{NUMBERS[index]}题：{question.ask}"
        steps.append(GameStep(at=opener.at + gap * index + 1, host_line=line,
                              expect="群友抢答，以第一次回答为准"))
    steps.append(GameStep(at=opener.at + gap * len(questions) + 1,
                          host_line=f"最后一题答案：{questions[-1].answer}"))
    return steps + closing


@dataclass(frozen=True)
class _Play:
    ordinal: int  # days since 2000-01-01 (dated), or the day number (day-N)
    calendar: str
    day: int  # index into the schedule's days
    slot: int  # index into the day's slots


def related_calendars(project: Project, schedules: dict[str, CalendarSchedule]) -> dict[str, str]:
    """Calendar id -> the id of its family: calendars whose tiers share members."""
    parent = {tier.id: tier.id for tier in project.of(Tier).models()}

    def root(tier_id: str) -> str:
        while parent.setdefault(tier_id, tier_id) != tier_id:
            tier_id = parent[tier_id]
        return tier_id

    def join(first: str, second: str) -> None:
        parent[root(first)] = root(second)

    for tier in project.of(Tier).models():
        for other in tier.flows_to:
            join(tier.id, other)
    for schedule in schedules.values():
        for first, second in zip(schedule.calendar.tiers, schedule.calendar.tiers[1:], strict=False):
            join(first, second)
    return {calendar_id: root(schedule.calendar.tiers[0])
            for calendar_id, schedule in schedules.items()}


def _plays(schedules: dict[str, CalendarSchedule]) -> dict[str, list[_Play]]:
    """Every play of a game with a question bank, by game id, in order."""
    found: dict[str, list[_Play]] = {}
    epoch = dt.date(2000, 1, 1)
    for calendar_id, schedule in sorted(schedules.items()):
        for day_index, day in enumerate(schedule.days):
            for slot_index, slot in enumerate(day.slots):
                if slot.game is not None and slot.game.rounds:
                    ordinal = (day.date - epoch).days if day.date else day.number
                    found.setdefault(slot.game.id, []).append(
                        _Play(ordinal, calendar_id, day_index, slot_index))
    for plays in found.values():
        plays.sort(key=lambda play: (play.ordinal, play.calendar, play.day, play.slot))
    return found


def assign_quiz_rounds(project: Project, schedules: dict[str, CalendarSchedule]
                       ) -> tuple[dict[str, CalendarSchedule], list[Problem]]:
    plays = _plays(schedules)
    if not plays:
        return schedules, []
    family = related_calendars(project, schedules)
    games = {game.id: game for game in project.of(Game).models()}
    chosen: dict[tuple[str, int, int], int] = {}
    problems: list[Problem] = []
    reported: set[tuple[str, tuple[str | int, ...]]] = set()
    for game_id, game_plays in sorted(plays.items()):
        rounds = len(games[game_id].rounds)
        # last use of each round: per calendar (a group) and per family, in ordinals
        by_calendar: dict[tuple[str, int], int] = {}
        by_family: dict[tuple[str, int], int] = {}
        same_day: set[tuple[str, int, int]] = set()  # (family, ordinal, round), dated only
        for play in game_plays:
            dated = schedules[play.calendar].calendar.is_dated
            home = family[play.calendar] if dated else f"day-n:{play.calendar}"
            ages = {n: by_family.get((home, n), -10**6) for n in range(rounds)}
            candidates = sorted(range(rounds), key=lambda n: (ages[n], n))
            fitting = [n for n in candidates
                       if play.ordinal - by_calendar.get((play.calendar, n), -REPEAT_DAYS) >= REPEAT_DAYS
                       and (home, play.ordinal, n) not in same_day]
            number = fitting[0] if fitting else candidates[0]
            where = (play.calendar, schedules[play.calendar].days[play.day].slots[play.slot].loc)
            if not fitting and where not in reported:  # once per slot of a calendar: its first date
                reported.add(where)
                problems.append(_short(project, schedules, play, games[game_id]))
            chosen[(play.calendar, play.day, play.slot)] = number
            by_calendar[(play.calendar, number)] = play.ordinal
            by_family[(home, number)] = play.ordinal
            same_day.add((home, play.ordinal, number))
    return _with_rounds(schedules, chosen), problems


def _short(project: Project, schedules: dict[str, CalendarSchedule], play: _Play, game: Game) -> Problem:
    schedule = schedules[play.calendar]
    day = schedule.days[play.day]
    slot = day.slots[play.slot]
    where = day.date.isoformat() if day.date else f"第 {day.number} 天"
    item = project.of(Calendar)[play.calendar]
    return item.problem(slot.loc, "quiz-bank-short",
                        f"游戏「{game.name}」的题库只有 {len(game.rounds)} 组题，{where} 这一场会和 8 周内"
                        "（或同一天相关的群）用过的题重复：请在游戏的 rounds 里再加几组题")


def _with_rounds(schedules: dict[str, CalendarSchedule],
                 chosen: dict[tuple[str, int, int], int]) -> dict[str, CalendarSchedule]:
    result = {}
    for calendar_id, schedule in schedules.items():
        if not any(key[0] == calendar_id for key in chosen):
            result[calendar_id] = schedule
            continue
        days: list[ScheduledDay] = []
        for day_index, day in enumerate(schedule.days):
            slots = tuple(replace(slot, quiz_round=chosen[(calendar_id, day_index, slot_index)])
                          if (calendar_id, day_index, slot_index) in chosen else slot
                          for slot_index, slot in enumerate(day.slots))
            days.append(replace(day, slots=slots) if slots != day.slots else day)
        result[calendar_id] = replace(schedule, days=tuple(days))
    return result
