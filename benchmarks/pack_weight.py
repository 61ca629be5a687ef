"""What a first view of every pack page downloads before images, in real Chromium.

    python benchmarks/pack_weight.py [--site DIR] [--plain]

Without --site it builds the example with `qunsop build` into a temporary project. Every
pack day page, every today/ (a dated one redirects to its day; a day-N today/ is also
opened with ?start=), at 390x844 with a WeChat user agent, each as a first visit (cache,
storage and service workers cleared). Counted: what the page itself fetched (document,
scripts, the worker's script), not images and not what the service worker fetches on its
own for offline use (listed apart). Printed: bytes sent (gzip, like GitHub Pages; --plain
serves uncompressed) and raw, the largest pages, and how many exceed the 30 KB budget
(issue 22: every pack page and every today/ is at most 30 KB before images).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import harness

REPO = Path(__file__).resolve().parent.parent
BUDGET = 30 * 1024


def build_example(workdir: Path) -> Path:
    sys.path.insert(0, str(REPO / "tests"))
    from conftest import AUTHORED_EPOCH, copy_example

    project = copy_example(workdir / "example")
    subprocess.run([sys.executable, "-m", "qunsop", "build", str(project)], check=True,
                   env={**__import__("os").environ, "SOURCE_DATE_EPOCH": AUTHORED_EPOCH},
                   capture_output=True)
    return project / "site"


def pages(site: Path) -> list[str]:
    found = sorted(path.parent.relative_to(site).as_posix() + "/"
                   for path in (site / "packs").glob("*/*/index.html"))
    extra = [page + "?start=2026-12-01" for page in found
             if page.endswith("/today/") and not any((site / page).parent.glob("20??-??-??"))]
    return found + extra


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--site", type=Path)
    parser.add_argument("--plain", action="store_true", help="serve uncompressed")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temp:
        site = args.site or build_example(Path(temp))
        rows: list[tuple[str, int, int, int]] = []
        driver = harness.make_driver(390, 844, mobile=True)
        try:
            with harness.serve(site, compress=not args.plain) as (base, log):
                for page in pages(site):
                    harness.fresh_view(driver, base)
                    mark = log.mark()
                    driver.get(base + page)
                    harness.wait_quiet(log, quiet=0.4)
                    weight = harness.weigh(log.since(mark))
                    rows.append((page, weight.before_images(), weight.before_images(raw=True),
                                 weight.background_bytes(raw=True)))
        finally:
            driver.quit()
    rows.sort(key=lambda row: -row[2])
    print(f"{len(rows)} pack pages, first view, before images ({'plain' if args.plain else 'gzip'}):")
    middle = harness.median([r[2] for r in rows])
    print(f"  raw: largest {harness.kb(rows[0][2])}, median {harness.kb(middle)}"
          f"; over 30 KB: {sum(1 for r in rows if r[2] > BUDGET)}")
    print(f"  sent: largest {harness.kb(max(r[1] for r in rows))}, "
          f"median {harness.kb(harness.median([r[1] for r in rows]))}; over 30 KB: "
          f"{sum(1 for r in rows if r[1] > BUDGET)}")
    print("  largest (raw / sent / fetched by the worker for offline):")
    for page, sent, raw, background in rows[:8]:
        print(f"    {page:48} {harness.kb(raw):>9} {harness.kb(sent):>9} {harness.kb(background):>9}")
    for label in ("/today/", "b-main-daily/2026-12-07/"):
        for page, sent, raw, _background in rows:
            if page.endswith(label) or (label == "/today/" and "/today/?start=" in page):
                print(f"    {page:48} {harness.kb(raw):>9} {harness.kb(sent):>9}")
                break


if __name__ == "__main__":
    main()
