"""Peak memory of a build against the number and size of sources (issue 25).

    python benchmarks/memory.py POSTS [BODY_CHARS]

Writes the minimal test project plus POSTS posts (one line each, or BODY_CHARS
characters of Chinese text) into a temporary folder, builds it with the fixed test
date and no cache, and prints the peak of the summed resident memory of qunsop and
every process it starts (sampled every 0.1 s from /proc), the wall time and what
generator/load.py's model (`build_memory_mb`) predicts for it. Linux only.
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
WORDS = ("轮胎", "胎压", "出车", "检查", "门店", "师傅", "高速", "服务区", "冬天", "刹车", "花纹", "补胎")


def write_project(root: Path, posts: int, body_chars: int) -> None:
    shutil.copytree(REPO / "tests/fixtures/minimal", root)
    folder = root / "content_library/posts/liked"
    rng = random.Random(25)
    for number in range(posts):
        body = f"今天第{number}条一行帖子。" if not body_chars else \
            "".join(rng.choice(WORDS) for _ in range(body_chars // 2))
        (folder / f"m{number:06d}.md").write_text(
            f"---\nid: m{number:06d}\ntitle: 第{number}条\ncategory: liked\ntiers: [c-store]\n---\n{body}\n",
            encoding="utf-8")


def tree(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", encoding="utf-8") as handle:
                    parent = int(handle.read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            children.setdefault(parent, []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo += children.get(current, [])
    return found


def resident_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def main() -> None:
    from qunsop.load import build_memory_mb, discover

    posts = int(sys.argv[1])
    body_chars = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "project"
        write_project(root, posts, body_chars)
        sources = list(discover(root))
        total = sum((root / relative).stat().st_size for relative, _kind in sources)
        env = {**os.environ, "SOURCE_DATE_EPOCH": "1795392000", "QUNSOP_CACHE_DIR": "off"}
        started = time.monotonic()
        process = subprocess.Popen([sys.executable, "-m", "qunsop", "build", str(root)], env=env,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        peak = 0
        while process.poll() is None:
            peak = max(peak, sum(resident_kb(pid) for pid in tree(process.pid)))
            time.sleep(0.1)
        error = process.stderr.read().decode() if process.stderr else ""
        print(f"{len(sources):,} sources, {total / 2**20:.1f} MB: exit {process.returncode}, "
              f"peak {peak / 1024:.0f} MB, {time.monotonic() - started:.0f} s; "
              f"model {build_memory_mb(len(sources), total)} MB")
        if process.returncode:
            print(error[-500:])


if __name__ == "__main__":
    main()
