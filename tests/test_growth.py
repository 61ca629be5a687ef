"""Growth on the C side: a campaign starts multi-day activities on a date, and an activity
page shows its budget, anti-abuse rules and KPIs."""

from __future__ import annotations

import re

from conftest import ScratchProject, run_qunsop

CAMPAIGN = "playbooks/demo/campaigns/pk.yaml"
ACTIVITY = "playbooks/demo/activities/checkin.yaml"


def start(scratch: ScratchProject, entry: str) -> None:
    path = scratch.root / CAMPAIGN
    path.write_text(path.read_text(encoding="utf-8") + f"activities:\n  - {entry}\n", encoding="utf-8")


def test_a_campaign_starts_an_activity_in_the_tiers_dated_calendar(scratch: ScratchProject) -> None:
    start(scratch, '{date: 2026-12-05, time: "10:00", activity: checkin, note: 先发群公告}')
    assert scratch.validate().problems() == []
    first = run_qunsop("pack", "week", str(scratch.root), "--date", "2026-12-05")
    second = run_qunsop("pack", "week", str(scratch.root), "--date", "2026-12-06")
    assert "10:00 · 出车打卡（第 1/2 天）" in first.stdout and "（提示：先发群公告）" in first.stdout
    assert "打卡开始啦！连续 2 天" in first.stdout
    assert "10:00 · 出车打卡（第 2/2 天）" in second.stdout and "最后一天！" in second.stdout
    assert "先发群公告" not in second.stdout  # the note is for the first day


def test_a_start_no_calendar_covers_is_reported_where_it_is_written(scratch: ScratchProject) -> None:
    start(scratch, '{date: 2026-12-20, time: "10:00", activity: checkin}')
    found = {p["code"]: p for p in scratch.validate().problems()}
    assert found["unscheduled-announcement"]["file"] == CAMPAIGN
    assert found["unscheduled-announcement"]["path"] == "activities[0].date"
    assert "多日活动 `checkin` 没有落进任何排期" in found["unscheduled-announcement"]["message"]


def test_an_unknown_activity_is_an_error(scratch: ScratchProject) -> None:
    start(scratch, '{date: 2026-12-05, time: "10:00", activity: chekin}')
    run = scratch.validate()
    assert run.exit_code == 1
    problem = next(p for p in run.problems() if p["code"] == "unknown-ref")
    assert problem["path"] == "activities[0].activity" and "checkin" in problem["message"]


def test_activity_page_shows_budget_anti_abuse_kpis_and_the_campaign(scratch: ScratchProject) -> None:
    path = scratch.root / ACTIVITY
    path.write_text(path.read_text(encoding="utf-8") + (
        "target: 每群净增 10 人\nkpis: [active-rate]\nbudget: [补胎券约 200 元]\n"
        "anti_abuse: [券到店核销时记车牌]\n"), encoding="utf-8")
    start(scratch, '{date: 2026-12-05, time: "10:00", activity: checkin}')
    assert run_qunsop("build", str(scratch.root)).exit_code == 0
    page = (scratch.root / "site/demo/activities/checkin/index.html").read_text(encoding="utf-8")
    text = re.sub(r"<[^>]+>", "", page)
    for expected in ("每群净增 10 人", "预算", "补胎券约 200 元", "防刷和风控", "券到店核销时记车牌",
                     "群活跃率", "十二月销售PK（12月5日）"):
        assert expected in text, expected
    campaign = re.sub(r"<[^>]+>", "", (scratch.root / "site/demo/campaigns/pk/index.html")
                      .read_text(encoding="utf-8"))
    assert "12月5日" in campaign and "出车打卡" in campaign
