"""The edit budget alone: a cold build, then the build after editing one post, in rounds.

    python benchmarks/edit_budget.py PROJECT [ROUNDS] [PYTHONPATH]

PROJECT is e.g. `scale.py M OUT`; each round removes site/, build/ and the cache, builds
cold, appends a line to the post benchmarks/run.py edits (scale.edit_target) and builds
again. PYTHONPATH, when given, runs another copy of qunsop (e.g. an older commit's
generator/ unpacked as `qunsop/`) to compare versions on the same machine and load.
Prints wall and CPU time (user + system, workers included) and their ratios.
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

from scale import edit_target


def timed_build(root: Path, env: dict[str, str]) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "qunsop", "build", str(root)], env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    root = Path(sys.argv[1]).resolve()
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    cache = root.with_name(root.name + "-cache")
    env = {**os.environ, "QUNSOP_CACHE_DIR": str(cache), "SOURCE_DATE_EPOCH": "1795392000",
           "NO_MKDOCS_2_WARNING": "1"}
    if len(sys.argv) > 3:
        env["PYTHONPATH"] = sys.argv[3]
    edited = edit_target(root)
    ratios: list[tuple[float, float]] = []
    for number in range(rounds):
        shutil.rmtree(cache, ignore_errors=True)
        for name in ("site", "build"):
            shutil.rmtree(root / name, ignore_errors=True)
        cold = timed_build(root, env)
        edited.write_text(edited.read_text(encoding="utf-8") + f"\n（第 {number + 1} 次更新）\n",
                          encoding="utf-8")
        edit = timed_build(root, env)
        ratios.append((edit[0] / cold[0], edit[1] / cold[1]))
        print(f"round {number + 1}: cold {cold[0]:.2f} s (CPU {cold[1]:.2f} s), "
              f"edit {edit[0]:.2f} s (CPU {edit[1]:.2f} s), ratio {ratios[-1][0]:.3f}; "
              f"CPU {ratios[-1][1]:.3f}", flush=True)
    print(f"median ratio {statistics.median(r[0] for r in ratios):.3f}; "
          f"CPU {statistics.median(r[1] for r in ratios):.3f}; load {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
