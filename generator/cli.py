"""The `qunsop` command: maps user errors to exit codes; the work happens in the stages."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from .errors import ProblemsFound, UsageError, did_you_mean, has_errors
from .models import KINDS
from .pipeline import cached_problems, check_project
from .report import FORMATS, format_problems
from .schedule import requested_day_key

EXIT_OK, EXIT_INVALID, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3


def project_root(path: str) -> Path:
    root = Path(path).resolve()
    if not root.is_dir():
        raise click.UsageError(f"找不到目录 {path}")
    if not (root / "playbooks").is_dir() and not (root / "content_library").is_dir():
        raise click.UsageError(
            f"{path} 不是 qunsop 项目：里面应有 playbooks/ 和 content_library/ 文件夹")
    return root


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="qunsop")
def cli() -> None:
    """qunsop（群SOP）：把社群运营方案变成可搜索的 SOP 网站和每日推送包。"""


@cli.command()
@click.argument("path", default=".", type=click.Path(file_okay=False))
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True,
              help="输出格式：text 给人看，json 给工具用，github 生成 GitHub Actions 注释")
def validate(path: str, fmt: str) -> None:
    """检查所有源文件，一次列出全部问题。"""
    problems, files_checked = cached_problems(project_root(path))
    output = format_problems(problems, fmt, files_checked)
    if output:
        click.echo(output)
    sys.exit(EXIT_INVALID if has_errors(problems) else EXIT_OK)


@cli.command()
@click.argument("path", default=".", type=click.Path(file_okay=False))
@click.option("--site-dir", type=click.Path(file_okay=False), default=None,
              help="输出目录，默认是项目里的 site/")
def build(path: str, site_dir: str | None) -> None:
    """检查源文件，生成 SOP 网站和推送包（失败时保留上一次的 site/）。"""
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from .build import build_project
    from .engine import EngineError

    root = project_root(path)
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                  console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("开始", total=None)
        try:
            result = build_project(root, Path(site_dir) if site_dir else None,
                                   progress=lambda step: bar.update(task, description=step))
        except ProblemsFound as found:
            bar.stop()
            click.echo(format_problems(found.problems, "text", found.files_checked))
            click.echo("构建已停止：请先修正上面的问题（site/ 保持上一次的内容）", err=True)
            sys.exit(EXIT_INVALID)
        except EngineError as error:
            bar.stop()
            click.echo("MkDocs 生成失败（site/ 保持上一次的内容）：", err=True)
            for message in error.messages:
                click.echo(f"  {message}", err=True)
            sys.exit(EXIT_INVALID)
    if result.unchanged:
        click.echo(f"✓ 源文件没有变化，网站保持不变：{result.site_dir}")
    else:
        click.echo(f"✓ 网站已生成：{result.pages} 个页面，{result.files_written} 个文件有变化 → "
                   f"{result.site_dir}")


@cli.command()
@click.argument("path", default=".", type=click.Path(file_okay=False))
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
def serve(path: str, host: str, port: int) -> None:
    """生成网站并在本机预览；修改源文件或模板后自动重新生成并刷新浏览器。"""
    from . import engine
    from .build import build_project
    from .engine import EngineError
    from .render import TEMPLATES

    root = project_root(path)

    def rebuild() -> None:
        try:
            build_project(root)
            click.echo("✓ 已重新生成", err=True)
        except ProblemsFound as found:
            click.echo(format_problems(found.problems, "text", found.files_checked), err=True)
        except EngineError as error:
            click.echo("\n".join(error.messages), err=True)

    rebuild()
    watched = [root / "playbooks", root / "content_library", root / "mkdocs.yml", TEMPLATES]
    click.echo(f"预览地址：http://{host}:{port}/ （Ctrl+C 退出）", err=True)
    engine.serve_site(root / "site", rebuild, watched, host, port)


@cli.command()
@click.argument("kind", type=click.Choice([kind for kind in KINDS if kind != "placeholders"]))
@click.argument("item_id", metavar="ID")
@click.option("--playbook", default=None, help="属于哪个方案（项目里有多个方案时必填）")
@click.option("--path", "path", default=".", type=click.Path(file_okay=False), help="项目目录")
def new(kind: str, item_id: str, playbook: str | None, path: str) -> None:
    """新建一个源文件（带注释的模板），不会覆盖已有文件。"""
    from .scaffold import scaffold

    root = project_root(path)
    created = scaffold(root, kind, item_id, playbook)
    click.echo(f"✓ 已创建 {created.relative_to(root).as_posix()}：改好内容后运行 qunsop validate")


@cli.command()
@click.option("--out", default="schemas", show_default=True, type=click.Path(file_okay=False),
              help="JSON Schema 输出目录")
def schema(out: str) -> None:
    """为每种源文件生成 JSON Schema，供编辑器自动补全和检查。"""
    from .schema import write_schemas

    for path in write_schemas(Path(out)):
        click.echo(path.as_posix())


@cli.command()
@click.argument("path", default=".", type=click.Path(file_okay=False))
def stats(path: str) -> None:
    """内容统计：各排期的分类平衡、没用到的帖子、复用次数、即将失效、低于节奏的天数。"""
    from rich.console import Console

    from .stats import content_stats
    from .stats_table import print_stats

    checked = check_project(project_root(path))
    print_stats(content_stats(checked), Console())


@cli.command()
@click.argument("calendar")
@click.option("--date", "date_text", default=None, help="日期 YYYY-MM-DD（按日期的排期）")
@click.option("--day", "day_number", type=int, default=None, help="建群后第几天（按天的排期）")
@click.option("--path", "path", default=".", type=click.Path(file_okay=False), help="项目目录")
def pack(calendar: str, date_text: str | None, day_number: int | None, path: str) -> None:
    """在终端打印某一天的推送包（与 pack.txt 相同）。"""
    from .packs import pack_day, pack_text

    checked = check_project(project_root(path))
    if has_errors(checked.problems):
        click.echo(format_problems(checked.problems, "text", checked.files_checked))
        sys.exit(EXIT_INVALID)
    schedule = checked.schedules.get(calendar)
    if schedule is None:
        raise click.UsageError(f"找不到排期 `{calendar}`{did_you_mean(calendar, checked.schedules)}")
    try:
        key = requested_day_key(schedule, date_text, day_number)
    except UsageError as error:
        raise click.UsageError(str(error)) from None
    day = next((d for d in schedule.days if d.key == key), None)
    if day is None:
        first, last = schedule.days[0].key, schedule.days[-1].key
        raise click.UsageError(f"排期 `{calendar}` 没有 {key}：范围是 {first} ~ {last}")
    click.echo(pack_text(pack_day(schedule, day)), nl=False)


def main() -> None:
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("已取消", err=True)
        sys.exit(EXIT_USAGE)
    except click.ClickException as error:
        error.show()
        sys.exit(EXIT_USAGE)
    except UsageError as error:
        click.echo(f"用法错误：{error}", err=True)
        sys.exit(EXIT_USAGE)
    except SystemExit:
        raise
    except Exception as error:
        if os.environ.get("QUNSOP_DEBUG"):
            raise
        click.echo(f"qunsop 内部错误：{type(error).__name__}: {error}\n"
                   "这是 qunsop 的缺陷，不是你的内容问题；请把这条信息报告给开发者"
                   "（设置 QUNSOP_DEBUG=1 可看到详细信息）。", err=True)
        sys.exit(EXIT_INTERNAL)
