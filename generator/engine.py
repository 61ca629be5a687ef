"""The one place that calls the site engine (MkDocs + Material).

Material for MkDocs announced its end of life for 2027; the generated docs
are plain Markdown plus an mkdocs.yml, so swapping the engine means changing
this module only.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from pathlib import Path


class EngineError(Exception):
    """The site engine refused the generated pages (e.g. a broken link in strict mode)."""

    def __init__(self, messages: list[str]) -> None:
        self.messages = messages
        super().__init__("\n".join(messages))


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def build_site(config_file: Path, site_dir: Path) -> None:
    """Run a strict MkDocs build of `config_file` into `site_dir`."""
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    collector = _Collect()
    logger = logging.getLogger("mkdocs")
    logger.addHandler(collector)
    previous_level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        config = load_config(str(config_file), site_dir=str(site_dir), strict=True)
        config.plugins.on_startup(command="build", dirty=False)
        try:
            build(config)
        finally:
            config.plugins.on_shutdown()
    except MkDocsException as error:
        raise EngineError(collector.messages or [str(error)]) from None
    finally:
        logger.removeHandler(collector)
        logger.setLevel(previous_level)


def serve_site(site_dir: Path, rebuild: Callable[[], None], watched: list[Path],
               host: str, port: int) -> None:
    """Serve `site_dir` with live reload; call `rebuild` when a watched path changes."""
    from mkdocs.livereload import LiveReloadServer

    server = LiveReloadServer(builder=rebuild, host=host, port=port, root=str(site_dir))
    for path in watched:
        if path.exists():
            server.watch(str(path))
    server.serve()
