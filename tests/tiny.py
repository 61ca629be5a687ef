"""A tiny project built from a few dicts, for tests that call one stage in process.

`tiny_project(tmp_path, {...})` writes the base project below with the given files added or
replaced (a value of None removes a file). A YAML file is a dict; a Markdown item is a dict whose
"body" key is the text under its front matter. Dates may be dt.date: YAML writes them as dates.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import yaml

from qunsop.clock import Clock
from qunsop.pipeline import CheckedProject, CheckOptions, check_project

# Monday 2026-11-30 .. Sunday 2026-12-06: one week, so weekday rules are easy to read
WEEK_START, WEEK_END = dt.date(2026, 11, 30), dt.date(2026, 12, 6)

BASE: dict[str, Any] = {
    "mkdocs.yml": {"site_name": "小项目", "site_url": "https://tiny.qunsop.cn/",
                   "theme": {"name": "material", "language": "zh"}},
    "qunsop.yaml": {"lint": {"severity": {"below-cadence": "off"}}},
    "playbooks/demo/playbook.yaml": {
        "id": "demo", "name": "演示方案", "organisation": "演示平台", "industry": "汽配",
        "audience": "门店老板和车主", "timezone": "Asia/Shanghai",
        "roles": [{"id": "owner", "name": "门店老板"}]},
    "playbooks/demo/tiers/c-store.yaml": {
        "id": "c-store", "name": "门店车友群", "side": "C", "purposes": ["日常维系"],
        "audience": "到店客户", "lifecycle": "campaign", "posts_per_day": 1,
        "member_structure": {"co_builders": 1, "active": 9, "lurkers": 90}, "owner": "owner"},
    "playbooks/demo/calendars/week.yaml": {
        "id": "week", "name": "一周排期", "tiers": ["c-store"], "start": WEEK_START, "end": WEEK_END,
        # the post on Mondays only (a week apart: no repeat warning), the game every evening
        "weekly": {day: {"slots": [*([{"time": "08:00", "category": "needed", "post": "tip"}]
                                     if day == "mon" else []),
                                   {"time": "20:00", "category": "game", "game": "warmup"}]}
                   for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}},
    "playbooks/demo/escalations/complaint.yaml": {
        "id": "complaint", "name": "群内投诉", "incident": "产品投诉在群里扩散",
        "signals": ["群里有人晒坏胎照片"],
        "severity": [{"level": "P1", "name": "紧急", "description": "多人跟帖", "respond_within_minutes": 5}],
        "steps": [{"owner": "owner", "within_minutes": 5, "action": "在群里公开回应并转私聊"}],
        "dont": ["在群里争辩"], "review": ["为什么没有更早发现？"],
        "owner_notice": "群里正在处理一起投诉：今天的游戏先别发。", "hold_categories": ["game"]},
    "content_library/posts/tip.md": {
        "id": "tip", "title": "冬天胎压怎么看", "category": "needed", "tags": ["保养"],
        "tiers": ["c-store"], "body": "天冷了，出车前测一下胎压。"},
    "content_library/games/warmup.md": {
        "id": "warmup", "name": "红包暖场", "kind": "icebreaker", "tiers": ["c-store"],
        "group_size": "30-300人", "minutes": 15, "steps": [{"at": 0, "host_line": "各位晚上好"}],
        "fallback": ["请托先接话"], "body": "熟人群用。"},
}


def source_text(relative: str, data: dict[str, Any] | str) -> str:
    if isinstance(data, str):
        return data
    if relative.endswith(".md"):
        fields = {key: value for key, value in data.items() if key != "body"}
        return f"---\n{dump(fields)}---\n{data.get('body', '')}\n"
    return dump(data)


def dump(data: Any) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def tiny_project(root: Path, files: dict[str, dict[str, Any] | str | None] | None = None) -> Path:
    """Write the base project with `files` added, replaced or (None) removed; returns root."""
    for relative, data in {**BASE, **(files or {})}.items():
        if data is None:
            continue
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source_text(relative, data), encoding="utf-8")
    return root


def checked(root: Path, today: dt.date = WEEK_START, lint: bool = True) -> CheckedProject:
    """Every checking stage, in process, with `today` as the clock's day."""
    return check_project(root, CheckOptions(Clock.on(today)), lint=lint)


def codes(project: CheckedProject) -> list[str]:
    return [problem.code for problem in project.problems]


def with_changes(base: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """A copy of a base file's dict with some fields changed (a value of None drops the field)."""
    merged = {**base, **changes}
    return {key: value for key, value in merged.items() if value is not None}
