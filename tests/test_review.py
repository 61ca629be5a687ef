"""`qunsop review` and the metrics it reads: export-shaped CSVs against the example roster."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from conftest import REPO, copy_example, run_qunsop
from generator.clock import Clock
from generator.models import Playbook
from generator.pipeline import CheckOptions, check_project
from generator.review import Scope, WeekReview, load_reviewer

EPOCH = {"SOURCE_DATE_EPOCH": "1796601600"}  # 2026-12-07
WEEK = [dt.date(2026, 11, 30) + dt.timedelta(days=offset) for offset in range(7)]
# c-store groups of the example roster, all started before the week
GROUPS = ("baoding-01", "jinan-01", "zibo-01", "zhengzhou-01", "guangzhou-01")
ALL = Scope("all", "", "全部群")
HEADER = "统计日期,客户群名称,群主,群总人数,新增群成员数,退群成员数,发言成员数,群聊消息总数"


def group_names() -> dict[str, str]:
    """The roster's names for GROUPS (read, not assumed)."""
    import csv

    with (REPO / "playbooks/truck-tyres/groups.csv").open(encoding="utf-8-sig") as handle:
        names = {row["id"]: row["群名"] for row in csv.DictReader(handle)}
    return {group_id: names[group_id] for group_id in GROUPS}


def healthy_rows() -> list[list[str]]:
    rows = []
    for _group_id, name in group_names().items():
        for number, day in enumerate(WEEK):
            rows.append([f"{day.year}/{day.month}/{day.day}", name, "周哥", str(120 + number), "3", "1",
                         str(12 + number % 3), "40"])
    return rows


def receipts(skip: frozenset[tuple[str, dt.date]] = frozenset()) -> str:
    lines = []
    for group_id, name in group_names().items():
        for day in WEEK:
            if (group_id, day) not in skip:
                lines += [f"周哥 {day.isoformat()} 20:31",
                          f"【已发回报】{name}（{group_id}） · c-store-daily · {day.isoformat()} · 3/3 条已发"]
    return "\n".join(lines) + "\n"


def project(tmp_path: Path, rows: list[list[str]], receipts_text: str, encoding: str = "utf-8-sig",
            header: str = HEADER) -> Path:
    root = copy_example(tmp_path / "project")
    data = root / "data"
    data.mkdir()
    text = "\r\n".join([header, *(",".join(row) for row in rows)]) + "\r\n"
    (data / "客户群统计.csv").write_bytes(text.encode(encoding))
    (data / "回报.txt").write_text(receipts_text, encoding="utf-8")
    return root


def review_of(root: Path, scope: Scope = ALL) -> WeekReview:
    checked = check_project(root, CheckOptions(Clock.on(dt.date(2026, 12, 7))), lint=False)
    reviewer = load_reviewer(checked.project, checked.schedules)
    playbook = checked.project.of(Playbook)["truck-tyres"].model
    return reviewer.review(playbook, "2026-W49", scope)


def crafted_rows() -> list[list[str]]:
    rows = healthy_rows()
    names = group_names()
    for row in rows:
        day = dt.datetime.strptime(row[0], "%Y/%m/%d").date()
        if row[1] == names["zibo-01"] and day >= WEEK[2]:
            row[6] = "0"  # nobody spoke from Wednesday: silent, and far below its tier
        if row[1] == names["baoding-01"] and day == WEEK[3]:
            row[5] = "15"  # mass exit on Thursday
    return rows


def test_each_alert_is_raised_by_crafted_data_and_linked_to_its_plan(tmp_path: Path) -> None:
    skip = frozenset(("jinan-01", day) for day in WEEK[3:])  # stopped sending on Thursday
    review = review_of(project(tmp_path, crafted_rows(), receipts(skip), encoding="gbk"))
    found = {(alert.kind, alert.group.group.id): alert for alert in review.alerts}
    assert set(found) == {("silent", "zibo-01"), ("mass-exit", "baoding-01"), ("no-send", "jinan-01"),
                          ("below-tier", "zibo-01")}
    assert found[("mass-exit", "baoding-01")].plan is not None
    assert found[("mass-exit", "baoding-01")].plan.id == "mass-exit"
    assert found[("mass-exit", "baoding-01")].date == WEEK[3]
    assert found[("silent", "zibo-01")].plan.id == "silent-group"  # type: ignore[union-attr]
    assert "连续 5 天没有人发言" in found[("silent", "zibo-01")].detail
    assert found[("no-send", "jinan-01")].plan.id == "stopped-sending"  # type: ignore[union-attr]


def test_healthy_data_raises_no_alert_and_meets_its_targets(tmp_path: Path) -> None:
    review = review_of(project(tmp_path, healthy_rows(), receipts()))
    assert review.alerts == ()
    assert len(review.groups) == 5
    kpis = {row.kpi.id: row for row in review.kpis}
    assert kpis["active-rate"].met is True and kpis["forward-rate"].value == 1.0
    assert kpis["new-members"].value == 14.0 and kpis["new-members"].met is True


def test_the_terminal_review_and_its_exit_codes(tmp_path: Path) -> None:
    skip = frozenset(("jinan-01", day) for day in WEEK[3:])
    root = project(tmp_path, crafted_rows(), receipts(skip))
    run = run_qunsop("review", str(root), env={**EPOCH, "COLUMNS": "160"})
    assert run.exit_code == 0, run.output
    assert "2026-W49 复盘 · 全部群" in run.stdout
    for text in ("沉默群", "集体退群", "停发", "活跃落后", "群活跃率", "zibo-01"):
        assert text in run.stdout
    assert run_qunsop("review", str(root), "--fail-on-alert", env=EPOCH).exit_code == 1
    tiered = run_qunsop("review", str(root), "--tier", "c-store", "--week", "2026-W49", env=EPOCH)
    assert tiered.exit_code == 0 and "门店车友群" in tiered.stdout
    bad = run_qunsop("review", str(root), "--week", "2026-12-01", env=EPOCH)
    assert bad.exit_code == 2 and "2026-W50" in bad.output
    healthy = project(tmp_path / "healthy", healthy_rows(), receipts())
    quiet = run_qunsop("review", str(healthy), "--fail-on-alert", env={**EPOCH, "COLUMNS": "160"})
    assert quiet.exit_code == 0 and "本周没有提醒" in quiet.stdout


@pytest.mark.parametrize("encoding", ["gbk", "utf-8-sig"])
def test_every_bad_row_is_located_and_the_good_rows_still_count(tmp_path: Path, encoding: str) -> None:
    rows = healthy_rows()
    name = group_names()["jinan-01"]
    bad = [
        ["2026/12/3", "不存在的车友群", "周哥", "100", "1", "0", "5", "9"],  # line 37: unmatched group
        rows[0][:],  # line 38: the same group and day again
        ["2026/12/4", name, "周哥", "30", "1", "0", "45", "9"],  # 39: speakers > members
        ["2026/12/5", name, "周哥", "30", "-2", "0", "5", "9"],  # 40: negative count
        ["2026/13/45", name, "周哥", "30", "1", "0", "5", "9"],  # 41: bad date
        ["2026/12/6", name, "周哥", "三十", "1", "0", "5", "9"],  # 42: not a number
    ]
    chat = receipts() + "【已发回报】唐山丰润车友群（tangshan-01） · c-store-daily · 2026-12-06 · 3/3 条已发\n"
    root = project(tmp_path, rows + bad, chat, encoding=encoding)
    run = run_qunsop("review", str(root), env={**EPOCH, "COLUMNS": "200"})
    assert run.exit_code == 0, run.output
    file = "data/客户群统计.csv"
    for location, code in ((f"{file}:37:2", "unmatched-group"), (f"{file}:38:1", "duplicate-row"),
                           (f"{file}:39:7", "impossible-count"), (f"{file}:40:5", "negative-count"),
                           (f"{file}:41:1", "bad-date"), (f"{file}:42:4", "not-a-number")):
        line = next((line for line in run.stdout.splitlines() if line.startswith(location)), "")
        assert f"[{code}]" in line, (location, run.stdout)
    receipt_line = len(receipts().splitlines()) + 1  # a receipt from a group not in the roster
    line = next(line for line in run.stdout.splitlines() if line.startswith(f"data/回报.txt:{receipt_line}:1"))
    assert "[bad-receipt]" in line and "tangshan-01" in line
    assert "数据里有 7 处问题" in run.stdout
    # the 35 good rows (5 groups x 7 days) are all counted
    review = review_of(root)
    assert sum(row.days for row in review.groups) == 35


def test_header_aliases_from_qunsop_yaml(tmp_path: Path) -> None:
    header = "日期,群名,在群人数,进群,退群,说话人数,消息数"
    rows = [[row[0], row[1], row[3], row[4], row[5], row[6], row[7]] for row in healthy_rows()]
    root = project(tmp_path, rows, receipts(), header=header)
    review = review_of(root)
    assert review.groups == ()  # 在群人数 and 说话人数 are not known headers yet
    (root / "qunsop.yaml").write_text((root / "qunsop.yaml").read_text(encoding="utf-8")
                                      + "review:\n  columns: {在群人数: members, 说话人数: speakers}\n",
                                      encoding="utf-8")
    assert len(review_of(root).groups) == 5
    run = run_qunsop("review", str(root / "missing"), env=EPOCH)
    assert run.exit_code == 2


def test_the_example_ships_synthetic_weeks_that_show_every_alert() -> None:
    checked = check_project(REPO, CheckOptions(Clock.on(dt.date(2026, 12, 7))), lint=False)
    reviewer = load_reviewer(checked.project, checked.schedules)
    assert reviewer.metrics.problems == []
    assert len(reviewer.weeks()) == 8
    assert all("合成" in name for name in reviewer.metrics.files)
    assert "合成示例数据" in (REPO / "data/README.md").read_text(encoding="utf-8")
    review = reviewer.review(checked.project.of(Playbook)["truck-tyres"].model, reviewer.weeks()[-1],
                             Scope("all", "", "全部群"))
    assert {alert.kind for alert in review.alerts} == {"silent", "mass-exit", "no-send", "below-tier"}
    assert all(alert.plan is not None for alert in review.alerts)
    pk = [ranking for ranking in review.rankings if ranking.by == "省份"]
    assert pk and [name for name, _value in pk[0].rows][:1] and len(pk[0].rows) == 5


def test_init_example_ships_the_data_and_reviews_it(tmp_path: Path) -> None:
    target = tmp_path / "example"
    assert run_qunsop("init", str(target), "--example").exit_code == 0
    assert sorted(path.name for path in (target / "data").iterdir()) == [
        "README.md", "回报-合成示例.txt", "客户群统计-合成示例.csv"]
    run = run_qunsop("review", str(target), "--fail-on-alert", env={**EPOCH, "COLUMNS": "160"})
    assert run.exit_code == 1 and "2026-W49 复盘" in run.stdout and "数据里有" not in run.stdout


def test_review_references_are_checked_by_validate(tmp_path: Path) -> None:
    root = copy_example(tmp_path / "project")
    campaign = root / "playbooks/truck-tyres/campaigns/provincial-sales-pk.yaml"
    campaign.write_text(campaign.read_text(encoding="utf-8").replace("rank_by: 省份", "rank_by: 省"),
                        encoding="utf-8")
    (root / "qunsop.yaml").write_text((root / "qunsop.yaml").read_text(encoding="utf-8")
                                      + "review:\n  plans: {mass-exit: mass-exits}\n", encoding="utf-8")
    run = run_qunsop("validate", str(root), "--format", "json", env=EPOCH)
    found = {(p["file"], p["path"], p["code"], p["severity"]): p for p in run.problems()}
    rank = found[("playbooks/truck-tyres/campaigns/provincial-sales-pk.yaml", "rank_by", "unknown-tag-key",
                  "error")]
    assert rank["line"] > 1 and "省份" in rank["message"]
    plan = found[("qunsop.yaml", "review.plans.mass-exit", "unknown-ref", "warning")]
    assert "mass-exit" in plan["message"] and plan["line"] > 1
    assert run.exit_code == 1
