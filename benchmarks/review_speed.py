"""How long the weekly review takes on a large roster, and how heavy its pages are.

    python benchmarks/review_speed.py [--groups 1000] [--days 90] [--repeat 3]

Builds a copy of the example project with a roster of --groups store groups (rows of
the example's groups.csv, then its store rows repeated under new ids and names) and
data/ holding --days days of statistics for each (one 企业微信-shaped CSV, UTF-8 with
BOM) plus a chat export with receipts. Then, in this process (medians of --repeat):

- read: data/ read and joined to the roster (every row checked);
- review: every week, tier and tag computed;
- written: every review page planned and rendered as the site's Markdown, written to
  a folder (the engine then turns them into HTML with the rest of the site);
- as plain HTML: the same pages as `review.publish: folder` writes them (Python-Markdown
  in this process), timed apart.

Checking the project's sources (what every command does first) is timed apart. Also
prints the gzip size of the largest review page and times `qunsop review` end to end.
Budget (issue 24): groups x days read and the review written in <= 10 s; a review page
<= 150 KB gzip.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import gzip
import io
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from generator.clock import Clock  # noqa: E402
from generator.links import Links  # noqa: E402
from generator.metrics import read_metrics  # noqa: E402
from generator.models import Playbook  # noqa: E402
from generator.pipeline import CheckOptions, check_project  # noqa: E402
from generator.render import get_env, render_page  # noqa: E402
from generator.review import Reviewer  # noqa: E402
from generator.review_pages import review_pages  # noqa: E402
from generator.review_site import review_files  # noqa: E402
from generator.roster import roster_groups  # noqa: E402
from generator.write import claim, sync_tree  # noqa: E402

BUDGET_SECONDS = 10.0
BUDGET_PAGE_KB = 150
TODAY = dt.date(2026, 12, 7)


def make_project(target: Path, groups: int, days: int) -> None:
    for name in ("playbooks", "content_library"):
        shutil.copytree(REPO / name, target / name, ignore=shutil.ignore_patterns("*.py"))
    for name in ("mkdocs.yml", "qunsop.yaml"):
        shutil.copy(REPO / name, target / name)
    roster = target / "playbooks/truck-tyres/groups.csv"
    rows = list(csv.reader(io.StringIO(roster.read_text(encoding="utf-8-sig"))))
    header, body = rows[0], rows[1:]
    stores = [row for row in body if row[2] == "c-store" and row[4] and row[4] <= "2026-09-01"]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    names = [(row[0], row[1]) for row in body]  # the example's own groups stay (an incident names one)
    writer.writerows(body)
    for number in range(groups - len(body)):
        row = list(stores[number % len(stores)])
        row[0], row[1] = f"store-{number:04d}", f"{row[1]}{number:04d}"
        names.append((row[0], row[1]))
        writer.writerow(row)
    roster.write_text(out.getvalue(), encoding="utf-8")
    rng = random.Random(24)
    first = TODAY - dt.timedelta(days=days)
    data = target / "data"
    data.mkdir()
    lines = ["统计日期,客户群名称,群主,群总人数,新增群成员数,退群成员数,发言成员数,群聊消息总数"]
    receipts = []
    for offset in range(days):
        day = first + dt.timedelta(days=offset)
        receipts.append(f"—— {day.year}年{day.month}月{day.day}日 ——")
        for group_id, name in names:
            members = rng.randint(60, 220)
            speakers = 0 if rng.random() < 0.02 else rng.randint(1, members // 6)
            lines.append(f"{day.year}/{day.month}/{day.day},{name},店主,{members},{rng.randint(0, 5)},"
                         f"{rng.randint(0, 12)},{speakers},{speakers * 3}")
            if offset >= days - 14 and rng.random() < 0.9:
                receipts.append(f"【已发回报】{name}（{group_id}） · c-store-daily · {day.isoformat()} · "
                                "6/6 条已发")
    (data / "stats.csv").write_bytes(("\ufeff" + "\n".join(lines) + "\n").encode("utf-8"))
    (data / "receipts.txt").write_text("\n".join(receipts) + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--groups", type=int, default=1000)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch) / "project"
        root.mkdir()
        make_project(root, args.groups, args.days)
        began = time.perf_counter()
        checked = check_project(root, CheckOptions(Clock.on(TODAY)), lint=False)
        check_seconds = time.perf_counter() - began
        assert not [p for p in checked.problems if p.severity == "error"], checked.problems[:3]
        groups = roster_groups(checked.project)
        settings = checked.project.settings.review
        timings: dict[str, list[float]] = {"read": [], "review": [], "written": [], "html": [], "total": [],
                                          "cpu": []}
        largest = (0, "")
        pages = rows = 0
        for _ in range(args.repeat):
            start, cpu_start = time.perf_counter(), time.process_time()
            metrics = read_metrics(root, groups, settings.columns, checked.schedules)
            read = time.perf_counter()
            reviewer = Reviewer(checked.project, groups, metrics, checked.schedules, settings)
            playbooks = checked.project.of(Playbook).models()
            pages_planned = review_pages(reviewer, playbooks, Links(checked.project))
            reviewed = time.perf_counter()
            env = get_env()
            docs = [(page.path, render_page(env, page.template, page.path, page.model).encode())
                    for page in pages_planned]
            folder = root / "review-docs"
            claim(folder, root, "复盘目录")
            sync_tree(folder, docs)
            written, cpu_written = time.perf_counter(), time.process_time()
            files = review_files(reviewer, checked, "https://sop.example.com/")
            folder = root / "review-site"
            claim(folder, root, "复盘目录")
            sync_tree(folder, files)
            as_html = time.perf_counter()
            timings["read"].append(read - start)
            timings["review"].append(reviewed - read)
            timings["written"].append(written - reviewed)
            timings["html"].append(as_html - written)
            timings["total"].append(written - start)
            timings["cpu"].append(cpu_written - cpu_start)
            pages, rows = len(files), metrics.rows
            largest = max((len(gzip.compress(data)), path) for path, data in files)
        env = {**os.environ, "SOURCE_DATE_EPOCH": "1796601600", "COLUMNS": "120"}
        began = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "qunsop", "review", str(root)], capture_output=True,
                              env=env, check=False)
        cli_seconds = time.perf_counter() - began
    total = statistics.median(timings["total"])
    print(f"{args.groups} groups x {args.days} days = {rows} rows; {pages} review pages")
    print(f"check sources (apart): {check_seconds:.2f} s")
    labels = {"read": "read data/ (rows checked, joined, receipts)",
              "review": "review (every week and scope)",
              "written": "written (the site's Markdown pages)",
              "html": "as plain HTML (review.publish: folder), apart"}
    for name, label in labels.items():
        print(f"{label:48s} {statistics.median(timings[name]):6.2f} s")
    verdict = "met" if total <= BUDGET_SECONDS else "MISSED"
    print(f"read + review + written: {total:.2f} s wall, {statistics.median(timings['cpu']):.2f} s CPU "
          f"(budget {BUDGET_SECONDS:.0f} s: {verdict}; load average {os.getloadavg()[0]:.1f})")
    page_verdict = "met" if largest[0] <= BUDGET_PAGE_KB * 1024 else "MISSED"
    print(f"largest review page: {largest[0] / 1024:.1f} KB gzip ({largest[1]}; budget {BUDGET_PAGE_KB} KB: "
          f"{page_verdict})")
    print(f"`qunsop review` end to end: {cli_seconds:.2f} s (exit {done.returncode})")


if __name__ == "__main__":
    main()
