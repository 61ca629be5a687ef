"""The Jinja2 environments over site_templates/: autoescaped, StrictUndefined.

Two layers of escaping, each in one place:
- HTML: every template is autoescaped, so no source text becomes a tag or script;
- Markdown (site pages only): the environment's `finalize` escapes every value
  printed with {{ }} for Markdown too, so no source text becomes a link, an
  image, an attribute list ({onload=…}) or emphasis. Only values qunsop made
  itself are marked safe: links from `href` (checked against the planned pages,
  percent-encoded), fenced blocks from `fence` and mermaid labels.
"""

from __future__ import annotations

import functools
import io
import posixpath
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

import msgspec
import rjsmin
import segno
from jinja2 import BaseLoader, ChoiceLoader, Environment, FileSystemLoader, StrictUndefined, pass_context
from markupsafe import Markup, escape
from pydantic import BaseModel

from . import TEMPLATES
from .cache import code_version, digest
from .clock import shown_day
from .kinds import template_folders
from .links import page_url
from .settings import Words
from .views import Page

# the characters Python-Markdown (with tables) lets a backslash escape, but `>`: text is
# HTML-escaped after this, so `<`, `>` and `&` become entities (no tag, autolink, quote or
# entity can form) and the entities HTML escaping writes (`&#34;`) are left whole
MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+!|-])")
NEEDS_ESCAPING = re.compile(r"[\\`*_{}\[\]()#+!|\-<>&'\"\n]")  # the above, HTML's and line breaks


class KindTemplates(BaseLoader):
    """Page templates that registered kinds keep in folders of their own (`Kind.templates`),
    looked up when asked for: a kind registered after the environment was made is found."""

    def get_source(self, environment: Environment,
                   template: str) -> tuple[str, str | None, Callable[[], bool] | None]:
        return FileSystemLoader(template_folders()).get_source(environment, template)

    def list_templates(self) -> list[str]:
        return FileSystemLoader(template_folders()).list_templates()


class LinkError(Exception):
    """A template linked to a page or file that is not part of the build (a qunsop bug)."""


def get_env(templates: Path = TEMPLATES) -> Environment:
    """The environment for site pages (Markdown) and scaffolds: HTML- and Markdown-escaped."""
    loader = ChoiceLoader([FileSystemLoader([templates / "pages", templates]), KindTemplates()])
    env = Environment(loader=loader, autoescape=True,
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                      keep_trailing_newline=True, finalize=markdown_value)
    env.filters.update(fence=fence, md=markdown_text, cell=table_cell, code=code_span,
                       attr=html_attribute, anchor=anchor, mermaid_label=mermaid_label,
                       indent_block=indent_block, chinese_day=shown_day)
    env.globals["href"] = href
    env.globals["raw_href"] = raw_href
    return env


def get_text_env(templates: Path = TEMPLATES) -> Environment:
    """For files that are not web pages (scaffolds, a new project's settings): no escaping.

    Only qunsop's own templates are rendered with it, filled with checked ids and dates.
    """
    return readable_json(Environment(loader=FileSystemLoader([templates]), autoescape=False,
                                     undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                                     keep_trailing_newline=True))


@functools.cache
def get_html_env(templates: Path = TEMPLATES) -> Environment:
    """The environment for pack pages: plain HTML, autoescaped. One per process: each calendar's
    packs and each rebuild use the templates it compiled (0.5 s of an edit's build at size M,
    when each calendar compiled its own)."""
    return readable_json(Environment(loader=FileSystemLoader([templates]), autoescape=True,
                                     undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                                     keep_trailing_newline=True))


def readable_json(env: Environment) -> Environment:
    """`tojson` keeps Chinese as written: a new project's mkdocs.yml reads 群SOP, not \\u7fa4SOP,
    and a pack page's data is a third the size. (<, >, & and ' are still escaped.)"""
    env.policies["json.dumps_kwargs"] = {"ensure_ascii": False, "sort_keys": True}
    return env


# The site's own scripts (site_templates/js/), shipped under assets/: each joined after the
# shared clock, as the pack scripts are (packs.py `pack_scripts`)
SITE_SCRIPTS = {"assets/dates.js": ("js/clock.js", "js/dates.js"),
                "assets/today.js": ("js/clock.js", "js/today.js")}


@functools.cache
def script_bundle(*parts: str) -> bytes:
    """One shipped script from source files under site_templates/, joined in one function
    scope (so what one part defines, such as js/clock.js's `todayIn`, the next part uses
    without a global) and minified by rjsmin."""
    source = "".join((TEMPLATES / part).read_text(encoding="utf-8") for part in parts)
    joined = '(function () {\n  "use strict";\n' + source + "})();\n"
    return (str(rjsmin.jsmin(joined)) + "\n").encode("utf-8")


def render_page(env: Environment, template: str, path: str, page: Any,
                known: Callable[[str], bool] = lambda _target: True, words: Words | None = None) -> str:
    """`words`: qunsop.yaml's `words:`, what pages call people and places."""
    return env.get_template(template).render(page=page, page_path=path, known_target=known,
                                             words=words or Words())


class ContentKeys:
    """Digests of what a page or a pack day shows: a build keeps the output of a key it has
    recorded. View-models are plain dataclasses, which msgspec encodes in C; the editor's
    models in them, which many pages share, are encoded once each, with their type's name;
    Markup is told from text (text is escaped when printed, Markup not). `shared` is what
    every key of this set depends on, beside qunsop's own code."""

    def __init__(self, *shared: Any) -> None:
        self.models: dict[int, str] = {}
        self.encoder = msgspec.msgpack.Encoder(enc_hook=self._other)
        self.model_encoder = msgspec.msgpack.Encoder(enc_hook=self._other)
        self.shared = self.encoder.encode((code_version(), *shared))

    def of(self, *values: Any) -> str | None:
        """The key of `values`; None when they hold a value this cannot encode (never kept)."""
        try:
            body = self.encoder.encode(values)
        except (TypeError, ValueError, OverflowError):
            return None
        return digest(self.shared + body)

    def _other(self, value: Any) -> Any:
        if isinstance(value, Markup):
            return ("\0markup", str(value))
        if isinstance(value, BaseModel):  # alive for the whole build: its id is its own
            found = self.models.get(id(value))
            if found is None:
                found = self.models[id(value)] = digest(self.model_encoder.encode(
                    (type(value).__qualname__, value.__dict__)))
            return found
        raise TypeError(f"no key for {type(value).__name__}")


def page_keys(targets: set[str], words: Words) -> ContentKeys:
    """Keys of pages: each reads the link targets (a link to a page no longer built fails) and
    the words every page uses."""
    return ContentKeys("\0".join(sorted(targets)), words.model_dump_json())


def page_key(keys: ContentKeys, page: Page) -> str | None:
    """Everything rendering `page` reads: its template, path, view-model, change date and nav
    entry."""
    return keys.of(page.template, page.path, page.model, page.updated, page.nav_title,
                   page.searchable, page.search_boost)


def markdown_value(value: object) -> object:
    """Every printed value: Markup stays as it is, anything else is Markdown-escaped text."""
    if isinstance(value, Markup) or value is None:
        return value
    return markdown_text(str(value))


@pass_context
def href(context: Any, target: str) -> Markup:
    """A link from the page being rendered to a planned page (`a/b.md#x`) or output file.

    Pages and files among the docs are linked relatively as docs paths (the engine turns
    them into URLs); packs, which the engine does not see, relative to the page's own
    URL. A target that is
    not part of the build is an error, never a dead link.
    """
    path = target.partition("#")[0]
    # a page or a file among the docs: the engine resolves it; packs it does not see
    return _link(context, target, as_url=path.startswith("packs/"))


@pass_context
def raw_href(context: Any, target: str) -> Markup:
    """A link inside raw HTML (script src, video src): the engine leaves these alone, so
    it is relative to the page's own URL."""
    return _link(context, target, as_url=True)


def _link(context: Any, target: str, as_url: bool) -> Markup:
    if not context["known_target"](target):
        raise LinkError(f"link to a page that is not built: {target}")
    return relative_link(context["page_path"], target, as_url)


@functools.lru_cache(maxsize=1 << 16)
def relative_link(page: str, target: str, as_url: bool) -> Markup:
    """The link from docs page `page` to `target` (pages link the same targets many times)."""
    path, _, anchor = target.partition("#")
    if as_url:
        depth = page.count("/") + (0 if page.endswith("index.md") else 1)
        link = "../" * depth + (page_url(path) if path.endswith(".md") else path)
    else:
        link = posixpath.relpath(path, posixpath.dirname(page) or ".")
    quoted = quote(link, safe="/._-~")
    return Markup(f"{quoted}#{quote(anchor, safe='-_')}" if anchor else quoted)


def fence(text: str, language: str = "text") -> Markup:
    """A fenced code block holding `text` verbatim (code blocks are escaped by the engine)."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    ticks = "`" * max(3, longest + 1)
    return Markup(f"{ticks} {language}\n{text}\n{ticks}")


def code_span(text: str) -> Markup:
    """Inline code showing `text` verbatim (the engine escapes code spans itself)."""
    text = str(text).replace("\n", " ")
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    ticks = "`" * (longest + 1)
    padded = f" {text} " if text.startswith("`") or text.endswith("`") else text
    return Markup(f"{ticks}{padded}{ticks}")


def anchor(item_id: str) -> Markup:
    """An id used as an in-page anchor; ids are validated as [a-z0-9-], anything else is dropped."""
    return Markup(re.sub(r"[^a-z0-9-]", "", str(item_id)))


def html_attribute(text: str) -> Markup:
    """Text inside an HTML attribute of a raw HTML block (no Markdown there): HTML-escaped only."""
    return Markup(escape(str(text)))


def indent_block(text: Markup, width: int = 4) -> Markup:
    """Indent an already-safe block (e.g. a fence inside a list item or admonition)."""
    pad = " " * width
    return Markup("\n".join(pad + line if line else line for line in str(text).split("\n")))


def markdown_text(text: str) -> Markup:
    """Escape Markdown, then HTML syntax, so that text shows exactly as written.

    In this order an entity HTML escaping writes (`&#34;` for a quote) stays whole: a
    backslash inside it (`&\\#34;`) would show as `&#34;` in the theme's table of contents.
    """
    text = str(text)
    if not NEEDS_ESCAPING.search(text):  # most values: Chinese text, numbers, dates
        return Markup(text)
    return _escaped_markdown(text)


@functools.lru_cache(maxsize=1 << 16)
def _escaped_markdown(text: str) -> Markup:
    escaped = str(escape(MARKDOWN_SPECIALS.sub(r"\\\1", str(text))))
    # a line break stays on the Markdown line: text with one is safe in single-line places
    # too (a heading keeps its `{ #anchor }`, a list item or admonition does not end early)
    return Markup(escaped.replace("\n", "<br> "))


def table_cell(text: str) -> Markup:
    """Text safe inside one Markdown table cell: one line, no column breaks."""
    return markdown_text(text)


def mermaid_label(text: str) -> Markup:
    """A label inside a mermaid node, on one line: quotes and markup characters removed."""
    return Markup(re.sub(r"[\"<>{}\[\]()|`#&;%\\\s]+", " ", text).strip())


def qr_png(url: str) -> bytes:
    """A QR code for a phone camera: error level M, 8 px a module, the quiet zone of 4."""
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="png", scale=8, border=4, dark="#1b1b1b")
    return buffer.getvalue()
