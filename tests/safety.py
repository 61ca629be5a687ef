"""Helpers for the safety tests (issue 11): snapshots, located problems, unprivileged runs.

Permission cases must really meet the kernel's permission checks, and the tests
run as root in CI, which ignores them. So a case that needs a read-only folder
runs the real `qunsop` as an unprivileged process:

- as the current user when the tests do not run as root;
- as root, as user `nobody` (uid/gid 65534) when `nobody` can run this Python
  and import qunsop; the project is copied into a world-readable folder and the
  parts that must be writable are given to `nobody`;
- otherwise (the interpreter lives where `nobody` may not go, e.g. under /root
  with pyenv), as root without the capabilities that bypass file permissions
  (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER, dropped from the bounding
  set before exec): root then obeys the mode bits like any file owner.

No case is skipped.
"""

from __future__ import annotations

import ctypes
import functools
import hashlib
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from conftest import MINIMAL, Run, run_qunsop

NOBODY = 65534
# one source of each kind in the minimal project
SOURCE_FOR_KIND = {
    "playbook": "playbooks/demo/playbook.yaml",
    "tier": "playbooks/demo/tiers/c-store.yaml",
    "calendar": "playbooks/demo/calendars/week.yaml",
    "curriculum": "playbooks/demo/curricula/basics.yaml",
    "escalation": "playbooks/demo/escalations/complaint.yaml",
    "campaign": "playbooks/demo/campaigns/pk.yaml",
    "post": "content_library/posts/needed/tyre-pressure.md",
    "game": "content_library/games/warmup.md",
    "reply": "content_library/replies/calm-first.md",
    "placeholders": "content_library/placeholders.yaml",
    "activity": "playbooks/demo/activities/checkin.yaml",
    "incident": "playbooks/demo/incidents/old-complaint.yaml",
    "roster": "playbooks/demo/groups.yaml",  # not in the fixture: written for the test, then removed
    "settings": "qunsop.yaml",
    "site": "mkdocs.yml",
}
PR_CAPBSET_DROP = 24
CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER = 1, 2, 3


def snapshot(base: Path, skip: Iterable[str] = ()) -> dict[str, str]:
    """Every entry under `base` (files by content, links by target, folders and modes).

    `skip` lists relative paths whose whole subtree is left out (e.g. project/site).
    """
    skipped = tuple(skip)
    found: dict[str, str] = {}
    for folder, dirs, files in os.walk(base):
        here = Path(folder)
        relative_folder = here.relative_to(base).as_posix()
        if relative_folder != "." and relative_folder.startswith(skipped):
            dirs[:] = []
            continue
        for name in [*dirs, *files]:
            path = here / name
            relative = path.relative_to(base).as_posix()
            if relative in skipped or relative.startswith(tuple(f"{s}/" for s in skipped)):
                continue
            info = path.lstat()
            if stat.S_ISLNK(info.st_mode):
                found[relative] = "link:" + os.readlink(path)
            elif stat.S_ISDIR(info.st_mode):
                found[relative] = f"dir:{stat.S_IMODE(info.st_mode):o}"
            else:
                found[relative] = hashlib.sha256(path.read_bytes()).hexdigest()
        dirs[:] = [d for d in dirs if not (here / d).is_symlink()]
    return found


def outside_outputs(project: Path) -> dict[str, str]:
    """The project's parent folder, without the two folders a build may write."""
    name = project.name
    return snapshot(project.parent, skip=(f"{name}/site", f"{name}/build"))


def untouched(args: tuple[str, ...], cwd: Path | None,
              env: dict[str, str]) -> tuple[Path, tuple[str, ...]] | None:
    """Where a `qunsop` command may write: the project's site/ and build/ (and --site-dir).

    Returns the folder to watch (the project's parent, so links out of the project and
    folders next to it are watched too) and what in it may change; None when the command
    names no project.
    """
    if len(args) < 2:
        return None
    given = cwd / args[1] if cwd is not None and not Path(args[1]).is_absolute() else Path(args[1])
    root = given.resolve() if given.is_dir() else None
    if root is None or not ((root / "playbooks").is_dir() or (root / "content_library").is_dir()):
        return None
    name = root.name
    allowed = [f"{name}/site", f"{name}/build"]
    if "--site-dir" in args:
        target = Path(args[args.index("--site-dir") + 1])
        target = (cwd / target if cwd and not target.is_absolute() else target).absolute()
        if target.parent.resolve().is_relative_to(root.parent):
            relative = target.parent.resolve().relative_to(root.parent) / target.name
            allowed.append(relative.as_posix())
    if args[0] == "clean":  # it removes the temporary folders next to the site too
        allowed += [f"{name}/.site.staging", f"{name}/.site.old"]
    cache = Path(env.get("QUNSOP_CACHE_DIR", "off")).absolute()
    if cache.is_relative_to(root.parent):
        allowed.append(cache.relative_to(root.parent).as_posix())
    return root.parent, tuple(allowed)


def qunsop(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None,
           runner: Callable[..., Run] | None = None) -> Run:
    """The real CLI (see conftest.run_qunsop), checked to write nothing but its outputs.

    Every entry of the project's parent folder other than site/ and build/ (and the
    --site-dir the command names) must be exactly as before, links and their targets
    included; a build must leave no temporary folder behind; and the exit code must be
    0, 1 or 2 (3 is a qunsop bug, a negative code a signal).
    """
    watch = untouched(args, cwd, env or {})
    before = snapshot(watch[0], skip=watch[1]) if watch else None
    run = runner(*args, env=env) if runner is not None else run_qunsop(*args, cwd=cwd, env=env)
    assert run.exit_code in (0, 1, 2), run.output
    assert "Traceback" not in run.output and "内部错误" not in run.output, run.output
    if watch:
        assert snapshot(watch[0], skip=watch[1]) == before, run.output
    return run


def validate(root: Path, fmt: str = "json") -> Run:
    return qunsop("validate", str(root), "--format", fmt)


def qunsop_many(commands: list[tuple[str, ...]]) -> list[Run]:
    """Several independent `qunsop` commands (on different projects), each checked like
    `qunsop`: one after another, in this process (no interpreter to start for each)."""
    return [qunsop(*args) for args in commands]


def files_in(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def problem(run: Run, file: str, code: str, path: str | None = None) -> dict:
    """The one problem of `code` in `file` (and at `path`, when given), from json output."""
    found = [p for p in run.problems() if p["file"] == file and p["code"] == code
             and (path is None or p["path"] == path)]
    if len(found) != 1:
        brief = [(p["file"], p["line"], p["column"], p["path"], p["code"]) for p in run.problems()]
        raise AssertionError(f"expected one {code} in {file} at {path!r}, got {len(found)}: {brief}")
    return found[0]


def located(run: Run, file: str, code: str, line: int, column: int | None = None,
            path: str | None = None) -> dict:
    found = problem(run, file, code, path)
    assert found["line"] == line, found
    if column is not None:
        assert found["column"] == column, found
    assert found["message"] and not found["message"].isascii(), found  # a Chinese message
    return found


def copy_minimal(target: Path) -> Path:
    shutil.copytree(MINIMAL, target)
    return target


# --- unprivileged runs ------------------------------------------------------------------


def _drop_capabilities() -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER):
        if libc.prctl(PR_CAPBSET_DROP, capability, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def _become_nobody() -> None:
    os.setgroups([])
    os.setgid(NOBODY)
    os.setuid(NOBODY)


@functools.cache
def _nobody_can_run_qunsop() -> bool:
    try:
        done = subprocess.run([sys.executable, "-c", "import qunsop.cli"], preexec_fn=_become_nobody,
                              capture_output=True, timeout=60, env={"PATH": os.environ["PATH"]},
                              cwd="/")
    except OSError:
        return False
    return done.returncode == 0


@dataclass(frozen=True)
class Unprivileged:
    """Runs `qunsop` so that file permissions apply (see the module docstring)."""

    mode: str  # "user", "nobody" or "no-capabilities"

    @classmethod
    def detect(cls) -> Unprivileged:
        if os.geteuid() != 0:
            return cls("user")
        return cls("nobody" if _nobody_can_run_qunsop() else "no-capabilities")

    def give(self, path: Path) -> None:
        """Make `path` (recursively) belong to the user the runs use."""
        if self.mode != "nobody":
            return
        for folder, dirs, files in os.walk(path):
            os.chown(folder, NOBODY, NOBODY)
            for name in [*dirs, *files]:
                os.lchown(os.path.join(folder, name), NOBODY, NOBODY)

    def run(self, *args: str, env: dict[str, str] | None = None) -> Run:
        """`qunsop` as the unprivileged user, checked like safety.qunsop."""
        return qunsop(*args, env=env, runner=self._run)

    def _run(self, *args: str, env: dict[str, str] | None = None) -> Run:
        preexec: Callable[[], None] | None = {
            "user": None, "nobody": _become_nobody, "no-capabilities": _drop_capabilities}[self.mode]
        environment = {**os.environ, "SOURCE_DATE_EPOCH": "1795392000", **(env or {})}
        if self.mode == "nobody":
            environment["HOME"] = "/nonexistent"
        done = subprocess.run([sys.executable, "-m", "qunsop", *args], preexec_fn=preexec,
                              capture_output=True, text=True, timeout=300, env=environment, cwd="/")
        return Run(done.returncode, done.stdout, done.stderr)


@contextmanager
def open_folder() -> Iterator[Path]:
    """A fresh world-readable folder under the system temp dir (tmp_path may be private)."""
    folder = Path(tempfile.mkdtemp(prefix="qunsop-safety-"))
    os.chmod(folder, 0o755)
    try:
        yield folder
    finally:
        make_tree_writable(folder)
        shutil.rmtree(folder, ignore_errors=True)


def make_tree_writable(path: Path) -> None:
    """Undo a chmod so pytest can delete the folder afterwards."""
    for folder, _dirs, files in os.walk(path):
        os.chmod(folder, 0o755)
        for name in files:
            full = os.path.join(folder, name)
            if not os.path.islink(full):
                os.chmod(full, 0o644)


# --- live markup in built pages ------------------------------------------------------------

EXECUTABLE = {"", "text/javascript", "module", "application/javascript"}


class LiveMarkup(HTMLParser):
    """Finds markup that would act in a browser: scripts, handlers, script links, images.

    Parsing (not a regex over the page) so that escaped text in attributes or text
    nodes, where payloads are supposed to end up, is never mistaken for markup.
    """

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self.script: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=…>")
            if name in ("href", "src", "action", "formaction", "xlink:href", "data", "poster") \
                    and re.match(r"\s*(javascript|vbscript|data):", value or "", re.I):
                self.found.append(f"<{tag} {name}={value}>")
        if tag == "img" and (values.get("src") or "").strip() in ("x", "y"):
            self.found.append(f"<img src={values.get('src')}>")
        refresh = tag == "meta" and (values.get("http-equiv") or "").lower() == "refresh"
        if tag in ("iframe", "object", "embed", "base") or refresh:
            self.found.append(f"<{tag}>")
        if tag == "script":
            self.script = "" if (values.get("type") or "").lower() in EXECUTABLE else None

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self.script is not None:
            if "alert(" in self.script:
                self.found.append(f"<script>{self.script[:60]}")
            self.script = None

    def handle_data(self, data: str) -> None:
        if self.script is not None:
            self.script += data


def live_markup(page: str) -> list[str]:
    parser = LiveMarkup()
    parser.feed(page)
    parser.close()
    return parser.found
