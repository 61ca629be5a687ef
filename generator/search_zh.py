"""A small MkDocs plugin: finer Chinese segmentation for material's search index.

Material's search plugin segments Chinese with `jieba.cut`, which keeps
dictionary compounds whole (发红包, 商品质量), so a search for 红包 or 质量 finds
nothing: lunr matches a query against the start of an indexed token. This
plugin loads a user dictionary built from the playbook's own names and tags,
and splits each compound into the dictionary words inside it, so every part
is its own token. The page text is unchanged; only the index's word breaks
(zero-width spaces) differ.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import jieba
from mkdocs.config import config_options
from mkdocs.config.base import Config
from mkdocs.plugins import BasePlugin

jieba.setLogLevel(60)  # jieba prints its dictionary loading to stderr otherwise


def fine_cut(text: str | bytes, *args: Any, **kwargs: Any) -> Iterator[str]:
    """Accurate-mode words, each compound split into the dictionary words it contains."""
    if isinstance(text, bytes):
        text = text.decode("utf-8")
    for word in jieba.cut(text):
        yield from split_compound(word)


def split_compound(word: str) -> list[str]:
    """Best jieba segmentation of `word` that does not keep `word` itself whole."""
    if len(word) < 3 or not all("\u4e00" <= char <= "\u9fff" for char in word):
        return [word]
    tokenizer = jieba.dt
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


class ChineseSearchConfig(Config):
    user_dict = config_options.Type(str, default="search-words.txt")


class ChineseSearchPlugin(BasePlugin[ChineseSearchConfig]):
    def on_config(self, config: Any) -> Any:
        user_dict = self.config.user_dict
        if user_dict:
            path = os.path.join(os.path.dirname(config.config_file_path), user_dict)
            if os.path.exists(path):
                jieba.load_userdict(path)
        from material.plugins.search import plugin as material_search

        material_search.jieba = SimpleNamespace(cut=fine_cut)
        return config

    def on_post_build(self, *, config: Any) -> None:
        """Write the word breaks as raw UTF-8: the escaped form is twice the size."""
        index = os.path.join(config.site_dir, "search", "search_index.json")
        if os.path.exists(index):
            with open(index, encoding="utf-8") as handle:
                data = json.load(handle)
            with open(index, "w", encoding="utf-8") as handle:
                json.dump(data, handle, ensure_ascii=False, separators=(",", ":"))
