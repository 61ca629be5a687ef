"""Each stage of the pipeline called in process on a tiny project, asserting its contract:
load -> validate -> resolve -> schedule -> lint -> plan -> render (as MkDocs tests its build
functions, without a child process or a full build)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from qunsop.links import page_url
from qunsop.lint import lint_project
from qunsop.load import LoadResult, load_project
from qunsop.models import Game
from qunsop.plan import SitePlan, plan_site
from qunsop.render import get_env, render_page
from qunsop.resolve import Project, check_references, index_items
from qunsop.schedule import build_schedules
from qunsop.validate import validate_sources
from tiny import BASE, WEEK_END, WEEK_START, checked, dump, tiny_project, with_changes

CALENDAR = "playbooks/demo/calendars/week.yaml"
TIER = "playbooks/demo/tiers/c-store.yaml"
GAME = "content_library/games/warmup.md"
STAMP = dt.datetime(2026, 11, 30, 2, 0, tzinfo=dt.UTC)


def loaded(root: Path) -> LoadResult:
    return load_project(root)


def resolved(root: Path) -> tuple[Project, list]:
    items, problems, invalid = validate_sources(loaded(root).files)
    project, found = index_items(root, items, invalid)
    return project, problems + found + check_references(project)


def line_of(root: Path, relative: str, text: str, after: int = 0) -> int:
    """1-based number of the first line (after line `after`) that contains `text`."""
    lines = (root / relative).read_text(encoding="utf-8").splitlines()
    return next(number for number, line in enumerate(lines, start=1) if number > after and text in line)


# --- load -----------------------------------------------------------------------------


def test_load_reads_every_source_with_its_kind_and_playbook(tmp_path: Path) -> None:
    result = loaded(tiny_project(tmp_path))
    found = {source.path: (source.kind, source.playbook) for source in result.files}
    assert found[CALENDAR] == ("calendar", "demo")
    assert found[GAME] == ("game", None)  # the library is shared by every playbook
    assert result.problems == []


def test_load_keeps_the_line_of_every_value(tmp_path: Path) -> None:
    root = tiny_project(tmp_path)
    calendar = next(source for source in loaded(root).files if source.path == CALENDAR)
    tuesday = line_of(root, CALENDAR, "tue:")
    line, _column = calendar.marks.locate(("weekly", "tue", "slots", 0, "game"), at_key=True)
    assert line == line_of(root, CALENDAR, "game: warmup", after=tuesday)
    # a Markdown item's lines count from the top of the file, front matter included
    game = next(source for source in loaded(root).files if source.path == GAME)
    assert game.marks.locate(("minutes",), at_key=True)[0] == line_of(root, GAME, "minutes:")


def test_load_reports_a_syntax_error_at_its_line_in_chinese(tmp_path: Path) -> None:
    broken = dump(BASE[TIER]).replace("posts_per_day: 1", "posts_per_day：1")  # a full-width colon
    root = tiny_project(tmp_path, {TIER: broken})
    result = loaded(root)
    [problem] = result.problems
    assert (problem.file, problem.line) == (TIER, line_of(root, TIER, "posts_per_day"))
    assert "冒号" in problem.message
    assert (TIER, "tier") in result.failed


# --- validate -------------------------------------------------------------------------


def test_validate_maps_an_error_to_file_line_and_field_path_in_chinese(tmp_path: Path) -> None:
    calendar = BASE[CALENDAR]
    weekly = {**calendar["weekly"], "tue": {"slots": [{"time": "25:00", "category": "game", "game": "warmup"}]}}
    root = tiny_project(tmp_path, {CALENDAR: with_changes(calendar, weekly=weekly)})
    items, problems, invalid = validate_sources(loaded(root).files)
    [problem] = problems
    assert problem.file == CALENDAR
    assert problem.path == "weekly.tue.slots[0].time"
    assert problem.line == line_of(root, CALENDAR, "25:00")
    assert "时间" in problem.message and problem.severity == "error"
    assert [source.path for source in invalid] == [CALENDAR]
    assert CALENDAR not in {item.source.path for item in items}


def test_validate_names_a_missing_field_with_an_example(tmp_path: Path) -> None:
    root = tiny_project(tmp_path, {TIER: with_changes(BASE[TIER], name=None)})
    _items, problems, _invalid = validate_sources(loaded(root).files)
    [problem] = problems
    assert (problem.file, problem.path, problem.code) == (TIER, "name", "missing-field")
    assert "缺少" in problem.message and "name" in problem.message


# --- resolve --------------------------------------------------------------------------


def test_resolve_suggests_the_near_miss_for_an_unknown_id(tmp_path: Path) -> None:
    calendar = BASE[CALENDAR]
    weekly = {**calendar["weekly"], "tue": {"slots": [{"time": "08:00", "category": "needed", "post": "tips"}]}}
    root = tiny_project(tmp_path, {CALENDAR: with_changes(calendar, weekly=weekly)})
    _project, problems = resolved(root)
    [problem] = problems
    assert (problem.code, problem.path) == ("unknown-ref", "weekly.tue.slots[0].post")
    assert "`tips`" in problem.message and "是不是 `tip`" in problem.message


def test_resolve_says_nothing_close_when_nothing_is(tmp_path: Path) -> None:
    root = tiny_project(tmp_path, {CALENDAR: with_changes(BASE[CALENDAR], tiers=["zzz-unheard"])})
    _project, problems = resolved(root)
    unknown = [problem for problem in problems if problem.path == "tiers[0]"]
    assert [problem.code for problem in unknown] == ["unknown-ref"]
    assert "`zzz-unheard`" in unknown[0].message and "是不是" not in unknown[0].message


def test_resolve_indexes_items_by_kind_and_id(tmp_path: Path) -> None:
    project, problems = resolved(tiny_project(tmp_path))
    assert problems == []
    assert project.of(Game)["warmup"].model.name == "红包暖场"
    assert project.of(Game)["warmup"].source.path == GAME


# --- schedule -------------------------------------------------------------------------


def test_schedule_expands_a_dated_calendar_into_its_days(tmp_path: Path) -> None:
    project, _ = resolved(tiny_project(tmp_path))
    schedules, problems = build_schedules(project, WEEK_START)
    assert problems == []
    days = schedules["week"].days
    assert [day.key for day in days] == [(WEEK_START + dt.timedelta(days=n)).isoformat() for n in range(7)]
    assert [day.number for day in days] == list(range(1, 8))
    assert days[-1].date == WEEK_END
    monday, tuesday = days[0], days[1]
    assert [(slot.time, slot.kind, slot.title) for slot in monday.slots] == [
        ("08:00", "post", "冬天胎压怎么看"), ("20:00", "game", "红包暖场")]
    assert [slot.kind for slot in tuesday.slots] == ["game"]


def test_schedule_puts_an_override_in_place_of_the_weekday(tmp_path: Path) -> None:
    override = {"date": dt.date(2026, 12, 2), "festival": "测试节",
                "slots": [{"time": "09:00", "category": "needed", "post": "tip"}]}
    root = tiny_project(tmp_path, {CALENDAR: with_changes(BASE[CALENDAR], overrides=[override])})
    project, _ = resolved(root)
    schedules, _problems = build_schedules(project, WEEK_START)
    day = next(day for day in schedules["week"].days if day.date == dt.date(2026, 12, 2))
    assert day.festival == "测试节"
    assert [(slot.time, slot.title) for slot in day.slots] == [("09:00", "冬天胎压怎么看")]


# --- lint -----------------------------------------------------------------------------


def test_lint_reports_a_banned_word_where_it_is(tmp_path: Path) -> None:
    tip = "content_library/posts/tip.md"
    root = tiny_project(tmp_path, {
        "content_library/banned_words.txt": "最便宜\n",
        tip: with_changes(BASE[tip], body="全城最便宜的轮胎。")})
    project, _ = resolved(root)
    schedules, _ = build_schedules(project, WEEK_START)
    [problem] = lint_project(project, schedules, WEEK_START)
    assert (problem.file, problem.code, problem.path) == (tip, "banned-word", "body")
    assert problem.line == line_of(root, tip, "最便宜")
    assert "最便宜" in problem.message


def test_lint_is_quiet_on_the_tiny_project(tmp_path: Path) -> None:
    project, _ = resolved(tiny_project(tmp_path))
    schedules, _ = build_schedules(project, WEEK_START)
    assert lint_project(project, schedules, WEEK_START) == []


# --- plan and render ------------------------------------------------------------------


def planned(root: Path) -> SitePlan:
    return plan_site(checked(root), [], "https://tiny.qunsop.cn/", STAMP)


def test_plan_gives_each_item_a_page_view_at_its_url(tmp_path: Path) -> None:
    plan = planned(tiny_project(tmp_path))
    page = next(page for page in plan.pages if page.path == plan.links.of("game", "warmup"))
    assert (page.path, page.template, page.title) == ("games/warmup.md", "game.md.j2", "红包暖场")
    assert page.model.game.name == "红包暖场"
    assert page_url(page.path) == "games/warmup/"
    assert plan.links.known(page.path)
    assert not plan.links.known("games/nothing-here.md")


def test_render_escapes_user_text(tmp_path: Path) -> None:
    hostile = "<script>alert(1)</script> **粗** [点我](https://x.cn)"
    root = tiny_project(tmp_path, {GAME: with_changes(BASE[GAME], name=hostile)})
    plan = planned(root)
    page = next(page for page in plan.pages if page.path == "games/warmup.md")
    text = render_page(get_env(), page.template, page.path, page.model, plan.links.known, plan.words)
    assert "<script>" not in text  # (a host line is shown in a code block: literal there)
    assert "&lt;script&gt;" in text
    assert "**粗**" not in text and "\\*\\*粗\\*\\*" in text  # shown as typed, not bold
    assert "[点我](" not in text  # not turned into a link
