"""The search index as a reader's browser fetches it: a manifest, term shards, text chunks.

The theme's search downloads every page's text and builds a lunr index in the browser
before the first result (12.9 MB and about 2 s at size L). qunsop writes the index
already scored and split instead; the search worker (site_templates/search/worker.js.j2)
fetches, for one query, the manifest (vocabulary, titles), the shards holding the
query's words and the text chunks of the best results only.

The words are counted here from the same tokens as the theme's lunr index; the worker
scores them as lunr does (BM25 with k1 = 1.2 and b = 0, field and page boosts, three
decimals), so results rank as they did with the theme's own search.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import struct
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import msgspec

from .cache import ByteStore

FIELDS = ("title", "text")  # the theme's fields that qunsop's pages fill (no tags)
SHARD_BYTES = 48 * 1024  # aimed size of one term shard
CHUNK_BYTES = 16 * 1024  # aimed size of one text chunk
MANIFEST = "manifest.json"
INDEX = "search_index.json"  # the theme fetches this one and hands it to the worker
TAG_EDGE = re.compile(r"[<>]")


@dataclass(frozen=True)
class Entry:
    """One search entry: a page (location without #) or a section of it."""

    location: str
    title: str
    text: str
    boost: float

    @classmethod
    def of(cls, data: dict[str, Any]) -> Entry:
        return cls(str(data["location"]), str(data.get("title", "")), str(data.get("text", "")),
                   float(data.get("boost") or 1))

    @property
    def boost_value(self) -> int | float:
        """The boost as the theme writes it (2, not 2.0)."""
        return int(self.boost) if self.boost == int(self.boost) else self.boost

    def as_list(self) -> list[Any]:
        return [self.location, self.title, self.text, self.boost_value]


def text_ranges(html: str) -> Iterator[tuple[int, int]]:
    """The text between tags, cut exactly as the theme's search does (its `extract`)."""
    start = 0
    for edge in TAG_EDGE.finditer(html):
        end = edge.start()
        if html[end] == "<":
            if end > start:
                yield start, end
                start = end
        else:
            start = end + 1
    if len(html) > start:
        yield start, len(html)


def tokens(html: str, separator: re.Pattern[str]) -> list[str]:
    """The lowercased words of a field, as the theme's tokenizer produces them."""
    words: list[str] = []
    for start, end in text_ranges(html):
        words += separator.split(html[start:end].lower())  # separators are not letters
    return [word for word in words if word]


def shard_of(term: str, shards: int) -> int:
    """FNV-1a over UTF-16 code units: the worker computes the same number in JavaScript."""
    value = 0x811C9DC5
    encoded = term.encode("utf-16-le")
    for unit in struct.unpack(f"<{len(encoded) // 2}H", encoded):
        value = ((value ^ unit) * 0x01000193) & 0xFFFFFFFF
    return value % shards


def utf16_order(term: str) -> bytes:
    """JavaScript compares strings by UTF-16 code units; the worker searches this order."""
    return term.encode("utf-16-be")


Counts = list[dict[str, int]]  # an entry's word counts, per field


class CountCache:
    """Word counts of entries by their title and text, kept between builds: a rebuild
    after one edit tokenizes the few entries that changed."""

    RECORD = "search-counts.msgpack"

    def __init__(self, store: ByteStore | None) -> None:
        self.store = store
        self.known: dict[bytes, Counts] = {}
        self.used: dict[bytes, Counts] = {}
        body = store.read_bytes(self.RECORD) if store is not None else None
        if body:
            try:
                self.known = msgspec.msgpack.decode(body, type=dict[bytes, Counts])
            except (msgspec.DecodeError, msgspec.ValidationError):
                self.known = {}  # from another version: counted again

    def counts(self, entry: Entry, separator: re.Pattern[str]) -> Counts:
        key = hashlib.blake2b(f"{entry.title}\0{entry.text}".encode(), digest_size=16).digest()
        found = self.known.get(key)
        if found is None:
            found = [dict(Counter(tokens(getattr(entry, field), separator))) for field in FIELDS]
        self.used[key] = found
        return found

    def save(self) -> None:
        if self.store is not None and self.used != self.known:
            self.store.write_bytes(self.RECORD, msgspec.msgpack.encode(self.used))


def postings(entries: Sequence[Entry], separator: re.Pattern[str],
             cache: CountCache) -> dict[str, list[list[int]]]:
    """term -> per field, [entry, count, entry, count, …] in entry order. The worker scores
    them as lunr does; an entry's counts do not change when another entry's do, so an
    edit changes only the shards of the words it touches."""
    table: dict[str, list[list[int]]] = {}
    for number, entry in enumerate(entries):
        for slot, counts in enumerate(cache.counts(entry, separator)):
            for term, frequency in counts.items():
                lists = table.get(term)
                if lists is None:
                    lists = table[term] = [[] for _ in FIELDS]
                lists[slot] += (number, frequency)
    return table


def chunks(entries: Sequence[Entry]) -> list[int]:
    """Where each text chunk starts; a page and its sections stay in one chunk."""
    starts: list[int] = [0]
    size = 0
    for number, entry in enumerate(entries):
        if size >= CHUNK_BYTES and "#" not in entry.location and number > starts[-1]:
            starts.append(number)
            size = 0
        size += len(entry.text.encode()) + len(entry.title.encode()) + len(entry.location)
    return starts if entries else []


def titles(entries: Sequence[Entry]) -> dict[str, Any]:
    """Every entry's page and title, compact (each result needs its title; at size L the
    locations written out and the titles' word breaks were half the manifest): pages
    listed once, an entry as [page, title] or [page, title, anchor], titles without the
    zero-width spaces that mark word breaks for the index."""
    pages: dict[str, int] = {}
    docs: list[list[Any]] = []
    for entry in entries:
        page, hash_mark, anchor = entry.location.partition("#")
        number = pages.setdefault(page, len(pages))
        title = entry.title.replace("\u200b", "")
        docs.append([number, title, anchor] if hash_mark else [number, title])
    return {"pages": list(pages), "docs": docs}


def dumps(data: Any) -> bytes:
    return msgspec.json.encode(data)  # compact UTF-8 JSON, 3.3× json.dumps' speed (index at M)


def index_files(entries: Sequence[Entry], config: dict[str, Any],
                cache: CountCache | None = None, inline: bool = False) -> dict[str, bytes]:
    """Every file of the search folder, by name, for these entries and the theme's config.

    `inline` puts every file into the index the theme loads too: a site opened from the
    file system (the theme's offline plugin) cannot fetch them, only load that one.
    """
    separator = re.compile(config["separator"])
    table = postings(entries, separator, cache or CountCache(None))
    size = sum(len(term.encode()) + 8 * sum(len(lists) for lists in table[term]) for term in table)
    # a power of two: a small edit seldom changes the count (which would move every term)
    shards = 1 << max(0, math.ceil(math.log2(max(1.0, size / SHARD_BYTES))))
    sharded: list[dict[str, list[list[int]]]] = [{} for _ in range(shards)]
    for term in sorted(table):
        sharded[shard_of(term, shards)][term] = table[term]
    starts = chunks(entries)
    files = {f"t{number}.json": dumps(shard) for number, shard in enumerate(sharded)}
    for number, start in enumerate(starts):
        end = starts[number + 1] if number + 1 < len(starts) else len(entries)
        files[f"d{number}.json"] = dumps([entry.as_list() for entry in entries[start:end]])
    files[MANIFEST] = dumps({"terms": sorted(table, key=utf16_order), **titles(entries),
                             "boosts": [entry.boost_value for entry in entries],
                             "chunks": starts, "shards": shards})
    version = hashlib.sha256(b"".join(hashlib.sha256(files[name]).digest()
                                      for name in sorted(files))).hexdigest()[:16]
    # the theme passes only `config` and `docs` on to the worker: what the worker needs
    # to find the files rides in `config`
    qunsop: dict[str, Any] = {"version": version, "fields": list(FIELDS)}
    if inline:
        qunsop["inline"] = {name: msgspec.json.decode(data) for name, data in files.items()}
    stub = {"config": {**config, "qunsop": qunsop}, "docs": []}
    files[INDEX] = dumps(stub)
    return files


def write_index(folder: Path, entries: Sequence[Entry], config: dict[str, Any],
                counts: ByteStore | None = None, previous: Path | None = None,
                inline: bool = False) -> None:
    """Replace the search folder's index files with those of `entries`; `counts`
    keeps word counts for the next build. A file whose bytes the `previous`
    index folder holds already is not written (an incremental build publishes the files
    written; `index_names` says which files the index has)."""
    cache = CountCache(counts)
    files = index_files(entries, config, cache, inline)
    cache.save()
    for stale in folder.glob("[td]*.json"):
        if stale.name not in files:
            stale.unlink()
    for name, data in files.items():
        path = folder / name
        if path.exists():
            os.unlink(path)
        old = previous / name if previous is not None else None
        if old is not None and old.is_file() and not old.is_symlink() \
                and old.stat().st_size == len(data) and old.read_bytes() == data:
            continue
        path.write_bytes(data)


def index_names(folder: Path) -> set[str]:
    """The names of the files an index folder's manifest counts on."""
    manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    return {MANIFEST, INDEX, *(f"t{number}.json" for number in range(manifest["shards"])),
            *(f"d{number}.json" for number in range(len(manifest["chunks"])))}


def read_entries(folder: Path) -> list[dict[str, Any]]:
    """The entries a published index holds (its text chunks, in order)."""
    manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    entries: list[dict[str, Any]] = []
    for number in range(len(manifest["chunks"])):
        for location, title, text, boost in json.loads((folder / f"d{number}.json").read_text(
                encoding="utf-8")):
            entry: dict[str, Any] = {"location": location, "title": title, "text": text}
            if boost != 1:
                entry["boost"] = boost
            entries.append(entry)
    return entries
