"""One link per roster group: a small page that saves the group on the phone and opens its
pack for today, a QR code of it, and the operators' list of every group.

Packs stay per calendar: the group page hands the pack pages its public data (placeholder
values its calendars' posts use, tags, start date) through the phone's storage, where the
profile form and today/ already look. Private columns are never read here.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, dataclass

import msgspec

from .cache import ByteStore, code_version
from .links import Links
from .models import Playbook, Tier
from .pipeline import CheckedProject
from .render import get_html_env, qr_png
from .roster import placeholders_used, roster_groups


@dataclass(frozen=True)
class GroupCalendar:
    id: str
    name: str
    dated: bool
    first: str  # dated: first and last date (no last: open-ended); day-N: "" and the last day in `days`
    last: str
    days: int


@dataclass(frozen=True)
class PublishedGroup:
    """What is published about one group: nothing that is not in its posts, its tags or its plan."""

    id: str
    name: str
    tier: str
    tier_name: str
    sender: str
    start: str
    tags: dict[str, str]
    values: dict[str, str]  # only placeholders its calendars' posts use
    calendars: tuple[GroupCalendar, ...]
    timezone: str

    def public(self) -> dict[str, object]:
        """The data the phone keeps (qunsop:group) and the pack pages read."""
        return {"id": self.id, "name": self.name, "tier": self.tier, "start": self.start or None,
                "tags": self.tags, "calendars": [calendar.id for calendar in self.calendars]}

    def calendar_data(self) -> list[dict[str, object]]:
        return [asdict(calendar) for calendar in self.calendars]


def group_links(checked: CheckedProject) -> tuple[PublishedGroup, ...]:
    project = checked.project
    tiers = project.of(Tier)
    playbooks = project.of(Playbook)
    used = {calendar_id: placeholders_used(schedule) for calendar_id, schedule in checked.schedules.items()}
    links = []
    for entry in roster_groups(project):
        group = entry.group
        calendars = []
        wanted: set[str] = set()
        for calendar_id in entry.calendars:
            schedule = checked.schedules.get(calendar_id)
            if schedule is None:
                continue
            wanted |= used[calendar_id]
            days = schedule.days
            calendar = schedule.calendar
            calendars.append(GroupCalendar(
                calendar.id, calendar.name, calendar.is_dated,
                calendar.start.isoformat() if calendar.start else "",
                calendar.end.isoformat() if calendar.end else "", max((d.number for d in days), default=0)))
        zone = playbooks[entry.playbook].model.timezone if entry.playbook in playbooks else "Asia/Shanghai"
        links.append(PublishedGroup(
            group.id, group.name, group.tier,
            tiers[group.tier].model.name if group.tier in tiers else group.tier,
            group.sender, group.start.isoformat() if group.start else "", dict(group.tags),
            {name: value for name, value in sorted(group.values.items()) if name in wanted},
            tuple(calendars), zone))
    return tuple(links)


QR_CACHE = "group-qr.msgpack"


def render_group_files(groups: tuple[PublishedGroup, ...], site_url: str,
                       store: ByteStore | None = None) -> Iterator[tuple[str, bytes]]:
    """Each group's page and QR code, then the operators' list (site-relative paths).

    A QR code takes ~25 ms to make (segno chooses the best mask in Python): with a
    thousand groups that was most of the roster's cost, so they are kept in the
    cache by address and made again only for new addresses."""
    if not groups:
        return
    env = get_html_env()
    page = env.get_template("packs/group.html.j2")
    stored = store.read_bytes(QR_CACHE) if store is not None else None
    version = code_version()
    try:
        record = msgspec.msgpack.decode(stored) if stored else {}
    except msgspec.DecodeError:
        record = {}
    known: dict[str, bytes] = record.get("codes", {}) if isinstance(record, dict) and \
        record.get("version") == version else {}
    used: dict[str, bytes] = {}
    for group in groups:
        folder = Links.group(group.id)
        yield f"{folder}index.html", page.render(group=group, root="../../../").encode()
        url = f"{site_url}{folder}"
        png = known.get(url) if isinstance(known.get(url), bytes) else None
        used[url] = png or qr_png(url)
        yield f"{folder}qr.png", used[url]
    if store is not None and used != known:
        store.write_bytes(QR_CACHE, msgspec.msgpack.encode({"version": version, "codes": used}))
    tag_keys = sorted({key for group in groups for key in group.tags})
    tag_values = {key: sorted({group.tags[key] for group in groups if key in group.tags}) for key in tag_keys}
    tiers = sorted({(group.tier, group.tier_name) for group in groups})
    yield f"{Links.group()}index.html", env.get_template("packs/groups.html.j2").render(
        groups=groups, tiers=tiers, tag_values=tag_values, site_url=site_url, root="../../",
        timezone=groups[0].timezone).encode()


