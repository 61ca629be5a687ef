"""Per-day push packs: what each output file of a pack holds, as plain data.

A pack is derived from one CalendarSchedule day. The HTML page, pack.txt,
pack.json and the calendar's .ics feed are all made from the same PackDay,
so they cannot disagree. Packs need no site navigation, so they are rendered
straight from site_templates/packs/, outside MkDocs.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from zoneinfo import ZoneInfo

import icalendar
from jinja2 import Environment

from .models import CATEGORY_LABELS, Playbook
from .plan import WEEKDAY_LABELS
from .resolve import PLACEHOLDER_PATTERN
from .schedule import CalendarSchedule, ScheduledDay, ScheduledSlot

SLOT_MINUTES = 10


@dataclass(frozen=True)
class PackMedia:
    path: str
    alt: str


@dataclass(frozen=True)
class PackSlot:
    number: int
    time: str
    category: str
    category_label: str
    kind: str  # "post" or "game"
    id: str
    title: str
    text: str
    media: tuple[PackMedia, ...]
    note: str
    origin: str

    @property
    def has_placeholders(self) -> bool:
        return PLACEHOLDER_PATTERN.search(self.text) is not None


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

    @property
    def heading(self) -> str:
        when = f"{self.date} {self.weekday}" if self.date else f"建群第 {self.number} 天"
        extra = " ".join(part for part in (self.festival, self.title) if part)
        return f"{when} {extra}".strip()


def pack_days(schedule: CalendarSchedule) -> list[PackDay]:
    return [pack_day(schedule, day) for day in schedule.days]


def pack_day(schedule: CalendarSchedule, day: ScheduledDay) -> PackDay:
    slots = tuple(_slot(number, slot) for number, slot in enumerate(day.slots, start=1))
    weekday = WEEKDAY_LABELS[day.date.weekday()] if day.date else ""
    return PackDay(schedule.calendar.id, schedule.calendar.name, day.key,
                   day.date.isoformat() if day.date else None, day.number, weekday,
                   day.title, day.festival, slots)


def _slot(number: int, slot: ScheduledSlot) -> PackSlot:
    label = CATEGORY_LABELS[slot.category]
    if slot.game is not None:
        game = slot.game
        return PackSlot(number, slot.time, slot.category, label, "game", game.id, game.name,
                        game.steps[0].host_line, (), slot.note, slot.origin)
    assert slot.post is not None
    post = slot.post
    media = tuple(PackMedia(m.path, m.alt) for m in post.media)
    return PackSlot(number, slot.time, slot.category, label, "post", post.id, post.title,
                    post.body, media, slot.note, slot.origin)


def pack_text(day: PackDay) -> str:
    """Paste-ready text: times first, slots clearly separated."""
    lines = [f"{day.calendar_name}", day.heading, f"共 {len(day.slots)} 条", ""]
    for slot in day.slots:
        kind = "游戏" if slot.kind == "game" else slot.category_label
        lines.append(f"【{slot.number}】{slot.time} · {kind} · {slot.title}")
        if slot.note:
            lines.append(f"（提示：{slot.note}）")
        lines.append("")
        lines.append(slot.text)
        for media in slot.media:
            lines.append(f"[图片] {media.alt}")
        lines += ["", "----------", ""]
    if not day.slots:
        lines.append("今天没有安排推送。")
    return "\n".join(lines).rstrip("-\n ") + "\n"


def pack_json(day: PackDay, site_url: str) -> str:
    data = {
        "calendar": {"id": day.calendar_id, "name": day.calendar_name},
        "day": {"key": day.key, "date": day.date, "number": day.number,
                "weekday": day.weekday, "title": day.title, "festival": day.festival},
        "slots": [
            {**{k: v for k, v in asdict(slot).items() if k != "media"},
             "media": [{"path": m.path, "alt": m.alt,
                        "url": f"{site_url}assets/content/{m.path}"} for m in slot.media]}
            for slot in day.slots
        ],
    }
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def marked_segments(text: str) -> Iterator[tuple[str, bool]]:
    """Split text into (segment, is_placeholder) so templates can mark {门店名}."""
    position = 0
    for match in PLACEHOLDER_PATTERN.finditer(text):
        if match.start() > position:
            yield text[position:match.start()], False
        yield match.group(0), True
        position = match.end()
    if position < len(text):
        yield text[position:], False


def calendar_ics(schedule: CalendarSchedule, days: list[PackDay], playbook: Playbook,
                 site_url: str, stamp: dt.datetime) -> bytes:
    """One event per slot at its local time, the text in the description (RFC 5545).

    Events are serialised here: the icalendar library took 1.6 ms per event
    (30 s for a year of 10 calendars); it still provides the VTIMEZONE block
    and, in the tests, parses the result.
    """
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//qunsop//群SOP//ZH", "CALSCALE:GREGORIAN",
             f"X-WR-CALNAME:{ics_text(schedule.calendar.name)}",
             f"X-WR-TIMEZONE:{playbook.timezone}"]
    zone = playbook.timezone
    dtstamp = stamp.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    for day in days:
        if day.date is None:
            continue
        for slot in day.slots:
            start = dt.datetime.combine(dt.date.fromisoformat(day.date),
                                        dt.time.fromisoformat(slot.time))
            end = start + dt.timedelta(minutes=SLOT_MINUTES)
            description = slot.text + (f"\n\n提示：{slot.note}" if slot.note else "")
            lines += [
                "BEGIN:VEVENT",
                f"UID:{schedule.calendar.id}-{day.key}-{slot.time.replace(':', '')}-{slot.id}@qunsop",
                f"DTSTAMP:{dtstamp}",
                f"DTSTART;TZID={zone}:{start:%Y%m%dT%H%M%S}",
                f"DTEND;TZID={zone}:{end:%Y%m%dT%H%M%S}",
                f"SUMMARY:{ics_text(f'{slot.time} {slot.category_label}：{slot.title}')}",
                f"DESCRIPTION:{ics_text(description)}",
                f"URL:{site_url}packs/{schedule.calendar.id}/{day.key}/",
                "BEGIN:VALARM", "ACTION:DISPLAY", f"DESCRIPTION:{ics_text(slot.title)}",
                "TRIGGER:PT0S", "END:VALARM",
                "END:VEVENT",
            ]
    lines.append("END:VCALENDAR")
    body = "".join(fold(line) + "\r\n" for line in lines[:-1])
    return (body + timezone_block(zone) + fold(lines[-1]) + "\r\n").encode("utf-8")


def ics_text(text: str) -> str:
    """Escape a TEXT value (RFC 5545 3.3.11)."""
    return (text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\n").replace("\n", "\\n"))


def fold(line: str, limit: int = 75) -> str:
    """Fold a content line at 75 octets without splitting a UTF-8 character."""
    if len(line.encode("utf-8")) <= limit:
        return line
    parts: list[str] = []
    current, size = "", 0
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            parts.append(current)
            current, size = "", 1  # continuation lines start with one space
        current += char
        size += width
    parts.append(current)
    return "\r\n ".join(parts)


@functools.cache
def timezone_block(zone: str) -> str:
    """The VTIMEZONE component for `zone`, made by the icalendar library."""
    feed = icalendar.Calendar()
    event = icalendar.Event()
    event.add("dtstart", dt.datetime(2026, 1, 1, tzinfo=ZoneInfo(zone)))
    feed.add_component(event)
    feed.add_missing_timezones()
    return feed.walk("VTIMEZONE")[0].to_ical().decode("utf-8")


def render_pack_files(env: Environment, schedule: CalendarSchedule, playbook: Playbook,
                      site_url: str, stamp: dt.datetime) -> Iterator[tuple[str, bytes]]:
    """Every file of one calendar's packs, as (site-relative path, bytes)."""
    days = pack_days(schedule)
    base = f"packs/{schedule.calendar.id}"
    page = env.get_template("packs/pack.html.j2")
    for index, day in enumerate(days):
        previous = days[index - 1] if index > 0 else None
        following = days[index + 1] if index + 1 < len(days) else None
        html = page.render(day=day, previous=previous, following=following,
                           calendar=schedule.calendar, segments=marked_segments,
                           root="../../../", playbook=playbook)
        yield f"{base}/{day.key}/index.html", html.encode()
        yield f"{base}/{day.key}/pack.txt", pack_text(day).encode()
        yield f"{base}/{day.key}/pack.json", pack_json(day, site_url).encode()
    first, last = (days[0].key, days[-1].key) if days else ("", "")
    yield f"{base}/index.html", env.get_template("packs/days.html.j2").render(
        days=days, calendar=schedule.calendar, root="../../", playbook=playbook).encode()
    yield f"{base}/today/index.html", env.get_template("packs/today.html.j2").render(
        calendar=schedule.calendar, playbook=playbook, first=first, last=last,
        day_count=len(days), root="../../../").encode()
    if schedule.calendar.is_dated:
        yield f"{base}/calendar.ics", calendar_ics(schedule, days, playbook, site_url, stamp)
