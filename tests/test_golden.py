"""Golden output in Pelican's style: the example's generated pages and packs, as committed.

When a change alters the output on purpose, refresh with `python scripts/update_golden.py`
and review the diff; an unexpected difference here is a regression.
"""

from __future__ import annotations

import difflib
import sys
from pathlib import Path

from conftest import REPO

sys.path.insert(0, str(REPO / "scripts"))

from update_golden import GOLDEN, golden_files


def test_example_output_matches_the_committed_golden_files(example_site: Path) -> None:
    built = golden_files(example_site.parent)
    expected = {path.relative_to(GOLDEN).as_posix(): path.read_bytes()
                for path in sorted(GOLDEN.rglob("*")) if path.is_file()}
    assert sorted(built) == sorted(expected), "pages or packs appeared or disappeared: " + \
        str(sorted(set(built) ^ set(expected))[:10]) + " (python scripts/update_golden.py)"
    changed = [name for name in built if built[name] != expected[name]]
    if changed:
        name = changed[0]
        diff = "\n".join(difflib.unified_diff(
            expected[name].decode().splitlines(), built[name].decode().splitlines(),
            f"golden/{name}", f"built/{name}", lineterm="", n=2))
        raise AssertionError(f"{len(changed)} files differ, first {name}:\n{diff[:3000]}\n"
                             "(if intended: python scripts/update_golden.py)")
