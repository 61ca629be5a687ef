"""The command line in Chinese and consistent: help, usage errors, PATH, stats width, a busy port."""

from __future__ import annotations

import shutil
import socket
from pathlib import Path

import pytest
from rich.cells import cell_len

from conftest import MINIMAL, REPO, run_qunsop

COMMANDS = ("validate", "build", "clean", "serve", "new", "init", "schema", "stats", "pack")
# click's English usage texts; the CLI shows them in Chinese
ENGLISH = ("Usage:", "Options", "Show this message", "No such option", "Error:", "Missing argument",
           "[OPTIONS]", "COMMAND [ARGS]", "TEXT", "INTEGER", "DIRECTORY", "Try '", "is not a valid",
           "does not exist", ", version")


def assert_no_english(text: str) -> None:
    for english in ENGLISH:
        assert english not in text, f"{english!r} in:\n{text}"


@pytest.mark.parametrize("command", ("", *COMMANDS))
def test_help_is_chinese(command: str) -> None:
    run = run_qunsop(*filter(None, [command]), "--help")
    assert run.exit_code == 0, run.output
    assert "用法：" in run.stdout and "选项" in run.stdout
    assert_no_english(run.output)


@pytest.mark.parametrize("command", ("", *COMMANDS))
def test_a_bad_option_is_a_chinese_usage_error(command: str) -> None:
    run = run_qunsop(*filter(None, [command]), "--no-such-option")
    assert run.exit_code == 2
    assert "没有选项 '--no-such-option'" in run.output and "用法：" in run.output
    assert_no_english(run.output)


@pytest.mark.parametrize("args", [
    ("new",), ("new", "post"), ("new", "postt", "x"), ("pack",), ("init",), ("valdate",),
    ("serve", "--port", "abc"), ("serve", "--port", "0"), ("pack", "week", "--day", "abc"),
    ("validate", ".", "extra"), ("validate", "--format", "xml"), ("stats", "--playbook"),
    ("new", "post", "x", "--category", "food"), ("validate", "/no/such/folder"),
    ("validate", str(REPO / "README.md")), ("--version",),
], ids=lambda args: " ".join(args))
def test_usage_errors_are_chinese(args: tuple[str, ...]) -> None:
    run = run_qunsop(*args)
    assert "Traceback" not in run.output
    assert run.exit_code == (0 if args == ("--version",) else 2), run.output
    assert_no_english(run.output)


def test_path_is_the_positional_argument_everywhere() -> None:
    for command in ("validate", "build", "clean", "serve", "stats", "new", "pack"):
        usage = run_qunsop(command, "--help").stdout.splitlines()[0]
        assert usage.endswith("[PATH]"), usage
        assert "--path" not in run_qunsop(command, "--help").stdout


def test_not_a_project_says_how_to_start_one(tmp_path: Path) -> None:
    run = run_qunsop("validate", str(tmp_path))
    assert run.exit_code == 2
    assert "不是 qunsop 项目" in run.output and "qunsop init" in run.output


def test_stats_fits_80_columns_per_playbook() -> None:
    for root in (MINIMAL, REPO):
        run = run_qunsop("stats", str(root), env={"COLUMNS": "80"})
        assert run.exit_code == 0, run.output
        wide = [line for line in run.stdout.splitlines() if cell_len(line) > 80]
        assert wide == [], wide
        header = next(line for line in run.stdout.splitlines() if "排期" in line and "少发" in line)
        assert header.split() == ["排期", "天数", "条数", "喜欢", "关注", "需要", "产品", "活动", "游戏",
                                  "互动", "少发"]
    run = run_qunsop("stats", str(REPO), env={"COLUMNS": "80"})
    ids = [line.split()[0] for line in run.stdout.splitlines() if line.startswith(" c-") or
           line.startswith(" b-")]
    assert "c-store-launch-14" in ids and "c-alliance-daily" in ids  # no id folded in two


def test_serve_on_a_busy_port_is_a_clear_usage_error(tmp_path: Path) -> None:
    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen()
    port = busy.getsockname()[1]
    try:
        project = tmp_path / "project"
        shutil.copytree(MINIMAL, project)
        run = run_qunsop("serve", str(project), "--port", str(port))
    finally:
        busy.close()
    assert run.exit_code == 2, run.output
    assert f"端口 {port} 已被占用" in run.output and f"--port {port + 1}" in run.output
    assert "内部错误" not in run.output and "Traceback" not in run.output
    # refused before building or announcing an address that would not answer
    assert "预览地址" not in run.output and not (project / "site").exists()
