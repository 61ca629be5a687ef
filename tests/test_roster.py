"""The roster (groups.yaml / groups.csv): what `qunsop validate` tells an editor about it."""

from __future__ import annotations

from conftest import ScratchProject

TAGS = "group_tags: [省份, 区域]\n"
HEAD = "id,群名,群层级,排期,建群日期,谁来发,门店名,标签:省份,内部:店主手机\n"


def with_tags(scratch: ScratchProject) -> None:
    path = scratch.root / "playbooks/demo/playbook.yaml"
    path.write_text(path.read_text(encoding="utf-8") + TAGS, encoding="utf-8")


def errors(scratch: ScratchProject) -> list[tuple[str, int, int, str, str]]:
    run = scratch.validate()
    return sorted((p["file"], p["line"], p["column"], p["path"], p["code"])
                  for p in run.problems() if p["severity"] == "error")


def messages(scratch: ScratchProject) -> str:
    return "\n".join(p["message"] for p in scratch.validate().problems())


def test_a_good_csv_from_excel_validates_with_or_without_bom(scratch: ScratchProject) -> None:
    with_tags(scratch)
    text = HEAD + ("s-01,老王车友群,c-store,,2026-11-20,店主,老王轮胎,河北,13900000000\r\n"
                   "s-02,老李车友群,c-store,week,,店主,老李轮胎,广东,\r\n")
    scratch.write_bytes("playbooks/demo/groups.csv", b"\xef\xbb\xbf" + text.encode("utf-8"))
    run = scratch.validate()
    assert run.exit_code == 0, run.output
    assert not [p for p in run.problems() if p["file"].endswith("groups.csv")]
    scratch.write_bytes("playbooks/demo/groups.csv", text.encode("utf-8"))
    assert scratch.validate().exit_code == 0


def test_a_gbk_csv_gets_a_chinese_message_that_says_how_to_save_it(scratch: ScratchProject) -> None:
    with_tags(scratch)
    text = HEAD + "s-01,老王车友群,c-store,,2026-11-20,店主,老王轮胎,河北,\r\n"
    scratch.write_bytes("playbooks/demo/groups.csv", text.encode("gbk"))
    run = scratch.validate("text")
    assert run.exit_code == 1
    assert "GBK" in run.output and "CSV UTF-8（逗号分隔）" in run.output
    assert "[csv-gbk]" in run.output


def test_csv_errors_are_located_by_row_and_column(scratch: ScratchProject) -> None:
    with_tags(scratch)
    scratch.write("playbooks/demo/groups.csv", HEAD + "\n".join([
        "s-01,老王车友群,c-store,,2026-11-20,店主,老王轮胎,河北,",   # row 2: fine
        "s-02,老李车友群,c-stor,,2026-11-20,店主,老李轮胎,河北,",    # row 3: unknown tier
        "s-01,老张车友群,c-store,,2026-11-20,店主,老张轮胎,河北,",   # row 4: duplicate id
        "s-04,老王车友群,c-store,,2026-11-20,店主,老赵轮胎,河北,",   # row 5: duplicate name
        "s-05,老钱车友群,c-store,wek,2026-11-20,店主,老钱轮胎,河北,",  # row 6: unknown calendar
        "s-06,老孙车友群,c-store,,2062-11-20,店主,老孙轮胎,河北,",   # row 7: start out of range
        "s-07,老周车友群,c-store,,2026-11-20,店主,,河北,",          # row 8: 门店名 left empty
        "s-08,老吴车友群,c-store,,,店主,老吴轮胎,河北,",             # row 9: no start for day-N
        "s-09,老郑车友群,c-store,,2026/11/9,店主,老郑轮胎,河北,",    # row 10: Excel's date form is read
    ]) + "\n")
    found = errors(scratch)
    where = "playbooks/demo/groups.csv"
    assert found == [
        (where, 3, 3, "groups[1].tier", "unknown-tier"),
        (where, 4, 1, "groups[2].id", "duplicate-group-id"),
        (where, 5, 2, "groups[3].name", "duplicate-group-name"),
        (where, 6, 4, "groups[4].calendars[0]", "unknown-calendar"),
        (where, 7, 5, "groups[5].start", "group-start-range"),
        (where, 8, 1, "groups[6].values", "group-value-missing"),
        (where, 9, 1, "groups[7].start", "group-start-missing"),
    ], found
    text = messages(scratch)
    assert "是不是 `c-store`" in text and "是不是 `week`" in text
    assert "和第 2 行重复" in text
    assert "{门店名}" in text


def test_a_wrong_value_in_a_row_is_located_at_its_cell(scratch: ScratchProject) -> None:
    with_tags(scratch)
    scratch.write("playbooks/demo/groups.csv", HEAD + "s-01,老郑车友群,c-store,,2026-11-09,老板,老郑轮胎,河北,\n"
                  "s-02,老吴车友群,c-store,,2026.13.01,店主,老吴轮胎,河北,\n")
    assert errors(scratch) == [("playbooks/demo/groups.csv", 2, 6, "groups[0].sender", "not-allowed"),
                               ("playbooks/demo/groups.csv", 3, 5, "groups[1].start", "invalid-value")]
    text = messages(scratch)
    assert "应为以下之一：店主、群助理" in text and "年-月-日" in text


def test_unknown_tag_key_and_unknown_column(scratch: ScratchProject) -> None:
    with_tags(scratch)
    scratch.write("playbooks/demo/groups.csv",
                  "id,群名,群层级,建群日期,门店名,标签:省,门店电话\n"
                  "s-01,老王车友群,c-store,2026-11-20,老王轮胎,河北,123\n")
    found = errors(scratch)
    assert found == [("playbooks/demo/groups.csv", 2, 6, "groups[0].tags.省", "unknown-tag-key"),
                     ("playbooks/demo/groups.csv", 2, 7, "groups[0].values.门店电话", "unknown-column")]
    text = messages(scratch)
    assert "是不是 `省份`" in text and "group_tags" in text and "内部:门店电话" in text


def test_yaml_roster_is_checked_the_same_way(scratch: ScratchProject) -> None:
    with_tags(scratch)
    scratch.write("playbooks/demo/groups.yaml", """
        groups:
          - id: s-01
            name: 老王车友群
            tier: c-store
            start: 2026-11-20
            values: {门店名: 老王轮胎}
            tags: {省份: 河北}
            private: {店主手机: "13900000000"}
          - id: s-02
            name: 老李车友群
            tier: b-main
            calendars: [week]
    """)
    assert errors(scratch) == [("playbooks/demo/groups.yaml", 12, 17, "groups[1].calendars[0]",
                                "calendar-tier")]


def test_yaml_and_csv_in_one_playbook_is_an_error(scratch: ScratchProject) -> None:
    scratch.write("playbooks/demo/groups.yaml", "groups: []\n")
    scratch.write("playbooks/demo/groups.csv", "id,群名,群层级\n")
    assert [code for *_rest, code in errors(scratch)] == ["duplicate-roster"]


def test_a_malformed_csv_row_is_located(scratch: ScratchProject) -> None:
    scratch.write("playbooks/demo/groups.csv", "id,群名,群层级\ns-01,老王车友群,c-store,多的一格\n")
    assert errors(scratch) == [("playbooks/demo/groups.csv", 2, 4, "", "csv-row")]


def test_private_columns_never_reach_the_site(example_site) -> None:  # type: ignore[no-untyped-def]
    private = ["139 0312 0101", "139 7570 0402", "鼓包投诉那家", "区域经理轮流值班"]
    found = {word: [str(path.relative_to(example_site)) for path in example_site.rglob("*")
                    if path.is_file() and path.suffix in (".html", ".json", ".txt", ".js", ".md")
                    and word in path.read_text(encoding="utf-8", errors="ignore")]
             for word in private}
    assert found == {word: [] for word in private}
    page = (example_site / "packs/groups/baoding-01/index.html").read_text(encoding="utf-8")
    assert "老周轮胎服务站" in page and "0312 555 0101" in page  # what its posts show is published


def test_incident_scope_names_known_groups_and_tag_keys(scratch: ScratchProject) -> None:
    with_tags(scratch)
    scratch.write("playbooks/demo/groups.csv", "id,群名,群层级,建群日期,门店名\n"
                  "s-01,老王车友群,c-store,2026-11-20,老王轮胎\n")
    scratch.write("playbooks/demo/incidents/local.yaml", """
        id: local
        name: 一家店的投诉
        plan: complaint
        groups: [s-1]
        tags: {省分: 河北}
        start: 2026-12-01
    """)
    assert errors(scratch) == [
        ("playbooks/demo/incidents/local.yaml", 4, 10, "groups[0]", "unknown-ref"),
        ("playbooks/demo/incidents/local.yaml", 5, 8, "tags.省分", "unknown-tag-key"),
    ]
    assert "是不是 `s-01`" in messages(scratch)


def test_other_side_calendars_get_the_notice_of_a_hold(scratch: ScratchProject) -> None:
    from conftest import run_qunsop

    scratch.write("playbooks/demo/calendars/b-week.yaml", """
        id: b-week
        name: 店主群一周
        tiers: [b-main]
        start: 2026-12-01
        end: 2026-12-07
        weekly:
          tue:
            slots:
              - {time: "07:00", category: interaction, channel: private, reply: calm-first, task: 私聊问问店主}
    """)
    scratch.write("playbooks/demo/incidents/now.yaml", """
        id: now
        name: 车友群的一次投诉
        plan: complaint
        tiers: [c-store]
        start: 2026-12-01
        end: 2026-12-01
    """)
    run = run_qunsop("pack", "b-week", str(scratch.root), "--date", "2026-12-01")
    assert run.exit_code == 0, run.output
    assert "【注意】车友群的一次投诉：" in run.stdout and "暂停发游戏内容" in run.stdout
    quiet = run_qunsop("pack", "b-week", str(scratch.root), "--date", "2026-12-02")
    assert "【注意】" not in quiet.stdout


def test_a_broken_tier_is_reported_once_not_again_for_every_group(scratch: ScratchProject) -> None:
    scratch.write("playbooks/demo/groups.csv", "id,群名,群层级,排期,建群日期,门店名\n"
                  "s-01,老王车友群,c-store,week,2026-11-20,老王轮胎\ns-02,老李车友群,c-store,,2026-11-20,老李轮胎\n")
    tier = scratch.root / "playbooks/demo/tiers/c-store.yaml"
    tier.write_text(tier.read_text(encoding="utf-8").replace("name:", "name：", 1), encoding="utf-8")
    scratch.write("playbooks/demo/calendars/week.yaml", "id: week\nname: [\n")
    found = errors(scratch)
    assert [entry for entry in found if entry[0].endswith("groups.csv")] == []
    assert {entry[0] for entry in found} == {"playbooks/demo/tiers/c-store.yaml",
                                         "playbooks/demo/calendars/week.yaml"}
