"""`qunsop new`: write a valid, commented starting file for one source kind."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from .clock import DEFAULT_ZONE, Clock
from .errors import UsageError, did_you_mean
from .kinds import KINDS, SCAFFOLD_KINDS
from .models import CATEGORY_LABELS, ID_PATTERN, Escalation, Playbook, Tier
from .pipeline import CheckOptions, check_project
from .render import get_text_env
from .resolve import Project
from .schema import schema_comment

__all__ = ["SCAFFOLD_KINDS", "ScaffoldOptions", "scaffold"]


@dataclass(frozen=True)
class ScaffoldOptions:
    clock: Clock
    playbook: str | None = None
    category: str = "needed"  # posts: the folder under content_library/posts/
    relative: bool = False  # calendars: days after a group is created instead of dates


def scaffold(root: Path, kind_name: str, item_id: str,
             options: ScaffoldOptions) -> Path:
    """Create the file and return its path; refuse to overwrite or to reuse an id."""
    kind = KINDS[kind_name]
    if not re.match(ID_PATTERN, item_id):
        raise UsageError(f"id `{item_id}` 只能用小写字母、数字和连字符，例如 hongbao-warmup")
    if options.category not in CATEGORY_LABELS:
        raise UsageError(f"没有分类 `{options.category}`{did_you_mean(options.category, CATEGORY_LABELS)}"
                         f"：可选 {'、'.join(CATEGORY_LABELS)}")
    project = check_project(root, CheckOptions(options.clock)).project
    index = project.indexes[kind_name]
    if item_id in index or item_id in index.broken:
        raise UsageError(f"{index.label} id `{item_id}` 已经存在（id 在整个项目里不能重复），请换一个 id")
    owner = ""
    if kind.name == "playbook":
        owner = item_id
    elif kind.home == "playbook":
        owner = choose_playbook(project, options.playbook, f"{kind.label}属于某一个方案",
                                f"qunsop new {kind.name} {item_id}")
    elif options.playbook is not None:
        choose_playbook(project, options.playbook)  # checks the name; library files are shared
    relative = kind.scaffold_path(item_id, owner, options.category if kind.name == "post" else "")
    path = root / relative
    if path.exists():
        raise UsageError(f"{relative} 已经存在，不会覆盖")
    start = options.clock.today_in(playbook_zone(project, owner or options.playbook))
    template = f"scaffolds/{kind.name}.{'md' if kind.markdown else 'yaml'}.j2"
    text = get_text_env().get_template(template).render(
        id=item_id, schema="" if kind.markdown else schema_comment(kind.name, relative),
        role=first_role(project, owner or options.playbook),
        owner_role=store_role(project, owner or options.playbook),
        tier=default_tier(project, owner or options.playbook),
        plan=first_plan(project, owner)[0], level=first_plan(project, owner)[1],
        category=options.category, relative=options.relative,
        start=start.isoformat(), end=(start + dt.timedelta(days=27)).isoformat())
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def choose_playbook(project: Project, wanted: str | None, what: str = "这个文件属于某一个方案",
                    command: str = "") -> str:
    known = sorted(project.of(Playbook).items)
    if wanted is not None:
        if wanted not in known:
            raise UsageError(f"找不到方案 `{wanted}`{did_you_mean(wanted, known)}："
                             f"项目里有 {'、'.join(known) or '（还没有方案）'}")
        return wanted
    if len(known) == 1:
        return known[0]
    if not known:
        raise UsageError("还没有方案：先运行 qunsop new playbook 方案id")
    example = f"，例如 {command} --playbook {known[0]}" if command else ""
    raise UsageError(f"{what}，项目里有 {len(known)} 个方案：{'、'.join(known)}。"
                     f"请用 --playbook 指定放进哪一个{example}")


def first_role(project: Project, playbook: str | None) -> str:
    playbooks = project.of(Playbook)
    item = playbooks.items.get(playbook or "") or next(iter(playbooks), None)
    return item.model.roles[0].id if item else "platform-ops"


def playbook_zone(project: Project, playbook: str | None) -> str:
    """Scaffold dates are in the playbook's time zone (the first playbook's for library files)."""
    playbooks = project.of(Playbook)
    item = playbooks.items.get(playbook or "") or next(iter(playbooks), None)
    return item.model.timezone if item else DEFAULT_ZONE


def store_role(project: Project, playbook: str | None) -> str:
    """Who runs a consumer (C) group: the owner of an existing C tier, else the first role."""
    owners = sorted(item.model.owner for item in project.of(Tier)
                    if item.model.side == "C" and playbook in (None, item.playbook))
    return owners[0] if owners else first_role(project, playbook)


def default_tier(project: Project, playbook: str | None) -> str:
    """A consumer (C) tier first: most new content is for the groups stores run."""
    tiers = [item for item in project.of(Tier) if playbook in (None, item.playbook)] \
        or list(project.of(Tier))
    if not tiers:
        return "c-store"
    tiers.sort(key=lambda item: (item.model.side != "C", item.model.id))
    return tiers[0].model.id


def first_plan(project: Project, playbook: str) -> tuple[str, str]:
    """An escalation plan of the playbook and its first severity level, for a new incident."""
    plans = sorted((item.model for item in project.of(Escalation) if item.playbook == playbook),
                   key=lambda plan: plan.id)
    return (plans[0].id, plans[0].severity[0].level) if plans else ("product-complaint", "P1")
