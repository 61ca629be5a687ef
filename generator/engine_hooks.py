"""Every place qunsop reaches into MkDocs' or Material's private internals, one function each.

The rest of qunsop uses the engines' public interfaces (config, plugins, build, the
LiveReloadServer constructor). What is private is wrapped here, and CHECKS holds a check
for each hook: tests/test_engine_contract.py runs them, so an upgrade that moves or renames
one fails there with the hook's name, not somewhere in a build. The versions these hooks
were written against are pinned exactly in pyproject.toml (PINNED below must match).
"""

from __future__ import annotations

import functools
import inspect
import operator
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any

import jinja2

PINNED = {"mkdocs": "1.6.1", "mkdocs-material": "9.8.2"}


class EngineError(Exception):
    """The site engine refused the generated pages (e.g. a broken link in strict mode)."""

    def __init__(self, messages: list[str]) -> None:
        self.messages = messages
        super().__init__("\n".join(messages))


class HookBroken(EngineError):
    """An engine upgrade changed an internal qunsop relies on."""

    def __init__(self, hook: str, what: str) -> None:
        super().__init__([f"网站引擎升级后，qunsop 用到的内部接口 {hook} 变了（{what}）："
                          f"请装回 pyproject.toml 固定的版本（mkdocs {PINNED['mkdocs']}，"
                          f"mkdocs-material {PINNED['mkdocs-material']}）"])
        self.hook = hook


# --- Material: the theme's files --------------------------------------------------------


def _theme_folder() -> Path:
    return Path(str(files("material"))) / "templates"


def theme_languages() -> list[str]:
    """The interface languages the installed theme has (its partials/languages/*.html)."""
    folder = _theme_folder() / "partials" / "languages"
    if not folder.is_dir():
        raise HookBroken("material/templates/partials/languages", "找不到界面语言文件夹")
    return sorted(entry.name.removesuffix(".html") for entry in folder.iterdir()
                  if entry.name.endswith(".html"))


def theme_search_worker() -> str:
    """Where the theme loads its search worker from (a hashed file name): qunsop's own worker
    is published under that name, so the theme's search box talks to it."""
    workers = sorted((_theme_folder() / "assets/javascripts/workers").glob("search.*.min.js"))
    if len(workers) != 1:
        raise HookBroken("material/templates/assets/javascripts/workers/search.*.min.js",
                         f"找到 {len(workers)} 个搜索 worker 文件，应该正好 1 个")
    return f"assets/javascripts/workers/{workers[0].name}"


# --- Material: the search plugin ----------------------------------------------------------


def forget_previous_search_index(search_plugin: Any) -> None:
    """The theme's search keeps its last index in a plugin instance the engine shares across
    builds of one process (serve, tests) and merges it into the next dirty build, even of
    another project: qunsop merges the published index itself."""
    if not hasattr(search_plugin, "search_index_prev"):
        raise HookBroken("material.plugins.search.SearchPlugin.search_index_prev", "属性不存在")
    search_plugin.search_index_prev = None


def leave_chinese_unsplit(search_index: Any) -> None:
    """This build's index instance only: the theme's own word cutting (jieba.cut, coarser than
    qunsop's) is turned off; qunsop cuts the entries after the build, in one go."""
    if not callable(getattr(search_index, "_segment_chinese", None)):
        raise HookBroken("material.plugins.search.SearchIndex._segment_chinese", "方法不存在")
    search_index._segment_chinese = str


# --- MkDocs: the dirty build -----------------------------------------------------------------


def render_only(files: Iterable[Any], changed: set[str]) -> None:
    """The engine's dirty build renders a file when its `is_modified()` says so (by comparing
    times with site_dir); qunsop's build state knows which docs changed, so each file of this
    build answers from that set instead."""
    for file in files:
        if not callable(getattr(file, "is_modified", None)):
            raise HookBroken("mkdocs.structure.files.File.is_modified", "方法不存在")
        file.is_modified = functools.partial(operator.contains, changed, file.src_uri)


# --- MkDocs: the theme's static files --------------------------------------------------------


def list_theme_files_without_dot_folders(theme: Any) -> None:
    """The engine lists every file of the theme's folders each build to find the static files
    it copies, then drops those in dot folders. Material's templates hold 14,500 files, all but
    161 of them its icons under .icons/: 0.2 s a build. This theme's template environments list
    its files without walking dot folders (a template still includes an icon as before)."""
    if not callable(getattr(theme, "get_env", None)):
        raise HookBroken("mkdocs.theme.Theme.get_env", "方法不存在")
    make_env = theme.get_env

    def get_env() -> Any:
        env = make_env()
        loader = env.loader
        if type(loader) is not jinja2.FileSystemLoader:
            raise HookBroken("mkdocs.theme.Theme.get_env", f"模板加载器是 {type(loader).__name__}")
        env.loader = ThemeFiles(loader.searchpath, loader.encoding, loader.followlinks)
        return env

    theme.get_env = get_env


class ThemeFiles(jinja2.FileSystemLoader):
    """A FileSystemLoader whose list of files leaves out dot folders (see above)."""

    def list_templates(self) -> list[str]:
        found: set[str] = set()
        for folder in self.searchpath:
            for path, folders, names in os.walk(folder, followlinks=self.followlinks):
                folders[:] = [name for name in folders if not name.startswith(".")]
                found.update(os.path.relpath(os.path.join(path, name), folder).replace(os.sep, "/")
                             for name in names)
        return sorted(found)


# --- MkDocs: the preview server -------------------------------------------------------------


@dataclass(frozen=True)
class Reply:
    """A response the preview server sends instead of a file of the site."""

    status: str
    content_type: str
    body: bytes
    with_reload_script: bool = False  # an HTML page that reloads itself when the site rebuilds


Intercept = Callable[[dict[str, Any]], Reply | None]
_SERVER_PRIVATES = ("_serve_request", "_inject_js_into_html")
_SERVER_STATE = ("_epoch_cond", "_visible_epoch")


def preview_server(intercept: Intercept, **options: Any) -> Any:
    """MkDocs' LiveReloadServer (options as its constructor takes them), where `intercept`
    may answer a request first (a refusal, or the page that shows the build's problems)."""
    from mkdocs.livereload import LiveReloadServer

    missing = [name for name in _SERVER_PRIVATES if not hasattr(LiveReloadServer, name)]
    if missing:
        raise HookBroken(f"mkdocs.livereload.LiveReloadServer.{missing[0]}", "方法不存在")

    class Server(LiveReloadServer):
        def _serve_request(self, environ: Any, start_response: Any) -> Iterable[bytes] | None:
            reply = intercept(environ)
            if reply is None:
                return super()._serve_request(environ, start_response)
            body = reply.body
            if reply.with_reload_script:
                with self._epoch_cond:
                    epoch = self._visible_epoch
                body = self._inject_js_into_html(body, epoch)  # type: ignore[no-untyped-call]
            start_response(reply.status, [("Content-Type", reply.content_type),
                                          ("Content-Length", str(len(body)))])
            return [body]

    server = Server(**options)
    missing = [name for name in _SERVER_STATE if not hasattr(server, name)]
    if missing:
        raise HookBroken(f"mkdocs.livereload.LiveReloadServer.{missing[0]}", "属性不存在")
    return server


# --- the contract -----------------------------------------------------------------------------


def _check_search_plugin() -> None:
    from material.plugins.search.plugin import SearchIndex, SearchPlugin

    forget_previous_search_index(SearchPlugin())
    leave_chinese_unsplit(SearchIndex())
    if "search_index_prev" not in inspect.getsource(SearchPlugin.on_post_build):
        raise HookBroken("material.plugins.search.SearchPlugin.search_index_prev",
                         "on_post_build 不再读取它")
    if "_segment_chinese" not in inspect.getsource(SearchIndex):
        raise HookBroken("material.plugins.search.SearchIndex._segment_chinese", "索引不再调用它")


def _check_preview_server() -> None:
    server = preview_server(lambda environ: None, builder=lambda: None, host="127.0.0.1", port=0,
                            root=".")
    server.server_close()
    from mkdocs.livereload import LiveReloadServer

    if "_visible_epoch" not in inspect.getsource(LiveReloadServer._serve_request):
        raise HookBroken("mkdocs.livereload.LiveReloadServer._serve_request",
                         "不再按 _visible_epoch 注入刷新脚本")


def _check_dirty_build() -> None:
    from mkdocs.commands import build
    from mkdocs.structure.files import File

    file = File("a.md", "docs", "site", use_directory_urls=True)
    render_only([file], {"a.md"})
    if not file.is_modified() or "is_modified" not in inspect.getsource(build):
        raise HookBroken("mkdocs.structure.files.File.is_modified", "脏构建不再按它决定重新生成哪些页面")


def _check_theme_files() -> None:
    from mkdocs.structure.files import Files
    from mkdocs.theme import Theme

    theme = Theme(name="material")
    list_theme_files_without_dot_folders(theme)
    listed = theme.get_env().list_templates()
    if "main.html" not in listed or any(part.startswith(".") for name in listed for part in name.split("/")):
        raise HookBroken("mkdocs.theme.Theme.get_env", "主题文件列表不对")
    if "'*/.*'" not in inspect.getsource(Files.add_files_from_theme):
        raise HookBroken("mkdocs.structure.files.Files.add_files_from_theme", "不再跳过点开头的文件夹")


def _check_versions() -> None:
    from importlib.metadata import version

    for name, pinned in PINNED.items():
        if version(name) != pinned:
            raise HookBroken(f"{name}=={pinned}", f"装的是 {version(name)}")


# hook name → a check that raises HookBroken naming the hook when the installed engine breaks it
CHECKS: dict[str, Callable[[], Any]] = {
    "pinned versions": _check_versions,
    "theme languages": theme_languages,
    "theme search worker": theme_search_worker,
    "search plugin": _check_search_plugin,
    "preview server": _check_preview_server,
    "dirty build": _check_dirty_build,
    "theme files": _check_theme_files,
}
