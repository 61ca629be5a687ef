"""A roster kept in a spreadsheet: `groups.csv` as Excel exports it, read into the same
data as `groups.yaml`, with every cell's row and column kept for messages.

The load stage only: it knows the column names, nothing about tiers or placeholders.
"""

from __future__ import annotations

import csv
import re
from typing import Any

# the fixed columns, in English or as a Chinese spreadsheet heads them
COLUMNS = {
    "id": "id", "群编号": "id",
    "name": "name", "群名": "name",
    "tier": "tier", "群层级": "tier",
    "calendars": "calendars", "排期": "calendars",
    "start": "start", "建群日期": "start",
    "sender": "sender", "谁来发": "sender",
}
# `标签:省份` is a tag, `内部:店主手机` is never published; any other column is a placeholder's value
TAG_PREFIXES = ("标签:", "标签：", "tag:")
PRIVATE_PREFIXES = ("内部:", "内部：", "private:")
LIST_SEPARATORS = re.compile(r"[\s,，、;；]+")
# Excel rewrites 2026-11-20 as 2026/11/20 (and drops leading zeros) when it saves a CSV
EXCEL_DATE = re.compile(r"^(\d{4})[/.](\d{1,2})[/.](\d{1,2})$")

Position = tuple[int, int]


class CsvProblem(Exception):
    def __init__(self, line: int, column: int, code: str, message: str) -> None:
        super().__init__(message)
        self.line, self.column, self.code, self.message = line, column, code, message


def column_role(head: str) -> tuple[str, str]:
    """(field, key) of a column: ("tier", ""), ("tags", "省份"), ("values", "门店名")…"""
    head = head.strip()
    if head in COLUMNS:
        return COLUMNS[head], ""
    for prefixes, field in ((TAG_PREFIXES, "tags"), (PRIVATE_PREFIXES, "private")):
        for prefix in prefixes:
            if head.lower().startswith(prefix):
                return field, head[len(prefix):].strip()
    return "values", head


def parse_roster_csv(text: str) -> tuple[dict[str, Any], dict[tuple[str | int, ...], Position],
                                         dict[tuple[str | int, ...], Position]]:
    """Rows of the CSV as {"groups": [...]}, with the keys' and values' (row, column) marks.

    Columns are counted from 1 as a spreadsheet counts them, rows as lines of the file."""
    reader = csv.reader(text.splitlines(keepends=True))
    keys: dict[tuple[str | int, ...], Position] = {}
    values: dict[tuple[str | int, ...], Position] = {(): (1, 1), ("groups",): (1, 1)}
    try:
        header = next(reader)
    except StopIteration:
        raise CsvProblem(1, 1, "empty-file", "文件是空的：第一行写列名（id,群名,群层级…），"
                                             "下面每行一个群") from None
    roles = [column_role(head) for head in header]
    seen: dict[tuple[str, str], int] = {}
    for number, (role, head) in enumerate(zip(roles, header, strict=True), start=1):
        if not head.strip():
            raise CsvProblem(1, number, "csv-header", f"第 {number} 列没有列名：请在第一行写上列名，"
                                                      "或删掉这一列")
        if role[0] != "values" and not role[1] and role[0] in ("tags", "private"):
            raise CsvProblem(1, number, "csv-header", f"列名“{head}”后面要写标签名，例如 标签:省份")
        if role in seen:
            raise CsvProblem(1, number, "csv-header",
                             f"列名“{head}”和第 {seen[role]} 列重复：请删掉一列")
        seen[role] = number
    if ("id", "") not in seen:
        raise CsvProblem(1, 1, "csv-header", "第一行要有 id（或 群编号）这一列：每个群一个编号，"
                                             "例如 baoding-01")
    groups: list[dict[str, Any]] = []
    last = reader.line_num
    first_line = last + 1
    try:
        for row in reader:
            first_line, last = last + 1, reader.line_num
            if not any(cell.strip() for cell in row):
                continue  # a blank line, or a row Excel left with only commas
            if len(row) > len(header):
                raise CsvProblem(first_line, len(header) + 1, "csv-row",
                                 f"这一行有 {len(row)} 格，比列名多 {len(row) - len(header)} 格："
                                 "多半是某一格里有英文逗号，请给那一格加英文双引号，或改用中文逗号")
            index = len(groups)
            group: dict[str, Any] = {}
            values[("groups", index)] = (first_line, 1)
            for column, ((field, key), cell) in enumerate(zip(roles, row, strict=False), start=1):
                cell = cell.strip()
                if not cell:
                    continue
                at = (first_line, column)
                if field in ("tags", "private", "values"):
                    group.setdefault(field, {})[key] = cell
                    keys.setdefault(("groups", index, field), at)
                    values.setdefault(("groups", index, field), at)
                    keys[("groups", index, field, key)] = values[("groups", index, field, key)] = at
                    continue
                if field == "calendars":
                    group[field] = [part for part in LIST_SEPARATORS.split(cell) if part]
                    for number, _part in enumerate(group[field]):
                        values[("groups", index, field, number)] = at
                elif field == "start":
                    excel = EXCEL_DATE.match(cell)
                    group[field] = (f"{excel.group(1)}-{int(excel.group(2)):02d}-{int(excel.group(3)):02d}"
                                    if excel else cell)
                else:
                    group[field] = cell
                keys[("groups", index, field)] = values[("groups", index, field)] = at
            groups.append(group)
    except csv.Error as error:
        raise CsvProblem(first_line, 1, "csv-row",
                         f"这一行读不出来（{error}）：请检查英文双引号是否成对") from None
    return {"groups": groups}, keys, values
