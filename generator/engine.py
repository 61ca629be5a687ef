"""The MkDocs adapter: the engine config qunsop writes, page front matter, the build call
and the preview server.

What an editor may set in `mkdocs.yml` is site_config.py (plain data, read by validate);
the engines' private internals are behind engine_hooks.py. Material for MkDocs announced
its end of life for 2027; the generated docs are plain Markdown, so swapping the engine
means changing this module, engine_hooks.py and search_zh.py only (README: "Moving off
Material"). No other module imports mkdocs or material.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from .cache import ByteStore
from .engine_hooks import EngineError, Reply, preview_server, theme_search_worker
from .site_config import OWNED_KEYS, SiteSettings
from .write import write_file

if TYPE_CHECKING:
    from .segment import Segments

# What the generated pages need, whatever mkdocs.yml says.
REQUIRED_EXTENSIONS: dict[str, dict[str, Any]] = {
    "admonition": {}, "attr_list": {}, "md_in_html": {}, "tables": {},
    "toc": {"permalink": True}, "pymdownx.details": {},
    "pymdownx.tasklist": {"custom_checkbox": True},
}
REQUIRED_PLUGINS: dict[str, dict[str, Any]] = {
    "search": {"lang": "zh", "separator": "[\\s\\u200b\\-，。、；：！？“”（）《》]+"},
    "qunsop-search": {},
}
# --- the generated engine config ---------------------------------------------------------


@dataclass(frozen=True)
class EngineSite:
    """What qunsop hands the engine: its own pages plus the editor's allow-listed settings."""

    settings: SiteSettings
    project_root: Path
    docs_dir: Path
    theme_dir: Path
    nav: list[Any]
    search_words: Path
    allow_scripts: bool = False


def config_data(site: EngineSite) -> dict[str, Any]:
    """The engine config as plain data (written to build/mkdocs.yml for reference)."""
    settings = site.settings
    data: dict[str, Any] = {
        key: value for key, value in settings.model_dump(exclude_none=True).items()
        if key not in OWNED_KEYS and key not in {"plugins", "markdown_extensions", "hooks",
                                                 "extra_javascript", "theme"}
    }
    # the theme prints these as HTML without escaping them (and `| e` elsewhere, where an
    # escaped `<` then shows as `&lt;`: shown wrongly in a tooltip beats run as markup)
    for key in ("site_name", "site_description", "site_author", "copyright", "repo_name"):
        if isinstance(data.get(key), str):
            data[key] = html_text(data[key])
    data["extra"] = settings.extra.model_dump(exclude_none=True)
    data["theme"] = {**settings.theme.model_dump(exclude_none=True), "custom_dir": str(site.theme_dir)}
    if settings.theme.palette:
        data["theme"]["palette"] = settings.theme.palette_config()
    else:
        data["theme"].pop("palette", None)
    data["docs_dir"] = str(site.docs_dir)
    data["nav"] = site.nav
    # qunsop checks every link it writes against the planned outputs, packs included,
    # which the engine cannot see; the engine still checks anchors
    data["validation"] = {"nav": {"omitted_files": "info", "not_found": "warn"},
                          "links": {"not_found": "info", "anchors": "warn",
                                    "unrecognized_links": "info"}}
    plugins = {**REQUIRED_PLUGINS, **dict(entries(settings.plugins))}
    plugins["qunsop-search"] = {"user_dict": str(site.search_words)}
    data["plugins"] = [{name: options} for name, options in plugins.items()]
    extensions = dict(entries(settings.markdown_extensions))
    for name, options in REQUIRED_EXTENSIONS.items():  # the editor's options, plus what qunsop needs
        extensions[name] = {**extensions.get(name, {}), **options}
    data["markdown_extensions"] = [{name: options} for name, options in extensions.items()
                                   if name != "pymdownx.superfences"]
    data["extra_css"] = ["assets/qunsop.css", *settings.extra_css]
    if site.allow_scripts:
        data["extra_javascript"] = list(settings.extra_javascript)
        data["hooks"] = [str(site.project_root / hook) for hook in settings.hooks]
    return data


def html_text(text: str) -> str:
    """Text the theme prints unescaped: no tag can start and no attribute can end."""
    return text.replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def entries(items: list[Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for entry in items:
        if isinstance(entry, str):
            yield entry, {}
        else:
            for name, options in entry.items():
                yield name, dict(options or {})


def superfences_extension() -> dict[str, Any]:
    """Fenced code plus mermaid diagrams; its format callable cannot be written in YAML."""
    from pymdownx.superfences import fence_code_format

    return {"pymdownx.superfences": {"custom_fences": [
        {"name": "mermaid", "class": "mermaid", "format": fence_code_format}]}}


def write_config(site: EngineSite, config_file: Path) -> dict[str, Any]:
    """Write the engine config into the work folder (never through a link planted there)."""
    data = config_data(site)
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False).encode()
    if config_file.is_symlink() or not config_file.is_file() or config_file.read_bytes() != text:
        write_file(config_file, text, config_file.parent)
    return data


def page_source(title: str, searchable: bool, body: str, boost: float = 1.0) -> str:
    """A generated page: front matter the theme reads, then the Markdown body."""
    meta: dict[str, object] = {"title": title}
    if not searchable:
        meta["search"] = {"exclude": True}
    elif boost != 1.0:
        meta["search"] = {"boost": boost}
    return f"---\n{yaml.safe_dump(meta, allow_unicode=True)}---\n\n{body}"


# --- running the engine ----------------------------------------------------------------


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextmanager
def _collected_warnings() -> Iterator[_Collect]:
    collector = _Collect()
    logger = logging.getLogger("mkdocs")
    logger.addHandler(collector)
    previous_level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        yield collector
    finally:
        logger.removeHandler(collector)
        logger.setLevel(previous_level)


def version() -> str:
    """The engine's and its theme's versions: a new theme means every page is built again."""
    from importlib.metadata import version as installed

    return f"mkdocs {installed('mkdocs')}, material {installed('mkdocs-material')}"


def search_worker_path() -> str:
    """Where the theme loads its search worker from: qunsop's worker is published there."""
    return theme_search_worker()


def output_of(docs_path: str) -> str:
    """The site file the engine makes of a docs file (directory URLs: a/b.md -> a/b/index.html)."""
    if not docs_path.endswith(".md"):
        return docs_path
    folder, _, name = docs_path.rpartition("/")
    prefix = f"{folder}/" if folder else ""
    if name in ("index.md", "README.md"):
        return f"{prefix}index.html"
    return f"{prefix}{name.removesuffix('.md')}/index.html"


@dataclass(frozen=True)
class Incremental:
    """What an incremental build needs: the published search folder, and the docs files
    whose inputs changed since the published build (only their pages are rendered again)."""

    previous_index: Path
    changed_docs: set[str]


def build_site(site: EngineSite, config_file: Path, site_dir: Path, stamp: dt.datetime,
               incremental: Incremental | None = None, store: ByteStore | None = None,
               segments: Segments | None = None) -> None:
    """Run a strict MkDocs build of the generated docs into `site_dir`.

    Incremental, `site_dir` receives only the pages of the changed docs files, the theme's
    pages (404, sitemap) and a search index that keeps the other pages' entries from the
    previous one (the engine's dirty build, told which files changed rather than comparing
    times).
    """
    with _environment_kept(stamp):
        _build(site, config_file, site_dir, incremental, store, segments)


@contextmanager
def _environment_kept(stamp: dt.datetime) -> Iterator[None]:
    """The engine and its theme set environment variables; the caller's process keeps its own.

    The engine dates pages (sitemap lastmod) by SOURCE_DATE_EPOCH or else the wall clock:
    it is given the build's stamp, so one commit builds the same bytes on any day."""
    saved = dict(os.environ)
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    os.environ["SOURCE_DATE_EPOCH"] = str(int(stamp.timestamp()))
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def _build(site: EngineSite, config_file: Path, site_dir: Path, incremental: Incremental | None,
           store: ByteStore | None, segments: Segments | None) -> None:
    from jinja2 import TemplateError
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    data = write_config(site, config_file)
    extensions = [*data["markdown_extensions"], superfences_extension()]
    with _collected_warnings() as collector:
        try:
            dirty = incremental is not None
            # the engine counts its own notice about dirty builds as a warning: an incremental
            # build is strict through the collector below instead
            config = load_config(str(config_file), site_dir=str(site_dir), strict=not dirty,
                                 markdown_extensions=extensions)
            search_zh = config.plugins["qunsop-search"]
            search_zh.incremental = incremental  # type: ignore[attr-defined]
            search_zh.store = store  # type: ignore[attr-defined]
            search_zh.segments = segments  # type: ignore[attr-defined]
            config.plugins.on_startup(command="build", dirty=dirty)
            try:
                build(config, dirty=dirty)
            finally:
                config.plugins.on_shutdown()
            warnings = [message for message in collector.messages if "'dirty' build" not in message]
            if dirty and warnings:
                raise EngineError(warnings)
        except MkDocsException as error:
            raise EngineError(collector.messages or [str(error)]) from None
        except (TemplateError, ValueError, KeyError) as error:  # the theme refused the settings
            raise EngineError([*collector.messages, f"{type(error).__name__}: {error}"]) from None


def change_observer() -> Any:
    """The system's file-event observer (inotify on Linux), asking for changes only: a
    build reads every source, and each read (opened, closed unwritten) would otherwise
    start another build, or cost the build time while it runs."""
    import watchdog.observers
    from watchdog import events

    changes = [events.FileModifiedEvent, events.FileCreatedEvent, events.FileDeletedEvent,
               events.FileMovedEvent, events.FileClosedEvent, events.DirCreatedEvent,
               events.DirDeletedEvent, events.DirMovedEvent]

    class ChangeObserver(watchdog.observers.Observer):  # type: ignore[misc,valid-type]
        def schedule(self, event_handler: Any, path: Any, **options: Any) -> Any:
            return super().schedule(event_handler, path, **options, event_filter=changes)

    return ChangeObserver()


def display_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def allowed_hosts(host: str, port: int) -> frozenset[str]:
    """The Host headers `qunsop serve` answers: this machine's names and the address it
    binds, each with the port it listens on (a browser sends it) or without."""
    names = {"localhost", "127.0.0.1", "[::1]", display_host(host.lower())}
    return frozenset({*names, *(f"{name}:{port}" for name in names)})


def serve_site(site_dir: Path, rebuild: Callable[[], None], watched: list[Path], host: str,
               port: int, problems: Callable[[], str | None] = lambda: None) -> None:
    """Serve `site_dir` with live reload; call `rebuild` when a watched path changes.

    While `problems()` returns a page, every HTML request gets it instead of the last
    good site, with the reload script, so the browser shows the fix as soon as it builds.
    """
    names = allowed_hosts(host, port)

    def intercept(environ: dict[str, Any]) -> Reply | None:
        if environ.get("HTTP_HOST", "").lower() not in names:
            # a page on another site whose name points at 127.0.0.1 (DNS rebinding)
            # sends its own name: it gets nothing of the preview
            return Reply("403 Forbidden", "text/plain; charset=utf-8",
                         (f"qunsop serve 只回答 http://{display_host(host)}:{port}/ 这样的地址"
                          "（Host 请求头不对）").encode())
        page = problems()
        path = environ.get("PATH_INFO", "")
        if page is None or path.startswith("/livereload/") or not (
                path.endswith("/") or path.endswith(".html")):
            return None
        return Reply("200 OK", "text/html; charset=utf-8", page.encode(), with_reload_script=True)

    server = preview_server(intercept, builder=rebuild, host=host, port=port, root=str(site_dir))
    # the engine polls every half second, scanning every watched file each time; the
    # system's file events (inotify on Linux) tell at once, and cost nothing in between
    server.observer = change_observer()
    for path in watched:
        if path.exists():
            server.watch(str(path))
    try:
        server.serve()
    except KeyboardInterrupt:
        pass  # Ctrl+C: stop at the first press (the watcher and builder threads would keep it alive)
    finally:
        server.shutdown()
