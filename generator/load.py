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
import msgspec
import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .cache import Cache, code_version, digest
from .errors import FORBIDDEN_CHARACTERS, Problem, UsageError
from .kinds import KINDS, all_kinds
from .roster_csv import CsvProblem, parse_roster_csv

FieldPath = tuple[str | int, ...]
Position = tuple[int, int]

MAX_SOURCE_BYTES = 2 * 1024 * 1024
# A build's peak memory (every process, summed; benchmarks/memory.py, figures in
# benchmarks/RESULTS.md) follows the number of sources and their size: one-line posts,
# 446 MB at 10,000, 754 MB at 30,000 and 980 MB at 44,000; 1,000 posts of 28 KB, 966 MB.
# The model below is at or above every one of them; a project it puts over
# MEMORY_LIMIT_MB is refused (one-line posts: about 42,000).
BASE_MB, MB_PER_1000_SOURCES, MB_PER_SOURCE_MB = 300, 14, 26
MEMORY_LIMIT_MB = 1000
MAX_ALIAS_REVISITS = 10_000

STR_TAG = "tag:yaml.org,2002:str"
MERGE_TAG = "tag:yaml.org,2002:merge"
SAFE_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}"
    for name in ("str", "int", "float", "bool", "null", "timestamp", "seq", "map")
)


class Marks:
    """Where each field path starts: the key for mapping entries, the node otherwise.

    Marks read back from the parse cache stay packed until a problem needs a position:
    most runs locate nothing in most files, and unpacking every table cost more than
    reading them.
    """

    def __init__(self, keys: dict[FieldPath, Position] | None = None,
                 values: dict[FieldPath, Position] | None = None, packed: bytes | None = None) -> None:
        self._keys = {} if keys is None else keys
        self._values = {} if values is None else values
        self._packed = packed

    @property
    def keys(self) -> dict[FieldPath, Position]:
        self._unpack()
        return self._keys

    @property
    def values(self) -> dict[FieldPath, Position]:
        self._unpack()
        return self._values

    def pack(self) -> bytes:
        return PACKER.encode([[[list(path), *at] for path, at in table.items()]
                              for table in (self.keys, self.values)])

    def _unpack(self) -> None:
        if self._packed is None:
            return
        keys, values = msgspec.msgpack.decode(self._packed)
        self._keys = {tuple(path): (line, column) for path, line, column in keys}
        self._values = {tuple(path): (line, column) for path, line, column in values}
        self._packed = None

    def locate(self, path: FieldPath, *, at_key: bool = False) -> Position:
        """Position of the deepest existing prefix of `path`."""
        keys, values = self.keys, self.values
        for end in range(len(path), -1, -1):
            prefix = path[:end]
            table = keys if at_key or end < len(path) else values
            if prefix in table:
                return table[prefix]
            if prefix in values:
                return values[prefix]
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
    key: str = ""  # the digest of its kind and text: what rules that read it alone depend on


@dataclass
class LoadResult:
    files: list[SourceFile] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (path, kind) that did not load
    files_seen: int = 0


class ParseCache:
    """Parsed sources by content hash: PyYAML is the slowest stage, so parse each text once.

    Stored as MessagePack in the user's cache (plain data, see cache.py), for this exact qunsop
    code only. Each entry keeps its data and its marks as separate packed blobs: a run
    unpacks the data of the files it reads and the marks only where it reports a problem,
    and saving passes unchanged blobs through untouched.
    """

    NAME = "parse.msgpack"

    def __init__(self, cache: Cache) -> None:
        self.cache = cache
        version = code_version() if cache.folder else ""
        self.entries: dict[str, list[Any]] = {}
        stored = stored_entries(cache.read_bytes(self.NAME), version)
        if stored is not None:
            self.entries = stored
        self.version = version
        self.used: set[str] = set()
        self.changed = False

    def get(self, key: str) -> tuple[Any, Marks, int] | None:
        self.used.add(key)
        entry = self.entries.get(key)
        if entry is None:
            return None
        try:
            data_blob, marks_blob, body_line = entry
            return UNPACKER.decode(data_blob), Marks(packed=marks_blob), int(body_line)
        except (msgspec.DecodeError, TypeError, ValueError):
            return None

    def put(self, key: str, source: SourceFile) -> None:
        self.used.add(key)
        try:
            data = PACKER.encode(tagged_dates(source.data))
        except (UncachableKey, OverflowError, TypeError):
            return  # not exactly representable (a date as a key, a 30-digit number): parsed again
        self.entries[key] = [data, source.marks.pack(), source.body_line]
        self.changed = True

    def save(self) -> None:
        """Keep only what this run used, so the cache does not grow without bound."""
        if self.cache.folder is None or not (self.changed or set(self.entries) - self.used):
            return
        kept = {key: self.entries[key] for key in sorted(self.used) if key in self.entries}
        self.cache.write_bytes(self.NAME, PACKER.encode({"version": self.version, "entries": kept}))


def stored_entries(body: bytes | None, version: str) -> dict[str, list[Any]] | None:
    if body is None:
        return None
    try:
        stored = msgspec.msgpack.decode(body)
    except msgspec.DecodeError:
        return None
    entries = stored.get("entries") if isinstance(stored, dict) else None
    if not isinstance(entries, dict) or stored.get("version") != version:
        return None
    return entries


# YAML gives dates and timestamps, which MessagePack has no exact type for: they travel
# as extension values holding their ISO text, so a cached parse equals a fresh one
DATE_EXT, DATETIME_EXT = 1, 2


class UncachableKey(Exception):
    """A mapping key (a date) that would come back from the cache as another type."""


def tagged_dates(value: Any) -> Any:
    if isinstance(value, dict):
        if any(isinstance(key, dt.date) for key in value):
            raise UncachableKey
        return {key: tagged_dates(item) for key, item in value.items()}
    if isinstance(value, list):
        return [tagged_dates(item) for item in value]
    if isinstance(value, dt.datetime):
        return msgspec.msgpack.Ext(DATETIME_EXT, value.isoformat().encode())
    if isinstance(value, dt.date):
        return msgspec.msgpack.Ext(DATE_EXT, value.isoformat().encode())
    return value


def untagged_date(code: int, data: memoryview) -> dt.date:
    text = bytes(data).decode()
    if code == DATE_EXT:
        return dt.date.fromisoformat(text)
    if code == DATETIME_EXT:
        return dt.datetime.fromisoformat(text)
    raise ValueError(f"unknown extension {code}")


PACKER = msgspec.msgpack.Encoder()
UNPACKER = msgspec.msgpack.Decoder(ext_hook=untagged_date)


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
    sources = list(discover(root))
    refuse_too_large(root, sources)
    real_root = root.resolve()
    for number, (relative, kind) in enumerate(sources):
        result.files_seen += 1
        try:
            if not inside(real_root, root / relative):
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
        # a CSV's key is marked as such; YAML and Markdown keys are as they always were
        key = digest(f"{KINDS[kind].markdown}{'csv' if is_csv(relative) else ''}\0{text}".encode())
        cached = cache.get(key) if cache else None
        if cached is not None:
            data, marks, body_line = cached
            loaded[number] = SourceFile(relative, kind, playbook_of(relative), data, marks, body_line,
                                        key)
        else:
            pending.append((number, relative, kind, text, key))
    for (number, relative, kind, _text, key), outcome in zip(pending, parse_all(pending), strict=True):
        if isinstance(outcome, SourceFile):
            outcome = replace(outcome, key=key)
        loaded[number] = outcome
        if cache and isinstance(outcome, SourceFile):
            cache.put(key, outcome)
        elif not isinstance(outcome, SourceFile):
            result.failed.append((relative, kind))
    for number in sorted(loaded):
        outcome = loaded[number]
        if isinstance(outcome, SourceFile):
            outcome, found_in_values = check_values(outcome)
            noticed.setdefault(number, []).extend(found_in_values)
        found_marks = outcome.marks if isinstance(outcome, SourceFile) else None
        result.problems += [with_field_path(problem, found_marks) for problem in noticed.get(number, [])]
        if isinstance(outcome, SourceFile):
            result.files.append(outcome)
        else:
            result.problems.append(outcome)
    return result


def build_memory_mb(count: int, total_bytes: int) -> int:
    """The measured model of a build's peak memory for this many sources of this size."""
    return round(BASE_MB + MB_PER_1000_SOURCES * count / 1000 + MB_PER_SOURCE_MB * total_bytes / 2**20)


def refuse_too_large(root: Path, sources: list[tuple[str, str]]) -> None:
    """Refuse, before reading any of them, sources a build could not hold in 1 GB."""
    total = 0
    for relative, _kind in sources:
        try:
            size = (root / relative).stat().st_size
        except OSError:
            continue  # reported when it is read
        if size <= MAX_SOURCE_BYTES:  # a larger one is refused on its own, never read
            total += size
    needed = build_memory_mb(len(sources), total)
    if needed > MEMORY_LIMIT_MB:
        raise UsageError(f"项目有 {len(sources):,} 个源文件，共 {total / 2**20:.1f} MB，"
                         f"生成网站预计要用 {needed:,} MB 内存，超过 qunsop 的上限 {MEMORY_LIMIT_MB:,} MB"
                         f"（约 1 GB；每 1,000 个文件约 {MB_PER_1000_SOURCES} MB，"
                         f"每 1 MB 文字约 {MB_PER_SOURCE_MB} MB）："
                         "请把不再用的帖子移出仓库、缩短过长的正文，或按方案拆成几个项目")


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
    for kind in all_kinds():
        candidates = list(root.glob(kind.pattern))
        if kind.pattern.endswith(".yaml"):
            candidates += root.glob(kind.pattern[: -len(".yaml")] + ".yml")
        for pattern in kind.alternates:
            candidates += root.glob(pattern)
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


def is_csv(relative: str) -> bool:
    return relative.endswith(".csv")


def parse_source(text: str, relative: str, kind: str) -> SourceFile:
    if is_csv(relative):
        try:
            data, keys, values = parse_roster_csv(text)
        except CsvProblem as problem:
            raise SourceProblem(problem.line, problem.column, problem.code, problem.message) from None
        return SourceFile(relative, kind, playbook_of(relative), data, Marks(keys, values))
    if KINDS[kind].markdown:
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


def inside(real_root: Path, path: Path) -> bool:
    """True when `path`, with every symlink followed, is still inside `real_root` (resolved)."""
    return path.resolve().is_relative_to(real_root)


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
        if not is_csv(relative):  # Excel's "CSV UTF-8" always starts with one: nothing to fix
            problems.append(Problem(relative, 1, 1, "", "utf8-bom",
                                    "文件以 UTF-8 BOM 开头，请用“UTF-8（无 BOM）”重新保存", "warning"))
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        column = error.start - (raw.rfind(b"\n", 0, error.start) + 1) + 1
        if is_csv(relative) and decodes_as_gbk(raw):
            raise SourceProblem(line, column, "csv-gbk",
                                "这个 CSV 是 GBK 编码（Excel 里“CSV（逗号分隔）”存出来的就是这样），"
                                "qunsop 只读 UTF-8：请在 Excel 里点“另存为”，保存类型选"
                                "“CSV UTF-8（逗号分隔）”，再替换这个文件") from None
        raise SourceProblem(line, column, "not-utf8",
                            "文件不是 UTF-8 编码（可能是 GBK），请在编辑器里改存为 UTF-8") from None
    if not text.strip():
        raise SourceProblem(1, 1, "empty-file", "文件是空的：请填写内容，或删除这个文件")
    text = text.replace("\r\n", "\n")
    problems += check_characters(text, relative)
    return FORBIDDEN_CHARACTERS.sub("", text)


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


def check_values(source: SourceFile) -> tuple[SourceFile, list[Problem]]:
    """The character rule on every decoded value and key, wherever it came from.

    `check_characters` sees the file as written; YAML escapes (`"\\r"`, `"\\x1b"`,
    `"\\u202e"`, `"\\0"`) only become characters when parsed. Each value or key that
    holds one is an error at its own line and field, and the characters are dropped
    from it, as from the text, so they cause no second report.
    """
    found: list[FieldPath] = []

    def walk(value: Any, path: FieldPath) -> None:
        if isinstance(value, str):
            if FORBIDDEN_CHARACTERS.search(value):
                found.append(path)
        elif isinstance(value, dict):
            for key, child in value.items():
                if FORBIDDEN_CHARACTERS.search(key):
                    found.append((*path, key))
                walk(child, (*path, key))
        elif isinstance(value, list):
            for index, child in enumerate(value):
                walk(child, (*path, index))

    walk(source.data, ())
    if not found:
        return source, []
    problems = []
    for path in found[:MAX_CHARACTER_REPORTS]:
        key = path[-1] if isinstance(path[-1], str) else ""
        at_key = bool(FORBIDDEN_CHARACTERS.search(key))
        line, column = source.marks.locate(path, at_key=at_key)
        char = FORBIDDEN_CHARACTERS.findall(key if at_key else str(value_at(source.data, path)))[0]
        name = unicodedata.name(char, "控制字符")
        field_name = "字段名" if at_key else "这个值"
        problems.append(Problem(source.path, line, column, dotted_path(clean_path(path)), "control-character",
                                f"{field_name}里有一个看不见的字符 U+{ord(char):04X}（{name}），"
                                "是用转义写法（例如 \\r、\\x1b、\\u202e）写进去的：请删掉这个转义"))
    marks = source.marks
    if any(clean_path(path) != path for path in found):  # a key spelt with one: found by its clean name
        marks = Marks({clean_path(path): at for path, at in marks.keys.items()},
                      {clean_path(path): at for path, at in marks.values.items()})
    return replace(source, data=without_forbidden(source.data), marks=marks), problems


def clean_path(path: FieldPath) -> FieldPath:
    return tuple(FORBIDDEN_CHARACTERS.sub("", part) if isinstance(part, str) else part for part in path)


def value_at(data: Any, path: FieldPath) -> Any:
    for part in path:
        data = data[part]
    return data


def without_forbidden(value: Any) -> Any:
    if isinstance(value, str):
        return FORBIDDEN_CHARACTERS.sub("", value)
    if isinstance(value, dict):
        return {FORBIDDEN_CHARACTERS.sub("", key): without_forbidden(child) for key, child in value.items()}
    if isinstance(value, list):
        return [without_forbidden(child) for child in value]
    return value


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
                if depth > MAX_NESTING and event.start_mark is not None:
                    mark = event.start_mark
                    raise SourceProblem(mark.line + 1 + line_offset, mark.column + 1, "too-deep",
                                        f"嵌套超过 {MAX_NESTING} 层：源文件不需要这么深的列表或键值对，"
                                        "请检查括号和缩进")
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.YAMLError:
        return  # the parser reports the syntax error with its own message


def decodes_as_gbk(raw: bytes) -> bool:
    try:
        raw.decode("gb18030")
    except UnicodeDecodeError:
        return False
    return True


_FRONT_MATTER = frontmatter.default_handlers.YAMLHandler()


def split_front_matter(text: str) -> tuple[str, int, str, int]:
    """Split Markdown into (front matter, its line offset, body, body's first line).

    python-frontmatter finds the --- boundaries; the offsets keep every reported
    line number exact.
    """
    if not _FRONT_MATTER.detect(text):
        raise SourceProblem(1, 1, "no-front-matter",
                            "文件的第一行应该是 ---（三个英文减号）：帖子、游戏、话术文件开头是 id、title "
                            "这些字段，上下各一行 --- 把它们和正文隔开。请在第 1 行前面加一行 ---")
    try:
        front, content = _FRONT_MATTER.split(text)
    except ValueError:
        line = _missing_separator_line(text)
        raise SourceProblem(line, 1, "unclosed-front-matter",
                            f"字段写完后少了一行 ---：请在第 {line} 行前面加一行 ---（三个英文减号），"
                            "把上面的字段（id、title……）和下面的正文隔开") from None
    front_start = text.find(front, 3) if front else text.index("\n") + 1
    offset = text.count("\n", 0, front_start)
    body = content.strip("\n").rstrip()
    body_start = len(text) - len(content.lstrip("\n")) if body else len(text)
    return front, offset, body, text.count("\n", 0, body_start) + 1


_FIELD_LINE = re.compile(r"^(?:[A-Za-z_][A-Za-z0-9_-]*\s*[:：]|[ \t-]|#|\s*$)")


def _missing_separator_line(text: str) -> int:
    """Where the closing --- belongs: the first line after the opening one that is not a field
    (`key: value`, an indented or list line, a comment or a blank), else the end of the file."""
    lines = text.split("\n")
    for number, raw in enumerate(lines[1:], start=2):
        if not _FIELD_LINE.match(raw):
            return number
    return len(lines) + (0 if lines[-1] == "" else 1)


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
        raise SourceProblem(1 + line_offset, 1, "yaml-syntax",
                            "YAML 格式有误，无法读取：请检查缩进、冒号和引号"
                            f"（解析器的原话：{error}）") from None
    finally:
        loader.dispose()


_KEY = r"[A-Za-z_][A-Za-z0-9_-]*"
_FULL_WIDTH_COLON = re.compile(rf"^(\s*(?:-\s+)?)({_KEY})\s*：")
_NO_SPACE_AFTER_COLON = re.compile(rf"^(\s*(?:-\s+)?)({_KEY}):(?=[^\s/])")
_TAB_INDENT = re.compile(r"^ *\t")
_FULL_WIDTH_INDENT = re.compile(r"^[ \t]*\u3000")
_FULL_WIDTH_AFTER_COLON = re.compile(rf"^(\s*(?:-\s+)?)({_KEY}):\u3000")
_CURLY_QUOTES = "“”‘’"
_LIST_ITEM = re.compile(r"^( *)-( +|$)")
_KEY_LINE = re.compile(rf"^ *(?:- +)?({_KEY}) *:(?: |$)")


def _syntax_problem(error: yaml.MarkedYAMLError, text: str, line_offset: int) -> SourceProblem:
    """A Chinese hint for a YAML syntax error, on the line the editor has to change.

    PyYAML often notices a slip one line later (a full-width colon makes the next line
    the error), so the slips people make are looked for first, up to the error's line.
    """
    lines = text.split("\n")
    problem, context = error.problem or "", error.context or ""
    mark = error.problem_mark or error.context_mark
    index = min(mark.line, len(lines) - 1) if mark else 0
    column = mark.column + 1 if mark else 1

    def at(line_index: int, at_column: int, code: str, message: str) -> SourceProblem:
        return SourceProblem(line_index + 1 + line_offset, at_column, code, message)

    if "expected a single document" in context or "but found another document" in problem:
        return at(index, column, "multiple-documents",
                  "一个文件只能有一个 YAML 文档：删除多余的 --- 分隔线")
    slip = _first_slip(lines, index)
    if slip is not None:
        return at(*slip)
    if "\\t" in problem or "tab character" in problem:
        return at(index, column, "tab-indent",
                  "这里有一个 Tab 字符：YAML 只能用空格，请把 Tab 换成空格（缩进每级 2 个空格）")
    context_index = error.context_mark.line if error.context_mark else index
    context_column = error.context_mark.column + 1 if error.context_mark else column
    for line_index in dict.fromkeys((index, context_index)):
        curly = _curly_quote_hint(lines[line_index]) if "mapping values" in problem or \
            "could not find expected ':'" in problem else None
        if curly:
            return at(line_index, next(column for column, mark in enumerate(lines[line_index], 1)
                                       if mark in _CURLY_QUOTES), "curly-quotes", curly)
    if "could not find expected ':'" in problem:
        return at(context_index, context_column, "yaml-syntax",
                  "这一行缺少“字段: 值”里的冒号：在字段名后面写英文冒号再加一个空格，"
                  "例如 `name: 门店会员群`；"
                  "如果它是上一行文字的一部分，请和上一行写在一起，或给整段文字加引号")
    if "quoted scalar" in context:
        return at(context_index, context_column, "yaml-syntax",
                  f"第 {context_index + 1 + line_offset} 行第 {context_column} 列开始的引号没有结束："
                  "把后面的引号补上（中英文引号不能混用），或者去掉引号")
    if "flow sequence" in context or "flow mapping" in context:
        pair = "[ ]" if "sequence" in context else "{ }"
        return at(context_index, context_column, "yaml-syntax",
                  f"这一行的 {pair[0]} 没有对应的 {pair[2]}：写在一行里的列表和键值对要成对结束；"
                  "如果文字本身含逗号、冒号或括号，请给这段文字加引号")
    if "maximum nesting depth" in problem:  # libyaml's own limit, met before ours is counted
        return at(index, column, "too-deep",
                  f"嵌套超过 {MAX_NESTING} 层：源文件不需要这么深的列表或键值对，请检查括号和缩进")
    if "mapping values are not allowed" in problem:
        return at(index, column, *_colon_in_value_hint(lines, index))
    if "did not find expected '-' indicator" in problem:
        return at(index, _indent(lines[index]) + 1, "bad-indent", _list_item_hint(lines, index, error))
    if "did not find expected key" in problem or "expected <block end>" in problem:
        return at(index, _indent(lines[index]) + 1, "bad-indent", _indent_hint(lines, index))
    if "cannot start any token" in problem or "alias" in context or "anchor" in context:
        return at(index, column, "yaml-syntax",
                  "以 @、`、%、*、&、!、| 或 > 等符号开头的文字要加引号，例如 \"@张师傅 你好\"")
    return at(index, column, "yaml-syntax",
              "YAML 格式有误：请检查这一行和上一行的缩进（只用空格，每级 2 个）、冒号（英文冒号加一个空格）"
              f"和引号是否成对（解析器的原话：{problem or context}）")


def _first_slip(lines: list[str], last: int) -> tuple[int, int, str, str] | None:
    """The first tab, full-width colon or missing space after a colon, up to line `last`."""
    for number, raw in enumerate(lines[: last + 1]):
        if raw.lstrip().startswith("#"):
            continue
        tab = _TAB_INDENT.match(raw)
        if tab:
            return (number, tab.end(), "tab-indent", _tab_message(lines, number))
        wide = _FULL_WIDTH_INDENT.match(raw)
        if wide:
            return (number, wide.end(), "full-width-space",
                    "这一行开头有全角空格（中文输入法打出的空格“　”）：YAML 只认英文半角空格，"
                    "请删掉它，用英文空格缩进（每级 2 个空格）")
        after = _FULL_WIDTH_AFTER_COLON.match(raw)
        if after:
            key = after.group(2)
            value = raw[after.end():].strip()
            return (number, after.end(), "full-width-space",
                    f"`{key}:` 后面是全角空格（中文输入法打出的空格“　”）：YAML 的冒号后面要一个英文"
                    f"半角空格，写成 `{key}: {value}`")
        full = _FULL_WIDTH_COLON.match(raw)
        if full:
            key = full.group(2)
            value = raw[full.end():].strip()
            return (number, raw.index("：", full.end(2)) + 1, "full-width-colon",
                    f"`{key}` 后面用了中文冒号“：”：请改成英文冒号加一个空格，写成 `{key}: {value}`")
        bare = _NO_SPACE_AFTER_COLON.match(raw)
        if bare:
            key = bare.group(2)
            value = raw[bare.end():].strip()
            return (number, bare.end(), "no-space-after-colon",
                    f"`{key}:` 后面少了一个空格：YAML 的冒号后面必须有空格，写成 `{key}: {value}`")
    return None


def _tab_message(lines: list[str], first: int) -> str:
    """Every tab-indented line of the file in one report: fixing them one run at a time is slow."""
    tabbed = [number + 1 for number, raw in enumerate(lines)
              if _TAB_INDENT.match(raw) and not raw.lstrip().startswith("#")]
    where = "这一行" if tabbed == [first + 1] else \
        f"{len(tabbed)} 行（第 {'、'.join(map(str, tabbed))} 行）"
    return f"{where}用了 Tab 缩进：YAML 只能用空格，请把 Tab 换成空格（每级 2 个空格）"


def _curly_quote_hint(raw: str) -> str | None:
    """A value in Chinese quotes, which YAML does not take for quotes, where its `: ` broke it."""
    if not any(mark in raw for mark in _CURLY_QUOTES):
        return None
    key = _KEY_LINE.match(raw)
    value = raw[key.end():].strip() if key else raw.strip()
    plain = value.strip(_CURLY_QUOTES)
    written = f"`{key.group(1)}: \"{plain}\"`" if key else f"`\"{plain}\"`"
    return (f"这一行用的是中文引号“ ”，YAML 只认英文引号 \" \"，中文引号里的“: ”被当成了新的字段："
            f"请改成英文引号，写成 {written}")


def _indent(raw: str) -> int:
    return len(raw) - len(raw.lstrip(" "))


def _levels(lines: list[str], index: int) -> list[tuple[int, int, str]]:
    """Where a line after the ones above `index` may start: (spaces, line number, key), innermost first."""
    levels: list[tuple[int, int, str]] = []
    limit: int | None = None
    for number in range(index - 1, -1, -1):
        raw = lines[number]
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        indent = _indent(raw)
        if limit is not None and indent >= limit:
            continue
        key = _KEY_LINE.match(raw)
        name = key.group(1) if key else raw.strip().split()[0]
        item = _LIST_ITEM.match(raw)
        if item and item.group(2):
            levels.append((item.end(), number + 1, name))  # a key inside the list item
        if limit is None and raw.rstrip().endswith(":"):
            levels.append((indent + 2, number + 1, ""))  # the first line of a new, deeper group
        levels.append((indent, number + 1, name if not item else "-"))
        limit = indent
        if indent == 0:
            break
    return levels


def _indent_hint(lines: list[str], index: int) -> str:
    spaces = _indent(lines[index])
    levels = _levels(lines, index)
    if not levels:
        return f"缩进不对：第一层的字段要顶格写（缩进 0 个空格），这一行缩进了 {spaces} 个空格"
    # the nearest level; on a tie (one space off two levels) a key before a list dash, the
    # inner one first, and the other offered too: one of them is the sibling above
    nearest = min(abs(level[0] - spaces) for level in levels)
    tied = sorted((level for level in levels if abs(level[0] - spaces) == nearest),
                  key=lambda level: (level[2] in ("", "-"), -level[0]))
    best = tied[0]

    def where(level: tuple[int, int, str]) -> str:
        return (f"和第 {level[1]} 行的 `{level[2]}` 对齐" if level[2] not in ("", "-")
                else f"和第 {level[1]} 行的 - 对齐" if level[2] == "-"
                else f"比第 {level[1]} 行多缩进 2 个空格")

    options = "、".join(str(level) for level in sorted({level[0] for level in levels}))
    other = next((level for level in tied if level[0] != best[0]), None)
    alternative = f"，也可能是要{where(other)}（{other[0]} 个空格）" if other else ""
    return (f"缩进不对：这一行缩进了 {spaces} 个空格，和上面的行对不齐。这里只能是 {options} 个空格；"
            f"多半应该{where(best)}（{best[0]} 个空格）{alternative}。"
            "YAML 用空格缩进表示层级，每深一层多 2 个空格")


def _list_item_hint(lines: list[str], index: int, error: yaml.MarkedYAMLError) -> str:
    spaces = _indent(lines[index])
    start = error.context_mark.line if error.context_mark else index
    dash = error.context_mark.column if error.context_mark else spaces
    if spaces != dash:
        return _indent_hint(lines, index)
    owner = next((number for number in range(start - 1, -1, -1)
                  if lines[number].strip() and _indent(lines[number]) < dash), None)
    back = ""
    if owner is not None:
        key = _KEY_LINE.match(lines[owner])
        name = f"第 {owner + 1} 行的 `{key.group(1)}`" if key else f"第 {owner + 1} 行"
        back = f"；如果它不属于这个列表，缩进要退回到 {_indent(lines[owner])} 个空格，和{name} 对齐"
    text = lines[index].strip()
    return (f"第 {start + 1} 行开始是一个列表，列表里的每一项都要以“- ”开头：如果这一行是新的一项，"
            f"写成 `- {text}`{back}")


def _colon_in_value_hint(lines: list[str], index: int) -> tuple[str, str]:
    raw = lines[index]
    key = _KEY_LINE.match(raw)
    if key and _indent(raw) > 0:
        previous = next((number for number in range(index - 1, -1, -1)
                         if lines[number].strip() and not lines[number].lstrip().startswith("#")), None)
        if previous is not None and _indent(lines[previous]) < _indent(raw):
            above = _KEY_LINE.match(lines[previous])
            if above and lines[previous].split(":", 1)[1].strip():
                sibling = above.start(1)  # the key's own column: after the `- ` of a list item
                extra = _indent(raw) - sibling
                if extra > 0:
                    return "bad-indent", (
                        f"这一行缩进了 {_indent(raw)} 个空格，比第 {previous + 1} 行的 `{above.group(1)}` "
                        f"多了 {extra} 个，YAML 会把它当成上一行文字的续行：请和第 {previous + 1} 行的 "
                        f"`{above.group(1)}` 对齐（缩进 {sibling} 个空格）")
    if key:
        value = raw[key.end():].strip()
        return "yaml-syntax", (f"`{key.group(1)}` 的值里有“: ”（冒号加空格），YAML 会把它当成新的字段："
                               f"请给整段值加引号，写成 `{key.group(1)}: \"{value}\"`，或改用中文冒号“：”")
    return "yaml-syntax", ("这一行的文字里有“: ”（冒号加空格），YAML 会把它当成新的字段："
                           "请给整段文字加引号，或改用中文冒号“：”")


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
            raise SourceProblem(*self.position(node), "bad-value", _bad_value_hint(node, error),
                                dotted_path(path)) from None
        if isinstance(value, dt.datetime) and value.time() == dt.time(0):
            return value.date()
        return value


_DATE_TEXT = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})")


def _bad_value_hint(node: ScalarNode, error: Exception) -> str:
    """YAML read something that looks like a date but is not one (2026-13-07, 2026-02-30)."""
    match = _DATE_TEXT.match(node.value) if node.tag.endswith("timestamp") else None
    if match is None:
        return f"“{node.value}”不是有效的值：要当文字请加引号"
    year, month, day = (int(part) for part in match.groups())
    if not 1 <= month <= 12:
        reason = f"月份只能是 1 到 12，这里写的是 {month}"
    elif node.value[match.end():].strip():
        reason = "日期后面不要写时间，只写 年-月-日"
    else:
        reason = f"{year} 年 {month} 月没有 {day} 日"
    return f"“{node.value}”不是有效的日期：{reason}。日期写成 年-月-日，例如 2026-12-07"


def dotted_path(path: FieldPath) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


