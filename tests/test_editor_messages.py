"""Messages a non-programmer fixes in one try: the root cause first and alone, each YAML slip
with a Chinese hint on the line to change, no PyYAML English, words located at their column."""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import REPO, ScratchProject, run_qunsop

TIER = "playbooks/demo/tiers/c-store.yaml"
CAL = "playbooks/demo/calendars/week.yaml"
POST = "content_library/posts/needed/tyre-pressure.md"
GAME = "content_library/games/warmup.md"

GOOD_TIER = """\
id: c-store
name: 门店车友群
side: C
purposes: [日常维系]
audience: 到店客户
lifecycle: persistent
posts_per_day: 2
owner: owner
"""

GOOD_CAL = """\
id: week
name: 一周排期
tiers: [c-store]
start: 2026-12-01
end: 2026-12-07
weekly:
  mon:
    slots:
      - time: "08:00"
        category: needed
        post: tyre-pressure
"""

# what PyYAML and Pydantic say in English; none of it may reach an editor
ENGLISH = ("could not find", "did not find", "mapping values", "while scanning", "while parsing",
           "found character", "expected", "Input should", "Field required", "Extra inputs",
           "Value error", "must be", "out of range")


def assert_chinese(message: str) -> None:
    assert re.search(r"[\u4e00-\u9fff]", message), message
    for english in ENGLISH:
        assert english not in message, message
    assert not re.search(r"[A-Za-z]+ [A-Za-z]+ [A-Za-z]+ [A-Za-z]+", message), message


# --- root cause first --------------------------------------------------------------------


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped example: its c-store tier is named by dozens of other files."""
    target = tmp_path_factory.mktemp("example") / "project"
    target.mkdir()
    for name in ("playbooks", "content_library"):
        shutil.copytree(REPO / name, target / name)
    shutil.copy(REPO / "mkdocs.yml", target / "mkdocs.yml")
    return target


SLIPS = {
    "tab": ("side: C\n", "\tside: C\n", "tab-indent"),
    "full-width-colon": ("name: ", "name：", "full-width-colon"),
    "no-space-after-colon": ("side: C\n", "side:C\n", "no-space-after-colon"),
}


@pytest.mark.parametrize("slip", SLIPS)
def test_one_slip_in_a_tier_is_one_problem_listed_first(example: Path, slip: str) -> None:
    tier = example / "playbooks/truck-tyres/tiers/c-store.yaml"
    good = tier.read_text(encoding="utf-8")
    baseline = run_qunsop("validate", str(example), "--format", "json").problems()
    before, after, code = SLIPS[slip]
    try:
        tier.write_text(good.replace(before, after, 1), encoding="utf-8")
        run = run_qunsop("validate", str(example), "--format", "json")
        text = run_qunsop("validate", str(example))
    finally:
        tier.write_text(good, encoding="utf-8")
    assert run.exit_code == 1
    found = run.problems()
    new = [p for p in found if p not in baseline]
    assert len(new) == 1, new  # no follow-on 找不到群层级 anywhere
    assert found[0] == new[0] and found[0]["code"] == code
    assert found[0]["file"] == "playbooks/truck-tyres/tiers/c-store.yaml"
    assert found[0]["line"] == next(number for number, line in enumerate(
        good.replace(before, after, 1).split("\n"), start=1) if after.strip() in line)
    assert_chinese(found[0]["message"])
    assert "找不到群层级" not in text.stdout
    files = len({p["file"] for p in found})
    errors = sum(p["severity"] == "error" for p in found)
    assert f"共 {files} 个文件有问题：{errors} 个错误，{len(found) - errors} 个警告" in text.stdout
    assert re.search(r"检查了 \d+ 个源文件", text.stdout)


# --- YAML slips: a Chinese hint on the right line ------------------------------------------


@dataclass(frozen=True)
class Slip:
    name: str
    file: str
    content: str
    line: int
    code: str
    says: tuple[str, ...]
    column: int | None = None


def tier(old: str, new: str) -> str:
    assert old in GOOD_TIER
    return GOOD_TIER.replace(old, new, 1)


def slot_time(value: str) -> str:
    return GOOD_CAL.replace('"08:00"', value)


def cal_end(value: str) -> str:
    return GOOD_CAL.replace("end: 2026-12-07", f"end: {value}")


CASES = [
    Slip("full-width-colon", TIER, tier("name: 门店车友群", "name：门店车友群"), 2, "full-width-colon",
         ("中文冒号", "`name: 门店车友群`"), column=5),
    Slip("full-width-colon-last-line", TIER, tier("owner: owner", "owner：owner"), 8, "full-width-colon",
         ("中文冒号", "`owner: owner`")),
    Slip("full-width-colon-nested", TIER, GOOD_TIER + "member_structure:\n  co_builders: 1\n"
         "  active：9\n  lurkers: 90\n", 11, "full-width-colon", ("`active: 9`",)),
    Slip("no-space-after-colon", TIER, tier("side: C", "side:C"), 3, "no-space-after-colon",
         ("少了一个空格", "`side: C`")),
    Slip("tab-indent", TIER, tier("side: C", "\tside: C"), 3, "tab-indent", ("Tab", "空格")),
    Slip("tab-in-list", CAL, GOOD_CAL.replace("      - time", "\t- time"), 9, "tab-indent", ("Tab",)),
    Slip("over-indented-key", TIER, tier("owner: owner", "  owner: owner"), 8, "bad-indent",
         ("缩进了 2 个空格", "0 个空格")),
    Slip("list-item-out-of-line", TIER, tier("purposes: [日常维系]", "purposes:\n  - 日常维系\n - 老客复购"),
         6, "bad-indent", ("缩进了 1 个空格", "2 个空格", "第 5 行")),
    Slip("key-inside-a-list", TIER, tier("purposes: [日常维系]", "purposes:\n  - 日常维系\n  audience2: x"),
         6, "bad-indent", ("“- ”开头", "0 个空格", "`purposes`")),
    Slip("key-misaligned-in-slot", CAL, GOOD_CAL.replace("        post:", "         post:"), 11,
         "bad-indent", ("缩进了 9 个空格", "8 个空格", "`category`")),
    Slip("continuation-line", TIER, tier("lifecycle: persistent", "  lifecycle: persistent"), 6,
         "bad-indent", ("缩进了 2 个空格", "续行", "`audience`", "0 个空格")),
    Slip("colon-in-value", TIER, tier("name: 门店车友群", "name: 门店: 车友群"), 2, "yaml-syntax",
         ("加引号", '`name: "门店: 车友群"`')),
    Slip("unclosed-bracket", TIER, tier("[日常维系]", "[日常维系"), 4, "yaml-syntax", ("[", "]")),
    Slip("unclosed-quote", TIER, tier("name: 门店车友群", 'name: "门店车友群'), 2, "yaml-syntax",
         ("引号没有结束",)),
    Slip("missing-colon", TIER, tier("audience: 到店客户", "audience 到店客户"), 5, "yaml-syntax",
         ("冒号",)),
    Slip("time-with-a-dot", CAL, slot_time("8.30"), 9, "wrong-type", ('`time: "08:30"`', "引号")),
    Slip("time-quoted-with-a-dot", CAL, slot_time('"8.30"'), 9, "bad-format", ('`time: "08:30"`',)),
    Slip("time-in-words", CAL, slot_time("8点半"), 9, "bad-format", ('`time: "08:30"`',)),
    Slip("time-in-the-afternoon", CAL, slot_time("下午3点"), 9, "bad-format", ('`time: "15:00"`',)),
    Slip("time-as-a-number", CAL, slot_time("830"), 9, "wrong-type", ('`time: "08:30"`',)),
    Slip("time-out-of-range", CAL, slot_time('"25:00"'), 9, "bad-format", ('"08:30"', "24 小时制")),
    Slip("date-with-slashes", CAL, cal_end("2026/12/07"), 5, "invalid-value", ("`end: 2026-12-07`",)),
    Slip("date-with-dots", CAL, cal_end("2026.12.07"), 5, "invalid-value", ("`end: 2026-12-07`",)),
    Slip("date-in-chinese", CAL, cal_end("2026年12月7日"), 5, "invalid-value", ("`end: 2026-12-07`",)),
    Slip("date-as-a-number", CAL, cal_end("20261207"), 5, "invalid-value", ("`end: 2026-12-07`",)),
    Slip("date-without-year", CAL, cal_end("12月7日"), 5, "invalid-value", ("年份", "2026-12-07")),
    Slip("date-that-does-not-exist", CAL, cal_end("2026-02-30"), 5, "bad-value", ("2 月没有 30 日",)),
    Slip("date-with-month-13", CAL, cal_end("2026-13-07"), 5, "bad-value", ("月份",)),
    Slip("missing-field", TIER, tier("audience: 到店客户\n", ""), 1, "missing-field",
         ("缺少必填字段 `audience`", "成员是谁", "`audience: ")),
    Slip("missing-field-in-a-slot", CAL, GOOD_CAL.replace("        category: needed\n", ""), 9,
         "missing-field", ("`category`", "`category: needed`")),
    Slip("missing-field-in-a-nested-mapping", TIER, GOOD_TIER + "member_structure:\n  co_builders: 1\n"
         "  lurkers: 99\n", 10, "missing-field", ("`active: 9`",)),
    Slip("missing-time", CAL, GOOD_CAL.replace('      - time: "08:00"\n        category', "      - category"),
         9, "missing-field", ('`time: "08:30"`',)),
    Slip("missing-id", TIER, tier("id: c-store\n", ""), 1, "missing-field", ("`id: c-store`",)),
    Slip("unknown-field", TIER, tier("audience:", "audiance:"), 5, "unknown-field",
         ("`audiance`", "`audience`")),
    Slip("list-item-without-space", TIER, tier("purposes: [日常维系]", "purposes:\n  -日常维系"), 5,
         "wrong-type", ("“-” 后面要加一个空格", "`- 日常维系`")),
    Slip("mapping-without-space", TIER, GOOD_TIER + "member_structure:\n  active:9\n", 10, "wrong-type",
         ("`active: 9`",)),
    Slip("number-in-quotes", TIER, tier("posts_per_day: 2", 'posts_per_day: "2"'), 7, "invalid-value",
         ("不要加引号",)),
    Slip("lowercase-enum", TIER, tier("side: C", "side: c"), 3, "not-allowed", ("大小写", "`C`")),
]


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_yaml_slip_has_a_chinese_hint_on_the_right_line(scratch: ScratchProject, case: Slip) -> None:
    scratch.write(case.file, case.content)
    run = scratch.validate()
    assert "Traceback" not in run.output
    assert run.exit_code == 1, run.output
    found = run.problems()
    assert len(found) == 1, found  # one slip, one problem: nothing doubled, nothing follow-on
    problem = found[0]
    assert (problem["file"], problem["line"], problem["code"]) == (case.file, case.line, case.code), problem
    if case.column is not None:
        assert problem["column"] == case.column, problem
    for part in case.says:
        assert part in problem["message"], problem["message"]
    assert_chinese(problem["message"])


def test_unquoted_clock_time_is_kept_as_text(scratch: ScratchProject) -> None:
    scratch.write(CAL, slot_time("8:30"))  # YAML 1.1 would read 510 (base 60)
    run = scratch.validate()
    assert run.exit_code == 0, run.output
    pack = run_qunsop("pack", "week", str(scratch.root), "--date", "2026-12-07")
    assert "08:30" in pack.stdout


def test_hint_lines_are_exact_in_front_matter(scratch: ScratchProject) -> None:
    scratch.write(POST, "---\nid: tyre-pressure\ntitle：冬天胎压怎么看\ncategory: needed\n"
                        "tiers: [c-store]\n---\n天冷了。\n")
    problem = scratch.validate().problems()[0]
    assert (problem["line"], problem["code"]) == (3, "full-width-colon")


def test_text_report_keeps_no_english_either(scratch: ScratchProject) -> None:
    scratch.write(TIER, tier("purposes: [日常维系]", "purposes:\n  - 日常维系\n  audience2: x"))
    run = scratch.validate("text")
    assert "did not find" not in run.output and "indicator" not in run.output
    assert "第 5 行开始是一个列表" in run.stdout


# --- words at their column ------------------------------------------------------------------


def test_banned_word_points_at_the_word(scratch: ScratchProject) -> None:
    scratch.write(POST, "---\nid: tyre-pressure\ntitle: 冬天胎压怎么看\ncategory: needed\n"
                        "tiers: [c-store]\n---\n天冷了，出车前测胎压。\n这款轮胎是全国第一的好胎。\n")
    scratch.write(GAME, "---\nid: warmup\nname: 红包暖场\nkind: icebreaker\ntiers: [c-store]\n"
                        "group_size: 30-300人\nminutes: 15\nsteps:\n  - at: 0\n"
                        "    host_line: 各位老哥，今天送最好的礼物\n---\n正文\n")
    found = {p["file"]: p for p in scratch.validate().problems() if p["code"] == "banned-word"}
    post = found[POST]
    assert (post["line"], post["column"]) == (8, "这款轮胎是全国第一的好胎。".index("第一") + 1), post
    game = found[GAME]
    line = "    host_line: 各位老哥，今天送最好的礼物"
    assert (game["line"], game["column"]) == (10, line.index("最") + 1), game


def test_allowed_phrase_does_not_move_the_column(scratch: ScratchProject) -> None:
    scratch.write("content_library/banned_words.txt", "最\n第一\n!第一天\n!最好先\n")
    scratch.write(POST, "---\nid: tyre-pressure\ntitle: 冬天胎压怎么看\ncategory: needed\n"
                        "tiers: [c-store]\n---\n第一天最好先测胎压，这是最准的办法。\n")
    found = [p for p in scratch.validate().problems() if p["code"] == "banned-word"]
    text = "第一天最好先测胎压，这是最准的办法。"
    assert [(p["line"], p["column"]) for p in found] == [(7, text.index("最准") + 1)], found
