"""The one URL scheme: every output path and link of the site and the packs.

Site pages are docs-relative Markdown paths (`a/b.md`; the engine serves them at
`a/b/`); packs, media and other generated files are site-root-relative paths.
Stable URLs matter: store owners bookmark packs and operators print QR codes.
"""

from __future__ import annotations

import hashlib
from typing import Any

from .kinds import KIND_OF_MODEL, all_kinds, attach_hooks, material_kinds
from .models import Post
from .resolve import Project

POSTS_PER_PAGE = 30
TAG_ENTRIES_PER_PAGE = 200


def chunks(items: list[Any], size: int) -> list[list[Any]]:
    return [items[start:start + size] for start in range(0, len(items), size)] or [[]]


def numbered_path(base: str, number: int) -> str:
    """Page 1 keeps the plain URL (bookmarks stay valid as a library grows)."""
    return f"{base}.md" if number == 1 else f"{base}-{number}.md"


def tag_slug(tag: str) -> str:
    return "tag-" + hashlib.sha1(tag.encode("utf-8")).hexdigest()[:8]


class Links:
    """Paths of every page and file; `known` answers whether a target is part of the build."""

    HOME = "index.md"
    LIBRARY = "library/index.md"
    REPLIES = "library/replies.md"
    STATS = "library/stats.md"
    TODAY = "today.md"
    CHANGES = "changes.md"
    INCIDENTS = "incidents.md"

    def __init__(self, project: Project) -> None:
        self.project = project
        self._post_pages: dict[str, str] = {}
        self.targets: set[str] = set()

    # --- pages of items, from the registry ---------------------------------------------

    def item(self, model: Any) -> str:
        """The page of any item with a page of its own: its kind's `url` hook, else `page`."""
        kind = KIND_OF_MODEL[type(model)]
        if kind.url is not None:
            return kind.url(self, model)
        assert kind.page is not None, f"{kind.name} has no page"
        index = self.project.indexes[kind.name]
        playbook = index.items[model.id].playbook if model.id in index else ""
        return kind.page.format(playbook=playbook, id=model.id)

    def of(self, kind_name: str, item_id: str) -> str:
        return self.item(self.project.indexes[kind_name][item_id].model)

    def post_entry(self, post: Post) -> str:
        """A post's place: its entry on its category's library page (the post kind's url hook)."""
        return self.post(post.id)

    def post(self, post_id: str) -> str:
        if not self._post_pages:
            for category in {post.category for post in self.project.of(Post).models()}:
                for number, posts in enumerate(library_chunks(self.project, category), start=1):
                    for post in posts:
                        self._post_pages[post.id] = self.category(category, number)
        return f"{self._post_pages[post_id]}#{post_id}"

    def material(self, content_id: str) -> str:
        """A lesson's material: a post, game, activity or reply."""
        for kind in material_kinds():
            if content_id in self.project.indexes[kind.name]:
                return self.of(kind.name, content_id)
        raise KeyError(content_id)

    def material_title(self, content_id: str) -> str:
        for kind in material_kinds():
            index = self.project.indexes[kind.name]
            if content_id in index:
                model = index[content_id].model
                return str(getattr(model, "title", None) or getattr(model, "name", content_id))
        return content_id

    # --- pages that belong to no single item --------------------------------------------

    @staticmethod
    def calendar_month(calendar_page: str, month: str) -> str:
        return calendar_page.replace("index.md", f"{month}.md")

    @staticmethod
    def category(category: str, number: int = 1) -> str:
        return numbered_path(f"library/{category}", number)

    @staticmethod
    def tag(tag: str, number: int = 1) -> str:
        return numbered_path(f"library/tags/{tag_slug(tag)}", number)

    # --- files outside the engine -------------------------------------------------------

    @staticmethod
    def pack(calendar_id: str, day_key: str | None = None) -> str:
        """Site-root-relative folder of a calendar's packs, or of one day's pack."""
        return f"packs/{calendar_id}/{day_key}/" if day_key else f"packs/{calendar_id}/"

    @staticmethod
    def pack_file(calendar_id: str, name: str) -> str:
        """A calendar-level file of the packs: calendar.ics, qr.png."""
        return f"packs/{calendar_id}/{name}"

    @staticmethod
    def group(group_id: str | None = None) -> str:
        """A roster group's link page, or (without an id) the operators' list of every group."""
        return f"packs/groups/{group_id}/" if group_id else "packs/groups/"

    @staticmethod
    def media(path: str) -> str:
        return f"assets/content/{path}"

    # --- the check ------------------------------------------------------------------------

    def known(self, target: str) -> bool:
        """Whether a link target is part of the build (filled in once every page is planned)."""
        path = target.partition("#")[0]
        return path in self.targets


def page_url(docs_path: str) -> str:
    """The site URL the engine gives a docs page (directory URLs): a/b.md -> a/b/."""
    path, _, anchor = docs_path.partition("#")
    url = path[: -len("index.md")] if path.endswith("index.md") else path[: -len(".md")] + "/"
    return f"{url}#{anchor}" if anchor else url


def library_chunks(project: Project, category: str) -> list[list[Post]]:
    posts = sorted((p for p in project.of(Post).models() if p.category == category), key=lambda p: p.id)
    return chunks(posts, POSTS_PER_PAGE)


attach_hooks("post", url=Links.post_entry)
assert all(kind.page or kind.url or kind.singleton for kind in all_kinds())
