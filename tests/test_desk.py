"""The operator's desk: the today page, incidents that pause packs, what changed, the print card."""

from __future__ import annotations

import base64
import json
import os
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import icalendar
import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from browser import make_driver, serve
from conftest import COMMIT_CLOCK, ScratchProject, run_qunsop
from qunsop.plan import minutes_text

INCIDENT = """\
id: december-complaint
name: 十二月的投诉
plan: complaint
level: P1
tiers: [c-store]
start: 2026-12-01
end: 2026-12-02
"""


@pytest.fixture(scope="module")
def phone() -> Iterator:  # type: ignore[type-arg]
    driver = make_driver(1280, 900)
    yield driver
    driver.quit()


def build(scratch: ScratchProject, env: dict[str, str | None] | None = None) -> Path:
    run = run_qunsop("build", str(scratch.root), env=env)
    assert run.exit_code == 0, run.output
    return scratch.root / "site"


def test_an_open_incident_holds_back_slots_in_every_pack_output(scratch: ScratchProject) -> None:
    scratch.write("playbooks/demo/incidents/december-complaint.yaml", INCIDENT)
    site = build(scratch)
    day = site / "packs/week/2026-12-01"
    page = (day / "index.html").read_text(encoding="utf-8")
    assert 'class="qs-alert" role="alert"' in page and "十二月的投诉" in page
    assert "今天的游戏先别发" in page
    assert "暂停：事件处理期间先不发" in page and "data-copy" not in page.split("暂停")[1][:200]
    text = (day / "pack.txt").read_text(encoding="utf-8")
    assert "【注意】十二月的投诉" in text and "（暂停：事件处理期间先不发）" in text
    assert "各位老哥晚上好" not in text  # the held game's line is not offered for pasting
    data = json.loads((day / "pack.json").read_text(encoding="utf-8"))
    assert data["notices"][0]["title"] == "十二月的投诉"
    assert [slot["held"] for slot in data["slots"]] == ["事件处理期间先不发"]
    feed = icalendar.Calendar.from_ical((site / "packs/week/calendar.ics").read_bytes())
    held = [e for e in feed.walk("VEVENT") if str(e["summary"]).startswith("【暂停】")]
    assert len(held) == 1 and "20261201" in str(held[0]["uid"]).replace("-", "")
    # the next day the incident is over: nothing is held
    after = json.loads((site / "packs/week/2026-12-03/pack.json").read_text(encoding="utf-8"))
    assert after["notices"] == [] and not any(slot["held"] for slot in after["slots"])
    # the SOP site lists it with the plan's review questions
    listing = (site / "incidents/index.html").read_text(encoding="utf-8")
    assert "十二月的投诉" in listing
    detail = (site / "demo/incidents/december-complaint/index.html").read_text(encoding="utf-8")
    assert "为什么没有更早发现" in detail and "游戏" in detail


def test_an_incident_is_checked_like_every_source(scratch: ScratchProject) -> None:
    scratch.write("playbooks/demo/incidents/december-complaint.yaml",
                  INCIDENT.replace("plan: complaint", "plan: complain").replace("level: P1", "level: P1"))
    problems = scratch.validate().problems()
    assert [(p["code"], p["path"], p["line"]) for p in problems] == [("unknown-ref", "plan", 3)]
    assert "complaint" in problems[0]["message"]


def git(root: Path, *args: str, date: str = "2026-11-20T10:00:00+08:00") -> None:
    env = {**os.environ, "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date,
           "GIT_AUTHOR_NAME": "编辑", "GIT_AUTHOR_EMAIL": "e@example.com",
           "GIT_COMMITTER_NAME": "编辑", "GIT_COMMITTER_EMAIL": "e@example.com"}
    subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True)


def test_pages_and_packs_show_when_they_last_changed(scratch: ScratchProject) -> None:
    git(scratch.root, "init", "-q")
    git(scratch.root, "add", "-A")
    git(scratch.root, "commit", "-qm", "第一版方案")
    scratch.write("content_library/posts/liked/road-story.md",
                  "---\nid: road-story\ntitle: 路上的故事（新）\ncategory: liked\ntags: [故事]\ntiers: [c-store]\n"
                  "---\n昨晚服务区一位老哥帮陌生人换胎，暖心。\n")
    git(scratch.root, "add", "-A")
    git(scratch.root, "commit", "-qm", "改了一个故事", date="2026-11-25T09:00:00+08:00")
    site = build(scratch, env=COMMIT_CLOCK)  # the commits are this test's clock
    tier = (site / "demo/tiers/c-store/index.html").read_text(encoding="utf-8")
    assert "最后更新：2026-11-20" in tier
    monday = (site / "packs/week/2026-12-07/index.html").read_text(encoding="utf-8")
    assert "最后更新：2026-11-25" in monday  # it sends the story changed on the 25th
    tuesday = (site / "packs/week/2026-12-01/index.html").read_text(encoding="utf-8")
    assert "最后更新：2026-11-20" in tuesday  # the game, unchanged
    changes = (site / "changes/index.html").read_text(encoding="utf-8")
    assert changes.index("改了一个故事") < changes.index("第一版方案")
    assert re.search(r'修改 帖子：<a href="[^"]*library/liked/#road-story">路上的故事（新）</a>', changes)
    # the same sources build the same dates, whatever day it is now
    again = build(scratch, env={"SOURCE_DATE_EPOCH": "1798761600"})  # 2027
    assert "改了一个故事" in (again / "changes/index.html").read_text(encoding="utf-8")


@pytest.mark.browser
def test_today_page_shows_a_chosen_day_without_a_rebuild(minimal_site: Path, phone) -> None:  # type: ignore[no-untyped-def]
    with serve(minimal_site) as base:
        phone.get(base + "today/?date=2026-12-07")
        WebDriverWait(phone, 10).until(
            lambda d: "2026-12-07" in d.find_element(By.ID, "qs-today-status").text)
        WebDriverWait(phone, 10).until(
            lambda d: "08:00" in d.find_element(By.ID, "qs-today-calendars").text)
        calendars = phone.find_element(By.ID, "qs-today-calendars").text
        assert "一周排期" in calendars and "冬天胎压怎么看" in calendars
        assert "打开这天的推送包" in calendars
        campaigns = phone.find_element(By.ID, "qs-today-campaigns").text
        assert "十二月销售PK：第 7 天" in campaigns
        relative = phone.find_element(By.ID, "qs-today-relative").text
        assert "2026-12-06 建的群，2026-12-07 是第 2 天" in relative
        # another day, chosen on the page: the closed November incident shows up
        phone.execute_script("const box = document.getElementById('qs-day');"
                             "box.value = '2026-11-01'; box.dispatchEvent(new Event('change'));")
        WebDriverWait(phone, 10).until(
            lambda d: "十一月的一次投诉" in d.find_element(By.ID, "qs-today-incidents").text)
        assert "这天不在排期范围内" in phone.find_element(By.ID, "qs-today-calendars").text


@pytest.mark.browser
@pytest.mark.parametrize("wanted", ["2026-02-30", "%3Cb%3E%E5%B9%B3%E5%8F%B0%E9%80%9A%E7%9F%A5%3C/b%3E"])
def test_a_bad_date_in_the_link_gets_a_fixed_message_and_today(minimal_site: Path, phone, wanted: str) -> None:  # type: ignore[no-untyped-def]
    with serve(minimal_site) as base:
        phone.get(base + "today/?date=" + wanted)
        WebDriverWait(phone, 10).until(
            lambda d: "链接有误：日期不对" in d.find_element(By.ID, "qs-today-status").text)
        today = phone.execute_script("return document.getElementById('qs-day').value")
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", today) and today != "2026-02-30"
        text = phone.find_element(By.TAG_NAME, "body").text
        assert "2026-02-30" not in text and "平台通知" not in text
        WebDriverWait(phone, 10).until(  # the whole page is drawn for today
            lambda d: d.find_element(By.ID, "qs-today-calendars").text.strip() != "")


@pytest.mark.browser
def test_escalation_card_prints_on_one_page(minimal_site: Path, phone) -> None:  # type: ignore[no-untyped-def]
    with serve(minimal_site) as base:
        phone.get(base + "demo/escalations/complaint/")
        pdf = base64.b64decode(phone.execute_cdp_cmd("Page.printToPDF", {})["data"])
        assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1
        phone.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
        try:
            visible = phone.execute_script(
                "return [...document.querySelectorAll('.md-content__inner > *, .qs-screen-only')]"
                ".filter(e => getComputedStyle(e).display !== 'none').map(e => e.className)")
        finally:
            phone.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
        assert visible == ["qs-card"]


def test_step_times_read_as_people_say_them() -> None:
    assert [minutes_text(m) for m in (5, 90, 120, 1440, 4320, 0)] == [
        "5 分钟", "90 分钟", "2 小时", "1 天", "3 天", "0 分钟"]
