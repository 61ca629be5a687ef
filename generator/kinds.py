"""The registry of source kinds: each kind is declared once, here.

Loading (where files are), validation (which model), the project index, reference
messages (the label), scaffolds, JSON Schemas, the site's nav and every link read
this table. Adding a kind is one entry below plus its model and templates.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

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

    def scaffold_path(self, item_id: str, playbook: str, subfolder: str = "") -> str:
        suffix = ".md" if self.markdown else ".yaml"
        if self.name == "playbook":
            return f"playbooks/{item_id}/playbook.yaml"
        if self.home == "playbook":
            return f"playbooks/{playbook}/{self.folder}/{item_id}{suffix}"
        folder = f"{self.folder}/{subfolder}" if subfolder else self.folder
        return f"{folder}/{item_id}{suffix}"


REGISTRY: tuple[Kind, ...] = (
    Kind("playbook", Playbook, "方案", "playbooks/*/playbook.yaml", "project", "playbooks",
         page="{id}/index.md", reserved=SITE_FOLDERS),
    Kind("tier", Tier, "群层级", "playbooks/*/tiers/*.yaml", "playbook", "tiers",
         page="{playbook}/tiers/{id}.md"),
    Kind("calendar", Calendar, "推送排期", "playbooks/*/calendars/*.yaml", "playbook", "calendars",
         page="{playbook}/calendars/{id}/index.md", reserved=frozenset({"groups"})),  # packs/groups/
    Kind("curriculum", Curriculum, "培训课程", "playbooks/*/curricula/*.yaml", "playbook",
         "curricula", page="{playbook}/curricula/{id}.md"),
    Kind("escalation", Escalation, "紧急预案", "playbooks/*/escalations/*.yaml", "playbook",
         "escalations", page="{playbook}/escalations/{id}.md"),
    Kind("campaign", Campaign, "活动", "playbooks/*/campaigns/*.yaml", "playbook", "campaigns",
         page="{playbook}/campaigns/{id}.md"),
    Kind("activity", Activity, "多日活动", "playbooks/*/activities/*.yaml", "playbook",
         "activities", page="{playbook}/activities/{id}.md"),
    Kind("incident", Incident, "事件", "playbooks/*/incidents/*.yaml", "playbook", "incidents",
         page="{playbook}/incidents/{id}.md"),
    Kind("post", Post, "帖子", "content_library/posts/**/*.md", "library", "content_library/posts",
         markdown=True),
    Kind("game", Game, "游戏", "content_library/games/*.md", "library", "content_library/games",
         markdown=True, page="games/{id}.md"),
    Kind("reply", Reply, "话术", "content_library/replies/*.md", "library",
         "content_library/replies", markdown=True, page="library/replies.md#{id}"),
    Kind("roster", Roster, "群名单", "playbooks/*/groups.yaml", "playbook", "", singleton=True,
         scaffold=False, alternates=("playbooks/*/groups.csv",)),
    Kind("placeholders", Placeholders, "占位符", "content_library/placeholders.yaml", "project",
         "content_library", singleton=True, scaffold=False),
    Kind("settings", Settings, "项目设置", "qunsop.yaml", "project", "", singleton=True,
         scaffold=False),
    Kind("site", SiteSettings, "网站设置", SITE_CONFIG_FILE, "project", "", singleton=True,
         scaffold=False),
)

KINDS: dict[str, Kind] = {kind.name: kind for kind in REGISTRY}
KIND_OF_MODEL: dict[type[Model], Kind] = {kind.model: kind for kind in REGISTRY}
MARKDOWN_KINDS = frozenset(kind.name for kind in REGISTRY if kind.markdown)
ITEM_KINDS = tuple(kind for kind in REGISTRY if not kind.singleton)
SCAFFOLD_KINDS = tuple(kind.name for kind in REGISTRY if kind.scaffold)
PLAYBOOK_KINDS = tuple(kind for kind in REGISTRY if kind.home == "playbook")
