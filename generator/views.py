"""Typed view-models: exactly what each site template shows, computed in plan.py.

Templates only lay these out: they never walk the project, count, sort or
build a path. Source models (plain data) appear inside a view where a
template prints their fields.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from markupsafe import Markup, escape

from .models import (
    Activity,
    Calendar,
    Campaign,
    Curriculum,
    Escalation,
    Game,
    Incident,
    Kpi,
    Lesson,
    Playbook,
    Post,
    Reply,
    Tier,
)
from .stats import ContentStats


@dataclass(frozen=True)
class Link:
    """A titled link: on the site, to a target from Links (a docs-relative page or a
    site-root-relative file); in a pack, also to a post's own outside address."""

    title: str
    url: str


@dataclass(frozen=True)
class MediaView:
    url: str
    alt: str
    width: int | None
    height: int | None
    is_video: bool = False
    poster_url: str = ""


@dataclass(frozen=True)
class SlotRow:
    time: str
    channel: str  # label: 群里 / 朋友圈 / 私聊
    category: str  # label
    title: str
    remark: str = ""
    held: bool = False


@dataclass(frozen=True)
class DayRow:
    label: str  # 12月1日 周二 / 第 1 天
    theme: str
    slots: tuple[SlotRow, ...]
    pack_url: str


@dataclass(frozen=True)
class Month:
    label: str
    days: tuple[DayRow, ...]


@dataclass(frozen=True)
class MonthLink:
    link: Link
    days: int
    slots: int


@dataclass(frozen=True)
class HomePage:
    playbooks: tuple[tuple[Link, str], ...]  # link, audience
    packs: tuple[tuple[str, str, str], ...]  # calendar name, today url, day list url
    first_game: Link | None
    game_count: int
    post_count: int
    reply_count: int
    library: Link
    incidents: Link | None
    open_incidents: tuple[tuple[Link, DatedStatus], ...]  # open or not yet started at the build
    today: Link
    changes: Link


@dataclass(frozen=True)
class TierRow:
    link: Link
    node: str  # mermaid node id
    side: str
    lifecycle: str
    posts_per_day: int
    flows_to: tuple[Link, ...]
    flow_nodes: tuple[str, ...]
    seeds: tuple[Link, ...]
    seed_nodes: tuple[str, ...]


@dataclass(frozen=True)
class PlaybookPage:
    playbook: Playbook
    tiers: tuple[TierRow, ...]
    calendars: tuple[tuple[Link, tuple[Link, ...]], ...]
    curricula: tuple[tuple[Link, str], ...]
    escalations: tuple[tuple[Link, str], ...]
    campaigns: tuple[tuple[Link, str], ...]
    activities: tuple[tuple[Link, str], ...]
    incidents: tuple[tuple[Link, DatedStatus], ...]
    mermaid_url: str


@dataclass(frozen=True)
class TierPage:
    tier: Tier
    side: str
    lifecycle: str
    owner: str
    kpis: tuple[Kpi, ...]
    flows_to: tuple[Link, ...]
    fed_by: tuple[Link, ...]
    seeds: tuple[Link, ...]
    seeded_by: tuple[Link, ...]
    shares_members_with: tuple[Link, ...]
    calendars: tuple[Link, ...]
    games: tuple[Link, ...]
    curricula: tuple[Link, ...]
    campaigns: tuple[Link, ...]


@dataclass(frozen=True)
class CalendarPage:
    calendar: Calendar
    tiers: tuple[Link, ...]
    span: str  # 2026-11-30 ~ 2027-01-03（共 35 天） / 建群后第 1 ~ 14 天
    today_url: str
    days_url: str
    ics_url: str | None
    qr_svg: Markup
    qr_png_url: str
    today_address: str  # the full address the QR code opens
    months: tuple[Month, ...]
    month_links: tuple[MonthLink, ...]
    remarks: tuple[tuple[str, str], ...]  # operator remarks: day, text
    back: Link | None = None  # month pages link back to the overview


@dataclass(frozen=True)
class LessonView:
    lesson: Lesson
    format: str
    materials: tuple[Link, ...]


@dataclass(frozen=True)
class CurriculumPage:
    curriculum: Curriculum
    audience: tuple[Link, ...]
    unlocks: tuple[Link, ...]
    total_minutes: int
    schedule: tuple[tuple[str, str, str, str, int], ...]  # when, lesson id, title, format, minutes
    lessons: tuple[LessonView, ...]


@dataclass(frozen=True)
class StepView:
    minutes: str  # 5 分钟 / 2 小时 / 3 天
    owner: str
    backup: str
    action: str
    reply: Link | None
    reply_text: str


@dataclass(frozen=True)
class CardContact:
    role: str
    contact: str  # empty: a line to fill in by hand
    phone: str
    when: str  # 第一响应 / 30 分钟未解决


@dataclass(frozen=True)
class CardView:
    """The one-page print card: what to do first, at night, whom to call, what to send."""

    first_steps: tuple[StepView, ...]
    chain: tuple[CardContact, ...]
    night: tuple[str, ...]
    scripts: tuple[tuple[str, str], ...]  # when to send, text


@dataclass(frozen=True)
class EscalationPage:
    plan: Escalation
    tiers: tuple[Link, ...]
    severity: tuple[tuple[str, str, str, str], ...]  # level, name, description, respond within
    steps: tuple[StepView, ...]
    escalate_to: tuple[tuple[str, str], ...]  # after, role name
    held: tuple[str, ...]  # category labels held back during an incident
    incidents: tuple[Link, ...]
    card: CardView


@dataclass(frozen=True)
class AnnouncementView:
    when: str
    time: str
    title: str
    note: str
    remark: str
    text: str


@dataclass(frozen=True)
class CampaignPage:
    campaign: Campaign
    tiers: tuple[Link, ...]
    kpis: tuple[Kpi, ...]
    announcements: tuple[AnnouncementView, ...]
    activities: tuple[tuple[str, str, Link, str], ...]  # date, time, activity, note


@dataclass(frozen=True)
class ActivityPage:
    activity: Activity
    kind: str
    tiers: tuple[Link, ...]
    lines: tuple[tuple[int, str], ...]  # activity day, text (tokens shown as written)
    used_by: tuple[Link, ...]
    kpis: tuple[Kpi, ...]
    started_by: tuple[tuple[Link, str], ...]  # campaign, when


@dataclass(frozen=True)
class DatedStatus:
    """An incident's status on the day the site was built; the page redoes it in the browser
    for the day it is read (assets/dates.js)."""

    start: str
    end: str  # empty while open-ended
    zone: str  # the playbook's time zone: "today" is the reader's date there
    text: str  # as of the build


@dataclass(frozen=True)
class IncidentPage:
    incident: Incident
    plan: Link
    owner_notice: str
    held: tuple[str, ...]
    affected: tuple[Link, ...]
    status: DatedStatus
    review_questions: tuple[str, ...]
    groups: str = ""  # the roster groups or tags it is scoped to, in words


@dataclass(frozen=True)
class IncidentsPage:
    entries: tuple[tuple[Link, DatedStatus], ...]  # newest first
    generated: dt.date


@dataclass(frozen=True)
class GamePage:
    game: Game
    kind: str
    tiers: tuple[Link, ...]
    used_by: tuple[Link, ...]


@dataclass(frozen=True)
class CategoryRow:
    link: Link
    posts: int
    in_use: int
    pages: tuple[Link, ...]


@dataclass(frozen=True)
class LibraryPage:
    post_count: int
    reply_count: int
    categories: tuple[CategoryRow, ...]
    tags: tuple[tuple[Link, int], ...]


@dataclass(frozen=True)
class PostView:
    post: Post
    tiers: tuple[Link, ...]
    more_tiers: int
    validity: str
    used: int
    media: tuple[MediaView, ...]


@dataclass(frozen=True)
class Pager:
    number: int
    total: int
    previous: str | None
    next: str | None


@dataclass(frozen=True)
class PostsPage:
    label: str
    pager: Pager
    posts: tuple[PostView, ...]


@dataclass(frozen=True)
class TagPage:
    tag: str
    pager: Pager
    posts: tuple[tuple[Link, str, bool], ...]  # link, category label, is draft
    library: Link


@dataclass(frozen=True)
class RepliesPage:
    replies: tuple[Reply, ...]


@dataclass(frozen=True)
class StatsRow:
    link: Link
    days: int
    slots: int
    by_category: tuple[int, ...]
    below_cadence: int
    cadence: int


@dataclass(frozen=True)
class StatsPage:
    stats: ContentStats
    category_labels: tuple[str, ...]
    calendars: tuple[StatsRow, ...]
    unused: tuple[tuple[Link, str], ...]
    unused_more: int
    reuse: tuple[tuple[Link, str, int], ...]
    expiring: tuple[tuple[Link, str], ...]  # every post not yet expired at the build
    within_days: int
    zone: str


@dataclass(frozen=True)
class TodayPage:
    data_url: str  # docs-relative JSON with calendars, campaigns, incidents and expiring posts
    script_url: str
    today: str  # the build's day, shown until the script has worked out the real one


@dataclass(frozen=True)
class ChangeItem:
    what: str  # 新增 / 修改 / 删除…
    kind: str  # 帖子, 排期, 图片…
    link: Link  # url "" when the page is gone or there is none
    packs: tuple[Link, ...] = ()  # the pack days that send it (the first few)
    more_packs: int = 0  # pack days beyond those listed
    used_by: tuple[Link, ...] = ()  # for a media file: the posts that show it


@dataclass(frozen=True)
class ChangeEntry:
    date: str
    summary: str  # Chinese: the commit's 变更说明, its Chinese subject, or made from its items
    made_up: bool  # the summary was made from the items (the commit said it only in English)
    author: str
    commit: str
    items: tuple[ChangeItem, ...]


@dataclass(frozen=True)
class ChangesPage:
    entries: tuple[ChangeEntry, ...]
    gaps: tuple[str, ...] = ()  # what git could not tell (no git, another owner, shallow clone)


@dataclass(frozen=True)
class Page:
    """One page of the SOP site: where it goes, which template lays out which view."""

    path: str
    template: str
    title: str
    model: object
    searchable: bool = True  # tables of titles only would bloat the search index
    search_boost: float = 1.0  # pages that answer an operator's question rank above library pages
    nav_group: str | None = None  # the playbook nav group; None: top level or not in nav
    in_nav: bool = True  # continuation pages are reached by links; keeps every page's nav small
    updated: str = ""  # the date any of them last changed (YYYY-MM-DD), if the project is in git

    @property
    def nav_title(self) -> str:
        """The theme prints nav and page titles as HTML, unescaped: escape editor text here."""
        return str(escape(self.title))


# --- labels shared by the site's pages and the packs ---------------------------------------

WEEKDAY_LABELS = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")
LIFECYCLE_LABELS = {"persistent": "长期运营", "one_off": "一次性", "campaign": "随活动建立"}
GAME_KIND_LABELS = {"icebreaker": "拉新破冰", "retention": "日常维系", "festival": "节日",
                    "growth": "裂变增长"}
FORMAT_LABELS = {"live": "直播", "video": "短视频", "slides": "课件", "onsite-qa": "现场答疑"}
ACTIVITY_KIND_LABELS = {"checkin": "打卡", "groupbuy": "拼团", "pk": "比拼", "other": "活动"}


def with_marks(theme: str, marks: str) -> str:
    """A day's theme and what the Chinese calendar says of it (腊八, 春节 · 法定假日, 调休上班)."""
    extra = [mark for mark in marks.split(" · ") if mark and mark.removesuffix("假期") not in theme]
    return " · ".join(part for part in (theme, *extra) if part)


def day_theme(title: str, festival: str) -> str:
    """Festival and title without saying the festival twice (圣诞 + 圣诞报平安)."""
    if festival and festival not in title:
        return " ".join(part for part in (festival, title) if part)
    return title or festival
