"""The checking half of the pipeline: load -> validate -> resolve -> schedule."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .errors import Problem
from .lint import lint_project
from .load import load_project
from .resolve import Project, check_references, index_items
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
    loaded = load_project(root)
    items, problems, invalid = validate_sources(loaded.files)
    project, found = index_items(root, items, invalid)
    problems += loaded.problems + found + check_references(project)
    schedules, found = build_schedules(project)
    problems += found + lint_project(project, schedules)
    return CheckedProject(project, schedules, sorted(set(problems)), loaded.files_seen)
