"""Turn parsed sources into models; map every Pydantic error back to its YAML node."""

from __future__ import annotations

import re
import types
import typing
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ValidationError

from .errors import Problem, did_you_mean
from .kinds import KINDS
from .load import FieldPath, SourceFile, dotted_path
from .models import Model

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
            problems.extend(describe_error(source, model_class, e) for e in error.errors())
            invalid.append(source)
            continue
        items.append(Item(model, source))
        problems.extend(check_file_name(source, model))
    return items, problems, invalid


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
    if item_id is not None and item_id != stem:
        line, column = source.marks.locate(("id",), at_key=True)
        return [Problem(source.path, line, column, "id", "id-filename",
                        f"文件名 `{stem}` 与 id `{item_id}` 不一致：建议把文件改名为 "
                        f"`{item_id}{PurePosixPath(source.path).suffix}`", "warning")]
    return []


def describe_error(source: SourceFile, model_class: type[BaseModel],
                   error: PydanticError) -> Problem:
    loc: FieldPath = tuple(part for part in error["loc"] if part != "[key]")
    kind = error["type"]
    at_key = kind in {"missing", "extra_forbidden"} or "[key]" in error["loc"]
    if kind == "missing":
        line, column = source.marks.locate(loc[:-1], at_key=True)
    else:
        line, column = source.marks.locate(loc, at_key=at_key)
    message = chinese_message(error, loc, model_class)
    return Problem(source.path, line, column, dotted_path(loc), _code(kind), message)


def _code(pydantic_type: str) -> str:
    return {
        "missing": "missing-field",
        "extra_forbidden": "unknown-field",
        "literal_error": "not-allowed",
        "value_error": "invalid-value",
        "string_pattern_mismatch": "bad-format",
    }.get(pydantic_type, "wrong-type" if pydantic_type.endswith("_type") else "invalid-value")


def chinese_message(error: PydanticError, loc: FieldPath, model_class: type[BaseModel]) -> str:
    kind, ctx, value = error["type"], error.get("ctx") or {}, error.get("input")
    name = str(loc[-1]) if loc else ""
    shown = _show(value)
    if kind == "missing":
        return f"缺少必填字段 `{name}`"
    if kind == "extra_forbidden":
        known = fields_at(model_class, loc[:-1])
        return f"未知字段 `{name}`{did_you_mean(name, known)}" + (
            "" if did_you_mean(name, known) else f"；可用字段：{'、'.join(known)}")
    if kind == "literal_error":
        allowed = re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
        return (f"`{shown}` 不是允许的值，应为以下之一：{'、'.join(allowed)}"
                f"{did_you_mean(str(value), allowed)}")
    if kind == "string_pattern_mismatch":
        return _pattern_message(name, value)
    if kind == "value_error":
        return str(error["msg"]).removeprefix("Value error, ")
    simple = {
        "string_type": "应为文字",
        "int_type": "应为整数", "int_parsing": "应为整数", "int_from_float": "应为整数",
        "float_type": "应为数字", "float_parsing": "应为数字",
        "bool_type": "应为 true 或 false", "bool_parsing": "应为 true 或 false",
        "list_type": "应为列表（每项单独一行，以 - 开头）",
        "dict_type": "应为“字段: 值”的键值对", "model_type": "应为“字段: 值”的键值对",
        "model_attributes_type": "应为“字段: 值”的键值对",
        "date_type": "应为日期，格式 YYYY-MM-DD，例如 2026-12-01",
        "date_parsing": "应为日期，格式 YYYY-MM-DD，例如 2026-12-01",
        "date_from_datetime_parsing": "应为日期，格式 YYYY-MM-DD，例如 2026-12-01",
        "date_from_datetime_inexact": "应为日期（不带时间），格式 YYYY-MM-DD",
    }
    if kind in simple:
        return f"`{name}` {simple[kind]}，现在是 {shown}"
    if kind in {"string_too_short", "too_short"}:
        minimum = ctx.get("min_length", 1)
        return f"`{name}` 不能为空" if minimum <= 1 else f"`{name}` 至少需要 {minimum} 项"
    if kind in {"string_too_long", "too_long"}:
        return f"`{name}` 太长，最多 {ctx.get('max_length')}"
    if kind == "greater_than_equal":
        return f"`{name}` 不能小于 {ctx.get('ge')}，现在是 {shown}"
    if kind == "less_than_equal":
        return f"`{name}` 不能大于 {ctx.get('le')}，现在是 {shown}"
    return f"`{name}`：{error['msg']}"


def _pattern_message(name: str, value: object) -> str:
    if name == "time" or (isinstance(value, str) and ":" in value):
        return f"时间格式应为 HH:MM（24 小时制），例如 07:30，现在是 {_show(value)}"
    suggestion = re.sub(r"[^a-z0-9]+", "-", str(value).lower()).strip("-")
    hint = f"（可以写成 `{suggestion}`）" if suggestion and suggestion != value else ""
    return f"编号只能用小写字母、数字和连字符，例如 hongbao-warmup，现在是 {_show(value)}{hint}"


def _show(value: object) -> str:
    if isinstance(value, dict):
        return "键值对"
    if isinstance(value, list):
        return "列表"
    text = repr(value) if not isinstance(value, str) else f"“{value}”"
    return text if len(text) <= 40 else text[:37] + "…"


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
