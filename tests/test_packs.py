"""Push packs as store owners get them: the files, their text and the ICS feed."""

from __future__ import annotations

import datetime as dt
import html
import json
import re
import shutil
from pathlib import Path
from urllib.parse import urljoin

import icalendar
import yaml

from conftest import AUTHORED_CLOCK, AUTHORED_EPOCH, MINIMAL, REPO, build_copy, run_qunsop

PACKS = "packs/week"


def read(site: Path, relative: str) -> str:
    return (site / relative).read_text(encoding="utf-8")


def test_every_day_of_a_dated_calendar_has_a_pack(minimal_site: Path) -> None:
    days = sorted(p.name for p in (minimal_site / PACKS).iterdir() if p.is_dir())
    assert days == [f"2026-12-0{n}" for n in range(1, 8)] + ["today"]
    for day in days[:-1]:
        for name in ("index.html", "pack.txt", "pack.json"):
            assert (minimal_site / PACKS / day / name).is_file()


def test_relative_calendar_uses_day_numbers(minimal_site: Path) -> None:
    assert (minimal_site / "packs/launch/day-01/index.html").is_file()
    assert (minimal_site / "packs/launch/day-02/pack.txt").is_file()
    assert not (minimal_site / "packs/launch/calendar.ics").exists()


def test_pack_text_lists_slots_in_time_order_with_exact_bodies(minimal_site: Path) -> None:
    text = read(minimal_site, f"{PACKS}/2026-12-07/pack.txt")
    body = (MINIMAL / "content_library/posts/needed/tyre-pressure.md").read_text().split("---\n")[2]
    assert body.strip() in text
    assert text.index("【1】08:00") < text.index("【2】20:00")
    assert text.count("【") == 2


def test_campaign_announcement_is_inserted_into_its_tiers_pack(minimal_site: Path) -> None:
    text = read(minimal_site, f"{PACKS}/2026-12-02/pack.txt")
    assert "【1】12:00 · PK 开始" in text and "十二月销售PK今天开始！" in text
    assert "十二月销售PK" not in read(minimal_site, f"{PACKS}/2026-12-01/pack.txt")


def test_pack_json_has_documented_shape(minimal_site: Path) -> None:
    data = json.loads(read(minimal_site, f"{PACKS}/2026-12-07/pack.json"))
    assert data["calendar"] == {"id": "week", "name": "一周排期"}
    assert data["day"]["date"] == "2026-12-07" and data["day"]["weekday"] == "周一"
    first = data["slots"][0]
    assert set(first) == {"number", "time", "channel", "category", "kind", "id", "title", "text",
                          "media", "links", "note", "task", "origin", "held", "steps"}
    assert set(data) == {"calendar", "day", "notices", "slots"}
    assert first["media"][0]["url"] == "https://demo.qunsop.cn/assets/content/pressure.png"
    assert [slot["time"] for slot in data["slots"]] == ["08:00", "20:00"]


def test_pack_page_marks_placeholders_and_links_days(minimal_site: Path) -> None:
    page = read(minimal_site, f"{PACKS}/2026-12-07/index.html")
    assert '<mark data-ph="门店名">{门店名}</mark>' in page
    assert 'href="../2026-12-06/"' in page and 'href="../2026-12-08/"' not in page
    assert 'loading="lazy"' in page
    assert "search_index" not in page and "stylesheet" not in page
    assert 'width="' in page and 'height="' in page  # images reserve their space


def test_a_game_comes_whole_in_the_page_and_in_pack_txt(example_site: Path) -> None:
    game = yaml.safe_load((REPO / "content_library/games/tyre-knowledge-contest.md").read_text(
        encoding="utf-8").split("---\n")[1])
    day = example_site / "packs/c-store-daily/2026-12-04"
    text = (day / "pack.txt").read_text(encoding="utf-8")
    played = [r["questions"] for r in game["rounds"] if f"第一题：{r['questions'][0]['ask']}\n" in text]
    assert len(played) == 1, "one round of the bank"
    (first, second, third), = played
    lines = [game["steps"][0]["host_line"], f"第一题：{first['ask']}",  # opener, questions with answers
             f"上一题答案：{first['answer']}\n第二题：{second['ask']}",
             f"上一题答案：{second['answer']}\n第三题：{third['ask']}",
             f"最后一题答案：{third['answer']}", game["steps"][1]["host_line"]]  # then the winners
    for number, line in enumerate(lines, start=1):
        assert re.search(rf"第 {number} 步（第 \d+ 分钟）：\n{re.escape(line)}\n", text), line
    assert "道具和预算：" + "；".join(game["props"]) in text  # the budget
    assert "冷场怎么办：" in text
    page = (day / "index.html").read_text(encoding="utf-8")
    number = re.search(r'<section class="qs-slot" id="slot-(\d+)"[^>]*>\s*<div class="qs-head">'
                       r'<span class="qs-time">20:30</span><span class="qs-title">游戏：轮胎知识赛', page)
    assert number, "the game's slot"
    ids = [f"text-{number.group(1)}"] + [f"text-{number.group(1)}-{n}" for n in range(2, 7)]
    for text_id, line in zip(ids, lines, strict=True):  # each step has its own 复制
        assert f'data-copy="{text_id}"' in page
        assert f'<div class="qs-text" id="{text_id}">{html.escape(line, quote=False)}</div>' in page


def test_packs_never_link_into_operator_pages(example_site: Path) -> None:
    found = set()
    for path in (example_site / "packs").glob("*/*/index.html"):
        page_url = "https://s/" + path.parent.relative_to(example_site).as_posix() + "/"
        for href in re.findall(r'<a [^>]*href="([^"]+)"', path.read_text(encoding="utf-8")):
            target = urljoin(page_url, href)
            if target.startswith("https://s/") and not target.startswith("https://s/packs/"):
                found.add(target)
    assert found == set()


def test_pick_rotates_and_is_deterministic(minimal_site: Path, tmp_path: Path) -> None:
    picks = [json.loads(read(minimal_site, f"{PACKS}/{day}/pack.json"))["slots"]
             for day in ("2026-12-03", "2026-12-07")]
    assert picks[0][0]["id"] == "road-story" and picks[1][1]["id"] == "road-story"
    # a second, separate build of the same sources picks exactly the same posts
    again = build_copy(MINIMAL, tmp_path / "again")
    for day in sorted(p.name for p in (minimal_site / PACKS).iterdir() if p.name.startswith("2026")):
        assert read(again, f"{PACKS}/{day}/pack.json") == read(minimal_site, f"{PACKS}/{day}/pack.json")


def test_ics_feed_parses_with_local_times_and_stable_uids(minimal_site: Path) -> None:
    raw = (minimal_site / PACKS / "calendar.ics").read_bytes()
    feed = icalendar.Calendar.from_ical(raw)
    events = list(feed.walk("VEVENT"))
    slot_count = sum(len(json.loads(read(minimal_site, f"{PACKS}/2026-12-0{n}/pack.json"))["slots"])
                     for n in range(1, 8))
    assert len(events) == slot_count == 5
    first = min(events, key=lambda e: e.decoded("dtstart"))
    start = first.decoded("dtstart")
    assert start == dt.datetime(2026, 12, 1, 20, 0, tzinfo=start.tzinfo)
    assert str(start.tzinfo) == "Asia/Shanghai"
    assert feed.walk("VTIMEZONE"), "time zone definition missing"
    uids = [str(e["uid"]) for e in events]
    assert len(set(uids)) == len(uids)
    assert "各位老哥晚上好" in str(first["description"])
    assert b"\r\n" in raw and re.search(rb"^DTSTAMP:", raw, re.M)


def test_qr_code_of_today_url_on_calendar_page(minimal_site: Path) -> None:
    page = read(minimal_site, "demo/calendars/week/index.html")
    assert "<svg" in page and "https://demo.qunsop.cn/packs/week/today/" in page


def test_pack_command_prints_the_same_text_as_pack_txt(minimal_site: Path) -> None:
    run = run_qunsop("pack", "week", str(MINIMAL), "--date", "2026-12-02")
    assert run.exit_code == 0, run.output
    assert "\ufeff" + run.stdout == read(minimal_site, f"{PACKS}/2026-12-02/pack.txt")
    relative = run_qunsop("pack", "launch", str(MINIMAL), "--day", "2")
    assert "\ufeff" + relative.stdout == read(minimal_site, "packs/launch/day-02/pack.txt")


def test_pack_command_usage_errors_exit_2() -> None:
    wrong = run_qunsop("pack", "wek", str(MINIMAL), "--date", "2026-12-02")
    assert wrong.exit_code == 2 and "是不是 `week`" in wrong.output
    outside = run_qunsop("pack", "week", str(MINIMAL), "--date", "2027-01-09")
    assert outside.exit_code == 2 and "2026-12-01 ~ 2026-12-07" in outside.output
    assert "Traceback" not in wrong.output + outside.output


def test_every_scheduled_slot_appears_once_in_order_with_exact_text(minimal_site: Path) -> None:
    from qunsop.packs import TEXT_BOM, pack_contexts, pack_day, pack_text
    from qunsop.pipeline import CheckOptions, check_project

    checked = check_project(MINIMAL, CheckOptions(AUTHORED_CLOCK))
    contexts = pack_contexts(checked, "https://demo.qunsop.cn/")
    for schedule in checked.schedules.values():
        for day in schedule.days:
            folder = minimal_site / "packs" / schedule.calendar.id / day.key
            text = (folder / "pack.txt").read_text(encoding="utf-8")
            data = json.loads((folder / "pack.json").read_text(encoding="utf-8"))
            assert text == TEXT_BOM + pack_text(pack_day(schedule, day, contexts[schedule.calendar.id]))
            assert [s["time"] for s in data["slots"]] == [slot.time for slot in day.slots]
            position = 0
            for slot in pack_day(schedule, day, contexts[schedule.calendar.id]).slots:
                found = text.find(slot.text, position)
                assert found != -1, f"{slot.text[:20]} missing or out of order on {day.key}"
                assert text.count(slot.text) == 1
                position = found + len(slot.text)


def test_items_are_listed_in_time_order_across_channels(example_site: Path) -> None:
    pages = list((example_site / "packs").glob("*/*/index.html"))
    assert len(pages) > 200
    mixed = 0
    for path in pages:
        page = path.read_text(encoding="utf-8")
        times = re.findall(r'<section class="qs-slot" id="slot-\d+" data-time="([\d:]+)"', page)
        assert times == sorted(times), path
        mixed += 'class="qs-where"' in page and bool(times)
    assert mixed > 20


def test_the_store_form_lists_only_the_fields_the_calendars_posts_use(example_site: Path) -> None:
    for calendar in ("c-store-daily", "c-supplies-daily", "b-main-daily"):
        used: set[str] = set()
        for path in (example_site / "packs" / calendar).glob("*/pack.json"):
            for slot in json.loads(path.read_text(encoding="utf-8"))["slots"]:
                texts = [slot["text"], *(step["text"] for step in slot["steps"])]
                used |= {name for text in texts for name in re.findall(r"\{([^{}\s]{1,20})\}", text)}
        page = (example_site / "packs" / calendar / "2026-12-07/index.html").read_text(encoding="utf-8")
        assert set(re.findall(r'data-ph-input="([^"]+)"', page)) == used
        assert ('id="profile"' in page) == bool(used)
    page = (example_site / "packs/c-store-daily/2026-12-07/index.html").read_text(encoding="utf-8")
    assert "防冻液活动价" not in page.split('<script type="application/json"')[0]


def test_a_quiz_never_repeats_its_questions_for_a_group_within_8_weeks(example_site: Path) -> None:
    plays: dict[str, list[tuple[dt.date, str]]] = {}
    for path in sorted((example_site / "packs").glob("*/20*/pack.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        for slot in data["slots"]:
            if slot["id"] == "tyre-knowledge-contest" and not slot["held"]:
                first = next(step["text"] for step in slot["steps"] if "第一题" in step["text"])
                plays.setdefault(data["calendar"]["id"], []).append(
                    (dt.date.fromisoformat(data["day"]["date"]), first))
    assert set(plays) == {"c-store-daily", "c-koc-daily"} and sum(map(len, plays.values())) >= 7
    for found in plays.values():
        for index, (day, question) in enumerate(found):
            assert all(question != other for when, other in found[:index] if (day - when).days < 56)
    # c-store's members move on to c-koc (flows_to): never the same quiz on the same day
    store = dict(plays["c-store-daily"])
    assert all(store.get(day) != question for day, question in plays["c-koc-daily"])


def test_a_question_bank_too_small_for_8_weeks_is_an_error(scratch) -> None:  # type: ignore[no-untyped-def]
    game = scratch.root / "content_library/games/warmup.md"
    game.write_text(game.read_text(encoding="utf-8").replace(
        "fallback: [请托先接话]\n",
        "fallback: [请托先接话]\nrounds:\n  - questions:\n      - {ask: 一加一等于几？, answer: 二}\n"),
        encoding="utf-8")
    calendar = scratch.root / "playbooks/demo/calendars/week.yaml"
    calendar.write_text(calendar.read_text(encoding="utf-8") + (
        "      - time: \"20:00\"\n        category: game\n        game: warmup\n"), encoding="utf-8")
    run = scratch.validate()
    short = [p for p in run.problems() if p["code"] == "quiz-bank-short"]
    assert run.exit_code == 1 and len(short) == 1, run.output
    assert short[0]["file"] == "playbooks/demo/calendars/week.yaml"
    assert short[0]["path"] == "overrides[0].slots[1]" and "2026-12-03" in short[0]["message"]
    assert "rounds" in short[0]["message"]


def test_a_calendar_sent_by_the_group_assistant_has_no_store_form(tmp_path: Path) -> None:
    project = tmp_path / "project"
    shutil.copytree(MINIMAL, project)
    calendar = project / "playbooks/demo/calendars/launch.yaml"
    calendar.write_text(calendar.read_text(encoding="utf-8").replace(
        "tiers: [c-store]\n", "tiers: [c-store]\nsender: assistant\n"), encoding="utf-8")
    site = project / "site"
    run = run_qunsop("build", str(project), env={"SOURCE_DATE_EPOCH": AUTHORED_EPOCH})
    assert run.exit_code == 0, run.output
    page = read(site, "packs/launch/day-01/index.html")
    assert 'id="profile"' not in page and "data-open-profile" not in page
    assert "私聊发给运营" in page and "发到店主群" not in page
    assert 'id="receipt-store"' not in page
    owner = read(site, "packs/week/2026-12-07/index.html")  # the same tier, sent by the owner
    assert 'id="profile"' in owner and "发到店主群" in owner


def test_the_ics_writer_escapes_and_folds_as_the_shared_vectors_say() -> None:
    """The phone fills a store's details into the personal feed with the same rules
    (tests/js/pack.test.js checks js/today.js against the same vectors)."""
    from qunsop.packs import fold, ics_text

    rules = json.loads((REPO / "tests/js/fixtures/ics_text.json").read_text(encoding="utf-8"))
    assert len(rules["escaped"]) >= 4 and len(rules["folded"]) >= 6
    for text, escaped in rules["escaped"]:
        assert ics_text(text) == escaped
    for line, folded in rules["folded"]:
        assert fold(line) == folded
        assert all(len(part.encode()) <= 75 for part in folded.split("\r\n"))
