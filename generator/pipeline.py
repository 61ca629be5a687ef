"""The checking half of the pipeline: load -> validate -> resolve -> schedule -> lint."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .cache import Cache, code_version, file_state, fingerprint
from .clock import DEFAULT_ZONE, Clock
from .errors import Problem, UsageError, did_you_mean, problems_from_json, root_cause_order
from .festivals import keep_marks
from .lint import BANNED_WORDS_FILE, lint_project
from .load import MAX_SOURCE_BYTES, LoadResult, ParseCache, SourceFile, discover, load_project, playbook_of
from .media import ASSETS_DIR
from .models import Playbook
from .quiz import assign_quiz_rounds
from .resolve import Project, check_references, index_items
from .review import check_review_settings
from .roster import check_rosters
from .schedule import CalendarSchedule, build_schedules
from .site_config import SITE_CONFIG_FILE, site_findings
from .validate import Item, validate_sources


@dataclass(frozen=True)
class CheckOptions:
    """What a run may vary: the clock date rules read, and whether mkdocs.yml may name scripts."""

    clock: Clock
    allow_scripts: bool = False
    playbook: str | None = None  # only this playbook (library content is shared and always checked)
    # open-ended calendars are expanded from this day on (default today); a build passes its
    # stamp's day so that one commit always builds the same days
    anchor: dt.date | None = None


@dataclass(frozen=True)
class CheckedProject:
    project: Project
    schedules: dict[str, CalendarSchedule]
    problems: list[Problem]
    files_checked: int
    today: dt.date
    warnings: list[str] = field(default_factory=list)  # about the run itself (e.g. the cache)


def check_project(root: Path, options: CheckOptions,
                  cache: Cache | None = None, lint: bool = True) -> CheckedProject:
    """Run every checking stage over all sources; collect every problem.

    Without `lint`, the content rules are left for `lint_problems` (a build runs them in a
    worker process beside rendering)."""
    cache = cache or Cache.open(root)
    keep_marks(cache)
    parses = ParseCache(cache)
    loaded = load_project(root, parses)
    parses.save()
    items, problems, invalid = validate_sources(loaded.files)
    problems += loaded.problems
    if options.playbook is not None:
        items, invalid, problems = only_playbook(options.playbook, loaded, items, invalid, problems)
    project, found = index_items(root, items, invalid, loaded.failed)
    problems += found + check_references(project)
    problems += check_site_config(project, options.allow_scripts)
    today = options.clock.today_in(project_zone(project))
    schedules, found = build_schedules(project, options.anchor or today)
    schedules, quiz_found = assign_quiz_rounds(project, schedules)
    found += quiz_found
    problems += check_rosters(project, schedules, today)
    problems += check_review_settings(project)
    problems += found + (lint_project(project, schedules, today, cache) if lint else [])
    keep_marks(cache)
    return CheckedProject(project, schedules, root_cause_order(set(problems)), loaded.files_seen,
                          today, cache.warnings)


def project_zone(project: Project) -> str:
    """The time zone "today" is read in: the first playbook's (projects rarely mix zones)."""
    playbooks = sorted(project.of(Playbook).models(), key=lambda playbook: playbook.id)
    return playbooks[0].timezone if playbooks else DEFAULT_ZONE


def lint_problems(checked: CheckedProject, cache: Cache | None = None) -> list[Problem]:
    """The content rules' findings, for a project checked without them."""
    return lint_project(checked.project, checked.schedules, checked.today, cache)


def only_playbook(playbook: str, loaded: LoadResult, items: list[Item[Any]], invalid: list[SourceFile],
                  problems: list[Problem]) -> tuple[list[Item[Any]], list[SourceFile], list[Problem]]:
    """Keep one playbook and the shared files; the others' ids stay known but unchecked."""
    owners = {source.playbook for source in loaded.files} | {
        playbook_of(path) for path, _kind in loaded.failed}
    if playbook not in owners:
        known = sorted(owner for owner in owners if owner)
        raise UsageError(f"找不到方案 `{playbook}`{did_you_mean(playbook, known)}：项目里有 "
                         f"{'、'.join(known) or '（还没有方案）'}")
    kept = [item for item in items if item.playbook in (None, playbook)]
    others = [item.source for item in items if item.playbook not in (None, playbook)]
    return kept, [*invalid, *others], [
        problem for problem in problems if playbook_of(problem.file) in (None, playbook)]


def check_site_config(project: Project, allow_scripts: bool) -> list[Problem]:
    site = project.singletons.get("site")
    if site is None:
        if (project.root / SITE_CONFIG_FILE).exists():
            return []  # it failed to load or validate: already reported where it is broken
        return [Problem(SITE_CONFIG_FILE, 1, 1, "", "missing-site-config",
                        "缺少 mkdocs.yml（网站名称和网址）：运行 qunsop init 生成一个，或从示例项目复制")]
    return [site.problem(loc, code, message, severity)
            for loc, code, message, severity in site_findings(site.model, project.root, allow_scripts)]


def input_fingerprint(root: Path, options: CheckOptions, *extra: tuple[str, bytes | str]) -> str:
    """A hash of everything a check depends on: sources, settings, assets, qunsop itself."""

    def items() -> Iterator[tuple[str, bytes | str]]:
        for relative, _kind in discover(root):
            yield relative, file_state(root / relative, follow=True, limit=MAX_SOURCE_BYTES)
        yield BANNED_WORDS_FILE, file_state(root / BANNED_WORDS_FILE, follow=True, limit=MAX_SOURCE_BYTES)
        assets = root / ASSETS_DIR
        if assets.is_dir():  # media are never read through a link, so a link is its target's name
            for path in sorted(assets.rglob("*")):
                yield path.relative_to(root).as_posix(), file_state(path, follow=False)
        yield "qunsop", code_version()
        yield "today", options.clock.key()
        yield "anchor", str(options.anchor)
        yield "scripts", str(options.allow_scripts)
        yield "playbook", options.playbook or ""
        yield from extra

    return fingerprint(items())


def cached_problems(root: Path, options: CheckOptions) -> tuple[list[Problem], int,
                                                                                 list[str]]:
    """`validate` with nothing changed answers from the last run's result."""
    cache = Cache.open(root)
    key = input_fingerprint(root, options)
    stored = stored_problems(cache.read("validate.json"), key)
    if stored is not None:
        return *stored, cache.warnings
    checked = check_project(root, options, cache)
    cache.write("validate.json", {
        "fingerprint": key, "files_checked": checked.files_checked,
        "problems": [problem.as_json() for problem in checked.problems]})
    return checked.problems, checked.files_checked, cache.warnings


def stored_problems(record: Any, key: str) -> tuple[list[Problem], int] | None:
    """The problems of a validate record made from exactly these inputs; None for any other
    record, or one that is damaged (the sources are then checked again)."""
    if not isinstance(record, dict) or record.get("fingerprint") != key:
        return None
    problems = problems_from_json(record.get("problems"))
    files_checked = record.get("files_checked")
    if problems is None or not isinstance(files_checked, int):
        return None
    return problems, files_checked
