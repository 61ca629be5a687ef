"""Doubled posts: groups that share members get each post, game and festival post once a day,
and a quiz with written-in questions rests 8 weeks for the same people."""

from __future__ import annotations

from conftest import ScratchProject, run_qunsop

KOC_TIER = """\
id: c-koc
name: 团长群
side: C
purposes: [推荐]
audience: 团长
lifecycle: persistent
posts_per_day: 1
owner: owner
{shares}
"""

KOC_WEEK = """\
id: koc-week
name: 团长群一周
tiers: [c-koc]
start: {start}
end: {end}
weekly:
  thu:
    slots:
      - time: "12:00"
        category: liked
        pick: {{tag: 故事}}
  tue:
    slots:
      - time: "21:00"
        category: game
        game: warmup
"""

STORY = """\
---
id: {id}
title: {title}
category: liked
tags: [故事]
tiers: [c-store, c-koc]
---
{body}
"""


def setup(scratch: ScratchProject, shares: bool, start: str = "2026-12-01",
          end: str = "2026-12-07", quiz: bool = False) -> None:
    scratch.write("playbooks/demo/tiers/c-koc.yaml",
                  KOC_TIER.format(shares="shares_members_with: [c-store]" if shares else ""))
    scratch.write("playbooks/demo/calendars/koc-week.yaml", KOC_WEEK.format(start=start, end=end))
    for path in ("content_library/games/warmup.md", "content_library/posts/liked/road-story.md"):
        source = scratch.root / path
        text = source.read_text(encoding="utf-8").replace("tiers: [c-store]", "tiers: [c-store, c-koc]")
        text = text.replace("quiz: true\n", "")
        if quiz and path.endswith("warmup.md"):
            text = text.replace("steps:", "quiz: true\nsteps:")
        source.write_text(text, encoding="utf-8")


def found(scratch: ScratchProject, rule: str) -> list[dict]:
    return [p for p in scratch.validate().problems() if p["code"] == rule]


def test_same_game_and_post_for_shared_members_on_one_day(scratch: ScratchProject) -> None:
    setup(scratch, shares=True)
    doubled = found(scratch, "doubled-post")
    messages = sorted(p["message"] for p in doubled)
    # the game on Tuesday 12-01 in both; the only story is picked on Thursday 12-03 in both
    assert any(m.startswith("2026-12-01：游戏「红包暖场」排期 `") for m in messages), messages
    assert any(m.startswith("2026-12-03：帖子「路上的故事」") for m in messages), messages
    assert all(p["severity"] == "warning" and p["file"] == "playbooks/demo/calendars/week.yaml"
               for p in doubled), doubled


def test_groups_without_shared_members_are_not_flagged(scratch: ScratchProject) -> None:
    setup(scratch, shares=False)
    assert found(scratch, "doubled-post") == []


def test_a_pick_chooses_another_post_when_shared_members_already_get_one(
        scratch: ScratchProject) -> None:
    setup(scratch, shares=True)
    scratch.write("content_library/posts/liked/night-noodles.md",
                  STORY.format(id="night-noodles", title="深夜的一碗面", body="服务区的面馆还亮着灯。"))
    assert not any("帖子" in p["message"] for p in found(scratch, "doubled-post"))
    packs = [run_qunsop("pack", calendar, str(scratch.root), "--date", "2026-12-03")
             for calendar in ("week", "koc-week")]
    assert all(run.exit_code == 0 for run in packs), [run.output for run in packs]
    titles = [{t for t in ("路上的故事", "深夜的一碗面") if t in run.output} for run in packs]
    assert titles[0] and titles[1] and titles[0] != titles[1], [run.output for run in packs]


def test_a_quiz_rests_eight_weeks_for_the_same_people(scratch: ScratchProject) -> None:
    setup(scratch, shares=True, start="2026-12-08", end="2026-12-14", quiz=True)
    repeats = found(scratch, "repeat-quiz")
    assert len(repeats) == 1 and repeats[0]["file"] == "playbooks/demo/calendars/koc-week.yaml"
    assert repeats[0]["message"].startswith("2026-12-08：问答「红包暖场」排期 `week`不到 56 天前刚玩过")
    setup(scratch, shares=True, start="2026-12-08", end="2026-12-14", quiz=False)
    assert found(scratch, "repeat-quiz") == []
    setup(scratch, shares=True, start="2027-01-26", end="2027-02-01", quiz=True)
    assert found(scratch, "repeat-quiz") == []  # 8 weeks after 12-01


def test_two_festival_posts_for_shared_members_on_one_day(scratch: ScratchProject) -> None:
    setup(scratch, shares=True)
    story = scratch.root / "content_library/posts/liked/road-story.md"
    story.write_text(story.read_text(encoding="utf-8").replace("tags: [故事]", "tags: [故事, 节日]"),
                     encoding="utf-8")
    scratch.write("content_library/posts/liked/night-noodles.md",
                  STORY.format(id="night-noodles", title="深夜的一碗面", body="服务区的面馆还亮着灯。")
                  .replace("tags: [故事]", "tags: [故事, 节日]"))
    festival = [p for p in found(scratch, "doubled-post") if "节日帖" in p["message"]]
    assert len(festival) == 1 and festival[0]["message"].startswith("2026-12-03：节日帖「"), festival
    scratch.write("qunsop.yaml", "lint:\n  severity:\n    below-cadence: off\n  festival_tag: 过节\n")
    assert not [p for p in found(scratch, "doubled-post") if "节日帖" in p["message"]]


def test_a_quiz_repeated_by_one_calendar(scratch: ScratchProject) -> None:
    setup(scratch, shares=False, start="2026-12-01", end="2026-12-14", quiz=True)
    repeats = found(scratch, "repeat-quiz")
    assert [p["message"][:10] for p in repeats] == ["2026-12-08"], repeats
    assert "同一排期不到 56 天前刚玩过" in repeats[0]["message"]


def test_the_same_post_twice_in_one_calendar_on_one_day(scratch: ScratchProject) -> None:
    calendar = scratch.root / "playbooks/demo/calendars/week.yaml"
    calendar.write_text(calendar.read_text(encoding="utf-8").replace(
        '''        pick: {tag: 故事}
  tue:''', '''        pick: {tag: 故事}
      - time: "21:00"
        category: needed
        post: tyre-pressure
  tue:'''), encoding="utf-8")
    doubled = found(scratch, "doubled-post")
    assert [p["message"] for p in doubled] == [
        "2026-12-07：帖子「冬天胎压怎么看」这一天在这个排期里发了两次：删掉一个时段"], doubled
    assert doubled[0]["path"] == "weekly.mon.slots[2]"
