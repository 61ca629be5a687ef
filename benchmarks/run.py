"""Measure qunsop at sizes S, M and L and print the figures and budgets as Markdown tables.

    python benchmarks/run.py [S M L] [--repeat N] [--keep DIR] [--no-browser] [--profile]

For each size it writes a project with benchmarks/scale.py (the example, plus a
synthetic playbook at M and L), then, in fresh child processes so that memory and
caches are measured honestly, each timing `--repeat` times (default 3; medians):

  - stage times of a cold build done step by step in-process, in the order of
    qunsop.build._build_locked: check (load, validate, resolve, schedule, lint),
    plan, render docs, write docs, MkDocs (the engine call), packs;
  - `qunsop validate` cold (empty cache) and warm (nothing changed);
  - `qunsop build` cold (empty cache, no site/) with its peak RSS; a full build with
    a warm parse cache (site/ and build/ removed); a no-op rebuild; a rebuild after
    editing one post (scale.edit_target: an example post a calendar schedules);
  - where the edit rebuild spends its time, stage by stage: one more edit, built
    in-process through qunsop.build.build_project with its progress steps timed and
    its stage functions wrapped (--profile adds a cProfile of that build);
  - reference floors: parsing every source with PyYAML's C loader only, and a plain
    `mkdocs build` of the generated docs (build/mkdocs.yml, the config qunsop writes);
  - output: files and size of site/, the search index, the largest HTML page;
  - in headless Chromium (unless --no-browser), over a gzip-serving 127.0.0.1 server:
    bytes per first view before images of the SOP pages and the pack pages, and what
    the search engine downloads for one query (see search_latency.py).

Every figure that has a budget (issues 12 and 16) is printed with measured/budget.
"""

from __future__ import annotations

import cProfile
import gzip
import io
import json
import os
import pstats
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from scale import edit_target, write_project  # noqa: E402

PYTHON = sys.executable
SOURCE_DATE_EPOCH = "1795392000"  # 2026-11-23: every run builds the same output
KB = 1024


# --- child processes ------------------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    wall: float  # seconds
    cpu: float  # user + system seconds of the child and the children it waited for
    rss: int  # peak RSS in MB
    out: str


def benchmark_clock() -> Any:
    """The benchmarks' one clock, as the command line decides it (SOURCE_DATE_EPOCH or now)."""
    import datetime as dt

    from qunsop.clock import read_clock

    return read_clock(None, os.environ, dt.datetime.now(dt.UTC))


def run_child(args: list[str], env: dict[str, str]) -> Run:
    """Run a child process; return its wall and CPU time, peak RSS and stdout.

    CPU time is reported beside wall time because other work shares the machine: wall
    time swings with their load, CPU time much less (it still grows under contention).
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        child = subprocess.Popen(args, env=env, stdout=out, stderr=err)
        _pid, status, usage = os.wait4(child.pid, 0)  # rusage of this child and its waited children
        elapsed = time.perf_counter() - started
        code = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if code:
            raise SystemExit(f"{' '.join(args)} failed ({code}):\n{err.read().decode()[-3000:]}")
        return Run(elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss // 1024, out.read().decode())


def measure_stages(root: str) -> dict[str, float]:
    """Runs inside a child: one cold build, done step by step like build._build_locked."""
    from qunsop import TEMPLATES, engine
    from qunsop.build import build_stamp, read_glossary, render_docs, static_files
    from qunsop.cache import Cache
    from qunsop.packs import pack_job, render_pack_job
    from qunsop.pipeline import CheckOptions, check_project
    from qunsop.plan import plan_site
    from qunsop.write import sync_tree

    project = Path(root)
    scratch = Path(tempfile.mkdtemp(prefix="qunsop-stages-"))
    times: dict[str, float] = {}

    def lap(name: str, started: float) -> float:
        now = time.perf_counter()
        times[name] = now - started
        return now

    clock = benchmark_clock()
    stamp = build_stamp(project, clock)
    options = CheckOptions(clock)
    started = time.perf_counter()
    checked = check_project(project, options, Cache.open(project))
    started = lap("check", started)
    settings = checked.project.site
    assert settings is not None, "mkdocs.yml did not validate"
    plan = plan_site(checked, read_glossary(), settings.site_url, stamp)
    started = lap("plan", started)
    docs = [*render_docs(plan), *plan.files, *static_files(checked)]
    started = lap("render", started)
    sync_tree(scratch / "docs", docs)
    words = scratch / "search-words.txt"
    words.write_text("".join(f"{word} 2000\n" for word in plan.search_words), encoding="utf-8")
    started = lap("write_docs", started)
    engine.build_site(engine.EngineSite(settings, project, scratch / "docs", TEMPLATES / "theme",
                                        plan.nav, words), scratch / "mkdocs.yml", scratch / "site", stamp)
    started = lap("mkdocs", started)
    render_pack_job(pack_job(checked, settings.site_url, stamp), scratch / "packs")
    lap("packs", started)
    times["pages"] = len(plan.pages)
    times["pack_files"] = sum(1 for p in (scratch / "packs").rglob("*") if p.is_file())
    shutil.rmtree(scratch, ignore_errors=True)
    return times


def parse_floor(root: str) -> float:
    """Runs inside a child: parse every source with PyYAML's C loader, nothing else."""
    import yaml

    from qunsop.load import discover, split_front_matter

    project = Path(root)
    found = list(discover(project))
    texts = [(project / relative).read_text(encoding="utf-8") for relative, _ in found]
    started = time.perf_counter()
    for text, (relative, _kind) in zip(texts, found, strict=True):
        yaml.load(split_front_matter(text)[0] if relative.endswith(".md") else text,
                  Loader=yaml.CSafeLoader)
    return time.perf_counter() - started


# Stage functions of qunsop.build wrapped by timed_build (generators are drained inside).
WRAPPED = ("input_fingerprint", "check_project", "plan_site", "render_docs",
           "static_files", "sync_tree", "write_if_changed", "pack_job", "staging_dir",
           "publish_changed", "publish_whole", "move_changed", "remove_files", "file_digests",
           "recorded", "move_into", "mark", "publish", "discard", "read_history")


def timed_build(root: str, profile: bool) -> dict[str, Any]:
    """Runs inside a child: `qunsop build` in-process, each step and stage function timed."""
    from qunsop import build, engine
    from qunsop.cache import Cache

    spent: dict[str, float] = {}
    steps: list[tuple[str, float]] = []

    def timed(name: str, function: Callable[..., Any], generator: bool = False) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                result = function(*args, **kwargs)
                return iter(list(result)) if generator else result
            finally:
                spent[name] = spent.get(name, 0.0) + time.perf_counter() - started
        return wrapper

    for name in WRAPPED:
        setattr(build, name, timed(name, getattr(build, name), name in ("render_docs", "static_files")))
    engine.build_site = timed("engine.build_site (MkDocs)", engine.build_site)
    Cache.write = timed("cache.write", Cache.write)
    # inside MkDocs: its build loop's phases (mkdocs.commands.build.build)
    import mkdocs.commands.build as mkdocs_build
    import mkdocs.config
    from mkdocs.plugins import PluginCollection
    from mkdocs.structure.files import Files
    from mkdocs.structure.pages import Page

    for owner, attribute, label in (
            (mkdocs.config, "load_config", "MkDocs: load config"),
            (PluginCollection, "on_config", "MkDocs: on_config (qunsop-search loads jieba + user dict)"),
            (mkdocs_build, "get_files", "MkDocs: find files"),
            (mkdocs_build, "get_navigation", "MkDocs: navigation"),
            (mkdocs_build, "_populate_page", "MkDocs: Markdown -> HTML, every page"),
            (Files, "copy_static_files", "MkDocs: copy static files (theme, media)"),
            (mkdocs_build, "_build_theme_template", "MkDocs: theme templates (404, sitemap)"),
            (mkdocs_build, "_build_page", "MkDocs: page templates + search entries, every page"),
            (PluginCollection, "on_page_context", "MkDocs:   of which search entries (jieba)"),
            (Page, "validate_anchor_links", "MkDocs: anchor checks"),
            (PluginCollection, "on_post_build", "MkDocs: on_post_build (search index written)")):
        setattr(owner, attribute, timed(label, getattr(owner, attribute)))
    # the stages that run in the second process: timed there, reported through a file
    logs = Path(tempfile.mkdtemp())

    def timed_in_child(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any) -> Any:
            started = time.perf_counter()
            result = function(*args)
            (logs / name).write_text(str(time.perf_counter() - started))
            return result
        return wrapper

    build.render_pack_job = timed_in_child("packs", build.render_pack_job)
    build.lint_problems = timed_in_child("lint", build.lint_problems)

    def progress(step: str) -> None:
        steps.append((step, time.perf_counter()))

    profiler = cProfile.Profile() if profile else None
    started = time.perf_counter()
    if profiler:
        profiler.enable()
    result = build.build_project(Path(root), build.BuildOptions(benchmark_clock(), progress=progress))
    if profiler:
        profiler.disable()
    total = time.perf_counter() - started
    marks = [*steps, ("end", started + total)]
    figures: dict[str, Any] = {
        "total": total, "files_written": result.files_written,
        "steps": [(name, marks[i + 1][1] - at) for i, (name, at) in enumerate(marks[:-1])],
        "functions": sorted(spent.items(), key=lambda item: -item[1]),
        "packs_process": float((logs / "packs").read_text()) if (logs / "packs").is_file() else None,
        "lint_process": float((logs / "lint").read_text()) if (logs / "lint").is_file() else None,
    }
    if profiler:
        text = io.StringIO()
        stats = pstats.Stats(profiler, stream=text)
        stats.sort_stats("cumulative").print_stats(45)
        figures["profile"] = text.getvalue()
    return figures


# --- one size ---------------------------------------------------------------------------


def folder_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def files_changed(output: str) -> int | None:
    found = re.search(r"(\d+) 个文件有变化", output)
    return int(found.group(1)) if found else None


def runs(args: list[str], env: dict[str, str], repeat: int,
         before: Callable[[], None] = lambda: None) -> list[Run]:
    found = []
    for _ in range(repeat):
        before()
        found.append(run_child(args, env))
    return found


def measure(size: str, workdir: Path, repeat: int, browser: bool, profile: bool) -> dict[str, Any]:
    root = workdir / f"project-{size}"
    cache = workdir / f"cache-{size}"
    started = time.perf_counter()
    write_project(size, root)
    figures: dict[str, Any] = {"size": size, "generate_s": time.perf_counter() - started,
                               "load_before": os.getloadavg()[0]}
    env = {**os.environ, "QUNSOP_CACHE_DIR": str(cache), "SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH,
           "NO_MKDOCS_2_WARNING": "1"}
    qunsop = [PYTHON, "-m", "qunsop"]

    def no_cache() -> None:
        shutil.rmtree(cache, ignore_errors=True)

    def no_output() -> None:
        for name in ("site", "build"):
            shutil.rmtree(root / name, ignore_errors=True)

    def say(what: str) -> None:
        print(f"  {size}: {what}", file=sys.stderr, flush=True)

    def keep(name: str, found: list[Run]) -> list[Run]:
        figures[name] = [run.wall for run in found]
        figures[name + "_cpu"] = [run.cpu for run in found]
        return found

    say("stages of a cold build")
    stage_runs = [json.loads(run.out) for run in runs(
        [PYTHON, __file__, "--stages", str(root)], env, repeat, no_cache)]
    figures["stages"] = {key: statistics.median(run[key] for run in stage_runs)
                         for key in stage_runs[0]}
    say("parse floor")
    figures["parse_floor"] = [float(run.out) for run in runs(
        [PYTHON, __file__, "--parse-floor", str(root)], env, repeat)]
    say("validate")
    keep("validate_cold", runs([*qunsop, "validate", str(root)], env, repeat, no_cache))
    keep("validate_warm", runs([*qunsop, "validate", str(root)], env, repeat))

    edited = edit_target(root)
    edits = iter(range(1, 1000))

    def edit() -> None:
        edited.write_text(edited.read_text(encoding="utf-8") + f"\n（第 {next(edits)} 次更新）\n",
                          encoding="utf-8")

    # Interleaved rounds, so that a change in the machine's load hits every kind of build
    # alike: cold (empty cache, no site/), nothing changed, one post edited, full build
    # with the parse cache warm (site/ and build/ removed).
    rounds: dict[str, list[Run]] = {"build_cold": [], "build_noop": [], "build_edit": [],
                                     "build_full_warm": []}
    build = [*qunsop, "build", str(root)]
    for number in range(repeat):
        say(f"builds, round {number + 1} of {repeat}: cold, unchanged, one post edited, full warm")
        no_cache()
        no_output()
        rounds["build_cold"].append(run_child(build, env))
        rounds["build_noop"].append(run_child(build, env))
        edit()
        rounds["build_edit"].append(run_child(build, env))
        no_output()
        rounds["build_full_warm"].append(run_child(build, env))
    for name, found in rounds.items():
        keep(name, found)
    figures["build_rss"] = [run.rss for run in rounds["build_cold"]]
    figures["edit_files_changed"] = [files_changed(run.out) for run in rounds["build_edit"]]
    figures["edit_ratio_paired"] = [edit.wall / cold.wall for edit, cold in
                                    zip(rounds["build_edit"], rounds["build_cold"], strict=True)]
    # the published site must be the one of the last edit for the timed rebuild below
    run_child(build, env)
    say("one more edit, timed stage by stage")
    edit()
    figures["edit_breakdown"] = json.loads(run_child(
        [PYTHON, __file__, "--timed-build", str(root)], env).out)
    if profile:
        say("one more edit, under cProfile")
        edit()
        figures["edit_profile"] = json.loads(run_child(
            [PYTHON, __file__, "--timed-build", str(root), "--profile"], env).out).get("profile", "")
    say("plain mkdocs build of the same docs")
    floor_site = workdir / f"floor-site-{size}"
    keep("mkdocs_floor", runs(
        [PYTHON, "-m", "mkdocs", "build", "-q", "-f", str(root / "build" / "mkdocs.yml"),
         "-d", str(floor_site)], env, repeat, lambda: shutil.rmtree(floor_site, ignore_errors=True)))
    shutil.rmtree(floor_site, ignore_errors=True)
    figures["load_after"] = os.getloadavg()[0]

    site = root / "site"
    html = list(site.rglob("*.html"))
    manifest = site / "search" / "manifest.json"  # every query fetches it (vocabulary, titles)
    pack_days = [p for p in (site / "packs").glob("*/*/index.html") if p.parent.name != "today"]
    figures.update(
        sources=sum(1 for _ in (root / "playbooks").rglob("*.yaml"))
        + sum(1 for _ in (root / "content_library").rglob("*.md")),
        source_mb=(folder_size(root / "playbooks") + folder_size(root / "content_library")) / 1e6,
        site_files=sum(1 for p in site.rglob("*") if p.is_file()),
        site_mb=folder_size(site) / 1e6,
        search_files_mb=sum(folder_size(site / name) for name in ("search", "pagefind")
                            if (site / name).is_dir()) / 1e6,
        search_manifest=manifest.stat().st_size if manifest.is_file() else 0,
        search_manifest_gzip=len(gzip.compress(manifest.read_bytes(), 6)) if manifest.is_file() else 0,
        largest_html=max(p.stat().st_size for p in html),
        html_over_100kb=sum(1 for p in html if p.stat().st_size > 100 * KB),
        pack_day_html_median=statistics.median(p.stat().st_size for p in pack_days) if pack_days else 0,
    )
    if browser:
        say("page weight and search download in Chromium")
        figures.update(browser_figures(site))
    return figures


def browser_figures(site: Path) -> dict[str, Any]:
    import harness
    from search_latency import search_once

    weights: dict[str, Any] = {}
    driver = harness.make_driver(412, 823, mobile=True)
    try:
        with harness.serve(site) as (base, log):
            for label, page in harness.sop_pages(site) + harness.pack_pages(site):
                weight = harness.page_weight(driver, base, log, page)
                weights[label] = {"page": page, "wire": weight.before_images(),
                                  "raw": weight.before_images(raw=True),
                                  "background_wire": weight.background_bytes(),
                                  "requests": weight.requests, "lines": weight.lines()}
    finally:
        driver.quit()
    desktop = harness.make_driver(1280, 900)
    try:
        with harness.serve(site) as (base, log):
            found = search_once(desktop, base, log, "质量")
    finally:
        desktop.quit()
    return {"weights": weights, "search_query": found}


# --- the report ----------------------------------------------------------------------------


def med(values: list[float]) -> float:
    return statistics.median(values)


def spread(values: list[float]) -> str:
    """Median, with the range when repeated."""
    if len(values) == 1:
        return f"{values[0]:.2f} s"
    return f"{med(values):.2f} s ({min(values):.2f}–{max(values):.2f})"


def timing(f: dict[str, Any], name: str) -> str:
    """Wall time (median, range) and the median CPU time of a repeated child process."""
    return f"{spread(f[name])}; CPU {med(f[name + '_cpu']):.2f} s"


def cpu_ratio(f: dict[str, Any], name: str, reference: str) -> str:
    return ratio(med(f[name + "_cpu"]), med(f[reference + "_cpu"]))


def sop_max(f: dict[str, Any], key: str) -> tuple[float, str]:
    sop = {label: w for label, w in f.get("weights", {}).items() if not label.startswith("pack")}
    if not sop:
        return float("nan"), "-"
    label = max(sop, key=lambda name: sop[name][key])
    return sop[label][key], label


def pack_max(f: dict[str, Any], key: str) -> tuple[float, str]:
    packs = {label: w for label, w in f.get("weights", {}).items() if label.startswith("pack")}
    if not packs:
        return float("nan"), "-"
    label = max(packs, key=lambda name: packs[name][key])
    return packs[label][key], label


def ratio(value: float, reference: float) -> str:
    return f"{value / reference:.2f}×" if reference else "-"


ROWS: list[tuple[str, Callable[[dict[str, Any]], str]]] = [
    ("sources (files / MB)", lambda f: f"{f['sources']} / {f['source_mb']:.1f}"),
    ("site pages / pack files", lambda f: f"{f['stages']['pages']:.0f} / {f['stages']['pack_files']:.0f}"),
    ("stage: check (load, validate, resolve, schedule, lint)", lambda f: f"{f['stages']['check']:.2f} s"),
    ("parse floor: PyYAML C loader only", lambda f: spread(f["parse_floor"])),
    ("stage: plan", lambda f: f"{f['stages']['plan']:.2f} s"),
    ("stage: render docs (templates)", lambda f: f"{f['stages']['render']:.2f} s"),
    ("stage: write docs", lambda f: f"{f['stages']['write_docs']:.2f} s"),
    ("stage: MkDocs (engine call)", lambda f: f"{f['stages']['mkdocs']:.2f} s"),
    ("stage: packs (HTML, txt, json, ics; parallel to MkDocs in a real build)",
     lambda f: f"{f['stages']['packs']:.2f} s"),
    ("plain `mkdocs build` of the same docs", lambda f: timing(f, "mkdocs_floor")),
    ("`qunsop build` cold (empty cache, no site/)", lambda f: timing(f, "build_cold")),
    ("**full build / plain mkdocs build** (wall; CPU)",
     lambda f: f"{ratio(med(f['build_cold']), med(f['mkdocs_floor']))}; "
               f"{cpu_ratio(f, 'build_cold', 'mkdocs_floor')}"),
    ("`qunsop build` full, parse cache warm (site/ removed)", lambda f: timing(f, "build_full_warm")),
    ("`qunsop build` again, nothing changed", lambda f: timing(f, "build_noop")),
    ("`qunsop build` after editing one post", lambda f: timing(f, "build_edit")),
    ("files changed by that edit", lambda f: "/".join(str(n) for n in f["edit_files_changed"])),
    ("**edit rebuild / cold full build** (budget ≤ 0.20 at M; wall, paired median; CPU)",
     lambda f: f"{ratio(med(f['build_edit']), med(f['build_cold']))}, "
               f"{med(f['edit_ratio_paired']):.2f}×; {cpu_ratio(f, 'build_edit', 'build_cold')}"),
    ("edit rebuild / full build with warm cache (wall; CPU)",
     lambda f: f"{ratio(med(f['build_edit']), med(f['build_full_warm']))}; "
               f"{cpu_ratio(f, 'build_edit', 'build_full_warm')}"),
    ("`qunsop validate` cold", lambda f: timing(f, "validate_cold")),
    ("`qunsop validate` warm, nothing changed", lambda f: timing(f, "validate_warm")),
    ("**validate warm / cold** (wall; CPU)",
     lambda f: f"{ratio(med(f['validate_warm']), med(f['validate_cold']))}; "
               f"{cpu_ratio(f, 'validate_warm', 'validate_cold')}"),
    ("peak RSS of a cold `qunsop build`", lambda f: f"{max(f['build_rss'])} MB"),
    ("files in site/", lambda f: f"{f['site_files']}"),
    ("size of site/", lambda f: f"{f['site_mb']:.1f} MB"),
    ("search index: all files / the manifest every query fetches (raw / gzip)",
     lambda f: f"{f['search_files_mb']:.2f} MB / {f['search_manifest'] / KB / KB:.2f} / "
               f"{f['search_manifest_gzip'] / KB / KB:.2f} MB"),
    ("largest HTML page / pages over 100 KB",
     lambda f: f"{f['largest_html'] / KB:.0f} KB / {f['html_over_100kb']}"),
    ("median pack day HTML (file)", lambda f: f"{f['pack_day_html_median'] / KB:.1f} KB"),
    ("1-minute load average before / after this size", lambda f: f"{f['load_before']:.1f} / "
                                                                 f"{f['load_after']:.1f}"),
]
BROWSER_ROWS: list[tuple[str, Callable[[dict[str, Any]], str]]] = [
    ("search download for one query (质量; sent / raw)",
     lambda f: f"{f['search_query']['search_wire'] / KB / KB:.2f} / "
               f"{f['search_query']['search_raw'] / KB / KB:.2f} MB"),
    ("**search download / 2 MB** (budget at L)",
     lambda f: ratio(f["search_query"]["search_wire"], 2 * KB * KB)),
    ("heaviest SOP page view before images (sent / raw)",
     lambda f: f"{sop_max(f, 'wire')[0] / KB:.0f} / {sop_max(f, 'raw')[0] / KB:.0f} KB "
               f"({sop_max(f, 'wire')[1]})"),
    ("**SOP page view / 150 KB** (sent; raw)",
     lambda f: f"{ratio(sop_max(f, 'wire')[0], 150 * KB)}; {ratio(sop_max(f, 'raw')[0], 150 * KB)}"),
    ("heaviest pack page view before images (sent / raw)",
     lambda f: f"{pack_max(f, 'wire')[0] / KB:.1f} / {pack_max(f, 'raw')[0] / KB:.1f} KB "
               f"({pack_max(f, 'raw')[1]})"),
    ("**pack page view / 30 KB** (sent; raw)",
     lambda f: f"{ratio(pack_max(f, 'wire')[0], 30 * KB)}; {ratio(pack_max(f, 'raw')[0], 30 * KB)}"),
    ("pack service-worker precache after the view (sent)",
     lambda f: f"{pack_max(f, 'background_wire')[0] / KB:.1f} KB"),
]


def table(results: list[dict[str, Any]]) -> str:
    rows = ROWS + (BROWSER_ROWS if all("weights" in r for r in results) else [])
    lines = ["| figure | " + " | ".join(str(r["size"]) for r in results) + " |",
             "|---|" + "---|" * len(results)]
    for label, show in rows:
        lines.append(f"| {label} | " + " | ".join(show(r) for r in results) + " |")
    return "\n".join(lines)


def budgets(results: list[dict[str, Any]]) -> str:
    """Each budget at its stated size (or the nearest measured one, said so)."""
    by_size = {r["size"]: r for r in results}

    def at(size: str) -> tuple[str, dict[str, Any]]:
        if size in by_size:
            return size, by_size[size]
        fallback = results[-1]
        return f"{fallback['size']} (asked: {size})", fallback

    lines = ["| budget | size | measured | measured / budget | |", "|---|---|---|---|---|"]

    def row(name: str, size: str, value: float, limit: float, shown: str, higher: bool = False) -> None:
        met = value >= limit if higher else value <= limit
        lines.append(f"| {name} | {size} | {shown} | {value / limit:.2f} | "
                     f"{'met' if met else '**missed**'} |")

    size, f = at("M")
    edit_ratio = med(f["build_edit"]) / med(f["build_cold"])
    row("edit one post: rebuild ≤ 0.2 × full build", size, edit_ratio, 0.2,
        f"{med(f['build_edit']):.2f} s / {med(f['build_cold']):.2f} s = {edit_ratio:.2f} "
        f"(CPU {med(f['build_edit_cpu']):.1f} s / {med(f['build_cold_cpu']):.1f} s = "
        f"{med(f['build_edit_cpu']) / med(f['build_cold_cpu']):.2f})")
    row("validate cold < 3 s", size, med(f["validate_cold"]), 3, f"{med(f['validate_cold']):.2f} s")
    row("validate warm < 0.5 s", size, med(f["validate_warm"]), 0.5, f"{med(f['validate_warm']):.2f} s")
    row("full build < 30 s", size, med(f["build_cold"]), 30, f"{med(f['build_cold']):.2f} s")
    size, f = at("L")
    row("peak RSS < 1 GB", size, max(f["build_rss"]), 1024, f"{max(f['build_rss'])} MB")
    if "search_query" in f:
        wire = f["search_query"]["search_wire"]
        row("search download per query ≤ 2 MB (sent)", size, wire / KB / KB, 2, f"{wire / KB / KB:.2f} MB")
        raw = f["search_query"]["search_raw"]
        row("… the same, uncompressed", size, raw / KB / KB, 2, f"{raw / KB / KB:.2f} MB")
    size, f = at("S")
    if "weights" in f:
        for key, note in (("wire", "sent"), ("raw", "uncompressed")):
            value, label = sop_max(f, key)
            row(f"SOP page view before images ≤ 150 KB ({note})", size, value / KB, 150,
                f"{value / KB:.0f} KB ({label})")
        for key, note in (("wire", "sent"), ("raw", "uncompressed")):
            value, label = pack_max(f, key)
            row(f"pack page before images ≤ 30 KB ({note})", size, value / KB, 30,
                f"{value / KB:.1f} KB ({label})")
    return "\n".join(lines)


def breakdown(results: list[dict[str, Any]]) -> str:
    lines = []
    for f in results:
        b = f["edit_breakdown"]
        lines.append(f"\nRebuild after editing one post at {f['size']}, in-process: {b['total']:.2f} s, "
                     f"{b['files_written']} files changed")
        lines.append("  steps (qunsop's progress messages):")
        lines += [f"    {seconds:7.2f} s  {name}" for name, seconds in b["steps"]]
        lines.append("  stage functions (qunsop.build's, then MkDocs' build loop; nested calls overlap):")
        lines += [f"    {seconds:7.2f} s  {name}" for name, seconds in b["functions"]]
        if b.get("packs_process") is not None:
            lines.append(f"    {b['packs_process']:7.2f} s  packs, in the second process (beside rendering)")
        if b.get("lint_process") is not None:
            lines.append(f"    {b['lint_process']:7.2f} s  content rules, in a third process")
        if f.get("edit_profile"):
            lines.append("  cProfile of another such rebuild, main process (cumulative; profiling slows it):")
            lines += ["    " + line for line in f["edit_profile"].splitlines() if line.strip()]
    return "\n".join(lines)


def page_lines(results: list[dict[str, Any]]) -> str:
    lines = []
    for f in results:
        for label, weight in f.get("weights", {}).items():
            lines.append(f"\n{f['size']} {label} /{weight['page']}: {weight['requests']} requests, "
                         f"{weight['wire'] / KB:.1f} KB sent / {weight['raw'] / KB:.1f} KB raw before images")
            lines += ["    " + line for line in weight["lines"]]
        if "search_query" in f:
            q = f["search_query"]
            lines.append(f"\n{f['size']} search {q['query']}: first result after {q['dom_ms']:.0f} ms "
                         f"(page settled first); search downloads {q['search_wire'] / KB:.0f} KB sent / "
                         f"{q['search_raw'] / KB:.0f} KB raw; top hit {q['first']}")
    return "\n".join(lines)


def main() -> None:
    args = sys.argv[1:]
    if len(args) == 2 and args[0] == "--stages":
        print(json.dumps(measure_stages(args[1])))
        return
    if len(args) == 2 and args[0] == "--parse-floor":
        print(parse_floor(args[1]))
        return
    if args and args[0] == "--timed-build":
        print(json.dumps(timed_build(args[1], "--profile" in args)))
        return
    sizes = [arg for arg in args if arg in ("S", "M", "L")] or ["S", "M", "L"]
    keep = args[args.index("--keep") + 1] if "--keep" in args else None
    repeat = int(args[args.index("--repeat") + 1]) if "--repeat" in args else 3
    import harness

    browser = "--no-browser" not in args and Path(harness.CHROMIUM).exists()
    workdir = Path(keep) if keep else Path(tempfile.mkdtemp(prefix="qunsop-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    results = []
    for size in sizes:
        print(f"measuring {size} …", file=sys.stderr, flush=True)
        results.append(measure(size, workdir, repeat, browser, "--profile" in args))
        summary = {k: v for k, v in results[-1].items()
                   if k not in ("edit_breakdown", "edit_profile", "weights")}
        print(json.dumps(summary, ensure_ascii=False, default=str), file=sys.stderr, flush=True)
    print(f"Measured {started}, medians of {repeat} runs; machine: {harness.machine()}\n")
    print(table(results))
    print("\nBudgets\n")
    print(budgets(results))
    print(breakdown(results))
    print(page_lines(results))
    if not keep:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
