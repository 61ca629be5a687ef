"""Chinese word breaks for the search index: jieba, finer than the theme's.

jieba's accurate mode keeps dictionary compounds whole (发红包, 商品质量), so a search
for 红包 or 质量 would find nothing: a query matches the start of an indexed word. Each
compound is split into the dictionary words inside it, with a user dictionary of the
playbook's names and tags. Loading jieba's dictionary takes 0.7 s, so a build cuts the
Chinese of the pages it renders in a worker process while the engine renders them
(`segment_runs`), and looks the results up (`Segments`).
"""

from __future__ import annotations

import functools
import importlib.metadata
import logging
import os
import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from .cache import ByteStore, code_version, digest, read_record, write_record

HAN = re.compile(r"[\u3400-\u9fff]+")


class FineSegmenter:
    """jieba accurate mode, each compound split into the dictionary words it contains."""

    def __init__(self, user_dict: str | None = None) -> None:
        import jieba  # imported when a segmenter is made: every command would pay 55 ms

        self.tokenizer: Any = jieba.Tokenizer()
        words, total = base_dictionary()
        # a copy (20 ms): the user dictionary adds to it, and the next segmenter starts clean
        self.tokenizer.FREQ, self.tokenizer.total = dict(words), total
        self.tokenizer.initialized = True
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


@functools.cache
def base_dictionary() -> tuple[dict[str, int], int]:
    """jieba's own dictionary, its words and their total count: reading it takes 0.7 s, once a
    process. A process that has read it hands it to the build workers it starts (they are
    forked), so a process running build after build (serve, the tests) reads it once."""
    import jieba

    logging.getLogger("jieba").setLevel(logging.ERROR)  # dictionary loading chatter on stderr
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    return tokenizer.FREQ, tokenizer.total


def user_dictionary(path: str) -> tuple[str | None, bytes]:
    """The user dictionary's path and content (what a segmenter depends on)."""
    if not path or not os.path.exists(path):
        return None, b""
    with open(path, "rb") as handle:
        return path, handle.read()


@functools.lru_cache(maxsize=1)
def segmenter_for(path: str | None, _content: bytes) -> FineSegmenter:
    """One segmenter per dictionary content in a process (the words worker's, or this one
    for the runs the worker did not cut)."""
    return FineSegmenter(path)


# what joins two runs of a page's Markdown in the text the search index keeps: inline
# markup (**粗体**, [链接](url), `代码`, tags) and escapes are dropped from that text
INLINE_MARKUP = re.compile(r"\]\([^)\n]*\)|<[^>\n]*>|[*_~`\[\]\\]")


def han_runs(markdown: Iterable[str]) -> list[str]:
    """The runs of Chinese characters a page's search entries will hold, each once: those of
    its Markdown as written and with inline markup removed (a run the build did not
    foresee is cut when it is met, with the same result)."""
    runs: set[str] = set()
    for text in markdown:
        runs.update(HAN.findall(text))
        runs.update(HAN.findall(INLINE_MARKUP.sub("", text)))
    return sorted(runs)


def segment_runs(user_dict: str, runs: list[str]) -> dict[str, str]:
    """Each run cut into words as the index stores them (in a worker process, see build.BESIDE)."""
    if not runs:
        return {}
    segmenter = segmenter_for(*user_dictionary(user_dict))
    return {run: "\u200b".join(segmenter.cut(run)) for run in runs}


WORD_BREAKS = "word-breaks.json"
MAX_KEPT_RUNS = 100_000  # about 6 MB; a size M project has under 10,000 runs


def breaks_key(user_dict: str) -> str:
    """What a run's word breaks depend on: the user dictionary, jieba and qunsop."""
    return digest(b"\0".join([user_dictionary(user_dict)[1], code_version().encode(),
                               importlib.metadata.version("jieba").encode()]))


def kept_breaks(store: ByteStore | None, key: str) -> dict[str, str]:
    """The runs earlier builds cut with the same dictionary: an edit's pages are cut without
    loading jieba's dictionary (0.7 s). A record can only move word breaks: an entry
    whose text is not its run's, breaks aside, is left out."""
    record = read_record(store, WORD_BREAKS)
    runs = record.get("runs") if isinstance(record, dict) and record.get("key") == key else None
    if not isinstance(runs, dict):
        return {}
    return {run: cut for run, cut in runs.items()
            if isinstance(cut, str) and cut.replace("\u200b", "") == run}


def keep_breaks(store: ByteStore | None, key: str, known: dict[str, str], new: dict[str, str]) -> None:
    """Add this build's runs to the record (a record grown past MAX_KEPT_RUNS starts over)."""
    if new:
        runs = {**known, **new} if len(known) + len(new) <= MAX_KEPT_RUNS else new
        write_record(store, WORD_BREAKS, {"key": key, "runs": dict(sorted(runs.items()))})


class Segments:
    """Word breaks for the index: runs cut beforehand when given (`ready` waits for them),
    any other run cut here with the same dictionary."""

    def __init__(self, user_dict: str, ready: Callable[[], dict[str, str]] | None = None) -> None:
        self.user_dict = user_dict
        self.ready = ready
        self.known: dict[str, str] | None = None
        self.segmenter: FineSegmenter | None = None

    def segment(self, data: str) -> str:
        """What the search index stores: Han runs cut into words by zero-width spaces."""
        if self.known is None:
            self.known = self._prepared()
        known = self.known
        return HAN.sub(lambda run: "\u200b" + (known.get(run.group(0)) or self._cut(run.group(0)))
                       + "\u200b", data).strip("\u200b")

    def _prepared(self) -> dict[str, str]:
        if self.ready is None:
            return {}
        try:
            return self.ready()
        except Exception:
            return {}

    def _cut(self, run: str) -> str:
        if self.segmenter is None:  # the dictionary file is read once, at the first miss
            self.segmenter = segmenter_for(*user_dictionary(self.user_dict))
        return "\u200b".join(self.segmenter.cut(run))
