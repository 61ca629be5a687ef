"""Issue 11, classes 4 and 5: dangerous links and invisible characters in what editors write.

Links: every disguise of a script scheme (entities, spaces, line breaks, case,
invisible characters) is reported like `javascript:` (lint code bad-link) at
its line; a post's `links:` must be http(s). Characters: NUL, bidi controls,
the line breaks PyYAML counts but editors do not (NEL, U+2028/2029), a BOM in
the middle... are errors at their exact line and column in every kind of
source, and every later problem of the same file keeps its exact line.
Each group of cases shares one project and one real `qunsop validate`.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from conftest import MINIMAL, Run
from safety import SOURCE_FOR_KIND, copy_minimal, located, outside_outputs, qunsop, qunsop_many

# --- links ----------------------------------------------------------------------------------

DISGUISES = {
    "plain": "javascript:alert(1)",
    "data": "data:text/html;base64,PHNjcmlwdD4=",
    "vbscript": "vbscript:msgbox(1)",
    "entity": "&#106;avascript:alert(1)",
    "hex-entity": "&#x6A;avascript:alert(1)",
    "double-entity": "&amp;#106;avascript:alert(1)",
    "colon-entity": "javascript&colon;alert(1)",
    "space": "java script:alert(1)",
    "tab": "java\tscript:alert(1)",
    "mixed-case": "JaVaScRiPt:alert(1)",
    "zero-width": "java\u200bscript:alert(1)",
    "soft-hyphen": "java\u00adscript:alert(1)",
    "after-a-word": "open javascript:alert(1)",
    "file": "file:///etc/passwd",
    "unknown-with-slashes": "ftp://example.cn/x",
}
FINE = ("https://qunsop.cn/a?b=1", "weixin://dl/business", "tel:4008001234", "mailto:ops@qunsop.cn",
        "早上 10:30 开始", "比分 3:1", "提示:看这里")


def link_post(post_id: str, body: str, title: str = "链接") -> str:
    return (f"---\nid: {post_id}\ntitle: {json.dumps(title, ensure_ascii=False)}\ncategory: liked\n"
            f"tiers: [c-store]\n---\n第一行正文。\n{body}\n")


@pytest.fixture(scope="module")
def links_run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    root = copy_minimal(tmp_path_factory.mktemp("links") / "project")
    posts = root / "content_library/posts/liked"
    for case, payload in DISGUISES.items():
        (posts / f"link-{case}.md").write_text(link_post(f"link-{case}", f"点这里 {payload} 领券"),
                                               encoding="utf-8")
    (posts / "link-split.md").write_text(link_post("link-split", "点这里 java\nscript:alert(1)"),
                                         encoding="utf-8")
    (posts / "link-split-three.md").write_text(link_post("link-split-three", "点 ja\nva\nscript:alert(1)"),
                                               encoding="utf-8")
    (posts / "link-title.md").write_text(link_post("link-title", "正文。", "点 JavaScript:alert(1)"),
                                         encoding="utf-8")
    (posts / "link-fine.md").write_text(link_post("link-fine", "\n".join(FINE)), encoding="utf-8")
    game = (MINIMAL / "content_library/games/warmup.md").read_text(encoding="utf-8")
    (root / "content_library/games/warmup.md").write_text(
        game.replace("发个红包热热场", "发个红包 &#106;avascript:alert(1)"), encoding="utf-8")
    reply = (MINIMAL / "content_library/replies/calm-first.md").read_text(encoding="utf-8")
    (root / "content_library/replies/calm-first.md").write_text(reply + "data:text/html,x\n",
                                                                  encoding="utf-8")
    for number, url in enumerate(("javascript:alert(1)", "data:text/html,x", "ftp://example.cn/x",
                                  "//evil.example/x", "https://qunsop.cn/a b", "http:/x")):
        (posts / f"url-{number}.md").write_text(
            f"---\nid: url-{number}\ntitle: 文章\ncategory: liked\ntiers: [c-store]\nlinks:\n"
            f"  - title: 看文章\n    url: {json.dumps(url)}\n---\n正文。\n", encoding="utf-8")
    before = outside_outputs(root)
    run = qunsop("validate", str(root), "--format", "json")
    assert outside_outputs(root) == before
    assert run.exit_code == 1, run.output
    return run


@pytest.mark.parametrize("case", sorted(DISGUISES))
def test_disguised_script_links_are_reported_at_their_line(links_run: Run, case: str) -> None:
    found = located(links_run, f"content_library/posts/liked/link-{case}.md", "bad-link", 8, path="body")
    scheme = re.match(r"[a-z]+", DISGUISES[case].replace("&#106;", "j").replace("&#x6A;", "j")
                      .replace("&amp;#106;", "j").replace(" ", "").replace("\t", "")
                      .replace("\u200b", "").replace("\u00ad", "").removeprefix("open").lower())
    assert scheme and f"`{scheme.group(0)}:`" in found["message"], found


@pytest.mark.parametrize(("case", "line"), [("split", 8), ("split-three", 8)])
def test_a_scheme_split_over_lines_is_reported_where_it_starts(links_run: Run, case: str, line: int) -> None:
    found = located(links_run, f"content_library/posts/liked/link-{case}.md", "bad-link", line, path="body")
    assert "`javascript:`" in found["message"], found


def test_titles_games_and_replies_are_checked_too(links_run: Run) -> None:
    located(links_run, "content_library/posts/liked/link-title.md", "bad-link", 3, path="title")
    located(links_run, "content_library/games/warmup.md", "bad-link", 10, path="steps[0].host_line")
    located(links_run, "content_library/replies/calm-first.md", "bad-link", 7, path="body")


def test_allowed_schemes_and_times_are_not_links(links_run: Run) -> None:
    assert not [p for p in links_run.problems() if p["file"].endswith("link-fine.md")
                and p["severity"] == "error"], links_run.output


@pytest.mark.parametrize("number", range(6))
def test_post_links_must_be_http(links_run: Run, number: int) -> None:
    found = located(links_run, f"content_library/posts/liked/url-{number}.md", "invalid-value", 8,
                    path="links[0].url")
    assert "https://" in found["message"], found


# --- invisible characters -------------------------------------------------------------------

CHARACTERS = {
    "nul": "\x00", "escape": "\x1b", "nel": "\x85", "lone-cr": "\r", "line-separator": "\u2028",
    "paragraph-separator": "\u2029", "rtl-override": "\u202e", "isolate": "\u2066",
    "arabic-mark": "\u061c", "bom-in-the-middle": "\ufeff",
}
# where each kind gets the character: the first line holding one of these keys (in its value),
# and for Markdown kinds also the body
TEXT_KEYS = ("name", "title", "site_name", "description", "audience", "purposes", "action",
             "incident", "goal", "opening", "scenario", "rules", "review", "below-cadence")


def plant(text: str, char: str) -> tuple[str, list[tuple[int, int]]]:
    """Put `char` into the first text value (and the Markdown body); return where, 1-based."""
    lines = text.split("\n")
    places = []
    for number, line in enumerate(lines):
        found = re.match(rf"^(\s*-?\s*\{{?(?:{'|'.join(TEXT_KEYS)}):\s*\[?\s*)(\S)", line)
        if found:
            at = found.end(2)  # after the value's first character
            lines[number] = line[:at] + char + line[at:]
            places.append((number + 1, at + 1))
            break
    if lines[0] == "---":
        body = lines.index("---", 1) + 1
        lines[body] = "正文" + char + lines[body]
        places.append((body + 1, 3))
    return "\n".join(lines), places


@pytest.fixture(scope="module")
def character_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Run, dict[str, list]]]:
    """One project per character, the character in every kind of source; validated together."""
    projects = {}
    for name, char in CHARACTERS.items():
        root = copy_minimal(tmp_path_factory.mktemp(f"char-{name}") / "project")
        expected: dict[str, list[tuple[int, int]]] = {}
        for relative in sorted(set(SOURCE_FOR_KIND.values())):
            path = root / relative
            if not path.is_file():
                continue  # the roster is not in the fixture: its own tests write one
            text, places = plant(path.read_text(encoding="utf-8"), char)
            assert places, relative
            path.write_bytes(text.encode("utf-8"))
            expected[relative] = places
        # a later problem in the same file: its line must not drift
        tier = root / SOURCE_FOR_KIND["tier"]
        tier.write_bytes(tier.read_bytes() + "colour: 绿色\n".encode())
        expected["later"] = [(len(tier.read_bytes().decode().split("\n")) - 1, 1)]
        projects[name] = (root, expected)
    runs = qunsop_many([("validate", str(root), "--format", "json") for root, _ in projects.values()])
    return {name: (run, projects[name][1]) for name, run in zip(projects, runs, strict=True)}


@pytest.fixture(params=sorted(CHARACTERS))
def characters_run(request: pytest.FixtureRequest,
                   character_runs: dict[str, tuple[Run, dict[str, list]]]) -> tuple[str, Run, dict[str, list]]:
    run, expected = character_runs[request.param]
    return request.param, run, expected


def test_every_invisible_character_is_an_error_at_its_place(
        characters_run: tuple[str, Run, dict[str, list]]) -> None:
    name, run, expected = characters_run
    assert run.exit_code == 1, run.output
    reported = {(p["file"], p["line"], p["column"]) for p in run.problems()
                if p["code"] == "control-character" and p["severity"] == "error"}
    wanted = {(relative, line, column) for relative, places in expected.items() if relative != "later"
              for line, column in places}
    assert reported == wanted, name
    for problem in run.problems():
        if problem["code"] == "control-character":
            assert f"U+{ord(CHARACTERS[name]):04X}" in problem["message"], problem


def test_characters_in_values_and_bodies_name_their_field(
        characters_run: tuple[str, Run, dict[str, list]]) -> None:
    _name, run, _expected = characters_run
    paths = {p["file"]: p["path"] for p in run.problems() if p["code"] == "control-character"
             and p["file"].endswith((".yaml", ".yml")) and p["file"] != "qunsop.yaml"}
    assert paths["playbooks/demo/tiers/c-store.yaml"] == "name"
    assert paths["content_library/placeholders.yaml"] == "placeholders[0].name"
    bodies = {p["file"] for p in run.problems() if p["code"] == "control-character" and p["path"] == "body"}
    assert bodies == {SOURCE_FOR_KIND[kind] for kind in ("post", "game", "reply")}


def test_a_later_problem_in_the_same_file_keeps_its_line(
        characters_run: tuple[str, Run, dict[str, list]]) -> None:
    _name, run, expected = characters_run
    [(line, _column)] = expected["later"]
    located(run, SOURCE_FOR_KIND["tier"], "unknown-field", line, column=1, path="colour")


def test_characters_never_reach_the_output(tmp_path: Path) -> None:
    """Even with the check's severity untouched, a build with NUL stops before writing."""
    root = copy_minimal(tmp_path / "project")
    post = root / SOURCE_FOR_KIND["post"]
    post.write_bytes(post.read_bytes().replace("天冷了".encode(), b"\x00\xe2\x80\xae"))
    run = qunsop("build", str(root))
    assert run.exit_code == 1, run.output
    assert f"{SOURCE_FOR_KIND['post']}" in run.stdout and "U+0000" in run.stdout
    assert not (root / "site").exists()
