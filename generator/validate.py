"""Turn parsed sources into models; map every Pydantic error back to its YAML node."""

from __future__ import annotations

import datetime as dt
import difflib
import json
import re
import types
import typing
import unicodedata
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, BeforeValidator, ValidationError
from pydantic.fields import FieldInfo

from .errors import Problem, did_you_mean
from .kinds import KINDS
from .load import FieldPath, SourceFile, dotted_path
from .models import Model, normalise_time

M = TypeVar("M", bound=Model)

PydanticError = dict[str, Any]


@dataclass(frozen=True)
class Item(Generic[M]):
    """A validated model together with the source it came from."""

    model: M
    source: SourceFile

    @property
    def playbook(self) -> str | None:
        return self.source.playbook

    def position(self, *path: str | int, at_key: bool = True) -> tuple[int, int]:
        return self.source.marks.locate(path, at_key=at_key)

    def problem(self, path: tuple[str | int, ...], code: str, message: str,
                severity: str = "error") -> Problem:
        line, column = self.position(*path)
        return Problem(self.source.path, line, column, dotted_path(path), code, message,
                       severity)  # type: ignore[arg-type]


def validate_sources(files: list[SourceFile]) -> tuple[list[Item[Model]], list[Problem],
                                                      list[SourceFile]]:
    """Validate every file; return the valid items, all problems and the invalid files."""
    items: list[Item[Model]] = []
    problems: list[Problem] = []
    invalid: list[SourceFile] = []
    for source in files:
        model_class = KINDS[source.kind].model
        try:
            model = model_class.model_validate(source.data)
        except ValidationError as error:
            details: list[PydanticError] = [dict(e) for e in error.errors()]
            problems.extend(describe_error(source, model_class, e)
                            for e in root_errors(source.data, details))
            invalid.append(source)
            continue
        items.append(Item(model, source))
        problems.extend(check_file_name(source, model))
    return items, problems, invalid


def root_errors(data: Any, errors: list[PydanticError]) -> list[PydanticError]:
    """One error per slip: union members' errors collapse into one, and a misspelt field
    (`audiance`) is reported where it is written, not again as the missing `audience`."""
    kept: list[PydanticError] = []
    seen: set[FieldPath] = set()
    for error in errors:
        loc = data_loc(data, error)
        if loc != tuple(part for part in error["loc"] if part != "[key]"):
            if loc in seen:
                continue  # another member of the same union already said what is wrong here
            seen.add(loc)
        kept.append({**error, "loc": loc, "at_key": "[key]" in error["loc"]})
    unknown = {error["loc"] for error in kept if error["type"] == "extra_forbidden"}
    typos = {(loc[:-1], str(loc[-1])) for loc in unknown if loc}

    def misspelt(error: PydanticError) -> bool:
        loc = error["loc"]
        if error["type"] != "missing" or not loc:
            return False
        written = [name for parent, name in typos if parent == loc[:-1]]
        return bool(difflib.get_close_matches(str(loc[-1]), written, n=1, cutoff=0.6))

    return [error for error in kept if not misspelt(error)]


def data_loc(data: Any, error: PydanticError) -> FieldPath:
    """The error's path through the data: union member tags such as literal[...] are dropped."""
    loc = [part for part in error["loc"] if part != "[key]"]
    path: list[str | int] = []
    current = data
    for number, part in enumerate(loc):
        if (isinstance(current, dict) and part in current) or (
                isinstance(current, list) and isinstance(part, int) and 0 <= part < len(current)):
            current = current[part]
        elif number == len(loc) - 1 and error["type"] == "missing" and isinstance(current, dict):
            pass  # the missing field itself
        elif isinstance(part, str) and (("[" in part) or part in _UNION_TAGS):
            continue  # a union member's tag, not a place in the file
        path.append(part)
    return tuple(path)


_UNION_TAGS = frozenset({"str", "int", "float", "bool", "none", "list", "dict", "date"})


def check_file_name(source: SourceFile, model: Model) -> list[Problem]:
    item_id = getattr(model, "id", None)
    stem = PurePosixPath(source.path).stem
    if source.kind == "playbook":
        stem = PurePosixPath(source.path).parent.name
        if item_id != stem:
            line, column = source.marks.locate(("id",), at_key=True)
            return [Problem(source.path, line, column, "id", "playbook-folder",
                            f"方案 id `{item_id}` 应与所在文件夹名 `{stem}` 一致")]
        return []
    return []  # other kinds: resolve.index_items, which knows every id in the project


def describe_error(source: SourceFile, model_class: type[BaseModel],
                   error: PydanticError) -> Problem:
    loc: FieldPath = tuple(part for part in error["loc"] if part != "[key]")
    kind = error["type"]
    if kind == "missing":
        # the mapping the field belongs in, at its first key: where the new line goes
        line, column = source.marks.locate(loc[:-1], at_key=False)
    else:
        at_key = kind == "extra_forbidden" or error.get("at_key") or "[key]" in error["loc"]
        line, column = source.marks.locate(loc, at_key=at_key)
    message = chinese_message(error, loc, model_class, expected_stem(source.path))
    return Problem(source.path, line, column, dotted_path(loc), _code(error), message)


def expected_stem(relative: str) -> str:
    path = PurePosixPath(relative)
    return path.parent.name if path.name in ("playbook.yaml", "playbook.yml") else path.stem


def _code(error: PydanticError) -> str:
    pydantic_type = error["type"]
    if pydantic_type in {"int_type", "float_type"} and isinstance(error.get("input"), str):
        return "invalid-value"  # a number written as words or in quotes
    return {
        "missing": "missing-field",
        "extra_forbidden": "unknown-field",
        "literal_error": "not-allowed",
        "value_error": "invalid-value",
        "string_pattern_mismatch": "bad-format",
    }.get(pydantic_type, "wrong-type" if pydantic_type.endswith("_type") else "invalid-value")


def chinese_message(error: PydanticError, loc: FieldPath, model_class: type[BaseModel],
                    stem: str = "") -> str:
    kind, ctx, value = error["type"], error.get("ctx") or {}, error.get("input")
    name = str(loc[-1]) if loc else ""
    shown = _show(value)
    info = field_info_at(model_class, loc)
    if kind == "missing":
        return _missing_message(name, info, stem)
    slip = _slip_message(kind, loc, value, name)
    if slip is not None:
        return slip
    if kind == "extra_forbidden":
        known = fields_at(model_class, loc[:-1])
        hint = did_you_mean(name, known)
        return f"未知字段 `{name}`{hint}" + (
            "：改成它就好" if hint else f"；这里可以写的字段：{'、'.join(known)}")
    if info is not None and _is_time(info) and kind in {"string_type", "string_pattern_mismatch"}:
        return _time_message(name, value)
    if kind in {"date_format", "date_with_time", "date_type", "date_parsing",
                "date_from_datetime_parsing", "date_from_datetime_inexact"}:
        return _date_message(name, value)
    if kind == "literal_error":
        allowed = re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
        same_letters = [option for option in allowed if option.lower() == str(value).lower()]
        hint = (f"（大小写要一致：写成 `{same_letters[0]}`）" if same_letters
                else did_you_mean(str(value), allowed))
        what = "这里的字段名只能是" if error.get("at_key") else f"`{name}` 应为"
        return f"{shown} 不是允许的值，{what}以下之一：{'、'.join(allowed)}{hint}"
    if kind == "string_pattern_mismatch":
        return _pattern_message(name, value)
    if kind == "value_error":
        return str(error["msg"]).removeprefix("Value error, ")
    if kind in {"list_type"}:
        return f"`{name}` 应为列表，现在是 {shown}：{_list_hint(value)}"
    if kind in {"dict_type", "model_type", "model_attributes_type"}:
        return f"`{name}` 应为“字段: 值”的键值对，现在是 {shown}{_mapping_hint(value)}"
    if kind in {"int_type", "int_parsing", "int_from_float", "float_type", "float_parsing"}:
        what = "数字" if kind.startswith("float") else "整数"
        return f"`{name}` 应为{what}，现在是 {shown}{_number_hint(value)}"
    if kind == "string_type":
        return f"`{name}` 应为文字，现在是 {shown}{_text_hint(value)}"
    if kind in {"bool_type", "bool_parsing"}:
        return f"`{name}` 应为 true 或 false，现在是 {shown}"
    if kind in {"string_too_short", "too_short"}:
        minimum = ctx.get("min_length", 1)
        return f"`{name}` 不能为空" if minimum <= 1 else f"`{name}` 至少需要 {minimum} 项"
    if kind in {"string_too_long", "too_long"}:
        return f"`{name}` 太长，最多 {ctx.get('max_length')}"
    if kind == "greater_than_equal":
        return f"`{name}` 不能小于 {ctx.get('ge')}，现在是 {shown}"
    if kind == "less_than_equal":
        return f"`{name}` 不能大于 {ctx.get('le')}，现在是 {shown}"
    return f"`{name}` 的值不对，现在是 {shown}（{error['msg']}）"


# --- hints: what the editor most likely meant, written the way qunsop reads it ----------


def _missing_message(name: str, info: FieldInfo | None, stem: str) -> str:
    title = f"（{info.title}）" if info is not None and info.title else ""
    example = example_value(name, info, stem)
    shown = f"{name}: {yaml_flow(example)}" if example is not None else f"{name}: …"
    return f"缺少必填字段 `{name}`{title}：在这一组字段里加一行，例如 `{shown}`"


def example_value(name: str, info: FieldInfo | None, stem: str) -> Any:
    """An example value for a field: its declared example, else one made from its type."""
    if name == "id" and stem:
        return stem
    if info is None:
        return None
    if info.examples:
        return info.examples[0]
    return _example_of(info.annotation, info)


def _example_of(annotation: Any, info: FieldInfo | None = None) -> Any:
    if info is not None and _is_time(info):
        return _QuotedTime("08:30")
    annotation = _unwrap(annotation)
    if typing.get_origin(annotation) is typing.Annotated:
        return _example_of(typing.get_args(annotation)[0])
    if annotation is dt.date:
        return dt.date(2026, 12, 1)
    if typing.get_origin(annotation) is typing.Literal:
        return typing.get_args(annotation)[0]
    if annotation is int or annotation is float:
        return 1
    if typing.get_origin(annotation) is list:
        inner = _example_of(typing.get_args(annotation)[0])
        return [] if inner is None else [inner]
    if annotation is str:
        return "…"
    return None


class _QuotedTime(str):
    """A time in an example: shown in quotes, as editors must write it."""


def yaml_flow(value: Any) -> str:
    """One-line YAML for an example value, quoted only where YAML needs it."""
    if isinstance(value, _QuotedTime) or (isinstance(value, str) and re.fullmatch(r"\d{1,2}:\d\d", value)):
        return f'"{value}"'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, int | float):
        return f"{value:g}"
    if isinstance(value, list):
        return "[" + ", ".join(yaml_flow(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key}: {yaml_flow(item)}" for key, item in value.items()) + "}"
    text = str(value)
    if re.search(r"[:#,\[\]{}&*!|>'\"%@`]", text) or text != text.strip() or not text:
        return json.dumps(text, ensure_ascii=False)
    return text


_CLOCK = re.compile(r"^(\d{1,2})(?:[:.：．](\d{1,2}))?$")


def suggest_time(value: object) -> str | None:
    """08:30 for what an editor writes as 8.30, 8:30, 830, 8点半 or 下午3点; None if unclear."""
    if isinstance(value, bool):
        return None
    if isinstance(value, float):
        hours, _, minutes = repr(value).partition(".")
        return _clock(int(hours), int(minutes.ljust(2, "0")[:2]))
    if isinstance(value, int):
        return _clock(value, 0) if value < 24 else _clock(value // 100, value % 100)
    if not isinstance(value, str):
        return None
    text = unicodedata.normalize("NFKC", value).strip().replace(" ", "")
    afternoon = text.startswith(("下午", "晚上", "傍晚", "中午"))
    text = re.sub(r"^(上午|早上|早晨|凌晨|下午|晚上|傍晚|中午)", "", text)
    text = text.replace("点半", ":30").replace("点钟", ":").replace("点", ":").replace("时", ":")
    text = text.replace("分", "").rstrip(":")
    if re.fullmatch(r"\d{3,4}", text):
        text = f"{text[:-2]}:{text[-2:]}"
    match = _CLOCK.match(text)
    if not match:
        return None
    hour, minute = int(match.group(1)), int((match.group(2) or "0").ljust(2, "0"))
    if afternoon and hour < 12:
        hour += 12
    return _clock(hour, minute)


def _clock(hours: int, minutes: int) -> str | None:
    return f"{hours:02d}:{minutes:02d}" if 0 <= hours < 24 and 0 <= minutes < 60 else None


def _time_message(name: str, value: object) -> str:
    suggestion = suggest_time(value)
    fix = (f"请写成 `{name}: \"{suggestion}\"`（24 小时制，加英文引号）" if suggestion
           else f"请写成 24 小时制的 HH:MM 并加英文引号，例如 `{name}: \"08:30\"`")
    if isinstance(value, float):
        return f"时间写成了小数 {value:g}（YAML 把不加引号的 8.30 读成数字）：{fix}"
    if isinstance(value, int):
        return f"时间写成了数字 {value}：{fix}"
    return f"时间 {_show(value)} 的写法不对：{fix}"


_DATE_PARTS = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?$")
_MONTH_DAY = re.compile(r"^(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?$")


def suggest_date(value: object) -> str | None:
    """2026-12-07 for 2026/12/07, 2026.12.07, 2026年12月7日 or 20261207; None if unclear."""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, int) and not isinstance(value, bool) and 19000101 <= value <= 29991231:
        value = str(value)
        value = f"{value[:4]}-{value[4:6]}-{value[6:]}"
    if not isinstance(value, str):
        return None
    match = _DATE_PARTS.match(unicodedata.normalize("NFKC", value).strip())
    if not match:
        return None
    try:
        return dt.date(*(int(part) for part in match.groups())).isoformat()
    except ValueError:
        return None


def _date_message(name: str, value: object) -> str:
    suggestion = suggest_date(value)
    if isinstance(value, dt.datetime):
        return f"`{name}` 只写日期，不写几点：请写成 `{name}: {suggestion}`"
    if suggestion:
        return f"日期 {_show(value)} 的写法不对：请写成 `{name}: {suggestion}`（年-月-日，用减号连接）"
    if isinstance(value, str) and _MONTH_DAY.match(unicodedata.normalize("NFKC", value).strip()):
        return (f"日期 {_show(value)} 缺少年份：请写成 年-月-日，例如 `{name}: 2026-12-07`")
    return (f"日期 {_show(value)} 的写法不对：请写成 年-月-日（YYYY-MM-DD），例如 "
            f"`{name}: 2026-12-07`")


def _list_hint(value: object) -> str:
    if isinstance(value, str) and value.startswith("-") and not value.startswith("- "):
        return f"“-” 后面要加一个空格，写成 `- {value[1:].strip()}`"
    return "每项单独一行，以“- ”开头（减号加空格），或写在一行里：[甲, 乙]"


def _mapping_hint(value: object) -> str:
    if isinstance(value, str):
        match = re.match(r"^([A-Za-z_][\w-]*)\s*[：:](\S.*)$", value)
        if match:
            colon = "中文冒号“：”要换成英文冒号，" if "：" in value[: match.end(1) + 2] else ""
            return f"：{colon}冒号后面要加一个空格，写成 `{match.group(1)}: {match.group(2).strip()}`"
    return "：每个字段单独一行，写成“字段: 值”（英文冒号加一个空格），比上一行多缩进 2 个空格"


def _number_hint(value: object) -> str:
    if isinstance(value, bool):
        return "（YAML 把 yes/no/true/false 读成了是非值）"
    if isinstance(value, str):
        digits = unicodedata.normalize("NFKC", value).strip().strip("\"'")
        if re.fullmatch(r"-?\d+(\.\d+)?", digits):
            return f"：数字不要加引号，写成 {digits}"
        return "：只写阿拉伯数字，例如 3"
    if isinstance(value, float):
        return "：这里要写整数"
    return ""


def _text_hint(value: object) -> str:
    if isinstance(value, bool):
        return "（YAML 把 yes/no/on/off/true/false 读成了是非值：要当文字请加引号）"
    if isinstance(value, int | float):
        return "（要当文字请加引号）"
    return ""


_SEPARATORS = {"，": "中文逗号“，”", "、": "顿号“、”", "；": "中文分号“；”"}
_CURLY_QUOTES = "“”‘’"
FULL_WIDTH_SPACE = "\u3000"


def _slip_message(kind: str, loc: FieldPath, value: object, name: str) -> str | None:
    """Chinese punctuation typed where YAML wants ASCII, named as what it is: a full-width
    space in a field name, curly quotes around a value, a full-width comma between list items."""
    if kind == "extra_forbidden" and FULL_WIDTH_SPACE in name:
        plain = name.replace(FULL_WIDTH_SPACE, "")
        return (f"字段名 `{plain}` 前后有全角空格（中文输入法打出的空格“　”）：YAML 只认英文半角空格，"
                f"请删掉它，用英文空格缩进")
    if not isinstance(value, str) or kind == "extra_forbidden":
        return None
    if value[:1] in _CURLY_QUOTES and value[-1:] in _CURLY_QUOTES and len(value) > 1:
        return (f"`{name}` 的值 {value} 用的是中文引号：YAML 只认英文引号，"
                f"写成 `{name}: \"{value[1:-1]}\"`")
    separators = [label for mark, label in _SEPARATORS.items() if mark in value]
    if separators and loc and isinstance(loc[-1], int) and len(loc) > 1:
        items = [part.strip() for part in re.split("[，、；,]", value) if part.strip()]
        return (f"`{loc[-2]}` 列表里用了{'、'.join(separators)}：列表的每一项要用英文逗号隔开，"
                f"写成 `{loc[-2]}: [{', '.join(items)}]`")
    if FULL_WIDTH_SPACE in value and kind == "string_pattern_mismatch":
        return (f"`{name}` 的值里有全角空格（中文输入法打出的空格“　”）：请删掉它，"
                f"写成 `{value.replace(FULL_WIDTH_SPACE, '').strip()}`")
    return None


def _pattern_message(name: str, value: object) -> str:
    suggestion = re.sub(r"[^a-z0-9]+", "-", str(value).lower()).strip("-")
    hint = f"（可以写成 `{suggestion}`）" if suggestion and suggestion != value else ""
    return f"编号只能用小写字母、数字和连字符，例如 hongbao-warmup，现在是 {_show(value)}{hint}"


def _show(value: object) -> str:
    if isinstance(value, dict):
        return "键值对"
    if isinstance(value, list):
        return "列表"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    text = repr(value) if not isinstance(value, str) else f"“{value}”"
    return text if len(text) <= 40 else text[:37] + "…"


def _is_time(info: FieldInfo) -> bool:
    return any(isinstance(meta, BeforeValidator) and meta.func is normalise_time for meta in info.metadata)


def field_info_at(model_class: type[BaseModel], loc: FieldPath) -> FieldInfo | None:
    """The Pydantic field found by walking `loc` from `model_class` (None for list items)."""
    annotation: Any = model_class
    info: FieldInfo | None = None
    for part in loc:
        annotation = _unwrap(annotation)
        if typing.get_origin(annotation) is typing.Annotated:
            annotation = _unwrap(typing.get_args(annotation)[0])
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            if not isinstance(part, str) or part not in annotation.model_fields:
                return None
            info = annotation.model_fields[part]
            annotation = info.annotation
        else:
            args = typing.get_args(annotation)
            if not args:
                return None
            info = None
            annotation = args[-1]  # list[X] -> X, dict[K, V] -> V
    return info


def fields_at(model_class: type[BaseModel], loc: FieldPath) -> list[str]:
    """Field names of the model found by walking `loc` from `model_class`."""
    annotation: Any = model_class
    for part in loc:
        annotation = _unwrap(annotation)
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            if not isinstance(part, str) or part not in annotation.model_fields:
                return []
            annotation = annotation.model_fields[part].annotation
        else:
            args = typing.get_args(annotation)
            if not args:
                return []
            annotation = args[-1]  # list[X] -> X, dict[K, V] -> V
    annotation = _unwrap(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return list(annotation.model_fields)
    return []


def _unwrap(annotation: Any) -> Any:
    """Optional[X] / X | None -> X."""
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        options = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
        return options[0] if len(options) == 1 else annotation
    return annotation
