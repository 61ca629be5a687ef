"""The code's own promises: one engine boundary, no process-wide side effects, failure paths
that leave the published site alone, pure helpers that do exactly their job, an installable
package."""

from __future__ import annotations

import ast
import gc
import importlib
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from conftest import AUTHORED_CLOCK, MINIMAL, REPO, ScratchProject, run_qunsop
from qunsop import build as build_module
from qunsop.build import BuildOptions, PackError, build_project
from qunsop.kinds import BUILT_IN_KINDS, KINDS
from qunsop.load import Marks, parse_yaml, position_of
from qunsop.packs import fold, ics_text
from qunsop.write import OutputCollision, sync_tree

GENERATOR = REPO / "generator"
ENGINE_MODULES = {"engine.py", "engine_hooks.py", "search_zh.py"}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def test_only_the_engine_modules_import_mkdocs_or_material() -> None:
    offenders = {path.name for path in GENERATOR.glob("*.py")
                 if imported_modules(path) & {"mkdocs", "material", "pymdownx"}}
    assert offenders == ENGINE_MODULES


def test_every_kind_is_declared_once_and_complete() -> None:
    assert len({kind.name for kind in BUILT_IN_KINDS}) == len(BUILT_IN_KINDS)
    for kind in BUILT_IN_KINDS:
        assert kind.label and kind.pattern and kind.model
        if kind.scaffold:
            suffix = "md" if kind.markdown else "yaml"
            assert (REPO / "site_templates" / "scaffolds" / f"{kind.name}.{suffix}.j2").is_file(), kind.name
            assert (REPO / "schemas" / f"{kind.name}.schema.json").is_file(), kind.name
    # every kind with a page template is planned by its hook, with the view it declares
    importlib.import_module("qunsop.plan")  # attaches the built-in kinds' pages hooks
    for kind in KINDS.values():
        if kind.template is not None:
            assert kind.pages is not None and kind.view is not None, kind.name
            assert (REPO / "site_templates" / "pages" / kind.template).is_file(), kind.name
    # no other module spells out the list of kinds
    for path in GENERATOR.glob("*.py"):
        if path.name in ("kinds.py", "models.py"):
            continue
        text = path.read_text(encoding="utf-8")
        assert '"playbooks/*/tiers/*.yaml"' not in text and "tiers/*.yaml" not in text, path.name


def test_an_in_process_build_leaves_the_process_as_it_was(scratch: ScratchProject) -> None:
    before_env = dict(os.environ)
    threshold = gc.get_threshold()
    frozen = gc.get_freeze_count()
    result = build_project(scratch.root, BuildOptions(AUTHORED_CLOCK))
    assert result.pages > 0
    assert dict(os.environ) == before_env  # SOURCE_DATE_EPOCH is read, never written
    assert gc.get_threshold() == threshold and gc.get_freeze_count() == frozen
    assert gc.isenabled()


def test_the_build_works_with_the_spawn_start_method(scratch: ScratchProject) -> None:
    code = ("import multiprocessing, sys; multiprocessing.set_start_method('spawn');"
            "sys.argv = ['qunsop', 'build', sys.argv[1]];"
            "from qunsop.cli import main; main()")
    done = subprocess.run([sys.executable, "-c", code, str(scratch.root)], capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert (scratch.root / "site/packs/week/2026-12-07/pack.txt").is_file()


# --- the build's failure paths ------------------------------------------------------------


def published(scratch: ScratchProject) -> dict[str, bytes]:
    site = scratch.root / "site"
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*") if p.is_file()}


def test_an_engine_failure_keeps_the_published_site(scratch: ScratchProject) -> None:
    assert run_qunsop("build", str(scratch.root)).exit_code == 0
    before = published(scratch)
    with (scratch.root / "mkdocs.yml").open("a", encoding="utf-8") as handle:
        handle.write("markdown_extensions:\n  - toc:\n      baselevel: many\n")
    run = run_qunsop("build", str(scratch.root))
    assert run.exit_code == 1 and "MkDocs 生成失败" in run.output and "baselevel" in run.output
    assert published(scratch) == before
    assert not (scratch.root / ".site.staging").exists()


def test_a_pack_failure_keeps_the_published_site(scratch: ScratchProject,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    build_project(scratch.root, BuildOptions(AUTHORED_CLOCK))
    before = published(scratch)
    (scratch.root / "content_library/posts/liked/road-story.md").write_text(
        (scratch.root / "content_library/posts/liked/road-story.md").read_text().replace("暖心", "暖"))

    def broken(*_args: object) -> None:
        raise RuntimeError("a pack template broke")

    monkeypatch.setattr(build_module, "render_pack_job", broken)
    with pytest.raises(PackError):
        build_project(scratch.root, BuildOptions(AUTHORED_CLOCK))
    assert published(scratch) == before
    assert not (scratch.root / ".site.staging").exists()
    assert not (scratch.root / "build/packs-staging").exists()


def test_two_outputs_for_one_path_are_refused(tmp_path: Path) -> None:
    with pytest.raises(OutputCollision, match=r"a/index\.md"):
        sync_tree(tmp_path / "docs", [("a/index.md", b"one"), ("a/index.md", b"two")])


# --- pure helpers -----------------------------------------------------------------------


def test_ics_lines_fold_at_75_octets_without_splitting_a_character() -> None:
    line = "DESCRIPTION:" + "胎压" * 40
    folded = fold(line)
    parts = folded.split("\r\n ")
    assert all(len(part.encode("utf-8")) <= 75 for part in parts[:1])
    assert all(len(part.encode("utf-8")) <= 74 for part in parts[1:])
    assert "".join(parts) == line
    assert fold("SUMMARY:短") == "SUMMARY:短"


def test_ics_text_escapes_what_rfc_5545_requires() -> None:
    assert ics_text("a\\b;c,d\ne\r\nf") == "a\\\\b\\;c\\,d\\ne\\nf"


def test_positions_count_only_newlines() -> None:
    text = "第一行\n第二行\u3000x\n第三"
    assert position_of(text, text.index("x")) == (2, 5)
    assert position_of(text, 0) == (1, 1)


def test_marks_locate_the_deepest_known_prefix() -> None:
    _data, marks = parse_yaml("a:\n  b:\n    - x\n    - y\n", 0)
    assert marks.locate(("a", "b", 1)) == (4, 7)
    assert marks.locate(("a", "b", 1, "missing")) == (4, 7)
    assert marks.locate(("a", "b"), at_key=True) == (2, 3)
    assert Marks().locate(("nothing",)) == (1, 1)


def test_picks_rotate_least_used_then_least_recent_then_by_id(tmp_path: Path) -> None:
    from qunsop.pipeline import CheckOptions, check_project

    root = tmp_path / "project"
    shutil.copytree(MINIMAL, root)
    for name in ("b-story", "a-story"):
        (root / f"content_library/posts/liked/{name}.md").write_text(textwrap.dedent(f"""\
            ---
            id: {name}
            title: {name}
            category: liked
            tags: [故事]
            tiers: [c-store]
            ---
            {name} 的故事。
            """), encoding="utf-8")
    checked = check_project(root, CheckOptions(AUTHORED_CLOCK))
    picks = [slot.post.id for day in checked.schedules["week"].days for slot in day.slots
             if slot.origin == "pick"]
    # 12-03 and 12-07 pick with the same rule: never the same post twice while others wait,
    # ties broken by id
    assert picks == ["a-story", "b-story"]


def test_kinds_share_one_label_everywhere() -> None:
    from qunsop.resolve import Project

    project = Project(REPO)
    for name, index in project.indexes.items():
        assert index.label == KINDS[name].label


# --- module layers (README "### Module layers") -------------------------------------------------


def readme_layers() -> dict[str, int]:
    """Module → layer number (0 at the bottom), as the README draws them."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    block = text.split("### Module layers", 1)[1].split("```text\n", 1)[1].split("```", 1)[0]
    rows = [line.split() for line in block.strip().splitlines()]
    return {module: len(rows) - 1 - number for number, (_layer, *modules) in enumerate(rows)
            for module in modules}


def qunsop_imports(path: Path) -> list[tuple[str, int, bool]]:
    """(module, line, at module level) for each import of a qunsop module in `path`."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    top_level = {id(node) for node in tree.body}
    top_level |= {id(inner) for node in tree.body if isinstance(node, ast.If) for inner in node.body}
    found = []
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            names = [node.module.split(".")[0]] if node.module else [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("qunsop"):
            names = [node.module.split(".")[1]] if "." in node.module else [a.name for a in node.names]
        found += [(name, node.lineno, id(node) in top_level) for name in names
                  if (GENERATOR / f"{name}.py").exists() or name == "__init__"]
        if isinstance(node, ast.ImportFrom) and node.level == 1 and not node.module:
            found += [("__init__", node.lineno, id(node) in top_level)]
    return found


def test_every_module_sits_in_one_layer_and_imports_only_downwards() -> None:
    layers = readme_layers()
    modules = {path.stem for path in GENERATOR.glob("*.py")}
    assert set(layers) == modules, f"README layers miss {modules - set(layers)}, name {set(layers) - modules}"
    upward = [f"{path.stem} ({layers[path.stem]}) → {name} ({layers[name]}) at line {line}"
              for path in sorted(GENERATOR.glob("*.py")) for name, line, _top in qunsop_imports(path)
              if layers[name] > layers[path.stem]]
    assert upward == [], upward


def test_there_is_no_import_cycle_and_no_import_inside_a_function_but_the_commands() -> None:
    graph = {path.stem: {name for name, _line, _top in qunsop_imports(path)} - {path.stem}
             for path in GENERATOR.glob("*.py")}
    lazy = [f"{path.name}:{line} imports {name}" for path in sorted(GENERATOR.glob("*.py"))
            for name, line, top in qunsop_imports(path) if not top and path.name != "cli.py"]
    assert lazy == [], lazy
    visiting: list[str] = []
    done: set[str] = set()

    def visit(module: str) -> None:
        assert module not in visiting, "import cycle: " + " → ".join([*visiting, module])
        if module in done:
            return
        visiting.append(module)
        for name in sorted(graph.get(module, ())):
            visit(name)
        visiting.pop()
        done.add(module)

    for module in sorted(graph):
        visit(module)
