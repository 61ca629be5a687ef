"""Content lint: rules about what editors write, reported like every other problem.

Severities and limits live in one place, the `lint:` section of `qunsop.yaml`
at the project root; banned advertising words in
`content_library/banned_words.txt`. Both are optional.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .cache import ByteStore, code_version, digest, fingerprint, read_record, write_record
from .errors import Problem, problems_from_json
from .festivals import marks_between
from .lint_overlap import OverlapLint
from .lint_schedule import lint_schedules
from .lint_wechat import wechat_actions
from .media import ASSETS_DIR
from .models import Calendar, Game, Post, Tier
from .resolve import Project
from .rules import cadence, expiring, short_days
from .schedule import CalendarSchedule
from .settings import Level, LintSettings
from .validate import Item

BANNED_WORDS_FILE = "content_library/banned_words.txt"
WECHAT_MAX_IMAGES = 9

HTML_TAG = re.compile(r"<\s*/?\s*([a-zA-Z][a-zA-Z0-9]*)\b[^>]*>|\bon[a-z]+\s*=", re.I)
URL_SCHEME = re.compile(r"\b([a-zA-Z][a-zA-Z0-9+.-]{1,20}):(//|[^\s\d])")
ALLOWED_SCHEMES = frozenset({"http", "https", "weixin", "tel", "mailto"})
# Schemes that run or smuggle content when a reader's app turns text into a link.
# Characters a browser drops inside a URL, or a reader cannot see, between the letters of
# a scheme: `java script:`, `java<line break>script:`, `java<U+200B>script:`.
INVISIBLE = re.compile(r"[\s\x00-\x1f\xad\u180e\u200b-\u200d\u2060-\u2064\ufeff]+")
_GAP = r"[\s\x00-\x1f\xad\u180e\u200b-\u200d\u2060-\u2064\ufeff]*"
DANGEROUS_SCHEMES = re.compile(
    r"(?<![a-z0-9+.-])("
    + "|".join(_GAP.join(name) for name in ("javascript", "vbscript", "data", "file", "livescript",
                                            "mocha"))
    + rf"){_GAP}:", re.I)


# Format characters (Unicode category Cf: zero-width spaces and joiners, the soft hyphen,
# word joiners, tags…) a reader never sees; a superset of Unicode 14–15's, each match
# checked against the running Python's tables.
FORMAT_CHARACTERS = re.compile(
    "[\xad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f\u202a-\u202e"
    "\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U0001343f"
    "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f]")
HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
HIDDEN_IN_CHINESE = re.compile(f"(?<=[{HAN}])[\xad\u180e\u200b-\u200f\u2060-\u2064\ufeff]+"
                               f"|[\xad\u180e\u200b-\u200f\u2060-\u2064\ufeff]+(?=[{HAN}])")


def is_format(char: str) -> bool:
    return unicodedata.category(char) == "Cf"


def visible_with_origins(text: str) -> tuple[str, list[int]]:
    """The text as a reader sees it (each character in NFKC form, format characters
    removed), and for each of its characters the index it came from in `text`."""
    out: list[str] = []
    origins: list[int] = []
    for index, char in enumerate(text):
        if char.isascii():
            out.append(char)
            origins.append(index)
            continue
        if is_format(char):
            continue
        for piece in unicodedata.normalize("NFKC", char):
            out.append(piece)
            origins.append(index)
    return "".join(out), origins


def visible(text: str) -> str:
    """What a reader sees, for rules about words: NFKC, without format characters, so
    第\u200b一, 顶\u00ad级 and ｊａｖａｓｃｒｉｐｔ read as the words they show."""
    if text.isascii():
        return text
    if FORMAT_CHARACTERS.search(text):
        text = FORMAT_CHARACTERS.sub(lambda found: "" if is_format(found.group(0)) else found.group(0), text)
    return unicodedata.normalize("NFKC", text)


@dataclass(frozen=True)
class BannedWords:
    """Words that make absolute claims, and phrases that only look like them (第一天, 最好先)."""

    words: tuple[str, ...] = ()
    allowed: tuple[str, ...] = ()

    def found_in(self, text: str) -> list[str]:
        text = visible(text)
        for phrase in self.allowed:
            text = text.replace(phrase, "\0")
        return [word for word in self.words if word in text]

    def find(self, text: str, word: str, start: int = 0) -> int:
        """Index in `text` of where `word` shows, from `start`, outside the allowed phrases
        (also when invisible characters sit inside it); -1 if absent."""
        shown, origins = visible_with_origins(text[start:])
        for phrase in self.allowed:
            shown = shown.replace(phrase, "\0" * len(phrase))  # same length: indices stay right
        found = shown.find(word)
        return -1 if found < 0 else start + origins[found]


def load_banned_words(root: Path) -> tuple[BannedWords, list[Problem]]:
    """Words one per line; `!phrase` allows a phrase that only looks like a banned word."""
    path = root / BANNED_WORDS_FILE
    if path.is_symlink() or (path.exists() and not path.is_file()):
        # like every source: never read through a link (it could point out of the project)
        return BannedWords(), [Problem(BANNED_WORDS_FILE, 1, 1, "", "not-a-file",
                                       "禁用词文件必须是项目里的普通文件，不能是符号链接或文件夹")]
    if not path.is_file():
        return BannedWords(), []
    try:
        text = path.read_bytes().decode("utf-8").lstrip("\ufeff")
    except (OSError, UnicodeDecodeError):
        return BannedWords(), [Problem(BANNED_WORDS_FILE, 1, 1, "", "not-utf8",
                                       "禁用词文件无法读取：请存为 UTF-8 编码的纯文本")]
    words: list[str] = []
    allowed: list[str] = []
    problems: list[Problem] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("!"):
            if not line[1:].strip():
                problems.append(Problem(BANNED_WORDS_FILE, number, 1, "", "empty-exception",
                                        "只有一个 ! 的行会让所有禁用词都失效：! 后面要写允许的具体说法，"
                                        "例如 !第一天"))
                continue
            allowed.append(line[1:].strip())
        else:
            words.append(line)
    allowed.sort(key=len, reverse=True)
    return BannedWords(tuple(words), tuple(allowed)), problems


def lint_project(project: Project, schedules: dict[str, CalendarSchedule],
                 today: dt.date, cache: ByteStore | None = None) -> list[Problem]:
    """Every content rule over the project. With a `cache`, the findings of the rules that
    read one source file alone are kept by the file's content: an edit checks one file again."""
    banned, problems = load_banned_words(project.root)
    linter = _Linter(project, project.settings.lint, banned, today)
    problems += source_findings(project, linter, cache)
    problems += linter.run(schedules)
    return (problems + lint_schedules(project, schedules)
            + OverlapLint(project, project.settings.lint).run(schedules))


SOURCE_FINDINGS = "lint-sources.json"


def source_findings(project: Project, linter: _Linter, cache: ByteStore | None) -> list[Problem]:
    """The findings of the rules that read one source alone (texts, markup, WeChat actions),
    per file: found again for a file whose path, kind and text are new, else as recorded
    with the same qunsop, lint settings and banned words."""
    shared = fingerprint([("qunsop", code_version()), ("banned", repr(linter.banned)),
                          ("lint", linter.config.model_dump_json())])
    record = read_record(cache, SOURCE_FINDINGS)
    known = record.get("files", {}) if isinstance(record, dict) and record.get("shared") == shared else {}
    by_file: dict[str, list[Item[Any]]] = {}
    for item in source_items(project):
        by_file.setdefault(item.source.path, []).append(item)
    found: list[Problem] = []
    kept: dict[str, list[Any]] = {}
    for path, items in by_file.items():
        key = digest(f"{path}\0{items[0].source.key}".encode())
        entry = known.get(path)
        recorded = problems_from_json(entry[1]) if isinstance(entry, list) and len(entry) == 2 \
            and entry[0] == key else None
        problems = recorded if recorded is not None else [
            problem for item in items for problem in linter.source_rules(item)]
        if items[0].source.key:
            kept[path] = [key, [problem.as_json() for problem in problems]]
        found += problems
    if kept != known:
        write_record(cache, SOURCE_FINDINGS, {"shared": shared, "files": kept})
    return found


def source_items(project: Project) -> list[Item[Any]]:
    """Every item a source file holds, and the placeholders file."""
    items = [item for index in project.indexes.values() for item in index]
    if "placeholders" in project.singletons:
        items.append(project.singletons["placeholders"])
    return items


# the texts whose lines the banned-word rule reads, by kind
WORDED: dict[str, Callable[[Any], list[tuple[tuple[str | int, ...], str]]]] = {
    "post": lambda post: post_texts(post), "game": lambda game: game_texts(game),
    "reply": lambda reply: [(("body",), reply.body)]}


class _Linter:
    def __init__(self, project: Project, config: LintSettings, banned: BannedWords,
                 today: dt.date) -> None:
        self.project = project
        self.config = config
        self.banned = banned
        self.today = today
        self.problems: list[Problem] = []
        self._lines: dict[str, list[str]] = {}  # source files, read only to place a finding

    def level(self, rule: str) -> Level:
        return self.config.level(rule)

    def report(self, item: Item[Any], loc: tuple[str | int, ...], rule: str, message: str,
               line: int | None = None, column: int = 1) -> None:
        level = self.level(rule)
        if level == "off":
            return
        problem = item.problem(loc, rule, message, level)
        if line is not None:
            problem = Problem(problem.file, line, column, problem.path, rule, message, level)
        self.problems.append(problem)

    def run(self, schedules: dict[str, CalendarSchedule]) -> list[Problem]:
        """The rules that read more than one source, or the day."""
        self.problems = []
        self.expiring = {post.id for post in expiring(self.project.of(Post).models(), self.today,
                                                      self.config.expiring_within_days,
                                                      schedules.values())}
        for post in self.project.of(Post):
            self.post_limits(post)
        for schedule in schedules.values():
            self.cadence(schedule)
            self.calendar_ending(schedule)
            self.calendar_days(schedule)
        return self.problems

    def source_rules(self, item: Item[Any]) -> list[Problem]:
        """The rules that read `item` alone."""
        self.problems = []
        worded = WORDED.get(item.source.kind)
        covered: set[tuple[str | int, ...]] = set()
        if worded:
            texts = worded(item.model)
            self.texts(item, texts)
            covered = {loc for loc, _text in texts}
        for loc, text in string_values(item.source.data, ()):  # every other text of every kind
            if loc not in covered and loc[-1:] != ("id",):
                self.markup(item, loc, text, None)
        return self.problems + wechat_actions(item, self.config)

    def texts(self, item: Item[Any], texts: list[tuple[tuple[str | int, ...], str]]) -> None:
        for loc, text in texts:
            lines = text.split("\n")
            for offset, line_text in enumerate(lines):
                line = item.source.body_line + offset if loc == ("body",) else None
                self.text_line(item, loc, line_text, line)
            for offset, scheme in split_schemes(lines):
                line = item.source.body_line + offset if loc == ("body",) else None
                self.report(item, loc, "bad-link",
                            f"链接协议 `{scheme}:` 被换行拆开了，点开时仍会被当成链接："
                            "请删掉，只能用 http(s)", line)

    def text_line(self, item: Item[Any], loc: tuple[str | int, ...], text: str,
                  line: int | None) -> None:
        for word in self.banned.found_in(text):
            if word:
                at_line, column = self.word_position(item, loc, text, word, line)
                self.report(item, loc, "banned-word",
                            f"含广告法禁用词“{word}”：请改成可证明的具体说法", at_line, column)
        self.markup(item, loc, text, line)

    def markup(self, item: Item[Any], loc: tuple[str | int, ...], text: str, line: int | None) -> None:
        hidden = HIDDEN_IN_CHINESE.search(text)
        if hidden:
            names = "、".join(dict.fromkeys(f"U+{ord(char):04X}" for char in hidden.group(0)))
            self.report(item, loc, "hidden-character",
                        f"中文里夹着看不见的字符 {names}（零宽空格、软连字符之类，"
                        "多半是从网页复制带进来的）：读者看不到它，却会让禁用词检查和搜索失灵，请删掉", line,
                        hidden.start() + 1 if line is not None else 1)
        tag = HTML_TAG.search(text)
        if tag:
            self.report(item, loc, "raw-html",
                        "含 HTML 标签或脚本：微信不显示 HTML，网站也不会执行它，请改成纯文字", line,
                        tag.start() + 1 if line is not None else 1)
        for scheme in bad_schemes(text):
            self.report(item, loc, "bad-link",
                        f"链接协议 `{scheme}:` 不安全或无法在微信打开，只能用 http(s)", line)

    def word_position(self, item: Item[Any], loc: tuple[str | int, ...], text: str, word: str,
                      line: int | None) -> tuple[int, int]:
        """Line and column of the word itself: in a body line, or in the field's source lines."""
        if line is not None:
            return line, self.banned.find(text, word) + 1
        value_line, value_column = item.position(*loc, at_key=False)
        lines = self.source_lines(item.source.path)
        for number in range(value_line, min(value_line + text.count("\n") + 3, len(lines) + 1)):
            found = self.banned.find(lines[number - 1], word, value_column - 1 if number == value_line else 0)
            if found >= 0:
                return number, found + 1
        return value_line, value_column

    def source_lines(self, relative: str) -> list[str]:
        if relative not in self._lines:
            try:
                text = (self.project.root / relative).read_text(encoding="utf-8-sig")
            except (OSError, UnicodeDecodeError):
                text = ""
            self._lines[relative] = text.replace("\r\n", "\n").split("\n")
        return self._lines[relative]

    def post_limits(self, item: Item[Post]) -> None:
        post = item.model
        if len(post.body) > self.config.max_post_chars:
            self.report(item, ("body",), "post-too-long",
                        f"正文 {len(post.body)} 字，超过 {self.config.max_post_chars} 字："
                        "店主不方便粘贴，群友也读不完，请拆成两条")
        if len(post.media) > WECHAT_MAX_IMAGES:
            self.report(item, ("media",), "too-many-images",
                        f"有 {len(post.media)} 张图片：微信一次最多发 {WECHAT_MAX_IMAGES} 张")
        for number, media in enumerate(post.media):
            path = self.project.root / ASSETS_DIR / media.path
            if path.is_file() and path.stat().st_size > self.config.max_image_kb * 1024:
                self.report(item, ("media", number, "path"), "image-too-large",
                            f"图片 {path.stat().st_size // 1024} KB，超过 {self.config.max_image_kb} KB："
                            "手机流量下加载慢，请压缩")
        if post.id in self.expiring:
            self.report(item, ("valid_until",), "expiring-soon",
                        f"{post.valid_until} 就要失效了：请更新内容或延长有效期")

    def calendar_ending(self, schedule: CalendarSchedule) -> None:
        """A calendar of a long-running tier that stops soon leaves its groups with nothing."""
        calendar = schedule.calendar
        window = dt.timedelta(days=self.config.calendar_ending_within_days)
        if calendar.end is None or not self.lasting(calendar) \
                or not self.today <= calendar.end <= self.today + window:
            return
        self.report(self.project.of(Calendar)[calendar.id], ("end",), "calendar-ending",
                    f"排期 {calendar.end} 就结束了，之后这些群每天没有内容：请续排，"
                    "或删掉 end 让 weekly 长期执行")

    def lasting(self, calendar: Calendar) -> bool:
        """A calendar of groups that live on (not a campaign's or a one-off course's)."""
        tiers = self.project.of(Tier)
        return any(tiers[tier].model.lifecycle == "persistent" for tier in calendar.tiers if tier in tiers)

    def calendar_days(self, schedule: CalendarSchedule) -> None:
        """Festivals and 调休 working days in the planned stretch of a dated calendar that has
        no override for them (only days from today on)."""
        calendar = schedule.calendar
        if not calendar.is_dated or calendar.start is None or not self.lasting(calendar):
            return
        item = self.project.of(Calendar)[calendar.id]
        planned = {day.date for day in calendar.overrides}
        last = calendar.end or max(planned, default=calendar.start)
        first = max(calendar.start, self.today)
        for day, mark in marks_between(first, last).items():
            if day in planned or not (mark.festivals or mark.workday):
                continue
            if mark.festivals:
                self.report(item, ("overrides",), "festival-day",
                            f"{day}（{WEEKDAY_NAMES[day.weekday()]}）是{'、'.join(mark.festivals)}，"
                            f"排期里还是普通的每周模板：建议在 overrides 里加一天 `date: {day}`，"
                            "配上节日的帖子")
            else:
                self.report(item, ("overrides",), "workday-swap",
                            f"{day}（{WEEKDAY_NAMES[day.weekday()]}）是调休上班日，排期用的是周末模板："
                            f"建议在 overrides 里加一天 `date: {day}`，按工作日安排")

    def cadence(self, schedule: CalendarSchedule) -> None:
        item = self.project.of(Calendar)[schedule.calendar.id]
        wanted = cadence(self.project, schedule.calendar)
        short = short_days(schedule, wanted)
        if short:
            sample = "、".join(day.key for day in short[:3]) + ("等" if len(short) > 3 else "")
            self.report(item, ("tiers",), "below-cadence",
                        f"{len(short)} 天的推送少于群层级要求的每天 {wanted} 条（{sample}）")


WEEKDAY_NAMES = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")


def bad_schemes(text: str) -> list[str]:
    """Unknown or dangerous link schemes, also when entity-encoded or split by spaces."""
    found = [match.group(1).lower() for match in URL_SCHEME.finditer(text)
             if match.group(1).lower() not in ALLOWED_SCHEMES and match.group(2) == "//"]
    decoded = html.unescape(html.unescape(text))
    found += [INVISIBLE.sub("", match.group(1)).lower() for match in DANGEROUS_SCHEMES.finditer(decoded)]
    shown = visible(decoded)
    if shown != decoded:  # full-width letters, format characters: the scheme a reader sees
        found += bad_schemes(shown)
    return sorted(set(found))


def split_schemes(lines: list[str]) -> list[tuple[int, str]]:
    """Dangerous schemes that only appear when lines are joined (`java` / `script:`).

    Browsers drop line breaks inside a URL, so a scheme split over lines is still one.
    Each is reported at the line where it starts (0-based offsets).
    """
    whole = set(bad_schemes("\n".join(lines)))
    if not whole:
        return []
    seen = {scheme for line in lines for scheme in bad_schemes(line)}
    found = []
    for scheme in sorted(whole - seen):
        # the last line from which the rest of the text still spells it is where it starts
        start = max(n for n in range(len(lines)) if scheme in bad_schemes("\n".join(lines[n:])))
        found.append((start, scheme))
    return found


def string_values(data: Any, path: tuple[str | int, ...]) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """Every text in a source's data, with its field path."""
    if isinstance(data, str):
        yield path, data
    elif isinstance(data, dict):
        for key, value in data.items():
            yield from string_values(value, (*path, key))
    elif isinstance(data, list):
        for number, value in enumerate(data):
            yield from string_values(value, (*path, number))


def post_texts(post: Post) -> list[tuple[tuple[str | int, ...], str]]:
    return [(("title",), post.title), (("body",), post.body)]


def game_texts(game: Game) -> list[tuple[tuple[str | int, ...], str]]:
    texts: list[tuple[tuple[str | int, ...], str]] = [(("name",), game.name)]
    for number, step in enumerate(game.steps):
        texts.append((("steps", number, "host_line"), step.host_line))
    for field_name in ("rules", "rewards", "fallback"):
        for number, text in enumerate(getattr(game, field_name)):
            texts.append(((field_name, number), text))
    texts.append((("body",), game.body))
    return texts

