"""The checking half of the pipeline: load -> validate -> resolve -> schedule."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from .cache import ParseCache, code_version, fingerprint, read_json, write_json
from .errors import Problem
from .lint import BANNED_WORDS_FILE, CONFIG_FILE, lint_project, lint_today
from .load import MAX_SOURCE_BYTES, discover, load_project
from .resolve import ASSETS_DIR, Project, check_references, index_items
from .schedule import CalendarSchedule, build_schedules
from .validate import validate_sources


@dataclass(frozen=True)
class CheckedProject:
    project: Project
    schedules: dict[str, CalendarSchedule]
    problems: list[Problem]
    files_checked: int


def check_project(root: Path) -> CheckedProject:
    """Run every checking stage over all sources; collect every problem."""
    cache = ParseCache(root)
    loaded = load_project(root, cache)
    cache.save()
    # parsed sources live until the process ends; keep the cyclic collector from
    # rescanning them on every later allocation burst (measured: 2 s at size L)
    gc.freeze()
    items, problems, invalid = validate_sources(loaded.files)
    project, found = index_items(root, items, invalid)
    problems += loaded.problems + found + check_references(project)
    schedules, found = build_schedules(project)
    problems += found + lint_project(project, schedules)
    return CheckedProject(project, schedules, sorted(set(problems)), loaded.files_seen)


def input_fingerprint(root: Path, *extra: tuple[str, bytes | str]) -> str:
    """A hash of everything a check depends on: sources, settings, assets, qunsop itself."""

    def items() -> Iterator[tuple[str, bytes | str]]:
        for relative, _kind in discover(root):
            path = root / relative
            size = path.stat().st_size
            yield relative, path.read_bytes() if size <= MAX_SOURCE_BYTES else str(size)
        for name in (CONFIG_FILE, BANNED_WORDS_FILE):
            if (root / name).is_file():
                yield name, (root / name).read_bytes()
        assets = root / ASSETS_DIR
        if assets.is_dir():
            for path in sorted(assets.rglob("*")):
                if path.is_file():
                    yield path.relative_to(root).as_posix(), path.read_bytes()
        yield "qunsop", code_version()
        yield "today", lint_today().isoformat()
        yield from extra

    return fingerprint(items())


def cached_problems(root: Path) -> tuple[list[Problem], int]:
    """`validate` with nothing changed answers from the last run's result."""
    key = input_fingerprint(root)
    stored = read_json(root, "validate.json")
    if stored and stored.get("fingerprint") == key:
        return [Problem(**fields) for fields in stored["problems"]], stored["files_checked"]
    checked = check_project(root)
    write_json(root, "validate.json", {
        "fingerprint": key, "files_checked": checked.files_checked,
        "problems": [problem.as_json() for problem in checked.problems]})
    return checked.problems, checked.files_checked
