"""Which stages earn a worker process: a cold `qunsop build` with each of them in a
worker process (build.BESIDE) or run in the build's own process, interleaved.

    python benchmarks/beside.py PROJECT [--repeat 3]
    python benchmarks/beside.py PROJECT --stages

PROJECT is a qunsop project, e.g. the example or `scale.py M OUT`. Each run starts a
fresh `qunsop build` (site/ and build/ removed, cache off); the figure is its wall
time (time.perf_counter around the child) and its CPU time (user + system).

`--stages` measures, in one process, the CPU time of each stage that may run in a
worker, and what handing it to one costs: pickling its arguments and its result
(a worker process gets both pickled). On a shared machine wall times of parallel
work say little; these CPU times do not depend on the load.
"""

from __future__ import annotations

import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

STAGES = ("packs", "lint", "words")
CONFIGS = {"packs, lint, words in workers": STAGES, "packs, words (lint inline)": ("packs", "words"),
           "packs (lint, words inline)": ("packs",), "all inline": ()}
CHILD = ("import sys; from qunsop import build; build.BESIDE = frozenset(sys.argv[2:]); "
         "from qunsop.cli import main; sys.argv = ['qunsop', 'build', sys.argv[1]]; main()")


def run(project: Path, beside: tuple[str, ...]) -> tuple[float, float]:
    for folder in ("site", "build"):
        shutil.rmtree(project / folder, ignore_errors=True)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", CHILD, str(project), *beside], check=True,
                   env={**os.environ, "QUNSOP_CACHE_DIR": "off"}, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def cpu(function: Any, *args: Any) -> tuple[Any, float]:
    started = time.process_time()
    result = function(*args)
    return result, time.process_time() - started


def stage_costs(project: Path) -> None:
    import datetime as dt
    import pickle
    import tempfile

    from qunsop.build import build_stamp, read_glossary, render_docs
    from qunsop.clock import read_clock
    from qunsop.packs import pack_job, render_pack_job
    from qunsop.pipeline import CheckOptions, check_project, lint_problems
    from qunsop.plan import plan_site
    from qunsop.segment import han_runs, segment_runs

    clock = read_clock(None, os.environ, dt.datetime.now(dt.UTC))
    stamp = build_stamp(project, clock)
    checked = check_project(project, CheckOptions(clock, anchor=stamp.date()), lint=False)
    settings = checked.project.site
    assert settings is not None
    plan = plan_site(checked, read_glossary(), settings.site_url, stamp)
    pages = [data.decode() for _path, data in render_docs(plan)]
    scratch = Path(tempfile.mkdtemp(prefix="qunsop-beside-"))
    words = scratch / "words.txt"
    words.write_text("".join(f"{word} 2000\n" for word in plan.search_words), encoding="utf-8")
    job = pack_job(checked, settings.site_url, stamp)
    runs = han_runs(pages)
    stages = {"packs": (render_pack_job, (job, scratch / "packs")),
              "lint": (lint_problems, (checked,)),
              "words": (segment_runs, (str(words), runs))}
    print("| stage | CPU in process | pickling its arguments + result | pickled size |\n|---|---|---|---|")
    for name, (function, args) in stages.items():
        result, spent = cpu(function, *args)
        data, pickling = cpu(pickle.dumps, (args, result))
        _back, unpickling = cpu(pickle.loads, data)
        print(f"| {name} | {spent:.2f} s | {pickling + unpickling:.2f} s | {len(data) / 1e6:.1f} MB |")
    shutil.rmtree(scratch, ignore_errors=True)


def main() -> None:
    project = Path(sys.argv[1])
    if "--stages" in sys.argv:
        stage_costs(project)
        return
    repeat = int(sys.argv[sys.argv.index("--repeat") + 1]) if "--repeat" in sys.argv else 3
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in CONFIGS}
    for _round in range(repeat):
        for name, beside in CONFIGS.items():
            times[name].append(run(project, beside))
    print("| configuration | wall (median, range) | CPU (median) |\n|---|---|---|")
    for name, found in times.items():
        walls = [wall for wall, _cpu in found]
        print(f"| {name} | {statistics.median(walls):.2f} s ({min(walls):.2f}–{max(walls):.2f}) "
              f"| {statistics.median(cpu for _wall, cpu in found):.2f} s |")


if __name__ == "__main__":
    main()
