"""The search index qunsop writes: lunr's scores, split into files a query fetches a few of."""

from __future__ import annotations

import json
import re
from pathlib import Path

from qunsop.search_index import (
    INDEX,
    MANIFEST,
    Entry,
    index_files,
    read_entries,
    shard_of,
    text_ranges,
    write_index,
)

CONFIG = {"lang": ["zh"], "separator": "[\\s\\u200b\\-，。]+", "pipeline": [],
          "fields": {"title": {"boost": 1000}, "text": {"boost": 1}, "tags": {"boost": 1000000}}}


def entries() -> list[Entry]:
    return [Entry("a/", "红包\u200b暖场", "<p>发\u200b红包\u200b。</p>", 2),
            Entry("a/#rules", "规则", "<p>每人\u200b一个\u200b红包</p>", 2),
            Entry("b/", "投诉", "<p>商品\u200b质量</p>", 1)]


def test_text_between_tags_is_cut_as_the_theme_cuts_it() -> None:
    html = "<p>甲<b>乙</b></p>丙<br/>丁"
    assert [html[start:end] for start, end in text_ranges(html)] == ["甲", "乙", "丙", "丁"]


def test_words_are_counted_as_the_theme_counts_them() -> None:
    files = index_files(entries(), CONFIG)
    manifest = json.loads(files[MANIFEST])
    shard = json.loads(files[f"t{shard_of('质量', manifest['shards'])}.json"])
    assert shard["质量"] == [[], [2, 1]]  # per field: [entry, count, …]
    shard = json.loads(files[f"t{shard_of('红包', manifest['shards'])}.json"])
    assert shard["红包"] == [[0, 1], [0, 1, 1, 1]]
    assert manifest["boosts"] == [2, 2, 1]  # the worker scores with the pages' boosts


def test_the_manifest_names_pages_once_and_titles_without_word_breaks() -> None:
    manifest = json.loads(index_files(entries(), CONFIG)[MANIFEST])
    assert manifest["pages"] == ["a/", "b/"]
    assert manifest["docs"] == [[0, "红包暖场"], [0, "规则", "rules"], [1, "投诉"]]
    assert "质量" in manifest["terms"] and "红包" in manifest["terms"]
    stub = json.loads(index_files(entries(), CONFIG)[INDEX])
    assert stub["docs"] == [] and stub["config"]["qunsop"]["version"]


def test_the_index_reads_back_and_is_deterministic(tmp_path: Path) -> None:
    write_index(tmp_path, entries(), CONFIG)
    first = {path.name: path.read_bytes() for path in tmp_path.iterdir()}
    assert [Entry.of(entry) for entry in read_entries(tmp_path)] == entries()
    (tmp_path / "t999.json").write_text("{}", encoding="utf-8")  # left by a larger index
    write_index(tmp_path, entries(), CONFIG)
    assert {path.name: path.read_bytes() for path in tmp_path.iterdir()} == first


def test_shards_are_what_the_worker_computes() -> None:
    worker = (Path(__file__).parents[1] / "site_templates/search/worker.js.j2").read_text(encoding="utf-8")
    assert re.search(r"hash = 0x811c9dc5;.*Math\.imul\(hash \^ term\.charCodeAt\(i\), 0x01000193\)",
                     worker, re.S)
    # FNV-1a over UTF-16 units, as computed by hand for "a" (0x61) and one astral character
    assert shard_of("a", 1 << 32) == ((0x811C9DC5 ^ 0x61) * 0x01000193) & 0xFFFFFFFF
    # an astral character is two UTF-16 units, as JavaScript's charCodeAt sees it
    value = 0x811C9DC5
    for unit in (0xD83D, 0xDE9B):
        value = ((value ^ unit) * 0x01000193) & 0xFFFFFFFF
    assert shard_of("\U0001F69B", 1 << 32) == value


def test_word_breaks_cut_beforehand_equal_those_cut_on_the_spot(tmp_path: Path) -> None:
    from qunsop.segment import Segments, han_runs, segment_runs

    words = tmp_path / "words.txt"
    words.write_text("发红包 2000\n", encoding="utf-8")
    text = "<p>群里发红包，商品质量好</p><h2>红包</h2>"
    on_the_spot = Segments(str(words)).segment(text)
    assert "\u200b红包" in on_the_spot and "\u200b质量" in on_the_spot  # compounds split
    beforehand = Segments(str(words), lambda: segment_runs(str(words), han_runs([text])))
    assert beforehand.segment(text) == on_the_spot

    def failed() -> dict[str, str]:
        raise RuntimeError("the second process died")

    assert Segments(str(words), failed).segment(text) == on_the_spot  # cut here instead
    assert Segments(str(words), lambda: {"红包": "红\u200b包"}).segment("红包") == "红\u200b包"
    # the index's text drops inline markup, joining runs the Markdown keeps apart
    markdown = "门店老板每天打开**推送包**，点[这里](https://x.cn/a)复制。"
    assert {"门店老板每天打开推送包", "点这里复制"} <= set(han_runs([markdown]))


def test_an_index_for_the_file_system_carries_every_file() -> None:
    files = index_files(entries(), CONFIG, inline=True)
    inline = json.loads(files[INDEX])["config"]["qunsop"]["inline"]
    assert set(inline) == set(files) - {INDEX}
    assert inline[MANIFEST] == json.loads(files[MANIFEST])
    assert "inline" not in json.loads(index_files(entries(), CONFIG)[INDEX])["config"]["qunsop"]


def test_a_user_dictionary_stays_with_its_own_segmenter(tmp_path: Path) -> None:
    from qunsop.segment import FineSegmenter, base_dictionary

    words = tmp_path / "words.txt"
    words.write_text("胎压快检 90000\n", encoding="utf-8")
    assert "胎压快检" in list(FineSegmenter(str(words)).tokenizer.cut("做胎压快检"))
    # jieba's dictionary, read once a process, is copied into each segmenter, never added to
    assert "胎压快检" not in base_dictionary()[0]
    assert "胎压快检" not in list(FineSegmenter().tokenizer.cut("做胎压快检"))
