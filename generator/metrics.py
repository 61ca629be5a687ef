"""Group statistics read back: `data/*.csv` (and chat exports with receipts, `data/*.txt`).

Operators export per-group daily statistics from 企业微信 (客户群 统计) or keep them in a
hand sheet. One row is one group on one day: the group (id or exact name as in the
roster), the date, members, joined, left, members who spoke, messages. Only counts are
read: a column that is not one of these (群主, 备注, anything personal) is never looked at.

Every row that cannot be counted is reported with file, row and column, and the rows
around it are still counted: a bad row never stops the good ones.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from .cache import file_state
from .errors import Problem
from .load import decodes_as_gbk
from .receipts import read_export, read_receipts
from .roster import RosterGroup

DATA_DIR = "data"
MAX_DATA_BYTES = 64 * 1024 * 1024

# the counted fields, and the headers they go by: English, a hand sheet's, 企业微信's export
FIELDS = ("group", "date", "members", "joined", "left", "speakers", "messages")
COUNTS = ("members", "joined", "left", "speakers", "messages")
FIELD_LABELS = {"group": "群", "date": "日期", "members": "群成员数", "joined": "进群人数",
                "left": "退群人数", "speakers": "发言人数", "messages": "消息数"}
DEFAULT_ALIASES: dict[str, str] = {
    "group": "group", "id": "group", "群编号": "group", "群id": "group", "群ID": "group",
    "name": "group", "群名": "group", "群名称": "group", "客户群名称": "group", "客户群": "group",
    "date": "date", "日期": "date", "统计日期": "date", "时间": "date",
    "members": "members", "群成员数": "members", "群成员总数": "members", "群总人数": "members",
    "成员数": "members", "群人数": "members", "总人数": "members",
    "joined": "joined", "进群人数": "joined", "新增群成员数": "joined", "新增人数": "joined",
    "入群人数": "joined", "进群": "joined",
    "left": "left", "退群人数": "left", "退群成员数": "left", "退群": "left", "流失人数": "left",
    "speakers": "speakers", "发言人数": "speakers", "发言成员数": "speakers", "活跃人数": "speakers",
    "群内发言人数": "speakers",
    "messages": "messages", "消息数": "messages", "群聊消息总数": "messages", "消息总数": "messages",
    "发言总数": "messages", "群消息数": "messages",
}
# 2026-12-07, 2026/12/7, 2026.12.07, 2026年12月7日, 20261207; a time after it is ignored
DATE_FORMS = re.compile(r"^(\d{4})\s*(?:[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?|(\d{2})(\d{2}))"
                        r"(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$")
NUMBER = re.compile(r"^[+-]?\d{1,3}(?:,\d{3})+$|^[+-]?\d+(?:\.0+)?$")


class DayStat(NamedTuple):  # a tuple: 90,000 of them are made in a second, not three
    """One group on one day; a count the file does not give is None."""

    group: str  # roster group id
    date: dt.date
    members: int
    joined: int | None
    left: int | None
    speakers: int | None
    messages: int | None
    file: str
    row: int


@dataclass
class Metrics:
    stats: dict[str, dict[dt.date, DayStat]] = field(default_factory=dict)  # group id -> date -> row
    sent: dict[str, set[dt.date]] = field(default_factory=dict)  # group id -> days with a receipt
    problems: list[Problem] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    rows: int = 0  # data rows read (good and bad)
    receipt_span: tuple[dt.date, dt.date] | None = None  # first and last day the receipts tell of

    def receipts_cover(self, day: dt.date) -> bool:
        """Whether the chat exports reach this day (before or after them, nothing is known)."""
        return self.receipt_span is not None and self.receipt_span[0] <= day <= self.receipt_span[1]

    @property
    def dates(self) -> list[dt.date]:
        return sorted({date for days in self.stats.values() for date in days})


def decode(raw: bytes, relative: str, problems: list[Problem]) -> str | None:
    """Excel's CSV: UTF-8 with or without BOM, or GBK as "CSV（逗号分隔）" saves it."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        if decodes_as_gbk(raw):
            return raw.decode("gb18030")
        line = raw[: error.start].count(b"\n") + 1
        problems.append(Problem(relative, line, 1, "", "data-encoding",
                                "读不出这个文件的文字：请在 Excel 里另存为“CSV UTF-8（逗号分隔）”"))
        return None


def aliases(extra: Mapping[str, str]) -> dict[str, str]:
    table = {key.strip().lower(): value for key, value in DEFAULT_ALIASES.items()}
    table.update({key.strip().lower(): value for key, value in extra.items()})
    return table


@functools.lru_cache(maxsize=4096)  # an export repeats the same few dates on every row
def parse_date(text: str) -> dt.date | None:
    match = DATE_FORMS.match(text.strip())
    if match is None:
        return None
    year, month, day = match.group(1), match.group(2) or match.group(4), match.group(3) or match.group(5)
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError:
        return None


def read_metrics(root: Path, groups: Iterable[RosterGroup], column_aliases: Mapping[str, str] = {},
                 schedules: Mapping[str, object] | None = None) -> Metrics:
    """Every data/*.csv joined to the roster; data/*.txt chat exports give the receipts."""
    metrics = Metrics()
    roster = list(groups)
    by_id = {entry.group.id: entry.group.id for entry in roster}
    by_name = {entry.group.name: entry.group.id for entry in roster}
    table = aliases(column_aliases)
    folder = root / DATA_DIR
    if not folder.is_dir():
        return metrics
    for path in sorted(folder.rglob("*.csv")):
        relative = path.relative_to(root).as_posix()
        metrics.files.append(relative)
        raw = path.read_bytes()
        if len(raw) > MAX_DATA_BYTES:
            metrics.problems.append(Problem(relative, 1, 1, "", "data-too-large",
                                            f"文件超过 {MAX_DATA_BYTES // 1024 // 1024} MB：请按月拆开"))
            continue
        text = decode(raw, relative, metrics.problems)
        if text is not None:
            _read_csv(text, relative, table, by_id, by_name, metrics)
    if schedules is not None:
        _read_receipts(folder, root, roster, schedules, metrics)
    return metrics


def _read_csv(text: str, relative: str, table: dict[str, str], by_id: dict[str, str],
              by_name: dict[str, str], metrics: Metrics) -> None:
    problems = metrics.problems
    reader = csv.reader(text.splitlines())
    try:
        header = next(reader)
    except (StopIteration, csv.Error):
        problems.append(Problem(relative, 1, 1, "", "data-empty",
                                "文件是空的：第一行写列名，下面每行一个群一天"))
        return
    columns: dict[str, int] = {}
    for index, head in enumerate(header):
        role = table.get(head.strip().lower())
        if role is not None and role not in columns:
            columns[role] = index
    missing = [FIELD_LABELS[name] for name in ("group", "date", "members") if name not in columns]
    if missing:
        problems.append(Problem(relative, 1, 1, "", "data-header",
                                f"第一行缺少 {'、'.join(missing)} 这几列（现在是 {'、'.join(header)}）："
                                "列名可以照企业微信导出的写，别的叫法在 qunsop.yaml 的 "
                                "review.columns 里加上"))
        return
    line = 1
    width = max(columns.values()) + 1
    group_at, date_at = columns["group"], columns["date"]
    count_at = [(name, columns.get(name)) for name in COUNTS]
    try:
        for row in reader:
            line = reader.line_num
            if not any(row):
                continue
            metrics.rows += 1
            # the usual row: every cell a plain number, a known group, a date, no duplicate
            if len(row) >= width:
                group = by_id.get(row[group_at]) or by_name.get(row[group_at])
                date = parse_date(row[date_at])
                cells = [row[at] if at is not None else "" for _name, at in count_at]
                if group is not None and date is not None and cells[0] \
                        and all(not cell or (cell.isascii() and cell.isdigit()) for cell in cells):
                    numbers = [int(cell) if cell else None for cell in cells]
                    days = metrics.stats.setdefault(group, {})
                    if date not in days and (numbers[3] is None or numbers[3] <= (numbers[0] or 0)):
                        days[date] = DayStat(group, date, numbers[0] or 0, numbers[1], numbers[2],
                                             numbers[3], numbers[4], relative, line)
                        continue
            _read_row(row, line, relative, columns, header, by_id, by_name, metrics)
    except csv.Error as error:
        problems.append(Problem(relative, line + 1, 1, "", "data-row",
                                f"这一行读不出来（{error}）：请检查英文双引号是否成对；之后的行没有读"))


def _read_row(row: list[str], line: int, relative: str, columns: dict[str, int], header: list[str],
              by_id: dict[str, str], by_name: dict[str, str], metrics: Metrics) -> None:
    def cell(name: str) -> str:
        index = columns.get(name)
        return row[index].strip() if index is not None and index < len(row) else ""

    def problem(name: str, code: str, message: str, severity: str = "error") -> None:
        index = columns.get(name, 0)
        metrics.problems.append(Problem(relative, line, index + 1, header[index].strip(), code, message,
                                        severity))  # type: ignore[arg-type]

    bad = False
    who = cell("group")
    group = by_id.get(who) or by_name.get(who)
    if not who:
        problem("group", "data-missing", "这一行没有写群：写群编号或群名（和群名单里的一样）")
        bad = True
    elif group is None:
        problem("group", "unmatched-group", f"“{who}”不在群名单里：群名要和 groups.csv 里的一字不差，"
                                            "或写群编号；新群请先加进群名单")
        bad = True
    date = parse_date(cell("date"))
    if date is None:
        problem("date", "bad-date", f"日期“{cell('date')}”读不出来：写成 2026-12-07 或 2026/12/7")
        bad = True
    counts: dict[str, int | None] = {}
    for name in COUNTS:
        text = cell(name)
        counts[name] = None
        if not text or name not in columns:
            if name == "members":
                problem(name, "data-missing", "这一行没有群成员数：每个群每天都要有")
                bad = True
            continue
        if text.isascii() and text.isdigit():
            counts[name] = int(text)
            continue
        if not NUMBER.match(text):
            problem(name, "not-a-number", f"{FIELD_LABELS[name]}“{text}”不是整数")
            bad = True
            continue
        value = int(float(text.replace(",", "")))
        if value < 0:
            problem(name, "negative-count", f"{FIELD_LABELS[name]}是负数（{value}）：人数和条数不能小于 0")
            bad = True
            continue
        counts[name] = value
    members, speakers = counts["members"], counts["speakers"]
    if members is not None and speakers is not None and speakers > members:
        problem("speakers", "impossible-count",
                f"发言人数 {speakers} 比群成员数 {members} 还多：请检查是不是两列填反了")
        bad = True
    if bad or group is None or date is None or members is None:
        return
    days = metrics.stats.setdefault(group, {})
    if date in days:
        first = days[date]
        problem("date", "duplicate-row", f"群“{who}”{date} 这一天已经在 {first.file} 第 {first.row} 行："
                                         "同一个群同一天只算第一行，请删掉重复的一行")
        return
    days[date] = DayStat(group, date, members, counts["joined"], counts["left"], speakers,
                         counts["messages"], relative, line)


def _read_receipts(folder: Path, root: Path, roster: list[RosterGroup], schedules: Mapping[str, object],
                   metrics: Metrics) -> None:
    for path in sorted(folder.rglob("*.txt")):
        relative = path.relative_to(root).as_posix()
        metrics.files.append(relative)
        report = read_receipts(read_export(path), roster, schedules)  # type: ignore[arg-type]
        for day in report.days:
            for receipt in day.receipts:
                metrics.sent.setdefault(receipt.group.group.id, set()).add(receipt.date)
            span = metrics.receipt_span or (day.date, day.date)
            metrics.receipt_span = (min(span[0], day.date), max(span[1], day.date))
        metrics.problems += [Problem(relative, bad.line, 1, "", "bad-receipt", bad.reason, "warning")
                             for bad in report.bad]


def data_state(root: Path) -> list[tuple[str, bytes | str]]:
    """What a build's fingerprint needs to know of data/: every file's name and bytes."""
    folder = root / DATA_DIR
    if not folder.is_dir():
        return []
    return [(path.relative_to(root).as_posix(), file_state(path, follow=True, limit=MAX_DATA_BYTES))
            for path in sorted(folder.rglob("*")) if path.suffix in (".csv", ".txt")]
