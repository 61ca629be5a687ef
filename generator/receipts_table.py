"""Print a receipts report: rich tables on the terminal, or CSV for a spreadsheet."""

from __future__ import annotations

import csv
import sys

from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from .receipts import CSV_HEADER, ReceiptsReport, csv_rows, skipped_text


def print_report(report: ReceiptsReport, console: Console | None = None) -> None:
    console = console or Console()
    if not report.days:
        console.print(f"读了 {report.lines} 行，没有找到能对上群名单的回报。")
    for day in report.days:
        done = sum(1 for receipt in day.receipts if receipt.sent >= receipt.due and not receipt.skipped)
        console.rule(f"{day.date.isoformat()}  {day.calendar_name}（{day.calendar}）")
        table = Table(box=box.SIMPLE_HEAD, pad_edge=False,
                      caption=f"回报 {len(day.receipts)} 个群（全部发完 {done} 个），"
                              f"没有回报 {len(day.silent)} 个群",
                      caption_justify="left")
        for column in ("群编号", "群名", "状态", "已发", "未发的内容（原因）", "行号"):
            table.add_column(column, overflow="fold", no_wrap=column in ("群编号", "状态"),
                             justify="right" if column in ("已发", "行号") else "left")
        for receipt in day.receipts:
            status = "已发" if receipt.sent >= receipt.due and not receipt.skipped else "部分未发"
            table.add_row(receipt.group.group.id, escape(receipt.group.group.name), status,
                          f"{receipt.sent}/{receipt.due}", escape(skipped_text(receipt.skipped)),
                          str(receipt.line))
        for entry in day.silent:
            table.add_row(entry.group.id, escape(entry.group.name), "[bold red]没有回报[/]", "", "", "")
        console.print(table)
    if report.bad:
        console.rule(f"读不出或对不上的回报：{len(report.bad)} 行")
        for bad in report.bad:
            console.print(f"第 {bad.line} 行：{bad.reason}", overflow="fold")
            console.print(f"    {bad.text}", overflow="fold", markup=False)


def print_csv(report: ReceiptsReport) -> None:
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    writer.writerows(csv_rows(report))
