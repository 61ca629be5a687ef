"""Boundary tests for every date rule: each range is inclusive at both ends, one day outside
is refused, and an end on its start is one day (not an error). Each test pins one side of
one comparison, so that moving a boundary by a day (`<` for `<=`, `days - 1` for `days`)
fails a test (scripts/mutation.sh checks that it does)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from qunsop.festivals import day_mark, marks_between
from qunsop.models import Activity, Calendar, Incident, Post
from qunsop.plan import incident_status
from qunsop.rules import expiring, seasonal_posts
from qunsop.schedule import (
    OPEN_ENDED_DAYS,
    OPEN_ENDED_PAST_DAYS,
    CalendarSchedule,
    ScheduledDay,
    ScheduledSlot,
    fill_activity_tokens,
    named_posts,
    reminder_time,
    within_calendar,
)
from tiny import BASE, WEEK_END, WEEK_START, checked, codes, tiny_project, with_changes

CALENDAR = "playbooks/demo/calendars/week.yaml"
TIP = "content_library/posts/tip.md"
DAY = dt.timedelta(days=1)


def days(count: int) -> dt.timedelta:
    return dt.timedelta(days=count)


def problems_at(project: Any, code: str) -> list[Any]:
    return [problem for problem in project.problems if problem.code == code]


# --- end before start: every kind with a date range ------------------------------------


INCIDENT = {"id": "spill", "name": "一次投诉", "plan": "complaint", "tiers": ["c-store"],
            "start": dt.date(2026, 12, 2)}
CAMPAIGN = {"id": "sale", "name": "年末促销", "type": "销售PK", "tiers": ["c-store"],
            "rules": ["按销售额排名"], "start": dt.date(2026, 12, 1), "end": dt.date(2026, 12, 6)}

RANGES = [  # (file, base data, start field, end field)
    (CALENDAR, BASE[CALENDAR], "start", "end"),
    (TIP, BASE[TIP], "valid_from", "valid_until"),
    ("playbooks/demo/incidents/spill.yaml", INCIDENT, "start", "end"),
    ("playbooks/demo/campaigns/sale.yaml", CAMPAIGN, "start", "end"),
]


@pytest.mark.parametrize(("relative", "data", "start", "end"), RANGES, ids=[r[0] for r in RANGES])
def test_an_end_on_its_start_is_one_day_not_an_error(tmp_path: Path, relative: str, data: dict[str, Any],
                                                     start: str, end: str) -> None:
    day = dt.date(2026, 11, 30)
    project = checked(tiny_project(tmp_path, {relative: with_changes(data, **{start: day, end: day})}))
    assert [problem for problem in project.problems if problem.file == relative] == []


@pytest.mark.parametrize(("relative", "data", "start", "end"), RANGES, ids=[r[0] for r in RANGES])
def test_an_end_a_day_before_its_start_is_refused_at_the_end(tmp_path: Path, relative: str,
                                                             data: dict[str, Any], start: str, end: str) -> None:
    day = dt.date(2026, 11, 30)
    project = checked(tiny_project(tmp_path, {relative: with_changes(data, **{start: day, end: day - DAY})}))
    [problem] = problems_at(project, "end-before-start")
    assert (problem.file, problem.path) == (relative, end)
    assert f"{end} 2026-11-29 早于 {start} 2026-11-30" in problem.message


# --- calendars: expansion edges --------------------------------------------------------


def test_a_one_day_calendar_expands_to_that_day(tmp_path: Path) -> None:
    root = tiny_project(tmp_path, {CALENDAR: with_changes(BASE[CALENDAR], end=WEEK_START)})
    [day] = checked(root).schedules["week"].days
    assert (day.key, day.number) == (WEEK_START.isoformat(), 1)


def test_a_dated_calendar_runs_from_its_start_to_its_last_day_inclusive(tmp_path: Path) -> None:
    found = checked(tiny_project(tmp_path)).schedules["week"].days
    assert (found[0].date, found[-1].date, len(found)) == (WEEK_START, WEEK_END, 7)


def test_an_open_ended_calendar_is_expanded_around_the_day_it_is_read(tmp_path: Path) -> None:
    start = dt.date(2026, 1, 5)
    root = tiny_project(tmp_path, {CALENDAR: with_changes(BASE[CALENDAR], start=start, end=None)})
    schedule = checked(root, today=WEEK_START).schedules["week"]
    assert schedule.days[0].date == WEEK_START - days(OPEN_ENDED_PAST_DAYS)
    assert schedule.days[-1].date == WEEK_START + days(OPEN_ENDED_DAYS)
    # numbered from the calendar's own start, not from the first day shown
    assert schedule.days[0].number == (schedule.days[0].date - start).days + 1
    assert [day.key for day in schedule.rhythm] == [f"weekly-{name}" for name in
                                                    ("mon", "tue", "wed", "thu", "fri", "sat", "sun")]


def test_an_open_ended_calendar_starting_later_is_shown_from_its_start(tmp_path: Path) -> None:
    start = WEEK_START + days(3)
    root = tiny_project(tmp_path, {CALENDAR: with_changes(BASE[CALENDAR], start=start, end=None)})
    schedule = checked(root, today=WEEK_START).schedules["week"]
    assert (schedule.days[0].date, schedule.days[0].number) == (start, 1)
    assert schedule.days[-1].date == WEEK_START + days(OPEN_ENDED_DAYS)


def test_an_open_ended_calendar_reaches_its_last_override(tmp_path: Path) -> None:
    late = WEEK_START + days(OPEN_ENDED_DAYS + 10)
    override = {"date": late, "slots": [{"time": "09:00", "category": "game", "game": "warmup"}]}
    root = tiny_project(tmp_path, {CALENDAR: with_changes(BASE[CALENDAR], end=None, overrides=[override])})
    assert checked(root, today=WEEK_START).schedules["week"].days[-1].date == late


def calendar(**fields: Any) -> Calendar:
    return Calendar.model_validate(with_changes({key: value for key, value in BASE[CALENDAR].items()},
                                                **fields))


def test_within_calendar_is_inclusive_at_both_ends() -> None:
    schedule = CalendarSchedule(calendar(), "demo", "Asia/Shanghai", ())
    inside = [WEEK_START, WEEK_END]
    outside = [WEEK_START - DAY, WEEK_END + DAY]
    assert [within_calendar(schedule, day.isoformat()) for day in inside + outside] == [True, True, False, False]
    open_ended = CalendarSchedule(calendar(end=None), "demo", "Asia/Shanghai", ())
    assert within_calendar(open_ended, "2036-01-01")
    assert not within_calendar(open_ended, (WEEK_START - DAY).isoformat())


def test_within_a_relative_calendar_means_day_one_to_its_last_day() -> None:
    relative = Calendar.model_validate({"id": "launch", "name": "建群", "tiers": ["c-store"], "days": [
        {"day": 1, "slots": []}, {"day": 3, "slots": []}]})
    schedule = CalendarSchedule(relative, "demo", "Asia/Shanghai", ())
    assert [within_calendar(schedule, f"day-{n:02d}") for n in (0, 1, 3, 4)] == [False, True, True, False]


def test_named_posts_only_inside_the_calendar() -> None:
    dated = calendar()  # tip on Mondays: 11-30 is the start; the next Monday is after the end
    assert named_posts(dated, WEEK_START) == {"tip"}
    assert named_posts(dated, WEEK_START - days(7)) == frozenset()
    sunday = calendar(start=WEEK_START - days(6), end=WEEK_START)
    assert named_posts(sunday, WEEK_START) == {"tip"}  # its last day
    assert named_posts(sunday, WEEK_START + days(7)) == frozenset()
    assert named_posts(calendar(end=None), WEEK_START + days(700)) == {"tip"}


# --- post validity: first and last day inclusive ---------------------------------------


@pytest.mark.parametrize(("fields", "refused"), [
    ({"valid_until": WEEK_START}, False),  # its last day is the Monday it is named for
    ({"valid_until": WEEK_START - DAY}, True),
    ({"valid_from": WEEK_START}, False),
    ({"valid_from": WEEK_START + DAY}, True),
])
def test_a_post_named_on_a_day_is_valid_from_its_first_to_its_last_day(
        tmp_path: Path, fields: dict[str, dt.date], refused: bool) -> None:
    project = checked(tiny_project(tmp_path, {TIP: with_changes(BASE[TIP], **fields)}))
    found = problems_at(project, "outside-validity")
    assert [problem.path for problem in found] == (["weekly.mon.slots[0].post"] if refused else [])


def post(**fields: Any) -> Post:
    data = with_changes({key: value for key, value in BASE[TIP].items() if key != "body"}, **fields)
    return Post.model_validate({**data, "body": "正文"})


def test_valid_on_is_inclusive_at_both_ends() -> None:
    window = post(valid_from=WEEK_START, valid_until=WEEK_END)
    assert [window.valid_on(day) for day in (WEEK_START - DAY, WEEK_START, WEEK_END, WEEK_END + DAY)] == [
        False, True, True, False]
    assert post().valid_on(dt.date(2000, 1, 1))


PICK_CALENDAR = with_changes(BASE[CALENDAR], weekly={"mon": {"slots": [
    {"time": "20:00", "category": "needed", "pick": {"tag": "保养"}}]}})


@pytest.mark.parametrize(("fields", "picked"), [
    ({"valid_until": WEEK_START}, True), ({"valid_until": WEEK_START - DAY}, False),
    ({"valid_from": WEEK_START}, True), ({"valid_from": WEEK_START + DAY}, False),
])
def test_a_pick_takes_a_post_on_its_first_and_last_day_only(tmp_path: Path, fields: dict[str, dt.date],
                                                           picked: bool) -> None:
    project = checked(tiny_project(tmp_path, {CALENDAR: PICK_CALENDAR, TIP: with_changes(BASE[TIP], **fields)}))
    monday = project.schedules["week"].days[0]
    assert [slot.post.id for slot in monday.slots if slot.post] == (["tip"] if picked else [])
    assert bool(problems_at(project, "pick-empty")) is not picked


# --- expiry windows --------------------------------------------------------------------


SPARE = "content_library/posts/spare.md"


def spare_post(until: dt.date) -> dict[str, Any]:
    """A post no calendar names (a named one is seasonal: it is meant to expire)."""
    return with_changes(BASE[TIP], id="spare", title="备用的一条", valid_until=until)


@pytest.mark.parametrize(("offset", "warned"), [(-1, False), (0, True), (14, True), (15, False)])
def test_expiring_soon_warns_from_today_to_the_end_of_the_window(tmp_path: Path, offset: int,
                                                                  warned: bool) -> None:
    project = checked(tiny_project(tmp_path, {SPARE: spare_post(WEEK_START + days(offset))}))
    found = problems_at(project, "expiring-soon")  # default window: 14 days
    assert [(problem.file, problem.path) for problem in found] == ([(SPARE, "valid_until")] if warned else [])


def test_expiring_rule_window_is_inclusive_and_skips_seasonal_posts() -> None:
    today = WEEK_START
    posts = [post(id=f"p{offset}", valid_until=today + days(offset)) for offset in (-1, 0, 3, 4)]
    assert [found.id for found in expiring(posts, today, 3, [])] == ["p0", "p3"]
    assert expiring([post(id="timeless")], today, 3, []) == []


def sent(model: Post, origin: str) -> ScheduledSlot:
    return ScheduledSlot("08:00", "needed", "group", post=model, origin=origin)


def test_seasonal_posts_are_those_a_calendar_names_for_a_date() -> None:
    named = post(id="named")
    slots = (sent(named, "calendar"), sent(post(id="picked"), "pick"))
    day = ScheduledDay(WEEK_START.isoformat(), WEEK_START, 1, "", "", slots)
    undated = ScheduledDay("day-01", None, 1, "", "", (sent(post(id="relative"), "calendar"),))
    schedule = CalendarSchedule(calendar(), "demo", "Asia/Shanghai", (day, undated))
    assert seasonal_posts([schedule]) == {"named"}


PERSISTENT_TIER = with_changes(BASE["playbooks/demo/tiers/c-store.yaml"], lifecycle="persistent")


@pytest.mark.parametrize(("offset", "warned"), [(-1, False), (0, True), (14, True), (15, False)])
def test_calendar_ending_warns_from_today_to_the_end_of_the_window(tmp_path: Path, offset: int,
                                                                    warned: bool) -> None:
    end = WEEK_START + days(offset)
    root = tiny_project(tmp_path, {
        "playbooks/demo/tiers/c-store.yaml": PERSISTENT_TIER,
        CALENDAR: with_changes(BASE[CALENDAR], start=WEEK_START - days(30), end=end)})
    assert bool(problems_at(checked(root, today=WEEK_START), "calendar-ending")) is warned


def test_a_calendar_of_campaign_groups_ending_soon_is_no_warning(tmp_path: Path) -> None:
    root = tiny_project(tmp_path)  # the base tier's lifecycle is campaign: it is meant to end
    assert problems_at(checked(root, today=WEEK_END), "calendar-ending") == []


# --- incidents: open from the start day to the end day -------------------------------


def held_days(project: Any) -> list[dt.date]:
    """Days whose evening game is held back by an incident."""
    return [day.date for day in project.schedules["week"].days
            if any(slot.held_by == "spill" for slot in day.slots)]


@pytest.mark.parametrize(("start", "end", "held"), [
    (dt.date(2026, 12, 2), dt.date(2026, 12, 3), [dt.date(2026, 12, 2), dt.date(2026, 12, 3)]),
    (dt.date(2026, 12, 2), dt.date(2026, 12, 2), [dt.date(2026, 12, 2)]),  # end == start: one day
    (dt.date(2026, 12, 5), None, [dt.date(2026, 12, 5), WEEK_END]),  # no end: still open
    (WEEK_START - days(5), WEEK_START - DAY, []),  # over before the calendar starts
])
def test_an_incident_holds_posts_back_from_its_start_to_its_end(tmp_path: Path, start: dt.date,
                                                                 end: dt.date | None,
                                                                 held: list[dt.date]) -> None:
    incident = with_changes(INCIDENT, start=start, end=end)
    project = checked(tiny_project(tmp_path, {"playbooks/demo/incidents/spill.yaml": incident}))
    assert held_days(project) == held
    open_days = [day.date for day in project.schedules["week"].days
                 if any(entry.incident.id == "spill" for entry in day.incidents)]
    assert open_days == held


def test_open_on_is_inclusive_at_both_ends() -> None:
    incident = Incident.model_validate(with_changes(INCIDENT, start=WEEK_START, end=WEEK_END))
    assert [incident.open_on(day) for day in (WEEK_START - DAY, WEEK_START, WEEK_END, WEEK_END + DAY)] == [
        False, True, True, False]
    still_open = Incident.model_validate(INCIDENT)
    assert still_open.open_on(dt.date(2036, 1, 1)) and not still_open.open_on(dt.date(2026, 12, 1))


def test_incident_status_on_its_first_and_last_day() -> None:
    incident = Incident.model_validate(with_changes(INCIDENT, start=WEEK_START, end=WEEK_END))

    def status(today: dt.date) -> str:
        return incident_status(incident, today, "Asia/Shanghai").text

    assert status(WEEK_START - DAY) == f"将于 {WEEK_START} 开始"
    assert status(WEEK_START) == f"处理中（{WEEK_START} 起）"
    assert status(WEEK_END) == f"处理中（{WEEK_START} 起）"
    assert status(WEEK_END + DAY) == f"已结束（{WEEK_START} ~ {WEEK_END}）"


# --- multi-day activities: {截止日期}, {还剩几天}, the last day ----------------------------


def activity(days_long: int = 3, **texts: str) -> Activity:
    return Activity.model_validate({
        "id": "checkin", "name": "出车打卡", "kind": "checkin", "tiers": ["c-store"], "days": days_long,
        "opening": "开始，{截止日期}截止", "daily": "第 {第几天}/{共几天} 天，还剩 {还剩几天} 天",
        "closing": "最后一天，还剩 {还剩几天} 天，{截止日期}截止", **texts})


def test_activity_tokens_count_down_to_zero_on_the_last_day() -> None:
    three = activity()
    last = dt.date(2026, 12, 3)
    assert fill_activity_tokens(three.line(1), three, 1, last) == "开始，12月3日截止"
    assert fill_activity_tokens(three.line(2), three, 2, last) == "第 2/3 天，还剩 1 天"
    assert fill_activity_tokens(three.line(3), three, 3, last) == "最后一天，还剩 0 天，12月3日截止"


def test_activity_without_a_date_leaves_the_deadline_token_alone() -> None:
    three = activity()
    assert fill_activity_tokens("{截止日期}", three, 1, None) == "{截止日期}"


def activity_calendar(start_day: str, activity_data: dict[str, Any]) -> dict[str, Any]:
    return {CALENDAR: with_changes(BASE[CALENDAR], weekly={start_day: {"slots": [
        {"time": "21:00", "category": "activity", "activity": "checkin"}]}}),
        "playbooks/demo/activities/checkin.yaml": activity_data}


def activity_data(days_long: int) -> dict[str, Any]:
    return activity(days_long).model_dump(exclude_defaults=True)


def activity_lines(project: Any) -> dict[dt.date, str]:
    return {day.date: slot.activity.text for day in project.schedules["week"].days
            for slot in day.slots if slot.activity}


def test_the_deadline_is_the_activitys_last_day(tmp_path: Path) -> None:
    """A three-day activity started on Wednesday 12-02 ends on Friday 12-04, inclusive."""
    project = checked(tiny_project(tmp_path, activity_calendar("wed", activity_data(3))))
    lines = activity_lines(project)
    assert lines == {dt.date(2026, 12, 2): "开始，12月4日截止",
                     dt.date(2026, 12, 3): "第 2/3 天，还剩 1 天",
                     dt.date(2026, 12, 4): "最后一天，还剩 0 天，12月4日截止"}
    assert problems_at(project, "activity-past-end") == []


def test_an_activity_ending_on_the_calendars_last_day_fits(tmp_path: Path) -> None:
    project = checked(tiny_project(tmp_path, activity_calendar("fri", activity_data(3))))  # Fri..Sun
    assert max(activity_lines(project)) == WEEK_END
    assert problems_at(project, "activity-past-end") == []


def test_an_activity_one_day_past_the_calendar_is_refused(tmp_path: Path) -> None:
    project = checked(tiny_project(tmp_path, activity_calendar("fri", activity_data(4))))  # Fri..Mon
    [problem] = problems_at(project, "activity-past-end")
    assert problem.path == "weekly.fri.slots[0].activity"
    assert "要到第 8 天（2026-12-07）" in problem.message  # Friday is day 5 of the calendar


def test_the_deadline_token_needs_a_dated_calendar(tmp_path: Path) -> None:
    relative = {"id": "week", "name": "建群", "tiers": ["c-store"], "days": [
        {"day": 1, "slots": [{"time": "21:00", "category": "activity", "activity": "checkin"}]},
        {"day": 3, "slots": []}]}
    root = tiny_project(tmp_path, {CALENDAR: relative,
                                   "playbooks/demo/activities/checkin.yaml": activity_data(3)})
    project = checked(root)
    [problem] = problems_at(project, "activity-date")
    assert "{截止日期}" in problem.message and "{还剩几天}" in problem.message


# --- lesson reminders ------------------------------------------------------------------


@pytest.mark.parametrize(("start", "before", "at"), [
    ("08:00", 30, "07:30"), ("08:00", 0, "08:00"), ("00:10", 10, "00:00"), ("00:10", 30, "00:00"),
    ("10:05", 5, "10:00"), ("10:00", 61, "08:59")])
def test_a_reminder_goes_out_before_the_lesson_but_not_before_midnight(start: str, before: int,
                                                                       at: str) -> None:
    assert reminder_time(start, before) == at


# --- festivals and 调休 working days: the calendar's first and last day -------------------


WINTER_SOLSTICE = dt.date(2026, 12, 22)


def test_festival_marks_of_known_days() -> None:
    assert day_mark(WINTER_SOLSTICE).festivals == ("冬至",)
    assert day_mark(WINTER_SOLSTICE).label == "冬至"
    assert day_mark(dt.date(2027, 2, 6)).label == "春节 · 法定假日"
    assert day_mark(WINTER_SOLSTICE + DAY).label == ""


def test_marks_between_includes_both_ends() -> None:
    assert list(marks_between(WINTER_SOLSTICE, WINTER_SOLSTICE)) == [WINTER_SOLSTICE]
    assert marks_between(WINTER_SOLSTICE + DAY, dt.date(2026, 12, 31)) == {}
    assert WINTER_SOLSTICE in marks_between(dt.date(2026, 12, 1), WINTER_SOLSTICE)


@pytest.mark.parametrize(("start", "end", "today", "warned"), [
    (WINTER_SOLSTICE, WINTER_SOLSTICE + days(6), WEEK_START, True),  # the festival is the first day
    (WINTER_SOLSTICE - days(6), WINTER_SOLSTICE, WEEK_START, True),  # the festival is the last day
    (WINTER_SOLSTICE - days(6), WINTER_SOLSTICE - DAY, WEEK_START, False),
    (WINTER_SOLSTICE + DAY, WINTER_SOLSTICE + days(7), WEEK_START, False),
    (WINTER_SOLSTICE - days(6), WINTER_SOLSTICE + days(6), WINTER_SOLSTICE, True),  # today counts
    (WINTER_SOLSTICE - days(6), WINTER_SOLSTICE + days(6), WINTER_SOLSTICE + DAY, False),  # past
])
def test_a_festival_without_an_override_is_reported_on_the_calendars_edge_days(
        tmp_path: Path, start: dt.date, end: dt.date, today: dt.date, warned: bool) -> None:
    root = tiny_project(tmp_path, {"playbooks/demo/tiers/c-store.yaml": PERSISTENT_TIER,
                                   CALENDAR: with_changes(BASE[CALENDAR], start=start, end=end)})
    found = problems_at(checked(root, today=today), "festival-day")
    assert [("2026-12-22" in problem.message) for problem in found] == ([True] if warned else [])


def test_a_festival_with_an_override_is_planned(tmp_path: Path) -> None:
    override = {"date": WINTER_SOLSTICE, "festival": "冬至",
                "slots": [{"time": "09:00", "category": "game", "game": "warmup"}]}
    root = tiny_project(tmp_path, {"playbooks/demo/tiers/c-store.yaml": PERSISTENT_TIER,
                                   CALENDAR: with_changes(BASE[CALENDAR], start=WINTER_SOLSTICE - days(3),
                                                          end=WINTER_SOLSTICE + days(3),
                                                          overrides=[override])})
    project = checked(root, today=WEEK_START)
    assert problems_at(project, "festival-day") == []
    day = next(day for day in project.schedules["week"].days if day.date == WINTER_SOLSTICE)
    assert day.marks == "冬至"


def test_the_tiny_project_itself_has_no_problems(tmp_path: Path) -> None:
    """The base every test above changes one field of."""
    assert codes(checked(tiny_project(tmp_path))) == []


def test_each_activity_line_knows_its_day(tmp_path: Path) -> None:
    project = checked(tiny_project(tmp_path, activity_calendar("wed", activity_data(3))))
    found = [(day.date, slot.activity.day, slot.title) for day in project.schedules["week"].days
             for slot in day.slots if slot.activity]
    assert found == [(dt.date(2026, 12, 2), 1, "出车打卡（第 1/3 天）"),
                     (dt.date(2026, 12, 3), 2, "出车打卡（第 2/3 天）"),
                     (dt.date(2026, 12, 4), 3, "出车打卡（第 3/3 天）")]


RELATIVE = {"id": "week", "name": "建群", "tiers": ["c-store"], "days": [
    {"day": 1, "slots": [{"time": "21:00", "category": "activity", "activity": "checkin"}]},
    {"day": 3, "slots": [{"time": "20:00", "category": "game", "game": "warmup"}]}]}
NO_DEADLINE = {"opening": "开始，共 {共几天} 天", "closing": "最后一天，还剩 {还剩几天} 天"}


def test_an_activity_in_a_relative_calendar_fills_the_days_between(tmp_path: Path) -> None:
    """Day 2 has no plan of its own: the activity's line makes it; {还剩几天} needs no date."""
    root = tiny_project(tmp_path, {CALENDAR: RELATIVE, "playbooks/demo/activities/checkin.yaml":
                                   activity(3, **NO_DEADLINE).model_dump(exclude_defaults=True)})
    project = checked(root)
    assert problems_at(project, "activity-date") == [] and problems_at(project, "activity-past-end") == []
    lines = [(day.key, slot.activity.text) for day in project.schedules["week"].days
             for slot in day.slots if slot.activity]
    assert lines == [("day-01", "开始，共 3 天"), ("day-02", "第 2/3 天，还剩 1 天"), ("day-03", "最后一天，还剩 0 天")]


def test_an_activity_past_a_relative_calendars_last_day_is_refused(tmp_path: Path) -> None:
    starts_late = {**RELATIVE, "days": [{"day": 1, "slots": []}, {"day": 3, "slots": [
        {"time": "21:00", "category": "activity", "activity": "checkin"}]}]}
    root = tiny_project(tmp_path, {CALENDAR: starts_late, "playbooks/demo/activities/checkin.yaml":
                                   activity(2, **NO_DEADLINE).model_dump(exclude_defaults=True)})
    [problem] = problems_at(checked(root), "activity-past-end")
    assert problem.path == "days[1].slots[0].activity" and "要到第 4 天" in problem.message


def test_named_posts_of_a_day_with_an_override_are_the_overrides() -> None:
    override = {"date": WEEK_START, "slots": [{"time": "10:00", "category": "needed", "post": "other"}]}
    assert named_posts(calendar(overrides=[override]), WEEK_START) == {"other"}
    elsewhere = {**override, "date": WEEK_START + DAY}
    assert named_posts(calendar(overrides=[elsewhere]), WEEK_START) == {"tip"}  # the weekly Monday


def test_the_slots_note_goes_with_the_activitys_first_day_only(tmp_path: Path) -> None:
    files = activity_calendar("wed", activity_data(3))
    files[CALENDAR]["weekly"]["wed"]["slots"][0]["note"] = "今晚开始，先发规则"
    project = checked(tiny_project(tmp_path, files))
    notes = [slot.note for day in project.schedules["week"].days for slot in day.slots if slot.activity]
    assert notes == ["今晚开始，先发规则", "", ""]


@pytest.mark.parametrize(("fields", "picked"), [({}, True), ({"valid_until": dt.date(2036, 1, 1)}, False),
                                                ({"valid_from": dt.date(2000, 1, 1)}, False)])
def test_a_relative_day_picks_only_timeless_posts(tmp_path: Path, fields: dict[str, dt.date],
                                                  picked: bool) -> None:
    """A day N has no date: a post with any validity window might be out of it that day."""
    relative = {"id": "week", "name": "建群", "tiers": ["c-store"], "days": [
        {"day": 1, "slots": [{"time": "20:00", "category": "needed", "pick": {"tag": "保养"}}]}]}
    project = checked(tiny_project(tmp_path, {CALENDAR: relative, TIP: with_changes(BASE[TIP], **fields)}))
    [day] = project.schedules["week"].days
    assert [slot.post.id for slot in day.slots if slot.post] == (["tip"] if picked else [])


def test_only_a_dated_calendar_without_an_end_is_open_ended() -> None:
    assert calendar(end=None).open_ended and not calendar().open_ended
    relative = Calendar.model_validate(RELATIVE)
    assert relative.end is None and not relative.is_dated and not relative.open_ended


def test_a_holiday_without_a_festival_does_not_end_the_festival_check(tmp_path: Path) -> None:
    """元旦 (a day off, no festival) comes before 腊八 (2027-01-15): the check goes on past it."""
    root = tiny_project(tmp_path, {"playbooks/demo/tiers/c-store.yaml": PERSISTENT_TIER,
                                   CALENDAR: with_changes(BASE[CALENDAR], start=dt.date(2026, 12, 28),
                                                          end=dt.date(2027, 1, 20))})
    found = problems_at(checked(root, today=WEEK_START), "festival-day")
    assert ["2027-01-15" in problem.message for problem in found] == [True]
