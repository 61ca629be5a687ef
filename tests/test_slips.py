"""Every slip named at its cause: each case is a real slip an editor made, written into the
minimal project; the report must name the slip, on the line and column to change, first."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from conftest import ScratchProject

TIER = "playbooks/demo/tiers/c-store.yaml"
WEEK = "playbooks/demo/calendars/week.yaml"
INCIDENT = "playbooks/demo/incidents/old-complaint.yaml"
CAMPAIGN = "playbooks/demo/campaigns/pk.yaml"
POST = "content_library/posts/needed/tyre-pressure.md"


@dataclass(frozen=True)
class Slip:
    name: str
    file: str
    old: str
    new: str
    code: str
    line: int
    column: int
    says: tuple[str, ...]
    path: str = ""


SLIPS = [
    # typed with a Chinese input method: a full-width space after the colon
    Slip("full-width-space-after-colon", TIER, "name: 门店车友群", "name:\u3000门店车友群",
         "full-width-space", 2, 6, ("`name:` 后面是全角空格", "写成 `name: 门店车友群`")),
    # ...or as indentation
    Slip("full-width-space-indent", WEEK, '    slots:\n      - time: "08:00"',
         '    slots:\n\u3000\u3000\u3000- time: "08:00"', "full-width-space", 9, 1, ("开头有全角空格",)),
    Slip("full-width-space-before-a-key", TIER, "audience: 到店客户", "\u3000audience: 到店客户",
         "unknown-field", 5, 1, ("字段名 `audience` 前后有全角空格",)),
    # a full-width comma between list items is one item that is not an id
    Slip("full-width-comma", TIER, "flows_to: [b-main]", "flows_to: [b-main，c-store]",
         "bad-format", 11, 12, ("中文逗号“，”", "写成 `flows_to: [b-main, c-store]`"), "flows_to[0]"),
    Slip("enumeration-comma", TIER, "flows_to: [b-main]", "flows_to: [b-main、c-store]",
         "bad-format", 11, 12, ("顿号“、”", "写成 `flows_to: [b-main, c-store]`"), "flows_to[0]"),
    # three lines indented with tabs: all in one report
    Slip("tabs", WEEK, '        category: needed\n        post: tyre-pressure\n      - time: "20:00"\n'
         "        category: liked", '\tcategory: needed\n\tpost: tyre-pressure\n      - time: "20:00"\n'
         "\tcategory: liked", "tab-indent", 10, 1, ("3 行（第 10、11、13 行）用了 Tab 缩进",)),
    # one space too many under a list item: align with the sibling `time`, not the dash
    Slip("deeper-than-sibling", WEEK, "        category: needed", "         category: needed",
         "bad-indent", 10, 10, ("和第 9 行的 `time` 对齐（8 个空格）",)),
    Slip("shallower-than-sibling", WEEK, "        category: needed", "       category: needed",
         "bad-indent", 10, 8, ("多半应该和第 9 行的 `time` 对齐（8 个空格）",)),
    Slip("between-two-levels", WEEK, "  tue:", "   tue:", "bad-indent", 15, 4,
         ("第 7 行的 `mon` 对齐（2 个空格）",)),
    Slip("under-a-value", TIER, "side: C", " side: C", "bad-indent", 3, 6,
         ("请和第 2 行的 `name` 对齐（缩进 0 个空格）",)),
    # Chinese quotes: around a value with ": " inside, around a time, around an id
    Slip("curly-quotes-around-text", TIER, "audience: 到店客户", "audience: “到店: 客户”",
         "curly-quotes", 5, 11, ("中文引号", "写成 `audience: \"到店: 客户\"`")),
    Slip("curly-quotes-around-time", WEEK, 'time: "08:00"', "time: “08:00”", "bad-format", 9, 15,
         ("中文引号", 'time: "08:00"'), "weekly.mon.slots[0].time"),
    # end before start, at `end`, with the one code every kind uses
    Slip("incident-end-before-start", INCIDENT, "end: 2026-11-02", "end: 2026-10-30",
         "end-before-start", 7, 1, ("end 2026-10-30 早于 start 2026-11-01",), "end"),
    Slip("campaign-end-before-start", CAMPAIGN, "end: 2026-12-31", "end: 2026-11-30",
         "end-before-start", 6, 1, ("end 2026-11-30 早于 start 2026-12-01",), "end"),
    # the closing --- forgotten: reported where it belongs, in plain words
    Slip("front-matter-not-closed", POST, "tiers: [c-store]\nmedia:\n  - {path: pressure.png, alt: 胎压示意图}\n---\n",
         "tiers: [c-store]\nmedia:\n  - {path: pressure.png, alt: 胎压示意图}\n", "unclosed-front-matter", 9, 1,
         ("请在第 9 行前面加一行 ---", "三个英文减号")),
    Slip("front-matter-not-opened", POST, "---\nid: tyre-pressure", "id: tyre-pressure", "no-front-matter", 1, 1,
         ("第一行应该是 ---",)),
]


@pytest.mark.parametrize("slip", SLIPS, ids=[slip.name for slip in SLIPS])
def test_each_slip_is_named_at_its_cause(scratch: ScratchProject, slip: Slip) -> None:
    path = scratch.root / slip.file
    text = path.read_text(encoding="utf-8")
    assert slip.old in text, slip.old
    path.write_text(text.replace(slip.old, slip.new, 1), encoding="utf-8")
    run = scratch.validate()
    assert run.exit_code == 1, run.output
    errors = [p for p in run.problems() if p["severity"] == "error"]
    first = errors[0]  # the cause comes first
    assert (first["file"], first["code"]) == (slip.file, slip.code), errors
    if slip.line:
        assert (first["line"], first["column"]) == (slip.line, slip.column), first
    if slip.path:
        assert first["path"] == slip.path
    for words in slip.says:
        assert words in first["message"], first["message"]
    assert "front matter" not in first["message"]
    assert len([p for p in errors if p["file"] == slip.file]) == 1, errors  # one slip, one report


def test_a_mistyped_pick_tag_is_the_only_report(scratch: ScratchProject) -> None:
    """The typo is the cause; the days it leaves without a post are not reported again."""
    path = scratch.root / WEEK
    path.write_text(path.read_text(encoding="utf-8").replace("pick: {tag: 故事}", "pick: {tag: 故市}"),
                    encoding="utf-8")
    run = scratch.validate()
    errors = [p for p in run.problems() if p["severity"] == "error"]
    assert [(p["code"], p["path"]) for p in errors] == [
        ("unknown-ref", "weekly.mon.slots[1].pick.tag"), ("unknown-ref", "overrides[0].slots[0].pick.tag")]
    assert "故市" in errors[0]["message"]


def test_a_cause_comes_before_what_follows_on_its_line() -> None:
    from qunsop.errors import Problem, root_cause_order

    found = [Problem("a.yaml", 3, 2, "x", "pick-empty", "后果"), Problem("a.yaml", 3, 9, "x.tag", "unknown-ref", "原因")]
    assert [p.code for p in root_cause_order(found)] == ["unknown-ref", "pick-empty"]
