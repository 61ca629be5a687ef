"""Issue 25, class 3: hostile environments and paths end in 0, 1 or 2, never a traceback.

Each case runs the real CLI through `safety.qunsop`, which also checks that nothing
outside the command's outputs changed. Git is replaced by scripts that hang, fail,
print garbage or dates past 9999; output folders are odd paths (the file system root,
the project's parent, a file, a device, a link, names too long, control characters).
"""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest

from safety import copy_minimal, qunsop

GITS = {
    "hangs": "sleep 30",
    "fails": "echo 'fatal: not a git repository' >&2; exit 128",
    "garbage": "printf '\\377\\376\\0\\t\\t\\n'; exit 0",
    "far-future": "case \"$*\" in *%ct*) echo 300000000000;; *) printf '\\0abc\\t300000000000\\tx\\nA\\tmkdocs.yml\\n';; "
                  "esac",
    "negative": "case \"$*\" in *%ct*) echo -5;; *) printf '\\0abc\\t-5\\tx\\nM\\tqunsop.yaml\\n';; esac",
    "dubious": "echo \"fatal: detected dubious ownership in repository at '$PWD'\" >&2; exit 128",
}
SITE_DIRS = ["/", "..", ".", "{root}/playbooks", "{root}/qunsop.yaml", "/dev/null", "/proc/self",
             "x" * 300, "a/" * 2100, "out\x1b]0;t\x07", "~", ""]


@pytest.fixture(scope="module")
def gits(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    base = tmp_path_factory.mktemp("gits")
    paths = {}
    for name, script in GITS.items():
        folder = base / name
        folder.mkdir()
        (folder / "git").write_text(f"#!/bin/sh\n{script}\n", encoding="utf-8")
        (folder / "git").chmod(0o755)
        paths[name] = f"{folder}{os.pathsep}{os.environ['PATH']}"
    return paths


def cases() -> list[tuple[str, str, str]]:
    """(command, git, site dir): every git and every path at least once, mixed at random."""
    rng = random.Random(25)
    gits, dirs = list(GITS), list(SITE_DIRS)
    rng.shuffle(dirs)
    return [(("build", "clean")[number % 2], gits[number % len(gits)], site)
            for number, site in enumerate(dirs)]


@pytest.mark.parametrize(("command", "git", "site"), cases())
def test_hostile_environments_end_in_0_1_or_2(tmp_path: Path, gits: dict[str, str], command: str,
                                             git: str, site: str) -> None:
    root = copy_minimal(tmp_path / "project")
    env = {"PATH": gits[git], "QUNSOP_GIT_TIMEOUT": "1", "SOURCE_DATE_EPOCH": "",
           "HOME": str(tmp_path / "no-home")}
    args = [command, str(root)]
    if site:
        args += ["--site-dir", site.format(root=root)]
    run = qunsop(*args, cwd=tmp_path, env=env)  # checks the exit code and what was written
    if site in ("/", ".", "{root}/playbooks", "/dev/null", "/proc/self"):
        assert run.exit_code == 2, run.output
    if command == "build" and run.exit_code == 0:
        assert "提示：" in run.stderr  # what git could not tell is said
