"""Per-day push packs: what each output file of a pack holds, as plain data.

A pack is derived from one CalendarSchedule day. The HTML page, pack.txt,
pack.json and the calendar's .ics feed are all made from the same PackDay,
so they cannot disagree. A pack carries only what the person sending needs
(text, media, links, their note, a private-chat task); operator remarks,
category jargon and links into the SOP site stay on the site. Packs need no
site navigation, so they are rendered straight from site_templates/packs/.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
import stat
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import rjsmin

from . import TEMPLATES
from .cache import Cache, code_version, digest
from .group_links import PublishedGroup, group_links, render_group_files
from .history import History
from .links import Links, page_url
from .media import MediaInfo
from .models import (
    CHANNEL_LABELS,
    WEEKDAYS,
    Calendar,
    Curriculum,
    Game,
    Media,
    Placeholder,
    Playbook,
    Post,
    Tier,
)
from .pipeline import CheckedProject
from .quiz import host_script
from .render import ContentKeys, get_html_env, qr_png, script_bundle
from .resolve import PLACEHOLDER_PATTERN, Index
from .schedule import CalendarSchedule, ScheduledDay, ScheduledSlot, source_keys
from .settings import Words
from .views import FORMAT_LABELS, WEEKDAY_LABELS, Link, day_theme, with_marks

SLOT_MINUTES = 10
# why a post was not sent, for the receipt: a short list the sender picks from
SKIP_REASONS = ("群里没人接话", "群里正在聊别的事", "内容不适合我们群", "时间错过了", "其他原因")
TEXT_BOM = "\ufeff"  # lets a phone's browser read pack.txt as UTF-8 from any static server


@dataclass(frozen=True)
class PackMedia:
    path: str
    alt: str
    url: str  # site-root-relative
    width: int | None = None
    height: int | None = None
    is_video: bool = False
    poster_url: str = ""


@dataclass(frozen=True)
class PackVariant:
    tag: str
    value: str
    id: str
    title: str
    text: str
    media: tuple[PackMedia, ...]


@dataclass(frozen=True)
class PackStep:
    """One step of a game's host script: what the host pastes, and what to expect."""

    at: int  # minutes after the start
    text: str
    expect: str = ""
    tip: str = ""


@dataclass(frozen=True)
class PackSlot:
    number: int
    time: str
    channel: str  # group, moments or private
    channel_label: str
    kind: str  # post, game, activity, lesson or reply
    id: str
    title: str
    text: str  # exactly what to paste
    media: tuple[PackMedia, ...]
    links: tuple[Link, ...]
    note: str  # for the person sending
    task: str  # private chat: who to contact and why
    origin: str
    category: str  # for tools (pack.json); never shown to the owner
    held: str = ""  # why the slot is held back (an open incident), or ""
    guide_url: str = ""  # site-root-relative lesson page (lessons only; packs never link to SOP pages)
    maybe_held: tuple[str, ...] = ()  # ids of PackDay.scoped incidents that would hold it back
    variants: tuple[PackVariant, ...] = ()  # other texts for groups with a tag (北方 / 南方)
    steps: tuple[PackStep, ...] = ()  # a game's whole host script, the opener first
    extras: tuple[tuple[str, str], ...] = ()  # a game's budget, rewards, fallback: (label, text)

    @property
    def variant_tag(self) -> str:
        return self.variants[0].tag if self.variants else ""

    @property
    def placeholders(self) -> list[str]:
        texts = [self.text, *(step.text for step in self.steps)]
        return sorted({match.group(1) for text in texts for match in PLACEHOLDER_PATTERN.finditer(text)})


@dataclass(frozen=True)
class PackNotice:
    title: str
    text: str


@dataclass(frozen=True)
class ScopedNotice:
    """An incident's notice that the pack page shows only where it applies.

    In scope: the page's group (the one its link saved on the phone) is named in `groups`
    (or none are) and has every tag in `tags`; open: this day's date (a day-N day's date
    comes from the group's start date) lies from `start` to `end`."""

    id: str
    title: str
    text: str
    groups: tuple[str, ...]
    tags: dict[str, list[str]]
    start: str
    end: str | None


@dataclass(frozen=True)
class PackDay:
    calendar_id: str
    calendar_name: str
    key: str
    date: str | None
    number: int
    weekday: str
    title: str
    festival: str
    slots: tuple[PackSlot, ...]
    notices: tuple[PackNotice, ...] = ()
    updated: str = ""  # when anything this pack shows last changed (YYYY-MM-DD), if known
    marks: str = ""  # the Chinese calendar's word for the day: 腊八, 春节 · 法定假日, 调休上班
    scoped: tuple[ScopedNotice, ...] = ()

    @property
    def heading(self) -> str:
        if self.date:
            when = f"{self.date[5:7].lstrip('0')}月{self.date[8:].lstrip('0')}日 {self.weekday}"
        elif self.key.startswith(RHYTHM_PREFIX):
            when = f"每{self.weekday}（每周节奏）"
        else:
            when = f"建群第 {self.number} 天"
        theme = with_marks(day_theme(self.title, self.festival), self.marks)
        return f"{when} {theme}".strip()

    def group(self, channel: str) -> list[PackSlot]:
        return [slot for slot in self.slots if slot.channel == channel]


@dataclass(frozen=True)
class PackContext:
    """What packs need from the rest of the project, as picklable plain data."""

    playbook: Playbook
    site_url: str
    placeholders: tuple[Placeholder, ...]
    media: dict[str, MediaInfo]
    guide_urls: dict[str, str] = field(default_factory=dict)  # "game:<id>" / "lesson:<c>#<l>" -> url
    changed: dict[str, str] = field(default_factory=dict)  # "<kind>:<id>" -> date its file last changed
    words: Words = field(default_factory=Words)  # qunsop.yaml's `words:`
    assistant: bool = False  # sent by the platform's group assistant (B side): no store form


RHYTHM_PREFIX = "weekly-"  # an open-ended calendar's day of the weekly template: weekly-mon…


def pack_days(schedule: CalendarSchedule, context: PackContext) -> list[PackDay]:
    return [pack_day(schedule, day, context) for day in schedule.days]


def pack_day(schedule: CalendarSchedule, day: ScheduledDay, context: PackContext) -> PackDay:
    slots = tuple(_slot(number, slot, context)
                  for number, slot in enumerate(day.slots, start=1))
    weekday = WEEKDAY_LABELS[day.date.weekday()] if day.date else ""
    if day.key.startswith(RHYTHM_PREFIX):
        weekday = WEEKDAY_LABELS[WEEKDAYS.index(day.key.removeprefix(RHYTHM_PREFIX))]
    fallback = f"群里正在处理一件事，先按{context.words.assistant}的安排发内容。"
    notices = tuple(PackNotice(entry.incident.name, entry.echo or entry.plan.owner_notice or fallback)
                    for entry in day.incidents)
    scoped = tuple(ScopedNotice(entry.incident.id, entry.incident.name,
                                entry.plan.owner_notice or fallback, tuple(entry.incident.groups),
                                dict(entry.incident.tags), entry.incident.start.isoformat(),
                                entry.incident.end.isoformat() if entry.incident.end else None)
                   for entry in day.maybe)
    return PackDay(schedule.calendar.id, schedule.calendar.name, day.key,
                   day.date.isoformat() if day.date else None, day.number, weekday,
                   day.title, day.festival, slots, notices, last_changed(schedule, day, context),
                   day.marks, scoped)


def last_changed(schedule: CalendarSchedule, day: ScheduledDay, context: PackContext) -> str:
    """The newest change among the calendar and everything this day sends."""
    keys = source_keys(schedule.calendar.id, day)
    dates = [context.changed[key] for key in keys if key in context.changed]
    return max(dates, default="")


def _media(items: list[Media], context: PackContext) -> tuple[PackMedia, ...]:
    found = []
    for item in items:
        info = context.media.get(item.path)
        found.append(PackMedia(item.path, item.alt, Links.media(item.path),
                               info.width if info else None, info.height if info else None,
                               bool(info and info.is_video),
                               Links.media(item.poster) if item.poster else ""))
    return tuple(found)


def _slot(number: int, slot: ScheduledSlot, context: PackContext) -> PackSlot:
    def made(kind: str, item_id: str, title: str, text: str, media: tuple[PackMedia, ...] = (),
             links: tuple[Link, ...] = (), guide_url: str = "", steps: tuple[PackStep, ...] = (),
             extras: tuple[tuple[str, str], ...] = ()) -> PackSlot:
        return PackSlot(number, slot.time, slot.channel, CHANNEL_LABELS[slot.channel], kind, item_id,
                        title, text, media, links, slot.note, slot.task, slot.origin, slot.category,
                        "事件处理期间先不发" if slot.held_by else "", guide_url, slot.maybe_held_by,
                        variants, steps, extras)

    variants = tuple(PackVariant(tag, value, post.id, post.title, post_text(post),
                                 _media(post.media, context)) for tag, value, post in slot.variants)

    if slot.game is not None:
        game = slot.game
        steps = tuple(PackStep(step.at, step.host_line, step.expect, step.tip)
                      for step in host_script(game, slot.quiz_round))
        extras = tuple((label, "；".join(items)) for label, items in
                       (("道具和预算", game.props), ("规则", game.rules), ("奖励", game.rewards),
                        ("冷场怎么办", game.fallback)) if items)
        return made("game", game.id, f"游戏：{game.name}", steps[0].text,
                    steps=steps, extras=extras)
    if slot.activity is not None:
        line = slot.activity
        return made("activity", line.activity.id, slot.title, line.text,
                    _media(line.activity.media, context) if line.day == 1 else ())
    if slot.lesson is not None:
        ref = slot.lesson
        url = context.guide_urls.get(f"lesson:{ref.curriculum.id}#{ref.lesson.id}", "")
        return made("lesson", ref.lesson.id, slot.title, lesson_text(slot, context.site_url + url),
                    guide_url=url)
    if slot.reply is not None:
        return made("reply", slot.reply.id, slot.reply.title, slot.reply.body)
    assert slot.post is not None
    post = slot.post
    links = tuple(Link(link.title, link.url) for link in post.links)
    return made("post", post.id, post.title, post_text(post), _media(post.media, context), links)


def post_text(post: Post) -> str:
    """What a post pastes: its body, then its links."""
    return post.body + "".join(f"\n{link.title}：{link.url}" for link in post.links)


def lesson_text(slot: ScheduledSlot, url: str) -> str:
    """The reminder a group assistant posts before a lesson."""
    assert slot.lesson is not None
    lesson = slot.lesson.lesson
    lines = [f"【培训提醒】今天 {slot.lesson.starts} 上课：{lesson.title}",
             f"形式：{FORMAT_LABELS[lesson.format]}，约 {lesson.minutes} 分钟"]
    if lesson.prepare:
        lines.append("课前准备：" + "；".join(lesson.prepare))
    lines.append(f"课程内容：{url}")
    return "\n".join(lines)


def pack_text(day: PackDay) -> str:
    """Paste-ready text: times first, slots clearly separated, placeholders kept."""
    lines = [f"{day.calendar_name}", day.heading, f"共 {len(day.slots)} 条", ""]
    for notice in day.notices:
        lines += [f"【注意】{notice.title}：{notice.text}", ""]
    for scoped in day.scoped:
        lines += [f"【注意】{scoped.title}（{scoped_reach(scoped)}）：{scoped.text}", ""]
    for slot in day.slots:
        where = "" if slot.channel == "group" else f" · {slot.channel_label}"
        lines.append(f"【{slot.number}】{slot.time}{where} · {slot.title}")
        if slot.held:
            lines += [f"（暂停：{slot.held}）", "", "----------", ""]
            continue
        if slot.maybe_held:
            lines.append("（上面【注意】说到的群：这一条先不发）")
        if slot.task:
            lines.append(f"（任务：{slot.task}）")
        if slot.note:
            lines.append(f"（提示：{slot.note}）")
        lines.append("")
        if slot.steps:
            lines += game_text(slot)
        else:
            lines.append(slot.text)
        for media in slot.media:
            lines.append(f"[{'视频' if media.is_video else '图片'}] {media.alt}")
        lines += ["", "----------", ""]
    if not day.slots:
        lines.append("今天没有安排推送。")
    return "\n".join(lines).rstrip("-\n ") + "\n"


def scoped_reach(notice: ScopedNotice) -> str:
    """Whom a scoped notice is for, in words, for the plain-text pack."""
    who = [f"群 {'、'.join(notice.groups)}"] if notice.groups else []
    who += [f"{key}为{'或'.join(values)}的群" for key, values in notice.tags.items()]
    until = f"到 {notice.end}" if notice.end else "起，处理完为止"
    return f"只对{'，'.join(who) or '所有群'}；{notice.start} {until}"


def game_text(slot: PackSlot) -> list[str]:
    """A game's whole host script for pack.txt: every step to paste, then budget and rewards."""
    lines: list[str] = []
    for number, step in enumerate(slot.steps, start=1):
        lines.append(f"第 {number} 步（第 {step.at} 分钟）：")
        lines.append(step.text)
        if step.expect:
            lines.append(f"（群友：{step.expect}）")
        if step.tip:
            lines.append(f"（提示：{step.tip}）")
        lines.append("")
    lines += [f"{label}：{text}" for label, text in slot.extras]
    return lines if slot.extras else lines[:-1]


def pack_json(day: PackDay, site_url: str) -> str:
    data = {
        "calendar": {"id": day.calendar_id, "name": day.calendar_name},
        "day": {"key": day.key, "date": day.date, "number": day.number,
                "weekday": day.weekday, "title": day.title, "festival": day.festival},
        "notices": [asdict(notice) for notice in day.notices],
        # only where some incident reaches some groups (or, in a day-N calendar, some start dates)
        **({"scoped_notices": [asdict(notice) for notice in day.scoped]} if day.scoped else {}),
        "slots": [
            {**{k: v for k, v in asdict(slot).items()
                if k not in ("media", "links", "channel_label", "guide_url", "variants", "steps", "extras")
                and not (k == "maybe_held" and not v)},
             **({"variants": [{"tag": v.tag, "value": v.value, "id": v.id, "title": v.title, "text": v.text}
                              for v in slot.variants]} if slot.variants else {}),
             "steps": [asdict(step) for step in slot.steps],
             "links": [asdict(link) for link in slot.links],
             "media": [{"path": m.path, "alt": m.alt, "type": "video" if m.is_video else "image",
                        "url": f"{site_url}{m.url}"} for m in slot.media]}
            for slot in day.slots
        ],
    }
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


DATE_TOKEN = "{D+%04d}"  # in a day-N calendar's personal feed: as long as the YYYYMMDD it stands for


def calendar_ics(calendar_id: str, name: str, days: list[PackDay], zone: str,
                 site_url: str, stamp: dt.datetime) -> bytes:
    """One event per slot at its local time, the text in the description (RFC 5545).

    A dated calendar's feed is complete. A day-N calendar's is the personal feed of a group:
    each date is written as {D+0001} (day 1), eight characters like the date it stands for,
    which the phone fills in from the group's start date, with the store's details in the
    text; that is all it does (packs/js/today.js `personalIcs`: every line stays as written
    here, a line it filled is folded again by the same rules, tests/js/fixtures/ics_text.json).
    One writer, so both have a time zone, folded lines, DTEND and the build's DTSTAMP.

    Events are serialised here: the icalendar library took 1.6 ms per event
    (30 s for a year of 10 calendars); it still provides the VTIMEZONE block
    and, in the tests, parses the result.
    """
    block = timezone_block(zone)
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//qunsop//群SOP//ZH", "CALSCALE:GREGORIAN",
             f"X-WR-CALNAME:{ics_text(name)}", f"X-WR-TIMEZONE:{zone}"]
    dtstamp = stamp.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    for day in days:
        for slot in day.slots:
            lines += ics_event(calendar_id, day, slot, zone if block else "", site_url, dtstamp)
    body = "".join(fold(line) + "\r\n" for line in lines)
    return (body + block + "END:VCALENDAR\r\n").encode("utf-8")


def _ics_moment(day: PackDay, clock: str, minutes: int, zone: str) -> str:
    """`;TZID=zone:YYYYMMDDTHHMMSS` (or UTC `:…Z` without a zone) for the day's `clock` plus
    `minutes`; a day-N calendar's date as its {D+NNNN} token."""
    hour, minute = map(int, clock.split(":"))
    total = hour * 60 + minute + minutes
    later, total = divmod(total, 24 * 60)
    time_text = f"T{total // 60:02d}{total % 60:02d}00"
    if day.date is None:
        return f";TZID={zone}:{DATE_TOKEN % (day.number + later)}{time_text}" if zone \
            else f":{DATE_TOKEN % (day.number + later)}{time_text}"
    date = dt.date.fromisoformat(day.date) + dt.timedelta(days=later)
    if zone:
        return f";TZID={zone}:{date:%Y%m%d}{time_text}"
    return f":{date:%Y%m%d}{time_text}Z"


def ics_event(calendar_id: str, day: PackDay, slot: PackSlot, zone: str,
              site_url: str, dtstamp: str) -> list[str]:
    where = "" if slot.channel == "group" else f"（{slot.channel_label}）"
    if slot.held:
        summary, description = f"【暂停】{slot.title}", slot.held
    else:
        summary = f"{slot.time} 发{where}：{slot.title}"
        text = "\n".join(game_text(slot)) if slot.steps else slot.text
        description = "\n\n".join(part for part in (slot.task, text, slot.note) if part)
    start = _ics_moment(day, slot.time, 0, zone)
    group = "" if day.date else f"{DATE_TOKEN % 1}-"  # one group's feed: its start date in the UID
    return [
        "BEGIN:VEVENT",
        f"UID:{calendar_id}-{group}{day.key}-{slot.time.replace(':', '')}-{slot.channel}-{slot.id}@qunsop",
        f"DTSTAMP:{dtstamp}",
        f"DTSTART{start}",
        f"DTEND{_ics_moment(day, slot.time, SLOT_MINUTES, zone)}",
        f"SUMMARY:{ics_text(summary)}",
        f"DESCRIPTION:{ics_text(description)}",
        f"URL:{site_url}{Links.pack(calendar_id, day.key)}",
        "BEGIN:VALARM", "ACTION:DISPLAY", f"DESCRIPTION:{ics_text(summary)}",
        "TRIGGER:PT0S", "END:VALARM",
        "END:VEVENT",
    ]


def ics_text(text: str) -> str:
    """Escape a TEXT value (RFC 5545 3.3.11)."""
    return (text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\n").replace("\n", "\\n"))


def fold(line: str, limit: int = 75) -> str:
    """Fold a content line at 75 octets without splitting a UTF-8 character."""
    data = line.encode("utf-8")
    if len(data) <= limit:
        return line
    parts: list[bytes] = []
    start, room = 0, limit
    while start < len(data):
        end = min(start + room, len(data))
        while end < len(data) and data[end] & 0xC0 == 0x80:  # inside a character: break before it
            end -= 1
        parts.append(data[start:end])
        start, room = end, limit - 1  # continuation lines start with one space
    return b"\r\n ".join(parts).decode("utf-8")


@functools.cache
def timezone_block(zone: str) -> str:
    """The VTIMEZONE component for `zone`, made by the icalendar library; "" for UTC-like
    zones, whose times are then written in UTC."""
    feed = icalendar.Calendar()
    event = icalendar.Event()
    event.add("dtstart", dt.datetime(2026, 1, 1, tzinfo=ZoneInfo(zone)))
    feed.add_component(event)
    feed.add_missing_timezones()
    found = feed.walk("VTIMEZONE")
    return found[0].to_ical().decode("utf-8") if found else ""


# --- rendering the files of one calendar -------------------------------------------------


@dataclass(frozen=True)
class PackJob:
    """Everything the packs process needs: plain data, picklable for any start method."""

    calendars: tuple[tuple[CalendarSchedule, PackContext], ...]
    site_url: str
    stamp: dt.datetime
    version: str = ""  # qunsop's code: a new version renders every pack again
    previous: dict[str, str] = field(default_factory=dict)  # last build's key of each pack file
    published: Path | None = None  # the published site, whose unchanged pack files are kept
    groups: tuple[PublishedGroup, ...] = ()  # the roster's groups: a link page and QR each, and their list
    root: Path | None = None  # the project, whose cache keeps the groups' QR codes between builds


DAY_FILES = ("index.html", "pack.txt", "pack.json")
CALENDAR_FILES = ("index.html", "today/index.html", "calendar.ics")
PERSONAL_ICS = "personal-ics.txt"  # a day-N calendar's feed with {D+NNNN} dates, filled on the phone
Output = bytes | Path  # new content, or a published file whose content is still right


def render_pack_files(schedule: CalendarSchedule, context: PackContext, stamp: dt.datetime,
                      version: str = "", previous: dict[str, str] | None = None,
                      published: Path | None = None,
                      keys: dict[str, str] | None = None) -> Iterator[tuple[str, Output]]:
    """Every file of one calendar's packs, as (site-relative path, content).

    With the previous build's keys (site-relative path -> key: the digest of the file's
    inputs) and the `published` site, a day whose key is unchanged is not rendered again:
    its published files are named instead. A day's key covers everything its files show
    (the day, its neighbours' links, the calendar, the profile, the address and qunsop
    itself); `keys` receives this build's key of each file that has one.
    """
    previous = previous or {}
    keys = {} if keys is None else keys
    env = get_html_env()
    days = pack_days(schedule, context)
    calendar = schedule.calendar
    base = Links.pack(calendar.id).rstrip("/")
    used = {name for day in days for slot in day.slots for name in slot.placeholders}
    # the form lists only what this calendar's posts use; an assistant's pack has no store form
    profile = [{"name": p.name, "description": p.description, "example": p.example}
               for p in context.placeholders if p.name in used and not context.assistant]
    known = [p.name for p in context.placeholders]  # what a pre-fill link may set on the phone
    shared = {"calendar": calendar, "playbook": context.playbook, "profile": profile,
              "known": known, "assistant": context.assistant, "skip_reasons": SKIP_REASONS,
              "site_url": context.site_url, "segments": marked_segments, "words": context.words}
    content = ContentKeys(calendar, context.playbook.id, context.playbook.timezone, profile, known,
                          context.assistant, context.site_url, context.words)

    def kept(folder: str, names: tuple[str, ...], key: str) -> list[Path] | None:
        files = [f"{folder}/{name}" for name in names]
        keys.update(dict.fromkeys(files, key))
        if published is None or any(previous.get(file) != key for file in files):
            return None
        paths = [published / file for file in files]
        return paths if all(plain_file(path) for path in paths) else None

    page = env.get_template("packs/pack.html.j2")
    for index, day in enumerate(days):
        before = days[index - 1] if index > 0 else None
        after = days[index + 1] if index + 1 < len(days) else None
        folder = f"{base}/{day.key}"
        key = content.of(day, before and (before.key, before.heading),
                         after and (after.key, after.heading)) or ""  # "": never kept
        reused = kept(folder, DAY_FILES, key)
        if reused is not None:
            yield from ((f"{folder}/{name}", path) for name, path in zip(DAY_FILES, reused, strict=True))
            continue
        html = page.render(day=day, previous=before, following=after, root="../../../", **shared)
        yield f"{folder}/index.html", html.encode()
        yield f"{folder}/pack.txt", (TEXT_BOM + pack_text(day)).encode()
        yield f"{folder}/pack.json", pack_json(day, context.site_url).encode()
    # the weekly template's days, for reading past the expanded ones: always rendered (at most 7)
    rhythm = [pack_day(schedule, day, context) for day in schedule.rhythm]
    for day in rhythm:
        folder = f"{base}/{day.key}"
        yield f"{folder}/index.html", page.render(day=day, previous=None, following=None,
                                                  root="../../../", **shared).encode()
        yield f"{folder}/pack.txt", (TEXT_BOM + pack_text(day)).encode()
        yield f"{folder}/pack.json", pack_json(day, context.site_url).encode()
    today_url = f"{context.site_url}{Links.pack(calendar.id, 'today')}"
    qr = kept(base, ("qr.png",), digest(f"{today_url}\0{version}".encode()))
    yield f"{base}/qr.png", qr[0] if qr else qr_png(today_url)
    names = CALENDAR_FILES if calendar.is_dated else (*CALENDAR_FILES[:-1], PERSONAL_ICS)
    whole = content.of(sorted(keys.items()), stamp) or ""
    reused = kept(base, names, whole)
    if reused is not None:
        yield from ((f"{base}/{name}", path) for name, path in zip(names, reused, strict=True))
        return
    yield f"{base}/index.html", env.get_template("packs/days.html.j2").render(
        days=days, root="../../", **shared).encode()
    yield f"{base}/today/index.html", env.get_template("packs/today.html.j2").render(
        days=days, root="../../../", day_list=[{"day": day.number, "key": day.key} for day in days],
        rhythm=[day.key for day in rhythm], **shared).encode()
    feed = calendar_ics(calendar.id, calendar.name, days, context.playbook.timezone,
                        context.site_url, stamp)
    yield f"{base}/{'calendar.ics' if calendar.is_dated else PERSONAL_ICS}", feed


def plain_file(path: Path) -> bool:
    """A regular file, not a link to one (one lstat: an edit's build asks for 12,000 at M)."""
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return False


def marked_segments(text: str) -> Iterator[tuple[str, str]]:
    """Split text into (segment, placeholder name or "") so pages can mark and fill {门店名}."""
    position = 0
    for match in PLACEHOLDER_PATTERN.finditer(text):
        if match.start() > position:
            yield text[position:match.start()], ""
        yield match.group(0), match.group(1)
        position = match.end()
    if position < len(text):
        yield text[position:], ""


def render_pack_job(job: PackJob, target: Path) -> None:
    """The packs process: write the pack files this build renders under `target`; name the
    ones reused from the published site in `reused.json`, every file in `files.json` and
    this build's key of each file that has one in `keys.json`."""
    all_keys: dict[str, str] = {}
    produced: list[str] = []
    reused: list[str] = []
    made: set[Path] = set()
    for schedule, context in job.calendars:
        keys: dict[str, str] = {}
        files = render_pack_files(schedule, context, job.stamp, job.version,
                                  job.previous, job.published, keys)
        for relative, content in files:
            produced.append(relative)
            if isinstance(content, Path):  # the published file, unchanged
                reused.append(relative)
                continue
            path = target / relative
            if path.parent not in made:  # three files a day share one folder
                path.parent.mkdir(parents=True, exist_ok=True)
                made.add(path.parent)
            path.write_bytes(content)
        all_keys.update(keys)
    (target / "packs").mkdir(parents=True, exist_ok=True)
    store = Cache.open(job.root) if job.root is not None and job.groups else None
    for relative, content in render_group_files(job.groups, job.site_url, store):
        path = target / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        produced.append(relative)
    scripts = dict(pack_scripts())  # a copy: the cached one keeps its version mark
    # a new deploy is a new worker, whose first act is to drop the old cache
    version = digest(json.dumps(all_keys, sort_keys=True).encode() + scripts["pack.js"]
                     + scripts["pack-today.js"])[:16]
    scripts["sw.js"] = scripts["sw.js"].replace(b"__QUNSOP_VERSION__", version.encode())
    for name, content in scripts.items():
        (target / "packs" / name).write_bytes(content)
        produced.append(f"packs/{name}")
    for name, value in (("keys.json", all_keys), ("reused.json", reused), ("files.json", produced)):
        (target / name).write_text(json.dumps(value, sort_keys=True), encoding="utf-8")


@functools.cache
def pack_scripts() -> dict[str, bytes]:
    """The pack pages' scripts, each the shared clock (js/clock.js) with js/core.js and
    js/day.js (day pages and the day list) or js/today.js (today/), or with group.js (group
    pages, and day pages with a scoped notice or variants); and the offline worker. Minified
    by rjsmin (a day page's script went from 29 KB to under 20 KB: the page budget is 30 KB)."""
    worker = (TEMPLATES / "packs" / "sw.js").read_text(encoding="utf-8")
    return {"pack.js": script_bundle("js/clock.js", "packs/js/core.js", "packs/js/day.js"),
            "pack-today.js": script_bundle("js/clock.js", "packs/js/core.js", "packs/js/today.js"),
            "group.js": script_bundle("js/clock.js", "packs/group.js"),
            "sw.js": (str(rjsmin.jsmin(worker)) + "\n").encode("utf-8")}


def pack_job(checked: CheckedProject, site_url: str, stamp: dt.datetime,
             history: History | None = None, previous: dict[str, str] | None = None,
             published: Path | None = None) -> PackJob:
    contexts = pack_contexts(checked, site_url, history)
    return PackJob(tuple((schedule, contexts[schedule.calendar.id])
                         for schedule in checked.schedules.values()
                         if schedule.calendar.id in contexts), site_url, stamp, code_version(),
                   previous or {}, published.parent if published else None, group_links(checked),
                   checked.project.root)


def pack_contexts(checked: CheckedProject, site_url: str,
                  history: History | None = None) -> dict[str, PackContext]:
    """What each calendar's packs need from the project, by calendar id."""
    project = checked.project
    changed = {f"{item.source.kind}:{item.model.id}": history.last_changed[item.source.path].isoformat()
               for index in project.indexes.values() for item in index
               if history and item.source.path in history.last_changed}
    links = Links(project)
    guide_urls = {f"game:{game.id}": page_url(links.item(game)) for game in project.of(Game).models()}
    for curriculum in project.of(Curriculum).models():
        for lesson in curriculum.lessons:
            guide_urls[f"lesson:{curriculum.id}#{lesson.id}"] = \
                page_url(f"{links.item(curriculum)}#{lesson.id}")
    playbooks = project.of(Playbook)
    tiers = project.of(Tier)
    return {schedule.calendar.id: PackContext(playbooks[schedule.playbook].model, site_url,
                                              tuple(project.placeholders.values()), project.media,
                                              guide_urls, changed, project.settings.words,
                                              is_assistants(schedule.calendar, tiers))
            for schedule in checked.schedules.values() if schedule.playbook in playbooks}


def is_assistants(calendar: Calendar, tiers: Index[Tier]) -> bool:
    """Sent by the platform's group assistant: said so (`sender`), or every tier is B side."""
    if calendar.sender is not None:
        return calendar.sender == "assistant"
    sides = {tiers[tier].model.side for tier in calendar.tiers if tier in tiers}
    return sides == {"B"}
