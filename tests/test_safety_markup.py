"""Issue 11, class 2: no source string becomes live HTML, at any layer.

One real build of the minimal project where every free-text field of every kind
(found from the models' JSON Schemas, so a new field is covered without editing
this file) carries markup payloads, each with its own marker. The built HTML of
the site and of the packs must contain no live script, no `javascript:` link, no
event-handler attribute and no image from content, and the text must be shown as
written (escaped). Media paths are restricted to a safe character set.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import yaml
from markupsafe import escape

from conftest import Run
from qunsop.kinds import KINDS
from qunsop.load import discover, parse_source
from qunsop.search_index import read_entries
from safety import copy_minimal, live_markup, located, outside_outputs, qunsop, validate

PAYLOADS = (
    "[点我](javascript:alert(1))",
    "![x](y){ onload=alert(1) }",
    "<script>alert(1)</script>",
    "{: onclick=x }",
    "*强调* **粗体** _斜体_",
    "`反引号` ``双``",
    '<img src=x onerror="alert(1)">',
    "&#106;avascript:alert(1) &lt;b&gt;",
    "<a href='javascript:alert(1)'>链接</a>",
    "\\[转义\\] #标题 > 引用 | 竖线 |",
    "[引用][r]\n\n[r]: javascript:alert(1)",
    "第一行\n<script>alert(2)</script>\n    缩进一行",
)
# fields whose value must keep a fixed meaning for the project to stay valid
KEEP = {"path", "poster", "url", "timezone", "level", "task", "body", "tag", "language", "rank_by"}
# lists of objects the minimal project leaves empty: one valid entry each, to be poisoned
SEEDS = {
    "content_library/posts/needed/tyre-pressure.md": {
        "links": [{"title": "链接", "url": "https://qunsop.cn/a?b=1&c=2"}]},
    "content_library/games/warmup.md": {"roles": [{"name": "托", "duty": "接话"}]},
    "playbooks/demo/activities/checkin.yaml": {"by_day": [{"day": 2, "text": "第二天"}]},
}
KEEP_BY_KIND = {"placeholders": {"name"}}
SKIPPED_KINDS = {"settings", "site"}  # settings hold no text; mkdocs.yml: test_safety_config.py

# --- poisoning every free-text field -------------------------------------------------------


class Marks:
    """Hands out payloads with a unique marker each, and remembers which field got which."""

    def __init__(self) -> None:
        self.fields: dict[str, str] = {}

    def __call__(self, where: str) -> str:
        number = len(self.fields) + 1
        marker = f"QS{number:03d}"
        self.fields[marker] = where
        return f"{marker} {PAYLOADS[number % len(PAYLOADS)]}"


def resolve(schema: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in schema:
        return defs[schema["$ref"].split("/")[-1]]
    options = [option for option in schema.get("anyOf", []) if option.get("type") != "null"]
    if len(options) == 1:
        return resolve(options[0], defs)
    return schema


def free_text(schema: dict[str, Any]) -> bool:
    return schema.get("type") == "string" and not {"pattern", "enum", "const", "format"} & set(schema)


def poison(data: dict[str, Any], schema: dict[str, Any], defs: dict[str, Any], where: str,
           mark: Callable[[str], str], keep: set[str]) -> None:
    for name, prop in schema.get("properties", {}).items():
        if name in keep:
            continue
        prop = resolve(prop, defs)
        here = f"{where}.{name}"
        if free_text(prop):
            data[name] = mark(here)
        elif prop.get("type") == "array":
            items = resolve(prop.get("items", {}), defs)
            if free_text(items):
                data[name] = [*data.get(name, []), mark(f"{here}[]")]
            elif "properties" in items:
                for number, entry in enumerate(data.get(name, [])):
                    poison(entry, items, defs, f"{here}[{number}]", mark, keep)
        elif "properties" in prop and isinstance(data.get(name), dict):
            poison(data[name], prop, defs, here, mark, keep)
        elif isinstance(prop.get("additionalProperties"), dict) and isinstance(data.get(name), dict):
            inner = resolve(prop["additionalProperties"], defs)
            for key, entry in data[name].items():
                poison(entry, inner, defs, f"{here}.{key}", mark, keep)


def poison_project(root: Path) -> Marks:
    marks = Marks()
    for relative, kind in discover(root):
        if kind in SKIPPED_KINDS:
            continue
        text = (root / relative).read_text(encoding="utf-8")
        source = parse_source(text, relative, kind)
        data = {**source.data, **SEEDS.get(relative, {})}
        body = data.pop("body", None)
        schema = KINDS[kind].model.model_json_schema()
        poison(data, schema, schema.get("$defs", {}), relative, marks,
               KEEP | KEEP_BY_KIND.get(kind, set()))
        dumped = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
        if body is None:
            (root / relative).write_text(dumped, encoding="utf-8")
        else:
            body += "\n\n" + marks(f"{relative}.body")
            (root / relative).write_text(f"---\n{dumped}---\n{body}\n", encoding="utf-8")
    return marks


class _Text(HTMLParser):
    """The text a reader sees; not scripts, styles, the diagram source (mermaid labels are
    simplified on purpose) or the theme's permalink signs."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping: str | None = None
        self.depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.skipping is not None:
            self.depth += tag == self.skipping
            return
        classes = (dict(attrs).get("class") or "").split()
        if tag in ("script", "style") or "mermaid" in classes or "headerlink" in classes:
            self.skipping, self.depth = tag, 1
        elif tag in ("br", "p", "li", "div", "td", "h1", "h2", "h3", "pre", "code"):
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == self.skipping:
            self.depth -= 1
            if self.depth == 0:
                self.skipping = None

    def handle_data(self, data: str) -> None:
        if self.skipping is None:
            self.parts.append(data)


def visible_text(page: str) -> str:
    parser = _Text()
    parser.feed(page)
    return re.sub(r"\s+", " ", "".join(parser.parts))


@pytest.fixture(scope="module")
def poisoned(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Marks]:
    root = copy_minimal(tmp_path_factory.mktemp("markup") / "project")
    marks = poison_project(root)
    (root / "qunsop.yaml").write_text(
        "lint:\n  severity:\n    below-cadence: off\n    raw-html: off\n    bad-link: off\n",
        encoding="utf-8")
    before = outside_outputs(root)
    run = qunsop("build", str(root))
    assert run.exit_code == 0, run.output
    assert outside_outputs(root) == before
    return root, marks


def html_pages(site: Path) -> Iterator[tuple[Path, str]]:
    for path in sorted(site.rglob("*.html")):
        yield path, path.read_text(encoding="utf-8")


def test_every_free_text_field_was_poisoned(poisoned: tuple[Path, Marks]) -> None:
    _root, marks = poisoned
    fields = set(marks.fields.values())
    for expected in ("playbooks/demo/tiers/c-store.yaml.name", "playbooks/demo/playbook.yaml.roles[0].name",
                     "content_library/posts/needed/tyre-pressure.md.media[0].alt",
                     "playbooks/demo/calendars/week.yaml.weekly.mon.slots[0].remark",
                     "playbooks/demo/calendars/week.yaml.overrides[0].festival",
                     "playbooks/demo/escalations/complaint.yaml.steps[0].action",
                     "content_library/posts/liked/road-story.md.tags[]",
                     "playbooks/demo/campaigns/pk.yaml.rules[]",
                     "content_library/games/warmup.md.steps[0].host_line",
                     "content_library/games/warmup.md.roles[0].duty",
                     "content_library/posts/needed/tyre-pressure.md.links[0].title",
                     "playbooks/demo/activities/checkin.yaml.by_day[0].text"):
        assert expected in fields, expected
    assert len(fields) > 100


def test_no_live_markup_from_content_anywhere(poisoned: tuple[Path, Marks]) -> None:
    root, _marks = poisoned
    pages = list(html_pages(root / "site"))
    assert len(pages) > 30
    found = {path.relative_to(root).as_posix(): live for path, page in pages if (live := live_markup(page))}
    assert found == {}


def test_the_checker_sees_live_markup() -> None:
    for page in ("<script>alert(1)</script>", "<p><img src=x></p>", "<a href=' javascript:x'>a</a>",
                 "<div onclick=x>", "<svg><a xlink:href='data:text/html,x'></a></svg>"):
        assert live_markup(page), page
    for page in ("<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>", '<a title="x onclick=y">a</a>',
                 '<script type="application/json">{"a": "alert(1)"}</script>', "<p>javascript:x</p>"):
        assert not live_markup(page), page


def test_the_search_index_holds_only_escaped_text(poisoned: tuple[Path, Marks]) -> None:
    root, _marks = poisoned
    docs = read_entries(root / "site/search")
    assert any("QS0" in doc["text"] for doc in docs)
    for doc in docs:  # the search shows these fragments as HTML
        assert live_markup(doc["title"]) == [] and live_markup(doc["text"]) == [], doc["location"]


def test_the_text_is_shown_as_written(poisoned: tuple[Path, Marks]) -> None:
    """Each marker shown on a page is followed by its payload, character for character."""
    root, marks = poisoned
    shown: set[str] = set()
    wrong: dict[str, set[str]] = {}
    for path, page in html_pages(root / "site"):
        text = visible_text(page)
        for marker in marks.fields:
            number = int(marker[2:])
            expected = re.sub(r"\s+", " ", f"{marker} {PAYLOADS[number % len(PAYLOADS)]}")
            for found in re.finditer(marker, text):
                seen = text[found.start():found.start() + len(expected)]
                if seen == expected:
                    shown.add(marker)
                else:
                    wrong.setdefault(f"{marks.fields[marker]}: {seen}", set()).add(
                        path.relative_to(root / "site").as_posix())
    assert wrong == {}
    missing = sorted(marks.fields[m] for m in set(marks.fields) - shown)
    assert len(shown) > 0.8 * len(marks.fields), missing


def test_packs_escape_text_as_html(poisoned: tuple[Path, Marks]) -> None:
    root, _marks = poisoned
    pack = (root / "site/packs/week/2026-12-07/index.html").read_text(encoding="utf-8")
    assert live_markup(pack) == []
    assert str(escape("<a href='javascript:alert(1)'>链接</a>")) in pack
    text = (root / "site/packs/week/2026-12-07/pack.txt").read_text(encoding="utf-8")
    assert "<a href='javascript:alert(1)'>链接</a>" in text  # plain text stays plain text


# --- media paths ---------------------------------------------------------------------------


PNG = (Path(__file__).parent / "fixtures/minimal/content_library/assets/pressure.png").read_bytes()
UNSAFE_NAMES = (
    "x.png){onload=alert(1)}", "x.png) [点我](javascript:alert(1)) (", "带 空格.png", "x{y}.png",
    "[x].png", "x(1).png", "x'.png", 'x".png', "x<b>.png", "x#y.png", "x?.png", "x%20.png",
    "javascript:alert(1).png", "x.png\\", ".hidden.png", "x\ty.png",
)
LEAVING = ("../../mkdocs.yml", "/etc/passwd", "posts/../../../x.png", "posts//x.png")


@pytest.fixture(scope="module")
def media_run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    """One post per unsafe media path (each file exists, so only its name is wrong)."""
    root = copy_minimal(tmp_path_factory.mktemp("media") / "project")
    for number, name in enumerate(UNSAFE_NAMES + LEAVING):
        if name in UNSAFE_NAMES:
            (root / "content_library/assets" / name).write_bytes(PNG)
        (root / f"content_library/posts/needed/media-{number}.md").write_text(
            f"---\nid: media-{number}\ntitle: 图\ncategory: needed\ntiers: [c-store]\nmedia:\n"
            f"  - path: {json.dumps(name, ensure_ascii=False)}\n    alt: 图\n---\n正文。\n", encoding="utf-8")
    run = validate(root)
    assert run.exit_code == 1, run.output
    return run


@pytest.mark.parametrize("name", UNSAFE_NAMES + LEAVING)
def test_unsafe_media_paths_are_refused_by_validate(media_run: Run, name: str) -> None:
    number = (UNSAFE_NAMES + LEAVING).index(name)
    found = located(media_run, f"content_library/posts/needed/media-{number}.md", "bad-media", 7,
                    column=5, path="media[0].path")
    assert "不允许的字符" in found["message"] or "相对路径" in found["message"], found
