"""The JSON Schemas an editor sees accept exactly what `qunsop validate` accepts.

One shared corpus of good and bad values per kind (times, dates, ids, enums, numbers, lists and
the rules between fields). Each value is written into its own source file of a copy of the
minimal project; one real `qunsop validate` run gives qunsop's verdict per file, jsonschema
gives the schema's verdict on the same data, and both must equal the expected one.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator

from conftest import MINIMAL, REPO, run_qunsop
from qunsop.errors import LOAD_CODES
from qunsop.kinds import KINDS
from qunsop.load import SourceProblem, parse_source, split_front_matter

SCHEMAS = REPO / "schemas"
# what the load and validate stages report; reference and content rules are not the schema's job
STRUCTURE_CODES = LOAD_CODES | {"missing-field", "unknown-field", "not-allowed", "invalid-value",
                                "bad-format", "wrong-type"}
DELETE = object()
MARKER = "QUNSOP_CORPUS_VALUE"

BASES = {  # kind -> a valid source of the minimal project to vary
    "playbook": "playbooks/demo/playbook.yaml",
    "tier": "playbooks/demo/tiers/c-store.yaml",
    "calendar": "playbooks/demo/calendars/week.yaml",
    "relative": "playbooks/demo/calendars/launch.yaml",
    "curriculum": "playbooks/demo/curricula/basics.yaml",
    "escalation": "playbooks/demo/escalations/complaint.yaml",
    "campaign": "playbooks/demo/campaigns/pk.yaml",
    "activity": "playbooks/demo/activities/checkin.yaml",
    "incident": "playbooks/demo/incidents/old-complaint.yaml",
    "post": "content_library/posts/needed/tyre-pressure.md",
    "game": "content_library/games/warmup.md",
    "reply": "content_library/replies/calm-first.md",
}


@dataclass(frozen=True)
class Value:
    base: str  # a key of BASES
    path: tuple[str | int, ...]
    yaml: Any  # the text written after `field: ` (or DELETE)
    ok: bool

    @property
    def kind(self) -> str:
        return "calendar" if self.base == "relative" else self.base


def values(base: str, path: tuple[str | int, ...], good: list[Any], bad: list[Any]) -> list[Value]:
    return [Value(base, path, text, True) for text in good] + [Value(base, path, text, False) for text in bad]


SLOT = ("weekly", "mon", "slots", 0)
CORPUS: list[Value] = [
    # times: what normalise_time accepts, and what it does not
    *values("calendar", (*SLOT, "time"),
            ['"08:30"', '"8:30"', "8:30", '" 08:30 "', '"23:59"', '"0:00"'],
            ["8.30", '"8.30"', "830", '"8点半"', '"24:00"', '"7:5"', '"08:60"', '""', "null", '["08:30"]',
             '"08:30:00"']),
    *values("campaign", ("announcements", 0, "time"), ['"12:00"', "9:05"], ["12", '"12点"']),
    *values("curriculum", ("schedule", 0, "time"), ['"20:00"', DELETE], ["20.00"]),
    # dates
    # no end (or a null one) with a weekly template: an open-ended rhythm
    *values("calendar", ("end",), ["2026-12-07", '"2026-12-07"', "2027-01-31", "null", DELETE],
            ["2026/12/07", "2026.12.07", '"2026年12月7日"', "20261207", "2026-13-07", '"2026-02-30"',
             "2026-02-30", "1999-12-31", "2100-01-01", '"2026-12-07 10:00"', "2026-12-07 10:00:00",
             '"2026-12-7"']),
    *values("campaign", ("start",), ["2026-12-01"], ['"12月1日"', "2026"]),
    *values("post", ("valid_from",), ["2026-12-01", "null", DELETE], ['"2026-12-01T00:00:00"']),
    *values("incident", ("end",), ["2026-11-02", "null", DELETE], ['"昨天"']),
    # ids
    *values("tier", ("id",), ["c-vip", '"c-vip-2"', '"123"', "a" * 64],
            ["C-VIP", "c_vip", '"c vip"', "-c", "c--vip", "门店群", "123", "a" * 65, '""']),
    *values("calendar", ("tiers",), ["[c-store]", "[c-store, b-main]"],
            ["[]", "c-store", "[C-Store]", "null", "[[c-store]]"]),
    *values("post", ("tiers", 0), ["c-store"], ["c_store", "1"]),
    # enums
    *values("tier", ("side",), ["C", '"B"'], ["c", "D", "null", "[C]"]),
    *values("tier", ("lifecycle",), ["one_off", "campaign"], ["one-off", "Persistent"]),
    *values("post", ("category",), ["liked", "interaction"], ["likes", "Needed", ""]),
    *values("post", ("status",), ["draft", "approved"], ["Draft", "published", "true"]),
    *values("calendar", (*SLOT, "channel"), ["group", "moments"], ["wechat", "Group"]),
    *values("calendar", ("weekly",), ["{mon: {slots: []}}", "{}"], ["{monday: {slots: []}}", "[]"]),
    *values("game", ("kind",), ["festival", "growth"], ["Festival", "party"]),
    *values("activity", ("kind",), ["pk", "other"], ["PK", "checkins"]),
    *values("curriculum", ("lessons", 0, "format"), ["onsite-qa", "live"], ["onsite_qa", "视频"]),
    *values("escalation", ("hold_categories",), ["[product]", "[]"], ["[products]", "product"]),
    # whole numbers
    *values("tier", ("posts_per_day",), ["3", "3.0", "0", "20"],
            ['"3"', "3.5", "true", "-1", "21", "null", '"三条"']),
    *values("tier", ("intensive_days",), ["null", "14", DELETE], ['"14"', "366"]),
    *values("curriculum", ("schedule", 0, "week"), ["1", "52"], ["0", "53", '"1"']),
    *values("game", ("steps", 0, "at"), ["0", "600"], ["-1", "601", "1.5"]),
    *values("activity", ("days",), ["2", "60"], ["1", "61", "false"]),
    *values("escalation", ("severity", 0, "respond_within_minutes"), ["0", "5"], ["-5", '"5"']),
    # numbers
    *values("tier", ("member_structure",),
            ["{co_builders: 1, active: 9, lurkers: 90}", "{co_builders: 0.5, active: 9.5, lurkers: 90}"],
            ['{co_builders: "1", active: 9, lurkers: 90}', "{co_builders: 1, active: 9}",
             "{co_builders: true, active: 9, lurkers: 90}", "{co_builders: 1, active: 9, lurkers: 101}"]),
    # lists and text
    *values("post", ("tags",), ["[保养]", "[]", DELETE], ["保养", '[""]', "[[保养]]"]),
    *values("post", ("tiers",), ["[c-store]"], ["[]", DELETE]),
    *values("game", ("steps",), ["[{at: 0, host_line: 开场}]"], ["[]", "[{at: 0}]", "[{at: 0, host_line: ''}]"]),
    *values("playbook", ("roles",), ["[{id: ops, name: 运营}, {id: owner, name: 老板}]"],
            ["[]", "ops", "[{id: ops}]"]),
    *values("escalation", ("signals",), ["[晒图]"], ["[]", "晒图"]),
    *values("reply", ("title",), ["标题", '"123"'], ['""', "123", "null", "[标题]"]),
    *values("tier", ("purpses",), [], ["[日常维系]"]),  # an unknown field
    *values("post", ("links",), ['[{title: 文章, url: "https://example.com/a"}]', "[{title: 文章, url: http://x.cn}]"],
            ["[{title: 文章, url: ftp://example.com}]", '[{title: 文章, url: "https://exa mple.com"}]',
             "[{title: 文章, url: www.example.com}]"]),
    *values("post", ("media",), ["[{path: pressure.png, alt: 图}]"], ["[{path: pressure.png}]", "pressure.png"]),
    # rules between fields
    *values("calendar", SLOT,
            ['{time: "08:00", category: needed, post: tyre-pressure}',
             '{time: "08:00", category: needed, pick: {}}',
             '{time: "08:00", category: needed, channel: private, reply: calm-first, task: 私聊问候老客户}',
             '{time: "08:00", category: needed, channel: moments, post: tyre-pressure, task: ""}'],
            ['{time: "08:00", category: needed, post: tyre-pressure, game: warmup}',
             '{time: "08:00", category: needed}',
             '{time: "08:00", category: needed, post: null}',
             '{time: "08:00", category: needed, channel: private, reply: calm-first}',
             '{time: "08:00", category: needed, channel: private, reply: calm-first, task: "  "}',
             '{time: "08:00", category: needed, post: tyre-pressure, task: 私聊}']),
    *values("calendar", ("days",), ["[]", DELETE], ["[{day: 1}]"]),  # a dated calendar
    *values("calendar", ("overrides",), ["[]", "[{date: 2026-12-03, festival: 节, slots: []}]"],
            ["[{date: 2026-12-03, day: 1}]"]),
    *values("relative", ("start",), [DELETE, "null"], ["2026-12-01"]),
    *values("relative", ("days",), ["[{day: 1}]"], ["[]", DELETE, "[{day: 0}]", "[{day: 1, date: 2026-12-01}]"]),
    *values("relative", ("weekly",), ["{}"], ["{mon: {slots: []}}"]),
    *values("incident", ("tiers",), ["[c-store]"], ["[]", DELETE]),
]


def base_data(relative: str) -> tuple[dict[str, Any], str]:
    text = (MINIMAL / relative).read_text(encoding="utf-8")
    if relative.endswith(".md"):
        front, _offset, body, _line = split_front_matter(text)
        return yaml.safe_load(front), body
    return yaml.safe_load(text), ""


def set_path(data: Any, path: tuple[str | int, ...], value: Any) -> None:
    for part in path[:-1]:
        data = data[part]
    if value is DELETE:
        data.pop(path[-1], None)
    else:
        data[path[-1]] = value


def source_text(case: Value, item_id: str) -> str:
    data, body = base_data(BASES[case.base])
    data = copy.deepcopy(data)
    data["id"] = item_id
    set_path(data, case.path, DELETE if case.yaml is DELETE else MARKER)
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, default_flow_style=False, width=1000)
    if case.yaml is not DELETE:
        assert text.count(MARKER) == 1
        text = text.replace(MARKER, case.yaml)
    return f"---\n{text}---\n{body}\n" if KINDS[case.kind].markdown else text


def file_for(case: Value, item_id: str) -> str:
    kind = KINDS[case.kind]
    if case.kind == "playbook":
        return f"playbooks/{item_id}/playbook.yaml"
    return kind.scaffold_path(item_id, "demo", "needed" if case.kind == "post" else "")


def as_json(value: Any) -> Any:
    """What an editor's YAML language server hands to the schema: dates are text."""
    if isinstance(value, dict):
        return {key: as_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [as_json(item) for item in value]
    return value.isoformat() if isinstance(value, dt.date) else value


def editor_data(case: Value, relative: str, text: str) -> Any:
    """The document as the editor sees it. Where qunsop's loader refuses a value (2026-13-07 is
    not a date), a YAML 1.2 editor reads the same characters as text."""
    try:
        data = parse_source(text, relative, case.kind).data
    except SourceProblem:
        data, _body = base_data(BASES[case.base])
        data = copy.deepcopy(data)
        set_path(data, case.path, case.yaml)
        data["id"] = relative.split("/")[-1].split(".")[0]
    if KINDS[case.kind].markdown:
        data.pop("body", None)
    if case.kind == "playbook":
        data["id"] = relative.split("/")[1]
    return as_json(data)


def schema_accepts(kind: str, data: Any) -> bool:
    schema = json.loads((SCHEMAS / f"{kind}.schema.json").read_text(encoding="utf-8"))
    validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    return validator.is_valid(data)


@pytest.fixture(scope="module")
def verdicts(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[Value, str, bool, bool]]:
    root = tmp_path_factory.mktemp("corpus") / "project"
    shutil.copytree(MINIMAL, root)
    written = []
    for number, case in enumerate(CORPUS):
        item_id = f"v{number:03d}"
        relative = file_for(case, item_id)
        text = source_text(case, item_id)
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text(text, encoding="utf-8")
        written.append((case, relative, text))
    run = run_qunsop("validate", str(root), "--format", "json")
    assert "Traceback" not in run.output, run.output
    refused = {p["file"] for p in run.problems() if p["code"] in STRUCTURE_CODES and p["severity"] == "error"}
    others = {p["file"] for p in run.problems()} - {relative for _case, relative, _text in written}
    assert not {file for file in others if file in refused}, "the corpus broke a fixture file"
    return [(case, relative, relative not in refused, schema_accepts(case.kind, editor_data(case, relative, text)))
            for case, relative, text in written]


def test_schema_and_qunsop_agree_on_the_corpus(verdicts: list[tuple[Value, str, bool, bool]]) -> None:
    wrong = [f"{case.kind} {'.'.join(map(str, case.path))} = {case.yaml if case.yaml is not DELETE else '(deleted)'}"
             f": expected {'ok' if case.ok else 'refused'}, qunsop {'ok' if qunsop else 'refused'}, "
             f"schema {'ok' if schema else 'refused'} ({relative})"
             for case, relative, qunsop, schema in verdicts if not case.ok == qunsop == schema]
    assert wrong == [], "\n".join(wrong)


def test_corpus_covers_every_source_kind_with_good_and_bad_values() -> None:
    kinds = {case.kind for case in CORPUS}
    assert kinds == {kind for kind in KINDS if not KINDS[kind].singleton}
    assert sum(case.ok for case in CORPUS) >= 50 and sum(not case.ok for case in CORPUS) >= 100


PLACEHOLDERS = [
    ("placeholders: [{name: 门店名, description: 门店的名字, example: 老王轮胎}]", True),
    ("placeholders: []", True),
    ("placeholders: [{name: '', description: 门店的名字, example: 老王轮胎}]", False),
    ("placeholders: [{name: 门店名, description: 门店的名字}]", False),
    ("placeholders: {name: 门店名}", False),
]


@pytest.mark.parametrize(("text", "ok"), PLACEHOLDERS)
def test_schema_and_qunsop_agree_on_placeholders(tmp_path: Path, text: str, ok: bool) -> None:
    """placeholders.yaml is one file per project: one project per value."""
    root = tmp_path / "project"
    shutil.copytree(MINIMAL, root)
    (root / "content_library/placeholders.yaml").write_text(text + "\n", encoding="utf-8")
    (root / "content_library/posts/needed/tyre-pressure.md").write_text(
        (MINIMAL / "content_library/posts/needed/tyre-pressure.md").read_text(encoding="utf-8")
        .replace("{门店名}", "门店"), encoding="utf-8")
    (root / "playbooks/demo/activities/checkin.yaml").write_text(
        (MINIMAL / "playbooks/demo/activities/checkin.yaml").read_text(encoding="utf-8")
        .replace("{门店名}", "门店"), encoding="utf-8")
    run = run_qunsop("validate", str(root), "--format", "json")
    qunsop = not any(p["severity"] == "error" for p in run.problems())
    schema = schema_accepts("placeholders", as_json(yaml.safe_load(text)))
    assert ok == qunsop == schema, run.output


def test_what_the_schema_cannot_say_is_still_checked_by_qunsop(tmp_path: Path) -> None:
    """Rules JSON Schema cannot express (sums, one field against another, the time-zone
    database): the schema lets them through, qunsop reports them with a Chinese message."""
    root = tmp_path / "project"
    shutil.copytree(MINIMAL, root)
    cases = {
        "playbooks/demo/tiers/c-store.yaml": ("tier", "lurkers: 90", "lurkers: 80", "三项占比之和应为 100"),
        "playbooks/demo/activities/checkin.yaml": ("activity", "days: 2",
                                                   "days: 2\nby_day: [{day: 3, text: 加油}]", "超出了活动的 2 天"),
        "playbooks/demo/playbook.yaml": ("playbook", "timezone: Asia/Shanghai", "timezone: Asia/Beijing",
                                         "未知时区"),
        "playbooks/demo/calendars/week.yaml": ("calendar", "end: 2026-12-07", "end: 2099-12-31", "排期最长"),
    }
    for relative, (_kind, old, new, _says) in cases.items():
        path = root / relative
        path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    found = {p["file"]: p["message"] for p in run_qunsop("validate", str(root), "--format", "json").problems()}
    for relative, (kind, _old, _new, says) in cases.items():
        assert says in found[relative], found
        data = as_json(parse_source((root / relative).read_text(encoding="utf-8"), relative, kind).data)
        assert schema_accepts(kind, data), relative
