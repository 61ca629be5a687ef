"""Decide every page of the SOP site: its path, template, typed view-model and nav place.

Every URL comes from Links; every count, label and sort is computed here, so
templates only lay out data. After planning, Links knows every target, and a
template that links anywhere else fails the build instead of shipping a dead link.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any
from zoneinfo import ZoneInfo

import segno
from markupsafe import Markup, escape

from .history import History
from .kinds import KIND_OF_MODEL, KINDS, Kind, all_kinds, attach_hooks, playbook_kinds
from .links import TAG_ENTRIES_PER_PAGE, Links, chunks, library_chunks
from .media import MediaInfo
from .models import (
    CATEGORY_LABELS,
    CHANNEL_LABELS,
    Activity,
    Calendar,
    Campaign,
    Curriculum,
    Escalation,
    Game,
    Incident,
    Media,
    Playbook,
    Post,
    Reply,
    Tier,
)
from .pipeline import CheckedProject, project_zone
from .plan_desk import changes_page, today_page, with_dates
from .resolve import Project
from .review import Reviewer
from .review_pages import review_pages
from .schedule import CalendarSchedule, ScheduledDay, scope_label
from .settings import Words
from .stats import content_stats
from .views import (
    ACTIVITY_KIND_LABELS,
    FORMAT_LABELS,
    GAME_KIND_LABELS,
    LIFECYCLE_LABELS,
    WEEKDAY_LABELS,
    ActivityPage,
    AnnouncementView,
    CalendarPage,
    CampaignPage,
    CardContact,
    CardView,
    CategoryRow,
    CurriculumPage,
    DatedStatus,
    DayRow,
    EscalationPage,
    GamePage,
    HomePage,
    IncidentPage,
    IncidentsPage,
    LessonView,
    LibraryPage,
    Link,
    MediaView,
    Month,
    MonthLink,
    Page,
    Pager,
    PlaybookPage,
    PostsPage,
    PostView,
    RepliesPage,
    SlotRow,
    StatsPage,
    StatsRow,
    StepView,
    TagPage,
    TierPage,
    TierRow,
    day_theme,
    with_marks,
)

NavEntry = dict[str, Any]

MONTH_PAGES_AFTER_DAYS = 62
CARD_STEPS = 3  # the print card carries the first steps: what happens in the first half hour
LIBRARY_BOOST = 0.5  # the library's long lists of post texts rank below every kind's pages


@dataclass(frozen=True)
class SitePlan:
    pages: list[Page]
    nav: list[NavEntry]
    search_words: list[str]
    links: Links
    files: list[tuple[str, bytes]]  # data files among the docs (the today page's)
    words: Words = field(default_factory=Words)  # qunsop.yaml's `words:`, for every page


def plan_site(checked: CheckedProject, glossary: list[str], site_url: str, stamp: dt.datetime,
              history: History | None = None, review: Reviewer | None = None) -> SitePlan:
    """Pages are dated by the build's stamp, never by the wall clock: whatever depends on
    the day a page is read is decided in the browser (assets/dates.js)."""
    history = history or History()
    checked = replace(checked, today=stamp.astimezone(ZoneInfo(project_zone(checked.project))).date())
    planner = Planner(checked, site_url)
    pages = planner.pages()
    links = planner.links
    if review is not None:  # the weekly 复盘, when it is published with the site
        pages += review_pages(review, checked.project.of(Playbook).models(), links)
    today, files = today_page(checked, links)
    pages += [today, changes_page(checked.project, links, history, checked.schedules)]
    pages = with_dates(pages, checked.project, history, planner.extra_sources)
    links.targets |= {page.path for page in pages} | planner.file_targets()
    return SitePlan(pages, planner.nav(pages), search_words(checked.project, glossary), links, files,
                    checked.project.settings.words)


def search_words(project: Project, glossary: list[str]) -> list[str]:
    """Domain words for jieba: the glossary plus the tags editors give posts and replies."""
    words = set(glossary) | {tag for post in project.of(Post).models() for tag in post.tags}
    words |= {tag for reply in project.of(Reply).models() for tag in reply.tags}
    for group in project.settings.search.synonyms:
        words |= set(group)
    return sorted(word for word in words if 2 <= len(word) <= 6 and " " not in word)


def minutes_text(minutes: int) -> str:
    """Step times as people say them: 5 分钟, 2 小时, 3 天."""
    if minutes and minutes % 1440 == 0:
        return f"{minutes // 1440} 天"
    if minutes and minutes % 60 == 0:
        return f"{minutes // 60} 小时"
    return f"{minutes} 分钟"


def day_label(day: ScheduledDay) -> str:
    if day.date is None:
        return f"建群第{chinese_number(day.number)}天"
    return f"{day.date.month}月{day.date.day}日 {WEEKDAY_LABELS[day.date.weekday()]}"


def chinese_number(number: int) -> str:
    """1 -> 一, 14 -> 十四, 30 -> 三十: how operators write and search day numbers."""
    digits = "零一二三四五六七八九"
    if number < 10:
        return digits[number]
    if number < 100:
        tens, ones = divmod(number, 10)
        return ("" if tens == 1 else digits[tens]) + "十" + (digits[ones] if ones else "")
    return str(number)


def qr_svg(url: str) -> Markup:
    """An inline SVG QR code of `url` for operators to share in a store-owner group."""
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="svg", scale=4, xmldecl=False, svgns=True,
                                   title="今天的推送包", dark="#1b1b1b")
    return Markup(buffer.getvalue().decode())


class Planner:
    """Plans the site's pages; what a kind's `pages` hook is given (the built-in kinds' hooks
    are its methods)."""

    def __init__(self, checked: CheckedProject, site_url: str) -> None:
        self.checked = checked
        self.project = checked.project
        self.site_url = site_url
        self.links = Links(checked.project)
        self.extra_sources: dict[str, set[str]] = {}  # page path -> sources its view does not hold
        self.zone = project_zone(checked.project)

    # --- helpers -------------------------------------------------------------------------

    def owned(self, model: type[Any], playbook: str) -> list[Any]:
        return [item.model for item in self.project.of(model) if item.playbook == playbook]

    def playbook_of(self, model: Any) -> Playbook:
        """The playbook an item of a playbook's kind belongs to (its folder has a valid one)."""
        playbook = self.project.playbook_for(self.project.of(type(model))[model.id])
        assert playbook is not None, f"{model.id} has no playbook"
        return playbook

    def item_page(self, model: Any, title: str, view: object, **options: Any) -> Page:
        """The page of one item: where its kind's url hook puts it, laid out by its template."""
        template = KIND_OF_MODEL[type(model)].template
        assert template is not None, f"{type(model).__name__} has no template"
        return Page(self.links.item(model), template, title, view, **options)

    def kind_pages(self, kind: Kind, models: list[Any]) -> list[Page]:
        """A kind's pages from its hook, ranked in search and placed in the nav by its entry."""
        if kind.pages is None or not models:
            return []
        pages: list[Page] = kind.pages(self, models)
        assert kind.view is None or all(isinstance(page.model, kind.view) for page in pages), \
            f"{kind.name}: a page's view is not a {kind.view.__name__}"
        in_playbook = kind.home == "playbook"
        return [replace(page, search_boost=kind.search_boost,
                        nav_group=kind.nav if in_playbook and page.in_nav else None) for page in pages]

    def link(self, model: Any) -> Link:
        return Link(getattr(model, "title", None) or model.name, self.links.item(model))

    def tier_links(self, ids: Iterable[str]) -> tuple[Link, ...]:
        tiers = self.project.of(Tier)
        return tuple(self.link(tiers[tier_id].model) for tier_id in ids if tier_id in tiers)

    def role_name(self, playbook: Playbook, role_id: str | None) -> str:
        if role_id is None:
            return ""
        return next((role.name for role in playbook.roles if role.id == role_id), role_id)

    def media_views(self, media: Iterable[Media]) -> tuple[MediaView, ...]:
        views = []
        for entry in media:
            info = self.project.media.get(entry.path) or MediaInfo(entry.path, "png", 0)
            poster = self.links.media(entry.poster) if entry.poster else ""
            views.append(MediaView(self.links.media(entry.path), entry.alt, info.width, info.height,
                                   info.is_video, poster))
        return tuple(views)

    def calendars_using(self, kind: str, item_id: str) -> tuple[Link, ...]:
        """The calendars with a slot that runs game or activity `item_id` (`kind`)."""
        return tuple(self.link(schedule.calendar) for schedule in self.checked.schedules.values()
                     if (kind, item_id) in self.slot_items[schedule.calendar.id])

    @functools.cached_property
    def slot_items(self) -> dict[str, set[tuple[str, str]]]:
        """The games and activities each calendar's slots run, by calendar id (gathered
        once: every game and activity page asks)."""
        found: dict[str, set[tuple[str, str]]] = {}
        for schedule in self.checked.schedules.values():
            items = found.setdefault(schedule.calendar.id, set())
            for day in schedule.days:
                for slot in day.slots:
                    if slot.game:
                        items.add(("game", slot.game.id))
                    if slot.activity:
                        items.add(("activity", slot.activity.activity.id))
        return found

    def file_targets(self) -> set[str]:
        """Outputs outside the engine that pages link to: packs, feeds, QR codes, media."""
        targets = {self.links.media(path) for path in self.project.media}
        for schedule in self.checked.schedules.values():
            calendar_id = schedule.calendar.id
            targets |= {self.links.pack(calendar_id), self.links.pack(calendar_id, "today"),
                        self.links.pack_file(calendar_id, "qr.png")}
            targets |= {self.links.pack(calendar_id, day.key) for day in schedule.days}
            if schedule.calendar.is_dated:
                targets.add(self.links.pack_file(calendar_id, "calendar.ics"))
        return targets | {"assets/mermaid.min.js", "assets/today.js"}

    # --- pages -----------------------------------------------------------------------------

    def pages(self) -> list[Page]:
        """Home; each playbook's overview and the pages of its kinds; the pages of every other
        kind (games); the library (posts and replies); the incidents."""
        pages = [self.home()]
        with_pages = [kind for kind in all_kinds() if kind.pages is not None and kind.name != "playbook"]
        for playbook in self.project.of(Playbook).models():
            pages += self.kind_pages(KINDS["playbook"], [playbook])
            for kind in with_pages:
                if kind.home == "playbook":
                    pages += self.kind_pages(kind, self.owned(kind.model, playbook.id))
        for kind in with_pages:
            if kind.home != "playbook":
                pages += self.kind_pages(kind, self.project.indexes[kind.name].models())
        pages += self.library_pages()
        if len(self.project.of(Incident)):
            pages.append(self.incidents())
        return pages

    def nav(self, pages: list[Page]) -> list[NavEntry]:
        nav: list[NavEntry] = [{"首页": Links.HOME}, {"今日": Links.TODAY}]
        for playbook in self.project.of(Playbook).models():
            own = [page for page in pages if page.path.startswith(f"{playbook.id}/")]
            groups: dict[str, list[NavEntry]] = defaultdict(list)
            for page in own[1:]:
                if page.in_nav and page.nav_group:
                    groups[page.nav_group].append({page.nav_title: page.path})
            sections = [kind.nav for kind in playbook_kinds() if kind.nav]
            nav.append({str(escape(playbook.name)): [{"方案概览": own[0].path}] + [
                {label: groups[label]} for label in sections if groups[label]]})
        for kind in all_kinds():  # kinds outside playbooks: a section of their own (games)
            if kind.home != "playbook" and kind.nav:
                entries = [{page.nav_title: page.path} for page in pages
                           if page.template == kind.template and page.in_nav]
                if entries:
                    nav.append({kind.nav: entries})
        library = [{page.nav_title: page.path} for page in pages
                   if page.path.startswith("library/") and page.in_nav]
        nav.append({"内容库": library})
        reviews = [{page.nav_title: page.path} for page in pages if page.template == "review_index.md.j2"]
        if reviews:
            nav.append({"每周复盘": reviews})
        if any(page.path == Links.INCIDENTS for page in pages):
            nav.append({"事件记录": Links.INCIDENTS})
        nav.append({"变更记录": Links.CHANGES})
        return nav

    def home(self) -> Page:
        games = sorted(self.project.of(Game).models(), key=lambda g: g.id)
        incidents = self.project.of(Incident).models()
        today = self.checked.today
        return Page(Links.HOME, "home.md.j2", "首页", HomePage(
            playbooks=tuple((self.link(p), p.audience) for p in self.project.of(Playbook).models()),
            packs=tuple((s.calendar.name, self.links.pack(s.calendar.id, "today"),
                         self.links.pack(s.calendar.id)) for s in self.checked.schedules.values()),
            first_game=self.link(games[0]) if games else None, game_count=len(games),
            post_count=len(self.project.of(Post)), reply_count=len(self.project.of(Reply)),
            library=Link("内容库总览", Links.LIBRARY),
            incidents=Link("事件记录", Links.INCIDENTS) if incidents else None,
            open_incidents=tuple((self.link(i), incident_status(i, today, self.zone)) for i in incidents
                                 if i.open_on(today) or i.start > today),
            today=Link("今日", Links.TODAY), changes=Link("变更记录", Links.CHANGES)))

    # --- the built-in kinds' pages hooks: each is given the items of its kind (a playbook's) ---

    def playbook_pages(self, playbooks: list[Playbook]) -> list[Page]:
        return [self.playbook_overview(playbook) for playbook in playbooks]

    def playbook_overview(self, playbook: Playbook) -> Page:
        tiers: list[Tier] = self.owned(Tier, playbook.id)
        own_tiers = {tier.id for tier in tiers}
        calendars: list[Calendar] = self.owned(Calendar, playbook.id)
        curricula: list[Curriculum] = self.owned(Curriculum, playbook.id)
        escalations: list[Escalation] = self.owned(Escalation, playbook.id)
        campaigns: list[Campaign] = self.owned(Campaign, playbook.id)
        activities: list[Activity] = self.owned(Activity, playbook.id)
        incidents: list[Incident] = self.owned(Incident, playbook.id)
        return self.item_page(playbook, "方案概览", PlaybookPage(
            playbook=playbook,
            tiers=tuple(TierRow(self.link(t), node_id(t.id), t.side, LIFECYCLE_LABELS[t.lifecycle],
                                t.posts_per_day, self.tier_links(t.flows_to),
                                tuple(node_id(f) for f in t.flows_to if f in own_tiers),
                                self.tier_links(t.seeds),
                                tuple(node_id(s) for s in t.seeds if s in own_tiers))
                        for t in tiers),
            calendars=tuple((self.link(c), self.tier_links(c.tiers)) for c in calendars),
            curricula=tuple((self.link(c), c.goal) for c in curricula),
            escalations=tuple((self.link(e), e.incident) for e in escalations),
            campaigns=tuple((self.link(c), f"{c.start} ~ {c.end}") for c in campaigns),
            activities=tuple((self.link(a), f"{ACTIVITY_KIND_LABELS[a.kind]} · {a.days} 天")
                             for a in activities),
            incidents=tuple((self.link(i), incident_status(i, self.checked.today, self.zone))
                            for i in incidents),
            mermaid_url="assets/mermaid.min.js"))

    def side_label(self, side: str) -> str:
        words = self.project.settings.words
        return words.side_b if side == "B" else words.side_c

    def tier_pages(self, tiers: list[Tier]) -> list[Page]:
        playbook = self.playbook_of(tiers[0])
        calendars: list[Calendar] = self.owned(Calendar, playbook.id)
        curricula: list[Curriculum] = self.owned(Curriculum, playbook.id)
        campaigns: list[Campaign] = self.owned(Campaign, playbook.id)
        return [self.tier(playbook, tier, tiers, calendars, curricula, campaigns) for tier in tiers]

    def tier(self, playbook: Playbook, tier: Tier, tiers: list[Tier], calendars: list[Calendar],
             curricula: list[Curriculum], campaigns: list[Campaign]) -> Page:
        games = [g for g in self.project.of(Game).models() if tier.id in g.tiers]
        return self.item_page(tier, tier.name, TierPage(
            tier=tier, side=self.side_label(tier.side), lifecycle=LIFECYCLE_LABELS[tier.lifecycle],
            owner=self.role_name(playbook, tier.owner),
            kpis=tuple(k for k in playbook.kpis if k.id in tier.kpis),
            flows_to=self.tier_links(tier.flows_to),
            fed_by=tuple(self.link(t) for t in tiers if tier.id in t.flows_to),
            seeds=self.tier_links(tier.seeds),
            seeded_by=tuple(self.link(t) for t in tiers if tier.id in t.seeds),
            shares_members_with=tuple(self.link(t) for t in tiers if t.id != tier.id and (
                t.id in tier.shares_members_with or tier.id in t.shares_members_with)),
            calendars=tuple(self.link(c) for c in calendars if tier.id in c.tiers),
            games=tuple(self.link(g) for g in games),
            curricula=tuple(self.link(c) for c in curricula
                            if tier.id in c.audience or tier.id in c.unlocks),
            campaigns=tuple(self.link(c) for c in campaigns if tier.id in c.tiers)))

    def calendar_pages(self, calendars: list[Calendar]) -> list[Page]:
        return [page for calendar in calendars for page in self.calendar(calendar)]

    def calendar(self, calendar: Calendar) -> list[Page]:
        """The calendar's page; a long dated calendar gets one page per month."""
        schedule = self.checked.schedules[calendar.id]
        path = self.links.item(calendar)
        months = self.months(schedule)
        split = calendar.is_dated and len(schedule.days) > MONTH_PAGES_AFTER_DAYS
        today = self.links.pack(calendar.id, "today")
        span = (f"{calendar.start} 起长期执行（每周节奏，已排到 {schedule.days[-1].key}）"
                if calendar.open_ended and schedule.days
                else f"{calendar.start} ~ {calendar.end}（共 {len(schedule.days)} 天）" if calendar.is_dated
                else f"建群后第 1 ~ {schedule.days[-1].number if schedule.days else 0} 天")
        remarks = tuple((day_label(day), slot.remark) for day in schedule.days for slot in day.slots
                        if slot.remark)
        month_links = tuple(MonthLink(Link(month.label, Links.calendar_month(path, key)),
                                      len(month.days), sum(len(d.slots) for d in month.days))
                            for month, key in zip(months, month_keys(schedule), strict=True))
        view = CalendarPage(
            calendar=calendar, tiers=self.tier_links(calendar.tiers), span=span, today_url=today,
            days_url=self.links.pack(calendar.id),
            ics_url=self.links.pack_file(calendar.id, "calendar.ics") if calendar.is_dated else None,
            qr_svg=qr_svg(f"{self.site_url}{today}"),
            qr_png_url=self.links.pack_file(calendar.id, "qr.png"),
            today_address=f"{self.site_url}{today}", months=() if split else months,
            month_links=month_links if split else (), remarks=remarks)
        # searchable: "冬至发什么" and "建群第一天发什么" are answered by a day of a calendar
        overview = self.item_page(calendar, calendar.name, view)
        self.extra_sources[path] = self.schedule_sources(schedule)
        if not split:
            return [overview]
        return [overview] + [
            Page(link.link.url, "calendar_month.md.j2", f"{calendar.name} · {month.label}",
                 CalendarPage(**{**view.__dict__, "months": (month,), "month_links": (),
                                 "back": Link(calendar.name, path)}),
                 in_nav=False)
            for month, link in zip(months, month_links, strict=True)]

    def schedule_sources(self, schedule: CalendarSchedule) -> set[str]:
        """Files of everything a calendar sends (its page shows their titles)."""
        found: set[str] = set()
        for day in schedule.days:
            for slot in day.slots:
                for model in (slot.post, slot.game, slot.reply,
                              slot.activity.activity if slot.activity else None):
                    if model is not None:
                        path = self.project.path_of(model)
                        if path:
                            found.add(path)
        return found

    def months(self, schedule: CalendarSchedule) -> tuple[Month, ...]:
        """Dated days grouped by month for the calendar table; relative days form one group."""
        grouped: dict[str, list[DayRow]] = defaultdict(list)
        for day in schedule.days:
            label = f"{day.date.year} 年 {day.date.month} 月" if day.date else "按建群天数"
            grouped[label].append(DayRow(
                day_label(day), with_marks(day_theme(day.title, day.festival), day.marks),
                tuple(SlotRow(slot.time, CHANNEL_LABELS[slot.channel], CATEGORY_LABELS[slot.category],
                              slot.title, slot.remark, bool(slot.held_by)) for slot in day.slots),
                self.links.pack(schedule.calendar.id, day.key)))
        return tuple(Month(label, tuple(days)) for label, days in grouped.items())

    def curriculum(self, curriculum: Curriculum) -> Page:
        lessons = {lesson.id: lesson for lesson in curriculum.lessons}
        schedule = tuple(
            (f"第 {entry.week} 周第 {entry.day} 天 {entry.time}", entry.lesson, lessons[entry.lesson].title,
             FORMAT_LABELS[lessons[entry.lesson].format], lessons[entry.lesson].minutes)
            for entry in curriculum.schedule if entry.lesson in lessons)
        return self.item_page(curriculum, curriculum.name, CurriculumPage(
            curriculum=curriculum, audience=self.tier_links(curriculum.audience),
            unlocks=self.tier_links(curriculum.unlocks),
            total_minutes=sum(lesson.minutes for lesson in curriculum.lessons), schedule=schedule,
            lessons=tuple(LessonView(lesson, FORMAT_LABELS[lesson.format], tuple(
                Link(self.links.material_title(m), self.links.material(m)) for m in lesson.materials))
                for lesson in curriculum.lessons)))

    def escalation(self, plan: Escalation) -> Page:
        playbook = self.playbook_of(plan)
        replies = self.project.of(Reply)

        def reply(reply_id: str | None) -> Reply | None:
            return replies[reply_id].model if reply_id is not None and reply_id in replies else None

        steps = tuple(StepView(
            minutes_text(step.within_minutes), self.role_name(playbook, step.owner),
            self.role_name(playbook, step.backup), step.action,
            self.link(found) if (found := reply(step.reply)) else None, found.body if found else "")
            for step in plan.steps)
        return self.item_page(plan, plan.name, EscalationPage(
            plan=plan, tiers=self.tier_links(plan.tiers),
            severity=tuple((s.level, s.name, s.description, minutes_text(s.respond_within_minutes))
                           for s in plan.severity),
            steps=steps,
            escalate_to=tuple((minutes_text(e.after_minutes), self.role_name(playbook, e.role))
                              for e in plan.escalate_to),
            held=tuple(CATEGORY_LABELS[c] for c in plan.hold_categories),
            incidents=tuple(self.link(i) for i in self.project.of(Incident).models()
                            if i.plan == plan.id),
            card=self.card(playbook, plan, steps, reply(plan.off_hours_reply))))

    def card(self, playbook: Playbook, plan: Escalation, steps: tuple[StepView, ...],
             night_reply: Reply | None) -> CardView:
        """The print card: the first three steps, the night rule, whom to call, the scripts."""
        first = steps[:CARD_STEPS]
        roles = {role.id: role for role in playbook.roles}
        chain: list[CardContact] = []
        seen: set[str] = set()

        def add(role_id: str | None, when: str) -> None:
            if role_id is None or role_id in seen or role_id not in roles:
                return
            seen.add(role_id)
            role = roles[role_id]
            chain.append(CardContact(role.name, role.contact, role.phone, when))
        for step, source in zip(first, plan.steps, strict=False):
            add(source.owner, f"{step.minutes}内")
            add(source.backup, "顶班")
        for link in plan.escalate_to:
            add(link.role, f"{minutes_text(link.after_minutes)}未解决")
        for step, source in zip(steps, plan.steps, strict=True):  # later steps' owners, e.g. 客服
            add(source.owner, f"{step.minutes}内")
        scripts = [(f"第 {number} 步（{step.minutes}内）", step.reply_text)
                   for number, step in enumerate(first, start=1) if step.reply_text]
        if night_reply is not None:
            scripts.append(("夜间先发", night_reply.body))
        return CardView(first, tuple(chain), tuple(plan.off_hours), tuple(scripts))

    def campaign(self, campaign: Campaign) -> Page:
        posts = self.project.of(Post)
        activities = self.project.of(Activity)
        announcements = tuple(
            AnnouncementView(f"{a.date.month}月{a.date.day}日", a.time, posts[a.post].model.title,
                             a.note, a.remark, posts[a.post].model.body)
            for a in sorted(campaign.announcements, key=lambda a: (a.date, a.time)) if a.post in posts)
        playbook = self.project.playbook_for(self.project.of(Campaign)[campaign.id])
        kpis = tuple(k for k in playbook.kpis if k.id in campaign.kpis) if playbook else ()
        return self.item_page(campaign, campaign.name, CampaignPage(
            campaign=campaign, tiers=self.tier_links(campaign.tiers), kpis=kpis,
            announcements=announcements,
            activities=tuple((f"{s.date.month}月{s.date.day}日", s.time,
                              self.link(activities[s.activity].model), s.note)
                             for s in sorted(campaign.activities, key=lambda s: (s.date, s.time))
                             if s.activity in activities)))

    def activity(self, activity: Activity) -> Page:
        playbook = self.project.playbook_for(self.project.of(Activity)[activity.id])
        return self.item_page(activity, activity.name, ActivityPage(
            activity=activity, kind=ACTIVITY_KIND_LABELS[activity.kind],
            tiers=self.tier_links(activity.tiers),
            lines=tuple((day, activity.line(day)) for day in range(1, activity.days + 1)),
            used_by=self.calendars_using("activity", activity.id),
            kpis=tuple(k for k in playbook.kpis if k.id in activity.kpis) if playbook else (),
            started_by=tuple((self.link(c), "、".join(f"{s.date.month}月{s.date.day}日" for s in c.activities
                                                      if s.activity == activity.id))
                             for c in self.project.of(Campaign).models()
                             if any(s.activity == activity.id for s in c.activities))))

    def incident(self, incident: Incident) -> Page:
        plan = self.project.of(Escalation)[incident.plan].model
        calendars = self.project.of(Calendar)
        affected = self.tier_links(incident.tiers) + tuple(
            self.link(calendars[c].model) for c in incident.calendars if c in calendars)
        return self.item_page(incident, incident.name, IncidentPage(
            incident=incident, plan=self.link(plan), owner_notice=plan.owner_notice,
            held=tuple(CATEGORY_LABELS[c] for c in plan.hold_categories), affected=affected,
            status=incident_status(incident, self.checked.today, self.zone),
            review_questions=tuple(plan.review),
            groups=scope_label(self.project, self.project.of(Incident)[incident.id].playbook, incident)
            if incident.scoped else ""))

    def incidents(self) -> Page:
        today = self.checked.today
        entries = sorted(self.project.of(Incident).models(), key=lambda i: (i.start, i.id), reverse=True)
        return Page(Links.INCIDENTS, "incidents.md.j2", "事件记录", IncidentsPage(
            tuple((self.link(i), incident_status(i, today, self.zone)) for i in entries), today))

    def game_pages(self, games: list[Game]) -> list[Page]:
        return [self.game(game) for game in sorted(games, key=lambda g: (g.kind, g.id))]

    def game(self, game: Game) -> Page:
        return self.item_page(game, game.name, GamePage(
            game=game, kind=GAME_KIND_LABELS[game.kind], tiers=self.tier_links(game.tiers),
            used_by=self.calendars_using("game", game.id)))

    def library_pages(self) -> list[Page]:
        posts = self.project.of(Post).models()
        stats = content_stats(self.checked)
        usage = stats.usage
        by_category: dict[str, list[list[Post]]] = {
            category: library_chunks(self.project, category) for category in CATEGORY_LABELS
            if any(post.category == category for post in posts)}
        tags: dict[str, list[Post]] = defaultdict(list)
        for post in sorted(posts, key=lambda p: p.id):
            for tag in post.tags:
                tags[tag].append(post)
        pages = [Page(Links.LIBRARY, "library.md.j2", "内容库总览", LibraryPage(
            post_count=len(posts), reply_count=len(self.project.of(Reply)),
            categories=tuple(CategoryRow(
                Link(CATEGORY_LABELS[category], Links.category(category)), sum(map(len, parts)),
                sum(1 for part in parts for post in part if usage.get(post.id)),
                tuple(Link(str(n), Links.category(category, n)) for n in range(1, len(parts) + 1)))
                for category, parts in by_category.items()),
            tags=tuple((Link(tag, Links.tag(tag)), len(entries)) for tag, entries in sorted(tags.items()))))]
        for category, parts in by_category.items():
            label = CATEGORY_LABELS[category]
            for number, part in enumerate(parts, start=1):
                title = f"{label}（{category}）" + (f" 第 {number} 页" if number > 1 else "")
                pages.append(Page(Links.category(category, number), "posts.md.j2", title, PostsPage(
                    label, pager(number, len(parts), lambda n, c=category: Links.category(c, n)),
                    tuple(self.post_view(post, usage.get(post.id, 0)) for post in part)),
                    search_boost=LIBRARY_BOOST, in_nav=number == 1))
        for tag, entries in sorted(tags.items()):
            parts = chunks(entries, TAG_ENTRIES_PER_PAGE)
            for number, part in enumerate(parts, start=1):
                pages.append(Page(Links.tag(tag, number), "tag.md.j2", f"标签：{tag}", TagPage(
                    tag, pager(number, len(parts), lambda n, t=tag: Links.tag(t, n)),
                    tuple((self.link(post), CATEGORY_LABELS[post.category], post.status == "draft")
                          for post in part), Link("内容库总览", Links.LIBRARY)),
                    searchable=False, in_nav=False))
        if len(self.project.of(Reply)):
            pages.append(Page(Links.REPLIES, "replies.md.j2", "回复话术", RepliesPage(
                tuple(sorted(self.project.of(Reply).models(), key=lambda r: r.id))),
                search_boost=LIBRARY_BOOST))
        pages.append(self.stats_page(stats))
        return pages

    def post_view(self, post: Post, used: int) -> PostView:
        validity = (f"有效期 {post.valid_from or '不限'} ~ {post.valid_until or '不限'}"
                    if post.valid_from or post.valid_until else "")
        return PostView(post, self.tier_links(post.tiers[:5]), max(0, len(post.tiers) - 5), validity,
                        used, self.media_views(post.media))

    def stats_page(self, stats: Any) -> Page:
        posts = self.project.of(Post)
        calendars = self.project.of(Calendar)
        return Page(Links.STATS, "stats.md.j2", "内容统计", StatsPage(
            stats=stats, category_labels=tuple(CATEGORY_LABELS.values()),
            calendars=tuple(StatsRow(self.link(calendars[c.id].model), c.days, c.slots,
                                     tuple(c.by_category.values()), c.below_cadence, c.cadence)
                            for c in stats.calendars),
            unused=tuple((self.link(p), CATEGORY_LABELS[p.category]) for p in stats.unused[:100]),
            unused_more=max(0, len(stats.unused) - 100),
            reuse=tuple((self.link(p), CATEGORY_LABELS[p.category], n) for p, n in stats.reuse[:20]
                        if p.id in posts),
            expiring=tuple((self.link(p), str(p.valid_until)) for p in sorted(
                (p for p in posts.models() if p.valid_until and p.valid_until >= self.checked.today),
                key=lambda p: (str(p.valid_until), p.id))),
            zone=self.zone,
            within_days=stats.within_days))


def pager(number: int, total: int, path: Any) -> Pager:
    return Pager(number, total, path(number - 1) if number > 1 else None,
                 path(number + 1) if number < total else None)


def node_id(tier_id: str) -> str:
    return tier_id.replace("-", "_")


def month_keys(schedule: CalendarSchedule) -> list[str]:
    keys: list[str] = []
    for day in schedule.days:
        key = f"{day.date:%Y-%m}" if day.date else "days"
        if not keys or keys[-1] != key:
            keys.append(key)
    return keys


def incident_status(incident: Incident, today: dt.date, zone: str) -> DatedStatus:
    if incident.open_on(today):
        text = f"处理中（{incident.start} 起）"
    elif incident.start > today:
        text = f"将于 {incident.start} 开始"
    else:
        text = f"已结束（{incident.start} ~ {incident.end}）"
    return DatedStatus(incident.start.isoformat(), incident.end.isoformat() if incident.end else "",
                       zone, text)


def each_item(page: Callable[[Planner, Any], Page]) -> Callable[[Planner, list[Any]], list[Page]]:
    """A pages hook from a planner method that makes one item's page."""
    return lambda planner, models: [page(planner, model) for model in models]


for _name, _pages, _view in (
        ("playbook", Planner.playbook_pages, PlaybookPage), ("tier", Planner.tier_pages, TierPage),
        ("calendar", Planner.calendar_pages, CalendarPage),
        ("curriculum", each_item(Planner.curriculum), CurriculumPage),
        ("escalation", each_item(Planner.escalation), EscalationPage),
        ("campaign", each_item(Planner.campaign), CampaignPage),
        ("activity", each_item(Planner.activity), ActivityPage),
        ("incident", each_item(Planner.incident), IncidentPage), ("game", Planner.game_pages, GamePage)):
    attach_hooks(_name, pages=_pages, view=_view)
