"""Issue 25, classes 3 and 5: git is input.

No git, another user's repository, a shallow clone, a slow or failing git, a commit
dated past 9999: each build ends 0 with a warning that says what is missing and how
to fix it, and the last-changed dates and the change list leave out what git could
not tell instead of pretending.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import AUTHORED_EPOCH, Run
from safety import copy_minimal, qunsop

POST_A = "content_library/posts/needed/tyre-pressure.md"
POST_B = "content_library/posts/liked/road-story.md"
GIT = shutil.which("git") or "git"


def git(root: Path, *args: str, when: str = "@1795000000 +0800") -> None:
    env = {**os.environ, "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when,
           "GIT_AUTHOR_NAME": "编辑", "GIT_AUTHOR_EMAIL": "ed@qunsop.cn",
           "GIT_COMMITTER_NAME": "编辑", "GIT_COMMITTER_EMAIL": "ed@qunsop.cn"}
    subprocess.run([GIT, *args], cwd=root, env=env, check=True, capture_output=True)


def repository(root: Path) -> Path:
    """The minimal project in git: everything added, then post A changed, then post B."""
    copy_minimal(root)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "初版", when="@1794000000 +0800")
    for number, (relative, when) in enumerate(((POST_A, "@1794500000 +0800"),
                                               (POST_B, "@1795000000 +0800"))):
        path = root / relative
        path.write_text(path.read_text(encoding="utf-8") + f"\n补充 {number}\n", encoding="utf-8")
        git(root, "commit", "-qam", f"改帖子 {number}", when=when)
    return root


def build(root: Path, env: dict[str, str] | None = None) -> Run:
    run = qunsop("build", str(root), env={"SOURCE_DATE_EPOCH": AUTHORED_EPOCH, **(env or {})})
    assert run.exit_code == 0, run.output
    return run


def changes(root: Path) -> str:
    return (root / "site/changes/index.html").read_text(encoding="utf-8")


def updated(root: Path, page: str) -> list[str]:
    return re.findall(r"最后更新：(\d{4}-\d\d-\d\d)", (root / "site" / page / "index.html")
                      .read_text(encoding="utf-8"))


def test_history_is_read_in_a_full_clone(tmp_path: Path) -> None:
    root = repository(tmp_path / "project")
    run = build(root)
    assert "提示" not in run.stderr, run.stderr
    assert "改帖子 1" in changes(root) and "初版" in changes(root)
    assert updated(root, "library/needed") == ["2026-11-13"]  # 1794500000 in Shanghai


def test_a_shallow_clone_says_so_and_does_not_date_what_it_cannot(tmp_path: Path) -> None:
    origin = repository(tmp_path / "origin")
    root = tmp_path / "project"
    subprocess.run([GIT, "clone", "-q", "--depth", "2", f"file://{origin}", str(root)], check=True)
    run = build(root)
    assert "浅克隆" in run.stderr and "fetch-depth: 0" in run.stderr
    page = changes(root)
    assert "改帖子 1" in page and "浅克隆" in page
    # the oldest commit a shallow clone holds shows every file as added: not listed
    assert "改帖子 0" not in page and "新增" not in page
    assert updated(root, "library/needed") == []  # its last change is not in the clone
    assert updated(root, "library/liked") == ["2026-11-18"]


def test_another_owners_repository_warns_with_the_fix(tmp_path: Path) -> None:
    root = repository(tmp_path / "project")
    run = build(root, {"GIT_TEST_ASSUME_DIFFERENT_OWNER": "1"})
    assert "dubious ownership" in run.stderr and "safe.directory" in run.stderr
    assert "dubious ownership" in changes(root) and "还没有记录" not in changes(root)


def fake_git(folder: Path, script: str) -> dict[str, str]:
    folder.mkdir()
    (folder / "git").write_text(f"#!/bin/sh\n{script}\n", encoding="utf-8")
    (folder / "git").chmod(0o755)
    return {"PATH": f"{folder}{os.pathsep}{os.environ['PATH']}"}


@pytest.mark.parametrize(("case", "script", "said"), [
    ("slow", "sleep 30", "秒内没有结束"),
    ("failing", "echo 'fatal: bad object HEAD' >&2; exit 128", "bad object HEAD"),
    ("missing", None, "没有找到 git 命令"),  # more shapes of git: test_safety_fuzz.py
])
def test_a_git_that_misbehaves_gives_a_warning(tmp_path: Path, case: str, script: str | None,
                                               said: str) -> None:
    root = repository(tmp_path / "project")
    if script is None:  # a PATH with python and nothing else
        env = {"PATH": str(tmp_path / "empty")}
        (tmp_path / "empty").mkdir()
    else:
        env = fake_git(tmp_path / "bin", script)
    run = build(root, {**env, "QUNSOP_GIT_TIMEOUT": "1"})
    assert said in run.stderr, run.stderr
    assert "还没有记录" not in changes(root)


def test_a_commit_dated_after_9999_is_named(tmp_path: Path) -> None:
    root = repository(tmp_path / "project")
    path = root / POST_A
    path.write_text(path.read_text(encoding="utf-8") + "\n未来\n", encoding="utf-8")
    git(root, "commit", "-qam", "来自未来", when="@300000000000 +0000")
    run = qunsop("build", str(root))  # no SOURCE_DATE_EPOCH: the build's date comes from git
    assert run.exit_code == 0, run.output
    assert "不在 1970 年到 9998 年之间" in run.stderr
    assert "来自未来" not in changes(root)


def test_outside_git_the_changes_page_says_why(tmp_path: Path) -> None:
    root = copy_minimal(tmp_path / "project")
    run = build(root)
    assert "不在 git 仓库里" in run.stderr and "git init" in run.stderr
    assert "不在 git 仓库里" in changes(root)
