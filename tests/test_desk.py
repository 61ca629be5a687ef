"""The operator's desk: the today page, incidents that pause packs, what changed, the print card."""

from __future__ import annotations

import base64
import io
import json
import logging
import os
import re
import subprocess
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import icalendar
import pytest
from pdfminer.high_level import extract_pages
from pdfminer.layout import LTChar, LTPage
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


def change_section(page: str, heading: str) -> str:
    """The text of one commit's section of the 变更记录 page (tags kept)."""
    start = page.index(heading, page.index("<article"))  # not the table of contents
    end = page.find("<h2", start)
    return page[start:end if end > 0 else len(page)]


def test_changes_show_chinese_summaries_authors_pages_pack_days_and_media(
        scratch: ScratchProject) -> None:
    git(scratch.root, "init", "-q")
    git(scratch.root, "add", "-A")
    git(scratch.root, "commit", "-qm", "Initial import")
    post = scratch.root / "content_library/posts/needed/tyre-pressure.md"
    post.write_text(post.read_text(encoding="utf-8") + "出车前看一眼胎压。\n", encoding="utf-8")
    scratch.write_bytes("content_library/assets/pressure.png",
                        (scratch.root / "content_library/assets/pressure.png").read_bytes() + b"\0")
    git(scratch.root, "add", "-A")
    git(scratch.root, "commit", "-qm", "冬天胎压帖补一句出车前检查，换了配图",
        date="2026-11-25T09:00:00+08:00")
    story = scratch.root / "content_library/posts/liked/road-story.md"
    story.write_text(story.read_text(encoding="utf-8") + "大家路上小心。\n", encoding="utf-8")
    git(scratch.root, "add", "-A")
    git(scratch.root, "commit", "-qm", "Tweak story\n\n变更说明：路上的故事加一句提醒", date="2026-11-26T09:00:00+08:00")
    scratch.write("playbooks/demo/tiers/c-store.yaml",
                  (scratch.root / "playbooks/demo/tiers/c-store.yaml").read_text(encoding="utf-8")
                  .replace("name: 门店车友群", "name: 门店车友群（新）"))
    git(scratch.root, "add", "-A")
    git(scratch.root, "commit", "-qm", "Rename tier", date="2026-11-27T09:00:00+08:00")
    page = (build(scratch, env=COMMIT_CLOCK) / "changes/index.html").read_text(encoding="utf-8")
    # a Chinese subject is the summary; who and when
    chinese = change_section(page, "2026-11-25 · 冬天胎压帖补一句出车前检查，换了配图")
    assert "编辑 提交" in chinese and "自动写的摘要" not in chinese
    # the page, and the pack days that send the post, linked
    assert re.search(r'修改 帖子：<a href="[^"]*library/needed/#tyre-pressure">冬天胎压怎么看</a>', chinese)
    assert re.search(r'推送包：<a [^；]*<a href="[^"]*packs/week/2026-12-07/">一周排期 12月7日</a>', chinese)
    # the picture shown as a picture, with the post it is in
    assert re.search(r"修改 图片：<code>pressure\.png</code>（用在 <a [^>]*>冬天胎压怎么看</a>）", chinese)
    assert "content_library/assets" not in chinese
    # an English subject: its 变更说明 trailer, or a summary made from what changed
    assert "2026-11-26 · 路上的故事加一句提醒" in page and "Tweak story" not in page
    assert "2026-11-27 · 修改 1 个群层级" in page and "Rename tier" not in page
    assert "自动写的摘要" in change_section(page, "2026-11-27 · ")


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


A4_POINTS = (595, 842)
RADICALS = str.maketrans("⻔⻋⻚⻓⻅⻜⻢⻛⻰⻄", "门车页长见飞马风龙西")  # NFKC leaves these
SMALLEST_POINTS = 11.5  # 12pt type as Chromium writes it (11.7): readable at arm's length


def card_pdf(driver, url: str) -> tuple[list[LTPage], list[float], str]:  # type: ignore[no-untyped-def]
    """The page printed as the browser prints it (A4 from the page's CSS): its pages, the size
    of every character and the text."""
    driver.get(url)
    pdf = base64.b64decode(driver.execute_cdp_cmd("Page.printToPDF", {"preferCSSPageSize": True})["data"])
    logging.getLogger("pdfminer").setLevel(logging.ERROR)  # Chromium's CJK fonts lack a FontBBox
    pages = list(extract_pages(io.BytesIO(pdf)))
    sizes: list[float] = []
    text: list[str] = []

    def walk(node) -> None:  # type: ignore[no-untyped-def]
        if isinstance(node, LTChar):
            sizes.append(node.size)
            text.append(node.get_text())
        elif hasattr(node, "__iter__"):
            for child in node:
                walk(child)
    for page in pages:
        walk(page)
    # the PDF's fonts map some characters to radicals (⾥ for 里, ⻔ for 门): read them as people do
    plain = unicodedata.normalize("NFKC", "".join(text)).translate(RADICALS)
    return pages, sizes, plain.replace(" ", "")


@pytest.mark.browser
def test_the_complaint_card_prints_on_one_a4_page_readable_at_arms_length(  # type: ignore[no-untyped-def]
        example_site: Path, phone) -> None:
    with serve(example_site) as base:
        pages, sizes, text = card_pdf(phone, base + "truck-tyres/escalations/product-complaint/")
        assert len(pages) == 1 and (round(pages[0].width), round(pages[0].height)) == A4_POINTS
        assert min(sizes) >= SMALLEST_POINTS, min(sizes)
        # the first three steps with their times, the night rule, the chain, the scripts
        for expected in ("先做这三步", "5分钟内·门店老板", "15分钟内·门店老板", "30分钟内·门店老板",
                         "夜间和休息时间", "不等天亮", "找谁", "30分钟未解决", "区域经理",
                         "400-000-6688", "138-0000-0001", "照着发", "夜间先发", "这事我们很重视"):
            assert expected in text, expected
        assert "征得客户同意" not in text  # the later steps stay on the page
        # every plan of the example fits its card on one page
        for plan in sorted((example_site / "truck-tyres/escalations").iterdir()):
            pages, sizes, _ = card_pdf(phone, f"{base}truck-tyres/escalations/{plan.name}/")
            assert len(pages) == 1 and min(sizes) >= SMALLEST_POINTS, plan.name


def test_step_times_read_as_people_say_them() -> None:
    assert [minutes_text(m) for m in (5, 90, 120, 1440, 4320, 0)] == [
        "5 分钟", "90 分钟", "2 小时", "1 天", "3 天", "0 分钟"]
