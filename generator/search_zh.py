"""A small MkDocs plugin: finer Chinese segmentation for Material's search index.

Material's search plugin segments Chinese with `jieba.cut`, which keeps
dictionary compounds whole (发红包, 商品质量), so a search for 红包 or 质量 finds
nothing: lunr matches a query against the start of an indexed token. This
plugin gives this build's search index its own segmentation: a private jieba
tokenizer with a user dictionary built from the playbook's names and tags,
each compound split into the dictionary words inside it. The page text is
unchanged; only the index's word breaks (zero-width spaces) differ.

Nothing process-wide is touched: the tokenizer is this plugin's own, and only
this build's search index instance gets the segmentation (no module patch).
"""

from __future__ import annotations

import functools
import json
import logging
import operator
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jieba
from mkdocs.config import config_options
from mkdocs.config.base import Config
from mkdocs.plugins import BasePlugin

from . import search_index

HAN = re.compile(r"[\u3400-\u9fff]+")
logging.getLogger("jieba").setLevel(logging.ERROR)  # dictionary loading chatter on stderr


class FineSegmenter:
    """jieba accurate mode, each compound split into the dictionary words it contains."""

    def __init__(self, user_dict: str | None = None) -> None:
        self.tokenizer = jieba.Tokenizer()
        if user_dict and os.path.exists(user_dict):
            self.tokenizer.load_userdict(user_dict)

    def cut(self, text: str) -> Iterator[str]:
        for word in self.tokenizer.cut(text):
            yield from self.split_compound(word)

    def split_compound(self, word: str) -> list[str]:
        """Best segmentation of `word` that does not keep `word` itself whole."""
        if len(word) < 3 or not all("\u4e00" <= char <= "\u9fff" for char in word):
            return [word]
        tokenizer = self.tokenizer
        tokenizer.check_initialized()
        dag = tokenizer.get_DAG(word)
        dag[0] = [end for end in dag[0] if end != len(word) - 1] or [0]
        route: dict[int, tuple[float, int]] = {}
        tokenizer.calc(word, dag, route)
        parts: list[str] = []
        start = 0
        while start < len(word):
            end = route[start][1] + 1
            parts.append(word[start:end])
            start = end
        return parts

    def segment(self, data: str) -> str:
        """What the search index stores: Han runs cut into words by zero-width spaces."""
        return HAN.sub(lambda run: "\u200b" + "\u200b".join(self.cut(run.group(0))) + "\u200b",
                       data).strip("\u200b")


def user_dictionary(path: str) -> tuple[str | None, bytes]:
    """The user dictionary's path and content (what a segmenter depends on)."""
    if not path or not os.path.exists(path):
        return None, b""
    with open(path, "rb") as handle:
        return path, handle.read()


@functools.lru_cache(maxsize=1)
def segmenter_for(path: str | None, _content: bytes) -> FineSegmenter:
    """One segmenter per dictionary content: loading jieba's dictionary takes half a second,
    which a rebuild under `qunsop serve` with the same words need not pay again."""
    return FineSegmenter(path)


class ChineseSearchConfig(Config):  # type: ignore[no-untyped-call]
    user_dict = config_options.Type(str, default="")


class ChineseSearchPlugin(BasePlugin[ChineseSearchConfig]):  # type: ignore[no-untyped-call]
    incremental: Any = None  # engine.Incremental, set by engine.py for an incremental build
    store: Any = None  # search_index.ByteStore keeping word counts between builds, or None

    def on_config(self, config: Any) -> Any:
        search = config.plugins.get("material/search") or config.plugins.get("search")
        index = getattr(search, "search_index", None)
        if hasattr(search, "search_index_prev"):
            # the theme's search keeps its last index in a plugin instance the engine shares
            # across builds of one process (serve, tests) and merges it into the next dirty
            # build, even of another project: qunsop merges the published index itself
            search.search_index_prev = None
        if index is not None:
            segmenter = segmenter_for(*user_dictionary(self.config.user_dict))
            index._segment_chinese = segmenter.segment  # this build's index instance only
        self.order: list[str] = []
        self.rendered: set[str] = set()
        return config

    def on_files(self, files: Any, *, config: Any) -> Any:
        self.order = [index_location(file.url) for file in files.documentation_pages()]
        if self.incremental is not None:
            # the engine's dirty build renders a file when `is_modified()`; qunsop knows
            # which docs changed, so the answer does not depend on what site_dir holds
            changed = self.incremental.changed_docs
            for file in files:
                file.is_modified = functools.partial(operator.contains, changed, file.src_uri)
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
        if self.incremental is not None:
            docs = merged_entries(docs, search_index.read_entries(self.incremental.previous_index),
                                  self.rendered, self.order)
        previous = self.incremental.previous_index if self.incremental is not None else None
        search_index.write_index(folder, [search_index.Entry.of(doc) for doc in docs],
                                 data["config"], self.store, previous)


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
