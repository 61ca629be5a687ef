"""A small MkDocs plugin: qunsop's search index in place of the theme's.

The theme's search plugin collects each page's sections; this plugin cuts their Chinese
into words (segment.py: finer than the theme's jieba.cut, so 质量 finds 商品质量), and
writes the index as search_index.py lays it out. The page text is unchanged; only the
index's word breaks (zero-width spaces) differ.

No module is patched: only this build's objects are changed, through engine_hooks.py. Its
search index leaves segmentation to this plugin; its theme lists its files without walking
the icon folders (every build) and takes the templates an earlier build of the process
compiled (`CompiledTemplates`, the one thing kept between builds, in memory).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from jinja2 import BytecodeCache
from jinja2.bccache import Bucket
from mkdocs.config import config_options
from mkdocs.config.base import Config
from mkdocs.plugins import BasePlugin

from . import search_index
from .engine_hooks import (
    forget_previous_search_index,
    leave_chinese_unsplit,
    list_theme_files_without_dot_folders,
    render_only,
)
from .segment import Segments


class ChineseSearchConfig(Config):  # type: ignore[no-untyped-call]
    user_dict = config_options.Type(str, default="")


class ChineseSearchPlugin(BasePlugin[ChineseSearchConfig]):  # type: ignore[no-untyped-call]
    incremental: Any = None  # engine.Incremental, set by engine.py for an incremental build
    store: Any = None  # search_index.ByteStore keeping word counts between builds, or None
    segments: Segments | None = None  # word breaks prepared by the build, set by engine.py

    def on_config(self, config: Any) -> Any:
        search = config.plugins.get("material/search") or config.plugins.get("search")
        index = getattr(search, "search_index", None)
        if search is not None:
            forget_previous_search_index(search)
        if index is not None:
            leave_chinese_unsplit(index)
        list_theme_files_without_dot_folders(config.theme)
        self.order: list[str] = []
        self.rendered: set[str] = set()
        return config

    def on_env(self, env: Any, *, config: Any, files: Any) -> Any:
        env.bytecode_cache = THEME_CODE
        return env

    def on_files(self, files: Any, *, config: Any) -> Any:
        self.order = [index_location(file.url) for file in files.documentation_pages()]
        if self.incremental is not None:
            render_only(files, self.incremental.changed_docs)
        return files

    def on_page_context(self, context: Any, *, page: Any, config: Any, nav: Any) -> Any:
        self.rendered.add(index_location(page.url))
        return context

    def on_post_build(self, *, config: Any) -> None:
        """Replace the theme's index (every page's text, which the reader's browser would
        index before the first result) by qunsop's scored shards; after an incremental
        build, with the previous entries of every page not rendered again."""
        folder = Path(config.site_dir, "search")
        index = folder / search_index.INDEX
        if not index.exists():
            return
        with index.open(encoding="utf-8") as handle:
            data = json.load(handle)
        docs: list[dict[str, Any]] = data["docs"]
        segments = self.segments or Segments(self.config.user_dict)
        for doc in docs:  # this build's entries; the previous ones are cut already
            doc["title"] = segments.segment(doc["title"])
            doc["text"] = segments.segment(doc["text"])
        if self.incremental is not None:
            docs = merged_entries(docs, search_index.read_entries(self.incremental.previous_index),
                                  self.rendered, self.order)
        previous = self.incremental.previous_index if self.incremental is not None else None
        offline = config.plugins.get("material/offline") or config.plugins.get("offline")
        search_index.write_index(folder, [search_index.Entry.of(doc) for doc in docs],
                                 data["config"], self.store, previous,
                                 inline=bool(offline and offline.config.enabled))


class CompiledTemplates(BytecodeCache):
    """The theme's templates as compiled by an earlier build of this process (serve, the tests):
    the engine makes a new template environment each build, which would compile its 59
    templates again (0.2 s of a warm example build). Kept in memory only; Jinja compiles a
    template again when its source no longer matches the code's checksum."""

    def __init__(self) -> None:
        self.code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        code = self.code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self.code[bucket.key] = bucket.bytecode_to_string()


THEME_CODE = CompiledTemplates()


def index_location(url: str) -> str:
    """A page's location as the search index writes it (the home page is "", not "./")."""
    return "" if url in ("./", ".") else url


def page_of(entry: dict[str, Any]) -> str:
    return str(entry["location"]).partition("#")[0]


def merged_entries(fresh: list[dict[str, Any]], previous: list[dict[str, Any]], rendered: set[str],
                   order: list[str]) -> list[dict[str, Any]]:
    """Entries of rendered pages from this build, the others' from the previous index, in the
    order a full build writes them (the order of the documentation pages)."""
    by_page: dict[str, list[dict[str, Any]]] = {}
    for entry in previous:
        if page_of(entry) not in rendered:
            by_page.setdefault(page_of(entry), []).append(entry)
    for entry in fresh:
        by_page.setdefault(page_of(entry), []).append(entry)
    return [entry for url in order for entry in by_page.get(url, [])]
