"""Decide every output page of the SOP site: its path, template, context and nav place.

Paths here are docs-relative Markdown paths; MkDocs turns `a/b.md` into the
stable URL `a/b/`. Everything the templates need is computed here, so the
templates only lay out data.
"""

from __future__ import annotations

import hashlib
import io
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import segno
from markupsafe import Markup, escape

from .models import CATEGORY_LABELS, Post
from .pipeline import CheckedProject
from .resolve import Project
from .stats import content_stats

NavEntry = dict[str, Any]

WEEKDAY_LABELS = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")
SIDE_LABELS = {"B": "B 端（门店老板）", "C": "C 端（消费者）"}
LIFECYCLE_LABELS = {"persistent": "长期运营", "one_off": "一次性", "campaign": "随活动建立"}
GAME_KIND_LABELS = {"icebreaker": "拉新破冰", "retention": "日常维系", "festival": "节日",
                    "growth": "裂变增长"}
FORMAT_LABELS = {"live": "直播", "video": "短视频", "slides": "课件", "onsite-qa": "现场答疑"}


@dataclass(frozen=True)
class Page:
    path: str
    template: str
    title: str
    context: dict[str, Any] = field(default_factory=dict)
    searchable: bool = True  # tables of titles only would bloat the search index
    in_nav: bool = True  # continuation pages are reached by links; keeps every page's nav small


POSTS_PER_PAGE = 30
TAG_ENTRIES_PER_PAGE = 200
MONTH_PAGES_AFTER_DAYS = 62


def chunks(items: list[Any], size: int) -> list[list[Any]]:
    return [items[start:start + size] for start in range(0, len(items), size)] or [[]]


def numbered_path(base: str, number: int) -> str:
    """Page 1 keeps the plain URL (bookmarks stay valid as a library grows)."""
    return f"{base}.md" if number == 1 else f"{base}-{number}.md"


def tag_slug(tag: str) -> str:
    return "tag-" + hashlib.sha1(tag.encode("utf-8")).hexdigest()[:8]


@dataclass(frozen=True)
class SitePlan:
    pages: list[Page]
    nav: list[NavEntry]
    search_words: list[str]


class Links:
    """Docs-relative paths of every linkable item; one place decides the URL scheme."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self._post_pages: dict[str, str] = {}

    def playbook(self, playbook_id: str) -> str:
        return f"{playbook_id}/index.md"

    def tier(self, tier_id: str) -> str:
        return self._owned("tiers", self.project.tiers.items[tier_id].playbook, tier_id)

    def calendar(self, calendar_id: str) -> str:
        playbook = self.project.calendars.items[calendar_id].playbook
        return f"{playbook}/calendars/{calendar_id}/index.md"

    def calendar_month(self, calendar_id: str, month: str) -> str:
        return self.calendar(calendar_id).replace("index.md", f"{month}.md")

    def category(self, category: str, number: int = 1) -> str:
        return numbered_path(f"library/{category}", number)

    def tag(self, tag: str, number: int = 1) -> str:
        return numbered_path(f"library/tags/{tag_slug(tag)}", number)

    def curriculum(self, curriculum_id: str) -> str:
        item = self.project.curricula.items[curriculum_id]
        return self._owned("curricula", item.playbook, curriculum_id)

    def escalation(self, escalation_id: str) -> str:
        item = self.project.escalations.items[escalation_id]
        return self._owned("escalations", item.playbook, escalation_id)

    def campaign(self, campaign_id: str) -> str:
        item = self.project.campaigns.items[campaign_id]
        return self._owned("campaigns", item.playbook, campaign_id)

    def game(self, game_id: str) -> str:
        return f"games/{game_id}.md"

    def post(self, post_id: str) -> str:
        if not self._post_pages:
            for category in {post.category for post in self.project.posts.models()}:
                for number, posts in enumerate(library_chunks(self.project, category), start=1):
                    for post in posts:
                        self._post_pages[post.id] = self.category(category, number)
        return f"{self._post_pages[post_id]}#{post_id}"

    def reply(self, reply_id: str) -> str:
        return f"library/replies.md#{reply_id}"

    def material(self, content_id: str) -> str:
        if content_id in self.project.posts:
            return self.post(content_id)
        if content_id in self.project.games:
            return self.game(content_id)
        return self.reply(content_id)

    def material_title(self, content_id: str) -> str:
        for index in (self.project.posts, self.project.games, self.project.replies):
            if content_id in index:
                model = index[content_id].model
                return getattr(model, "title", None) or getattr(model, "name", content_id)
        return content_id

    @staticmethod
    def pack(calendar_id: str, day_key: str | None = None) -> str:
        """Site-root-relative URL of a pack folder (packs are outside MkDocs)."""
        return f"packs/{calendar_id}/{day_key}/" if day_key else f"packs/{calendar_id}/"

    @staticmethod
    def _owned(folder: str, playbook: str | None, item_id: str) -> str:
        return f"{playbook}/{folder}/{item_id}.md"


def plan_site(checked: CheckedProject, glossary: list[str], site_url: str) -> SitePlan:
    project = checked.project
    links = Links(project)
    shared = {"links": links, "project": project, "categories": CATEGORY_LABELS,
              "side_labels": SIDE_LABELS, "lifecycle_labels": LIFECYCLE_LABELS,
              "game_kinds": GAME_KIND_LABELS, "formats": FORMAT_LABELS,
              "weekdays": WEEKDAY_LABELS, "site_url": site_url}
    pages: list[Page] = [Page("index.md", "home.md.j2", "首页", {**shared})]
    nav: list[NavEntry] = [{"首页": "index.md"}]
    for playbook_item in project.playbooks:
        playbook_pages = _playbook_pages(checked, playbook_item.model.id, shared)
        pages += playbook_pages
        nav.append({nav_title(playbook_item.model.name): [nav_entry(page) for page in
                                               playbook_pages[:1]] + _grouped_nav(playbook_pages[1:])})
    game_pages = [Page(links.game(game.id), "game.md.j2", game.name,
                       {**shared, "game": game, "used_by": _game_users(checked, game.id)})
                  for game in sorted(project.games.models(), key=lambda g: (g.kind, g.id))]
    pages += game_pages
    if game_pages:
        nav.append({"活跃游戏": [nav_entry(page) for page in game_pages]})
    library_pages = _library_pages(checked, shared)
    pages += library_pages
    nav.append({"内容库": [nav_entry(page) for page in library_pages if page.in_nav]})
    return SitePlan(pages, nav, search_words(project, glossary))


def nav_title(title: str) -> str:
    """The theme prints nav titles as HTML, unescaped: escape editor text here."""
    return str(escape(title))


def nav_entry(page: Page) -> NavEntry:
    return {nav_title(page.title): page.path}


def _grouped_nav(pages: list[Page]) -> list[NavEntry]:
    groups: dict[str, list[NavEntry]] = defaultdict(list)
    labels = {"tiers": "群层级", "calendars": "推送排期", "curricula": "培训课程",
              "escalations": "紧急预案", "campaigns": "活动"}
    for page in pages:
        if not page.in_nav:
            continue
        folder = page.path.split("/")[1]
        groups[labels[folder]].append(nav_entry(page))
    return [{label: groups[label]} for label in labels.values() if groups[label]]


def _playbook_pages(checked: CheckedProject, playbook_id: str,
                    shared: dict[str, Any]) -> list[Page]:
    project, links = checked.project, shared["links"]

    def owned(index):  # type: ignore[no-untyped-def]
        return [item.model for item in index if item.playbook == playbook_id]

    playbook = project.playbooks[playbook_id].model
    tiers = owned(project.tiers)
    calendars = owned(project.calendars)
    curricula = owned(project.curricula)
    escalations = owned(project.escalations)
    campaigns = owned(project.campaigns)
    overview = Page(links.playbook(playbook_id), "playbook.md.j2", "方案概览", {
        **shared, "playbook": playbook, "tiers": tiers, "calendars": calendars,
        "curricula": curricula, "escalations": escalations, "campaigns": campaigns})
    pages = [overview]
    for tier in tiers:
        pages.append(Page(links.tier(tier.id), "tier.md.j2", tier.name, {
            **shared, "playbook": playbook, "tier": tier,
            "owner": _role(playbook, tier.owner), "kpis": _kpis(playbook, tier.kpis),
            "calendars": [c for c in calendars if tier.id in c.tiers],
            "games": [g for g in project.games.models() if tier.id in g.tiers],
            "curricula": [c for c in curricula if tier.id in c.audience or tier.id in c.unlocks],
            "campaigns": [c for c in campaigns if tier.id in c.tiers],
            "fed_by": [t for t in tiers if tier.id in t.flows_to]}))
    for calendar in calendars:
        pages += _calendar_pages(checked, calendar, playbook, shared)
    for curriculum in curricula:
        pages.append(Page(links.curriculum(curriculum.id), "curriculum.md.j2", curriculum.name, {
            **shared, "playbook": playbook, "curriculum": curriculum,
            "lessons": {lesson.id: lesson for lesson in curriculum.lessons}}))
    for plan in escalations:
        pages.append(Page(links.escalation(plan.id), "escalation.md.j2", plan.name, {
            **shared, "playbook": playbook, "plan": plan,
            "roles": {role.id: role for role in playbook.roles},
            "replies": {r.id: r for r in project.replies.models()}}))
    for campaign in campaigns:
        pages.append(Page(links.campaign(campaign.id), "campaign.md.j2", campaign.name, {
            **shared, "playbook": playbook, "campaign": campaign,
            "kpis": _kpis(playbook, campaign.kpis),
            "posts": {a.post: project.posts[a.post].model for a in campaign.announcements}}))
    return pages


def _calendar_pages(checked: CheckedProject, calendar: Any, playbook: Any,
                    shared: dict[str, Any]) -> list[Page]:
    """The calendar's page; a long dated calendar gets one page per month."""
    links = shared["links"]
    schedule = checked.schedules[calendar.id]
    months = _months(schedule.days)
    split = calendar.is_dated and len(schedule.days) > MONTH_PAGES_AFTER_DAYS
    context = {**shared, "playbook": playbook, "calendar": calendar, "schedule": schedule,
               "today_qr": qr_svg(f"{shared['site_url']}{links.pack(calendar.id, 'today')}")}
    month_links = [(label, links.calendar_month(calendar.id, key), days)
                   for (label, days), key in zip(months, _month_keys(months), strict=True)]
    overview = Page(links.calendar(calendar.id), "calendar.md.j2", calendar.name,
                    {**context, "months": [] if split else months,
                     "month_links": month_links if split else []}, searchable=False)
    if not split:
        return [overview]
    return [overview] + [
        Page(path, "calendar_month.md.j2", f"{calendar.name} · {label}",
             {**context, "months": [(label, days)], "month_links": []}, searchable=False,
             in_nav=False)
        for label, path, days in month_links]


def _month_keys(months: list[tuple[str, list[Any]]]) -> list[str]:
    return [f"{days[0].date:%Y-%m}" if days[0].date else "days" for _label, days in months]


def qr_svg(url: str) -> Markup:
    """An inline SVG QR code of `url` for operators to share in a store-owner group."""
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="svg", scale=4, xmldecl=False, svgns=True,
                                   title="今天的推送包", dark="#1b1b1b")
    return Markup(buffer.getvalue().decode())


def _role(playbook: Any, role_id: str) -> Any:
    return next((role for role in playbook.roles if role.id == role_id), None)


def _kpis(playbook: Any, kpi_ids: list[str]) -> list[Any]:
    return [kpi for kpi in playbook.kpis if kpi.id in kpi_ids]


def _months(days: tuple[Any, ...]) -> list[tuple[str, list[Any]]]:
    """Group dated days by month for the calendar table; relative days form one group."""
    months: dict[str, list[Any]] = defaultdict(list)
    for day in days:
        label = f"{day.date.year} 年 {day.date.month} 月" if day.date else "按建群天数"
        months[label].append(day)
    return list(months.items())


def _game_users(checked: CheckedProject, game_id: str) -> list[Any]:
    return [schedule.calendar for schedule in checked.schedules.values()
            if any(slot.game and slot.game.id == game_id
                   for day in schedule.days for slot in day.slots)]


def _library_pages(checked: CheckedProject, shared: dict[str, Any]) -> list[Page]:
    project, links = checked.project, shared["links"]
    posts_by_category: dict[str, list[Post]] = defaultdict(list)
    for post in sorted(project.posts.models(), key=lambda p: p.id):
        posts_by_category[post.category].append(post)
    usage = post_usage(checked)
    tags: dict[str, list[Post]] = defaultdict(list)
    for post in project.posts.models():
        for tag in post.tags:
            tags[tag].append(post)
    chunked = {category: library_chunks(project, category) for category in posts_by_category}
    tag_pages = {tag: chunks(sorted(posts, key=lambda p: p.id), TAG_ENTRIES_PER_PAGE)
                 for tag, posts in sorted(tags.items())}
    pages = [Page("library/index.md", "library.md.j2", "内容库总览", {
        **shared, "by_category": posts_by_category, "chunked": chunked,
        "tags": {tag: len(posts) for tag, posts in sorted(tags.items())},
        "usage": usage, "replies": project.replies.models()})]
    for category, label in CATEGORY_LABELS.items():
        for number, posts in enumerate(chunked.get(category, []), start=1):
            total = len(chunked[category])
            title = f"{label}（{category}）" + (f" 第 {number} 页" if number > 1 else "")
            pages.append(Page(links.category(category, number), "posts.md.j2", title, {
                **shared, "category": category, "label": label, "posts": posts, "usage": usage,
                "number": number, "total": total}, in_nav=number == 1))
    for tag, parts in tag_pages.items():
        for number, posts in enumerate(parts, start=1):
            pages.append(Page(links.tag(tag, number), "tag.md.j2", f"标签：{tag}", {
                **shared, "tag": tag, "posts": posts, "number": number, "total": len(parts)},
                searchable=False, in_nav=False))
    if project.replies:
        pages.append(Page("library/replies.md", "replies.md.j2", "回复话术", {
            **shared, "replies": sorted(project.replies.models(), key=lambda r: r.id)}))
    pages.append(Page("library/stats.md", "stats.md.j2", "内容统计",
                      {**shared, "stats": content_stats(checked)}))
    return pages


def library_chunks(project: Project, category: str) -> list[list[Post]]:
    posts = sorted((p for p in project.posts.models() if p.category == category), key=lambda p: p.id)
    return chunks(posts, POSTS_PER_PAGE)


def post_usage(checked: CheckedProject) -> dict[str, int]:
    usage: dict[str, int] = defaultdict(int)
    for schedule in checked.schedules.values():
        for day in schedule.days:
            for slot in day.slots:
                if slot.post:
                    usage[slot.post.id] += 1
    return dict(usage)


def search_words(project: Project, glossary: list[str]) -> list[str]:
    """Domain words for jieba: the glossary plus the tags editors give posts and replies."""
    words = set(glossary) | {tag for post in project.posts.models() for tag in post.tags}
    words |= {tag for reply in project.replies.models() for tag in reply.tags}
    return sorted(word for word in words if 2 <= len(word) <= 6 and " " not in word)

