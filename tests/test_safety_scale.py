"""Issue 25, class 8: scale is a promise. A project whose build would need more than
1 GB by the measured model in generator/load.py (benchmarks/RESULTS.md) is refused with
a message, before any source is read."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from conftest import run_qunsop
from qunsop.load import MEMORY_LIMIT_MB, build_memory_mb
from safety import copy_minimal, qunsop

FILE_BYTES = 1_900_000  # under the 2 MB a single source may have


@pytest.fixture(scope="module")
def crowded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = copy_minimal(tmp_path_factory.mktemp("scale") / "project")
    folder = root / "content_library/posts/liked"
    number = 0
    while build_memory_mb(20 + number, number * FILE_BYTES) <= MEMORY_LIMIT_MB:
        (folder / f"big-{number:03d}.md").write_bytes(b"\xff" * FILE_BYTES)  # not even UTF-8
        number += 1
    return root


@pytest.mark.parametrize("command", ["validate", "build"])
def test_a_project_past_the_memory_model_is_refused_before_reading(crowded: Path, command: str) -> None:
    started = time.monotonic()
    run = qunsop(command, str(crowded))
    assert run.exit_code == 2, run.output[-500:]
    assert f"{MEMORY_LIMIT_MB:,} MB" in run.stderr and "1 GB" in run.stderr
    assert "not-utf8" not in run.output and "UTF-8" not in run.output  # nothing was read
    assert time.monotonic() - started < 30
    assert not (crowded / "site").exists()


def test_the_example_and_the_benchmark_sizes_are_well_within() -> None:
    assert build_memory_mb(350, 3 * 2**20) < 500  # the shipped example
    assert build_memory_mb(10_500, 12 * 2**20) < MEMORY_LIMIT_MB  # benchmarks' size L


def test_a_smaller_project_is_not_refused(tmp_path: Path) -> None:
    root = copy_minimal(tmp_path / "project")
    assert run_qunsop("validate", str(root)).exit_code == 0
