"""Issue 11, classes 4 and 5 of the issue: every input ends in exit 0, 1 or 2 with a
located message (never 3, never a signal), and nothing is silently wrong.

Exit codes: hostile nesting, extreme dates and lengths, numbers, unreadable
sources and an unusable cache. Silent wrong output: ids that collide with the
site's own folders, relative calendars with gaps (driven in headless Chromium),
one report per source error with the root cause first, YAML merge keys.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import icalendar
import pytest

from conftest import MINIMAL, Run, ScratchProject
from qunsop.kinds import SITE_FOLDERS
from qunsop.models import MAX_CALENDAR_DAYS
from safety import (
    SOURCE_FOR_KIND,
    Unprivileged,
    copy_minimal,
    located,
    open_folder,
    outside_outputs,
    qunsop,
    qunsop_many,
    validate,
)

TIER = SOURCE_FOR_KIND["tier"]
WEEK = SOURCE_FOR_KIND["calendar"]
GAME = SOURCE_FOR_KIND["game"]
PLAYBOOK = SOURCE_FOR_KIND["playbook"]


def never_crashes(run: Run) -> None:
    assert run.exit_code in (0, 1, 2), run.output  # 3 is a qunsop bug, negative a signal
    assert "Traceback" not in run.output and "内部错误" not in run.output, run.output


def replace_in(scratch: ScratchProject, relative: str, old: str, new: str) -> None:
    path = scratch.root / relative
    text = path.read_text(encoding="utf-8")
    assert old in text, (relative, old)
    path.write_text(text.replace(old, new), encoding="utf-8")


# --- exit codes ---------------------------------------------------------------------------------

HOSTILE_TEXT = {
    # case: (file content, code, line, column)
    "30000-brackets": ("[" * 30_000 + "\n", "too-deep", 1, None),
    "60kb-of-brackets": ("[ " * 30_000 + "\n", "too-deep", 1, None),  # once a segfault (exit 139)
    "brackets-in-a-value": ("id: c-store\nname: " + "[" * 30_000 + "\n", "too-deep", 2, None),
    "30000-braces": ("a: " + "{a: " * 30_000 + "\n", "too-deep", 1, None),
    "10000-block-levels": ("- " * 10_000 + "x\n", "too-deep", 1, None),
    "10000-nested-flow": ("a: " + "[" * 10_000 + "1" + "]" * 10_000 + "\n", "too-deep", 1, None),
    "deep-indentation": ("".join("  " * level + "a:\n" for level in range(300)) + "  " * 300 + "x\n",
                         "too-deep", 41, None),
    "binary": (b"\x00\x01\x02\xff\xfe" * 100, "not-utf8", 1, None),
    "utf16": ("id: c-store\n".encode("utf-16"), "not-utf8", 1, 1),
    "tab-indent": ("id: c-store\nname:\n\t- x\n", "tab-indent", 3, None),
    "two-documents": ("id: c-store\n---\nid: b\n", "multiple-documents", 2, None),
    "undefined-alias": ("id: *nothing\n", "yaml-syntax", 1, None),
}


def hostile_file(case: str) -> str:
    return f"playbooks/demo/tiers/hostile-{sorted(HOSTILE_TEXT).index(case)}.yaml"


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    """Each hostile text in a tier file of its own, one validate for all."""
    root = copy_minimal(tmp_path_factory.mktemp("hostile") / "project")
    for case, (content, *_rest) in HOSTILE_TEXT.items():
        (root / hostile_file(case)).write_bytes(content if isinstance(content, bytes) else content.encode())
    run = validate(root)
    assert run.exit_code == 1
    hostile = {hostile_file(case) for case in HOSTILE_TEXT}
    assert [p for p in run.problems() if p["severity"] == "error" and p["file"] not in hostile] == []
    return run


@pytest.mark.parametrize("case", sorted(HOSTILE_TEXT))
def test_hostile_files_are_located_errors(hostile_run: Run, case: str) -> None:
    _content, code, line, column = HOSTILE_TEXT[case]
    found = located(hostile_run, hostile_file(case), code, line, column=column)
    errors = [p for p in hostile_run.problems() if p["file"] == hostile_file(case) and p["severity"] == "error"]
    assert errors == [found]


BAD_VALUES = {
    # case: (file, old, new, code, line, path)
    "end-9999": (WEEK, "end: 2026-12-07", "end: 9999-12-31", "invalid-value", 5, "end"),
    "start-year-1": (WEEK, "start: 2026-12-01", "start: 0001-01-01", "invalid-value", 4, "start"),
    "year-10000": (WEEK, "end: 2026-12-07", "end: 10000-01-01", "invalid-value", 5, "end"),
    "february-30": (WEEK, "start: 2026-12-01", "start: 2026-02-30", "bad-value", 4, "start"),
    "override-year-1": (WEEK, "date: 2026-12-03", "date: 0001-12-03", "invalid-value", 21, "overrides[0].date"),
    "too-long": (WEEK, "end: 2026-12-07", f"end: {dt.date(2026, 12, 1) + dt.timedelta(days=MAX_CALENDAR_DAYS)}",
                 "invalid-value", 5, "end"),
    "huge-int": (TIER, "posts_per_day: 2", "posts_per_day: 99999999999999999999999999", "invalid-value",
                 7, "posts_per_day"),
    "negative": (TIER, "posts_per_day: 2", "posts_per_day: -1", "invalid-value", 7, "posts_per_day"),
    "relative-day-99999": ("playbooks/demo/calendars/launch.yaml", "day: 2", "day: 99999", "invalid-value",
                           14, "days[1].day"),
    "campaign-year-1": ("playbooks/demo/campaigns/pk.yaml", "end: 2026-12-31", "end: 0001-12-31",
                        "invalid-value", 6, "end"),
    "post-valid-9999": ("content_library/posts/liked/pk-start.md", "valid_until: 2026-12-31",
                        "valid_until: 9999-12-31", "invalid-value", 7, "valid_until"),
    "timezone": (PLAYBOOK, "timezone: Asia/Shanghai", "timezone: Mars/Olympus", "invalid-value", 6, "timezone"),
    "timezone-path": (PLAYBOOK, "timezone: Asia/Shanghai", "timezone: ../../etc/passwd", "invalid-value", 6,
                      "timezone"),
    "time-24": (WEEK, 'time: "08:00"', 'time: "24:00"', "bad-format", 9, "weekly.mon.slots[0].time"),
}


def copy_for(case: str, relative: str) -> tuple[str, str, str]:
    """Where a case's copy of `relative` goes, and its id line before and after."""
    number = sorted(BAD_VALUES).index(case)
    path = Path(relative)
    if path.name == "playbook.yaml":
        return f"playbooks/case{number}/playbook.yaml", "id: demo", f"id: case{number}"
    return (path.with_name(f"{path.stem}-case{number}{path.suffix}").as_posix(), f"id: {path.stem}",
            f"id: {path.stem}-case{number}")


@pytest.fixture(scope="module")
def bad_values_run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    """Each extreme value in a copy of its file (with an id of its own), one validate for all."""
    root = copy_minimal(tmp_path_factory.mktemp("values") / "project")
    for case, (relative, old, new, *_rest) in BAD_VALUES.items():
        target, old_id, new_id = copy_for(case, relative)
        text = (MINIMAL / relative).read_text(encoding="utf-8")
        assert old in text and old_id in text, case
        (root / target).parent.mkdir(parents=True, exist_ok=True)
        (root / target).write_text(text.replace(old_id, new_id, 1).replace(old, new), encoding="utf-8")
    run = validate(root)
    assert run.exit_code == 1
    copies = {copy_for(case, BAD_VALUES[case][0])[0] for case in BAD_VALUES}
    assert [p for p in run.problems() if p["severity"] == "error" and p["file"] not in copies] == []
    return run


@pytest.mark.parametrize("case", sorted(BAD_VALUES))
def test_extreme_values_are_located_errors(bad_values_run: Run, case: str) -> None:
    relative, _old, _new, code, line, path = BAD_VALUES[case]
    target = copy_for(case, relative)[0]
    errors = [p for p in bad_values_run.problems() if p["file"] == target and p["severity"] == "error"]
    assert [p["code"] for p in errors] == [code], errors
    if line is not None:
        assert errors[0]["line"] == line and errors[0]["path"] == path, errors


def test_the_calendar_limit_is_documented_and_enforced(scratch: ScratchProject) -> None:
    end = dt.date(2026, 12, 1) + dt.timedelta(days=MAX_CALENDAR_DAYS - 1)
    replace_in(scratch, WEEK, "end: 2026-12-07", f"end: {end}")
    run = validate(scratch.root)
    assert run.exit_code == 0, run.output
    replace_in(scratch, WEEK, f"end: {end}", f"end: {end + dt.timedelta(days=1)}")
    run = validate(scratch.root)
    assert run.exit_code == 1
    found = problem_with(run, WEEK, "invalid-value")
    assert f"{MAX_CALENDAR_DAYS} 天" in found["message"] and f"{MAX_CALENDAR_DAYS + 1} 天" in found["message"]


def problem_with(run: Run, file: str, code: str) -> dict:
    found = [p for p in run.problems() if p["file"] == file and p["code"] == code]
    assert len(found) == 1, run.output
    return found[0]


def test_utc_playbook_builds_and_its_calendar_feed_is_valid(tmp_path: Path) -> None:
    root = copy_minimal(tmp_path / "project")
    (root / PLAYBOOK).write_text((MINIMAL / PLAYBOOK).read_text(encoding="utf-8").replace(
        "timezone: Asia/Shanghai", "timezone: UTC"), encoding="utf-8")
    before = outside_outputs(root)
    run = qunsop("build", str(root))
    never_crashes(run)
    assert run.exit_code == 0, run.output
    assert outside_outputs(root) == before
    feed = icalendar.Calendar.from_ical((root / "site/packs/week/calendar.ics").read_bytes())
    events = [event for event in feed.walk("VEVENT")]
    assert events and all(event.decoded("DTSTART").year == 2026 for event in events)
    assert all(event.decoded("DTSTART").utcoffset() == dt.timedelta(0) for event in events)
    text = (root / "site/packs/week/calendar.ics").read_text(encoding="utf-8")
    assert "DTSTART:20261201T200000Z" in text  # the 20:00 game on Tuesday 1 December, in UTC


def test_an_unreadable_source_is_a_located_error_as_an_unprivileged_user() -> None:
    unprivileged = Unprivileged.detect()
    with open_folder() as folder:
        root = copy_minimal(folder / "project")
        unprivileged.give(root)
        os.chmod(root / TIER, 0)
        run = unprivileged.run("validate", str(root), "--format", "json", env={"QUNSOP_CACHE_DIR": "off"})
        never_crashes(run)
        assert run.exit_code == 1, run.output
        found = located(run, TIER, "unreadable", 1, column=1)
        assert "Permission denied" in found["message"] or "权限" in found["message"]
        assert [p for p in run.problems() if p["severity"] == "error"] == [found]  # no follow-on errors
        build = unprivileged.run("build", str(root), env={"QUNSOP_CACHE_DIR": "off"})
        never_crashes(build)
        assert build.exit_code == 1 and "unreadable" in build.stdout, build.output


@pytest.mark.parametrize("cache", ["read-only", "a-file", "shared"])
def test_an_unusable_cache_is_one_warning_and_the_build_goes_on(cache: str) -> None:
    unprivileged = Unprivileged.detect()
    with open_folder() as folder:
        root = copy_minimal(folder / "project")
        unprivileged.give(root)
        place = folder / "cache"
        if cache == "a-file":
            place.write_text("not a folder", encoding="utf-8")
        else:
            place.mkdir()
            os.chmod(place, 0o555 if cache == "read-only" else 0o777)
            if cache == "shared":
                unprivileged.give(place)
                os.chmod(place, 0o777)
        # a build for one of them (the slow command), validate for the others
        command = "build" if cache == "read-only" else "validate"
        run = unprivileged.run(command, str(root), env={"QUNSOP_CACHE_DIR": str(place)})
        never_crashes(run)
        assert run.exit_code == 0, run.output
        warnings = [line for line in run.stderr.splitlines() if "缓存" in line]
        assert len(warnings) == 1 and str(place) in warnings[0], run.stderr
        assert command == "validate" or (root / "site/index.html").is_file()


# --- no silent wrong output -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def reserved_run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    root = copy_minimal(tmp_path_factory.mktemp("reserved") / "project")
    text = (MINIMAL / PLAYBOOK).read_text(encoding="utf-8")
    for folder in sorted(SITE_FOLDERS):
        path = root / "playbooks" / folder / "playbook.yaml"
        path.parent.mkdir()
        path.write_text(text.replace("id: demo", f"id: '{folder}'"), encoding="utf-8")
    run = qunsop("validate", str(root), "--format", "json")
    never_crashes(run)
    return run


@pytest.mark.parametrize("folder", sorted(SITE_FOLDERS))
def test_playbook_ids_that_are_site_folders_are_refused(reserved_run: Run, folder: str) -> None:
    assert reserved_run.exit_code == 1
    found = located(reserved_run, f"playbooks/{folder}/playbook.yaml", "reserved-id", 1, column=1, path="id")
    assert folder in found["message"] and "栏目" in found["message"]


def test_the_usual_site_folders_are_reserved() -> None:
    assert {"library", "packs", "games", "assets", "search", "today", "incidents", "sitemap"} <= SITE_FOLDERS


ONE_REPORT = {
    # case: (file, how to break it, code of the one report)
    "bom-in-the-middle": (TIER, lambda text: text.replace("id: c-st", "id: c-st\ufeff"), "control-character"),
    "nul-in-the-id": (TIER, lambda text: text.replace("id: c-st", "id: c-st\x00"), "control-character"),
    "yaml-syntax": (TIER, lambda text: text + "flows_to: [b-main\n", "yaml-syntax"),
    "gbk": (TIER, lambda text: text.encode("gbk"), "not-utf8"),
    "invalid-id": (TIER, lambda text: text.replace("id: c-store", "id: C-Store"), "bad-format"),
    "invalid-timezone": (PLAYBOOK, lambda text: text.replace("Asia/Shanghai", "Asia/Shanghia"), "invalid-value"),
    "playbook-syntax": (PLAYBOOK, lambda text: text.replace("roles:", "roles: [", 1), "yaml-syntax"),
    "game-syntax": (GAME, lambda text: text.replace("tiers: [c-store]", "tiers: [c-store"), "yaml-syntax"),
    "post-syntax": (SOURCE_FOR_KIND["post"], lambda text: text.replace("tags: [保养]", "tags: [保养"),
                    "yaml-syntax"),
    "tagged-post-syntax": ("content_library/posts/liked/road-story.md",
                           lambda text: text.replace("tags: [故事]", "tags: [故事"), "yaml-syntax"),
    "reply-syntax": (SOURCE_FOR_KIND["reply"], lambda text: text.replace("title: 投诉首次回应", "title: [投诉"),
                     "yaml-syntax"),
    "escalation-syntax": (SOURCE_FOR_KIND["escalation"], lambda text: text + "dont: [x\n", "yaml-syntax"),
    "activity-syntax": (SOURCE_FOR_KIND["activity"], lambda text: text + "rules: [x\n", "yaml-syntax"),
    "calendar-syntax": (WEEK, lambda text: text + "summary: [x\n", "yaml-syntax"),
    "campaign-syntax": ("playbooks/demo/campaigns/pk.yaml", lambda text: text + "rewards: [x\n", "yaml-syntax"),
    "placeholders-syntax": (SOURCE_FOR_KIND["placeholders"], lambda text: text + "x: [\n", "yaml-syntax"),
    "curriculum-syntax": (SOURCE_FOR_KIND["curriculum"], lambda text: text + "x: [\n", "yaml-syntax"),
    "renamed-tier-syntax": ("playbooks/demo/tiers/main-tier.yaml", None, "yaml-syntax"),
}


@pytest.fixture(scope="module")
def one_report_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Run, Path]]:
    """One project per broken file, validated together."""
    roots = {}
    for case, (relative, breaks, _code) in ONE_REPORT.items():
        root = copy_minimal(tmp_path_factory.mktemp(f"one-{case}") / "project")
        if breaks is None:  # a file whose name is not its id: references find it by the id it declares
            shutil.move(root / TIER, root / relative)
            text = (root / relative).read_text(encoding="utf-8") + "flows_to: [b-main\n"
            (root / relative).write_text(text, encoding="utf-8")
        else:
            broken = breaks((root / relative).read_text(encoding="utf-8"))
            (root / relative).write_bytes(broken if isinstance(broken, bytes) else broken.encode("utf-8"))
        roots[case] = root
    runs = qunsop_many([("validate", str(root), "--format", "json") for root in roots.values()])
    return {case: (run, roots[case]) for case, run in zip(roots, runs, strict=True)}


@pytest.mark.parametrize("case", sorted(ONE_REPORT))
def test_one_source_error_is_one_report_and_comes_first(one_report_runs: dict[str, tuple[Run, Path]],
                                                        case: str) -> None:
    relative, _breaks, code = ONE_REPORT[case]
    run, root = one_report_runs[case]
    assert run.exit_code == 1
    errors = [p for p in run.problems() if p["severity"] == "error"]
    assert [(p["file"], p["code"]) for p in errors] == [(relative, code)], run.output
    assert run.problems()[0]["code"] == code  # the root cause first, before any warning
    if case in ("bom-in-the-middle", "yaml-syntax", "invalid-timezone"):
        text = validate(root, "text")
        first = next(line for line in text.stdout.splitlines() if line.strip())
        assert first == relative, text.stdout


MERGES = (
    "base: &b {side: C}\n<<: *b\n",  # an anchor, then a merge
    "<<: {side: C}\n",  # an inline merge: no & anywhere in the file
    "stages:\n  - <<: {name: 建群}\n    steps: [拉人]\n",  # deeper in the file
    "x: &a {y: 1}\nz:\n  <<: [*a]\n",  # a list of merges
)


@pytest.fixture(scope="module")
def merge_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Run, list[int]]:
    root = copy_minimal(tmp_path_factory.mktemp("merge") / "project")
    text = (MINIMAL / TIER).read_text(encoding="utf-8").replace("side: C\n", "")
    lines = []
    for number, merge in enumerate(MERGES):
        own = text.replace("id: c-store", f"id: merge-{number}")
        (root / f"playbooks/demo/tiers/merge-{number}.yaml").write_text(own + merge, encoding="utf-8")
        lines.append(len(own.splitlines()) + next(n for n, row in enumerate(merge.splitlines(), 1) if "<<" in row))
    run = validate(root)
    assert run.exit_code == 1
    return run, lines


@pytest.mark.parametrize("number", range(len(MERGES)))
def test_yaml_merge_keys_are_refused_with_one_clear_message(merge_run: tuple[Run, list[int]],
                                                           number: int) -> None:
    run, lines = merge_run
    relative = f"playbooks/demo/tiers/merge-{number}.yaml"
    found = located(run, relative, "merge-key", lines[number])
    assert "<<" in found["message"]
    assert [p for p in run.problems() if p["severity"] == "error" and p["file"] == relative] == [found]


def test_a_quoted_merge_key_is_just_an_unknown_field(scratch: ScratchProject) -> None:
    text = (MINIMAL / TIER).read_text(encoding="utf-8")
    (scratch.root / TIER).write_text(text + '"<<": x\n', encoding="utf-8")
    run = validate(scratch.root)
    assert run.exit_code == 1
    located(run, TIER, "unknown-field", len(text.splitlines()) + 1, path="<<")


# --- a relative calendar with gaps, in a real browser ---------------------------------------------

GAPS = """\
id: gaps
name: 有空档的排期
tiers: [c-store]
days:
  - day: 1
    slots:
      - {time: "10:00", category: needed, post: tyre-pressure}
  - day: 7
    slots:
      - {time: "10:00", category: liked, post: road-story}
  - day: 30
    slots:
      - {time: "10:00", category: game, game: warmup}
"""


@pytest.fixture(scope="module")
def gaps_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = copy_minimal(tmp_path_factory.mktemp("gaps") / "project")
    (root / "playbooks/demo/calendars/gaps.yaml").write_text(GAPS, encoding="utf-8")
    run = qunsop("build", str(root))
    assert run.exit_code == 0, run.output
    return root / "site"


def test_a_relative_calendar_with_gaps_publishes_only_its_days(gaps_site: Path) -> None:
    days = sorted(p.name for p in (gaps_site / "packs/gaps").iterdir() if p.is_dir())
    assert days == ["day-01", "day-07", "day-30", "today"]


@pytest.fixture(scope="module")
def phone_on_gaps(gaps_site: Path) -> Iterator[tuple[object, str]]:
    from browser import make_driver, serve

    driver = make_driver(390, 844, mobile=True)
    try:
        with serve(gaps_site) as base:
            yield driver, base
    finally:
        driver.quit()


@pytest.mark.browser
@pytest.mark.parametrize(("day", "expected"), [
    (1, "day-01"), (2, "第 2 天没有安排"), (7, "day-07"), (8, "下一次：第 30 天"), (30, "day-30"),
    (31, "已经做完了"),
])
def test_today_opens_the_right_day_or_says_why_not(phone_on_gaps: tuple[object, str], day: int,
                                                   expected: str) -> None:
    driver, base = phone_on_gaps
    start = (dt.date(2026, 11, 23) - dt.timedelta(days=day - 1)).isoformat()  # the browser's clock
    driver.get(base + "packs/gaps/")  # type: ignore[attr-defined]
    driver.execute_script("localStorage.setItem('qunsop:start:gaps', arguments[0])", start)  # type: ignore[attr-defined]
    driver.get(base + "packs/gaps/today/")  # type: ignore[attr-defined]
    deadline = time.monotonic() + 10
    while True:
        url = driver.current_url  # type: ignore[attr-defined]
        body = driver.find_element("tag name", "body").text  # type: ignore[attr-defined]
        if expected in url or expected in body or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert "404" not in driver.title and "找不到" not in body  # type: ignore[attr-defined]
    if expected.startswith("day-"):
        assert re.search(rf"/packs/gaps/{expected}/$", url), (url, body)
        assert "建群第" in body or "第" in body
    else:
        assert url.endswith("/packs/gaps/today/") and expected in body, (url, body)
