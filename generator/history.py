"""What changed, from the project's git history: the last change of every source file and
the recent commits that touched sources. Read once per build; deterministic because only
commits up to the build's time (SOURCE_DATE_EPOCH or the last commit) are read."""

from __future__ import annotations

import datetime as dt
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

SOURCE_PREFIXES = ("playbooks/", "content_library/")
SOURCE_FILES = ("mkdocs.yml", "qunsop.yaml")
STATUS_LABELS = {"A": "新增", "M": "修改", "D": "删除", "R": "改名", "C": "复制", "T": "修改"}
MAX_COMMITS = 60


@dataclass(frozen=True)
class Change:
    commit: str
    date: dt.date
    subject: str
    files: tuple[tuple[str, str], ...]  # (status letter, project-relative path)


@dataclass(frozen=True)
class History:
    last_changed: dict[str, dt.date] = field(default_factory=dict)  # path -> date of last commit
    changes: tuple[Change, ...] = ()  # newest first

    def latest(self, paths: list[str] | tuple[str, ...] | set[str]) -> dt.date | None:
        dates = [self.last_changed[path] for path in paths if path in self.last_changed]
        return max(dates) if dates else None


def is_source(path: str) -> bool:
    return path.startswith(SOURCE_PREFIXES) or path in SOURCE_FILES


def read_history(root: Path, until: dt.datetime, zone: str = "Asia/Shanghai") -> History:
    """The history of the project's sources, or an empty one outside git."""
    command = ["git", "-c", "core.quotePath=false", "log", "--relative", "--no-merges",
               f"--before={int(until.timestamp()) + 1}", "--format=%x00%H%x09%ct%x09%s",
               "--name-status", "--", *SOURCE_PREFIXES, *SOURCE_FILES]
    try:
        done = subprocess.run(command, cwd=root, capture_output=True, text=True, timeout=60,
                              check=False)
    except OSError:
        return History()
    if done.returncode != 0:
        return History()
    local = ZoneInfo(zone)
    last: dict[str, dt.date] = {}
    changes: list[Change] = []
    for block in done.stdout.split("\0")[1:]:
        header, *lines = block.strip("\n").split("\n")
        commit, stamp, subject = [*header.split("\t", 2), "", ""][:3]
        date = dt.datetime.fromtimestamp(int(stamp), local).date()
        files = []
        for line in lines:
            parts = line.split("\t")
            if len(parts) < 2:
                continue
            status, path = parts[0][:1], parts[-1]
            if is_source(path):
                files.append((status, path))
                last.setdefault(path, date)
        if files and len(changes) < MAX_COMMITS:
            changes.append(Change(commit[:10], date, subject, tuple(files)))
    return History(last, tuple(changes))


def added_order(root: Path, paths: list[str]) -> dict[str, float]:
    """When each file entered git (commit time); a file git does not have yet is the newest
    (infinity); outside git, when it was last written. Asked only for files whose ids clash:
    which one is the copy."""
    order: dict[str, float] = {}
    for path in paths:
        command = ["git", "log", "--diff-filter=A", "--format=%ct", "--", path]
        try:
            done = subprocess.run(command, cwd=root, capture_output=True, text=True, timeout=60,
                                  check=False)
        except OSError:
            done = subprocess.CompletedProcess(command, 1)
        if done.returncode != 0:  # not a git work tree
            return {path: modified(root / path) for path in paths}
        stamps = done.stdout.split()
        order[path] = float(stamps[-1]) if stamps else float("inf")  # the first time it was added
    return order


def modified(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0
