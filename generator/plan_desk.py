"""The operator's desk: the today page, the change list and every page's last-changed date.

The today page is laid out once; what it shows for a date comes from small JSON
files written beside it (one per month), so an operator can look at any date
without a rebuild and a big project does not make the page heavy.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import json
from collections import defaultdict
from typing import Any

import msgspec
from pydantic import BaseModel

from .festivals import marks_between
from .history import STATUS_LABELS, History
from .kinds import KIND_OF_MODEL, KINDS
from .links import Links, page_url
from .media import ASSETS_DIR
from .models import CATEGORY_LABELS, CHANNEL_LABELS, Campaign, Incident, Playbook, Post, Tier
from .pipeline import CheckedProject
from .resolve import Project
from .roster import roster_groups
from .schedule import CalendarSchedule, ScheduledDay, source_keys
from .views import ChangeEntry, ChangeItem, ChangesPage, Link, Page, TodayPage

TODAY_DATA = "today-data"


def today_page(checked: CheckedProject, links: Links) -> tuple[Page, list[tuple[str, bytes]]]:
    """The 今日 page and its data files (docs-relative paths)."""
    project = checked.project
    playbooks = project.of(Playbook).models()
    zone = playbooks[0].timezone if playbooks else "Asia/Shanghai"
    months: dict[str, dict[str, dict[str, list[list[Any]]]]] = defaultdict(lambda: defaultdict(dict))
    calendars: list[dict[str, Any]] = []
    relative: dict[str, dict[int, list[list[Any]]]] = {}
    for schedule in checked.schedules.values():
        calendar = schedule.calendar
        calendars.append({"id": calendar.id, "name": calendar.name, "dated": calendar.is_dated,
                          "url": page_url(links.item(calendar)),
                          "pack": links.pack(calendar.id),
                          # past its last expanded day an open-ended calendar is its weekly template
                          "last": schedule.days[-1].key if calendar.open_ended and schedule.days else "",
                          "rhythm": {day.key.removeprefix("weekly-"): slot_rows(day)
                                     for day in schedule.rhythm}})
        for day in schedule.days:
            rows = slot_rows(day)
            if day.date is not None:
                months[f"{day.date:%Y-%m}"][calendar.id][day.date.isoformat()] = rows
            else:
                relative.setdefault(calendar.id, {})[day.number] = rows
    meta = {
        "timezone": zone, "window": project.settings.lint.expiring_within_days,
        "marks": calendar_marks(checked),
        "calendars": calendars, "months": sorted(months), "relative": relative,
        "campaigns": [{"name": c.name, "url": page_url(links.item(c)), "start": c.start.isoformat(),
                       "end": c.end.isoformat()} for c in project.of(Campaign).models()],
        "incidents": [{"name": i.name, "url": page_url(links.item(i)), "start": i.start.isoformat(),
                       "end": i.end.isoformat() if i.end else None} for i in project.of(Incident).models()],
        "expiring": [{"title": p.title, "url": page_url(links.post(p.id)),
                      "until": p.valid_until.isoformat()}
                     for p in sorted(project.of(Post).models(), key=lambda p: p.id) if p.valid_until],
        **roster_meta(project),
    }
    files = [(f"{TODAY_DATA}/meta.json", as_json(meta))]
    files += [(f"{TODAY_DATA}/{month}.json", as_json(data)) for month, data in sorted(months.items())]
    links.targets |= {path for path, _data in files}
    page = Page(Links.TODAY, "today.md.j2", "今日", TodayPage(
        data_url=f"{TODAY_DATA}/meta.json", script_url="assets/today.js",
        today=checked.today.isoformat()), searchable=False)
    return page, files


def slot_rows(day: ScheduledDay) -> list[list[Any]]:
    return [[slot.time, CHANNEL_LABELS[slot.channel], CATEGORY_LABELS[slot.category],
             slot.title, bool(slot.held_by)] for slot in day.slots]


def calendar_marks(checked: CheckedProject) -> dict[str, str]:
    """The Chinese calendar's words for every day the 今日 page may be asked about: from the
    first calendar day to a year past the last."""
    dates = [day.date for schedule in checked.schedules.values() for day in schedule.days if day.date]
    if not dates:
        return {}
    first, last = min(dates), max(dates) + dt.timedelta(days=366)
    return {day.isoformat(): mark.label for day, mark in marks_between(first, last).items()}


def roster_meta(project: Project) -> dict[str, Any]:
    """The real groups for 今日, by tier (public roster fields only); nothing without a roster."""
    groups = roster_groups(project)
    if not groups:
        return {}
    tiers = project.of(Tier)
    order = list(dict.fromkeys(entry.group.tier for entry in groups))
    declared = [key for playbook in project.of(Playbook).models() for key in playbook.group_tags]
    return {
        "tag_keys": list(dict.fromkeys(declared)),
        "tiers": [{"id": tier, "name": tiers[tier].model.name if tier in tiers else tier} for tier in order],
        "groups": [{"id": entry.group.id, "name": entry.group.name, "tier": entry.group.tier,
                    "tags": entry.group.tags,
                    "start": entry.group.start.isoformat() if entry.group.start else None,
                    "calendars": list(entry.calendars)} for entry in groups],
    }


def as_json(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()


PACKS_LISTED = 6  # pack days named for one change; the rest are counted
MEDIA_KINDS = {".png": "图片", ".jpg": "图片", ".jpeg": "图片", ".webp": "图片", ".gif": "图片",
               ".mp4": "视频"}


def changes_page(project: Project, links: Links, history: History,
                 schedules: dict[str, CalendarSchedule]) -> Page:
    """Recent commits for operators: the Chinese summary, who and when, which pages and which
    pack days each touched, linked; a media file shown as the picture or video it is."""
    by_path = {item.source.path: item for index in project.indexes.values() for item in index}
    sent = pack_days(schedules)
    users: dict[str, list[Post]] = defaultdict(list)
    for post in project.of(Post).models():
        for media in post.media:
            users[f"{ASSETS_DIR}/{media.path}"].append(post)
            if media.poster:
                users[f"{ASSETS_DIR}/{media.poster}"].append(post)
    entries = []
    for change in history.changes:
        items: list[ChangeItem] = []
        for status, path in change.files:
            what = STATUS_LABELS.get(status, "修改")
            item = by_path.get(path)
            kind = KINDS[item.source.kind] if item else None
            if item is not None and kind is not None and (kind.page or kind.url):
                model = item.model
                title = str(getattr(model, "title", None) or getattr(model, "name", path))
                days = sent.get(f"{kind.name}:{model.id}", [])
                packs = tuple(Link(label, links.pack(calendar, key)) for calendar, key, label
                              in days[:PACKS_LISTED])
                items.append(ChangeItem(what, kind.label, Link(title, links.item(model)), packs,
                                        max(0, len(days) - PACKS_LISTED)))
            elif path.startswith(ASSETS_DIR + "/"):
                name = path.rsplit("/", 1)[-1]
                label = MEDIA_KINDS.get(name[name.rfind("."):].lower(), "素材文件")
                used = tuple(Link(post.title, links.item(post)) for post in users.get(path, []))
                items.append(ChangeItem(what, label, Link(name, ""), used_by=used))
            else:
                items.append(ChangeItem(what, "文件", Link(path, "")))
        summary = change.summary or made_up_summary(items)
        entries.append(ChangeEntry(change.date.isoformat(), summary, not change.summary,
                                   change.author, change.commit, tuple(items)))
    return Page(Links.CHANGES, "changes.md.j2", "变更记录", ChangesPage(tuple(entries), history.warnings),
                searchable=False)


def pack_days(schedules: dict[str, CalendarSchedule]) -> dict[str, list[tuple[str, str, str]]]:
    """Source key (post:id, calendar:id…) -> the pack days that send it: (calendar, day, label)."""
    found: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
    for schedule in schedules.values():
        calendar = schedule.calendar
        for day in schedule.days:
            label = f"{calendar.name} {day.date.month}月{day.date.day}日" if day.date else \
                f"{calendar.name} 第 {day.number} 天"
            for key in sorted(set(source_keys(calendar.id, day))):
                found[key].append((calendar.id, day.key, label))
    return found


def made_up_summary(items: list[ChangeItem]) -> str:
    """A Chinese summary from what a commit touched: 修改 2 个帖子、新增 1 个图片."""
    counts: dict[tuple[str, str], int] = {}
    for item in items:
        counts[(item.what, item.kind)] = counts.get((item.what, item.kind), 0) + 1
    return "、".join(f"{what} {count} 个{kind}" for (what, kind), count in counts.items())


def page_sources(page: Page, project: Project) -> tuple[str, ...]:
    """The source files a page shows: every source item found in its view-model (msgspec
    walks the view dataclasses and containers in C; an editor's model is an item, not
    looked into; any other value holds none)."""
    paths: set[str] = set()

    def item_of(value: Any) -> None:
        if isinstance(value, BaseModel):
            kind = KIND_OF_MODEL.get(type(value))  # type: ignore[arg-type]
            item_id = getattr(value, "id", None)
            if kind is not None and item_id is not None:
                item = project.indexes[kind.name].items.get(item_id)
                if item is not None:
                    paths.add(item.source.path)
        return None

    # a value it cannot walk ends the walk: the sources found until then
    with contextlib.suppress(TypeError, ValueError, OverflowError, RecursionError):
        msgspec.msgpack.encode(page.model, enc_hook=item_of)
    return tuple(sorted(paths))


def with_dates(pages: list[Page], project: Project, history: History,
               extra: dict[str, set[str]]) -> list[Page]:
    """Each page with the date any source it shows last changed."""
    everything = {path for index in project.indexes.values() for item in index
                  for path in [item.source.path]}
    dated = []
    for page in pages:
        sources = set(page_sources(page, project)) | extra.get(page.path, set())
        if page.path in (Links.HOME, Links.TODAY, Links.CHANGES, Links.STATS):
            sources = everything
        latest = history.latest(sources)
        dated.append(dataclasses.replace(page, updated=latest.isoformat() if latest else ""))
    return dated

