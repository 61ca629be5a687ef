"""Shared fixtures: scratch copies of sample projects and a real `qunsop` process."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

from qunsop.clock import read_clock

# keep the user's cache folder clean; every test session gets a fresh qunsop cache
os.environ["QUNSOP_CACHE_DIR"] = tempfile.mkdtemp(prefix="qunsop-cache-")
# one clock for the whole session: every command a test runs, and every stage it calls in
# process, takes 2026-11-23 as today, whatever day the tests run (tests of the clock itself
# set their own)
AUTHORED_EPOCH = "1795392000"
os.environ["SOURCE_DATE_EPOCH"] = AUTHORED_EPOCH
# for tests whose clock is the commits they make: builds dated by the last commit
COMMIT_CLOCK: dict[str, str | None] = {"SOURCE_DATE_EPOCH": None}
AUTHORED_CLOCK = read_clock(None, {"SOURCE_DATE_EPOCH": AUTHORED_EPOCH}, dt.datetime(2026, 11, 23, tzinfo=dt.UTC))

TESTS = Path(__file__).parent
REPO = TESTS.parent
MINIMAL = TESTS / "fixtures" / "minimal"


@dataclass
class Run:
    exit_code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    def problems(self) -> list[dict]:
        return json.loads(self.stdout)


def run_qunsop(*args: str, cwd: Path | None = None, env: dict[str, str | None] | None = None) -> Run:
    """Run the real console entry point in a child process (an env value of None unsets it)."""
    merged = {**os.environ, **(env or {})}
    done = subprocess.run([sys.executable, "-m", "qunsop", *args], cwd=cwd or REPO,
                          capture_output=True, text=True, timeout=300,
                          env={key: value for key, value in merged.items() if value is not None})
    return Run(done.returncode, done.stdout, done.stderr)


class ScratchProject:
    """A throwaway copy of a sample project that a test may edit."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def write(self, relative: str, text: str) -> Path:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return path

    def write_bytes(self, relative: str, data: bytes) -> Path:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return path

    def validate(self, fmt: str = "json") -> Run:
        return run_qunsop("validate", str(self.root), "--format", fmt)


@pytest.fixture
def scratch(tmp_path: Path) -> ScratchProject:
    root = tmp_path / "project"
    shutil.copytree(MINIMAL, root)
    return ScratchProject(root)


def build_copy(source: Path, target: Path) -> Path:
    """Copy a sample project to `target` and build it with the real CLI; returns site/."""
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("site", "build"))
    run = run_qunsop("build", str(target), env={"SOURCE_DATE_EPOCH": AUTHORED_EPOCH})
    assert run.exit_code == 0, run.output
    return target / "site"


def copy_example(target: Path) -> Path:
    """The shipped example as a fresh project outside git (no history, fixed dates)."""
    target.mkdir(parents=True)
    for name in ("playbooks", "content_library"):
        shutil.copytree(REPO / name, target / name, ignore=shutil.ignore_patterns("*.py"))
    for name in ("mkdocs.yml", "qunsop.yaml"):
        shutil.copy(REPO / name, target / name)
    return target


@pytest.fixture(scope="session")
def minimal_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_copy(MINIMAL, tmp_path_factory.mktemp("minimal") / "project")


@pytest.fixture(scope="session")
def example_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped example playbook, built once for the whole session."""
    target = copy_example(tmp_path_factory.mktemp("example") / "project")
    run = run_qunsop("build", str(target), env={"SOURCE_DATE_EPOCH": AUTHORED_EPOCH})
    assert run.exit_code == 0, run.output
    return target / "site"
