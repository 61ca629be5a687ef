"""`qunsop new`: write a valid, commented starting file for one source kind."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from .errors import UsageError, did_you_mean
from .load import MARKDOWN_KINDS
from .models import ID_PATTERN, KINDS
from .pipeline import check_project
from .render import get_env
from .resolve import Project
from .schema import schema_comment

PLAYBOOK_FOLDERS = {"tier": "tiers", "calendar": "calendars", "curriculum": "curricula",
                    "escalation": "escalations", "campaign": "campaigns"}
CONTENT_FOLDERS = {"post": "content_library/posts/needed", "game": "content_library/games",
                   "reply": "content_library/replies"}
SCAFFOLD_KINDS = ("playbook", *PLAYBOOK_FOLDERS, *CONTENT_FOLDERS)


def scaffold(root: Path, kind: str, item_id: str, playbook: str | None,
             today: dt.date | None = None) -> Path:
    """Create the file and return its path; refuse to overwrite or to reuse an id."""
    if not re.match(ID_PATTERN, item_id):
        raise UsageError(f"id `{item_id}` 只能用小写字母、数字和连字符，例如 hongbao-warmup")
    project = check_project(root).project
    index = project.index_for(kind)
    if index is not None and (item_id in index or item_id in index.broken):
        raise UsageError(f"{index.label} id `{item_id}` 已经存在，请换一个 id")
    owner = item_id if kind == "playbook" else choose_playbook(project, playbook)
    relative = scaffold_path(kind, item_id, owner)
    path = root / relative
    if path.exists():
        raise UsageError(f"{relative} 已经存在，不会覆盖")
    start = today or dt.date.today()
    text = get_env().get_template(f"scaffolds/{kind}.{'md' if kind in MARKDOWN_KINDS else 'yaml'}.j2").render(
        id=item_id, schema="" if kind in MARKDOWN_KINDS else schema_comment(kind, relative),
        role=first_role(project, owner), tier=first_tier(project, owner),
        start=start.isoformat(), end=(start + dt.timedelta(days=27)).isoformat())
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def scaffold_path(kind: str, item_id: str, playbook: str) -> str:
    if kind == "playbook":
        return f"playbooks/{item_id}/playbook.yaml"
    if kind in PLAYBOOK_FOLDERS:
        return f"playbooks/{playbook}/{PLAYBOOK_FOLDERS[kind]}/{item_id}.yaml"
    return f"{CONTENT_FOLDERS[kind]}/{item_id}.md"


def choose_playbook(project: Project, wanted: str | None) -> str:
    known = list(project.playbooks.items)
    if wanted is not None:
        if wanted not in known:
            raise UsageError(f"找不到方案 `{wanted}`{did_you_mean(wanted, known)}")
        return wanted
    if len(known) == 1:
        return known[0]
    if not known:
        raise UsageError("还没有方案：先运行 qunsop new playbook 方案id")
    raise UsageError(f"有多个方案，请用 --playbook 指定：{'、'.join(known)}")


def first_role(project: Project, playbook: str) -> str:
    item = project.playbooks.items.get(playbook)
    return item.model.roles[0].id if item else "platform-ops"


def first_tier(project: Project, playbook: str) -> str:
    owned = sorted(tier.model.id for tier in project.tiers if tier.playbook == playbook)
    if not owned:
        every = sorted(project.tiers.items)
        if not every:
            raise UsageError("还没有群层级：先运行 qunsop new tier 层级id")
        return every[0]
    return owned[0]


assert set(SCAFFOLD_KINDS) == set(KINDS) - {"placeholders"}
