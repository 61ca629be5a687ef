"""One Jinja2 environment over site_templates/: autoescaped, StrictUndefined."""

from __future__ import annotations

import posixpath
from importlib.resources import files
import re
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context
from markupsafe import Markup, escape

TEMPLATES = Path(str(files("qunsop.site_templates")))
MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]#+!|])")


def get_env(templates: Path = TEMPLATES) -> Environment:
    """The only Jinja environment: every template is autoescaped for HTML."""
    env = Environment(loader=FileSystemLoader([templates / "pages", templates]), autoescape=True,
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                      keep_trailing_newline=True)
    env.filters.update(fence=fence, md=markdown_text, cell=table_cell,
                       mermaid_label=mermaid_label)
    env.globals["rel"] = relative_link
    env.globals["site_root"] = site_root
    return env


def render_page(env: Environment, template: str, path: str, context: dict[str, Any]) -> str:
    return env.get_template(template).render(**context, page_path=path)


@pass_context
def relative_link(context: Any, target: str) -> str:
    """Link from the page being rendered to a docs-relative target (may carry #anchor)."""
    target_path, _, anchor = target.partition("#")
    source_dir = posixpath.dirname(context["page_path"])
    link = posixpath.relpath(target_path, source_dir or ".")
    return f"{link}#{anchor}" if anchor else link


@pass_context
def site_root(context: Any) -> str:
    """Relative URL from the rendered page to the site root (directory URLs)."""
    path = context["page_path"]
    depth = path.count("/") + (0 if path.endswith("index.md") else 1)
    return "../" * depth


def fence(text: str, language: str = "text") -> Markup:
    """A fenced code block holding `text` verbatim (code blocks are escaped by MkDocs)."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    ticks = "`" * max(3, longest + 1)
    return Markup(f"{ticks} {language}\n{text}\n{ticks}")


def markdown_text(text: str) -> Markup:
    """Escape HTML and Markdown syntax so that text shows exactly as written."""
    escaped = str(escape(text))
    escaped = MARKDOWN_SPECIALS.sub(r"\\\1", escaped)
    return Markup(escaped.replace("\n", "  \n"))


def table_cell(text: str) -> Markup:
    """Text safe inside one Markdown table cell: one line, no column breaks."""
    escaped = str(markdown_text(text)).replace("  \n", "<br>").replace("\n", " ")
    return Markup(escaped)


def mermaid_label(text: str) -> Markup:
    """A label inside a mermaid node: quotes and markup characters removed."""
    return Markup(re.sub(r"[\"<>{}\[\]()|`]", " ", text).strip())
