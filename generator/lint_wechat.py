"""WeChat sense: advice must use actions people actually have in an ordinary WeChat group.

Only the sender can recall a message, within 2 minutes; group owners and admins
can remove members but cannot delete or recall anyone else's message. An
instruction such as "发现广告先删掉" cannot be followed, so every text an editor
writes (posts, replies, games, plans, tiers, calendars...) is checked one clause
at a time. Deleting a line of a post before sending it, or a sender recalling
their own message, is fine; so is naming 企业微信, where the tools differ.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel

from .errors import Problem
from .kinds import item_kinds
from .settings import LintSettings
from .validate import Item

RULE = "delete-others-message"
DELETE = re.compile(r"删|撤回|撤掉|撤了")
CLAUSE_END = re.compile(r"[，。；！？!?;,\n]")
# the clause says who may not, or it is the sender doing it, or it is about editing a post
ALLOWED = re.compile(
    r"(?:不|别|没法|不能|无法|不要|不用|不会|没有|删不|撤不)[^，。；]{0,4}?(?:删|撤)"
    r"|(?:请|让|叫)[^，。；]{0,6}?(?:撤回|删)|自己|本人|发的人|发错|[2两二]\s*分钟|好友"
    r"|一行|那句|这句|那段|这段|项目|括号|那几个字|占位|删[^，。；]{0,3}再(?:发|转)")
MESSAGE = ("微信群里只有发消息的人自己能在 2 分钟内撤回，群主和管理员删不了、也撤不回别人的消息："
           "请改成能做到的动作，例如把发的人移出群、在群里发提醒、请发的人自己撤回；"
           "用企业微信客户群的，写明“企业微信”")


def instructions(text: str) -> list[int]:
    """Offsets of clauses in `text` that tell someone to delete or recall another's message."""
    if "企业微信" in text:
        return []  # its customer groups have other tools (anti-spam rules): the line names them
    found = []
    start = 0
    for end in [m.start() for m in CLAUSE_END.finditer(text)] + [len(text)]:
        clause = text[start:end]
        verb = DELETE.search(clause)
        if verb and not ALLOWED.search(clause):
            found.append(start + verb.start())
        start = end + 1
    return found


def texts(value: Any, loc: tuple[str | int, ...] = ()) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """Every string in a model with its field path (ids and paths never hold Chinese verbs)."""
    if isinstance(value, str):
        yield loc, value
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            yield from texts(getattr(value, name), (*loc, name))
    elif isinstance(value, (list, tuple)):
        for number, element in enumerate(value):
            yield from texts(element, (*loc, number))
    elif isinstance(value, dict):
        for key, element in value.items():
            yield from texts(element, (*loc, str(key)))


def wechat_actions(item: Item[Any], config: LintSettings) -> list[Problem]:
    """The clauses of an item's texts that ask for a delete or recall nobody can do."""
    level = config.level(RULE)
    if level == "off" or item.source.kind not in {kind.name for kind in item_kinds()}:
        return []
    problems: list[Problem] = []
    for loc, text in texts(item.model):
        for offset, line_text in enumerate(text.split("\n")):
            for column in instructions(line_text):
                problem = item.problem(loc, RULE, MESSAGE, level)
                if loc == ("body",):
                    problem = Problem(problem.file, item.source.body_line + offset,
                                      column + 1, problem.path, RULE, MESSAGE, level)
                if problem not in problems:
                    problems.append(problem)
    return problems
