"""Edit-to-screen latency under `qunsop serve`, in real headless Chromium.

    python benchmarks/serve_latency.py [SIZE] [--runs N] [--keep DIR]

Builds the project of benchmarks/scale.py at SIZE (default M), starts `qunsop serve`
on it, opens the library page that shows the benchmark post (scale.edit_target) and
then, `--runs` times (default 5): appends a sentence to the post and times how long
until the open page, reloaded by the server's live reload and nothing else, shows
it. Printed: each run, the median and the budget (issue 16: ≤ 3 s at M).
"""

from __future__ import annotations

import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import harness  # noqa: E402
from scale import edit_target, write_project  # noqa: E402

BUDGET_S = 3.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for(url: str, server: subprocess.Popen[bytes], limit: float = 600) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("qunsop serve stopped")
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"no answer from {url}")


def page_showing(root: Path, base: str) -> str:
    """The library page whose HTML holds the benchmark post's id."""
    post_id = edit_target(root).stem.encode()
    for page in sorted((root / "site" / "library").glob("*/index.html")):
        if post_id in page.read_bytes():
            return base + page.parent.relative_to(root / "site").as_posix() + "/"
    raise SystemExit(f"no library page shows {post_id.decode()}")


def measure(root: Path, runs: int) -> list[float]:
    port = free_port()
    env = {**os.environ, "QUNSOP_CACHE_DIR": str(root.parent / "serve-cache")}
    log = (root.parent / "serve.log").open("w", encoding="utf-8")
    server = subprocess.Popen([sys.executable, "-m", "qunsop", "serve", str(root), "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=log, env=env)
    base = f"http://127.0.0.1:{port}/"
    driver = None
    try:
        wait_for(base, server)
        url = page_showing(root, base)
        driver = harness.make_driver(1280, 900)
        driver.get(url)
        post = edit_target(root)
        found = []
        for number in range(1, runs + 1):
            marker = f"服务预览第{number}次修改"
            time.sleep(2)  # the watcher settles after the previous rebuild
            started = time.monotonic()
            post.write_text(post.read_text(encoding="utf-8") + f"\n{marker}\n", encoding="utf-8")
            while marker not in driver.execute_script("return document.body.innerText"):
                if time.monotonic() - started > 120:
                    raise SystemExit("the edit never showed")
                time.sleep(0.05)
            found.append(time.monotonic() - started)
            print(f"  run {number}: {found[-1]:.2f} s", flush=True)
        return found
    finally:
        if driver is not None:
            driver.quit()
        server.terminate()
        server.wait(timeout=30)
        log.close()


def main() -> None:
    args = sys.argv[1:]
    size = args[0] if args and args[0] in ("S", "M", "L") else "M"
    runs = int(args[args.index("--runs") + 1]) if "--runs" in args else 5
    keep = Path(args[args.index("--keep") + 1]) if "--keep" in args else None
    folder = keep or Path(tempfile.mkdtemp(prefix="qunsop-serve-"))
    root = folder / f"project-{size}"
    print(f"size {size}: writing the project and the first build (not timed)", flush=True)
    write_project(size, root)
    found = measure(root, runs)
    log = (folder / "serve.log").read_text(encoding="utf-8")
    rebuilds = [float(seconds) for seconds in re.findall(r"已重新生成（([\d.]+) 秒）", log)][1:]
    if rebuilds:
        print(f"rebuild inside serve (its own report): median {statistics.median(rebuilds):.1f} s")
    middle = statistics.median(found)
    print(f"edit shown by the open page, size {size}: median {middle:.2f} s over {len(found)} runs "
          f"(min {min(found):.2f}, max {max(found):.2f}); budget {BUDGET_S:.0f} s: "
          f"{'met' if middle <= BUDGET_S else 'missed'}")
    print(harness.machine())


if __name__ == "__main__":
    main()
