"""Search latency in real headless Chromium: time from typing a query to the first result.

    python benchmarks/search_latency.py [S L] [--runs N] [--query Q ...] [--site SIZE=DIR ...]
                                        [--keep DIR] [--plain]

For each size (default S and L) it builds the project of benchmarks/scale.py with
`qunsop build` (or takes an already built site folder: --site L=/path/to/site), serves
it on 127.0.0.1 (gzip, like a production host; --plain serves it uncompressed), opens
the SOP home in Chromium (1280×900, where Material's search box is in the header) and
for each query, `--runs` times (default 5), each time in a fresh first visit (HTTP
cache and storage cleared):

  immediate  the query is typed as soon as the page has loaded (`load` event): what a
             reader who searches straight away waits, index download included when
             the engine fetches it at page load;
  settled    the page is left until the network has been idle for 1 s, then the
             query is typed: a reader who looks at the page first (the budget figure);
  again      the box is cleared and the same query typed again on that page: the
             engine is warm.

Typing is one IME commit, as a Chinese reader enters a phrase: the whole query is put
in the box and a keyup is dispatched (Material searches on keyup). The clock starts
just before that and stops when the first result item is in the DOM (`dom`) and at the
next animation frame after it (`frame`, closer to what the eye sees). Also printed:
the number of results, the top hit, and what the search engine downloaded for the
view and the query (requests matching search|lunr|pagefind…), sent and uncompressed.
Budget (issue 16): first results ≤ 300 ms; ≤ 2 MB downloaded per query at L.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import unquote

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import harness  # noqa: E402

QUERIES = ("质量", "红包", "集体退群", "销售PK规则")
BUDGET_MS = 300
BUDGET_DOWNLOAD = 2 * 1024 * 1024

# Puts `query` in the box as one commit and reports when the first result shows.
TYPE_AND_WAIT = r"""
const [query, done] = [arguments[0], arguments[arguments.length - 1]];
const input = document.querySelector('input.md-search__input');
const list = document.querySelector('.md-search-result__list');
const meta = document.querySelector('.md-search-result__meta');
if (!input || !list) { done({error: 'no search box on this page'}); return; }
const report = (extra) => {
  const items = list.querySelectorAll('.md-search-result__item');
  const link = list.querySelector('.md-search-result__item a');
  done(Object.assign({count: items.length, meta: meta ? meta.textContent.trim() : '',
                      first: link ? link.getAttribute('href') : null}, extra));
};
const fire = () => {
  input.focus();
  const t0 = performance.now();
  input.value = query;
  input.dispatchEvent(new Event('input', {bubbles: true}));
  input.dispatchEvent(new KeyboardEvent('keyup', {bubbles: true, key: 'Enter'}));
  let finished = false;
  const check = () => {
    if (finished) return;
    const hit = list.querySelector('.md-search-result__item');
    const none = meta && /没有找到/.test(meta.textContent);
    if (!hit && !none) return;
    finished = true;
    observer.disconnect();
    const dom = performance.now() - t0;
    requestAnimationFrame(() => setTimeout(() => report({dom: dom, frame: performance.now() - t0,
                                                          none: !hit}), 0));
  };
  const observer = new MutationObserver(check);
  observer.observe(list, {childList: true, subtree: true});
  if (meta) observer.observe(meta, {childList: true, subtree: true, characterData: true});
  setTimeout(() => { if (!finished) { finished = true; observer.disconnect();
                                      report({timeout: true}); } }, 30000);
};
// clear what a previous query left, then type
input.focus();
if (input.value !== '' || list.children.length) {
  input.value = '';
  input.dispatchEvent(new KeyboardEvent('keyup', {bubbles: true, key: 'Backspace'}));
  const started = performance.now();
  const wait = () => (list.children.length && performance.now() - started < 3000)
    ? setTimeout(wait, 20) : fire();
  wait();
} else {
  fire();
}
"""


def search_once(driver, base: str, log: harness.ServerLog, query: str,  # type: ignore[no-untyped-def]
                immediate: bool = False) -> dict[str, Any]:
    """A first visit to the SOP home, then `query`: timings, hits and search bytes."""
    harness.fresh_view(driver, base)
    mark = log.mark()
    driver.get(base)  # returns after the load event
    if not immediate:
        harness.wait_quiet(log)
    result = driver.execute_async_script(TYPE_AND_WAIT, query)
    harness.wait_quiet(log, quiet=0.5)
    weight = harness.weigh(log.since(mark))
    again = driver.execute_async_script(TYPE_AND_WAIT, query)
    counted = re.search(r"(\d+)", result.get("meta", ""))
    first = re.sub(r"^https?://[^/]+/", "/", result.get("first") or "-")
    return {"query": query, "dom_ms": result.get("dom", float("nan")),
            "frame_ms": result.get("frame", float("nan")),
            "count": int(counted.group(1)) if counted else result.get("count", 0),
            "first": unquote(first), "meta": result.get("meta", ""),
            "timeout": bool(result.get("timeout")), "error": result.get("error"),
            "again_dom_ms": again.get("dom", float("nan")),
            "search_wire": weight.search(), "search_raw": weight.search(raw=True),
            "view_wire": weight.before_images(), "search_requests": [
                (e.path, e.wire, e.raw) for e in weight.entries if harness.SEARCH_PATH.search(e.path)]}


def measure_site(site: Path, queries: list[str], runs: int, compress: bool) -> list[dict[str, Any]]:
    driver = harness.make_driver(1280, 900)
    rows = []
    try:
        with harness.serve(site, compress=compress) as (base, log):
            search_once(driver, base, log, queries[0])  # warm up Chromium itself, not the site
            for query in queries:
                settled = [search_once(driver, base, log, query) for _ in range(runs)]
                immediate = [search_once(driver, base, log, query, immediate=True) for _ in range(runs)]
                rows.append({"query": query, "settled": settled, "immediate": immediate})
    finally:
        driver.quit()
    return rows


def build_size(size: str, workdir: Path) -> Path:
    from scale import write_project

    root = workdir / f"project-{size}"
    if (root / "site" / "index.html").is_file():
        return root / "site"
    write_project(size, root)
    env = {**os.environ, "QUNSOP_CACHE_DIR": str(workdir / f"cache-{size}"),
           "SOURCE_DATE_EPOCH": "1795392000", "NO_MKDOCS_2_WARNING": "1"}
    print(f"building {size} …", file=sys.stderr, flush=True)
    subprocess.run([sys.executable, "-m", "qunsop", "build", str(root)], env=env, check=True,
                   stdout=subprocess.DEVNULL)
    return root / "site"


def report(size: str, site: Path, rows: list[dict[str, Any]]) -> list[str]:
    median = harness.median
    folder = site / "search"
    total = sum(path.stat().st_size for path in folder.iterdir()) if folder.is_dir() else 0
    shown = f" (search index: {total / 1024 / 1024:.2f} MB in {len(list(folder.iterdir()))} files)" \
        if folder.is_dir() else ""
    lines = [f"\n## size {size}: {site}{shown}",
             "",
             "| query | settled: first result (dom / frame) | / 300 ms | immediate (dom) | again (dom) "
             "| results | top hit | search download (sent / raw) | / 2 MB |",
             "|---|---|---|---|---|---|---|---|---|"]
    for row in rows:
        settled, immediate = row["settled"], row["immediate"]
        dom = median([r["dom_ms"] for r in settled])
        frame = median([r["frame_ms"] for r in settled])
        wire = median([r["search_wire"] for r in settled])
        raw = median([r["search_raw"] for r in settled])
        first = settled[-1]
        flags = " (TIMEOUT)" if any(r["timeout"] for r in settled + immediate) else ""
        lines.append(
            f"| {row['query']} | {dom:.0f} / {frame:.0f} ms{flags} | {dom / BUDGET_MS:.2f} "
            f"| {median([r['dom_ms'] for r in immediate]):.0f} ms "
            f"| {median([r['again_dom_ms'] for r in settled]):.0f} ms "
            f"| {first['count']}{' (none)' if first['count'] == 0 else ''} | {first['first']} "
            f"| {wire / 1024:.0f} / {raw / 1024:.0f} KB | {wire / BUDGET_DOWNLOAD:.2f} |")
    lines.append("")
    for row in rows:
        for kind in ("settled", "immediate"):
            values = ", ".join(f"{r['dom_ms']:.0f}" for r in row[kind])
            lines.append(f"- {row['query']} {kind} runs (ms): {values}")
    requests = rows[0]["settled"][-1]["search_requests"] if rows else []
    lines.append("- search requests of one view + query: " + "; ".join(
        f"{path} {wire / 1024:.0f} KB sent / {raw / 1024:.0f} KB raw" for path, wire, raw in requests))
    return lines


def main() -> None:
    args = sys.argv[1:]
    sizes = [arg for arg in args if arg in ("S", "M", "L")] or ["S", "L"]
    runs = int(args[args.index("--runs") + 1]) if "--runs" in args else 5
    queries = [args[i + 1] for i, arg in enumerate(args) if arg == "--query"] or list(QUERIES)
    given = dict(args[i + 1].split("=", 1) for i, arg in enumerate(args) if arg == "--site")
    keep = args[args.index("--keep") + 1] if "--keep" in args else None
    workdir = Path(keep) if keep else Path(tempfile.mkdtemp(prefix="qunsop-search-"))
    workdir.mkdir(parents=True, exist_ok=True)
    lines = [f"Search latency, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, median of {runs} "
             f"first visits per query; {'plain' if '--plain' in args else 'gzip'} server on 127.0.0.1",
             f"Machine: {harness.machine()}"]
    try:
        for size in sizes:
            site = Path(given[size]) if size in given else build_size(size, workdir)
            print(f"measuring {size} …", file=sys.stderr, flush=True)
            rows = measure_site(site, queries, runs, compress="--plain" not in args)
            lines += report(size, site, rows)
    finally:
        if not keep:
            shutil.rmtree(workdir, ignore_errors=True)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
