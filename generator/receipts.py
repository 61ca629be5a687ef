"""Receipts read back: `qunsop receipts FILE` against the roster.

A store owner who has sent a day's pack copies a one-line receipt from the pack page and
pastes it into the store-owner group; an operator copies the group's chat into a text
file. This module finds the receipts among everything else in that file and says, per
day and calendar, who sent, what was skipped and who sent nothing.

THE RECEIPT LINE (the one place its format is written down; the pack page writes it)::

    【已发回报】<谁> · <排期> · <哪一天> · <条数>[ · 未发：<标题>（<原因>）；<标题>（<原因>）]

- The mark 【已发回报】 may stand anywhere in a line (after a sender's name and a colon).
- Fields are split at a middle dot (` · `, also `·`, `・`, `•`) or a bar (`|`, `｜`).
- <谁>, always first: the group's name and id as `老周轮胎车友群（baoding-01）`, or only one of
  them, or the store's name (the 门店名 the owner saved, as older pack pages write it).
- The other fields are recognised by their form, in any order:
  - <哪一天>: `12月7日 周一 …` or `2026-12-07`, or `建群第 3 天 …` / `第 3 天` (day-N calendars);
  - <条数>: `6/6 条已发`, `已发 5/6` or `5/6`: sent of due;
  - 未发 / 跳过 / 没发, then `：` or `:`, then items separated by `；` or `;`, each a title with its
    reason in brackets, `（…）` or `(…)` (or no reason);
  - <排期>: a calendar's name or id; a field that is none of these is ignored.
- The date of a receipt is its <哪一天> (the year from the message's time), or for a day-N
  calendar the group's start date plus N - 1, or else the date of the message it is in.

Around the receipts a chat export holds message headers such as `周哥 2026-12-07 20:31`,
`2026/12/7 20:31:05 周哥:` or a day line `—— 2026年12月7日 ——`: they give the date of
the messages that follow. Every line with the mark that cannot be read, or that names a
group not in the roster, is listed with its line number; nothing is dropped silently.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .models import Calendar
from .roster import RosterGroup
from .schedule import CalendarSchedule

MARK = "【已发回报】"
FIELD_SEPARATOR = re.compile(r"\s*[·・•|｜]\s*")
ID_IN_BRACKETS = re.compile(r"^(.*?)\s*[（(]\s*([a-z0-9]+(?:-[a-z0-9]+)*)\s*[)）]\s*$")
COUNT = re.compile(r"^(?:已发\s*)?(\d{1,3})\s*/\s*(\d{1,3})(?:\s*条)?(?:\s*已发)?$")
SKIPPED = re.compile(r"^(?:未发|跳过|没发)\s*[：:]?\s*(.*)$")
SKIPPED_ITEM = re.compile(r"^(.*?)\s*(?:[（(](.*?)[)）])?\s*$")
MONTH_DAY = re.compile(r"^(\d{1,2})\s*月\s*(\d{1,2})\s*日")
ISO_DAY = re.compile(r"^(20\d\d)-(\d{1,2})-(\d{1,2})\b")
DAY_N = re.compile(r"^(?:建群)?第\s*(\d{1,3})\s*天")
# a message header or a day line in the export: the date of what follows
STAMP = re.compile(r"(20\d\d)\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")


@dataclass(frozen=True)
class Skipped:
    title: str
    reason: str


@dataclass(frozen=True)
class Receipt:
    line: int
    group: RosterGroup
    calendar: str
    date: dt.date
    sent: int
    due: int
    skipped: tuple[Skipped, ...]


@dataclass(frozen=True)
class BadLine:
    line: int
    text: str
    reason: str


@dataclass(frozen=True)
class DayReport:
    """One day of one calendar: the receipts, and the groups due that sent none."""

    date: dt.date
    calendar: str
    calendar_name: str
    receipts: tuple[Receipt, ...]
    silent: tuple[RosterGroup, ...]


@dataclass
class ReceiptsReport:
    days: list[DayReport] = field(default_factory=list)
    bad: list[BadLine] = field(default_factory=list)  # malformed or naming no known group
    lines: int = 0


class _Matcher:
    """Finds a group and a calendar by any name a receipt may use for them."""

    def __init__(self, groups: Iterable[RosterGroup], calendars: Iterable[Calendar]) -> None:
        self.groups: dict[str, RosterGroup] = {}
        stores: dict[str, list[RosterGroup]] = {}
        for entry in groups:
            self.groups[entry.group.id] = entry
            self.groups.setdefault(entry.group.name, entry)
            store = entry.group.values.get("门店名", "")
            if store:
                stores.setdefault(store, []).append(entry)
        self.stores = stores
        self.calendars: dict[str, str] = {}
        for calendar in calendars:
            self.calendars[calendar.id] = calendar.id
            self.calendars.setdefault(calendar.name, calendar.id)

    def group(self, who: str, calendar: str | None) -> RosterGroup | str | None:
        """The group, None when unknown, or a reason when the name is ambiguous."""
        bracketed = ID_IN_BRACKETS.match(who)
        for name in ((bracketed.group(2), bracketed.group(1)) if bracketed else (who,)):
            if name in self.groups:
                return self.groups[name]
        by_store = self.stores.get(who, [])
        if calendar is not None:
            by_store = [entry for entry in by_store if calendar in entry.calendars] or by_store
        if len(by_store) > 1:
            return (f"门店名“{who}”有 {len(by_store)} 个群（"
                    f"{'、'.join(entry.group.id for entry in by_store)}）：回报里要写群名或群编号")
        return by_store[0] if by_store else None


def read_export(path: Path) -> list[str]:
    """The export's lines: UTF-8 (with or without BOM), or GBK as older Windows tools save."""
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("gb18030", errors="replace")
    return text.splitlines()


def read_receipts(lines: list[str], groups: list[RosterGroup], schedules: dict[str, CalendarSchedule],
                  only: dt.date | None = None) -> ReceiptsReport:
    report = ReceiptsReport(lines=len(lines))
    matcher = _Matcher(groups, (schedule.calendar for schedule in schedules.values()))
    found: list[Receipt] = []
    current: dt.date | None = None
    for number, line in enumerate(lines, start=1):
        at = line.find(MARK)
        if at < 0:  # most lines: chatter, or a header whose date the receipts below take
            if "20" in line and (stamp := STAMP.search(line)) is not None:
                current = _date(stamp.group(1), stamp.group(2), stamp.group(3)) or current
            continue
        if at > 0 and (stamp := STAMP.search(line, 0, at)) is not None:
            current = _date(stamp.group(1), stamp.group(2), stamp.group(3)) or current
        outcome = _parse(line[at + len(MARK):], matcher, current, schedules)
        if isinstance(outcome, str):
            report.bad.append(BadLine(number, line.strip(), outcome))
        else:
            found.append(Receipt(number, *outcome))
    if only is not None:
        found = [receipt for receipt in found if receipt.date == only]
    report.days = _by_day(found, groups, schedules, only)
    return report


def _date(year: str, month: str, day: str) -> dt.date | None:
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError:
        return None


def _parse(text: str, matcher: _Matcher, message_date: dt.date | None,
           schedules: dict[str, CalendarSchedule]
           ) -> tuple[RosterGroup, str, dt.date, int, int, tuple[Skipped, ...]] | str:
    fields = [part for part in FIELD_SEPARATOR.split(text.strip()) if part]
    if len(fields) < 2:
        return "读不出群名、排期和条数：回报应是“【已发回报】群名 · 排期 · 哪一天 · 已发条数”"
    who, rest = fields[0], fields[1:]
    calendar: str | None = None
    day_text = ""
    counts: tuple[int, int] | None = None
    skipped: list[Skipped] = []
    for part in rest:
        if (count := COUNT.match(part)) is not None:
            counts = (int(count.group(1)), int(count.group(2)))
        elif (skip := SKIPPED.match(part)) is not None:
            skipped += [_skipped(item) for item in re.split(r"[；;]", skip.group(1)) if item.strip()]
        elif MONTH_DAY.match(part) or ISO_DAY.match(part) or DAY_N.match(part):
            day_text = part
        elif part in matcher.calendars:
            calendar = matcher.calendars[part]
    if calendar is None:
        return f"找不到排期：回报里的“{' · '.join(rest)}”没有一项是排期的名称或编号"
    if counts is None:
        return "没有已发条数（例如 6/6 条已发）"
    group = matcher.group(who, calendar)
    if group is None:
        return f"“{who}”不在群名单里：请把这个群加进 groups.csv，或检查回报里的群名"
    if isinstance(group, str):
        return group
    date = _receipt_date(day_text, group, message_date, schedules[calendar].calendar)
    if isinstance(date, str):
        return date
    return group, calendar, date, counts[0], counts[1], tuple(skipped)


def _skipped(item: str) -> Skipped:
    match = SKIPPED_ITEM.match(item.strip())
    assert match is not None  # the pattern matches any text
    return Skipped(match.group(1).strip(), (match.group(2) or "").strip())


def _receipt_date(day_text: str, group: RosterGroup, message_date: dt.date | None,
                  calendar: Calendar) -> dt.date | str:
    if (iso := ISO_DAY.match(day_text)) is not None:
        return _date(*iso.groups()) or f"日期“{day_text}”不存在"
    if (month_day := MONTH_DAY.match(day_text)) is not None:
        if message_date is None:
            return "回报上面没有带日期的消息时间，看不出是哪一年"
        month, day = int(month_day.group(1)), int(month_day.group(2))
        # the year closest to the message: a 12月31日 receipt sent on 1 January is last year's
        candidates = [_date(str(year), str(month), str(day)) for year in
                      (message_date.year - 1, message_date.year, message_date.year + 1)]
        valid = [date for date in candidates if date is not None]
        if not valid:
            return f"日期“{day_text}”不存在"
        return min(valid, key=lambda date: abs((date - message_date).days))
    if (day_n := DAY_N.match(day_text)) is not None and not calendar.is_dated and group.group.start:
        return group.group.start + dt.timedelta(days=int(day_n.group(1)) - 1)
    if message_date is None:
        return "看不出是哪一天：回报里没有日期，上面也没有带日期的消息时间"
    return message_date


def due_on(schedule: CalendarSchedule, group: RosterGroup, date: dt.date,
           busy: set[dt.date | int] | None = None) -> bool:
    """Whether the group has anything to send from this calendar on this date (`busy`: the
    calendar's dates, or day numbers, that have slots, when the caller has them)."""
    if schedule.calendar.id not in group.calendars:
        return False
    if busy is None:
        busy = busy_days(schedule)
    if schedule.calendar.is_dated:
        return date in busy
    return group.group.start is not None and (date - group.group.start).days + 1 in busy


def busy_days(schedule: CalendarSchedule) -> set[dt.date | int]:
    return {(day.date if day.date is not None else day.number) for day in schedule.days if day.slots}


def _by_day(found: list[Receipt], groups: list[RosterGroup], schedules: dict[str, CalendarSchedule],
            only: dt.date | None) -> list[DayReport]:
    latest: dict[tuple[dt.date, str, str], Receipt] = {}
    for receipt in found:  # a group that sends its receipt again: the later one counts
        latest[(receipt.date, receipt.calendar, receipt.group.group.id)] = receipt
    dates = sorted({receipt.date for receipt in found} | ({only} if only else set()))
    busy = {calendar_id: busy_days(schedule) for calendar_id, schedule in schedules.items()}
    by_day: dict[tuple[dt.date, str], list[Receipt]] = {}
    for (date, calendar_id, _group), receipt in latest.items():
        by_day.setdefault((date, calendar_id), []).append(receipt)
    days: list[DayReport] = []
    for date in dates:
        for calendar_id, schedule in sorted(schedules.items()):
            receipts = tuple(sorted(by_day.get((date, calendar_id), ()), key=lambda r: r.group.group.id))
            sent = {receipt.group.group.id for receipt in receipts}
            silent = tuple(entry for entry in groups
                           if entry.group.id not in sent and due_on(schedule, entry, date, busy[calendar_id]))
            if receipts or silent:
                days.append(DayReport(date, calendar_id, schedule.calendar.name, receipts, silent))
    return days


CSV_HEADER = ("日期", "排期", "群编号", "群名", "状态", "已发", "应发", "未发", "行号")


def csv_rows(report: ReceiptsReport) -> list[tuple[str, ...]]:
    """One row per group and day, then one per line that could not be used (状态 says why)."""
    rows: list[tuple[str, ...]] = []
    for day in report.days:
        for receipt in day.receipts:
            status = "已发" if receipt.sent >= receipt.due and not receipt.skipped else "部分未发"
            rows.append((day.date.isoformat(), day.calendar, receipt.group.group.id, receipt.group.group.name,
                         status, str(receipt.sent), str(receipt.due), skipped_text(receipt.skipped),
                         str(receipt.line)))
        rows += [(day.date.isoformat(), day.calendar, entry.group.id, entry.group.name, "没有回报",
                  "", "", "", "") for entry in day.silent]
    rows += [("", "", "", "", "读不出", "", "", bad.reason, str(bad.line)) for bad in report.bad]
    return rows


def skipped_text(skipped: tuple[Skipped, ...]) -> str:
    return "；".join(f"{item.title}（{item.reason}）" if item.reason else item.title for item in skipped)
