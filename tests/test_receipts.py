"""`qunsop receipts`: receipts read back from a noisy chat export, against the roster."""

from __future__ import annotations

import csv
import io

from conftest import REPO, ScratchProject, run_qunsop

SAMPLE = REPO / "playbooks/truck-tyres/receipts-sample.txt"
EPOCH = {"SOURCE_DATE_EPOCH": "1796601600"}  # 2026-12-07


def rows(*extra: str) -> list[dict[str, str]]:
    run = run_qunsop("receipts", str(SAMPLE), str(REPO), "--format", "csv", *extra, env=EPOCH)
    assert run.exit_code == 0, run.output
    return list(csv.DictReader(io.StringIO(run.stdout)))


def test_the_sample_export_reads_back_who_sent_what_was_skipped_and_who_sent_nothing() -> None:
    found = rows()
    store = {row["群编号"]: row for row in found if row["排期"] == "c-store-daily"}
    assert store["baoding-02"]["状态"] == "已发" and store["baoding-02"]["已发"] == "6"
    assert store["baoding-01"]["状态"] == "部分未发"
    assert store["baoding-01"]["未发"] == "冬季防冻液团购（店里防冻液没货了）；晚间小游戏（晚上要出去救援）"
    assert store["baoding-01"]["行号"] == "11"
    # an older receipt naming only the store (门店名) is matched to its group
    assert store["shijiazhuang-01"]["状态"] == "已发"
    assert store["cangzhou-01"]["状态"] == "没有回报"
    silent = sorted(row["群编号"] for row in found if row["排期"] == "c-store-daily" and row["状态"] == "没有回报")
    assert len(silent) == 14 and "chengdu-01" in silent  # its receipt was malformed
    # day-N: "建群第 7 天" of a group created on 12-01 is 12-07
    launch = {row["群编号"]: row["状态"] for row in found if row["排期"] == "c-store-launch-14"}
    assert launch["baoding-02"] == "已发" and launch["mianyang-01"] == "已发"
    assert launch["cangzhou-01"] == "没有回报"
    assert all(row["日期"] == "2026-12-07" for row in found if row["排期"])


def test_malformed_and_unknown_lines_are_listed_with_their_line_numbers() -> None:
    bad = {row["行号"]: row["未发"] for row in rows() if row["状态"] == "读不出"}
    assert set(bad) == {"29", "35"}
    assert "没有已发条数" in bad["29"]
    assert "不在群名单里" in bad["35"] and "tangshan-01" in bad["35"]


def test_the_terminal_table_names_days_calendars_and_bad_lines() -> None:
    run = run_qunsop("receipts", str(SAMPLE), str(REPO), env={**EPOCH, "COLUMNS": "120"})
    assert run.exit_code == 0, run.output
    assert "2026-12-07  门店车友群 冬季每日推送（c-store-daily）" in run.stdout
    assert "回报 7 个群（全部发完 5 个），没有回报 14 个群" in run.stdout
    assert "第 29 行：没有已发条数" in run.stdout and "第 35 行：" in run.stdout


def test_date_filter_keeps_one_day_and_lists_everyone_due_as_silent() -> None:
    found = rows("--date", "2026-12-08")
    assert found and all(row["状态"] in ("没有回报", "读不出") for row in found)
    assert {row["日期"] for row in found if row["日期"]} == {"2026-12-08"}


def test_receipts_in_several_export_forms(scratch: ScratchProject) -> None:
    path = scratch.root / "playbooks/demo/playbook.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "group_tags: [省份]\n", encoding="utf-8")
    scratch.write("playbooks/demo/groups.csv", "id,群名,群层级,排期,建群日期,门店名\n"
                  "s-01,老王车友群,c-store,week,,老王轮胎\ns-02,老李车友群,c-store,week,,老李轮胎\n"
                  "s-03,老张车友群,c-store,launch,2026-12-02,老张轮胎\n")
    export = scratch.write("chat.txt", """
        2026/12/1 20:31:05 老王:【已发回报】老王车友群 | 一周排期 | 2026-12-01 | 2/2
        老李 2026年12月1日 21:00
        【已发回报】s-02 · week · 12月1日 周二 · 已发 1/2 · 未发：胎压提醒(没空)
        老张 2026-12-03 09:00
        【已发回报】老张车友群（s-03） · 建群三天 · 第 2 天 · 1/1 条已发
        【已发回报】
    """)
    run = run_qunsop("receipts", str(export), str(scratch.root), "--format", "csv")
    assert run.exit_code == 0, run.output
    got = [(row["日期"], row["排期"], row["群编号"], row["状态"], row["未发"], row["行号"])
           for row in csv.DictReader(io.StringIO(run.stdout))]
    assert got == [
        ("2026-12-01", "week", "s-01", "已发", "", "1"),
        ("2026-12-01", "week", "s-02", "部分未发", "胎压提醒（没空）", "3"),
        ("2026-12-03", "launch", "s-03", "已发", "", "5"),
        ("2026-12-03", "week", "s-01", "没有回报", "", ""),  # the week calendar has a post that day
        ("2026-12-03", "week", "s-02", "没有回报", "", ""),
        ("", "", "", "读不出", got[5][4], "6"),
    ]


def test_without_a_roster_the_command_says_what_to_do(scratch: ScratchProject) -> None:
    export = scratch.write("chat.txt", "【已发回报】老王 · 一周排期 · 12月1日 · 2/2\n")
    run = run_qunsop("receipts", str(export), str(scratch.root))
    assert run.exit_code == 2 and "groups.csv" in run.output
