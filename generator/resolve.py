"""Index validated items by id and check every cross-reference between them."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Generic, TypeVar

from .errors import Problem, did_you_mean
from .load import SourceFile, inside
from .models import (
    Calendar,
    Campaign,
    Curriculum,
    Escalation,
    Game,
    Model,
    Placeholder,
    Placeholders,
    Playbook,
    Post,
    Reply,
    Tier,
)
from .validate import Item

M = TypeVar("M", bound=Model)
Loc = tuple[str | int, ...]

PLACEHOLDER_PATTERN = re.compile(r"\{([^{}\s]{1,20})\}")
ASSETS_DIR = "content_library/assets"


@dataclass
class Index(Generic[M]):
    """Items of one kind by id; duplicates are reported, the first one wins."""

    label: str
    items: dict[str, Item[M]] = field(default_factory=dict)
    # ids of files that exist but failed validation: already reported, not "unknown"
    broken: set[str] = field(default_factory=set)

    def __getitem__(self, item_id: str) -> Item[M]:
        return self.items[item_id]

    def __contains__(self, item_id: object) -> bool:
        return item_id in self.items

    def __iter__(self) -> Iterator[Item[M]]:
        return iter(self.items.values())

    def __len__(self) -> int:
        return len(self.items)

    def models(self) -> list[M]:
        return [item.model for item in self.items.values()]


@dataclass
class Project:
    """Every validated source, indexed; the input of the schedule and render stages."""

    root: Path
    playbooks: Index[Playbook] = field(default_factory=lambda: Index("方案"))
    tiers: Index[Tier] = field(default_factory=lambda: Index("群层级"))
    calendars: Index[Calendar] = field(default_factory=lambda: Index("推送排期"))
    curricula: Index[Curriculum] = field(default_factory=lambda: Index("培训课程"))
    escalations: Index[Escalation] = field(default_factory=lambda: Index("紧急预案"))
    campaigns: Index[Campaign] = field(default_factory=lambda: Index("活动"))
    posts: Index[Post] = field(default_factory=lambda: Index("帖子"))
    games: Index[Game] = field(default_factory=lambda: Index("游戏"))
    replies: Index[Reply] = field(default_factory=lambda: Index("话术"))
    placeholders: dict[str, Placeholder] = field(default_factory=dict)

    def index_for(self, kind: str) -> Index[Model] | None:
        return {
            "playbook": self.playbooks, "tier": self.tiers, "calendar": self.calendars,
            "curriculum": self.curricula, "escalation": self.escalations,
            "campaign": self.campaigns, "post": self.posts, "game": self.games,
            "reply": self.replies,
        }.get(kind)  # type: ignore[return-value]

    def playbook_for(self, item: Item[Model]) -> Playbook | None:
        owner = item.playbook
        return self.playbooks[owner].model if owner and owner in self.playbooks else None


def index_items(root: Path, items: Iterable[Item[Model]],
                invalid: Iterable[SourceFile] = ()) -> tuple[Project, list[Problem]]:
    project = Project(root)
    problems: list[Problem] = []
    for source in invalid:
        index = project.index_for(source.kind)
        if index is not None and isinstance(source.data, dict) and isinstance(source.data.get("id"), str):
            index.broken.add(source.data["id"])
    for item in items:
        if isinstance(item.model, Placeholders):
            for number, placeholder in enumerate(item.model.placeholders):
                if placeholder.name in project.placeholders:
                    problems.append(item.problem(("placeholders", number, "name"), "duplicate-id",
                                                 f"占位符 `{placeholder.name}` 重复声明"))
                project.placeholders[placeholder.name] = placeholder
            continue
        index = project.index_for(item.source.kind)
        assert index is not None
        item_id = item.model.id  # type: ignore[attr-defined]
        if item_id in index:
            first = index[item_id]
            line = first.position("id")[0]
            problems.append(item.problem(("id",), "duplicate-id",
                                         f"{index.label} id `{item_id}` 重复：{first.source.path} "
                                         f"第 {line} 行已经用过，请换一个 id"))
            continue
        index.items[item_id] = item
    return project, problems


def check_references(project: Project) -> list[Problem]:
    """Every reference by id must name an existing item of the right kind."""
    checker = _ReferenceChecker(project)
    for tier in project.tiers:
        checker.tier(tier)
    for calendar in project.calendars:
        checker.calendar(calendar)
    for curriculum in project.curricula:
        checker.curriculum(curriculum)
    for escalation in project.escalations:
        checker.escalation(escalation)
    for campaign in project.campaigns:
        checker.campaign(campaign)
    for post in project.posts:
        checker.post(post)
    for game in project.games:
        checker.refs(game, ("tiers",), game.model.tiers, project.tiers)
    return checker.problems


class _ReferenceChecker:
    def __init__(self, project: Project) -> None:
        self.project = project
        self.problems: list[Problem] = []
        self._tags: set[str] | None = None

    def refs(self, item: Item[Model], loc: Loc, ids: list[str],
             index: Index[Model] | list[str], label: str = "") -> None:
        """Check a list field of ids; each unknown id is reported at its own entry."""
        for position, ref in enumerate(ids):
            self.ref(item, (*loc, position), ref, index, label)

    def ref(self, item: Item[Model], loc: Loc, ref: str | None,
            index: Index[Model] | list[str], label: str = "") -> None:
        """Check one id field; None means the optional field was left out."""
        if ref is None:
            return
        if isinstance(index, Index):
            if ref in index.items or ref in index.broken:
                return
            known, label = list(index.items), label or index.label
        elif ref in index:
            return
        else:
            known = index
        self.problems.append(item.problem(loc, "unknown-ref",
                                          f"找不到{label} `{ref}`{did_you_mean(ref, known)}"))

    def known_tags(self) -> set[str]:
        if self._tags is None:
            self._tags = {tag for post in self.project.posts.models() for tag in post.tags}
        return self._tags

    def roles_of(self, item: Item[Model]) -> list[str]:
        playbook = self.project.playbook_for(item)
        return [role.id for role in playbook.roles] if playbook else []

    def kpis_of(self, item: Item[Model]) -> list[str]:
        playbook = self.project.playbook_for(item)
        return [kpi.id for kpi in playbook.kpis] if playbook else []

    def playbook_exists(self, item: Item[Model]) -> bool:
        if item.playbook in self.project.playbooks:
            return True
        self.problems.append(item.problem((), "no-playbook",
                                          f"文件夹 playbooks/{item.playbook}/ 里缺少 playbook.yaml"))
        return False

    def tier(self, item: Item[Tier]) -> None:
        tier = item.model
        if self.playbook_exists(item):
            self.ref(item, ("owner",), tier.owner, self.roles_of(item), "角色")
            self.refs(item, ("kpis",), tier.kpis, self.kpis_of(item), "指标")
        self.refs(item, ("flows_to",), tier.flows_to, self.project.tiers)
        if tier.id in tier.flows_to:
            self.problems.append(item.problem(("flows_to",), "self-reference",
                                              "flows_to 不能指向自己"))

    def calendar(self, item: Item[Calendar]) -> None:
        calendar = item.model
        self.playbook_exists(item)
        self.refs(item, ("tiers",), calendar.tiers, self.project.tiers)
        if calendar.start and calendar.end and calendar.end < calendar.start:
            self.problems.append(item.problem(("end",), "end-before-start",
                                              f"结束日期 {calendar.end} 早于开始日期 {calendar.start}"))
        day_plans: list[tuple[Loc, list]] = [
            (("weekly", weekday), plan.slots) for weekday, plan in calendar.weekly.items()]
        day_plans += [(("overrides", n), day.slots) for n, day in enumerate(calendar.overrides)]
        day_plans += [(("days", n), day.slots) for n, day in enumerate(calendar.days)]
        for loc, slots in day_plans:
            self.slots(item, loc, slots)
        self.unique_days(item, "overrides", [day.date for day in calendar.overrides], "日期")
        self.unique_days(item, "days", [day.day for day in calendar.days], "天")
        if calendar.start and calendar.end:
            for number, day in enumerate(calendar.overrides):
                if not calendar.start <= day.date <= calendar.end:
                    self.problems.append(item.problem(
                        ("overrides", number, "date"), "date-out-of-range",
                        f"{day.date} 不在排期范围 {calendar.start} ~ {calendar.end} 内"))

    def unique_days(self, item: Item[Calendar], field_name: str, keys: list, label: str) -> None:
        seen: set[object] = set()
        for number, key in enumerate(keys):
            if key in seen:
                self.problems.append(item.problem((field_name, number), "duplicate-day",
                                                  f"{label} {key} 写了两次，请合并成一个"))
            seen.add(key)

    def slots(self, item: Item[Calendar], loc: Loc, slots: list) -> None:
        times: dict[str, int] = {}
        tiers = item.model.tiers
        for number, slot in enumerate(slots):
            slot_loc = (*loc, "slots", number)
            if slot.time in times:
                self.problems.append(item.problem(
                    (*slot_loc, "time"), "slot-clash",
                    f"同一天有两个 {slot.time} 的时段（另一个是第 {times[slot.time] + 1} 个），"
                    "请错开时间"))
            times.setdefault(slot.time, number)
            if slot.post is not None:
                self.ref(item, (*slot_loc, "post"), slot.post, self.project.posts)
                if slot.post in self.project.posts:
                    self.suits_tiers(item, (*slot_loc, "post"), self.project.posts[slot.post], tiers)
            if slot.game is not None:
                self.ref(item, (*slot_loc, "game"), slot.game, self.project.games)
                if slot.game in self.project.games:
                    self.suits_tiers(item, (*slot_loc, "game"), self.project.games[slot.game], tiers)
            if slot.pick is not None and slot.pick.tag is not None:
                known_tags = self.known_tags()
                if slot.pick.tag not in known_tags:
                    self.problems.append(item.problem(
                        (*slot_loc, "pick", "tag"), "unknown-ref",
                        f"没有任何帖子带标签 `{slot.pick.tag}`{did_you_mean(slot.pick.tag, known_tags)}"))

    def suits_tiers(self, item: Item[Model], loc: Loc, target: Item[Post] | Item[Game],
                    tiers: list[str]) -> None:
        missing = [tier for tier in tiers if tier not in target.model.tiers]
        if missing:
            what = "帖子" if isinstance(target.model, Post) else "游戏"
            self.problems.append(item.problem(
                loc, "tier-mismatch",
                f"{what} `{target.model.id}` 不适用于群层级 {'、'.join(missing)}："
                f"在 {target.source.path} 的 tiers 里加上它，或换一条内容"))

    def curriculum(self, item: Item[Curriculum]) -> None:
        curriculum = item.model
        self.playbook_exists(item)
        self.refs(item, ("audience",), curriculum.audience, self.project.tiers)
        self.refs(item, ("unlocks",), curriculum.unlocks, self.project.tiers)
        content_ids = [*self.project.posts.items, *self.project.games.items,
                       *self.project.replies.items]
        lesson_ids: list[str] = []
        for number, lesson in enumerate(curriculum.lessons):
            if lesson.id in lesson_ids:
                self.problems.append(item.problem(("lessons", number, "id"), "duplicate-id",
                                                  f"课程 id `{lesson.id}` 重复"))
            lesson_ids.append(lesson.id)
            self.refs(item, ("lessons", number, "materials"), lesson.materials, content_ids,
                      "素材（帖子、游戏或话术）")
        for number, entry in enumerate(curriculum.schedule):
            self.ref(item, ("schedule", number, "lesson"), entry.lesson, lesson_ids, "课程")

    def escalation(self, item: Item[Escalation]) -> None:
        plan = item.model
        self.refs(item, ("tiers",), plan.tiers, self.project.tiers)
        if not self.playbook_exists(item):
            return
        roles = self.roles_of(item)
        for number, step in enumerate(plan.steps):
            self.ref(item, ("steps", number, "owner"), step.owner, roles, "角色")
            self.ref(item, ("steps", number, "backup"), step.backup, roles, "角色")
            self.ref(item, ("steps", number, "reply"), step.reply, self.project.replies)
        for number, link in enumerate(plan.escalate_to):
            self.ref(item, ("escalate_to", number, "role"), link.role, roles, "角色")

    def campaign(self, item: Item[Campaign]) -> None:
        campaign = item.model
        self.refs(item, ("tiers",), campaign.tiers, self.project.tiers)
        if self.playbook_exists(item):
            self.refs(item, ("kpis",), campaign.kpis, self.kpis_of(item), "指标")
        if campaign.end < campaign.start:
            self.problems.append(item.problem(("end",), "end-before-start",
                                              f"结束日期 {campaign.end} 早于开始日期 {campaign.start}"))
        for number, announcement in enumerate(campaign.announcements):
            loc = ("announcements", number, "post")
            self.ref(item, loc, announcement.post, self.project.posts)
            if announcement.post in self.project.posts:
                post = self.project.posts[announcement.post]
                self.suits_tiers(item, loc, post, campaign.tiers)
                self.valid_on(item, loc, post, announcement.date)

    def valid_on(self, item: Item[Model], loc: Loc, post: Item[Post], day: dt.date) -> None:
        problem = validity_problem(item, loc, post, day)
        if problem:
            self.problems.append(problem)

    def post(self, item: Item[Post]) -> None:
        post = item.model
        self.refs(item, ("tiers",), post.tiers, self.project.tiers)
        if post.valid_from and post.valid_until and post.valid_until < post.valid_from:
            self.problems.append(item.problem(("valid_until",), "end-before-start",
                                              f"失效日期 {post.valid_until} 早于生效日期 {post.valid_from}"))
        for number, media in enumerate(post.media):
            self.media_file(item, ("media", number, "path"), media.path)
        self.placeholders(item, post.body)

    def media_file(self, item: Item[Model], loc: Loc, path: str) -> None:
        relative = PurePosixPath(path)
        if relative.is_absolute() or ".." in relative.parts or "\\" in path:
            self.problems.append(item.problem(
                loc, "media-outside-assets",
                f"图片路径 `{path}` 必须是 {ASSETS_DIR}/ 下的相对路径，不能用 .. 或绝对路径"))
            return
        full = self.project.root / ASSETS_DIR / relative
        if full.is_file() and not inside(self.project.root, full):
            self.problems.append(item.problem(
                loc, "media-outside-assets", f"图片 `{path}` 是指向项目之外的符号链接，请放入真实文件"))
            return
        if not full.is_file():
            existing = [p.relative_to(self.project.root / ASSETS_DIR).as_posix()
                        for p in (self.project.root / ASSETS_DIR).rglob("*") if p.is_file()]
            self.problems.append(item.problem(
                loc, "missing-media",
                f"找不到图片 {ASSETS_DIR}/{path}{did_you_mean(path, existing)}"))

    def placeholders(self, item: Item[Model], body: str) -> None:
        declared = self.project.placeholders
        for match in PLACEHOLDER_PATTERN.finditer(body):
            name = match.group(1)
            if name in declared:
                continue
            line = item.source.body_line + body.count("\n", 0, match.start())
            self.problems.append(Problem(
                item.source.path, line, 1, "body", "unknown-placeholder",
                f"正文里的占位符 {{{name}}} 没有在 content_library/placeholders.yaml 里声明"
                f"{did_you_mean(name, declared)}"))


def validity_problem(item: Item[Model], loc: Loc, post: Item[Post], day: dt.date) -> Problem | None:
    """A post used on a day outside its valid_from/valid_until window."""
    if post.model.valid_on(day):
        return None
    window = f"{post.model.valid_from or '不限'} ~ {post.model.valid_until or '不限'}"
    return item.problem(loc, "outside-validity",
                        f"帖子 `{post.model.id}` 在 {day} 不可用（有效期 {window}），请换一条或调整有效期")
