"""Content lint: rules about what editors write, reported like every other problem.

Severities and limits live in one place, the `lint:` section of `qunsop.yaml`
at the project root; banned advertising words in
`content_library/banned_words.txt`. Both are optional.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import Problem
from .festivals import marks_between
from .lint_schedule import lint_schedules
from .media import ASSETS_DIR
from .models import Calendar, Game, Post, Reply, Tier
from .resolve import Project
from .rules import cadence, seasonal_posts, short_days
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


@dataclass(frozen=True)
class BannedWords:
    """Words that make absolute claims, and phrases that only look like them (第一天, 最好先)."""

    words: tuple[str, ...] = ()
    allowed: tuple[str, ...] = ()

    def found_in(self, text: str) -> list[str]:
        for phrase in self.allowed:
            text = text.replace(phrase, "\0")
        return [word for word in self.words if word in text]

    def find(self, text: str, word: str, start: int = 0) -> int:
        """Index of `word` in `text` from `start`, outside the allowed phrases; -1 if absent."""
        for phrase in self.allowed:
            text = text.replace(phrase, "\0" * len(phrase))  # same length: indices stay right
        return text.find(word, start)


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
                 today: dt.date) -> list[Problem]:
    banned, problems = load_banned_words(project.root)
    linter = _Linter(project, project.settings.lint, banned, today)
    problems += linter.run(schedules)
    return problems + lint_schedules(project, schedules)


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
        self.seasonal = seasonal_posts(schedules.values())
        for post in self.project.of(Post):
            self.texts(post, post_texts(post.model))
            self.post_limits(post)
        for game in self.project.of(Game):
            self.texts(game, game_texts(game.model))
        for reply in self.project.of(Reply):
            self.texts(reply, [(("body",), reply.model.body)])
        for schedule in schedules.values():
            self.cadence(schedule)
            self.calendar_ending(schedule)
            self.calendar_days(schedule)
        return self.problems

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
        today = self.today
        window = dt.timedelta(days=self.config.expiring_within_days)
        if post.valid_until and today <= post.valid_until <= today + window \
                and post.id not in self.seasonal:
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

