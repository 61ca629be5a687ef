"""Issue 11, class 1: qunsop only ever replaces or deletes what it made.

Every case runs the real `qunsop` and checks the exit code, the message and that
nothing outside site/ and build/ changed (links included: a refused symlink is
left exactly as it was, and so is whatever it points to).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import MINIMAL
from qunsop.state import BuildState, recorded
from qunsop.write import file_digests
from safety import (
    Unprivileged,
    copy_minimal,
    files_in,
    make_tree_writable,
    open_folder,
    outside_outputs,
    qunsop,
    snapshot,
)

MARKER = ".qunsop-output"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return copy_minimal(tmp_path / "project")


@pytest.fixture(scope="module")
def built_once(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The minimal project after one ordinary build (site/ and build/ made by qunsop)."""
    root = copy_minimal(tmp_path_factory.mktemp("reference") / "project")
    run = qunsop("build", str(root))
    assert run.exit_code == 0, run.output
    return root


@pytest.fixture
def built(built_once: Path, tmp_path: Path) -> Path:
    """A fresh copy of the built project (cheaper than building again)."""
    root = tmp_path / "project"
    shutil.copytree(built_once, root, symlinks=True)
    return root


@pytest.fixture(scope="module")
def reference_files(built_once: Path) -> list[str]:
    """The files one ordinary build publishes (the yardstick for concurrent builds)."""
    return files_in(built_once / "site")


def refused(run_args: list[str], *expected: str) -> str:
    run = qunsop(*run_args)
    assert run.exit_code == 2, run.output
    assert "Traceback" not in run.output
    for text in expected:
        assert text in run.stderr, run.output
    return run.stderr


# --- symlinks for the output folders ---------------------------------------------------


def test_site_symlink_to_the_sources_is_refused(project: Path) -> None:
    os.symlink("content_library", project / "site")
    before = snapshot(project.parent, skip=("project/build",))
    refused(["build", str(project)], "site/ 是一个符号链接", "content_library")
    assert snapshot(project.parent, skip=("project/build",)) == before
    assert (project / "site").is_symlink()


def test_site_symlink_out_of_the_project_is_refused(project: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "notes.txt").write_text("我的笔记", encoding="utf-8")
    (elsewhere / MARKER).write_text("planted\n", encoding="utf-8")  # a marker does not make a link ours
    os.symlink(elsewhere, project / "site")
    before = snapshot(tmp_path, skip=("project/build",))
    refused(["build", str(project)], "site/ 是一个符号链接", str(elsewhere))
    assert snapshot(tmp_path, skip=("project/build",)) == before


def test_dangling_site_symlink_is_refused(project: Path, tmp_path: Path) -> None:
    os.symlink(tmp_path / "does-not-exist", project / "site")
    refused(["build", str(project)], "site/ 是一个符号链接")
    assert not (tmp_path / "does-not-exist").exists()


def test_build_symlink_is_refused(project: Path, tmp_path: Path) -> None:
    target = tmp_path / "other"
    target.mkdir()
    (target / "mkdocs.yml").write_text("site_name: 别人的网站\n", encoding="utf-8")
    (target / "docs").mkdir()
    (target / "docs" / "index.md").write_text("# 别人的文档\n", encoding="utf-8")
    os.symlink(target, project / "build")
    before = snapshot(tmp_path)
    refused(["build", str(project)], "build/ 是一个符号链接", str(target))
    assert snapshot(tmp_path) == before


def test_links_planted_inside_the_work_folder_are_never_followed(project: Path, tmp_path: Path) -> None:
    """build/ may carry qunsop's marker and still hold links a pull request added."""
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "keep.txt").write_text("重要文件\n", encoding="utf-8")
    (victim / "qunsop.yaml").write_text("lint: {}\n", encoding="utf-8")
    work = project / "build"
    work.mkdir()
    (work / MARKER).write_text("此目录由 qunsop 生成\n", encoding="utf-8")
    os.symlink(victim, work / "docs")  # synced: would delete keep.txt
    os.symlink(victim, work / "packs-staging")  # emptied before packs are written
    os.symlink(victim / "keep.txt", work / "mkdocs.yml")  # the engine config is written here
    os.symlink(victim / "qunsop.yaml", work / "search-words.txt")
    os.symlink(victim / "keep.txt", work / ".lock")
    before = outside_outputs(project)
    run = qunsop("build", str(project))
    assert run.exit_code == 0, run.output
    assert outside_outputs(project) == before
    assert not any(path.is_symlink() for path in work.iterdir())


def test_a_site_qunsop_made_is_replaced_and_links_planted_in_it_are_not_followed(built: Path) -> None:
    project = built
    (project / "site" / "stale.html").write_text("<p>old</p>", encoding="utf-8")
    shutil.rmtree(project / "site" / "assets")
    os.symlink(project / "content_library" / "assets", project / "site" / "assets")
    post = project / "content_library/posts/liked/road-story.md"
    post.write_text(post.read_text(encoding="utf-8") + "新的一句。\n", encoding="utf-8")
    before = outside_outputs(project)
    run = qunsop("build", str(project))
    assert run.exit_code == 0, run.output
    assert outside_outputs(project) == before
    assert not (project / "site" / "stale.html").exists()
    assert (project / "site" / MARKER).is_file()
    assert not (project / "site" / "assets").is_symlink()
    published = project / "site/assets/content/pressure.png"
    assert published.stat().st_ino != (project / "content_library/assets/pressure.png").stat().st_ino
    assert sorted(p.name for p in project.iterdir() if p.name.startswith(".")) == []


# --- --site-dir -----------------------------------------------------------------------


def test_site_dir_with_the_users_files_is_refused(project: Path) -> None:
    notes = project / "notes"
    notes.mkdir()
    (notes / "plan.md").write_text("我的计划\n", encoding="utf-8")
    before = outside_outputs(project)
    refused(["build", str(project), "--site-dir", str(notes)], "notes/", "不是 qunsop 生成的文件")
    assert outside_outputs(project) == before


def test_site_dir_dot_is_refused(project: Path) -> None:
    (project / ".git").mkdir()
    (project / ".git" / "HEAD").write_text("ref: refs/heads/main\n", encoding="utf-8")
    before = outside_outputs(project)
    run = qunsop("build", ".", "--site-dir", ".", cwd=project)
    assert run.exit_code == 2 and "包含了项目本身" in run.stderr, run.output
    assert outside_outputs(project) == before


def test_site_dir_parent_is_refused(project: Path) -> None:
    before = outside_outputs(project)
    refused(["build", str(project), "--site-dir", str(project.parent)], "包含了项目本身")
    assert outside_outputs(project) == before


@pytest.mark.parametrize("inside", ["content_library", "content_library/site", "playbooks/demo/out",
                                    ".git/site"])
def test_site_dir_among_the_sources_is_refused(project: Path, inside: str) -> None:
    (project / ".git").mkdir()
    before = outside_outputs(project)
    top = inside.split("/")[0]
    refused(["build", str(project), "--site-dir", str(project / inside)], f"在源文件目录 {top}/ 里面")
    assert outside_outputs(project) == before


def test_site_dir_through_a_symlinked_parent_is_refused(project: Path) -> None:
    os.symlink("content_library", project / "alias")
    before = outside_outputs(project)
    refused(["build", str(project), "--site-dir", str(project / "alias" / "site")],
            "在源文件目录 content_library/ 里面")
    assert outside_outputs(project) == before


def test_site_dir_that_is_a_file_is_refused(project: Path) -> None:
    before = outside_outputs(project)
    refused(["build", str(project), "--site-dir", str(project / "qunsop.yaml")], "qunsop.yaml")
    assert outside_outputs(project) == before


@pytest.mark.parametrize("where", ["build", "build/docs", "site/sub"])
def test_site_dir_inside_another_output_folder_is_refused(built: Path, where: str) -> None:
    """The work folder, or a site nested in one qunsop replaces wholesale, would be lost."""
    project = built
    before = snapshot(project)
    refused(["build", str(project), "--site-dir", str(project / where)], where.split("/")[0] + "/")
    assert snapshot(project) == before


def test_an_empty_site_dir_is_claimed(project: Path, tmp_path: Path) -> None:
    empty = tmp_path / "publish"
    empty.mkdir()
    run = qunsop("build", str(project), "--site-dir", str(empty))
    assert run.exit_code == 0, run.output
    assert (empty / MARKER).is_file() and (empty / "index.html").is_file()


# --- one build at a time, and the no-change shortcut --------------------------------------


def test_two_builds_started_together_both_publish_the_whole_site(project: Path,
                                                                 reference_files: list[str]) -> None:
    command = [sys.executable, "-m", "qunsop", "build", str(project)]
    first = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(0.3)
    second = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    outputs = [process.communicate(timeout=300) for process in (first, second)]
    assert [first.returncode, second.returncode] == [0, 0], outputs
    assert files_in(project / "site") == reference_files
    assert not any(p.name.startswith(".site.") for p in project.iterdir())
    again = qunsop("build", str(project))
    assert again.exit_code == 0 and "没有变化" in again.stdout, again.output


DAMAGE = ("delete", "edit", "same-size-edit", "add-file", "add-link")


def damage_site(site: Path, damage: str) -> None:
    page = site / "index.html"
    if damage == "delete":
        page.unlink()
    elif damage == "edit":
        page.write_text(page.read_text(encoding="utf-8") + "<!-- changed -->", encoding="utf-8")
    elif damage == "same-size-edit":
        info = page.stat()
        data = bytearray(page.read_bytes())
        data[-2:-1] = b"X"
        page.write_bytes(bytes(data))
        os.utime(page, ns=(info.st_atime_ns, info.st_mtime_ns))  # even the time is put back
    elif damage == "add-file":
        (site / "extra.html").write_text("<p>x</p>", encoding="utf-8")
    else:
        os.symlink("/", site / "root-of-the-machine")


def state_of(site: Path) -> BuildState:
    """The build state that records `site` as it is now."""
    return BuildState("", recorded(site, ((path, digest, "") for path, digest in file_digests(site))))


@pytest.mark.parametrize("damage", DAMAGE)
def test_every_kind_of_damage_is_seen_by_the_build_state(built: Path, damage: str) -> None:
    """What the no-change shortcut checks: any edit of site/ shows, even with its mtime put back."""
    state = state_of(built / "site")
    assert state.published(built / "site")
    damage_site(built / "site", damage)
    assert not state.published(built / "site")


def test_a_damaged_site_is_repaired_by_the_next_build(project: Path) -> None:
    """The no-change shortcut looks at what is in site/, not at a file count."""
    assert qunsop("build", str(project)).exit_code == 0
    good = snapshot(project / "site")
    for damage in ("same-size-edit",):  # the hardest to see; every kind: the test above
        damage_site(project / "site", damage)
        run = qunsop("build", str(project))
        assert run.exit_code == 0, (damage, run.output)
        assert "没有变化" not in run.stdout, (damage, run.output)
        assert snapshot(project / "site") == good, damage
    again = qunsop("build", str(project))
    assert again.exit_code == 0 and "没有变化" in again.stdout, again.output


# --- permissions (as an unprivileged process, see safety.py) ------------------------------


@pytest.fixture
def unprivileged() -> Unprivileged:
    return Unprivileged.detect()


@pytest.fixture
def open_project(unprivileged: Unprivileged) -> Iterator[Path]:
    with open_folder() as folder:
        root = copy_minimal(folder / "project")
        unprivileged.give(root)
        yield root


def test_read_only_site_or_root_gives_a_clear_error(open_project: Path, unprivileged: Unprivileged) -> None:
    root = open_project
    cache = {"QUNSOP_CACHE_DIR": "off"}
    assert unprivileged.run("build", str(root), env=cache).exit_code == 0
    post = root / "content_library/posts/liked/road-story.md"
    post.write_text(post.read_text(encoding="utf-8") + "新的一句。\n", encoding="utf-8")
    site_before = snapshot(root / "site")
    # a read-only site/ (chmod -R a-w)
    for folder, _dirs, files in os.walk(root / "site"):
        os.chmod(folder, 0o555)
        for name in files:
            os.chmod(os.path.join(folder, name), 0o444)
    try:
        run = unprivileged.run("build", str(root), env=cache)
        assert run.exit_code == 2, run.output
        assert "site/ 是只读的" in run.stderr and "chmod -R u+w" in run.stderr, run.output
        assert not (root / ".site.old").exists() and not (root / ".site.staging").exists()
        assert snapshot(root / "site") == {k: v.replace("dir:755", "dir:555") for k, v in site_before.items()}
    finally:
        make_tree_writable(root / "site")
    # a writable site/ in a read-only project root: it could not be swapped
    os.chmod(root, 0o555)
    try:
        run = unprivileged.run("build", str(root), env=cache)
        assert run.exit_code == 2, run.output
        assert "没有权限" in run.stderr and "site/" in run.stderr, run.output
        assert not (root / ".site.old").exists() and not (root / ".site.staging").exists()
    finally:
        os.chmod(root, 0o755)


def test_unwritable_project_root_gives_a_clear_error(open_project: Path,
                                                     unprivileged: Unprivileged) -> None:
    root = open_project
    os.chmod(root, 0o555)
    try:
        run = unprivileged.run("build", str(root), env={"QUNSOP_CACHE_DIR": "off"})
        assert run.exit_code == 2, run.output
        assert "build/" in run.stderr and "Permission denied" in run.stderr, run.output
        assert not (root / "build").exists()
    finally:
        os.chmod(root, 0o755)


# --- qunsop clean -----------------------------------------------------------------------


def test_clean_removes_only_what_qunsop_made(built: Path) -> None:
    project = built
    for leftover in (".site.staging", ".site.old"):
        (project / leftover).mkdir()
        (project / leftover / MARKER).write_text("x", encoding="utf-8")
    before = outside_outputs(project)
    run = qunsop("clean", str(project))
    assert run.exit_code == 0, run.output
    assert sorted(p.name for p in project.iterdir()) == sorted(p.name for p in MINIMAL.iterdir())
    assert {k: v for k, v in outside_outputs(project).items()
            if not k.startswith("project/.site.")} == {
        k: v for k, v in before.items() if not k.startswith("project/.site.")}


@pytest.mark.parametrize("case", ["user-files", "empty-no-marker", "symlink", "dot", "sources"])
def test_clean_refuses_what_qunsop_did_not_make(built: Path, tmp_path: Path, case: str) -> None:
    project = built
    args = ["clean", str(project)]
    if case == "user-files":
        shutil.rmtree(project / "site")
        (project / "site").mkdir()
        (project / "site" / "mine.html").write_text("我的页面", encoding="utf-8")
    elif case == "empty-no-marker":
        shutil.rmtree(project / "site")
        (project / "site").mkdir()
    elif case == "symlink":
        shutil.rmtree(project / "site")
        (tmp_path / "elsewhere").mkdir()
        (tmp_path / "elsewhere" / MARKER).write_text("x", encoding="utf-8")
        os.symlink(tmp_path / "elsewhere", project / "site")
    elif case == "dot":
        args += ["--site-dir", str(project)]
    else:
        args += ["--site-dir", str(project / "content_library")]
    before = snapshot(tmp_path)
    run = qunsop(*args)
    assert run.exit_code == 2, run.output
    assert "Traceback" not in run.output and run.stderr.strip(), run.output
    assert snapshot(tmp_path) == before  # all or nothing: build/ is kept as well
