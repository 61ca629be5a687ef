"""The `qunsop` command: maps user errors to exit codes; the work happens in the stages.

Exit codes: 0 done, 1 the content has errors, 2 the command was called wrongly or the
machine refused (folders, permissions, a busy port), 3 a bug in qunsop itself.
"""

from __future__ import annotations

import datetime as dt
import gc
import io
import os
import sys
from pathlib import Path
from typing import Any

import click

from .clock import Clock, ClockError, parse_day, read_clock
from .errors import ProblemsFound, UsageError, did_you_mean, has_errors, printable
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


def say(message: str, err: bool = False, nl: bool = True) -> None:
    """Every line qunsop prints: content and file names never reach a terminal as
    control characters."""
    click.echo(printable(message), err=err, nl=nl)


def warn(messages: list[str] | tuple[str, ...]) -> None:
    for message in dict.fromkeys(messages):
        click.echo(click.style(printable(f"提示：{message}"), fg="yellow"), err=True)


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
        click.echo(output)  # format_problems made its content printable
    sys.exit(EXIT_INVALID if has_errors(problems) else EXIT_OK)


@cli.command()
@PATH_ARGUMENT
@click.option("--site-dir", type=click.Path(file_okay=False), default=None, metavar="目录",
              help="输出目录，默认是项目里的 site/（只会替换 qunsop 自己生成的目录）")
@PLAYBOOK_OPTION
@SCRIPTS_OPTION
@TODAY_OPTION
@click.option("--no-review", is_flag=True, help="这次不生成每周复盘（data/ 里的群统计）")
def build(path: str, site_dir: str | None, playbook: str | None, allow_scripts: bool,
          today: str | None, no_review: bool) -> None:
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
                               progress=lambda step: bar.update(task, description=step),
                               review=not no_review)
        result = build_project(root, options)
    warn(result.warnings)
    if result.unchanged:
        say(f"✓ 源文件没有变化，网站保持不变：{result.site_dir}")
    else:
        say(f"✓ 网站已生成：{result.pages} 个页面，{result.files_written} 个文件有变化 → "
                   f"{result.site_dir}")
    if result.content_warnings:
        only = f" --playbook {playbook}" if playbook else ""
        click.echo(f"有 {result.content_warnings} 个警告（不影响生成）："
                   f"运行 qunsop validate {path}{only} 查看")
    else:
        click.echo("没有警告")


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
        say(f"已删除 {folder}")
    if not removed:
        say("没有需要删除的生成目录")


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
    say(f"✓ 已创建 {created.relative_to(root).as_posix()}：改好内容后运行 qunsop validate")


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
    say(f"✓ 已创建项目 {created}：")
    say(f"  cd {directory} && qunsop validate && qunsop build")


@cli.command()
@PATH_ARGUMENT
@click.option("--out", default=None, type=click.Path(file_okay=False), metavar="目录",
              help="JSON Schema 输出目录，默认是项目里的 schemas/")
def schema(path: str, out: str | None) -> None:
    """为每种源文件生成 JSON Schema，供编辑器自动补全和检查。

    PATH 是项目目录，默认当前目录；文件写进项目的 schemas/（源文件第一行的
    yaml-language-server 注释指向那里）。
    """
    from .schema import write_schemas

    root = project_root(path)
    for written in write_schemas(Path(out) if out else root / "schemas"):
        say(written.as_posix())


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
    from .schedule import requested_day_key, within_calendar

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
    if (day is None and within_calendar(schedule, key)) or (day and not day.slots and not day.incidents):
        click.echo(f"这天没有安排：排期 `{calendar}` 的 {key} 没有要发的内容")
        return
    if day is None:
        if not schedule.days:
            raise click.UsageError(f"排期 `{calendar}` 没有任何一天")
        first, last = schedule.days[0].key, schedule.days[-1].key
        raise click.UsageError(f"排期 `{calendar}` 没有 {key}：范围是 {first} ~ {last}")
    site_url = checked.project.site.site_url if checked.project.site else ""
    context = pack_contexts(checked, site_url)[calendar]
    say(pack_text(pack_day(schedule, day, context)), nl=False)


@cli.command()
@click.argument("file", metavar="FILE", type=click.Path(dir_okay=False, exists=True))
@PATH_ARGUMENT
@click.option("--date", "date_text", default=None, metavar="日期", help="只看这一天 YYYY-MM-DD")
@click.option("--format", "fmt", type=click.Choice(["text", "csv"]), default="text", show_default=True,
              help="text 在终端看表格，csv 给表格软件")
@PLAYBOOK_OPTION
def receipts(file: str, path: str, date_text: str | None, fmt: str, playbook: str | None) -> None:
    """读回执：从群聊记录里找出“【已发回报】”，对照群名单列出谁发了、跳过了什么、谁没回报。

    FILE 是从店主群复制出来的聊天记录（文本文件），PATH 是项目目录（默认当前目录）。
    读不出的回报和不在名单里的群会连同行号列出来。
    """
    from .pipeline import CheckOptions, check_project
    from .receipts import read_export, read_receipts
    from .receipts_table import print_csv, print_report
    from .roster import roster_groups

    only = parse_day(date_text, "--date") if date_text is not None else None
    options = CheckOptions(command_clock(None), playbook=playbook, anchor=only)
    checked = check_project(project_root(path), options, lint=False)
    if has_errors(checked.problems):
        click.echo(format_problems(checked.problems, "text", checked.files_checked))
        sys.exit(EXIT_INVALID)
    if not checked.project.rosters:
        raise click.UsageError("项目里还没有群名单：先在 playbooks/<方案>/groups.csv 里列出要对照的群")
    groups = roster_groups(checked.project)
    report = read_receipts(read_export(Path(file)), groups, checked.schedules, only)
    if fmt == "csv":
        print_csv(report)
    else:
        print_report(report)


@cli.command()
@PATH_ARGUMENT
@click.option("--week", default=None, metavar="周",
              help="哪一周，例如 2026-W50（默认数据里最近的一周）")
@click.option("--tier", default=None, metavar="ID", help="只看这个群层级")
@click.option("--tag", default=None, metavar="标签=值", help="只看带这个标签的群，例如 省份=河北")
@click.option("--fail-on-alert", is_flag=True, help="有提醒时退出码为 1（给定时运行的 CI 用）")
@PLAYBOOK_OPTION
def review(path: str, week: str | None, tier: str | None, tag: str | None, fail_on_alert: bool,
           playbook: str | None) -> None:
    """每周复盘：读 data/ 里的群统计（CSV）和回报（聊天记录 .txt），对照方案的指标列出提醒。

    每个群只有人数和条数，不读成员名字。读不出的行连同 文件:行:列 列出来，其余的行照常统计。
    退出码 0（有没有提醒都是 0）；加 --fail-on-alert 时有提醒为 1。
    """
    from rich.console import Console

    from .models import Playbook
    from .pipeline import CheckOptions, check_project
    from .review import Scope, load_reviewer, week_key, week_start
    from .review_table import print_problems, print_review

    if week is not None and week_start(week) is None:
        raise click.UsageError(f"--week 要写成 年-W周，例如 2026-W50（现在是 {week}）")
    checked = check_project(project_root(path), CheckOptions(command_clock(None), playbook=playbook),
                            lint=False)
    if has_errors(checked.problems):
        click.echo(format_problems(checked.problems, "text", checked.files_checked))
        sys.exit(EXIT_INVALID)
    if not checked.project.rosters:
        raise click.UsageError("项目里还没有群名单：先在 playbooks/<方案>/groups.csv 里列出要复盘的群")
    reviewer = load_reviewer(checked.project, checked.schedules)
    console = Console(width=120)
    print_problems(reviewer.metrics.problems, console)
    weeks = reviewer.weeks()
    if not weeks:
        raise click.UsageError("data/ 里还没有群统计：把企业微信导出的客户群统计（CSV）"
                               "放进项目的 data/ 文件夹")
    start = week_start(week) if week is not None else None
    chosen = week_key(start) if start is not None else weeks[-1]
    if chosen not in weeks:
        warn([f"data/ 里没有 {chosen} 的统计：有的是 {weeks[0]} 到 {weeks[-1]}"])
    alerts = 0
    for item in checked.project.of(Playbook):
        own = item.model.id
        if (playbook is not None and own != playbook) or own not in checked.project.rosters:
            continue
        scopes = reviewer.scopes(item.model.id)
        if tier is not None:
            scopes = [scope for scope in scopes if scope.kind == "tier" and scope.key == tier]
            if not scopes:
                raise click.UsageError(f"群名单里没有群层级 `{tier}` 的群")
        elif tag is not None:
            key = tag.replace("：", "=").replace(":", "=")
            scopes = [scope for scope in scopes if scope.kind == "tag" and scope.key == key]
            if not scopes:
                raise click.UsageError(f"群名单里没有带标签 {tag} 的群（写成 标签=值，例如 省份=河北）")
        else:
            scopes = [Scope("all", "", "全部群")]
        for scope in scopes:
            result = reviewer.review(item.model, chosen, scope)
            print_review(result, console)
            alerts += len(result.alerts)
    sys.exit(EXIT_INVALID if fail_on_alert and alerts else EXIT_OK)


def main() -> None:
    from .cli_text import use_chinese
    from .engine_hooks import EngineError
    from .write import OutputCollision, OutputRefused

    use_chinese()
    from . import BUILD_GC_THRESHOLDS

    gc.set_threshold(*BUILD_GC_THRESHOLDS)  # a one-shot process (serve restores the default)
    try:
        cli.main(standalone_mode=False, prog_name="qunsop")
    except click.exceptions.Abort:
        say("已取消", err=True)
        sys.exit(EXIT_USAGE)
    except click.ClickException as error:
        shown = io.StringIO()  # click's own wording, then filtered like every other line
        error.show(file=shown)
        say(shown.getvalue(), err=True, nl=False)
        sys.exit(EXIT_USAGE)
    except UsageError as error:
        say(f"用法错误：{error}", err=True)
        sys.exit(EXIT_USAGE)
    except ClockError as error:
        say(f"日期：{error}", err=True)
        sys.exit(EXIT_USAGE)
    except ProblemsFound as found:
        click.echo(format_problems(found.problems, "text", found.files_checked))
        say("构建已停止：请先修正上面的问题（site/ 保持上一次的内容）", err=True)
        sys.exit(EXIT_INVALID)
    except EngineError as error:
        say("MkDocs 生成失败（site/ 保持上一次的内容）：", err=True)
        for message in error.messages:
            say(f"  {message}", err=True)
        sys.exit(EXIT_INVALID)
    except OutputRefused as error:  # the message says what and why (write, replace or delete)
        say(f"输出目录：{error}", err=True)
        sys.exit(EXIT_USAGE)
    except OutputCollision as error:
        say(f"无法写入输出目录：{error}", err=True)
        sys.exit(EXIT_USAGE)
    except OSError as error:
        where = f"{error.filename}：" if error.filename else ""
        say(f"文件操作失败：{where}{error.strerror or error}（检查目录权限和磁盘空间）", err=True)
        sys.exit(EXIT_USAGE)
    except SystemExit:
        raise
    except Exception as error:
        if os.environ.get("QUNSOP_DEBUG"):
            raise
        say(f"qunsop 内部错误：{type(error).__name__}: {error}\n"
                   "这是 qunsop 的缺陷，不是你的内容问题；请把这条信息报告给开发者"
                   "（设置 QUNSOP_DEBUG=1 可看到详细信息）。", err=True)
        sys.exit(EXIT_INTERNAL)
