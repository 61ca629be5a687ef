"""Find source files and parse them, keeping the line and column of every value.

The load stage knows nothing about models: it turns files into plain data plus
a map from field path to position, and reports files that cannot be read.
"""

from __future__ import annotations

import datetime as dt
import gc
import re
import stat
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import frontmatter
import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .cache import Cache, code_version, digest
from .errors import Problem
from .kinds import MARKDOWN_KINDS, REGISTRY

FieldPath = tuple[str | int, ...]
Position = tuple[int, int]

MAX_SOURCE_BYTES = 2 * 1024 * 1024
MAX_ALIAS_REVISITS = 10_000

STR_TAG = "tag:yaml.org,2002:str"
MERGE_TAG = "tag:yaml.org,2002:merge"
SAFE_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}"
    for name in ("str", "int", "float", "bool", "null", "timestamp", "seq", "map")
)


@dataclass(frozen=True)
class Marks:
    """Where each field path starts: the key for mapping entries, the node otherwise."""

    keys: dict[FieldPath, Position] = field(default_factory=dict)
    values: dict[FieldPath, Position] = field(default_factory=dict)

    def locate(self, path: FieldPath, *, at_key: bool = False) -> Position:
        """Position of the deepest existing prefix of `path`."""
        for end in range(len(path), -1, -1):
            prefix = path[:end]
            table = self.keys if at_key or end < len(path) else self.values
            if prefix in table:
                return table[prefix]
            if prefix in self.values:
                return self.values[prefix]
        return (1, 1)


@dataclass(frozen=True)
class SourceFile:
    """One parsed source: its data, where each value came from, and whose it is."""

    path: str
    kind: str
    playbook: str | None
    data: Any
    marks: Marks
    body_line: int = 0


@dataclass
class LoadResult:
    files: list[SourceFile] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (path, kind) that did not load
    files_seen: int = 0


class ParseCache:
    """Parsed sources by content hash: PyYAML is the slowest stage, so parse each text once.

    Stored as JSON in the user's cache, for this exact qunsop code only.
    """

    def __init__(self, cache: Cache) -> None:
        self.cache = cache
        self.name = "parse.json"
        stored = cache.read(self.name)
        version = code_version() if cache.folder else ""
        self.entries: dict[str, Any] = (
            stored["entries"] if isinstance(stored, dict) and stored.get("version") == version else {})
        self.version = version
        self.used: set[str] = set()
        self.changed = False

    def get(self, key: str) -> tuple[Any, Marks, int] | None:
        self.used.add(key)
        entry = self.entries.get(key)
        if entry is None:
            return None
        data, keys, values, body_line = entry
        marks = Marks({tuple(path): (line, column) for path, line, column in keys},
                      {tuple(path): (line, column) for path, line, column in values})
        return data, marks, body_line

    def put(self, key: str, source: SourceFile) -> None:
        self.used.add(key)
        self.entries[key] = [source.data, [[list(path), *at] for path, at in source.marks.keys.items()],
                             [[list(path), *at] for path, at in source.marks.values.items()],
                             source.body_line]
        self.changed = True

    def save(self) -> None:
        """Keep only what this run used, so the cache does not grow without bound."""
        if self.cache.folder is None or not (self.changed or set(self.entries) - self.used):
            return
        kept = {key: self.entries[key] for key in sorted(self.used) if key in self.entries}
        self.cache.write(self.name, {"version": self.version, "entries": kept})


class SourceProblem(Exception):
    def __init__(self, line: int, column: int, code: str, message: str, path: str = "") -> None:
        super().__init__(message)
        self.line, self.column, self.code, self.message, self.path = line, column, code, message, path

    def located(self, relative: str) -> Problem:
        return Problem(relative, self.line, self.column, self.path, self.code, self.message)


def load_project(root: Path, cache: ParseCache | None = None) -> LoadResult:
    """Load every source file under `root`, collecting all problems."""
    result = LoadResult()
    loaded: dict[int, SourceFile | Problem] = {}
    noticed: dict[int, list[Problem]] = {}  # problems found while reading (BOM, invisible characters)
    pending: list[tuple[int, str, str, str, str]] = []
    for number, (relative, kind) in enumerate(discover(root)):
        result.files_seen += 1
        try:
            if not inside(root, root / relative):
                raise SourceProblem(1, 1, "outside-project",
                                    "这个文件通过符号链接指向项目之外，已忽略：请把真实文件放进仓库")
            found: list[Problem] = []
            text = read_text(root / relative, relative, found)
            if found:
                noticed[number] = found
        except SourceProblem as problem:
            loaded[number] = problem.located(relative)
            result.failed.append((relative, kind))
            continue
        key = digest(f"{kind in MARKDOWN_KINDS}\0{text}".encode())
        cached = cache.get(key) if cache else None
        if cached is not None:
            data, marks, body_line = cached
            loaded[number] = SourceFile(relative, kind, playbook_of(relative), data, marks, body_line)
        else:
            pending.append((number, relative, kind, text, key))
    for (number, relative, kind, _text, key), outcome in zip(pending, parse_all(pending), strict=True):
        loaded[number] = outcome
        if cache and isinstance(outcome, SourceFile):
            cache.put(key, outcome)
        elif not isinstance(outcome, SourceFile):
            result.failed.append((relative, kind))
    for number in sorted(loaded):
        outcome = loaded[number]
        marks = outcome.marks if isinstance(outcome, SourceFile) else None
        result.problems += [with_field_path(problem, marks) for problem in noticed.get(number, [])]
        (result.files if isinstance(outcome, SourceFile) else result.problems).append(outcome)
    return result


def with_field_path(problem: Problem, marks: Marks | None) -> Problem:
    """Name the field a character problem sits in: the last value that starts before it."""
    if marks is None or problem.path or problem.code != "control-character":
        return problem
    where = (problem.line, problem.column)
    starts = [(at, path) for path, at in marks.values.items() if path and at <= where]
    if not starts:
        return problem
    _at, path = max(starts, key=lambda start: (start[0], len(start[1])))
    return replace(problem, path=dotted_path(path))


def parse_all(pending: list[tuple[int, str, str, str, str]]) -> list[SourceFile | Problem]:
    # Measured: a two-process pool was slower (2.6 s vs 2.2 s at size M), because
    # sending parsed data and marks back costs more than the parsing it saves.
    # Parsing allocates millions of small objects and none of them form cycles;
    # the cyclic collector rescanning them made loading grow faster than the input.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return [parse_job((relative, kind, text)) for _n, relative, kind, text, _key in pending]
    finally:
        if collecting:
            gc.enable()


def parse_job(job: tuple[str, str, str]) -> SourceFile | Problem:
    relative, kind, text = job
    try:
        return parse_source(text, relative, kind)
    except SourceProblem as problem:
        return problem.located(relative)
    except RecursionError:
        return Problem(relative, 1, 1, "", "too-deep", "文件嵌套太深，无法读取：请检查括号和缩进")


def discover(root: Path) -> Iterator[tuple[str, str]]:
    """Yield (repo-relative path, kind) for each source, in a stable order."""
    seen: set[str] = set()
    found: list[tuple[str, str]] = []
    for kind in REGISTRY:
        candidates = list(root.glob(kind.pattern))
        if kind.pattern.endswith(".yaml"):
            candidates += root.glob(kind.pattern[: -len(".yaml")] + ".yml")
        for path in candidates:
            relative = path.relative_to(root).as_posix()
            # folders and other non-files with a source's name are listed too: reading
            # them reports a located problem instead of silently skipping a source
            if relative not in seen and not path.name.startswith((".", "_")):
                seen.add(relative)
                found.append((relative, kind.name))
    yield from sorted(found)


def playbook_of(relative: str) -> str | None:
    parts = relative.split("/")
    return parts[1] if parts[0] == "playbooks" and len(parts) > 2 else None


def parse_source(text: str, relative: str, kind: str) -> SourceFile:
    if kind in MARKDOWN_KINDS:
        front, offset, body, body_line = split_front_matter(text)
        data, marks = parse_yaml(front, offset)
        if not isinstance(data, dict):
            line, column = marks.values.get((), (offset + 2, 1))
            raise SourceProblem(line, column, "not-a-mapping", "front matter 应为“字段: 值”的键值对")
        if "body" in data:
            line, column = marks.keys[("body",)]
            raise SourceProblem(line, column, "body-in-front-matter",
                                "正文不要写在 front matter 的 body 字段里，写在结束的 --- 之后",
                                "body")
        data["body"] = body
        marks.values[("body",)] = (body_line, 1)
        return SourceFile(relative, kind, playbook_of(relative), data, marks, body_line)
    data, marks = parse_yaml(text, 0)
    if data is None:
        raise SourceProblem(1, 1, "empty-file", "文件是空的：请填写内容，或删除这个文件")
    if not isinstance(data, dict):
        raise SourceProblem(1, 1, "not-a-mapping", "文件内容应为“字段: 值”的键值对")
    return SourceFile(relative, kind, playbook_of(relative), data, marks)


def inside(root: Path, path: Path) -> bool:
    """True when `path`, with every symlink followed, is still inside `root`."""
    return path.resolve().is_relative_to(root.resolve())


def read_text(path: Path, relative: str, problems: list[Problem]) -> str:
    """Read UTF-8 text; refuse huge files, other encodings and invisible control characters."""
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            what = "一个文件夹" if stat.S_ISDIR(info.st_mode) else "一个特殊文件（不是普通文件）"
            raise SourceProblem(1, 1, "not-a-file", f"这里是{what}，却用了源文件的名字：请改名或删除")
        size = info.st_size
        if size > MAX_SOURCE_BYTES:
            raise SourceProblem(1, 1, "file-too-large",
                                f"文件太大（{size / 1024 / 1024:.1f} MB），单个源文件最多 "
                                f"{MAX_SOURCE_BYTES // 1024 // 1024} MB，请拆分")
        raw = path.read_bytes()
    except OSError as error:
        raise SourceProblem(1, 1, "unreadable",
                            f"无法读取这个文件（{error.strerror or error}）：请检查文件权限") from None
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
        problems.append(Problem(relative, 1, 1, "", "utf8-bom",
                                "文件以 UTF-8 BOM 开头，请用“UTF-8（无 BOM）”重新保存", "warning"))
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        column = error.start - (raw.rfind(b"\n", 0, error.start) + 1) + 1
        raise SourceProblem(line, column, "not-utf8",
                            "文件不是 UTF-8 编码（可能是 GBK），请在编辑器里改存为 UTF-8") from None
    if not text.strip():
        raise SourceProblem(1, 1, "empty-file", "文件是空的：请填写内容，或删除这个文件")
    text = text.replace("\r\n", "\n")
    problems += check_characters(text, relative)
    return FORBIDDEN_CHARACTERS.sub("", text)


# Characters nobody types on purpose: C0/C1 controls (NUL…), lone CR, the line breaks
# PyYAML counts but editors do not (NEL, U+2028/2029: line numbers would drift), a BOM
# inside the text, and bidi controls that make text read differently than it is stored.
FORBIDDEN_CHARACTERS = re.compile(
    "[\x00-\x08\x0b\x0c\x0d\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029"
    "\u202a-\u202e\u2066-\u2069\ufeff]")
MAX_CHARACTER_REPORTS = 10


def check_characters(text: str, relative: str) -> list[Problem]:
    """One error per forbidden character, each at its own line and column.

    The caller then drops them and goes on: every other problem in the file is still
    reported, at the line an editor sees (PyYAML would count NEL and U+2028 as line
    breaks and shift every later line number), and the character causes no second
    report (an id with an invisible character in it is not also "not a valid id").
    """
    problems = []
    matches = list(FORBIDDEN_CHARACTERS.finditer(text))
    for number, found in enumerate(matches[:MAX_CHARACTER_REPORTS]):
        line, column = position_of(text, found.start())
        char = found.group(0)
        name = unicodedata.name(char, "控制字符")
        rest = len(matches) - MAX_CHARACTER_REPORTS
        last = number == MAX_CHARACTER_REPORTS - 1 and rest > 0
        more = f"；后面还有 {rest} 个，不再一一列出" if last else ""
        problems.append(Problem(relative, line, column, "", "control-character",
                                f"这里有一个看不见的字符 U+{ord(char):04X}（{name}）：多半是从网页或文档里"
                                f"复制带进来的，请删掉后重新输入这一处{more}"))
    return problems


def position_of(text: str, offset: int) -> Position:
    """1-based line and column of `offset`, counting only \\n as a line break."""
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


MAX_NESTING = 40
_BRACKETS = re.compile(r"[\[\]{}]")
_INDENT = re.compile(r"^ {80,}", re.M)


def check_nesting(text: str, line_offset: int) -> None:
    """Refuse absurdly deep nesting before the recursive parser sees it (it would crash).

    Real sources nest six levels at most. A cheap over-estimate decides whether the
    exact (event-based, non-recursive) count is needed.
    """
    if text.count("[") + text.count("{") > MAX_NESTING:
        depth = deepest = 0
        for match in _BRACKETS.finditer(text):
            depth += 1 if match.group(0) in "[{" else -1
            deepest = max(deepest, depth)
        if deepest <= MAX_NESTING and not _INDENT.search(text):
            return
    elif not _INDENT.search(text):
        return
    depth = 0
    try:
        for event in yaml.parse(text, Loader=yaml.CSafeLoader):
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_NESTING:
                    mark = event.start_mark
                    raise SourceProblem(mark.line + 1 + line_offset, mark.column + 1, "too-deep",
                                        f"嵌套超过 {MAX_NESTING} 层：源文件不需要这么深的列表或键值对，"
                                        "请检查括号和缩进")
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.YAMLError:
        return  # the parser reports the syntax error with its own message


_FRONT_MATTER = frontmatter.YAMLHandler()


def split_front_matter(text: str) -> tuple[str, int, str, int]:
    """Split Markdown into (front matter, its line offset, body, body's first line).

    python-frontmatter finds the --- boundaries; the offsets keep every reported
    line number exact.
    """
    if not _FRONT_MATTER.detect(text):
        raise SourceProblem(1, 1, "no-front-matter",
                            "Markdown 文件应以一行 --- 开头，接着写 front matter 字段，再以 --- 结束")
    try:
        front, content = _FRONT_MATTER.split(text)
    except ValueError:
        raise SourceProblem(1, 1, "unclosed-front-matter",
                            "front matter 没有结束：在字段之后加一行 ---，再写正文") from None
    front_start = text.find(front, 3) if front else text.index("\n") + 1
    offset = text.count("\n", 0, front_start)
    body = content.strip("\n").rstrip()
    body_start = len(text) - len(content.lstrip("\n")) if body else len(text)
    return front, offset, body, text.count("\n", 0, body_start) + 1


def parse_yaml(text: str, line_offset: int) -> tuple[Any, Marks]:
    """Parse one YAML document with the C loader and record every value's position."""
    check_nesting(text, line_offset)
    loader = yaml.CSafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, Marks()
        builder = _Builder(loader, line_offset, may_alias="&" in text)
        return builder.build(node, ()), builder.marks
    except yaml.MarkedYAMLError as error:
        raise _syntax_problem(error, text, line_offset) from None
    except yaml.YAMLError as error:
        raise SourceProblem(1 + line_offset, 1, "yaml-syntax", f"YAML 无法解析：{error}") from None
    finally:
        loader.dispose()


def _syntax_problem(error: yaml.MarkedYAMLError, text: str, line_offset: int) -> SourceProblem:
    mark = error.problem_mark or error.context_mark
    line = (mark.line + 1 if mark else 1) + line_offset
    column = mark.column + 1 if mark else 1
    problem = error.problem or ""
    source_lines = text.split("\n")
    bad_line = source_lines[mark.line] if mark and mark.line < len(source_lines) else ""
    if "\t" in bad_line[: len(bad_line) - len(bad_line.lstrip())] or "\\t" in problem:
        return SourceProblem(line, column, "tab-indent",
                             "YAML 不能用 Tab 缩进：请把这一行的 Tab 换成空格（建议 2 个空格）")
    if "maximum nesting depth" in problem:  # libyaml's own limit, met before ours is counted
        return SourceProblem(line, column, "too-deep",
                             f"嵌套超过 {MAX_NESTING} 层：源文件不需要这么深的列表或键值对，请检查括号和缩进")
    if "expected a single document" in problem or "but found another document" in problem:
        return SourceProblem(line, column, "multiple-documents",
                             "一个文件只能有一个 YAML 文档：删除多余的 --- 分隔线")
    hint = ""
    if "mapping values are not allowed" in problem:
        hint = "：冒号后面的文字如果本身含冒号，请用引号括起来，或检查上一行缩进"
    elif "could not find expected ':'" in problem:
        hint = "：这一行缺少“字段: 值”里的冒号，或缩进不对齐"
    elif "cannot start any token" in problem:
        hint = "：以 @、`、% 等符号开头的文字要用引号括起来，例如 \"@张师傅 你好\""
    elif "found unexpected end of stream" in problem or "found unexpected" in problem:
        hint = "：检查引号和括号是否成对"
    return SourceProblem(line, column, "yaml-syntax", f"YAML 语法错误（{problem}）{hint}")


class _Builder:
    """Turn a composed YAML node tree into Python data plus position marks."""

    def __init__(self, loader: yaml.CSafeLoader, line_offset: int, may_alias: bool) -> None:
        self.loader = loader
        self.line_offset = line_offset + 1
        self.marks = Marks()
        self.may_alias = may_alias  # without an anchor (&) no node can be reached twice
        self.seen: set[int] = set()
        self.revisits = 0

    def position(self, node: Node) -> Position:
        mark = node.start_mark
        return (mark.line + self.line_offset, mark.column + 1)

    def build(self, node: Node, path: FieldPath) -> Any:
        if self.may_alias:
            self._count(node)
        mark = node.start_mark
        self.marks.values[path] = (mark.line + self.line_offset, mark.column + 1)
        if node.tag not in SAFE_TAGS:
            raise SourceProblem(*self.position(node), "unsafe-tag",
                                f"不支持的 YAML 标签 {node.tag}：只能写文字、数字、日期、列表和键值对",
                                dotted_path(path))
        if isinstance(node, ScalarNode):
            return self._scalar(node, path)
        if isinstance(node, SequenceNode):
            return [self.build(child, (*path, index)) for index, child in enumerate(node.value)]
        if isinstance(node, MappingNode):
            return self._mapping(node, path)
        raise SourceProblem(*self.position(node), "yaml-node", "无法识别的 YAML 内容")

    def _count(self, node: Node) -> None:
        if id(node) in self.seen:
            self.revisits += 1
            if self.revisits > MAX_ALIAS_REVISITS:
                raise SourceProblem(*self.position(node), "alias-bomb",
                                    "YAML 别名（&/*）展开过多，文件已拒绝；请直接写出内容")
        self.seen.add(id(node))

    def _mapping(self, node: MappingNode, path: FieldPath) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                raise SourceProblem(*self.position(key_node), "bad-key", "字段名必须是简单文字")
            if key_node.tag == MERGE_TAG:
                # merge keys are refused whatever follows them: their override rules are
                # subtle, and every editor should see each field written where it applies
                raise SourceProblem(*self.position(key_node), "merge-key",
                                    "不支持 YAML 合并键 <<：请把要用的字段直接写在这里",
                                    dotted_path(path))
            key = str(key_node.value)
            key_path = (*path, key)
            if key in result:
                first_line = self.marks.keys[key_path][0]
                raise SourceProblem(*self.position(key_node), "duplicate-key",
                                    f"字段 `{key}` 重复出现（第 {first_line} 行已写过），请删掉一个",
                                    dotted_path(key_path))
            self.marks.keys[key_path] = self.position(key_node)
            result[key] = self.build(value_node, key_path)
        return result

    def _scalar(self, node: ScalarNode, path: FieldPath) -> Any:
        if node.tag == STR_TAG:
            return node.value  # the common case; skips PyYAML's generic constructor
        if node.tag == "tag:yaml.org,2002:int" and ":" in node.value:
            return node.value  # YAML 1.1 reads 8:30 as a base-60 number; keep clock times as text
        try:
            value = self.loader.construct_object(node)
        except (yaml.constructor.ConstructorError, ValueError) as error:
            what = "日期" if node.tag.endswith("timestamp") else "值"
            detail = getattr(error, "problem", None) or str(error)
            raise SourceProblem(*self.position(node), "bad-value",
                                f"“{node.value}”不是有效的{what}（{detail}）", dotted_path(path)) from None
        if isinstance(value, dt.datetime) and value.time() == dt.time(0):
            return value.date()
        return value


def dotted_path(path: FieldPath) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


