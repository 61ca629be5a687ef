"""The `qunsop` command: maps user errors to exit codes; the work happens in the stages.

Exit codes: 0 done, 1 the content has errors, 2 the command was called wrongly or the
machine refused (folders, permissions, a busy port), 3 a bug in qunsop itself.
"""

from __future__ import annotations

import datetime as dt
import gc
import os
import sys
from pathlib import Path
from typing import Any

import click

from .clock import Clock, ClockError, parse_day, read_clock
from .errors import ProblemsFound, UsageError, did_you_mean, has_errors
from .kinds import SCAFFOLD_KINDS
from .models import CATEGORY_LABELS
from .report import FORMATS, format_problems

EXIT_OK, EXIT_INVALID, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3
DEFAULT_SITE_NAME, DEFAULT_SITE_URL = "群SOP", "https://sop.example.com/"  # `init` without answers
PATH_ARGUMENT = click.argument("path", default=".", type=click.Path(file_okay=False))
PLAYBOOK_OPTION = click.option("--playbook", default=None, metavar="ID",
                               help="只处理这个方案（内容库是共用的，总会检查）")
TODAY_OPTION = click.option("--today", default=None, metavar="YYYY-MM-DD",
                            help="把这一天当作今天（默认：环境变量 SOURCE_DATE_EPOCH，否则方案时区的今天）")
SCRIPTS_OPTION = click.option("--allow-scripts", is_flag=True,
                              help="允许 mkdocs.yml 里的 hooks 和 extra_javascript（维护者确认安全后才用）")


def command_clock(today: str | None) -> Clock:
    """The one place qunsop reads the system clock: once, when a command starts."""
    return read_clock(today, os.environ, dt.datetime.now(dt.UTC))


def project_root(path: str) -> Path:
    root = Path(path).resolve()
    if not root.is_dir():
        raise click.UsageError(f"找不到目录 {path}")
    if not (root / "playbooks").is_dir() and not (root / "content_library").is_dir():
        raise click.UsageError(
            f"{path} 不是 qunsop 项目：里面应有 playbooks/ 和 content_library/ 文件夹"
            "（新项目用 qunsop init 目录名 创建）")
    return root


def warn(messages: list[str] | tuple[str, ...]) -> None:
    for message in dict.fromkeys(messages):
        click.echo(click.style(f"提示：{message}", fg="yellow"), err=True)


class ChineseCommand(click.Command):
    """A command whose usage line reads `[选项]`: editors see no English placeholders."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("options_metavar", "[选项]")
        super().__init__(*args, **kwargs)


class ChineseGroup(click.Group):
    command_class = ChineseCommand

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("options_metavar", "[选项]")
        kwargs.setdefault("subcommand_metavar", "命令 [参数]...")
        super().__init__(*args, **kwargs)


@click.group(cls=ChineseGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="qunsop", message="%(prog)s 版本 %(version)s", help="显示版本号并退出。")
def cli() -> None:
    """qunsop（群SOP）：把社群运营方案变成可搜索的 SOP 网站和每日推送包。

    \b
    PATH 是项目目录（里面有 playbooks/ 和 content_library/），不写就是当前目录。
    每个命令的用法：qunsop 命令 --help
    """


@cli.command()
@PATH_ARGUMENT
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True,
              help="输出格式：text 给人看，json 给工具用，github 生成 GitHub Actions 注释")
@PLAYBOOK_OPTION
@SCRIPTS_OPTION
@TODAY_OPTION
def validate(path: str, fmt: str, playbook: str | None, allow_scripts: bool, today: str | None) -> None:
    """检查所有源文件，一次列出全部问题。

    PATH 是项目目录，默认当前目录。每个问题一行：行号:列号、错误或警告、字段路径、怎么改。
    退出码 0 没有错误，1 有错误，2 用法错误。
    """
    from .pipeline import CheckOptions, cached_problems

    options = CheckOptions(command_clock(today), allow_scripts=allow_scripts, playbook=playbook)
    problems, files_checked, warnings = cached_problems(project_root(path), options)
    warn(warnings)
    output = format_problems(problems, fmt, files_checked)
    if output:
        click.echo(output)
    sys.exit(EXIT_INVALID if has_errors(problems) else EXIT_OK)


@cli.command()
@PATH_ARGUMENT
@click.option("--site-dir", type=click.Path(file_okay=False), default=None, metavar="目录",
              help="输出目录，默认是项目里的 site/（只会替换 qunsop 自己生成的目录）")
@PLAYBOOK_OPTION
@SCRIPTS_OPTION
@TODAY_OPTION
def build(path: str, site_dir: str | None, playbook: str | None, allow_scripts: bool,
          today: str | None) -> None:
    """检查源文件，生成 SOP 网站和推送包（失败时保留上一次的 site/）。"""
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from .build import BuildOptions, build_project

    root = project_root(path)
    clock = command_clock(today)
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                  console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("开始", total=None)
        options = BuildOptions(clock, Path(site_dir) if site_dir else None, allow_scripts, playbook,
                               progress=lambda step: bar.update(task, description=step))
        result = build_project(root, options)
    warn(result.warnings)
    if result.unchanged:
        click.echo(f"✓ 源文件没有变化，网站保持不变：{result.site_dir}")
    else:
        click.echo(f"✓ 网站已生成：{result.pages} 个页面，{result.files_written} 个文件有变化 → "
                   f"{result.site_dir}")


@cli.command()
@PATH_ARGUMENT
@click.option("--site-dir", type=click.Path(file_okay=False), default=None, metavar="目录",
              help="网站目录，默认 site/")
def clean(path: str, site_dir: str | None) -> None:
    """删除 qunsop 生成的网站和工作目录（不是 qunsop 生成的一律不动）。"""
    from .build import clean_project

    root = project_root(path)
    removed = clean_project(root, Path(site_dir) if site_dir else None)
    for folder in removed:
        click.echo(f"已删除 {folder}")
    if not removed:
        click.echo("没有需要删除的生成目录")


@cli.command()
@PATH_ARGUMENT
@click.option("--host", default="127.0.0.1", show_default=True, metavar="地址", help="监听地址")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), metavar="端口",
              help="端口（1-65535）；被占用时换一个，例如 --port 8001")
@PLAYBOOK_OPTION
@SCRIPTS_OPTION
@TODAY_OPTION
def serve(path: str, host: str, port: int, playbook: str | None, allow_scripts: bool,
          today: str | None) -> None:
    """生成网站并在本机预览；修改源文件或模板后自动重新生成并刷新浏览器。"""
    from .serve import serve_project

    serve_project(project_root(path), host, port, playbook, allow_scripts, command_clock(today))


@cli.command()
@click.argument("kind", type=click.Choice(SCAFFOLD_KINDS), metavar="KIND")
@click.argument("item_id", metavar="ID")
@PATH_ARGUMENT
@PLAYBOOK_OPTION
@click.option("--category", type=click.Choice(list(CATEGORY_LABELS)), default="needed",
              show_default=True, help="帖子的分类（决定放在 content_library/posts/ 的哪个文件夹）")
@click.option("--relative", is_flag=True, help="排期按建群后第几天，而不是按日期")
def new(kind: str, item_id: str, path: str, playbook: str | None, category: str,
        relative: bool) -> None:
    """新建一个源文件（带注释的模板），不会覆盖已有文件。

    KIND 可以是：playbook tier calendar curriculum escalation campaign activity incident
    post game reply；ID 是新文件的 id（小写字母、数字和连字符）。post、game、reply 放在
    共用的内容库里，不用写 --playbook；其余的属于某个方案，项目里有多个方案时要写 --playbook。
    """
    from .scaffold import ScaffoldOptions, scaffold

    root = project_root(path)
    created = scaffold(root, kind, item_id,
                       ScaffoldOptions(command_clock(None), playbook, category, relative))
    click.echo(f"✓ 已创建 {created.relative_to(root).as_posix()}：改好内容后运行 qunsop validate")


@cli.command()
@click.argument("directory", type=click.Path(file_okay=False), metavar="目录")
@click.option("--name", default=None, metavar="名称", help="网站名称，例如“好孩子母婴 · 群SOP”")
@click.option("--url", default=None, metavar="网址", help="网站发布后的网址，例如 https://sop.example.com/")
@click.option("--playbook", default=None, metavar="ID", help="第一个方案的 id（小写字母、数字、连字符）")
@click.option("--example", is_flag=True, help="复制完整的示例项目（卡车轮胎），而不是空白项目")
def init(directory: str, name: str | None, url: str | None, playbook: str | None,
         example: bool) -> None:
    """新建一个 qunsop 项目：一个能直接检查和构建的最小方案（目录要不存在或为空）。"""
    from .init import InitOptions, init_project

    target = Path(directory)
    asking = not example and sys.stdin.isatty()  # in a script or CI: the defaults, no prompt
    if name is None and not example:
        name = click.prompt("网站名称", default=DEFAULT_SITE_NAME) if asking else DEFAULT_SITE_NAME
    if url is None and not example:
        url = click.prompt("网站发布后的网址", default=DEFAULT_SITE_URL) if asking else DEFAULT_SITE_URL
    created = init_project(target, InitOptions(command_clock(None), name, url, playbook, example))
    click.echo(f"✓ 已创建项目 {created}：")
    click.echo(f"  cd {directory} && qunsop validate && qunsop build")


@cli.command()
@click.option("--out", default="schemas", show_default=True, type=click.Path(file_okay=False),
              metavar="目录", help="JSON Schema 输出目录")
def schema(out: str) -> None:
    """为每种源文件生成 JSON Schema，供编辑器自动补全和检查。"""
    from .schema import write_schemas

    for path in write_schemas(Path(out)):
        click.echo(path.as_posix())


@cli.command()
@PATH_ARGUMENT
@PLAYBOOK_OPTION
@TODAY_OPTION
def stats(path: str, playbook: str | None, today: str | None) -> None:
    """内容统计：各排期的分类平衡、没用到的帖子、复用次数、即将失效、低于节奏的天数。

    每个方案一组；--playbook 只看一个方案。
    """
    from rich.console import Console

    from .pipeline import CheckOptions, check_project
    from .stats import content_stats
    from .stats_table import print_stats

    checked = check_project(project_root(path), CheckOptions(command_clock(today), playbook=playbook))
    warn(checked.warnings)
    playbooks = sorted({schedule.playbook for schedule in checked.schedules.values()})
    for owner in playbooks if playbook is None else [playbook]:
        print_stats(content_stats(checked, owner), owner, Console(width=80))


@cli.command()
@click.argument("calendar", metavar="CALENDAR")
@PATH_ARGUMENT
@click.option("--date", "date_text", default=None, metavar="日期",
              help="日期 YYYY-MM-DD（按日期的排期，默认今天）")
@click.option("--day", "day_number", type=int, default=None, metavar="天数",
              help="建群后第几天（按天的排期，第 1 天是建群当天）")
@PLAYBOOK_OPTION
@TODAY_OPTION
def pack(calendar: str, path: str, date_text: str | None, day_number: int | None,
         playbook: str | None, today: str | None) -> None:
    """在终端打印某一天的推送包（与 pack.txt 相同）。

    CALENDAR 是排期的 id，PATH 是项目目录（默认当前目录）。
    """
    from .packs import pack_contexts, pack_day, pack_text
    from .pipeline import CheckOptions, check_project
    from .schedule import requested_day_key

    clock = command_clock(today)
    asked = parse_day(date_text, "--date") if date_text else None
    checked = check_project(project_root(path), CheckOptions(clock, playbook=playbook, anchor=asked))
    if has_errors(checked.problems):
        click.echo(format_problems(checked.problems, "text", checked.files_checked))
        sys.exit(EXIT_INVALID)
    schedule = checked.schedules.get(calendar)
    if schedule is None:
        where = f"（方案 {playbook} 里）" if playbook else ""
        raise click.UsageError(f"找不到排期 `{calendar}`{where}{did_you_mean(calendar, checked.schedules)}")
    key = requested_day_key(schedule, date_text, day_number, clock.today_in(schedule.timezone))
    day = next((d for d in schedule.days if d.key == key), None)
    if day is None:
        if not schedule.days:
            raise click.UsageError(f"排期 `{calendar}` 没有任何一天")
        first, last = schedule.days[0].key, schedule.days[-1].key
        raise click.UsageError(f"排期 `{calendar}` 没有 {key}：范围是 {first} ~ {last}")
    site_url = checked.project.site.site_url if checked.project.site else ""
    context = pack_contexts(checked, site_url)[calendar]
    click.echo(pack_text(pack_day(schedule, day, context)), nl=False)


def main() -> None:
    from .cli_text import use_chinese
    from .engine import EngineError
    from .write import OutputCollision, OutputRefused

    use_chinese()
    from . import BUILD_GC_THRESHOLDS

    gc.set_threshold(*BUILD_GC_THRESHOLDS)  # a one-shot process (serve restores the default)
    try:
        cli.main(standalone_mode=False, prog_name="qunsop")
    except click.exceptions.Abort:
        click.echo("已取消", err=True)
        sys.exit(EXIT_USAGE)
    except click.ClickException as error:
        error.show()
        sys.exit(EXIT_USAGE)
    except UsageError as error:
        click.echo(f"用法错误：{error}", err=True)
        sys.exit(EXIT_USAGE)
    except ClockError as error:
        click.echo(f"日期：{error}", err=True)
        sys.exit(EXIT_USAGE)
    except ProblemsFound as found:
        click.echo(format_problems(found.problems, "text", found.files_checked))
        click.echo("构建已停止：请先修正上面的问题（site/ 保持上一次的内容）", err=True)
        sys.exit(EXIT_INVALID)
    except EngineError as error:
        click.echo("MkDocs 生成失败（site/ 保持上一次的内容）：", err=True)
        for message in error.messages:
            click.echo(f"  {message}", err=True)
        sys.exit(EXIT_INVALID)
    except OutputRefused as error:  # the message says what and why (write, replace or delete)
        click.echo(f"输出目录：{error}", err=True)
        sys.exit(EXIT_USAGE)
    except OutputCollision as error:
        click.echo(f"无法写入输出目录：{error}", err=True)
        sys.exit(EXIT_USAGE)
    except OSError as error:
        where = f"{error.filename}：" if error.filename else ""
        click.echo(f"文件操作失败：{where}{error.strerror or error}（检查目录权限和磁盘空间）", err=True)
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
