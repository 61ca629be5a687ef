"""A kind added by one `register()` call, from a module of its own: loaded, validated and
reference-checked with located Chinese messages, given a page, a nav section and a search
boost, and linked from and to other kinds, with no other module changed."""

from __future__ import annotations

import importlib
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from click.testing import CliRunner

from conftest import AUTHORED_CLOCK, ScratchProject
from qunsop.build import BuildOptions, build_project
from qunsop.cli import cli
from qunsop.kinds import KIND_OF_MODEL, KINDS, Kind, register, unregister
from qunsop.models import Id, Model
from qunsop.search_index import read_entries

TOY_MODULE = '''
"""笔记 (notes): a kind qunsop does not ship, declared in one module."""

from dataclasses import dataclass
from pathlib import Path

from pydantic import Field

from qunsop.kinds import Kind
from qunsop.models import Game, Id, Model, Text
from qunsop.views import Link


class Note(Model):
    id: Id
    title: Text = Field(title="标题")
    see: list[Id] = Field(default_factory=list, title="相关笔记")
    games: list[Id] = Field(default_factory=list, title="相关游戏")
    body: str = ""


@dataclass(frozen=True)
class NotePage:
    note: Note
    links: tuple[Link, ...]


def check_note(checker, item):
    checker.refs(item, ("see",), item.model.see, checker.project.indexes["note"])
    checker.refs(item, ("games",), item.model.games, checker.project.of(Game))
    checker.placeholders(item, ("body",), item.model.body)


def note_pages(planner, notes):
    games = planner.project.of(Game)
    notes_by_id = planner.project.indexes["note"]
    pages = []
    for note in sorted(notes, key=lambda note: note.id):
        linked = [notes_by_id[i].model for i in note.see if i in notes_by_id]
        linked += [games[i].model for i in note.games if i in games]
        pages.append(planner.item_page(note, note.title,
                                       NotePage(note, tuple(planner.link(m) for m in linked))))
    return pages


KIND = Kind("note", Note, "笔记", "content_library/notes/*.md", "library", "content_library/notes",
            markdown=True, scaffold=False, page="notes/{id}.md", template="note.md.j2",
            templates=Path(__file__).parent / "templates", view=NotePage, search_boost=2.5,
            nav="笔记", material=True, check=check_note, pages=note_pages)
'''

TOY_TEMPLATE = '''{% import "_macros.md.j2" as m with context %}
# {{ page.note.title }}

{{ page.note.body }}

相关：{{ m.links(page.links) }}
'''


@pytest.fixture
def toy_kind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[ModuleType]:
    """The toy module, imported from a temporary folder and registered; afterwards the
    registry is exactly as it was (no other test sees the kind)."""
    folder = tmp_path / "toy"
    (folder / "templates").mkdir(parents=True)
    (folder / "toy_notes.py").write_text(TOY_MODULE, encoding="utf-8")
    (folder / "templates" / "note.md.j2").write_text(TOY_TEMPLATE, encoding="utf-8")
    monkeypatch.syspath_prepend(str(folder))
    before = dict(KINDS), dict(KIND_OF_MODEL)
    module = importlib.import_module("toy_notes")
    register(module.KIND)
    try:
        yield module
    finally:
        unregister("note")
        sys.modules.pop("toy_notes", None)
        assert (dict(KINDS), dict(KIND_OF_MODEL)) == before


def write_note(scratch: ScratchProject, note_id: str, text: str) -> None:
    scratch.write(f"content_library/notes/{note_id}.md", text)


def add_lesson_material(scratch: ScratchProject, material: str) -> None:
    """The minimal project's lesson lists a note among its materials (a post and a game)."""
    path = scratch.root / "playbooks/demo/curricula/basics.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("materials: [tyre-pressure, warmup]",
                                 f"materials: [tyre-pressure, warmup, {material}]"), encoding="utf-8")


def test_a_registered_kind_gets_a_linked_page_in_the_nav_and_search(
        toy_kind: ModuleType, scratch: ScratchProject) -> None:
    write_note(scratch, "tyre-care", """
        ---
        id: tyre-care
        title: 轮胎保养要点
        see: [winter-check]
        games: [warmup]
        ---
        胎压每月查一次，冬天气温低要多打一点。
        """)
    write_note(scratch, "winter-check", """
        ---
        id: winter-check
        title: 入冬检查清单
        ---
        检查防冻液和雨刮。
        """)
    add_lesson_material(scratch, "tyre-care")
    result = build_project(scratch.root, BuildOptions(AUTHORED_CLOCK))
    site = result.site_dir

    page = (site / "notes/tyre-care/index.html").read_text(encoding="utf-8")
    assert "轮胎保养要点" in page and "胎压每月查一次" in page
    assert 'href="../winter-check/"' in page  # to another note: the kind's own page pattern
    assert 'href="../../games/warmup/"' in page  # to a built-in kind's page
    lessons = (site / "demo/curricula/basics/index.html").read_text(encoding="utf-8")
    assert 'href="../../../notes/tyre-care/"' in lessons  # a lesson's material
    home = (site / "index.html").read_text(encoding="utf-8")
    assert "笔记" in home and 'href="notes/tyre-care/"' in home  # its nav section
    entries = {entry["location"]: entry for entry in read_entries(site / "search")}
    assert entries["notes/tyre-care/"].get("boost") == 2.5
    words = entries["notes/tyre-care/"]["text"].split("\u200b")  # the index's word breaks
    assert "胎压" in words and "入冬" in words


def test_a_registered_kinds_problems_are_reported_in_chinese_at_their_line(
        toy_kind: ModuleType, scratch: ScratchProject) -> None:
    write_note(scratch, "tyre-care", """
        ---
        id: tyre-care
        title: 轮胎保养要点
        see: [winter-chek]
        games: [warmup]
        ---
        胎压每月查一次，{门店电话}。
        """)
    write_note(scratch, "winter-check", """
        ---
        id: winter-check
        ---
        检查防冻液和雨刮。
        """)
    add_lesson_material(scratch, "tyre-caer")
    run = CliRunner().invoke(cli, ["validate", str(scratch.root), "--format", "json"])
    assert run.exit_code == 1, run.output
    found = {(problem["file"], problem["line"], problem["code"]): problem["message"]
             for problem in json.loads(run.output)}
    assert "找不到笔记 `winter-chek`" in found["content_library/notes/tyre-care.md", 4, "unknown-ref"]
    assert "占位符 {门店电话}" in found["content_library/notes/tyre-care.md", 7, "unknown-placeholder"]
    material = next(message for (file, _line, code), message in found.items()
                    if file.endswith("basics.yaml") and code == "unknown-ref")
    assert "tyre-caer" in material and "笔记" in material and "tyre-care" in material  # did you mean
    missing = [message for (file, line, _code), message in found.items()
               if file == "content_library/notes/winter-check.md" and line == 2]
    assert missing and "标题" in missing[0] and "title" in missing[0]


class Other(Model):
    id: Id


def test_a_kind_is_registered_once_and_its_pages_need_a_url(toy_kind: ModuleType) -> None:
    with pytest.raises(ValueError, match="registered already"):
        register(toy_kind.KIND)
    with pytest.raises(ValueError, match="neither"):
        register(Kind("other", Other, "别的", "x/*.yaml", "library", "x",
                      pages=lambda _planner, _models: []))
    assert "other" not in KINDS
