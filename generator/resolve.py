"""Index validated items by id and check every cross-reference between them."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import Any, Generic, TypeVar

from .errors import Problem, did_you_mean
from .history import added_order
from .kinds import KIND_OF_MODEL, KINDS, attach_hooks, item_kinds, material_kinds
from .load import SourceFile
from .media import ASSETS_DIR as ASSETS_DIR
from .media import MediaInfo, MediaRefused
from .media import inspect as inspect_media
from .models import (
    ACTIVITY_TOKENS,
    Activity,
    Calendar,
    Campaign,
    Curriculum,
    Escalation,
    Game,
    Incident,
    Media,
    Model,
    Placeholder,
    Placeholders,
    Playbook,
    Post,
    Reply,
    Roster,
    Slot,
    Tier,
)
from .settings import Settings
from .site_config import SiteSettings
from .validate import Item

M = TypeVar("M", bound=Model)
Loc = tuple[str | int, ...]

PLACEHOLDER_PATTERN = re.compile(r"\{([^{}\s]{1,20})\}")


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
    indexes: dict[str, Index[Any]] = field(
        default_factory=lambda: {kind.name: Index(kind.label) for kind in item_kinds()})
    singletons: dict[str, Item[Any]] = field(default_factory=dict)
    placeholders: dict[str, Placeholder] = field(default_factory=dict)
    media: dict[str, MediaInfo] = field(default_factory=dict)  # every checked media file
    # one-file kinds (placeholders, settings, site) whose file failed: already reported
    broken_singletons: set[str] = field(default_factory=set)
    rosters: dict[str, Item[Roster]] = field(default_factory=dict)  # by playbook id

    def of(self, model: type[M]) -> Index[M]:
        """The index of one kind, typed by its model: project.of(Tier)."""
        return self.indexes[KIND_OF_MODEL[model].name]

    def index_for(self, kind: str) -> Index[Any] | None:
        return self.indexes.get(kind)

    @property
    def settings(self) -> Settings:
        item = self.singletons.get("settings")
        return item.model if item else Settings()

    @property
    def site(self) -> SiteSettings | None:
        item = self.singletons.get("site")
        return item.model if item else None

    def path_of(self, model: Any) -> str | None:
        """The source file of an item, found by its kind and id."""
        kind = KIND_OF_MODEL.get(type(model))
        item = self.indexes[kind.name].items.get(getattr(model, "id", "")) if kind else None
        return item.source.path if item else None

    def playbook_for(self, item: Item[Any]) -> Playbook | None:
        owner = item.playbook
        playbooks = self.of(Playbook)
        return playbooks[owner].model if owner and owner in playbooks else None


def index_items(root: Path, items: Iterable[Item[Model]], invalid: Iterable[SourceFile] = (),
                unreadable: Iterable[tuple[str, str]] = ()) -> tuple[Project, list[Problem]]:
    """Index items by id; ids of files that failed to load or validate count as known.

    A broken file is reported once, where it is broken: references to it elsewhere are
    not reported again as unknown (the id is taken from the data, or else the file name).
    """
    project = Project(root)
    problems: list[Problem] = []
    for source in invalid:
        index = project.index_for(source.kind)
        if KINDS[source.kind].singleton:
            project.broken_singletons.add(source.kind)
        if index is not None:
            given = source.data.get("id") if isinstance(source.data, dict) else None
            index.broken.add(expected_id(source.path))  # the id may be what is broken
            if isinstance(given, str):
                index.broken.add(given)
    for relative, kind in unreadable:
        index = project.index_for(kind)
        if KINDS[kind].singleton:
            project.broken_singletons.add(kind)
        if index is not None:
            index.broken |= {expected_id(relative), *written_id(root / relative)}
    claims: dict[str, list[Item[Any]]] = {}  # one namespace: every kind's ids together
    for item in items:
        declared = KINDS[item.source.kind]
        if isinstance(item.model, Roster):
            problems += index_roster(project, item)  # type: ignore[arg-type]
            continue
        if declared.singleton:
            project.singletons[declared.name] = item
            if isinstance(item.model, Placeholders):
                problems += index_placeholders(project, item)  # type: ignore[arg-type]
            continue
        item_id = item.model.id  # type: ignore[attr-defined]
        if item_id in declared.reserved:
            problems.append(item.problem(("id",), "reserved-id",
                                         f"id `{item_id}` 是网站自己的栏目名，会和它冲突，请换一个"))
            project.indexes[declared.name].broken.add(item_id)
            continue
        claims.setdefault(item_id, []).append(item)
    taken = set(claims) | {known for index in project.indexes.values() for known in index.broken}
    clashes = {item_id: found for item_id, found in claims.items() if len(found) > 1}
    added = added_order(root, sorted(item.source.path for found in clashes.values() for item in found))
    for item_id, found in claims.items():
        keeper, *copies = sorted(found, key=lambda item: (
            renamed(item), added.get(item.source.path, 0.0), item.source.path))
        project.indexes[keeper.source.kind].items[item_id] = keeper
        for copy in copies:
            problems += duplicate_id(item_id, keeper, copy, taken, added)
            project.indexes[copy.source.kind].broken.add(item_id)  # reported here, not as unknown
        if renamed(keeper):
            problems.append(id_filename(keeper, taken, root))
    return project, problems


def renamed(item: Item[Any]) -> bool:
    """The file's name is not its id: the sign of a copy whose id was left as it was."""
    return item.source.kind != "playbook" and expected_id(item.source.path) != item.model.id


def free_id(item: Item[Any], taken: set[str]) -> str:
    """A new id for a clashing file that no file uses: its own file name, else id-2, id-3…"""
    stem = expected_id(item.source.path)
    if stem not in taken:
        return stem
    number = 2
    while f"{item.model.id}-{number}" in taken:
        number += 1
    return f"{item.model.id}-{number}"


def duplicate_id(item_id: str, keeper: Item[Any], copy: Item[Any], taken: set[str],
                 added: dict[str, float]) -> list[Problem]:
    """Both files are named; the error is on the copy: the file whose name is not its id, else
    the one added to git later (or not yet), else the later path. The hint's id is free."""
    keeper_label, copy_label = KINDS[keeper.source.kind].label, KINDS[copy.source.kind].label
    keeper_line, copy_line = keeper.position("id")[0], copy.position("id")[0]
    if renamed(copy) and not renamed(keeper):
        why = f"这个文件的文件名不是 `{item_id}`，看起来是复制来的"
    elif added.get(copy.source.path, 0.0) > added.get(keeper.source.path, 0.0):
        why = "这个文件还没有提交进 git，算作新加的" if added[copy.source.path] == float("inf") \
            else "这个文件比它新，算作新加的"
    else:
        why = "按文件路径排序这个文件在后面，算作新加的"
    suggestion = free_id(copy, taken)
    taken.add(suggestion)
    rename = "" if suggestion == expected_id(copy.source.path) else \
        f"，并把文件改名为 `{suggestion}{PurePosixPath(copy.source.path).suffix}`"
    other = "" if keeper_label == copy_label else f"（{keeper_label}）"
    return [
        copy.problem(("id",), "duplicate-id",
                     f"{copy_label} id `{item_id}` 重复：{keeper.source.path}{other} 第 {keeper_line} 行"
                     f"已经用过。id 在整个项目里（不同种类、不同方案之间）都不能重复；{why}："
                     f"请把 id 改成 `{suggestion}`{rename}"),
        keeper.problem(("id",), "duplicate-id",
                       f"{keeper_label} id `{item_id}` 又出现在 {copy.source.path} 第 {copy_line} 行"
                       f"（{copy_label}）：那个文件算作新加的，请改那边的 id"
                       "（如果这里才是新加的，就改这里）", "warning"),
    ]


def id_filename(item: Item[Any], taken: set[str], root: Path) -> Problem:
    """A file named other than its id: rename the file, or else the id, to whichever is free."""
    path = PurePosixPath(item.source.path)
    target = path.with_name(f"{item.model.id}{path.suffix}")
    if (root / target).exists() and path.stem not in taken:
        hint = f"`{target.name}` 已经有了：请把 id 改成 `{path.stem}`"
    else:
        hint = f"建议把文件改名为 `{target.name}`"
    return item.problem(("id",), "id-filename",
                        f"文件名 `{path.stem}` 与 id `{item.model.id}` 不一致：{hint}", "warning")


def expected_id(relative: str) -> str:
    """The id a source file should carry: its file name, or its folder for a playbook."""
    path = PurePosixPath(relative)
    return path.parent.name if path.name in ("playbook.yaml", "playbook.yml") else path.stem


_ID_LINE = re.compile(rb"^id:[ \t]*[\"']?([a-z0-9]+(?:-[a-z0-9]+)*)[\"']?[ \t]*(?:#.*)?$", re.M)


def written_id(path: Path) -> set[str]:
    """The id a file that could not be parsed seems to declare (`id: x` at the top level).

    A file whose name differs from its id is otherwise unknown to every reference, and
    each reference would add a report to the one that says the file cannot be read.
    """
    try:
        with path.open("rb") as handle:
            head = handle.read(64 * 1024)
    except OSError:
        return set()
    return {match.decode() for match in _ID_LINE.findall(head)[:1]}


def index_roster(project: Project, item: Item[Roster]) -> list[Problem]:
    """One roster per playbook: groups.yaml or groups.csv, not both."""
    owner = item.playbook or ""
    if owner in project.rosters:
        first = project.rosters[owner].source.path
        return [item.problem((), "duplicate-roster",
                             f"方案 `{owner}` 已经有群名单 {first}：groups.yaml 和 groups.csv 只能留一个，"
                             "请把两个合成一个")]
    project.rosters[owner] = item
    return []


def index_placeholders(project: Project, item: Item[Placeholders]) -> list[Problem]:
    problems = []
    for number, placeholder in enumerate(item.model.placeholders):
        if placeholder.name in project.placeholders:
            problems.append(item.problem(("placeholders", number, "name"), "duplicate-id",
                                         f"占位符 `{placeholder.name}` 重复声明"))
        project.placeholders[placeholder.name] = placeholder
    return problems


def check_references(project: Project) -> list[Problem]:
    """Every reference by id must name an existing item of the right kind."""
    checker = ReferenceChecker(project)
    for kind in item_kinds():
        if kind.check is not None:
            for item in project.indexes[kind.name]:
                kind.check(checker, item)
    return checker.problems


class ReferenceChecker:
    """What a kind's `check` hook is given: helpers that report unknown ids, placeholders and
    media at the field that names them; the built-in kinds' checks are its methods."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.problems: list[Problem] = []
        self._tags: set[str] | None = None
        self.lint = project.settings.lint

    def refs(self, item: Item[Any], loc: Loc, ids: list[str],
             index: Index[Any] | list[str], label: str = "") -> None:
        """Check a list field of ids; each unknown id is reported at its own entry."""
        for position, ref in enumerate(ids):
            self.ref(item, (*loc, position), ref, index, label)

    def ref(self, item: Item[Any], loc: Loc, ref: str | None,
            index: Index[Any] | list[str], label: str = "") -> bool:
        """Check one id field; None means the optional field was left out. True if found."""
        if ref is None:
            return False
        if isinstance(index, Index):
            if ref in index.items:
                return True
            if ref in index.broken:
                return False
            known, label = list(index.items), label or index.label
        elif ref in index:
            return True
        else:
            known = index
        self.problems.append(item.problem(loc, "unknown-ref",
                                          f"找不到{label} `{ref}`{did_you_mean(ref, known)}"))
        return False

    def report(self, item: Item[Any], loc: Loc, rule: str, message: str) -> None:
        """A finding whose severity the editor sets in qunsop.yaml."""
        level = self.lint.level(rule)
        if level != "off":
            self.problems.append(item.problem(loc, rule, message, level))

    def known_tags(self) -> set[str]:
        if self._tags is None:
            self._tags = {tag for post in self.project.of(Post).models() for tag in post.tags}
        return self._tags

    def roles_of(self, item: Item[Any]) -> list[str]:
        playbook = self.project.playbook_for(item)
        return [role.id for role in playbook.roles] if playbook else []

    def kpis_of(self, item: Item[Any]) -> list[str]:
        playbook = self.project.playbook_for(item)
        return [kpi.id for kpi in playbook.kpis] if playbook else []

    def playbook_exists(self, item: Item[Any]) -> bool:
        """The item's folder has a valid playbook.yaml (a broken one was reported already)."""
        playbooks = self.project.of(Playbook)
        if item.playbook in playbooks:
            return True
        if item.playbook not in playbooks.broken:
            self.problems.append(item.problem((), "no-playbook",
                                              f"文件夹 playbooks/{item.playbook}/ 里缺少 playbook.yaml"))
        return False

    def end_after_start(self, item: Item[Any], start: dt.date | None, end: dt.date | None,
                        field_name: str = "end") -> None:
        if start and end and end < start:
            start_name = "valid_from" if field_name == "valid_until" else "start"
            self.problems.append(item.problem((field_name,), "end-before-start",
                                              f"{field_name} {end} 早于 {start_name} {start}：结束的日期要在"
                                              "开始那天或之后（只有一天时两个写同一天）"))

    # --- the built-in kinds' checks (a playbook refers to nothing: its roles and KPIs are
    # checked where they are used) --------------------------------------------------------

    def tier(self, item: Item[Tier]) -> None:
        tier = item.model
        if self.playbook_exists(item):
            self.ref(item, ("owner",), tier.owner, self.roles_of(item), "角色")
            self.refs(item, ("kpis",), tier.kpis, self.kpis_of(item), "指标")
        self.refs(item, ("flows_to",), tier.flows_to, self.project.of(Tier))
        self.refs(item, ("shares_members_with",), tier.shares_members_with, self.project.of(Tier))
        self.refs(item, ("seeds",), tier.seeds, self.project.of(Tier))
        if tier.id in tier.flows_to:
            self.problems.append(item.problem(("flows_to",), "self-reference",
                                              "flows_to 不能指向自己"))

    def calendar(self, item: Item[Calendar]) -> None:
        calendar = item.model
        self.playbook_exists(item)
        self.refs(item, ("tiers",), calendar.tiers, self.project.of(Tier))
        self.end_after_start(item, calendar.start, calendar.end)
        day_plans: list[tuple[Loc, list[Slot]]] = [
            (("weekly", weekday), plan.slots) for weekday, plan in calendar.weekly.items()]
        day_plans += [(("overrides", n), day.slots) for n, day in enumerate(calendar.overrides)]
        day_plans += [(("days", n), day.slots) for n, day in enumerate(calendar.days)]
        for loc, slots in day_plans:
            self.slots(item, loc, slots)
        self.unique_days(item, "overrides", [day.date for day in calendar.overrides], "日期")
        self.unique_days(item, "days", [day.day for day in calendar.days], "天")
        if calendar.start:
            for number, day in enumerate(calendar.overrides):
                if day.date < calendar.start or (calendar.end and day.date > calendar.end):
                    self.problems.append(item.problem(
                        ("overrides", number, "date"), "date-out-of-range",
                        f"{day.date} 不在排期范围 {calendar.start} ~ {calendar.end or '长期'} 内"))

    def unique_days(self, item: Item[Calendar], field_name: str, keys: list[Any], label: str) -> None:
        seen: set[object] = set()
        for number, key in enumerate(keys):
            if key in seen:
                self.problems.append(item.problem((field_name, number), "duplicate-day",
                                                  f"{label} {key} 写了两次，请合并成一个"))
            seen.add(key)

    def slots(self, item: Item[Calendar], loc: Loc, slots: list[Slot]) -> None:
        times: dict[tuple[str, str], int] = {}
        tiers = item.model.tiers
        for number, slot in enumerate(slots):
            slot_loc = (*loc, "slots", number)
            clash = (slot.time, slot.channel)
            if clash in times:
                self.problems.append(item.problem(
                    (*slot_loc, "time"), "slot-clash",
                    f"同一天有两个 {slot.time} 的时段（另一个是第 {times[clash] + 1} 个），"
                    "请错开时间"))
            times.setdefault(clash, number)
            self.slot_source(item, slot_loc, slot, tiers)
            self.placeholders(item, (*slot_loc, "note"), slot.note)
            self.placeholders(item, (*slot_loc, "task"), slot.task)

    def slot_source(self, item: Item[Calendar], loc: Loc, slot: Slot, tiers: list[str]) -> None:
        if self.ref(item, (*loc, "post"), slot.post, self.project.of(Post)):
            post = self.project.of(Post)[slot.post or ""]
            self.suits_tiers(item, (*loc, "post"), post, tiers)
            if post.model.status == "draft":
                self.problems.append(item.problem(
                    (*loc, "post"), "draft-scheduled",
                    f"帖子 `{post.model.id}` 还是草稿（status: draft）：草稿不能直接排期，"
                    "审核通过改成 approved 后再排"))
            if post.model.category != slot.category:
                self.report(item, (*loc, "category"), "category-mismatch",
                            f"时段的分类是 {slot.category}，帖子 `{post.model.id}` 自己的分类是 "
                            f"{post.model.category}：请改成一致，统计才准确")
        for number, variant in enumerate(slot.variants):
            where = (*loc, "variants", number)
            if self.ref(item, (*where, "post"), variant.post, self.project.of(Post)):
                self.suits_tiers(item, (*where, "post"), self.project.of(Post)[variant.post], tiers)
            self.scope(item, [], {variant.tag: [variant.value]}, where)
        if self.ref(item, (*loc, "game"), slot.game, self.project.of(Game)):
            self.suits_tiers(item, (*loc, "game"), self.project.of(Game)[slot.game or ""], tiers)
        if self.ref(item, (*loc, "activity"), slot.activity, self.project.of(Activity)):
            self.suits_tiers(item, (*loc, "activity"),
                             self.project.of(Activity)[slot.activity or ""], tiers)
        self.ref(item, (*loc, "reply"), slot.reply, self.project.of(Reply))
        if slot.pick is not None and slot.pick.tag is not None and not self.project.of(Post).broken:
            known_tags = self.known_tags()  # (a post that failed to load may carry the tag)
            if slot.pick.tag not in known_tags:
                self.problems.append(item.problem(
                    (*loc, "pick", "tag"), "unknown-ref",
                    f"没有任何帖子带标签 `{slot.pick.tag}`{did_you_mean(slot.pick.tag, known_tags)}"))

    def suits_tiers(self, item: Item[Any], loc: Loc, target: Item[Any], tiers: list[str]) -> None:
        missing = [tier for tier in tiers if tier not in target.model.tiers]
        if missing:
            label = KIND_OF_MODEL[type(target.model)].label
            self.problems.append(item.problem(
                loc, "tier-mismatch",
                f"{label} `{target.model.id}` 不适用于群层级 {'、'.join(missing)}："
                f"在 {target.source.path} 的 tiers 里加上它，或换一条内容"))

    def curriculum(self, item: Item[Curriculum]) -> None:
        curriculum = item.model
        self.playbook_exists(item)
        self.refs(item, ("audience",), curriculum.audience, self.project.of(Tier))
        self.refs(item, ("unlocks",), curriculum.unlocks, self.project.of(Tier))
        # broken files count as known: they are reported where they are broken, not here
        content_ids = [item_id for kind in material_kinds()
                       for index in [self.project.indexes[kind.name]]
                       for item_id in (*index.items, *index.broken)]
        lesson_ids: list[str] = []
        for number, lesson in enumerate(curriculum.lessons):
            if lesson.id in lesson_ids:
                self.problems.append(item.problem(("lessons", number, "id"), "duplicate-id",
                                                  f"课程 id `{lesson.id}` 重复"))
            lesson_ids.append(lesson.id)
            self.refs(item, ("lessons", number, "materials"), lesson.materials, content_ids,
                      f"素材（{either([kind.label for kind in material_kinds()])}）")
        for number, entry in enumerate(curriculum.schedule):
            self.ref(item, ("schedule", number, "lesson"), entry.lesson, lesson_ids, "课程")

    def escalation(self, item: Item[Escalation]) -> None:
        plan = item.model
        self.refs(item, ("tiers",), plan.tiers, self.project.of(Tier))
        self.placeholders(item, ("owner_notice",), plan.owner_notice)
        if not self.playbook_exists(item):
            return
        roles = self.roles_of(item)
        for number, step in enumerate(plan.steps):
            self.ref(item, ("steps", number, "owner"), step.owner, roles, "角色")
            self.ref(item, ("steps", number, "backup"), step.backup, roles, "角色")
            self.ref(item, ("steps", number, "reply"), step.reply, self.project.of(Reply))
        for number, link in enumerate(plan.escalate_to):
            self.ref(item, ("escalate_to", number, "role"), link.role, roles, "角色")
        self.ref(item, ("off_hours_reply",), plan.off_hours_reply, self.project.of(Reply))

    def campaign(self, item: Item[Campaign]) -> None:
        campaign = item.model
        self.refs(item, ("tiers",), campaign.tiers, self.project.of(Tier))
        if self.playbook_exists(item):
            self.refs(item, ("kpis",), campaign.kpis, self.kpis_of(item), "指标")
        self.end_after_start(item, campaign.start, campaign.end)
        for number, announcement in enumerate(campaign.announcements):
            loc = ("announcements", number, "post")
            self.placeholders(item, ("announcements", number, "note"), announcement.note)
            if self.ref(item, loc, announcement.post, self.project.of(Post)):
                post = self.project.of(Post)[announcement.post]
                self.suits_tiers(item, loc, post, campaign.tiers)
                self.valid_on(item, loc, post, announcement.date)
        for number, start in enumerate(campaign.activities):
            self.placeholders(item, ("activities", number, "note"), start.note)
            loc = ("activities", number, "activity")
            if self.ref(item, loc, start.activity, self.project.of(Activity)):
                activity = self.project.of(Activity)[start.activity]
                if not set(activity.model.tiers) & set(campaign.tiers):
                    self.suits_tiers(item, loc, activity, campaign.tiers)  # reports the mismatch

    def activity(self, item: Item[Activity]) -> None:
        activity = item.model
        if self.playbook_exists(item):
            self.refs(item, ("kpis",), activity.kpis, self.kpis_of(item), "指标")
        self.refs(item, ("tiers",), activity.tiers, self.project.of(Tier))
        tokens = set(ACTIVITY_TOKENS)
        for loc, text in activity_texts(activity):
            self.placeholders(item, loc, text, tokens)
        for number, media in enumerate(activity.media):
            self.media(item, ("media", number), media)

    def incident(self, item: Item[Incident]) -> None:
        incident = item.model
        self.playbook_exists(item)
        self.end_after_start(item, incident.start, incident.end)
        self.refs(item, ("tiers",), incident.tiers, self.project.of(Tier))
        self.refs(item, ("calendars",), incident.calendars, self.project.of(Calendar))
        self.scope(item, incident.groups, incident.tags)
        if self.ref(item, ("plan",), incident.plan, self.project.of(Escalation)) and incident.level:
            levels = [level.level for level in self.project.of(Escalation)[incident.plan].model.severity]
            if incident.level not in levels:
                self.problems.append(item.problem(
                    ("level",), "unknown-ref",
                    f"预案 `{incident.plan}` 没有级别 `{incident.level}`：可选 {'、'.join(levels)}"
                    f"{did_you_mean(incident.level, levels)}"))

    def scope(self, item: Item[Any], groups: list[str], tags: dict[str, list[str]],
              loc: Loc = ()) -> None:
        """Groups named by roster id, tag keys declared in the playbook's group_tags."""
        owner = item.playbook or ""
        roster = self.project.rosters.get(owner)
        if groups and roster is None and "roster" not in self.project.broken_singletons:
            self.problems.append(item.problem((*loc, "groups"), "no-roster",
                                              f"方案 `{owner}` 还没有群名单：groups 里的群编号要先写进 "
                                              f"playbooks/{owner}/groups.csv（或 groups.yaml）"))
        elif groups and roster is not None:
            self.refs(item, (*loc, "groups"), groups, [group.id for group in roster.model.groups], "群")
        playbooks = self.project.of(Playbook)
        declared = playbooks[owner].model.group_tags if owner in playbooks else None
        for key in tags if declared is not None else ():
            if key not in declared:  # type: ignore[operator]
                self.problems.append(item.problem(
                    (*loc, "tags", key), "unknown-tag-key",
                    f"没有标签“{key}”{did_you_mean(key, declared or [])}：标签名要先写在 "
                    f"playbooks/{owner}/playbook.yaml 的 group_tags 里"))

    def valid_on(self, item: Item[Any], loc: Loc, post: Item[Post], day: dt.date) -> None:
        problem = validity_problem(item, loc, post, day)
        if problem:
            self.problems.append(problem)

    def post(self, item: Item[Post]) -> None:
        post = item.model
        self.refs(item, ("tiers",), post.tiers, self.project.of(Tier))
        self.end_after_start(item, post.valid_from, post.valid_until, "valid_until")
        for number, media in enumerate(post.media):
            self.media(item, ("media", number), media)
        self.placeholders(item, ("body",), post.body)

    def game(self, item: Item[Game]) -> None:
        game = item.model
        self.refs(item, ("tiers",), game.tiers, self.project.of(Tier))
        for number, step in enumerate(game.steps):
            self.placeholders(item, ("steps", number, "host_line"), step.host_line)
        for number, round_ in enumerate(game.rounds):
            for index, question in enumerate(round_.questions):
                for name in ("ask", "answer"):
                    self.placeholders(item, ("rounds", number, "questions", index, name),
                                      getattr(question, name))

    def reply(self, item: Item[Reply]) -> None:
        self.placeholders(item, ("body",), item.model.body)

    def media(self, item: Item[Any], loc: Loc, media: Media) -> None:
        """The file exists, is an allowed type by content, and a video has an image poster."""
        info = self.media_file(item, (*loc, "path"), media.path)
        if info is None:
            return
        if info.is_video and media.poster is None:
            self.problems.append(item.problem((*loc, "path"), "video-needs-poster",
                                              "视频要配一张封面图：加上 poster: 图片路径"))
        if media.poster is not None:
            poster = self.media_file(item, (*loc, "poster"), media.poster)
            if poster is not None and poster.is_video:
                self.problems.append(item.problem((*loc, "poster"), "bad-media",
                                                  "封面必须是图片，不能是视频"))
            if not info.is_video:
                self.problems.append(item.problem((*loc, "poster"), "bad-media",
                                                  "poster 只用于视频：图片不需要封面，请删掉"))

    def media_file(self, item: Item[Any], loc: Loc, path: str) -> MediaInfo | None:
        try:
            info = inspect_media(self.project.root, path)
        except MediaRefused as refused:
            self.problems.append(item.problem(loc, "bad-media", str(refused)))
            return None
        except FileNotFoundError:
            folder = self.project.root / ASSETS_DIR
            existing = [p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()]
            self.problems.append(item.problem(
                loc, "missing-media", f"找不到文件 {ASSETS_DIR}/{path}{did_you_mean(path, existing)}"))
            return None
        self.project.media[path] = info
        return info

    def placeholders(self, item: Item[Any], loc: Loc, text: str,
                     extra: set[str] | frozenset[str] = frozenset()) -> None:
        """Every {名称} in pasted text is declared (in placeholders.yaml, or by qunsop)."""
        if "placeholders" in self.project.broken_singletons:
            return  # placeholders.yaml failed to load: that is the one report
        declared = self.project.placeholders
        for match in PLACEHOLDER_PATTERN.finditer(text):
            name = match.group(1)
            if name in declared or name in extra:
                continue
            if loc == ("body",):
                line = item.source.body_line + text.count("\n", 0, match.start())
                column = match.start() - (text.rfind("\n", 0, match.start()) + 1) + 1
                problem = Problem(item.source.path, line, column, "body", "unknown-placeholder", "")
            else:
                problem = item.problem(loc, "unknown-placeholder", "")
            known = [*declared, *extra]
            self.problems.append(replace(problem, message=(
                f"占位符 {{{name}}} 没有在 content_library/placeholders.yaml 里声明"
                f"{did_you_mean(name, known)}")))


def either(labels: list[str]) -> str:
    """帖子、游戏或话术"""
    return "、".join(labels[:-1]) + "或" + labels[-1] if len(labels) > 1 else "".join(labels)


def activity_texts(activity: Activity) -> list[tuple[Loc, str]]:
    texts: list[tuple[Loc, str]] = [(("opening",), activity.opening), (("daily",), activity.daily),
                                    (("closing",), activity.closing)]
    texts += [(("by_day", number, "text"), entry.text) for number, entry in enumerate(activity.by_day)]
    return texts


for _name, _check in {"tier": ReferenceChecker.tier, "calendar": ReferenceChecker.calendar,
                      "curriculum": ReferenceChecker.curriculum,
                      "escalation": ReferenceChecker.escalation, "campaign": ReferenceChecker.campaign,
                      "activity": ReferenceChecker.activity, "incident": ReferenceChecker.incident,
                      "post": ReferenceChecker.post, "game": ReferenceChecker.game,
                      "reply": ReferenceChecker.reply}.items():
    attach_hooks(_name, check=_check)


def validity_problem(item: Item[Any], loc: Loc, post: Item[Post], day: dt.date) -> Problem | None:
    """A post used on a day outside its valid_from/valid_until window."""
    if post.model.valid_on(day):
        return None
    window = f"{post.model.valid_from or '不限'} ~ {post.model.valid_until or '不限'}"
    return item.problem(loc, "outside-validity",
                        f"帖子 `{post.model.id}` 在 {day} 不可用（有效期 {window}），请换一条或调整有效期")
