"""Schedule sense: each rule fires where the slot was written, once per slot, and obeys qunsop.yaml."""

from __future__ import annotations

import pytest

from conftest import ScratchProject

WEEK = "playbooks/demo/calendars/week.yaml"
LAUNCH = "playbooks/demo/calendars/launch.yaml"
STORY = "content_library/posts/liked/road-story.md"


def story(body: str, tags: str = "[故事]") -> str:
    return f"---\nid: road-story\ntitle: 路上的故事\ncategory: liked\ntags: {tags}\ntiers: [c-store]\n---\n{body}\n"


def found(scratch: ScratchProject, code: str) -> list[dict]:
    return [p for p in scratch.validate().problems() if p["code"] == code]


def test_greeting_at_the_wrong_time_is_reported_at_the_slot(scratch: ScratchProject) -> None:
    scratch.write(STORY, story("各位早上好！昨晚服务区一位老哥帮陌生人换胎。"))
    problems = found(scratch, "time-word")
    # the story is picked at 20:00 on Mondays and 09:00 on the 3rd: the evening slot is wrong
    assert [(p["file"], p["path"], p["severity"]) for p in problems] == [
        (WEEK, "weekly.mon.slots[1]", "warning")]
    assert "早上好" in problems[0]["message"] and "20:00" in problems[0]["message"]
    assert problems[0]["line"] == 12


def test_weekday_words_in_a_day_n_calendar(scratch: ScratchProject) -> None:
    scratch.write("content_library/posts/needed/tyre-pressure.md",
                  "---\nid: tyre-pressure\ntitle: 胎压\ncategory: needed\ntags: [保养]\ntiers: [c-store]\n"
                  "---\n每周五来{门店名}免费测胎压。\n")
    problems = found(scratch, "weekday-word")
    assert [p["file"] for p in problems] == [LAUNCH]
    assert "周五" in problems[0]["message"]


def test_a_dated_day_that_names_the_wrong_weekday(scratch: ScratchProject) -> None:
    # Monday 2026-12-07 and the override on Thursday 12-03 both pick the story
    scratch.write(STORY, story("今天周一，新的一周开始了，路上注意安全。"))
    problems = found(scratch, "weekday-word")
    assert len(problems) == 1 and problems[0]["path"] == "overrides[0].slots[0]"
    assert "2026-12-03" in problems[0]["message"] and "周四" in problems[0]["message"]


def test_the_same_post_again_within_the_window(scratch: ScratchProject) -> None:
    scratch.write("qunsop.yaml", "lint:\n  severity:\n    below-cadence: off\n")
    problems = found(scratch, "repeat-post")
    assert [(p["path"], p["severity"]) for p in problems] == [("weekly.mon.slots[1]", "warning")]
    assert "4 天前" in problems[0]["message"]


def test_the_same_tag_too_often_in_one_day(scratch: ScratchProject) -> None:
    scratch.write("qunsop.yaml", "lint:\n  severity:\n    below-cadence: off\n"
                  "  repeat_within_days: 0\n  max_same_tag_per_day: 1\n")
    scratch.write(WEEK, (scratch.root / WEEK).read_text(encoding="utf-8").replace(
        "      - time: \"20:00\"\n        category: liked\n        pick: {tag: 故事}\n",
        "      - time: \"20:00\"\n        category: liked\n        pick: {tag: 故事}\n"
        "      - time: \"21:00\"\n        category: liked\n        pick: {tag: 故事}\n"))
    problems = found(scratch, "same-tag-day")
    assert [p["path"] for p in problems] == ["weekly.mon.slots[2]"]


def test_a_time_that_has_passed_when_the_text_goes_out(scratch: ScratchProject) -> None:
    scratch.write("content_library/posts/liked/pk-start.md",
                  "---\nid: pk-start\ntitle: PK 开始\ncategory: activity\ntiers: [c-store]\n"
                  "valid_from: 2026-12-01\nvalid_until: 2026-12-31\n---\n今天上午10点PK开始！\n")
    problems = found(scratch, "announcement-time")
    # the campaign announces it at 12:00: reported in the campaign file, at the announcement
    assert [(p["file"], p["path"]) for p in problems] == [
        ("playbooks/demo/campaigns/pk.yaml", "announcements[0].time")]


def test_three_adverts_in_a_row_on_moments(scratch: ScratchProject) -> None:
    slots = "".join(f"      - time: \"{hour}:00\"\n        category: activity\n        channel: moments\n"
                    f"        post: pk-start\n" for hour in (10, 11, 12))
    scratch.write("content_library/posts/liked/pk-start.md",
                  "---\nid: pk-start\ntitle: PK 开始\ncategory: activity\ntiers: [c-store]\n---\n一起来PK！\n")
    text = (scratch.root / WEEK).read_text(encoding="utf-8")
    scratch.write(WEEK, text.replace("  tue:\n    slots:\n", "  tue:\n    slots:\n" + slots))
    scratch.write("qunsop.yaml", "lint:\n  severity:\n    below-cadence: off\n    repeat-post: off\n")
    problems = found(scratch, "moments-ads")
    assert [p["path"] for p in problems] == ["weekly.tue.slots[2]"]


def test_a_tier_with_a_cadence_and_no_calendar(scratch: ScratchProject) -> None:
    tier = "playbooks/demo/tiers/b-main.yaml"
    scratch.write(tier, (scratch.root / tier).read_text(encoding="utf-8").replace(
        "posts_per_day: 0", "posts_per_day: 2"))
    problems = found(scratch, "tier-without-calendar")
    assert [(p["file"], p["path"]) for p in problems] == [(tier, "posts_per_day")]


def test_an_announcement_that_reaches_no_calendar(scratch: ScratchProject) -> None:
    campaign = "playbooks/demo/campaigns/pk.yaml"
    scratch.write(campaign, (scratch.root / campaign).read_text(encoding="utf-8").replace(
        "{date: 2026-12-02,", "{date: 2026-12-20,"))
    problems = found(scratch, "unscheduled-announcement")
    assert [(p["file"], p["path"]) for p in problems] == [(campaign, "announcements[0].date")]


def test_a_post_no_calendar_can_ever_pick(scratch: ScratchProject) -> None:
    scratch.write("content_library/posts/needed/orphan.md",
                  "---\nid: orphan\ntitle: 孤儿帖\ncategory: needed\ntags: [没人挑]\ntiers: [c-store]\n"
                  "---\n这条没有排期会用到。\n")
    problems = found(scratch, "never-scheduled")
    assert [p["file"] for p in problems] == ["content_library/posts/needed/orphan.md"]


@pytest.mark.parametrize("level", ["error", "off"])
def test_severity_comes_from_qunsop_yaml(scratch: ScratchProject, level: str) -> None:
    scratch.write(STORY, story("各位早上好！"))
    scratch.write("qunsop.yaml", f"lint:\n  severity:\n    below-cadence: off\n    time-word: {level}\n"
                  "  repeat_within_days: 3\n")
    run = scratch.validate()
    matching = [p for p in run.problems() if p["code"] == "time-word"]
    if level == "off":
        assert matching == [] and run.exit_code == 0
    else:
        assert matching[0]["severity"] == "error" and run.exit_code == 1
