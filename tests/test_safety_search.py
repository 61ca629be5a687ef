"""The search worker as hostile input meets it: entries of any length, queries of any shape.

The worker (site_templates/search/worker.js.j2) runs in Node exactly as the browser runs
it, answering the theme's messages from an index that qunsop's own code writes; what it
returns is what the theme inserts with innerHTML.
"""

from __future__ import annotations

import json
import random
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from qunsop.build import search_worker
from qunsop.engine import REQUIRED_PLUGINS
from qunsop.search_index import INDEX, Entry, index_files
from qunsop.settings import SearchSettings

HARNESS = Path(__file__).parent / "js" / "run_worker.js"
CONFIG = {"lang": ["zh"], "separator": REQUIRED_PLUGINS["search"]["separator"], "pipeline": [],
          "fields": {"title": {"boost": 1000}, "text": {"boost": 1}, "tags": {"boost": 1000000}}}
KEPT = {"p", "code", "pre", "li", "ol", "ul", "sub", "sup", "mark"}
ATTACK = "&lt;img src=x onerror=alert(1)&gt;"  # as the theme's index holds "<img …>" text
BUDGET_MS = 200


def run_worker(tmp_path: Path, entries: list[Entry], queries: list[str]) -> list[dict[str, Any]]:
    node = shutil.which("node")
    if node is None:
        pytest.fail("Node.js is required for the search worker's tests (apt-get install nodejs)")
    worker = search_worker(SearchSettings(synonyms=[["退群", "退出"]]))
    (tmp_path / "worker.js").write_text(worker, encoding="utf-8")
    (tmp_path / "index.json").write_bytes(index_files(entries, CONFIG, inline=True)[INDEX])
    done = subprocess.run([node, str(HARNESS), str(tmp_path / "worker.js"),
                           str(tmp_path / "index.json")], input=json.dumps(queries),
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    answers: list[dict[str, Any]] = json.loads(done.stdout)
    return answers


class Shape(HTMLParser):
    """Tags, attributes, marked words and text of result HTML, as a browser parses it."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.marks: list[str] = []
        self.text: list[str] = []
        self.in_mark = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))
        if tag == "mark":
            self.in_mark = True
            self.marks.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "mark":
            self.in_mark = False

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self.in_mark:
            self.marks[-1] += data


def shape(html: str) -> Shape:
    parsed = Shape()
    parsed.feed(html)
    parsed.close()
    return parsed


def assert_built(html: str, word: str | None = None) -> Shape:
    parsed = shape(html)
    for tag, attrs in parsed.tags:
        assert tag in KEPT and not attrs, (tag, attrs, html[:300])
    if word is not None:
        assert parsed.marks and all(mark.lower() == word for mark in parsed.marks), parsed.marks[:5]
    return parsed


@pytest.mark.parametrize("length", [(1 << 20) - 9, (1 << 20) - 1, 1 << 20, (1 << 20) + 5,
                                    (1 << 21) + 3, (1 << 22) + 1])
def test_long_entries_are_highlighted_by_building(tmp_path: Path, length: int) -> None:
    """Entries around 2^20 characters and beyond: every mark holds the word, every tag is
    one the index keeps, and hostile text stays text."""
    filler = "填" * length
    text = (f"<p>{filler}</p><ul><li>{ATTACK} 红包 在这里</li><li>红包</li></ul>"
            f"<p>另一段 {ATTACK}<code>红包</code></p>")
    entries = [Entry("a/", "红包 说明", text, 1),
               Entry("b/", "其他", f"<p>{ATTACK} 红包</p>", 1)]
    answers = run_worker(tmp_path, entries, ["红包"])
    items = [item for group in answers[0]["result"]["items"] for item in group]
    assert {item["location"] for item in items} == {"a/", "b/"}
    for item in items:
        assert_built(item["title"], "红包" if item["location"] == "a/" else None)
        parsed = assert_built(item["text"], "红包")
        assert "<img src=x onerror=alert(1)>" in "".join(parsed.text)
    long = next(item for item in items if item["location"] == "a/")
    assert filler not in long["text"]  # only the blocks with a word found, as the theme shows


def random_query(rng: random.Random) -> str:
    pieces = ["红包", "暖场", " ", "  ", "\"", "+", "-", "*", "~2", "^3", ":", "title:", "退群",
              "a", "Z", "<", ">", "&", "&amp;", "\u200b", "怎么办", "\t", "'", "\\", "(", "[", "é"]
    return "".join(rng.choice(pieces) for _ in range(rng.randint(0, 40)))


def test_queries_of_any_shape_answer_in_time_with_built_html(tmp_path: Path) -> None:
    entries = [Entry("a/", f"红包 暖场 {ATTACK}", f"<p>发 红包 暖场 {ATTACK}</p><pre>a &amp; b</pre>", 1),
               Entry("a/#x", "规则 &amp; 退群", "<ol><li>每人 一个 红包</li></ol>", 1),
               Entry("b/", "投诉", "<p>商品 质量 <sub>退出</sub></p>", 1)]
    rng = random.Random(25)
    huge = 100_000
    queries = [random_query(rng) for _ in range(150)] + [
        " " * huge, "红" * huge, "红包 " * (huge // 3), "\"" * huge, "+" * huge, "*" * huge,
        "-a " * (huge // 3), "\"红包 " * (huge // 4), "a" * huge, "~" * huge, "*a" * (huge // 2),
        "title:" * (huge // 6), " +" * (huge // 2), "红包" + " " * huge + "x",
    ]
    answers = run_worker(tmp_path, entries, queries)
    slow = [(query[:20], answer["millis"]) for query, answer in zip(queries, answers, strict=True)
            if answer["millis"] > BUDGET_MS]
    assert not slow
    for answer in answers:
        for group in answer["result"]["items"]:
            for item in group:
                assert_built(item["title"])
                assert_built(item["text"])
    first = answers[queries.index(" " * huge) - len(queries)]
    assert first["result"]["items"] == []
    found = answers[len(queries) - 1]["result"]["items"]  # 红包, then spaces: read as 红包
    assert found and found[0][0]["location"] == "a/"
