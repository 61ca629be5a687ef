"""Format problems for people (text), for tools (json) and for GitHub Actions."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace
from itertools import groupby

import click

from .errors import Problem, printable

FORMATS = ("text", "json", "github")
SEVERITY_LABELS = {"error": "错误", "warning": "警告"}


def format_problems(problems: Sequence[Problem], fmt: str, files_checked: int) -> str:
    """Problems as text, JSON or workflow commands; file names and messages (which quote
    content) with every control character made visible, before any styling is added."""
    problems = [replace(problem, file=printable(problem.file), path=printable(problem.path),
                        message=printable(problem.message)) for problem in problems]
    if fmt == "json":
        return json.dumps([p.as_json() for p in problems], ensure_ascii=False, indent=2)
    if fmt == "github":
        return "\n".join(github_annotation(p) for p in problems)
    return format_text(problems, files_checked)


def format_text(problems: Sequence[Problem], files_checked: int) -> str:
    lines: list[str] = []
    for file, group in groupby(problems, key=lambda p: p.file):
        lines.append(click.style(file, bold=True))
        for problem in group:
            colour = "red" if problem.severity == "error" else "yellow"
            where = f"{problem.line}:{problem.column}".rjust(7)
            field = f"  {problem.path}" if problem.path else ""
            lines.append(f"{where}  {click.style(SEVERITY_LABELS[problem.severity], fg=colour)}"
                         f"{click.style(field, fg='cyan')}  {problem.message}"
                         f"  {click.style('[' + problem.code + ']', dim=True)}")
        lines.append("")
    lines.append(summary(problems, files_checked))
    return "\n".join(lines)


def summary(problems: Sequence[Problem], files_checked: int) -> str:
    errors = sum(p.severity == "error" for p in problems)
    warnings = len(problems) - errors
    if not problems:
        return click.style(f"✓ 检查通过：{files_checked} 个源文件，没有发现问题", fg="green")
    files = len({p.file for p in problems})
    text = f"共 {files} 个文件有问题：{errors} 个错误，{warnings} 个警告（检查了 {files_checked} 个源文件）"
    return click.style(text, fg="red" if errors else "yellow")


def github_annotation(problem: Problem) -> str:
    """One workflow command: ::error file=F,line=L,col=C,title=T::message."""
    level = "error" if problem.severity == "error" else "warning"
    title = f"{problem.code} {problem.path}".strip()
    properties = ",".join([
        f"file={_escape_property(problem.file)}",
        f"line={problem.line}",
        f"col={problem.column}",
        f"title={_escape_property(title)}",
    ])
    return f"::{level} {properties}::{_escape_data(problem.message)}"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")
