"""What changed, from the project's git history: the last change of every source file and
the recent commits that touched sources. Read once per build; deterministic because only
commits up to the build's time (SOURCE_DATE_EPOCH or the last commit) are read."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

SOURCE_PREFIXES = ("playbooks/", "content_library/")
SOURCE_FILES = ("mkdocs.yml", "qunsop.yaml")
STATUS_LABELS = {"A": "新增", "M": "修改", "D": "删除", "R": "改名", "C": "复制", "T": "修改"}
MAX_COMMITS = 60
# a commit body line that carries the operators' summary (an English subject may come
# with one): 变更说明：元旦活动改成到店领礼品
SUMMARY_TRAILER = re.compile(r"^(?:变更说明|Summary-zh)\s*[:：]\s*(\S.*)$", re.M)
HAN = re.compile(r"[\u3400-\u9fff]")


@dataclass(frozen=True)
class Change:
    commit: str
    date: dt.date
    subject: str
    files: tuple[tuple[str, str], ...]  # (status letter, project-relative path)
    author: str = ""
    summary: str = ""  # the Chinese summary: a 变更说明 trailer, else a Chinese subject, else ""


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
               f"--before={int(until.timestamp()) + 1}", "--format=%x00%H%x01%ct%x01%an%x01%s%x01%b%x02",
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
        header, _, listing = block.partition("\x02")
        commit, stamp, author, subject, body = [*header.split("\x01", 4), "", "", "", ""][:5]
        lines = listing.strip("\n").split("\n")
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
            changes.append(Change(commit[:10], date, subject, tuple(files), author,
                                  summary_of(subject, body)))
    return History(last, tuple(changes))


def summary_of(subject: str, body: str) -> str:
    """What operators read for a commit: its 变更说明 trailer, else its subject when that is
    Chinese (CONTRIBUTING asks for it; a squash-merged pull request's title is the subject)."""
    trailer = SUMMARY_TRAILER.search(body)
    if trailer:
        return trailer.group(1).strip()
    return subject.strip() if HAN.search(subject) else ""
