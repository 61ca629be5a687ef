"""What changed, from the project's git history: the last change of every source file and
the recent commits that touched sources. Read once per build; deterministic because only
commits up to the build's time (SOURCE_DATE_EPOCH or the last commit) are read.

git is input like any source: it may be missing, refuse the folder (another user's
repository), hold only part of the history (a shallow clone), answer slowly or carry
commits dated past year 9999. Each case gives a warning that says what is missing and
how to fix it, and the dates and the change list leave out what git could not tell.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from .clock import LATEST

SOURCE_PREFIXES = ("playbooks/", "content_library/")
SOURCE_FILES = ("mkdocs.yml", "qunsop.yaml")
STATUS_LABELS = {"A": "新增", "M": "修改", "D": "删除", "R": "改名", "C": "复制", "T": "修改"}
MAX_COMMITS = 60
GIT_TIMEOUT_SECONDS = 20.0  # QUNSOP_GIT_TIMEOUT (seconds) overrides
# commit times past the clock's range cannot be dates of the site (a HEAD commit dated
# @300000000000 is year 11476): such a commit gives no date
LATEST_TIMESTAMP = int(dt.datetime.combine(LATEST, dt.time(), dt.UTC).timestamp())
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
    warnings: tuple[str, ...] = ()  # what git could not tell, and how to fix it

    def latest(self, paths: list[str] | tuple[str, ...] | set[str]) -> dt.date | None:
        dates = [self.last_changed[path] for path in paths if path in self.last_changed]
        return max(dates) if dates else None


class GitUnavailable(Exception):
    """git could not answer; the message says why and how to fix it (Chinese)."""


def is_source(path: str) -> bool:
    return path.startswith(SOURCE_PREFIXES) or path in SOURCE_FILES


def git_timeout() -> float:
    text = os.environ.get("QUNSOP_GIT_TIMEOUT", "")
    try:
        value = float(text)
    except ValueError:
        return GIT_TIMEOUT_SECONDS
    return value if 0 < value <= 3600 else GIT_TIMEOUT_SECONDS


def git(root: Path, *args: str) -> str:
    """git's output for `args` in the project folder, or GitUnavailable saying why."""
    timeout = git_timeout()
    try:
        done = subprocess.run(["git", "-c", "core.quotePath=false", *args], cwd=root,
                              capture_output=True, encoding="utf-8", errors="replace",
                              timeout=timeout, check=False, stdin=subprocess.DEVNULL,
                              env={**os.environ, "LC_ALL": "C", "GIT_TERMINAL_PROMPT": "0"})
    except subprocess.TimeoutExpired:
        raise GitUnavailable(f"git {args[0]} 在 {timeout:g} 秒内没有结束，已跳过：页面不显示最后"
                             "修改日期，变更记录为空；检查仓库是否在网络盘上或过大，"
                             "可用环境变量 QUNSOP_GIT_TIMEOUT 放宽秒数") from None
    except OSError:
        raise GitUnavailable("没有找到 git 命令：页面不显示最后修改日期，变更记录为空；"
                             "安装 git（例如 apt-get install git）后再构建") from None
    if done.returncode != 0:
        error = done.stderr
        if "dubious ownership" in error:
            # git names the repository's top folder, which is what safe.directory wants
            found = re.search(r"safe\.directory (\S[^\n]*)", error)
            where = found.group(1).strip() if found else str(root)
            raise GitUnavailable("git 拒绝读取这个仓库：它属于另一个用户（dubious ownership），"
                                 "页面不显示最后修改日期，变更记录为空；确认仓库可信后运行 "
                                 f"git config --global --add safe.directory {where}")
        if "not a git repository" in error:
            raise GitUnavailable("项目不在 git 仓库里：页面不显示最后修改日期，变更记录为空；"
                                 "用 git init 建仓库并提交后就有")
        if "does not have any commits" in error:
            raise GitUnavailable("git 仓库还没有任何提交：页面不显示最后修改日期，变更记录为空；"
                                 "提交一次后就有")
        first = next((line.strip() for line in error.splitlines() if line.strip()), "")
        raise GitUnavailable(f"git {args[0]} 失败（{first[:200]}）：页面不显示最后修改日期，变更记录为空")
    return done.stdout


def commit_time(text: str) -> int | None:
    """A commit's time in seconds, when it can be a date (1970 to the clock's LATEST)."""
    text = text.strip()
    if not text.isdigit() or len(text) > 12:
        return None
    value = int(text)
    return value if value <= LATEST_TIMESTAMP else None


def last_commit_time(root: Path) -> int | None:
    """The last commit's time, or None when git cannot tell (read_history says why)."""
    try:
        return commit_time(git(root, "log", "-1", "--format=%ct"))
    except GitUnavailable:
        return None


def shallow_commits(root: Path) -> set[str]:
    """The commits whose parents a shallow clone lacks: git shows every file of such a
    commit as added, and every date from it would be that commit's."""
    if git(root, "rev-parse", "--is-shallow-repository").strip() != "true":
        return set()
    path = Path(git(root, "rev-parse", "--git-path", "shallow").strip())
    try:
        text = (root / path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return set()
    return {line.strip() for line in text.splitlines() if line.strip()}


def read_history(root: Path, until: dt.datetime, zone: str = "Asia/Shanghai") -> History:
    """The history of the project's sources; what git cannot tell is left out and said."""
    try:
        head = git(root, "log", "-1", "--format=%H%x09%ct")
        boundary = shallow_commits(root)
        output = git(root, "log", "--relative", "--no-merges", f"--before={int(until.timestamp()) + 1}",
                     "--format=%x00%H%x01%ct%x01%an%x01%s%x01%b%x02", "--name-status", "--",
                     *SOURCE_PREFIXES, *SOURCE_FILES)
    except GitUnavailable as error:
        return History(warnings=(str(error),))
    local = ZoneInfo(zone)
    last: dict[str, dt.date] = {}
    changes: list[Change] = []
    warnings: list[str] = []
    cut = False
    head_commit, _tab, head_time = head.strip().partition("\t")
    if head_commit and commit_time(head_time) is None:  # a build's date comes from it
        warnings.append(absurd_date(head_commit, head_time))
    for block in output.split("\0")[1:]:
        header, _, listing = block.partition("\x02")
        commit, stamp, author, subject, body = [*header.split("\x01", 4), "", "", "", ""][:5]
        lines = listing.strip("\n").split("\n")
        if commit in boundary:
            cut = True  # its files are listed as added, whatever they were: not a change
            continue
        seconds = commit_time(stamp)
        if seconds is None:
            if commit != head_commit:
                warnings.append(absurd_date(commit, stamp))
            continue
        date = dt.datetime.fromtimestamp(seconds, local).date()
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
    if cut:
        warnings.append("仓库是浅克隆（shallow clone），只有最近几次提交：更早改过的文件不显示修改日期，"
                        "变更记录只列这几次；CI 里给 actions/checkout 加上 fetch-depth: 0，"
                        "本地运行 git fetch --unshallow")
    return History(last, tuple(changes), tuple(warnings))


def absurd_date(commit: str, stamp: str) -> str:
    return (f"提交 {commit[:10]} 的时间（{stamp.strip()[:20]} 秒）不在 1970 年到 {LATEST.year} 年之间："
            "它改的文件不显示修改日期，也不列进变更记录，构建日期改用源文件的修改时间；请检查提交时电脑的时间"
            f"（git log -1 --format=%ci {commit[:10]}）")


def summary_of(subject: str, body: str) -> str:
    """What operators read for a commit: its 变更说明 trailer, else its subject when that is
    Chinese (CONTRIBUTING asks for it; a squash-merged pull request's title is the subject)."""
    trailer = SUMMARY_TRAILER.search(body)
    if trailer:
        return trailer.group(1).strip()
    return subject.strip() if HAN.search(subject) else ""


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
