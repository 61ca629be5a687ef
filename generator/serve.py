"""`qunsop serve`: build, serve on this machine, rebuild on change, show problems in the browser."""

from __future__ import annotations

import errno
import gc
import html
import socket
import time
from pathlib import Path

import click

from . import BUILD_GC_THRESHOLDS, TEMPLATES, engine
from .build import BuildOptions, build_project, output_folders
from .clock import Clock
from .engine_hooks import EngineError
from .errors import ProblemsFound, UsageError, printable
from .render import get_html_env
from .report import format_problems
from .write import OutputRefused


def serve_project(root: Path, host: str, port: int, playbook: str | None, allow_scripts: bool,
                  clock: Clock) -> None:
    gc.set_threshold(*DEFAULT_GC_THRESHOLDS)  # a long-running process collects as usual
    site, _work = output_folders(root, None)
    problems: list[str] = []  # the current problems page, or empty when the site is fine

    def rebuild() -> None:
        started = time.monotonic()
        gc.set_threshold(*BUILD_GC_THRESHOLDS)
        try:
            build_project(root, BuildOptions(clock, allow_scripts=allow_scripts, playbook=playbook))
            problems.clear()
            click.echo(f"✓ 已重新生成（{time.monotonic() - started:.1f} 秒）", err=True)
        except ProblemsFound as found:
            text = format_problems(found.problems, "text", found.files_checked)
            click.echo(text, err=True)  # format_problems made its content printable
            problems[:] = [problems_page(click.unstyle(text))]
        except (EngineError, OutputRefused, UsageError) as error:
            text = "\n".join(getattr(error, "messages", None) or [str(error)])
            click.echo(printable(text), err=True)
            problems[:] = [problems_page(text)]
        except Exception as error:  # any failure is shown, and serve keeps answering
            text = (f"qunsop 内部错误：{type(error).__name__}: {error}\n"
                    "这是 qunsop 的缺陷，不是你的内容问题；请把这条信息报告给开发者。"
                    "改动文件后会再试一次。")
            click.echo(printable(text), err=True)
            problems[:] = [problems_page(text)]
        finally:
            gc.set_threshold(*DEFAULT_GC_THRESHOLDS)

    refuse_busy_port(host, port)  # before a build the user would wait for in vain
    try:
        rebuild()
    except KeyboardInterrupt:
        click.echo("已停止预览", err=True)
        return
    watched = [root / "playbooks", root / "content_library", root / "mkdocs.yml", root / "qunsop.yaml",
               root / "data", TEMPLATES]  # data/: the weekly review's statistics
    click.echo(f"预览地址：http://{host}:{port}/ （Ctrl+C 退出）", err=True)
    try:
        engine.serve_site(site, rebuild, watched, host, port, lambda: problems[0] if problems else None)
    except OSError as error:
        if error.errno == errno.EADDRINUSE:
            raise busy_port(port) from None
        raise
    click.echo("已停止预览", err=True)


def refuse_busy_port(host: str, port: int) -> None:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server binds
        try:
            probe.bind((host, port))
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                raise busy_port(port) from None
            raise


def busy_port(port: int) -> UsageError:
    return UsageError(f"端口 {port} 已被占用（可能已经有一个 qunsop serve 在运行）："
                      f"用 --port 换一个，例如 --port {port + 1}")


def problems_page(text: str) -> str:
    """The page the browser shows while sources have errors; it reloads itself when fixed."""
    return get_html_env().get_template("serve/problems.html.j2").render(problems=html.unescape(text))


DEFAULT_GC_THRESHOLDS = (700, 10, 10)
