"""One clock: today is decided at the command line, output never depends on the wall clock,
the example is current on any day, and the Chinese calendar is followed."""

from __future__ import annotations

import ast
import datetime as dt
import filecmp
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import MINIMAL, REPO, ScratchProject, run_qunsop
from qunsop.clock import Clock, ClockError, epoch_time, parse_day, read_clock
from qunsop.festivals import day_mark, known_schedule

NOW = dt.datetime(2026, 12, 6, 17, 30, tzinfo=dt.UTC)  # 2026-12-07 01:30 in Shanghai


def unpinned() -> dict[str, str]:
    """The environment of a user who set no SOURCE_DATE_EPOCH (nor a faked clock: the suite
    itself may run under scripts/test-clocks.sh, and these tests set their own)."""
    env = dict(os.environ)
    for name in ("SOURCE_DATE_EPOCH", "FAKETIME", "LD_PRELOAD", "DONT_FAKE_MONOTONIC"):
        env.pop(name, None)
    return env


def faketime(when: str, *args: str, cwd: Path | None = None, env: dict[str, str] | None = None
             ) -> subprocess.CompletedProcess[str]:
    if shutil.which("faketime") is None:
        pytest.fail("faketime is missing: scripts/install-browser.sh installs it")
    return subprocess.run(["faketime", when, sys.executable, "-m", "qunsop", *args], cwd=cwd or REPO,
                          capture_output=True, text=True, timeout=600, env=env or unpinned())


def test_today_comes_from_the_option_then_the_epoch_then_the_zone() -> None:
    assert read_clock(None, {}, NOW).today_in("Asia/Shanghai") == dt.date(2026, 12, 7)
    assert read_clock(None, {}, NOW).today_in("Europe/London") == dt.date(2026, 12, 6)
    pinned = read_clock(None, {"SOURCE_DATE_EPOCH": "1795392000"}, NOW)
    assert pinned.today_in("Asia/Shanghai") == dt.date(2026, 11, 23)
    assert pinned.source_epoch == dt.datetime(2026, 11, 23, tzinfo=dt.UTC)
    chosen = read_clock("2027-06-15", {"SOURCE_DATE_EPOCH": "1795392000"}, NOW)
    assert chosen.today_in("America/New_York") == dt.date(2027, 6, 15)
    assert chosen.source_epoch is not None  # the build stamp still comes from the epoch


@pytest.mark.parametrize("text", ["2027-02-30", "tomorrow", "0001-01-01", "99999-01-01"])
def test_a_bad_today_is_refused_with_its_value(text: str) -> None:
    with pytest.raises(ClockError, match="--today"):
        parse_day(text)


@pytest.mark.parametrize("epoch", ["300000000000", "-5", "1e9", "soon"])
def test_a_bad_epoch_is_refused(epoch: str) -> None:
    with pytest.raises(ClockError, match="SOURCE_DATE_EPOCH"):
        epoch_time(epoch)


def test_the_cache_key_changes_only_when_some_zone_changes_day() -> None:
    morning = Clock(dt.datetime(2026, 12, 7, 1, tzinfo=dt.UTC))
    assert morning.key() == Clock(dt.datetime(2026, 12, 7, 9, tzinfo=dt.UTC)).key()
    assert morning.key() != Clock(dt.datetime(2026, 12, 7, 13, tzinfo=dt.UTC)).key()
    assert Clock.on(dt.date(2027, 1, 1)).key() == "2027-01-01"


@pytest.mark.parametrize("args", [["validate", "--today", "2027-13-01"],
                                  ["build", "--today", "soon"], ["stats", "--today", "x"]])
def test_commands_refuse_a_bad_today_with_exit_2(args: list[str], tmp_path: Path) -> None:
    project = tmp_path / "p"
    shutil.copytree(MINIMAL, project)
    run = run_qunsop(args[0], str(project), *args[1:])
    assert run.exit_code == 2, run.output
    assert "日期" in run.output and "Traceback" not in run.output


def test_an_epoch_past_9999_is_a_usage_error(tmp_path: Path) -> None:
    project = tmp_path / "p"
    shutil.copytree(MINIMAL, project)
    run = run_qunsop("validate", str(project), env={"SOURCE_DATE_EPOCH": "300000000000"})
    assert run.exit_code == 2 and "SOURCE_DATE_EPOCH" in run.output, run.output


def test_no_library_code_reads_the_system_clock() -> None:
    """Only the command line reads the clock (cli.command_clock); everything else is handed it."""
    offenders = []
    for path in sorted((REPO / "generator").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr in {"now", "today", "utcnow", "time"} \
                    and isinstance(node.value, (ast.Name, ast.Attribute)):
                owner = ast.unparse(node.value)
                if owner in {"dt.datetime", "datetime", "dt.date", "date", "time", "datetime.datetime"}:
                    offenders.append(f"{path.name}:{node.lineno} {owner}.{node.attr}")
            if isinstance(node, ast.Constant) and node.value == "SOURCE_DATE_EPOCH" \
                    and path.name not in {"clock.py", "engine.py"}:
                offenders.append(f"{path.name}:{node.lineno} reads SOURCE_DATE_EPOCH")
    assert [o for o in offenders if not o.startswith("cli.py:")] == [], offenders
    assert len([o for o in offenders if o.startswith("cli.py:")]) == 1, offenders  # command_clock


@pytest.mark.parametrize("today", ["2026-11-23", "2026-12-07", "2027-01-15", "2027-06-15",
                                   "2028-02-29", "2029-10-01", "2030-12-31"])
def test_the_example_validates_clean_on_any_day(today: str) -> None:
    run = run_qunsop("validate", str(REPO), "--format", "json", "--today", today)
    codes = sorted({problem["code"] for problem in run.problems()})
    assert run.exit_code == 0 and codes == ["placeholder-url"], run.problems()


def test_open_ended_calendars_give_a_pack_on_any_day() -> None:
    run = run_qunsop("pack", "c-store-daily", str(REPO), "--date", "2027-06-15", "--today", "2027-06-15")
    assert run.exit_code == 0, run.output
    assert "6月15日 周二" in run.stdout and "【1】07:30" in run.stdout


def test_festivals_and_official_days_come_from_the_chinese_calendar() -> None:
    assert day_mark(dt.date(2027, 1, 15)).festivals == ("腊八",)
    assert day_mark(dt.date(2027, 2, 5)).festivals == ("除夕",)
    assert day_mark(dt.date(2027, 2, 6)).festivals == ("春节",) and day_mark(dt.date(2027, 2, 6)).holiday
    assert day_mark(dt.date(2027, 2, 20)).festivals == ("元宵",)
    assert day_mark(dt.date(2026, 12, 22)).festivals == ("冬至",)
    assert day_mark(dt.date(2026, 2, 14)).workday  # a Saturday worked for the Spring Festival
    assert not day_mark(dt.date(2026, 2, 21)).workday
    assert known_schedule(2026)


CALENDAR = """\
id: {id}
name: 测试排期
tiers: [c-store]
start: {start}
{end}
weekly:
  mon: &day
    slots:
      - time: "08:00"
        category: needed
        post: tyre-pressure
  tue: *day
  wed: *day
  thu: *day
  fri: *day
  sat: *day
  sun: *day
{overrides}"""


def calendar(scratch: ScratchProject, start: str, end: str | None, overrides: str = "") -> None:
    for old in (scratch.root / "playbooks").glob("*/calendars/*.yaml"):
        old.unlink()
    playbook = next((scratch.root / "playbooks").iterdir()).name
    scratch.write(f"playbooks/{playbook}/calendars/test-daily.yaml", CALENDAR.format(
        id="test-daily", start=start, end=f"end: {end}" if end else "", overrides=overrides))


def findings(scratch: ScratchProject, today: str) -> list[tuple[str, str]]:
    run = run_qunsop("validate", str(scratch.root), "--format", "json", "--today", today)
    assert run.exit_code in (0, 1), run.output
    return [(problem["code"], problem["message"]) for problem in run.problems()
            if problem["code"] in {"festival-day", "workday-swap", "calendar-ending"}]


def test_lint_suggests_overrides_for_2027_festivals(scratch: ScratchProject) -> None:
    calendar(scratch, "2027-01-10", "2027-02-10")
    found = findings(scratch, "2027-01-10")
    days = sorted(message[:10] for code, message in found if code == "festival-day")
    assert days == ["2027-01-15", "2027-01-30", "2027-01-31", "2027-02-05", "2027-02-06"], found
    assert "腊八" in next(m for _c, m in found if m.startswith("2027-01-15"))
    # from the day after 腊八 on, 腊八 is no longer suggested
    assert not any(m.startswith("2027-01-15") for _c, m in findings(scratch, "2027-01-16"))


def test_an_override_answers_the_festival_suggestion(scratch: ScratchProject) -> None:
    calendar(scratch, "2027-01-10", "2027-01-20", overrides="""overrides:
  - date: 2027-01-15
    title: 腊八
    festival: 腊八
    slots:
      - time: "08:00"
        category: needed
        post: tyre-pressure
""")
    assert not [f for f in findings(scratch, "2027-01-10") if f[0] == "festival-day"]


def test_lint_suggests_a_workday_override_for_a_swapped_saturday(scratch: ScratchProject) -> None:
    calendar(scratch, "2026-02-09", "2026-02-15")
    swaps = [m for code, m in findings(scratch, "2026-02-09") if code == "workday-swap"]
    assert len(swaps) == 1 and swaps[0].startswith("2026-02-14（周六）是调休上班日"), swaps


def test_a_calendar_about_to_end_is_reported_and_an_open_ended_one_is_not(scratch: ScratchProject) -> None:
    calendar(scratch, "2027-03-01", "2027-03-31")  # the fixture warns 7 days ahead (qunsop.yaml)
    assert [code for code, _m in findings(scratch, "2027-03-26")] == ["calendar-ending"]
    assert findings(scratch, "2027-03-20") == []  # 11 days ahead: not yet
    assert findings(scratch, "2027-04-02") == []  # over: history
    calendar(scratch, "2027-03-01", None)
    assert findings(scratch, "2027-03-26") == []
    run = run_qunsop("pack", "test-daily", str(scratch.root), "--date", "2029-05-04")
    assert run.exit_code == 0 and "5月4日 周五" in run.stdout, run.output


def test_builds_of_one_commit_on_either_side_of_midnight_are_identical(tmp_path: Path) -> None:
    project = tmp_path / "p"
    shutil.copytree(MINIMAL, project)
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run([*git, "init", "-q"], cwd=project, check=True)
    subprocess.run([*git, "add", "-A"], cwd=project, check=True)
    subprocess.run([*git, "commit", "-qm", "x", "--date", "2026-12-01T10:00:00+08:00"], cwd=project,
                   check=True, env={**unpinned(), "GIT_COMMITTER_DATE": "2026-12-01T10:00:00+08:00"})
    sites = []
    for when, name in (("2026-12-07 15:59:30", "before"), ("2026-12-07 16:00:30", "after")):
        site = tmp_path / name
        done = faketime(when, "build", str(project), "--site-dir", str(site))
        assert done.returncode == 0, done.stdout + done.stderr
        sites.append(site)
    compared = filecmp.dircmp(sites[0], sites[1])
    differing: list[str] = []

    def walk(node: filecmp.dircmp[str], prefix: str = "") -> None:
        differing.extend(prefix + name for name in node.diff_files + node.left_only + node.right_only
                         if name != ".qunsop-site")
        for name, child in node.subdirs.items():
            walk(child, f"{prefix}{name}/")

    walk(compared)
    assert differing == [], differing
    assert b"2026-12-01" in (sites[0] / "sitemap.xml").read_bytes()


def test_the_example_has_todays_pack_on_any_day(tmp_path: Path) -> None:
    """`init --example` copies the shipped example, which validates and builds on any day:
    with the clock at 2027-06-15, today/ has a pack for that day, the weekly rhythm's Tuesday,
    with posts, and the one warning is the site address to fill in."""
    target = tmp_path / "example"
    done = faketime("2027-06-15 08:00:00", "init", str(target), "--example")
    assert done.returncode == 0, done.stderr
    # the weekly review reads no clock (review.py, review_pages.py and metrics.py never ask
    # for today): its pages, half of this build, are test_review_site's
    done = faketime("2027-06-15 08:00:00", "build", str(target), "--no-review")
    assert done.returncode == 0, done.stdout + done.stderr
    packs = target / "site/packs/c-store-daily"
    assert '"weekly-tue"' in (packs / "today/index.html").read_text(encoding="utf-8")
    text = (packs / "weekly-tue/pack.txt").read_text(encoding="utf-8-sig")
    assert "每周二（每周节奏）" in text and "【1】07:30" in text
    # the build's one warning is the site address to fill in (the codes on that day, as
    # validate lists them: test_the_example_validates_clean_on_any_day)
    assert "有 1 个警告" in done.stdout + done.stderr, done.stdout + done.stderr
    assert (target / "site/truck-tyres/index.html").is_file()


def test_pages_decide_today_in_the_browser(example_site: Path) -> None:
    """The incidents page carries the dates its status is worked out from, and says when it was
    generated; the reader's day is decided by assets/dates.js."""
    site = example_site  # built on the session's day, 2026-11-23
    page = (site / "incidents/index.html").read_text(encoding="utf-8")
    assert 'data-qs-start="2026-12-' in page and "按 11月23日 生成" in page
    assert "assets/dates.js" in page and (site / "assets/dates.js").is_file()
    stats = (site / "library/stats/index.html").read_text(encoding="utf-8")
    assert "按 11月23日 生成" in stats and "data-qs-until" in stats


@pytest.mark.browser
@pytest.mark.parametrize(("reader_day", "status", "warning_shown"), [
    ("2026-12-01T02:00:00Z", "将于 2026-12-09 开始", False),
    ("2026-12-10T02:00:00Z", "处理中（2026-12-09 起）", True),
    ("2027-03-01T02:00:00Z", "已结束（2026-12-09 ~ 2026-12-11）", False),
])
def test_incident_status_follows_the_readers_day(example_site: Path, reader_day: str, status: str,
                                                 warning_shown: bool) -> None:
    """One build, read on three days: the status and the home page's warning follow the day
    the page is read, not the day it was built (2026-11-23)."""
    from selenium.webdriver.common.by import By

    from browser import frozen_clock, make_driver, serve

    driver = make_driver(390, 844, mobile=True)
    try:
        driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": frozen_clock(reader_day)})
        with serve(example_site) as base:
            driver.get(base + "incidents/")
            shown = driver.find_element(By.CSS_SELECTOR, "[data-qs-start]")
            assert shown.text == status
            driver.get(base)
            box = driver.find_element(By.CSS_SELECTOR, "[data-qs-group]")
            assert box.is_displayed() is warning_shown
    finally:
        driver.quit()
