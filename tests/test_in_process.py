"""The tests' in-process `qunsop` (conftest.run_qunsop) behaves as a child process would and
leaves nothing behind for the next test."""

from __future__ import annotations

import gc
import os
import sys
from pathlib import Path

from conftest import ScratchProject, run_qunsop

# 2026-12-01 and 2026-12-02, 00:00 in Beijing
TUESDAY, WEDNESDAY = "1796054400", "1796140800"


def test_in_process_runs_answer_as_a_child_process_does(scratch: ScratchProject) -> None:
    (scratch.root / "playbooks/demo/tiers/c-store.yaml").write_text("id: c-store\nname: [\n", encoding="utf-8")
    for args in (("validate", str(scratch.root), "--format", "json"), ("pack", "nothing", str(scratch.root)),
                 ("validate", str(scratch.root / "missing"))):
        here, child = run_qunsop(*args), run_qunsop(*args, child=True)
        assert (here.exit_code, here.stdout, here.stderr) == (child.exit_code, child.stdout, child.stderr)
        assert here.exit_code in (1, 2)


def test_an_in_process_run_leaves_the_process_as_it_was(scratch: ScratchProject, tmp_path: Path) -> None:
    before = (dict(os.environ), os.getcwd(), sys.argv, sys.stdout, sys.stderr, sys.stdin, gc.get_threshold())
    run = run_qunsop("validate", str(scratch.root), cwd=tmp_path,
                     env={"SOURCE_DATE_EPOCH": None, "QUNSOP_TEST_MARK": "1"})
    assert run.exit_code == 0, run.output
    after = (dict(os.environ), os.getcwd(), sys.argv, sys.stdout, sys.stderr, sys.stdin, gc.get_threshold())
    assert after == before


def test_each_in_process_run_reads_its_own_clock(scratch: ScratchProject) -> None:
    tuesday = run_qunsop("pack", "week", str(scratch.root), env={"SOURCE_DATE_EPOCH": TUESDAY})
    wednesday = run_qunsop("pack", "week", str(scratch.root), env={"SOURCE_DATE_EPOCH": WEDNESDAY})
    assert tuesday.exit_code == wednesday.exit_code == 0, tuesday.output + wednesday.output
    assert "12月1日 周二" in tuesday.stdout and "12月2日 周三" in wednesday.stdout
    assert tuesday.stdout != wednesday.stdout


def test_a_working_folder_is_the_commands_own(scratch: ScratchProject) -> None:
    relative = run_qunsop("validate", ".", cwd=scratch.root)
    assert relative.exit_code == 0, relative.output
    assert os.getcwd() != str(scratch.root)
