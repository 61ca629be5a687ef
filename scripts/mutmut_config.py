"""mutmut 2 hooks for scripts/mutation.sh: mutate only the date and scope rules, and run only
the fast tests written for them (tests/test_date_rules.py, tests/test_scope_rules.py).

mutmut imports this module by name (scripts/ is on PYTHONPATH while it runs)."""

from __future__ import annotations

import ast
import functools
from pathlib import Path
from typing import Any

DATE_TESTS = "tests/test_date_rules.py"
SCOPE_TESTS = "tests/test_scope_rules.py"

# file -> {qualified function name: the tests that pin it (a file and a -k expression)}; a name
# with "@word|word" keeps only the lines of that function which mention one of the words (the
# rule inside a longer function). Only the tests of a rule run for its mutants: a few seconds each.


def date(keywords: str) -> str:
    return f"{DATE_TESTS} -k '{keywords}'"


def scope(keywords: str) -> str:
    return f"{SCOPE_TESTS} -k '{keywords}'"


TARGETS: dict[str, dict[str, str]] = {
    "generator/schedule.py": {
        "group_in_scope": scope("group_in_scope or reaches or scoped"),
        "follows": scope("follows or reaches"),
        "affects": scope("reach or scoped or holds"),
        "scope_label": scope("scope_label"),
        "_Expander._reaches_day": scope("day_number or start_date or relative"),
        "_Expander._open_incidents@open_on|_reaches_day|scoped|date is None|_affects":
            f"{SCOPE_TESTS} {DATE_TESTS} -k 'incident or holds'",
        "named_posts": date("named_posts"), "within_calendar": date("within"),
        "reminder_time": date("reminder"), "fill_activity_tokens": date("activity or deadline"),
        "_Expander.first_day": date("calendar"), "_Expander.last_day": date("calendar"),
        "_Expander._plans": date("calendar or override"),
        "_Expander._activity@last_|offset|截止|first.date": date("activity or deadline"),
        "_Expander._valid_for": date("pick"),
    },
    "generator/models.py": {
        "Incident.open_on": f"{DATE_TESTS} {SCOPE_TESTS} -k 'open_on or incident or spans or two_days'",
        "Incident.scoped": scope("scoped or day_number"),
        "Post.valid_on": date("valid or pick"), "Calendar.is_dated": date("calendar or within or deadline"),
        "Calendar.open_ended": date("open_ended or within"),
    },
    "generator/rules.py": {"expiring": date("expiring"), "seasonal_posts": date("seasonal")},
    "generator/resolve.py": {"_ReferenceChecker.end_after_start": date("end"),
                             "_ReferenceChecker.scope": scope("unknown or undeclared or roster")},
    "generator/plan.py": {"incident_status": date("status")},
    "generator/festivals.py": {"marks_between": date("festival or marks")},
    "generator/lint.py": {"_Linter.calendar_ending": date("calendar_ending or ending_soon"),
                          "_Linter.calendar_days": date("festival"),
                          "_Linter.post_limits@expiring": date("expiring"),
                          "_Linter.run@expiring": date("expiring")},
}


@functools.cache
def line_tests(filename: str) -> dict[int, str]:
    """0-based line index -> the tests to run, for every line of the targeted functions."""
    relative = Path(filename).resolve().relative_to(Path.cwd()).as_posix()
    wanted = TARGETS.get(relative, {})
    lines = Path(filename).read_text(encoding="utf-8").splitlines()
    found: dict[int, str] = {}
    for name, node in functions(ast.parse("\n".join(lines))):
        for spec, tests in wanted.items():
            qualified, _, words = spec.partition("@")
            if qualified != name:
                continue
            for number in range(node.lineno, (node.end_lineno or node.lineno) + 1):
                if not words or any(word in lines[number - 1] for word in words.split("|")):
                    found[number - 1] = tests
    return found


def functions(tree: ast.AST, prefix: str = "") -> list[tuple[str, ast.AST]]:
    found: list[tuple[str, ast.AST]] = []
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            found.append((prefix + node.name, node))
        elif isinstance(node, ast.ClassDef):
            found += functions(node, f"{prefix}{node.name}.")
    return found


def pre_mutation(context: Any) -> None:
    tests = line_tests(context.filename).get(context.current_line_index)
    line = context.current_source_line.strip()
    # outside the rules, or a docstring/comment line: not a rule to pin
    if tests is None or line.startswith(('"""', "#")) or line.endswith('"""'):
        context.skip = True
        return
    context.config.test_command = context.config.test_command.replace(f"{DATE_TESTS} {SCOPE_TESTS}", tests)
