"""The bad-input corpus: every broken source is reported with file, line, field path.

Each case writes one broken file into a copy of the minimal sample project and
runs the real `qunsop validate`. The expected line is the line an editor would
have to change.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from conftest import ScratchProject

TIER = "playbooks/demo/tiers/c-store.yaml"
CAL = "playbooks/demo/calendars/week.yaml"
LAUNCH = "playbooks/demo/calendars/launch.yaml"
POST = "content_library/posts/needed/tyre-pressure.md"
GAME = "content_library/games/warmup.md"
ESC = "playbooks/demo/escalations/complaint.yaml"
PLAYBOOK = "playbooks/demo/playbook.yaml"
CAMPAIGN = "playbooks/demo/campaigns/pk.yaml"
CURRICULUM = "playbooks/demo/curricula/basics.yaml"
PLACEHOLDERS = "content_library/placeholders.yaml"

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

GOOD_CAL_HEAD = """\
id: week
name: 一周排期
tiers: [c-store]
start: 2026-12-01
end: 2026-12-07
weekly:
  mon:
    slots:
"""


def post_text(front: str, body: str = "天冷了，出车前测胎压。") -> str:
    return f"---\n{front}---\n{body}\n"


GOOD_POST_FRONT = """\
id: tyre-pressure
title: 冬天胎压怎么看
category: needed
tags: [保养]
tiers: [c-store]
"""


@dataclass(frozen=True)
class Case:
    name: str
    file: str
    content: str | bytes
    code: str
    line: int
    path: str = ""
    exit_code: int = 1
    message_part: str = ""


CASES = [
    Case("yaml-unclosed-bracket", TIER, GOOD_TIER.replace("[日常维系]", "[日常维系"),
         "yaml-syntax", 4),
    Case("tab-indent", CAL, GOOD_CAL_HEAD + "\t- time: '08:00'\n", "tab-indent", 9),
    Case("empty-yaml", TIER, "", "empty-file", 1),
    Case("whitespace-only-yaml", TIER, "\n   \n", "empty-file", 1),
    Case("comment-only-yaml", TIER, "# 还没写\n", "empty-file", 1),
    Case("utf8-bom", TIER, "\ufeff" + GOOD_TIER, "utf8-bom", 1, exit_code=0),
    Case("gbk-encoded", TIER, GOOD_TIER.replace("门店车友群", "门店").encode("gbk"), "not-utf8", 2),
    Case("front-matter-unclosed", POST, "---\n" + GOOD_POST_FRONT + "正文\n",
         "unclosed-front-matter", 7),  # where the closing --- belongs
    Case("no-front-matter", POST, "天冷了，出车前测胎压。\n", "no-front-matter", 1),
    Case("unknown-field-typo", TIER, GOOD_TIER.replace("purposes:", "purpses:"),
         "unknown-field", 4, "purpses", message_part="purposes"),
    Case("unknown-field-in-front-matter", POST, post_text(GOOD_POST_FRONT + "tier: [c-store]\n"),
         "unknown-field", 7, "tier", message_part="tiers"),
    Case("missing-required-field", TIER, GOOD_TIER.replace("side: C\n", ""),
         "missing-field", 1, "side"),
    Case("missing-field-in-slot", CAL, GOOD_CAL_HEAD + "      - time: '08:00'\n        post: road-story\n",
         "missing-field", 9, "weekly.mon.slots[0].category"),
    Case("int-expected", TIER, GOOD_TIER.replace("posts_per_day: 2", "posts_per_day: 三条"),
         "invalid-value", 7, "posts_per_day"),
    Case("literal-not-allowed", TIER, GOOD_TIER.replace("side: C", "side: D"),
         "not-allowed", 3, "side"),
    Case("lifecycle-typo", TIER, GOOD_TIER.replace("persistent", "persistant"),
         "not-allowed", 6, "lifecycle", message_part="persistent"),
    Case("bad-id-format", TIER, GOOD_TIER.replace("id: c-store", "id: C_Store"),
         "bad-format", 1, "id", message_part="c-store"),
    Case("unknown-post-ref", CAL, GOOD_CAL_HEAD
         + "      - time: '08:00'\n        category: needed\n        post: tyre-presure\n",
         "unknown-ref", 11, "weekly.mon.slots[0].post", message_part="tyre-pressure"),
    Case("unknown-game-ref", LAUNCH, "id: launch\nname: 建群\ntiers: [c-store]\ndays:\n  - day: 1\n"
         "    slots:\n      - {time: '10:00', category: game, game: hongbao}\n",
         "unknown-ref", 7, "days[0].slots[0].game"),
    Case("duplicate-id", "playbooks/demo/tiers/copy.yaml", GOOD_TIER,
         "duplicate-id", 1, "id", message_part="c-store"),
    Case("bad-calendar-date", CAL, GOOD_CAL_HEAD.replace("2026-12-07", "2026-13-07")
         + "      - {time: '08:00', category: needed, post: tyre-pressure}\n",
         "bad-value", 5, "end"),
    Case("date-as-text", CAL, GOOD_CAL_HEAD.replace("2026-12-07", "十二月七日")
         + "      - {time: '08:00', category: needed, post: tyre-pressure}\n",
         "invalid-value", 5, "end"),
    Case("bad-time", CAL, GOOD_CAL_HEAD + "      - {time: '25:00', category: needed, post: tyre-pressure}\n",
         "bad-format", 9, "weekly.mon.slots[0].time"),
    Case("slot-clash", CAL, GOOD_CAL_HEAD
         + "      - {time: '08:00', category: needed, post: tyre-pressure}\n"
         + "      - {time: '08:00', category: liked, post: road-story}\n",
         "slot-clash", 10, "weekly.mon.slots[1].time"),
    Case("end-before-start", CAL, GOOD_CAL_HEAD.replace("end: 2026-12-07", "end: 2026-11-07")
         + "      - {time: '08:00', category: needed, post: tyre-pressure}\n",
         "end-before-start", 5, "end"),
    Case("outside-validity", CAL, GOOD_CAL_HEAD.replace("start: 2026-12-01", "start: 2026-11-30")
         + "      - {time: '12:00', category: activity, post: pk-start}\n",
         "outside-validity", 9, "weekly.mon.slots[0].post", message_part="2026-11-30"),
    Case("tier-mismatch", CAL, GOOD_CAL_HEAD.replace("tiers: [c-store]", "tiers: [c-store, b-main]")
         + "      - {time: '08:00', category: needed, post: tyre-pressure}\n",
         "tier-mismatch", 9, "weekly.mon.slots[0].post", message_part="b-main"),
    Case("pick-excludes-other-tiers", "content_library/posts/liked/road-story.md",
         post_text("id: road-story\ntitle: 故事\ncategory: liked\ntags: [故事]\ntiers: [b-main]\n"),
         "pick-empty", 14, "weekly.mon.slots[1].pick", message_part="c-store"),
    Case("escalation-unknown-role", ESC, "id: complaint\nname: 投诉\nincident: 投诉\nsignals: [晒图]\n"
         "severity:\n  - {level: P1, name: 紧急, description: 多人跟帖, respond_within_minutes: 5}\n"
         "steps:\n  - {owner: boss, within_minutes: 5, action: 回应}\n",
         "unknown-ref", 8, "steps[0].owner"),
    Case("escalation-unknown-reply", ESC, "id: complaint\nname: 投诉\nincident: 投诉\nsignals: [晒图]\n"
         "severity:\n  - {level: P1, name: 紧急, description: 多人跟帖, respond_within_minutes: 5}\n"
         "steps:\n  - owner: owner\n    within_minutes: 5\n    action: 回应\n    reply: calm-frist\n",
         "unknown-ref", 11, "steps[0].reply", message_part="calm-first"),
    Case("tier-unknown-owner", TIER, GOOD_TIER.replace("owner: owner", "owner: ownr"),
         "unknown-ref", 8, "owner", message_part="owner"),
    Case("flows-to-unknown", TIER, GOOD_TIER + "flows_to:\n  - b-mian\n",
         "unknown-ref", 10, "flows_to[0]", message_part="b-main"),
    Case("missing-media", POST, post_text(GOOD_POST_FRONT + "media:\n  - {path: presure.png, alt: 图}\n"),
         "missing-media", 8, "media[0].path", message_part="pressure.png"),
    Case("media-escapes-assets", POST,
         post_text(GOOD_POST_FRONT + "media:\n  - {path: ../../pyproject.toml, alt: 图}\n"),
         "bad-media", 8, "media[0].path"),
    Case("member-structure-sum", TIER,
         GOOD_TIER + "member_structure: {co_builders: 1, active: 9, lurkers: 80}\n",
         "invalid-value", 9, "member_structure", message_part="90"),
    Case("slot-two-sources", CAL, GOOD_CAL_HEAD
         + "      - {time: '08:00', category: needed, post: tyre-pressure, game: warmup}\n",
         "invalid-value", 9, "weekly.mon.slots[0]"),
    Case("slot-no-source", CAL, GOOD_CAL_HEAD + "      - {time: '08:00', category: needed}\n",
         "invalid-value", 9, "weekly.mon.slots[0]"),
    Case("dated-and-relative", LAUNCH, "id: launch\nname: 建群\ntiers: [c-store]\nstart: 2026-12-01\n"
         "end: 2026-12-02\ndays:\n  - day: 1\n", "invalid-value", 1, ""),
    Case("duplicate-yaml-key", TIER, GOOD_TIER + "side: B\n", "duplicate-key", 9, "side"),
    Case("unsafe-python-tag", TIER, GOOD_TIER.replace("audience: 到店客户",
                                                      "audience: !!python/object/apply:os.system [ls]"),
         "unsafe-tag", 5, "audience"),
    Case("unknown-placeholder", POST, post_text(GOOD_POST_FRONT, "欢迎来{门店名}，电话{店铺电话}"),
         "unknown-placeholder", 8, "body", message_part="店铺电话"),
    Case("body-in-front-matter", POST, post_text(GOOD_POST_FRONT + "body: 正文\n"),
         "body-in-front-matter", 7, "body"),
    Case("two-yaml-documents", TIER, GOOD_TIER + "---\nid: other\n", "multiple-documents", 9),
    Case("scalar-instead-of-list", PLAYBOOK, "id: demo\nname: 演示\norganisation: 平台\nindustry: 汽配\n"
         "audience: 老板\nroles: ops\n", "wrong-type", 6, "roles"),
    Case("unknown-timezone", PLAYBOOK, "id: demo\nname: 演示\norganisation: 平台\nindustry: 汽配\n"
         "audience: 老板\ntimezone: Asia/Beijing\nroles:\n  - {id: ops, name: 运营}\n  - {id: owner, name: 老板}\n",
         "invalid-value", 6, "timezone"),
    Case("campaign-clash", CAMPAIGN, "id: pk\nname: PK\ntype: 销售PK\ntiers: [c-store]\n"
         "start: 2026-12-01\nend: 2026-12-31\nrules: [比销量]\nannouncements:\n"
         "  - {date: 2026-12-07, time: '08:00', post: pk-start}\n",
         "slot-clash", 9, "announcements[0].time"),
    Case("pick-finds-nothing", CAL, GOOD_CAL_HEAD
         + "      - time: '08:00'\n        category: concerned\n        pick: {tag: 故事}\n",
         "pick-empty", 11, "weekly.mon.slots[0].pick"),
    Case("curriculum-unknown-material", CURRICULUM,
         "id: basics\nname: 基础课\naudience: [b-main]\ngoal: 学会转发\nlessons:\n  - id: one\n"
         "    title: 转发\n    format: video\n    minutes: 10\n    objectives: [会转发]\n"
         "    materials: [tyre-pressure, warm-up]\ncompletion: 结业\n",
         "unknown-ref", 11, "lessons[0].materials[1]", message_part="warmup"),
    Case("weekday-typo", CAL, GOOD_CAL_HEAD.replace("  mon:", "  monday:")
         + "      - {time: '08:00', category: needed, post: tyre-pressure}\n",
         "not-allowed", 7, "weekly.monday", message_part="mon"),
    Case("override-out-of-range", CAL, GOOD_CAL_HEAD
         + "      - {time: '08:00', category: needed, post: tyre-pressure}\n"
         + "overrides:\n  - date: 2027-01-05\n    slots: []\n",
         "date-out-of-range", 11, "overrides[0].date"),
    Case("front-matter-is-list", POST, "---\n- id: x\n---\n正文\n", "not-a-mapping", 2),
    Case("unknown-kpi", TIER, GOOD_TIER + "kpis: [active-rat]\n", "unknown-ref", 9, "kpis[0]",
         message_part="active-rate"),
    Case("file-name-differs", "playbooks/demo/tiers/store.yaml",
         GOOD_TIER.replace("c-store", "c-store-two"), "id-filename", 1, "id", exit_code=0),
    Case("top-level-list", TIER, "- id: c-store\n", "not-a-mapping", 1),
    Case("negative-minutes", GAME, "---\nid: warmup\nname: 红包\nkind: icebreaker\ntiers: [c-store]\n"
         "group_size: 30人\nminutes: -5\nsteps:\n  - {at: 0, host_line: 大家好}\n---\n",
         "invalid-value", 7, "minutes"),
    *(Case(f"placeholder-name-{name}", PLACEHOLDERS,
           f"placeholders:\n  - {{name: 门店名, description: 店名, example: 老王}}\n"
           f"  - {{name: '{name}', description: 别的, example: 某某}}\n",
           "invalid-value", 3, "placeholders[1].name", message_part=part)
      for name, part in (("constructor", "保留字"), ("toString", "保留字"), ("__proto__", "只能用汉字"),
                         ("门店 名", "只能用汉字"), ("门店.名", "只能用汉字"))),
    Case("missing-colon", TIER, GOOD_TIER.replace("audience: 到店客户", "audience 到店客户"),
         "yaml-syntax", 5),
]


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_bad_input_is_located(scratch: ScratchProject, case: Case) -> None:
    if isinstance(case.content, bytes):
        scratch.write_bytes(case.file, case.content)
    else:
        (scratch.root / case.file).parent.mkdir(parents=True, exist_ok=True)
        (scratch.root / case.file).write_text(case.content, encoding="utf-8")
    run = scratch.validate()
    assert "Traceback" not in run.output
    assert run.exit_code == case.exit_code, run.output
    matching = [p for p in run.problems() if p["code"] == case.code]
    assert matching, f"no {case.code} in {run.problems()}"
    problem = matching[0]
    expected_file = CAL if case.code == "pick-empty" else case.file
    assert problem["file"] == expected_file
    assert problem["line"] == case.line, problem
    assert problem["path"] == case.path, problem
    assert problem["column"] >= 1
    assert case.message_part in problem["message"]


def test_corpus_is_large_enough() -> None:
    assert len(CASES) >= 40


def test_text_output_is_grouped_by_file_and_in_chinese(scratch: ScratchProject) -> None:
    scratch.write(TIER, GOOD_TIER.replace("owner: owner", "owner: ownr"))
    scratch.write(CAL, GOOD_CAL_HEAD + "      - {time: '08:00', category: needed, post: tyre-presure}\n")
    run = scratch.validate("text")
    assert run.exit_code == 1
    assert "Traceback" not in run.output
    lines = run.stdout.splitlines()
    assert lines.index(CAL) < lines.index(TIER)  # files in order, each named once
    assert "找不到角色 `ownr`（是不是 `owner`？）" in run.stdout
    assert "2 个错误" in run.stdout


def test_all_problems_reported_in_one_run(scratch: ScratchProject) -> None:
    scratch.write(TIER, GOOD_TIER.replace("side: C", "side: D"))
    scratch.write(POST, "no front matter")
    scratch.write("playbooks/demo/tiers/b-main.yaml", "id: b-main\n\tname: x\n")
    run = scratch.validate()
    files = {p["file"] for p in run.problems()}
    assert {TIER, POST, "playbooks/demo/tiers/b-main.yaml"} <= files


def test_clock_time_without_quotes_is_read_as_time(scratch: ScratchProject) -> None:
    scratch.write(CAL, GOOD_CAL_HEAD + "      - {time: 8:30, category: needed, post: tyre-pressure}\n")
    run = scratch.validate()
    assert run.exit_code == 0, run.output
