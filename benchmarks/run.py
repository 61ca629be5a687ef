"""Measure qunsop at sizes S, M and L and print the figures as a Markdown table.

    python benchmarks/run.py [S M L] [--keep DIR]

For each size it writes a project with benchmarks/scale.py, then in fresh
child processes (so memory and caches are measured honestly):
  - stage times of a cold build: load+validate, render (plan, templates, docs
    written), MkDocs, packs;
  - total cold build (`qunsop build`, empty cache) with its peak RSS;
  - warm validate (nothing changed), a no-op rebuild, and a rebuild after
    editing one post;
  - reference floors measured in the same run: parsing every source with
    PyYAML's C loader only, and a plain `mkdocs build` of the generated pages;
  - output figures: files, size of site/, search index, largest HTML page,
    median pack page size (HTML+CSS+JS; nothing else loads before images).
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from scale import write_project  # noqa: E402

PYTHON = sys.executable


def run_child(args: list[str], env: dict[str, str]) -> tuple[float, int, str]:
    """Run a child process; return (seconds, its peak RSS in MB, stdout)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        child = subprocess.Popen(args, env=env, stdout=out, stderr=err)
        _pid, status, usage = os.wait4(child.pid, 0)  # rusage of this child alone
        elapsed = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if child.returncode:
            raise SystemExit(f"{' '.join(args)} failed:\n{err.read().decode()[-3000:]}")
        return elapsed, usage.ru_maxrss // 1024, out.read().decode()


def measure_stages(root: str) -> dict[str, float]:
    """Runs inside a child: stage times of one cold build, done step by step."""
    from qunsop import engine
    from qunsop.build import (
        pack_files,
        read_glossary,
        read_site_url,
        render_docs,
        static_files,
        write_engine_config,
    )
    from qunsop.pipeline import check_project
    from qunsop.plan import plan_site
    from qunsop.write import sync_tree

    project = Path(root)
    times: dict[str, float] = {}
    started = time.perf_counter()
    checked = check_project(project)
    times["load_validate"] = time.perf_counter() - started
    started = time.perf_counter()
    site_url = read_site_url(project)
    plan = plan_site(checked, read_glossary(), site_url)
    docs = dict(render_docs(plan))
    sync_tree(project / "build" / "docs", [*docs.items(), *static_files(project)])
    write_engine_config(project / "build", plan)
    times["render"] = time.perf_counter() - started
    started = time.perf_counter()
    engine.build_site(project / "build" / "mkdocs.yml", Path(tempfile.mkdtemp()) / "site")
    times["mkdocs"] = time.perf_counter() - started
    started = time.perf_counter()
    count = sum(1 for _ in pack_files(checked, site_url))
    times["packs"] = time.perf_counter() - started
    times["pack_files"] = count
    times["pages"] = len(plan.pages)
    return times


def parse_floor(root: str) -> float:
    """Runs inside a child: parse every source with PyYAML's C loader, nothing else."""
    import yaml

    from qunsop.load import MARKDOWN_KINDS, discover, split_front_matter

    project = Path(root)
    texts = [(project / relative).read_text(encoding="utf-8") for relative, _ in discover(project)]
    kinds = [kind for _, kind in discover(project)]
    started = time.perf_counter()
    for text, kind in zip(texts, kinds, strict=True):
        yaml.load(split_front_matter(text)[0] if kind in MARKDOWN_KINDS else text,
                  Loader=yaml.CSafeLoader)
    return time.perf_counter() - started


def folder_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def measure(size: str, workdir: Path) -> dict[str, object]:
    root = workdir / f"project-{size}"
    started = time.perf_counter()
    write_project(size, root)
    generated = time.perf_counter() - started
    env = {**os.environ, "QUNSOP_CACHE_DIR": str(workdir / f"cache-{size}"),
           "SOURCE_DATE_EPOCH": "1795392000", "NO_MKDOCS_2_WARNING": "1"}
    shutil.rmtree(workdir / f"cache-{size}", ignore_errors=True)
    qunsop = [PYTHON, "-m", "qunsop"]
    figures: dict[str, object] = {"size": size, "generate_s": generated}

    _t, _p, out = run_child([PYTHON, __file__, "--stages", str(root)], env)
    figures.update(json.loads(out))
    _t, _p, out = run_child([PYTHON, __file__, "--parse-floor", str(root)], env)
    figures["parse_floor_s"] = float(out)
    shutil.rmtree(workdir / f"cache-{size}", ignore_errors=True)

    figures["validate_cold_s"], _p, _ = run_child([*qunsop, "validate", str(root)], env)
    figures["validate_warm_s"], _p, _ = run_child([*qunsop, "validate", str(root)], env)
    shutil.rmtree(workdir / f"cache-{size}", ignore_errors=True)
    shutil.rmtree(root / "build", ignore_errors=True)
    figures["build_cold_s"], figures["build_peak_rss_mb"], _ = run_child(
        [*qunsop, "build", str(root)], env)
    figures["build_noop_s"], _p, _ = run_child([*qunsop, "build", str(root)], env)
    edited = next((root / "content_library" / "posts").rglob("*.md"))
    edited.write_text(edited.read_text(encoding="utf-8") + "（已更新）\n", encoding="utf-8")
    figures["build_one_post_s"], _p, out = run_child([*qunsop, "build", str(root)], env)
    figures["build_one_post_output"] = out.strip()

    floor_site = workdir / f"floor-site-{size}"
    figures["mkdocs_floor_s"], _p, _ = run_child(
        [PYTHON, "-m", "mkdocs", "build", "-q", "-f", str(root / "build" / "mkdocs.yml"),
         "-d", str(floor_site)], env)
    shutil.rmtree(floor_site, ignore_errors=True)

    site = root / "site"
    html = [p for p in site.rglob("*.html")]
    packs = [p.stat().st_size for p in (site / "packs").rglob("index.html")
             if p.parent.name not in ("today",) and p.parent.parent.parent.name == "packs"]
    figures.update(
        sources=sum(1 for _ in (root / "playbooks").rglob("*.yaml"))
        + sum(1 for _ in (root / "content_library").rglob("*.md")),
        source_mb=folder_size(root / "playbooks") / 1e6 + folder_size(root / "content_library") / 1e6,
        site_files=sum(1 for p in site.rglob("*") if p.is_file()),
        site_mb=folder_size(site) / 1e6,
        search_index_mb=(site / "search" / "search_index.json").stat().st_size / 1e6,
        largest_html_kb=max(p.stat().st_size for p in html) / 1024,
        html_over_100kb=sum(1 for p in html if p.stat().st_size > 100 * 1024),
        pack_page_median_kb=statistics.median(packs) / 1024 if packs else 0,
    )
    return figures


ROWS = [
    ("sources (files / MB)", lambda f: f"{f['sources']} / {f['source_mb']:.1f}"),
    ("site pages / pack files", lambda f: f"{f['pages']} / {f['pack_files']}"),
    ("load + validate (cold, in-process)", lambda f: f"{f['load_validate']:.2f} s"),
    ("parse floor: PyYAML C loader only", lambda f: f"{f['parse_floor_s']:.2f} s"),
    ("render (plan, templates, docs written)", lambda f: f"{f['render']:.2f} s"),
    ("MkDocs (engine call)", lambda f: f"{f['mkdocs']:.2f} s"),
    ("MkDocs floor: plain `mkdocs build` of the same pages", lambda f: f"{f['mkdocs_floor_s']:.2f} s"),
    ("packs (HTML, txt, json, ics)", lambda f: f"{f['packs']:.2f} s"),
    ("`qunsop validate` cold (process)", lambda f: f"{f['validate_cold_s']:.2f} s"),
    ("`qunsop validate` warm, nothing changed", lambda f: f"{f['validate_warm_s']:.2f} s"),
    ("`qunsop build` cold (process)", lambda f: f"{f['build_cold_s']:.2f} s"),
    ("`qunsop build` again, nothing changed", lambda f: f"{f['build_noop_s']:.2f} s"),
    ("`qunsop build` after editing one post", lambda f: f"{f['build_one_post_s']:.2f} s"),
    ("peak RSS of `qunsop build`", lambda f: f"{f['build_peak_rss_mb']} MB"),
    ("files in site/", lambda f: f"{f['site_files']}"),
    ("size of site/", lambda f: f"{f['site_mb']:.1f} MB"),
    ("search index", lambda f: f"{f['search_index_mb']:.2f} MB"),
    ("largest HTML page / pages over 100 KB",
     lambda f: f"{f['largest_html_kb']:.0f} KB / {f['html_over_100kb']}"),
    ("median pack page (HTML+CSS+JS)", lambda f: f"{f['pack_page_median_kb']:.1f} KB"),
]


def table(results: list[dict[str, object]]) -> str:
    lines = ["| figure | " + " | ".join(str(r["size"]) for r in results) + " |",
             "|---|" + "---|" * len(results)]
    for label, show in ROWS:
        lines.append(f"| {label} | " + " | ".join(show(r) for r in results) + " |")
    return "\n".join(lines)


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--stages":
        print(json.dumps(measure_stages(sys.argv[2])))
        return
    if len(sys.argv) == 3 and sys.argv[1] == "--parse-floor":
        print(parse_floor(sys.argv[2]))
        return
    sizes = [arg for arg in sys.argv[1:] if arg in ("S", "M", "L")] or ["S", "M", "L"]
    keep = sys.argv[sys.argv.index("--keep") + 1] if "--keep" in sys.argv else None
    workdir = Path(keep) if keep else Path(tempfile.mkdtemp(prefix="qunsop-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    results = []
    for size in sizes:
        print(f"measuring {size} …", file=sys.stderr, flush=True)
        results.append(measure(size, workdir))
        print(json.dumps(results[-1], ensure_ascii=False, default=str), file=sys.stderr, flush=True)
    print(table(results))
    if not keep:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
