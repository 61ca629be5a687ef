"""Shared fixtures: scratch copies of sample projects and the `qunsop` command, run in process."""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import gc
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import threading
import traceback
from collections.abc import Callable, Iterator
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


def run_qunsop(*args: str, cwd: Path | None = None, env: dict[str, str | None] | None = None,
               child: bool = False) -> Run:
    """Run the `qunsop` console entry point (an env value of None unsets it).

    In this process by default: the same `main()` a console script calls, with its own argv,
    environment, working folder, standard streams and exit code, all put back afterwards.
    `child=True` starts a real process, for tests that need one (a lock held by another
    process, a signal, an interpreter started under faketime). QUNSOP_TESTS_IN_CHILD=1 runs
    every command in a child process (to compare, or to rule the in-process run out)."""
    if child or os.environ.get("QUNSOP_TESTS_IN_CHILD") or any(name in (env or {}) for name in
                                                               CHILD_ONLY_VARIABLES):
        return run_child(args, cwd, env)
    return run_in_process(args, cwd or REPO, env or {})


# a process that must be started with these set (a preloaded library) cannot be emulated in place
CHILD_ONLY_VARIABLES = ("LD_PRELOAD", "FAKETIME", "PYTHONPATH", "PYTHONHASHSEED")


def run_child(args: tuple[str, ...], cwd: Path | None, env: dict[str, str | None] | None) -> Run:
    merged = {**os.environ, **(env or {})}
    done = subprocess.run([sys.executable, "-m", "qunsop", *args], cwd=cwd or REPO,
                          capture_output=True, text=True, timeout=300,
                          env={key: value for key, value in merged.items() if value is not None})
    return Run(done.returncode, done.stdout, done.stderr)


IN_PROCESS = threading.Lock()


def run_in_process(args: tuple[str, ...], cwd: Path, env: dict[str, str | None]) -> Run:
    from qunsop.cli import main

    out, err = io.BytesIO(), io.BytesIO()
    # as a child's pipes would be: UTF-8 text, stderr never failing on a character
    stdout = io.TextIOWrapper(out, encoding="utf-8", write_through=True)
    stderr = io.TextIOWrapper(err, encoding="utf-8", errors="backslashreplace", write_through=True)
    exit_code = 0
    # one command at a time: it has the process's streams, environment and folder to itself
    with IN_PROCESS, process_state_kept(), environment(env):
        os.chdir(cwd)
        sys.argv = ["qunsop", *args]
        sys.stdin, sys.stdout, sys.stderr = io.TextIOWrapper(io.BytesIO(b""), encoding="utf-8"), stdout, stderr
        try:
            main()
        except SystemExit as done:
            exit_code = exit_status(done.code, stderr)
        except Exception:  # QUNSOP_DEBUG lets a bug through: the interpreter would print it
            traceback.print_exc(file=stderr)
            exit_code = 1
        finally:
            stdout.flush()
            stderr.flush()
    return Run(exit_code, out.getvalue().decode("utf-8"), err.getvalue().decode("utf-8"))


def exit_status(code: object, stderr: io.TextIOBase) -> int:
    """What the interpreter makes of sys.exit(code): an int as is, None 0, text printed and 1."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=stderr)
    return 1


@contextlib.contextmanager
def environment(changes: dict[str, str | None]) -> Iterator[None]:
    saved = dict(os.environ)
    for name, value in changes.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


@contextlib.contextmanager
def process_state_kept() -> Iterator[None]:
    """What `main()` changes for the rest of a one-shot process, restored for the next test:
    the working folder, argv, standard streams, the collector's thresholds and click's
    translations (cli_text.use_chinese)."""
    cwd, argv = os.getcwd(), sys.argv
    streams = sys.stdin, sys.stdout, sys.stderr
    thresholds = gc.get_threshold()
    translations = {name: (module, vars(module).get("_"), vars(module).get("ngettext"))
                    for name, module in list(sys.modules.items())
                    if name == "click" or name.startswith("click.")}
    try:
        yield
    finally:
        os.chdir(cwd)
        sys.argv = argv
        sys.stdin, sys.stdout, sys.stderr = streams
        gc.set_threshold(*thresholds)
        for module, underscore, ngettext in translations.values():
            for attribute, value in (("_", underscore), ("ngettext", ngettext)):
                if value is not None:
                    setattr(module, attribute, value)


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


@pytest.fixture(scope="session", autouse=True)
def jieba_dictionary_read_once() -> None:
    """jieba's dictionary read in this process (0.7 s), as `qunsop serve` would keep it: the
    workers of every build a test runs in process are forked from here and start with it,
    instead of reading it again for each build."""
    from qunsop.segment import base_dictionary

    base_dictionary()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    browser = sys.modules.get("browser")  # the browsers kept for the session (tests/browser.py)
    if browser is not None:
        browser.stop_browsers()


def built_once(tmp_path_factory: pytest.TempPathFactory, name: str, make: Callable[[Path], Path]) -> Path:
    """A sample project `make` writes, built once for the whole test run: under xdist the
    first worker that asks builds it while the others wait, then they all read it (a build of
    the example is seconds of CPU). Returns site/; no test may change it."""
    shared = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = shared.parent  # the run's folder, above each worker's own
    folder, done = shared / f"built-{name}", shared / f"built-{name}.done"
    with (shared / f"built-{name}.lock").open("w") as lock:
        fcntl.lockf(lock, fcntl.LOCK_EX)
        if not done.exists():
            shutil.rmtree(folder, ignore_errors=True)  # a build that failed in another worker
            target = make(folder / "project")
            run = run_qunsop("build", str(target), env={"SOURCE_DATE_EPOCH": AUTHORED_EPOCH})
            assert run.exit_code == 0, run.output
            done.touch()
    return folder / "project" / "site"


@pytest.fixture(scope="session")
def minimal_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return built_once(tmp_path_factory, "minimal", lambda target: Path(shutil.copytree(MINIMAL, target)))


@pytest.fixture(scope="session")
def example_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped example playbook, built once for the whole session."""
    return built_once(tmp_path_factory, "example", copy_example)
