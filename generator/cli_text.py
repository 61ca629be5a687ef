"""Click's own messages (usage, help, usage errors) in Simplified Chinese.

Click looks its texts up through gettext; the CLI process points the lookup in
click's modules at this table, so a store chain's editor never meets
"No such option" or "Show this message and exit".
"""

from __future__ import annotations

import gettext
import sys

MESSAGES: dict[str, str] = {
    "Usage:": "用法：",
    "Options": "选项",
    "Commands": "命令",
    "Positional arguments": "参数",
    "Show this message and exit.": "显示这段帮助并退出。",
    "Show the version and exit.": "显示版本号并退出。",
    "%(prog)s, version %(version)s": "%(prog)s 版本 %(version)s",
    "Error: {message}": "错误：{message}",
    "Try '{command} {option}' for help.": "运行 '{command} {option}' 查看帮助。",
    "No such option {name!r}.": "没有选项 {name!r}。",
    "No such command {name!r}.": "没有命令 {name!r}。",
    "Missing argument": "缺少参数",
    "Missing option": "缺少选项",
    "Missing parameter": "缺少参数",
    "Missing parameter: {param_name}": "缺少参数：{param_name}",
    "Missing {param_type}": "缺少{param_type}",
    "Missing command.": "缺少命令：运行 qunsop --help 查看全部命令。",
    "Invalid value for {param_hint}: {message}": "{param_hint} 的值不对：{message}",
    "Invalid value: {message}": "值不对：{message}",
    "Option {name!r} does not take a value.": "选项 {name!r} 不需要值。",
    "Aborted!": "已取消",
    "default: {default}": "默认：{default}",
    "{value!r} is not a valid {number_type}.": "{value!r} 不是数字，这里要写一个整数。",
    "{value} is not in the range {range}.": "{value} 不在 {range} 范围内。",
    "{name} {filename!r} does not exist.": "{filename!r} 不存在。",
    "{name} {filename!r} is a file.": "{filename!r} 是文件，这里要写一个目录。",
    "{name} {filename!r} is a directory.": "{filename!r} 是目录，这里要写一个文件。",
    "{name} {filename!r} is not readable.": "{filename!r} 没有读取权限。",
    "{name} {filename!r} is not writable.": "{filename!r} 没有写入权限。",
    "directory": "目录",
    "file": "文件",
    "path": "路径",
    "integer": "整数",
    "Choose from:\n\t{choices}": "可选：\n\t{choices}",
}
PLURALS: dict[str, str] = {
    "Got unexpected extra argument ({args})": "多出了参数（{args}）",
    "Did you mean {possibility}?": "是不是 {possibility}？",
    "(Did you mean one of: {possibilities}?)": "（是不是其中之一：{possibilities}？）",
    "Option {name!r} requires an argument.": "选项 {name!r} 后面要写一个值。",
    "{value!r} is not {choice}.": "{value!r} 不是 {choice}。",
    "{value!r} is not one of {choices}.": "{value!r} 不在可选范围内：{choices}。",
}


def translate(message: str) -> str:
    return MESSAGES.get(message, message)


def translate_plural(singular: str, plural: str, count: int) -> str:
    return PLURALS.get(singular) or PLURALS.get(plural) or (singular if count == 1 else plural)


def use_chinese() -> None:
    """Point click's gettext lookups at the table above (the CLI process only)."""
    for name, module in list(sys.modules.items()):
        if name == "click" or name.startswith("click."):
            if getattr(module, "_", None) is gettext.gettext:
                module._ = translate  # type: ignore[attr-defined]
            if getattr(module, "ngettext", None) is gettext.ngettext:
                module.ngettext = translate_plural  # type: ignore[attr-defined]
