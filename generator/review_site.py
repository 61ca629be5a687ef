"""The weekly 复盘 written into a folder of its own (qunsop.yaml `review.publish: folder`).

For internal hosting apart from the public SOP site: the same pages as in the site,
turned into plain HTML (no script), linking each other relatively and the site's
escalation plans by their public address.
"""

from __future__ import annotations

import posixpath
from pathlib import Path
from typing import Any
from urllib.parse import quote

import markdown
from jinja2 import pass_context
from markupsafe import Markup

from .links import Links, page_url
from .models import Playbook
from .pipeline import CheckedProject
from .render import get_env, get_html_env, render_page
from .review import Reviewer
from .review_pages import review_pages
from .write import check_output_folder, claim, sync_tree

LABEL = "复盘目录"


def html_path(docs_path: str) -> str:
    return docs_path[: -len(".md")] + ".html"


@pass_context
def folder_href(context: Any, target: str) -> Markup:
    """A link between review pages (relative .html), or an absolute address into the site."""
    if target.startswith(("http://", "https://")):
        return Markup(quote(target, safe=":/._-~#"))
    page = html_path(context["page_path"])
    return Markup(quote(posixpath.relpath(html_path(target), posixpath.dirname(page) or "."), safe="/._-~"))


def review_files(review: Reviewer, checked: CheckedProject, site_url: str) -> list[tuple[str, bytes]]:
    links = Links(checked.project)
    base = site_url.rstrip("/") + "/"
    pages = review_pages(review, checked.project.of(Playbook).models(), links,
                         lambda plan_id: base + page_url(links.of("escalation", plan_id)))
    env = get_env()
    env.globals["href"] = folder_href
    shell = get_html_env().get_template("review/page.html.j2")
    files = []
    converter = markdown.Markdown(extensions=["tables", "md_in_html", "admonition"])
    for page in pages:
        text = render_page(env, page.template, page.path, page.model)
        body = converter.reset().convert(text)
        files.append((html_path(page.path), shell.render(title=page.title, body=Markup(body)).encode()))
    return files


def check_review_folder(folder: Path, root: Path) -> None:
    check_output_folder(folder.resolve(), root, LABEL)


def write_review_folder(review: Reviewer, checked: CheckedProject, folder: Path, site_url: str) -> None:
    root = checked.project.root
    claim(folder.resolve(), root, LABEL)
    sync_tree(folder.resolve(), review_files(review, checked, site_url))
