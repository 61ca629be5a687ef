"""Refresh the golden output of the shipped example: `python scripts/update_golden.py`.

Builds a copy of the example outside git with the tests' fixed date, then keeps
every generated Markdown page and every pack.txt / pack.json under
tests/golden/example/. Review the diff: it shows what a change did to the output.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

from conftest import AUTHORED_EPOCH, copy_example  # noqa: E402

GOLDEN = REPO / "tests" / "golden" / "example"


def golden_files(project: Path) -> dict[str, bytes]:
    """The outputs under review: generated docs and the machine-readable packs."""
    found = {f"docs/{path.relative_to(project / 'build/docs').as_posix()}": path.read_bytes()
             for path in sorted((project / "build/docs").rglob("*.md"))}
    for path in sorted((project / "site/packs").rglob("pack.*")):
        found[f"packs/{path.relative_to(project / 'site/packs').as_posix()}"] = path.read_bytes()
    return found


def build_example(folder: Path) -> Path:
    project = copy_example(folder / "project")
    subprocess.run([sys.executable, "-m", "qunsop", "build", str(project)], check=True,
                   env={"SOURCE_DATE_EPOCH": AUTHORED_EPOCH, "QUNSOP_CACHE_DIR": "off",
                        "PATH": "/usr/bin:/bin"}, capture_output=True)
    return project


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        files = golden_files(build_example(Path(folder)))
    shutil.rmtree(GOLDEN, ignore_errors=True)
    for relative, data in files.items():
        path = GOLDEN / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    print(f"{len(files)} golden files written to {GOLDEN.relative_to(REPO)}")


if __name__ == "__main__":
    main()
