"""How long `qunsop receipts` takes on a long, noisy chat export.

    python benchmarks/receipts_speed.py [--lines 50000] [--repeat 3]

Writes a chat export of --lines lines against the example's roster (a copy of the
example project, dated 2026-12-07): message headers, chatter, pictures, receipts of
every group for a month (some with skipped items, some malformed, some from groups not
in the roster), then times the real command in a child process (medians of --repeat)
and, in this process, the parse alone. Budget (issue 23): 50,000 lines in <= 2 s.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BUDGET_SECONDS = 2.0
CHATTER = ["早上好各位老板", "收到", "[图片]", "[视频]", "今天的发完了 👍",
           "@群助理小林 防冻液什么时候到货？", "好的", "下午有个司机来换胎，说是群里看到的", "[动画表情]",
           "这个月PK我们省加油！", "明天降温，提醒司机查胎压"]
SKIPS = " · 未发：冬季防冻液团购（没货）；晚间小游戏（要出车）"


def write_export(target: Path, lines: int) -> None:
    rows = list(csv.DictReader((REPO / "playbooks/truck-tyres/groups.csv").read_text(encoding="utf-8-sig")
                               .splitlines()))
    stores = [row for row in rows if row["群层级"] == "c-store"]
    rng = random.Random(23)
    out: list[str] = []
    day = dt.date(2026, 12, 1)
    while len(out) < lines:
        out.append(f"—— {day.year}年{day.month}月{day.day}日 ——")
        for minute in range(0, 600, 3):
            if len(out) >= lines:
                break
            stamp = f"{day.isoformat()} {8 + minute // 60:02d}:{minute % 60:02d}"
            row = rng.choice(stores)
            out.append(f"{row['店主称呼']} {stamp}")
            roll = rng.random()
            if roll < 0.15:
                skipped = SKIPS if rng.random() < 0.3 else ""
                out.append(f"【已发回报】{row['群名']}（{row['id']}） · 门店车友群 冬季每日推送 · "
                           f"{day.month}月{day.day}日 · {4 if skipped else 6}/6 条已发{skipped}")
            elif roll < 0.16:
                out.append(f"【已发回报】{row['群名']} · 门店车友群 冬季每日推送")  # malformed
            elif roll < 0.17:
                out.append("【已发回报】唐山丰润车友群（tangshan-01） · 门店车友群 冬季每日推送 · 6/6 条已发")
            else:
                out.append(rng.choice(CHATTER))
        day += dt.timedelta(days=1)
    target.write_text("\n".join(out[:lines]) + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="qunsop-receipts-") as folder:
        project = Path(folder) / "project"
        shutil.copytree(REPO, project, ignore=shutil.ignore_patterns(
            ".venv", ".git", "site", "build", "benchmarks", "tests", "*.egg-info", "__pycache__"))
        export = Path(folder) / "export.txt"
        write_export(export, args.lines)
        env_command = [sys.executable, "-m", "qunsop", "receipts", str(export), str(project),
                       "--format", "csv"]
        env = {**os.environ, "SOURCE_DATE_EPOCH": "1796601600"}
        subprocess.run(env_command, capture_output=True, check=False, env=env)  # warms the parse cache
        walls, cpus = [], []
        for _ in range(args.repeat):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            started = time.perf_counter()
            done = subprocess.run(env_command, capture_output=True, text=True, env=env)
            walls.append(time.perf_counter() - started)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
        assert done.returncode == 0, done.stderr
        rows = done.stdout.count("\n") - 1

        from qunsop.clock import Clock
        from qunsop.pipeline import CheckOptions, check_project
        from qunsop.receipts import read_export, read_receipts
        from qunsop.roster import roster_groups

        checked = check_project(project, CheckOptions(Clock.on(dt.date(2026, 12, 7))), lint=False)
        groups = roster_groups(checked.project)
        parses = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            report = read_receipts(read_export(export), groups, checked.schedules)
            parses.append(time.perf_counter() - started)
    wall = statistics.median(walls)
    print(f"| `qunsop receipts` on {args.lines:,} lines (whole command) | {wall:.2f} s "
          f"({min(walls):.2f}–{max(walls):.2f}) | ≤ {BUDGET_SECONDS:.0f} s | "
          f"{'met' if wall <= BUDGET_SECONDS else 'MISSED'} |")
    print(f"| the same, CPU time (user + system; what a machine to itself would take) | "
          f"{statistics.median(cpus):.2f} s | ≤ {BUDGET_SECONDS:.0f} s | "
          f"{'met' if statistics.median(cpus) <= BUDGET_SECONDS else 'MISSED'} |")
    print(f"| reading the export alone (in-process) | {statistics.median(parses):.2f} s | | "
          f"{sum(len(day.receipts) for day in report.days)} receipts, {len(report.bad)} lines listed, "
          f"{rows} CSV rows |")


if __name__ == "__main__":
    main()
