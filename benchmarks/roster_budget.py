"""Issue 23's budgets for a large roster, printed as a Markdown table.

    python benchmarks/roster_budget.py [--size M] [--groups 1000] [--repeat 3]

Writes the size's project with benchmarks/scale.py twice: without a roster, and with a
groups.csv of --groups store groups (the example's 35, then synthetic stores of the
example's tiers across 31 provinces, a third of them on the 14-day calendar with their
own start dates). Each is built with `qunsop build` in a child process, interleaved,
--repeat times with the parse cache warm and site/ and build/ removed (medians), then:

  - build time with the roster ÷ without it (budget <= 1.2);
  - the largest group link page before images (budget <= 30 KB);
  - the operators' link page, gzip (budget <= 150 KB).
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from scale import write_project  # noqa: E402

SOURCE_DATE_EPOCH = "1795392000"
PROVINCES = ["河北", "山东", "河南", "山西", "陕西", "辽宁", "吉林", "黑龙江", "内蒙古", "北京", "天津",
             "宁夏", "甘肃", "青海", "新疆", "江苏", "安徽", "湖北", "广东", "广西", "福建", "浙江",
             "江西", "湖南", "四川", "重庆", "贵州", "云南", "海南", "上海", "西藏"]
NORTH = set(PROVINCES[:15])
ROSTER = "playbooks/truck-tyres/groups.csv"
INCIDENT = "playbooks/truck-tyres/incidents/incident-2026-12-bulge-complaint.yaml"


def write_roster(project: Path, count: int) -> None:
    path = project / ROSTER
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    head = list(rows[0])
    for number in range(len(rows), count):
        province = PROVINCES[number % len(PROVINCES)]
        row = dict.fromkeys(head, "")
        row.update({"id": f"store-{number:04d}", "群名": f"{province}{number:04d}号店车友群",
                    "群层级": "c-store",
                    "建群日期": f"2026-{10 + number % 3}-{1 + number % 28:02d}", "谁来发": "店主",
                    "门店名": f"{province}路安{number:04d}号店", "店主称呼": "老板",
                    "门店电话": f"0{300 + number % 600} 555 {number:04d}",
                    "门店地址": f"{province}某市物流园 {number} 号", "活动截止日": "1 月 5 日",
                    "标签:省份": province, "标签:区域": "北方" if province in NORTH else "南方",
                    "标签:门店类型": ("轮胎店", "修理厂", "快修店")[number % 3],
                    "内部:店主手机": f"139 {number:08d}", "内部:备注": f"仅内部备注{number}"})
        rows.append(row)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, head, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8-sig")


def build(project: Path, cache: Path) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the build and every process it waited for)."""
    for name in ("site", "build"):
        shutil.rmtree(project / name, ignore_errors=True)
    env = {**os.environ, "SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH, "QUNSOP_CACHE_DIR": str(cache)}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "qunsop", "build", str(project)], capture_output=True,
                          text=True, env=env)
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        sys.exit(done.stdout + done.stderr)
    return elapsed, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", default="M", choices=["S", "M", "L"])
    parser.add_argument("--groups", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="qunsop-roster-") as folder:
        without, with_roster = Path(folder) / "without", Path(folder) / "with"
        write_project(args.size, without)
        (without / ROSTER).unlink()
        incident = without / INCIDENT  # as before the roster: the whole tier
        text = incident.read_text(encoding="utf-8")
        incident.write_text(text.replace("groups: [baoding-01]", "tiers: [c-store]"), encoding="utf-8")
        write_project(args.size, with_roster)
        write_roster(with_roster, args.groups)
        caches = {name: Path(folder) / f"cache-{name}" for name in ("without", "with")}
        build(without, caches["without"])  # warm each parse cache once
        build(with_roster, caches["with"])
        times: dict[str, list[float]] = {"without": [], "with": []}
        cpu: dict[str, list[float]] = {"without": [], "with": []}
        for _ in range(args.repeat):
            for name, project in (("without", without), ("with", with_roster)):
                wall, used = build(project, caches[name])
                times[name].append(wall)
                cpu[name].append(used)
        site = with_roster / "site" / "packs" / "groups"
        pages = sorted(site.glob("*/index.html"))
        largest = max(page.stat().st_size for page in pages)
        listing = (site / "index.html").read_bytes()
        private = sum(b"\xe4\xbb\x85\xe5\x86\x85\xe9\x83\xa8\xe5\xa4\x87\xe6\xb3\xa8" in path.read_bytes()
                      for path in (with_roster / "site").rglob("*") if path.is_file())  # 仅内部备注
    base, roster = statistics.median(times["without"]), statistics.median(times["with"])
    ratio = roster / base

    def verdict(ok: bool) -> str:
        return "met" if ok else "MISSED"

    print(f"| figure ({args.size}, {len(pages)} groups, median of {args.repeat}) | measured | budget | |")
    print("|---|---|---|---|")
    low, high = min(times["without"]), max(times["without"])
    print(f"| build without a roster | {base:.1f} s ({low:.1f}–{high:.1f}) | | |")
    print(f"| build with the roster | {roster:.1f} s ({min(times['with']):.1f}–{max(times['with']):.1f}) "
          f"| ≤ {1.2 * base:.1f} s | {verdict(ratio <= 1.2)} ({ratio:.2f}×) |")
    cpu_base, cpu_roster = statistics.median(cpu["without"]), statistics.median(cpu["with"])
    print(f"| CPU time (user + system, build and its processes) | {cpu_base:.1f} s → {cpu_roster:.1f} s "
          f"| ≤ 1.2× | {verdict(cpu_roster <= 1.2 * cpu_base)} ({cpu_roster / cpu_base:.2f}×) |")
    print(f"| largest group link page, before images | {largest / 1024:.1f} KB | ≤ 30 KB | "
          f"{verdict(largest <= 30 * 1024)} |")
    packed = len(gzip.compress(listing))
    print(f"| operators' link page, gzip | {packed / 1024:.1f} KB ({len(listing) / 1024:.0f} KB raw) "
          f"| ≤ 150 KB | {verdict(packed <= 150 * 1024)} |")
    print(f"| HTML pages holding a private column's value | {private} | 0 | {verdict(private == 0)} |")


if __name__ == "__main__":
    main()
