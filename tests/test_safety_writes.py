"""Issue 25, classes 3 and 6: writes stay inside the project, and odd paths end 0, 1 or 2.

`qunsop new`, `qunsop init` and `qunsop schema` refuse a target reached through a
symlink that leaves the project (a pull request can add such a link), and never write
through a link where the new file would go. Every case runs the real CLI, which
`safety.qunsop` checks wrote nothing outside its outputs and exited 0, 1 or 2.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from qunsop.write import project_lock
from safety import copy_minimal, qunsop, snapshot


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    return folder


@pytest.mark.parametrize(("link", "kind", "args", "written"), [
    ("content_library/posts/activity", "post", ("--category", "activity"),
     "content_library/posts/activity/x-new.md"),
    ("content_library/posts", "post", (), "content_library/posts/needed/x-new.md"),
    ("content_library/games", "game", (), "content_library/games/x-new.md"),
    ("playbooks/demo/incidents", "incident", (), "playbooks/demo/incidents/x-new.yaml"),
])
def test_new_refuses_a_folder_linked_out_of_the_project(tmp_path: Path, outside: Path, link: str,
                                                        kind: str, args: tuple[str, ...],
                                                        written: str) -> None:
    root = copy_minimal(tmp_path / "project")
    target = root / link
    if target.exists():
        os.rename(target, outside / "moved")
        target.symlink_to(outside / "moved")
    else:
        target.symlink_to(outside)
    before = snapshot(outside)
    run = qunsop("new", kind, "x-new", str(root), *args)
    assert run.exit_code == 2, run.output
    assert "项目之外" in run.stderr, run.stderr
    assert snapshot(outside) == before
    assert not (root / written).exists()


def test_new_never_writes_through_a_broken_link(tmp_path: Path, outside: Path) -> None:
    root = copy_minimal(tmp_path / "project")
    (root / "content_library/games/x-new.md").symlink_to(outside / "planted.md")
    run = qunsop("new", "game", "x-new", str(root))
    assert run.exit_code == 2, run.output
    assert not (outside / "planted.md").exists()


def test_new_still_writes_inside_and_through_links_that_stay_inside(tmp_path: Path) -> None:
    root = copy_minimal(tmp_path / "project")
    (root / "content_library/shared-games").mkdir()
    os.rename(root / "content_library/games/warmup.md", root / "content_library/shared-games/warmup.md")
    (root / "content_library/games").rmdir()
    (root / "content_library/games").symlink_to(root / "content_library/shared-games")
    run = qunsop("new", "game", "x-new", str(root))
    assert run.exit_code == 0, run.output
    assert (root / "content_library/shared-games/x-new.md").is_file()


def test_schema_does_not_follow_a_planted_link(tmp_path: Path, outside: Path) -> None:
    out = tmp_path / "schemas"
    out.mkdir()
    (outside / "secret.txt").write_text("keep", encoding="utf-8")
    (out / "tier.schema.json").symlink_to(outside / "secret.txt")
    run = qunsop("schema", "--out", str(out))
    assert run.exit_code == 0, run.output
    assert (outside / "secret.txt").read_text(encoding="utf-8") == "keep"
    assert not (out / "tier.schema.json").is_symlink()
    linked = tmp_path / "linked-schemas"
    linked.symlink_to(outside)
    assert qunsop("schema", "--out", str(linked)).exit_code == 2
    assert sorted(p.name for p in outside.iterdir()) == ["secret.txt"]


@pytest.mark.parametrize("command", ["clean", "build"])
def test_the_file_system_root_as_site_dir_is_refused(tmp_path: Path, command: str) -> None:
    root = copy_minimal(tmp_path / "project")
    run = qunsop(command, str(root), "--site-dir", "/")
    assert run.exit_code == 2 and "根目录" in run.stderr, run.output


HOLD_LOCK_WITH_A_WORKER = """
import os, sys, time
from pathlib import Path
from qunsop.write import project_lock
with project_lock(Path(sys.argv[1]), print):
    worker = os.fork()  # as a build forks its worker processes
    if worker == 0:
        time.sleep(120)
        os._exit(0)
    print(worker, flush=True)
    time.sleep(120)
"""


def test_a_build_killed_outright_frees_the_lock_though_a_worker_of_it_lives(tmp_path: Path) -> None:
    """The next build must not wait for ever on a lock a dead build's forked worker still
    holds (a flock would be shared with the worker; the lock is the build's process's own)."""
    build = subprocess.Popen([sys.executable, "-c", HOLD_LOCK_WITH_A_WORKER, str(tmp_path)],
                             stdout=subprocess.PIPE, text=True)
    assert build.stdout is not None
    worker = int(build.stdout.readline())
    try:
        build.kill()
        build.wait()

        def refuse_to_wait(message: str) -> None:
            raise AssertionError(message)

        with project_lock(tmp_path, refuse_to_wait):  # taken at once, with the worker alive
            os.kill(worker, 0)
    finally:
        os.kill(worker, signal.SIGKILL)


BUILD_WITH_A_BUSY_WORKER = """
import os, sys, time
from qunsop.build import Workers

def packs():  # a stage that runs long, as packs do at size L
    print(os.getpid(), flush=True)
    time.sleep(120)

with Workers(packs=(packs, ())) as workers:
    workers.start("packs")
    time.sleep(120)
"""


def running(pid: int) -> bool:
    """Alive and not a zombie (a container's init may never reap an orphan)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text(encoding="utf-8")
    except OSError:
        return False
    return "\nState:\tZ" not in status


def test_the_workers_of_a_build_killed_outright_end_with_it() -> None:
    build = subprocess.Popen([sys.executable, "-c", BUILD_WITH_A_BUSY_WORKER],
                             stdout=subprocess.PIPE, text=True)
    assert build.stdout is not None
    worker = int(build.stdout.readline())
    try:
        assert running(worker)
        build.kill()
        build.wait()
        deadline = time.monotonic() + 10
        while running(worker) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not running(worker), "a worker of the killed build lives on"
    finally:
        if running(worker):
            os.kill(worker, signal.SIGKILL)
