"""Problems found in sources, and the exceptions that carry them to the CLI."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Literal

SeverityLevel = Literal["error", "warning"]

# Characters nobody types on purpose: C0/C1 controls (NUL, ESC…), lone CR, the line breaks
# PyYAML counts but editors do not (NEL, U+2028/2029: line numbers would drift), a BOM
# inside the text, and bidi controls that make text read differently than it is stored.
# Refused in every source value (load.py); never written to a terminal (`printable`).
FORBIDDEN_CHARACTERS = re.compile(
    "[\x00-\x08\x0b\x0c\x0d\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029"
    "\u202a-\u202e\u2066-\u2069\ufeff]")


def printable(text: str) -> str:
    """Text for a terminal: each forbidden character as a visible `\\uXXXX` (also valid
    inside a JSON string), so no file name or value can move the cursor, set the window
    title or write the clipboard (OSC 52)."""
    return FORBIDDEN_CHARACTERS.sub(lambda found: f"\\u{ord(found.group(0)):04x}", text)


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with one source value, located for a person to fix."""

    file: str
    line: int
    column: int
    path: str
    code: str
    message: str
    severity: SeverityLevel = "error"

    def as_json(self) -> dict[str, object]:
        return asdict(self)


def problems_from_json(records: object) -> list[Problem] | None:
    """Problems kept as `as_json` dicts in a cache record; None when the record is damaged
    (what read it then finds them again)."""
    if not isinstance(records, list):
        return None
    try:
        problems = [Problem(**fields) for fields in records]
    except TypeError:
        return None
    ok = all(isinstance(value, str) for problem in problems
             for value in (problem.file, problem.path, problem.code, problem.message)) and all(
        isinstance(problem.line, int) and isinstance(problem.column, int)
        and problem.severity in ("error", "warning") for problem in problems)
    return problems if ok else None


class ProblemsFound(Exception):
    """Raised by a stage when sources are invalid; carries every problem at once."""

    def __init__(self, problems: Iterable[Problem], files_checked: int = 0) -> None:
        self.problems = root_cause_order(problems)
        self.files_checked = files_checked
        super().__init__(f"{len(self.problems)} problem(s)")


class UsageError(Exception):
    """The command was called wrongly (exit code 2), e.g. PATH is not a qunsop project."""


def has_errors(problems: Iterable[Problem]) -> bool:
    return any(p.severity == "error" for p in problems)


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """Return a Chinese 'did you mean' hint, or '' when nothing is close."""
    matches = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return f"（是不是 `{matches[0]}`？）" if matches else ""


# Problems that stop a file from being read at all: its other problems, and problems
# elsewhere that mention it, only make sense once these are fixed.
LOAD_CODES = frozenset({
    "yaml-syntax", "tab-indent", "full-width-colon", "no-space-after-colon", "bad-indent",
    "full-width-space", "curly-quotes",
    "multiple-documents", "not-utf8", "control-character", "unreadable", "too-deep", "merge-key",
    "unsafe-tag", "no-front-matter", "unclosed-front-matter", "not-a-mapping", "empty-file",
    "file-too-large", "duplicate-key", "alias-bomb", "bad-key", "bad-value", "outside-project",
    "body-in-front-matter", "yaml-node", "not-a-file",
})


def root_cause_order(problems: Iterable[Problem]) -> list[Problem]:
    """Files that cannot be read first, then files with errors, then warnings; within a file
    what stops it from being read first, then errors, then warnings, each by line."""

    def rank(problem: Problem) -> int:
        if problem.code in LOAD_CODES:
            return 0
        return 1 if problem.severity == "error" else 2

    problems = list(problems)
    file_rank: dict[str, int] = {}
    for problem in problems:
        file_rank[problem.file] = min(file_rank.get(problem.file, 3), rank(problem))
    return sorted(problems, key=lambda p: (file_rank[p.file], p.file, rank(p), p.line,
                                           p.code not in CAUSE_CODES, p.column,
                                           p.code, p.path, p.message, p.severity))


# a reference that leads nowhere comes before whatever else its line has: the rest follows from it
CAUSE_CODES = frozenset({"unknown-ref", "duplicate-id", "unknown-placeholder", "no-playbook"})
