"""The pack scripts' logic (folding, the personal feed, start dates, pre-fill) in Node's test
runner: tests/js/*.test.js load the same source files the build joins into pack.js."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

JS_TESTS = Path(__file__).parent / "js"


def test_pack_script_units_pass_in_node() -> None:
    node = shutil.which("node")
    if node is None:
        pytest.fail("Node.js is required for the pack script tests (apt-get install nodejs)")
    files = sorted(str(path) for path in JS_TESTS.glob("*.test.js"))
    assert files
    done = subprocess.run([node, "--test", *files], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "# fail 0" in done.stdout and "# pass 4" in done.stdout
