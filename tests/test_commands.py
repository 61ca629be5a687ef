"""Commands that behave as a new editor expects: serve stops at the first Ctrl+C, an empty day
is not an error, build says how many warnings it left, schema writes into the project."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from conftest import REPO, ScratchProject, run_qunsop
from qunsop.kinds import KINDS

LAUNCH = "playbooks/demo/calendars/launch.yaml"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def as_in_a_terminal() -> None:
    """Ctrl+C as a terminal delivers it: a suite started in the background (`cmd &` in a
    script, as CI runners and nohup do) ignores SIGINT, and a child would inherit that."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_serve_stops_at_the_first_ctrl_c_without_a_traceback(scratch: ScratchProject) -> None:
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "qunsop", "serve", str(scratch.root), "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                              preexec_fn=as_in_a_terminal)
    said: list[str] = []
    serving = threading.Event()

    def read_stderr() -> None:
        assert server.stderr is not None
        for line in server.stderr:
            said.append(line)
            if "预览地址" in line:  # its first build is done and it is about to answer
                serving.set()

    reader = threading.Thread(target=read_stderr, daemon=True)
    reader.start()
    try:
        # its own words, not an answer on the port (another test's server could hold it a moment)
        assert serving.wait(120), "".join(said)
        deadline = time.monotonic() + 30
        while True:
            assert server.poll() is None and time.monotonic() < deadline, "".join(said)
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5):
                    break
            except OSError:
                time.sleep(0.3)
        server.send_signal(signal.SIGINT)  # what one Ctrl+C in the terminal sends
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            pytest.fail("serve did not stop within 60 s of one Ctrl+C:\n" + "".join(said))
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
    reader.join(10)
    err = "".join(said)
    assert server.returncode == 0, err
    assert "Traceback" not in err and "已停止预览" in err


def test_an_empty_day_in_pack_says_so_and_exits_0(scratch: ScratchProject) -> None:
    launch = scratch.root / LAUNCH
    text = launch.read_text(encoding="utf-8")
    day_two = text[text.index("  - day: 2"):]
    launch.write_text(text + day_two.replace("day: 2", "day: 4"), encoding="utf-8")
    empty = run_qunsop("pack", "launch", str(scratch.root), "--day", "3")
    assert empty.exit_code == 0, empty.output
    assert "这天没有安排" in empty.stdout and "day-03" in empty.stdout
    beyond = run_qunsop("pack", "launch", str(scratch.root), "--day", "5")
    assert beyond.exit_code == 2 and "范围是 day-01 ~ day-04" in beyond.output
    # a dated calendar's weekday without posts (12-04 is a Friday the week leaves empty)
    friday = run_qunsop("pack", "week", str(scratch.root), "--date", "2026-12-04")
    assert friday.exit_code == 0 and "这天没有安排" in friday.stdout, friday.output
    monday = run_qunsop("pack", "week", str(scratch.root), "--date", "2026-12-07")
    assert monday.exit_code == 0 and "这天没有安排" not in monday.stdout and "共 2 条" in monday.stdout


def test_build_ends_with_the_count_of_warnings_and_how_to_see_them(scratch: ScratchProject) -> None:
    clean = run_qunsop("build", str(scratch.root))
    assert clean.exit_code == 0, clean.output
    assert clean.stdout.strip().endswith("没有警告")
    # one warning: a file named other than its id
    story = scratch.root / "content_library/posts/liked/road-story.md"
    story.rename(story.with_name("road-story-old.md"))
    validate = scratch.validate()
    warnings = [p for p in validate.problems() if p["severity"] == "warning"]
    assert [(p["code"], p["file"]) for p in warnings] == [
        ("id-filename", "content_library/posts/liked/road-story-old.md")]
    for attempt in ("first", "unchanged"):
        built = run_qunsop("build", str(scratch.root))
        assert built.exit_code == 0, built.output
        last = built.stdout.strip().splitlines()[-1]
        assert last == f"有 {len(warnings)} 个警告（不影响生成）：运行 qunsop validate {scratch.root} 查看", \
            (attempt, last)


def test_schema_takes_the_project_folder(scratch: ScratchProject, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    for schema in (scratch.root / "schemas").glob("*.json") if (scratch.root / "schemas").exists() else ():
        schema.unlink()
    run = run_qunsop("schema", str(scratch.root), cwd=elsewhere)
    assert run.exit_code == 0, run.output
    assert sorted(path.name for path in (scratch.root / "schemas").iterdir()) == sorted(
        f"{kind}.schema.json" for kind in KINDS)
    assert list(elsewhere.iterdir()) == []
    refused = run_qunsop("schema", str(elsewhere), cwd=REPO)
    assert refused.exit_code == 2 and "不是 qunsop 项目" in refused.output
