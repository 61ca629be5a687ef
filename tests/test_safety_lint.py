"""Issue 25, classes 1 and 4: lint sees what a reader sees, in every text of every kind.

Banned words and link schemes are checked on the text a reader sees (NFKC, without
format characters), invisible characters inside Chinese text are errors, and the
raw-html rule covers every field that reaches a page or a search entry (an incident's
review list, a tier's rules, a slot's note…), not only posts, games and replies.
"""

from __future__ import annotations

import re
import unicodedata

import pytest

from conftest import Run
from qunsop.lint import FORMAT_CHARACTERS, visible
from safety import copy_minimal, located, qunsop

POSTS = "content_library/posts/needed"
HIDDEN = {"zwsp": "第\u200b一", "soft-hyphen": "最\u00ad好", "zwnj": "第\u200c一", "word-joiner": "最\u2060好"}


def post(post_id: str, body: str) -> str:
    return f"---\nid: {post_id}\ntitle: 标题\ncategory: needed\ntiers: [c-store]\n---\n开头一行。\n{body}\n"


@pytest.fixture(scope="module")
def linted(tmp_path_factory: pytest.TempPathFactory) -> Run:
    root = copy_minimal(tmp_path_factory.mktemp("lint") / "project")
    for case, word in HIDDEN.items():
        (root / POSTS / f"hidden-{case}.md").write_text(post(f"hidden-{case}", f"我们是{word}名的门店"),
                                                          encoding="utf-8")
    (root / POSTS / "full-width-scheme.md").write_text(
        post("full-width-scheme", "点 ｊａｖａｓｃｒｉｐｔ：alert(1) 领券"), encoding="utf-8")
    (root / POSTS / "emoji-joiner.md").write_text(  # a joiner between emoji is not hidden text
        post("emoji-joiner", "一家人👨\u200d👩\u200d👧出门"), encoding="utf-8")
    incident = root / "playbooks/demo/incidents/old-complaint.yaml"
    incident.write_text(incident.read_text(encoding="utf-8").replace(
        "review: [当天就私聊解决了]", 'review:\n  - 当天就私聊解决了\n  - "<img src=x onerror=alert(1)>"'),
        encoding="utf-8")
    tier = root / "playbooks/demo/tiers/c-store.yaml"
    tier.write_text(tier.read_text(encoding="utf-8").replace(
        "audience: 到店客户", "audience: 到店<script>alert(1)</script>客户\nsummary: 门店\u200b车友"),
        encoding="utf-8")
    return qunsop("validate", str(root), "--format", "json")


@pytest.mark.parametrize("case", HIDDEN)
def test_banned_words_are_found_through_invisible_characters(linted: Run, case: str) -> None:
    found = located(linted, f"{POSTS}/hidden-{case}.md", "banned-word", 8, 4, path="body")
    assert HIDDEN[case].replace("\u200b", "").replace("\u00ad", "").replace("\u200c", "") \
        .replace("\u2060", "") in found["message"]
    hidden = located(linted, f"{POSTS}/hidden-{case}.md", "hidden-character", 8, 5, path="body")
    assert hidden["severity"] == "error"


def test_full_width_schemes_read_as_the_scheme(linted: Run) -> None:
    found = located(linted, f"{POSTS}/full-width-scheme.md", "bad-link", 8, path="body")
    assert "javascript" in found["message"]


def test_a_joiner_between_emoji_is_not_flagged(linted: Run) -> None:
    found = [p["code"] for p in linted.problems() if p["file"].endswith("emoji-joiner.md")]
    assert found == ["never-scheduled"]  # like every new post no calendar names


def test_raw_html_is_found_in_every_field_that_reaches_a_page(linted: Run) -> None:
    assert linted.exit_code == 1
    located(linted, "playbooks/demo/incidents/old-complaint.yaml", "raw-html", 10, path="review[1]")
    located(linted, "playbooks/demo/tiers/c-store.yaml", "raw-html", 5, path="audience")
    located(linted, "playbooks/demo/tiers/c-store.yaml", "hidden-character", 6, path="summary")


def test_format_characters_pattern_covers_unicode() -> None:
    """The pattern is a superset of category Cf in this Python's Unicode tables."""
    missing = [hex(code) for code in range(0x110000)
               if unicodedata.category(chr(code)) == "Cf" and not FORMAT_CHARACTERS.match(chr(code))]
    assert not missing
    assert visible("顶\u00ad级 ｊａｖａ") == "顶级 java"
    assert re.fullmatch("国家级", visible("国家\u200c级"))
