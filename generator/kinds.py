"""The registry of source kinds: each kind is declared once, here, and read by every stage.

A kind's entry names its model, where its files are (loading), its label, its scaffold,
and the hooks the later stages call instead of dispatching on its name:

- `check(checker, item)`: reference checks (resolve.ReferenceChecker, validate.Item);
- `pages(planner, models)`: the site pages of a playbook's or the project's items of the
  kind (plan.Planner, models -> views.Page list); `view` is the view-model they carry and
  `template` the page template (found in site_templates/pages/, or in `templates`);
- `url(links, model)`: the docs page of one item (links.Links); by default `page`;
- `search_boost` and `nav`: how its pages rank in search and where the nav lists them;
- `material`: whether a lesson may list its items among its materials.

The built-in kinds' hooks live beside the code they call: resolve.py, plan.py and
links.py attach them (`attach_hooks`) when they are imported, so this module imports
none of them. A new kind is one `register(Kind(...))` with its hooks; no other module
changes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

from .models import (
    Activity,
    Calendar,
    Campaign,
    Curriculum,
    Escalation,
    Game,
    Incident,
    Model,
    Placeholders,
    Playbook,
    Post,
    Reply,
    Roster,
    Tier,
)
from .settings import Settings
from .site_config import SITE_CONFIG_FILE, SiteSettings

Home = Literal["project", "playbook", "library"]
# The hooks' first argument is the stage's own object; typed loosely here because those
# stages sit above this module (see the module docstring for what each receives).
CheckHook = Callable[[Any, Any], None]
PagesHook = Callable[[Any, list[Any]], list[Any]]
UrlHook = Callable[[Any, Any], str]

# Top-level folders of the built site that qunsop or the engine own: a playbook with one
# of these ids would silently replace them.
SITE_FOLDERS = frozenset({
    "assets", "search", "library", "games", "packs", "today", "changes", "incidents",
    "stylesheets", "javascripts", "images", "index", "404", "sitemap",
})


@dataclass(frozen=True)
class Kind:
    name: str
    model: type[Model]
    label: str  # Chinese, as editors read it in messages and on the site
    pattern: str  # glob under the project root
    home: Home
    folder: str  # a playbook's subfolder, or a project-relative folder
    markdown: bool = False  # front matter plus a body
    singleton: bool = False  # one file, no id (settings, placeholders)
    page: str | None = None  # docs-relative page of one item: {playbook} and {id} are filled in
    scaffold: bool = True  # `qunsop new` can create one
    reserved: frozenset[str] = frozenset()  # ids that would collide with the site's own pages
    # other files of the same kind, in another format (a roster kept in a spreadsheet: CSV)
    alternates: tuple[str, ...] = ()
    template: str | None = None  # the page template of one item
    templates: Path | None = None  # a folder holding `template`, if not site_templates/pages/
    view: type | None = None  # the view-model class of its pages
    # how strongly its pages answer an operator's question ("…怎么办", "…发什么"): plans and
    # lessons first, the library's long lists of post texts last
    search_boost: float = 1.0
    nav: str | None = None  # nav section: in its playbook (playbook kinds), else at the top
    material: bool = False  # a lesson may list its items among its materials
    check: CheckHook | None = None
    pages: PagesHook | None = None
    url: UrlHook | None = None

    def scaffold_path(self, item_id: str, playbook: str, subfolder: str = "") -> str:
        suffix = ".md" if self.markdown else ".yaml"
        if self.name == "playbook":
            return f"playbooks/{item_id}/playbook.yaml"
        if self.home == "playbook":
            return f"playbooks/{playbook}/{self.folder}/{item_id}{suffix}"
        folder = f"{self.folder}/{subfolder}" if subfolder else self.folder
        return f"{folder}/{item_id}{suffix}"


BUILT_IN_KINDS: tuple[Kind, ...] = (
    Kind("playbook", Playbook, "方案", "playbooks/*/playbook.yaml", "project", "playbooks",
         page="{id}/index.md", reserved=SITE_FOLDERS, template="playbook.md.j2"),
    Kind("tier", Tier, "群层级", "playbooks/*/tiers/*.yaml", "playbook", "tiers",
         page="{playbook}/tiers/{id}.md", template="tier.md.j2", search_boost=2.0, nav="群层级"),
    Kind("calendar", Calendar, "推送排期", "playbooks/*/calendars/*.yaml", "playbook", "calendars",
         page="{playbook}/calendars/{id}/index.md", reserved=frozenset({"groups"}),  # packs/groups/
         template="calendar.md.j2", search_boost=1.5, nav="推送排期"),
    Kind("curriculum", Curriculum, "培训课程", "playbooks/*/curricula/*.yaml", "playbook",
         "curricula", page="{playbook}/curricula/{id}.md", template="curriculum.md.j2",
         search_boost=3.0, nav="培训课程"),
    Kind("escalation", Escalation, "紧急预案", "playbooks/*/escalations/*.yaml", "playbook",
         "escalations", page="{playbook}/escalations/{id}.md", template="escalation.md.j2",
         search_boost=3.0, nav="紧急预案"),
    Kind("campaign", Campaign, "活动", "playbooks/*/campaigns/*.yaml", "playbook", "campaigns",
         page="{playbook}/campaigns/{id}.md", template="campaign.md.j2", search_boost=3.0,
         nav="活动"),
    Kind("activity", Activity, "多日活动", "playbooks/*/activities/*.yaml", "playbook",
         "activities", page="{playbook}/activities/{id}.md", template="activity.md.j2",
         search_boost=3.0, nav="多日活动", material=True),
    Kind("incident", Incident, "事件", "playbooks/*/incidents/*.yaml", "playbook", "incidents",
         page="{playbook}/incidents/{id}.md", template="incident.md.j2", search_boost=2.0,
         nav="事件"),
    # posts are listed by category (plan.library_pages); links.py gives the url hook
    Kind("post", Post, "帖子", "content_library/posts/**/*.md", "library", "content_library/posts",
         markdown=True, material=True),
    Kind("game", Game, "游戏", "content_library/games/*.md", "library", "content_library/games",
         markdown=True, page="games/{id}.md", template="game.md.j2", search_boost=2.0,
         nav="活跃游戏", material=True),
    Kind("reply", Reply, "话术", "content_library/replies/*.md", "library",
         "content_library/replies", markdown=True, page="library/replies.md#{id}",
         material=True),
    Kind("roster", Roster, "群名单", "playbooks/*/groups.yaml", "playbook", "", singleton=True,
         scaffold=False, alternates=("playbooks/*/groups.csv",)),
    Kind("placeholders", Placeholders, "占位符", "content_library/placeholders.yaml", "project",
         "content_library", singleton=True, scaffold=False),
    Kind("settings", Settings, "项目设置", "qunsop.yaml", "project", "", singleton=True,
         scaffold=False),
    Kind("site", SiteSettings, "网站设置", SITE_CONFIG_FILE, "project", "", singleton=True,
         scaffold=False),
)

# The live registry, in registration order (the order of loading, checks, pages and nav).
KINDS: dict[str, Kind] = {kind.name: kind for kind in BUILT_IN_KINDS}
KIND_OF_MODEL: dict[type[Model], Kind] = {kind.model: kind for kind in BUILT_IN_KINDS}
SCAFFOLD_KINDS = tuple(kind.name for kind in BUILT_IN_KINDS if kind.scaffold)  # `qunsop new`'s choices


def register(kind: Kind) -> Kind:
    """Add a kind to the registry; every stage reads it from then on. Undo with `unregister`."""
    if kind.name in KINDS or kind.model in KIND_OF_MODEL:
        raise ValueError(f"kind {kind.name!r} (or its model {kind.model.__name__}) is registered already")
    if kind.pages is not None and kind.page is None and kind.url is None:
        raise ValueError(f"kind {kind.name!r} has pages but neither `page` nor a `url` hook")
    KINDS[kind.name] = kind
    KIND_OF_MODEL[kind.model] = kind
    return kind


def unregister(name: str) -> None:
    kind = KINDS.pop(name)
    del KIND_OF_MODEL[kind.model]


def attach_hooks(name: str, **hooks: Any) -> None:
    """Give a registered kind the hooks a stage implements for it (the built-in kinds')."""
    kind = replace(KINDS[name], **hooks)
    KINDS[name] = kind
    KIND_OF_MODEL[kind.model] = kind


def all_kinds() -> tuple[Kind, ...]:
    return tuple(KINDS.values())


def item_kinds() -> tuple[Kind, ...]:
    """Kinds whose files are items with an id (not one-file settings)."""
    return tuple(kind for kind in KINDS.values() if not kind.singleton)


def playbook_kinds() -> tuple[Kind, ...]:
    return tuple(kind for kind in KINDS.values() if kind.home == "playbook")


def material_kinds() -> tuple[Kind, ...]:
    """What a lesson may point to (posts, games, activities, replies)."""
    return tuple(kind for kind in KINDS.values() if kind.material)


def template_folders() -> list[Path]:
    """Folders of page templates that registered kinds bring along."""
    return [kind.templates for kind in KINDS.values() if kind.templates is not None]
