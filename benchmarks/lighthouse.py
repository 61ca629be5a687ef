"""Lighthouse (mobile) on the built example: scores, bytes, and what costs each point.

    python benchmarks/lighthouse.py [--site DIR] [--runs N] [--page LABEL=URL ...] [--plain]
                                    [--json DIR] [--block URL-PATTERN ...]

Without --site it builds the example (the repository itself) with `qunsop build` into a
temporary project; with --site it measures that built folder. The site is served on
127.0.0.1 (gzip, max-age=600, like GitHub Pages; --plain serves it uncompressed) and
Lighthouse runs against each page `--runs` times (default 3) with Chromium at
/usr/bin/chromium (CHROME_PATH), headless, mobile form factor, simulated throttling (the
defaults of `lighthouse`), nothing phoning home. Default pages: the SOP home, a tier,
a game and an escalation page, a dated pack day and that calendar's today/.

Lighthouse itself comes from npm, pinned, installed on first use into
benchmarks/.node/ (ignored by git):

    npm install --prefix benchmarks/.node lighthouse@12.8.2

(or set LIGHTHOUSE=/path/to/lighthouse; `npx --yes lighthouse@12.8.2` works as well).
Lighthouse 12.8 is the last line that runs on Node 20 (13.x needs Node 22.19).

Printed per page: median performance / accessibility / best-practices scores with every
run's values, transferred bytes (all, and before images) and requests; for each category
below 1.00 the audits that cost points: for performance the metrics with their values,
weights and the points each loses, then the opportunities and diagnostics that explain
them; for the others every failing audit with its items (selector, snippet, URL,
explanation). The failing audits come from the run with the median performance score.
--block passes Lighthouse's --blocked-url-patterns: a what-if, e.g. `--block '*search_index.json'`
shows a page as it would score if the search index were not fetched on every view.
Budgets: SOP pages performance ≥ 0.98 and accessibility 1.00 (issue 16); pack pages
performance, accessibility and best practices 1.00 (issue 12).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import harness  # noqa: E402

LIGHTHOUSE_VERSION = "12.8.2"
NODE_DIR = HERE / ".node"
CATEGORIES = ("performance", "accessibility", "best-practices")
SHORT = {"performance": "perf", "accessibility": "a11y", "best-practices": "bp"}
BUDGETS = {"sop": {"performance": 0.98, "accessibility": 1.0},
           "pack": {"performance": 1.0, "accessibility": 1.0, "best-practices": 1.0}}


def lighthouse_command() -> list[str]:
    if os.environ.get("LIGHTHOUSE"):
        return [os.environ["LIGHTHOUSE"]]
    binary = NODE_DIR / "node_modules" / ".bin" / "lighthouse"
    if not binary.exists():
        print(f"installing lighthouse@{LIGHTHOUSE_VERSION} into {NODE_DIR} …", file=sys.stderr, flush=True)
        NODE_DIR.mkdir(parents=True, exist_ok=True)
        subprocess.run(["npm", "install", "--prefix", str(NODE_DIR), f"lighthouse@{LIGHTHOUSE_VERSION}",
                        "--no-audit", "--no-fund", "--loglevel=error"], check=True)
    return [str(binary)]


def run_lighthouse(url: str, out: Path, blocked: tuple[str, ...] = ()) -> dict[str, Any]:
    command = [
        *lighthouse_command(), url, "--quiet", "--output=json", f"--output-path={out}",
        *(f"--blocked-url-patterns={pattern}" for pattern in blocked),
        "--form-factor=mobile", "--only-categories=" + ",".join(CATEGORIES),
        "--no-enable-error-reporting", "--max-wait-for-load=60000", "--disable-full-page-screenshot",
        "--chrome-flags=" + " ".join(harness.CHROME_FLAGS),
    ]
    env = {**os.environ, "CHROME_PATH": harness.CHROMIUM}
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if not out.is_file():
        raise SystemExit(f"lighthouse failed on {url}:\n{done.stderr[-3000:]}")
    report = json.loads(out.read_text(encoding="utf-8"))
    if report.get("runtimeError"):
        raise SystemExit(f"lighthouse could not load {url}: {report['runtimeError']}")
    return report


def scores(report: dict[str, Any]) -> dict[str, float]:
    return {name: report["categories"][name]["score"] for name in CATEGORIES}


def network_bytes(report: dict[str, Any]) -> tuple[int, int, int]:
    """(transferred bytes, transferred before images, requests) of the page load."""
    items = report["audits"]["network-requests"]["details"]["items"]
    total = sum(item.get("transferSize", 0) for item in items)
    before_images = sum(item.get("transferSize", 0) for item in items
                        if item.get("resourceType") != "Image")
    return total, before_images, len(items)


def describe_item(item: dict[str, Any]) -> str:
    """One row of an audit's details, the fields that say what and where."""
    parts = []
    node = item.get("node") if isinstance(item.get("node"), dict) else None
    if node:
        parts.append(node.get("selector") or "")
        if node.get("snippet"):
            parts.append(node["snippet"][:160])
        if node.get("nodeLabel") and not node.get("explanation"):
            parts.append(f"“{node['nodeLabel'][:60]}”")
        if node.get("explanation"):
            parts.append(node["explanation"].replace("\n", " ")[:300])
    for key in ("url", "source", "description", "label", "groupLabel", "phase", "value", "totalBytes",
                "wastedBytes", "wastedMs", "transferSize", "startTime", "duration", "total", "scripting",
                "scriptParseCompile", "timing", "percent", "score", "issueType"):
        value = item.get(key)
        if value in (None, "", {}):
            continue
        if isinstance(value, dict):
            value = value.get("url") or value.get("value") or json.dumps(value, ensure_ascii=False)[:120]
        if isinstance(value, float):
            value = f"{value:.0f}" if value > 10 else f"{value:.3f}"
        parts.append(f"{key}={value}")
    sub = item.get("subItems", {}).get("items") if isinstance(item.get("subItems"), dict) else None
    if sub:
        parts.append("; ".join(describe_item(s) for s in sub[:3]))
    return "  ".join(str(part) for part in parts if part)


def flat_items(audit: dict[str, Any]) -> list[dict[str, Any]]:
    """An audit's table rows; list details (LCP element + phases) flattened."""
    details = audit.get("details", {})
    if details.get("type") == "list":
        return [row for part in details.get("items", []) for row in part.get("items", [])
                if isinstance(row, dict)]
    return [row for row in details.get("items", []) if isinstance(row, dict)]


def failing(report: dict[str, Any], category: str, limit: int = 8) -> list[str]:
    """The audits of a category that cost points (or explain lost performance points)."""
    audits = report["audits"]
    lines = []
    refs = report["categories"][category]["auditRefs"]
    if category == "performance":
        weighted = [ref for ref in refs if ref.get("weight")]
        total_weight = sum(ref["weight"] for ref in weighted)
        for ref in weighted:
            audit = audits[ref["id"]]
            lost = ref["weight"] / total_weight * (1 - (audit.get("score") or 0))
            lines.append(f"    metric {ref['id']}: {audit.get('displayValue', '')}  score "
                         f"{audit.get('score')}  weight {ref['weight']}  points lost {lost * 100:.1f}")
        metric_scores = {ref["id"]: audits[ref["id"]].get("score") or 0 for ref in weighted}
        # the breakdowns that explain a metric below 1, shown whatever their own score
        explain = {"total-blocking-time": ("long-tasks", "bootup-time", "mainthread-work-breakdown"),
                   "largest-contentful-paint": ("largest-contentful-paint-element",),
                   "cumulative-layout-shift": ("layout-shifts",)}
        shown = set()
        for metric, ids in explain.items():
            if metric_scores.get(metric, 1) >= 1:
                continue
            for audit_id in ids:
                audit = audits.get(audit_id)
                if not audit:
                    continue
                shown.add(audit_id)
                lines.append(f"    {audit_id} (explains {metric}): {audit.get('displayValue', '')}")
                lines += [f"        {describe_item(item)}" for item in flat_items(audit)[:limit]]
        for ref in refs:
            audit = audits[ref["id"]]
            if ref.get("weight") or ref["id"] in shown or ref.get("group") == "hidden" \
                    or audit.get("scoreDisplayMode") in (
                    "notApplicable", "informative", "manual", "error") or audit.get("score") is None:
                continue
            if audit["score"] >= 0.9 and not audit.get("details", {}).get("overallSavingsMs"):
                continue
            savings = audit.get("details", {}).get("overallSavingsMs") or audit.get("metricSavings")
            lines.append(f"    {ref['id']} (score {audit['score']}): {audit.get('title')}"
                         f" — {audit.get('displayValue', '')}"
                         + (f"  savings {savings}" if savings else ""))
            lines += [f"        {describe_item(item)}"
                      for item in audit.get("details", {}).get("items", [])[:limit]
                      if isinstance(item, dict)]
        return lines
    for ref in refs:
        audit = audits[ref["id"]]
        if not ref.get("weight") or audit.get("score") is None or audit["score"] >= 1:
            continue
        lines.append(f"    {ref['id']} (weight {ref['weight']}): {audit.get('title')}"
                     f" {audit.get('displayValue', '')}")
        items = audit.get("details", {}).get("items", [])
        lines += [f"        {describe_item(item)}" for item in items[:limit] if isinstance(item, dict)]
        if len(items) > limit:
            lines.append(f"        … {len(items) - limit} more")
    return lines


def default_pages(site: Path) -> list[tuple[str, str]]:
    return harness.sop_pages(site) + harness.pack_pages(site)


def build_example(workdir: Path) -> Path:
    from scale import write_project

    root = workdir / "project-S"
    write_project("S", root)
    # dates in the output as `qunsop build .` in the repository has them: the last commit's
    epoch = subprocess.run(["git", "log", "-1", "--format=%ct"], cwd=HERE.parent, capture_output=True,
                           text=True, check=False).stdout.strip()
    env = {**os.environ, "QUNSOP_CACHE_DIR": str(workdir / "cache"), "NO_MKDOCS_2_WARNING": "1",
           **({"SOURCE_DATE_EPOCH": epoch} if epoch.isdigit() else {})}
    print("building the example …", file=sys.stderr, flush=True)
    subprocess.run([sys.executable, "-m", "qunsop", "build", str(root)], env=env, check=True,
                   stdout=subprocess.DEVNULL, cwd=HERE.parent)
    return root / "site"


def main() -> None:
    args = sys.argv[1:]
    runs = int(args[args.index("--runs") + 1]) if "--runs" in args else 3
    keep_json = Path(args[args.index("--json") + 1]) if "--json" in args else None
    blocked = [args[i + 1] for i, arg in enumerate(args) if arg == "--block"]
    workdir = Path(tempfile.mkdtemp(prefix="qunsop-lighthouse-"))
    try:
        site = Path(args[args.index("--site") + 1]) if "--site" in args else build_example(workdir)
        pages = [tuple(args[i + 1].split("=", 1)) for i, arg in enumerate(args) if arg == "--page"] \
            or default_pages(site)
        lighthouse_command()
        version = subprocess.run([*lighthouse_command(), "--version"], capture_output=True, text=True,
                                 check=False).stdout.strip()
        print(f"Lighthouse {version}, mobile, simulated throttling, {runs} runs per page, "
              f"{'plain' if '--plain' in args else 'gzip'} server on 127.0.0.1"
              + (f"; what-if: requests blocked: {', '.join(blocked)}" if blocked else ""))
        print(f"Machine: {harness.machine()}\n")
        summary = ["| page | perf | a11y | bp | budget | transferred (before images) | requests |",
                   "|---|---|---|---|---|---|---|"]
        details = []
        with harness.serve(site, compress="--plain" not in args) as (base, _log):
            for label, page in pages:
                reports = []
                for run in range(runs):
                    out = workdir / f"{label.replace(' ', '-')}-{run}.json"
                    print(f"  {label} run {run + 1} …", file=sys.stderr, flush=True)
                    reports.append(run_lighthouse(base + page, out, tuple(blocked)))
                    if keep_json:
                        keep_json.mkdir(parents=True, exist_ok=True)
                        shutil.copy(out, keep_json / out.name)
                ordered = sorted(reports, key=lambda r: scores(r)["performance"])
                middle = ordered[len(ordered) // 2]
                medians = {name: harness.median([scores(r)[name] for r in reports]) for name in CATEGORIES}
                budget = BUDGETS["pack" if label.startswith("pack") else "sop"]
                missed = [f"{SHORT[name]} {medians[name]:.2f} < {limit:.2f}"
                          for name, limit in budget.items() if medians[name] < limit]
                total, before_images, requests = network_bytes(middle)
                summary.append(
                    f"| {label} `/{page}` | " + " | ".join(
                        f"{medians[name]:.2f} ({' '.join(f'{scores(r)[name]:.2f}' for r in reports)})"
                        for name in CATEGORIES)
                    + f" | {'met' if not missed else '**missed**: ' + ', '.join(missed)} "
                    f"| {total / 1024:.0f} KB ({before_images / 1024:.0f} KB) | {requests} |")
                details.append(f"\n{label} /{page}: perf {medians['performance']:.2f}, a11y "
                               f"{medians['accessibility']:.2f}, bp {medians['best-practices']:.2f}; "
                               f"benchmarkIndex {middle['environment'].get('benchmarkIndex')}")
                for name in CATEGORIES:
                    if scores(middle)[name] < 1:
                        details.append(f"  {name} {scores(middle)[name]:.2f} (median run):")
                        details += failing(middle, name)
                    elif scores(ordered[0])[name] < 1 and name == "performance":
                        details.append(f"  {name} {scores(ordered[0])[name]:.2f} (worst run; median 1.00):")
                        details += failing(ordered[0], name)
        print("\n".join(summary))
        print("\n".join(details))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
