"""Issue 25, class 2: the character rule runs on decoded values, and no control character
from content or file names reaches a terminal.

YAML escapes (`"\\r"`, `"\\x1b"`, `"\\0"`, `"\\u202e"`, `"\\u2028"`, `"\\x0b"`) only become
characters when parsed; each is an error at its value's line and field, in every kind
of source, and a build stops with that error (not an engine message naming no source).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import Run
from safety import SOURCE_FOR_KIND, copy_minimal, located, qunsop

ESCAPES = ["\\r", "\\x1b]0;owned\\x07", "\\0", "\\u202e", "\\u2028", "\\x0b", "\\x85", "\\ufeff"]
FIELD_OF_KIND = {"site": "site_name", "post": "title", "reply": "title"}
# any byte a terminal acts on: C0 but newline and tab, DEL, C1 (UTF-8 encoded), bidi
TERMINAL_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]")


def escaped_sources(root: Path) -> dict[str, tuple[int, str]]:
    """Put one escape into the name (title, site_name) of a source of every kind that has
    one; returns file -> (line, field)."""
    placed: dict[str, tuple[int, str]] = {}
    kinds = [kind for kind in SOURCE_FOR_KIND if kind not in ("settings", "placeholders")
             and (root / SOURCE_FOR_KIND[kind]).is_file()]  # the roster is not in the fixture
    for number, kind in enumerate(kinds):
        relative = SOURCE_FOR_KIND[kind]
        field = FIELD_OF_KIND.get(kind, "name")
        lines = (root / relative).read_text(encoding="utf-8").split("\n")
        index = next(i for i, line in enumerate(lines) if line.startswith(f"{field}:"))
        value = lines[index].split(":", 1)[1].strip()
        lines[index] = f'{field}: "{value}{ESCAPES[number % len(ESCAPES)]}尾"'
        (root / relative).write_text("\n".join(lines), encoding="utf-8")
        placed[relative] = (index + 1, field)
    return placed


@pytest.fixture(scope="module")
def escaped(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, tuple[int, str]]]:
    root = copy_minimal(tmp_path_factory.mktemp("escapes") / "project")
    placed = escaped_sources(root)
    # a placeholder's description, and a key spelt with an escape
    (root / "content_library/placeholders.yaml").write_text(
        'placeholders:\n  - {name: 门店名, description: "门店\\u2029的名字", example: 老王轮胎}\n',
        encoding="utf-8")
    (root / "qunsop.yaml").write_text('lint:\n  "max_post_chars\\x1b[2J": 300\n', encoding="utf-8")
    return root, placed


def test_escapes_are_errors_at_their_value_in_every_kind(escaped: tuple[Path, dict[str, tuple[int, str]]]) -> None:
    root, placed = escaped
    run = qunsop("validate", str(root), "--format", "json")
    assert run.exit_code == 1
    for relative, (line, field) in placed.items():
        located(run, relative, "control-character", line, path=field)
    located(run, "content_library/placeholders.yaml", "control-character", 2,
            path="placeholders[0].description")
    found = located(run, "qunsop.yaml", "control-character", 2, path="lint.max_post_chars[2J")
    assert "字段名" in found["message"]


def test_a_build_stops_at_the_source_not_in_the_engine(escaped: tuple[Path, dict[str, tuple[int, str]]]) -> None:
    root, _placed = escaped
    run = qunsop("build", str(root))
    assert run.exit_code == 1
    assert "playbooks/demo/calendars/week.yaml" in run.output and "MkDocs" not in run.output
    assert not (root / "site").exists()


def assert_terminal_safe(run: Run) -> None:
    found = TERMINAL_CONTROL.findall(run.stdout + run.stderr)
    assert not found, found


def test_no_control_character_reaches_the_terminal(tmp_path: Path) -> None:
    root = copy_minimal(tmp_path / "project")
    hostile = "\x1b]52;c;ZWNobyBvd25lZA==\x07\x1b[2J\u202e"
    post = root / "content_library/posts/needed" / f"x{hostile}.md"
    post.write_text("---\nid: x\ntitle: 标题\ncategory: needed\ntiers: [c-store]\n---\n正文。\n",
                    encoding="utf-8")
    (root / "playbooks/demo/calendars/week.yaml").write_text(
        (root / "playbooks/demo/calendars/week.yaml").read_text(encoding="utf-8").replace(
            "name: 一周排期", 'name: "一周\\x1b]0;owned\\x07排期"'), encoding="utf-8")
    runs = [qunsop("validate", str(root), "--format", fmt) for fmt in ("text", "github", "json")]
    runs += [qunsop("pack", "week", str(root), "--date", "2026-12-01"),
             qunsop("build", str(root)),
             qunsop("pack", f"week{hostile}", str(root)),
             qunsop("new", "post", f"y{hostile}", str(root))]
    for run in runs:
        assert run.exit_code in (1, 2), run.output
        assert_terminal_safe(run)
    assert "\\u001b]52;c;" in runs[0].output  # the file name is shown, its controls made visible
