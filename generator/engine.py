"""The one place that knows the site engine (MkDocs + Material).

Everything engine-specific lives here: which keys of `mkdocs.yml` an editor
may set (an allow-list, read with qunsop's own safe loader like every other
source), the engine config qunsop writes, page front matter, and the build
call. Material for MkDocs announced its end of life for 2027; the generated
docs are plain Markdown, so swapping the engine means changing this module
and search_zh.py only. No other module imports mkdocs or material.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Annotated, Any, Literal
from urllib.parse import urlsplit

import yaml
from pydantic import AfterValidator, Field, ValidationInfo, WithJsonSchema, field_validator

from .cache import ByteStore
from .media import SAFE_PATH
from .models import Model, Text

if TYPE_CHECKING:
    from .segment import Segments

SITE_CONFIG_FILE = "mkdocs.yml"
PLACEHOLDER_HOSTS = (".example", ".invalid", ".test", ".localhost", "localhost", "example.com",
                     "example.org", "example.net", "127.0.0.1")

# Plugins an editor may list, with their options as plain data. Anything else could
# run code during the build or fetch from the network.
ALLOWED_PLUGINS = frozenset({"search", "tags", "offline", "qunsop-search"})
# Markdown extensions an editor may list (options must be plain data: no !!python tags).
ALLOWED_EXTENSIONS = frozenset({
    "abbr", "admonition", "attr_list", "def_list", "footnotes", "md_in_html", "tables", "toc",
    "pymdownx.betterem", "pymdownx.caret", "pymdownx.critic", "pymdownx.details",
    "pymdownx.highlight", "pymdownx.inlinehilite", "pymdownx.keys", "pymdownx.mark",
    "pymdownx.smartsymbols", "pymdownx.superfences", "pymdownx.tabbed", "pymdownx.tasklist",
    "pymdownx.tilde",
})
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
OWNED_KEYS = {
    "nav": "导航由 qunsop 按方案自动生成",
    "docs_dir": "文档目录由 qunsop 生成",
    "site_dir": "输出目录请用 qunsop build --site-dir 指定",
    "INHERIT": "qunsop 不读取其他配置文件",
    "validation": "链接检查由 qunsop 设置",
    "dev_addr": "预览地址请用 qunsop serve --port 指定",
    "watch": "qunsop serve 自己决定监视哪些文件",
    "strict": "qunsop 总是严格模式构建",
}


class EngineError(Exception):
    """The site engine refused the generated pages (e.g. a broken link in strict mode)."""

    def __init__(self, messages: list[str]) -> None:
        self.messages = messages
        super().__init__("\n".join(messages))


# --- mkdocs.yml: what an editor may set ------------------------------------------------


def theme_languages() -> list[str]:
    """The interface languages the installed theme has."""
    from importlib.resources import files

    folder = files("material") / "templates" / "partials" / "languages"
    return sorted(entry.name.removesuffix(".html") for entry in folder.iterdir()
                  if entry.name.endswith(".html"))


# The theme prints many settings into HTML attributes and scripts without escaping them, so
# every value that reaches it is either escaped here (texts) or limited to characters that
# cannot end an attribute or a string (names, colours, URLs, paths).
UNSAFE_IN_URL = re.compile(r"[\s\"'<>`\\{}|^]")


def matching(pattern: str, what: str, example: str) -> Any:
    """A string type limited to `pattern`, refused with a Chinese message naming `what`."""
    compiled = re.compile(pattern)

    def check(value: str) -> str:
        if not compiled.match(value):
            raise ValueError(f"{what}里有不允许的字符，例如可以写 {example}，现在是 {value!r}")
        return value

    return Annotated[str, AfterValidator(check), WithJsonSchema({"type": "string", "pattern": pattern})]


Colour = matching(r"^[a-z]+( [a-z]+)*$", "颜色名", "green 或 deep orange")
Icon = matching(r"^[a-z0-9-]+(/[a-z0-9-]+)+$", "图标名", "material/brightness-7")
Feature = matching(r"^[a-z]+(\.[a-z]+)*$", "主题功能名", "navigation.sections")
# no escapes in these patterns: a JSON Schema regex is ECMA-262 in Unicode mode, where `\"` is an error
PlainLabel = matching("^[^<>\"'&]+$", "说明文字", "切换到深色模式")
MediaQuery = matching(r"^[a-z0-9():, -]*$", "生效条件", "(prefers-color-scheme: dark)")
SchemeName = matching(r"^[a-z0-9-]+$", "配色方案名", "default 或 slate")
EditPath = matching(r"^[A-Za-z0-9._~/-]+$", "编辑链接路径", "edit/main/docs/")


def safe_url(value: str, schemes: tuple[str, ...] = ("http", "https")) -> str:
    """An absolute URL of one of `schemes`, with nothing that could end an HTML attribute."""
    parts = urlsplit(value)
    if parts.scheme not in schemes or (parts.scheme in ("http", "https") and not parts.netloc) \
            or UNSAFE_IN_URL.search(value):
        raise ValueError(f"必须是以 {' 或 '.join(s + ':' for s in schemes)} 开头的完整网址，"
                         f"不能有空格、引号或尖括号，现在是 {value!r}")
    return value


class PaletteToggle(Model):
    icon: Icon = Field(title="图标", description="如 material/brightness-7")  # type: ignore[valid-type]
    name: PlainLabel = Field(title="切换按钮的说明")  # type: ignore[valid-type]


class PaletteOption(Model):
    media: MediaQuery | None = Field(default=None, title="生效条件")  # type: ignore[valid-type]
    scheme: SchemeName | None = Field(default=None, title="配色方案")  # type: ignore[valid-type]
    primary: Colour | None = Field(default=None, title="主色", description="如 green")  # type: ignore[valid-type]
    accent: Colour | None = Field(default=None, title="强调色", description="如 orange")  # type: ignore[valid-type]
    toggle: PaletteToggle | None = Field(default=None, title="明暗切换按钮")


def one_or_list(schema: dict[str, Any]) -> None:
    """JSON Schema of a list field that also accepts one item written on its own."""
    item = schema.pop("items")
    schema.pop("type")
    schema["anyOf"] = [item, {"type": "array", "items": item}]


class ThemeSettings(Model):
    name: Literal["material"] = Field(default="material", title="主题")
    language: str = Field(default="zh", pattern=r"^[a-z]{2}(-[A-Za-z]+)?$", title="界面语言")

    @field_validator("language")
    @classmethod
    def known_language(cls, value: str) -> str:
        known = theme_languages()
        if value not in known:
            raise ValueError(f"主题没有界面语言 `{value}`：中文写 zh，繁体写 zh-Hant")
        return value
    font: Literal[False] = Field(
        default=False, title="字体",
        description="只能是 false：网络字体要从境外服务器加载，在微信里和内网都打不开")
    palette: list[PaletteOption] = Field(
        default_factory=list, title="配色", json_schema_extra=one_or_list,
        description="一组颜色（primary、accent），或明暗两套配色的列表")
    features: list[Feature] = Field(  # type: ignore[valid-type]
        default_factory=list, title="主题功能", description="如 navigation.sections")

    @field_validator("font", mode="before")
    @classmethod
    def no_web_font(cls, value: object) -> object:
        if value is not False:
            raise ValueError("font 只能写 false：网络字体要从境外服务器加载，在微信里和内网都打不开")
        return value

    @field_validator("palette", mode="before")
    @classmethod
    def one_palette(cls, value: object) -> object:
        return [value] if isinstance(value, dict) else value

    def palette_config(self) -> dict[str, Any] | list[dict[str, Any]]:
        """One palette as the theme expects it (a mapping), or the list of switchable ones."""
        options = [option.model_dump(exclude_none=True) for option in self.palette]
        if len(options) == 1 and "toggle" not in options[0]:
            return options[0]
        return options


class SocialLink(Model):
    icon: Icon = Field(title="图标", description="如 fontawesome/brands/weixin")  # type: ignore[valid-type]
    link: str = Field(title="链接", description="https:// 网址或 mailto: 邮箱")
    name: str = Field(default="", title="说明")

    @field_validator("link")
    @classmethod
    def http_or_mail(cls, value: str) -> str:
        return safe_url(value, ("http", "https", "mailto"))


class ExtraSettings(Model):
    """`extra:` of mkdocs.yml: only the theme settings that cannot load or run anything.

    Analytics, consent banners, version selectors, alternate languages and `scope` load
    remote scripts or are printed into a script, so they are not accepted.
    """

    generator: bool = Field(default=True, title="页脚显示“Made with Material for MkDocs”")
    homepage: str | None = Field(default=None, title="Logo 链接到的网址")
    social: list[SocialLink] = Field(default_factory=list, title="页脚的社交链接")

    @field_validator("homepage")
    @classmethod
    def http_homepage(cls, value: str | None) -> str | None:
        return None if value is None else safe_url(value)


def allowed_in(allowed: frozenset[str], refusal: str) -> Callable[[Any], Any]:
    """A validator refusing any entry of a plugin or extension list not in `allowed`."""
    def check(entry: Any) -> Any:
        for name in entry_names([entry]):
            if name not in allowed:
                raise ValueError(f"{refusal.format(name=name)}{'、'.join(sorted(allowed))}")
        return entry
    return check


allowed_plugin = allowed_in(ALLOWED_PLUGINS, "不允许的插件 `{name}`：插件会在构建时运行代码，只能用 ")
allowed_extension = allowed_in(ALLOWED_EXTENSIONS, "不允许的 Markdown 扩展 `{name}`：可以用 ")


def local_file(path: str) -> str:
    parts = PurePosixPath(path)
    if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:|^//", path) or parts.is_absolute() or ".." in parts.parts:
        raise ValueError(f"`{path}` 必须是项目里的相对路径：不能从其他网站加载")
    if not SAFE_PATH.match(path):
        raise ValueError(f"`{path}` 里有不允许的字符：只能用字母、汉字、数字、点、连字符和下划线")
    return path


# each entry is checked on its own, so a refusal points at the entry's own line
PluginEntry = Annotated[str | dict[str, dict[str, Any] | None], AfterValidator(allowed_plugin)]
ExtensionEntry = Annotated[str | dict[str, dict[str, Any] | None], AfterValidator(allowed_extension)]
LocalFile = Annotated[str, Field(min_length=1), AfterValidator(local_file)]


class SiteSettings(Model):
    """mkdocs.yml: the SOP site's name, address and look. qunsop writes the rest."""

    site_name: Text = Field(title="网站名称")
    site_url: Text = Field(title="网站地址", description="发布后的网址，二维码和日历订阅都指向这里")
    site_description: str = Field(default="", title="网站简介")
    site_author: str = Field(default="", title="作者")
    copyright: str = Field(default="", title="版权信息")
    repo_url: str | None = Field(default=None, title="仓库地址")
    repo_name: str | None = Field(default=None, title="仓库名称")
    edit_uri: EditPath | None = Field(default=None, title="编辑链接路径")  # type: ignore[valid-type]
    use_directory_urls: Literal[True] = Field(default=True, title="目录式网址（必须为 true）")
    theme: ThemeSettings = Field(default_factory=ThemeSettings, title="主题")
    plugins: list[PluginEntry] = Field(default_factory=list, title="插件")
    markdown_extensions: list[ExtensionEntry] = Field(
        default_factory=list, title="Markdown 扩展")
    extra: ExtraSettings = Field(default_factory=ExtraSettings, title="主题的额外设置")
    extra_css: list[LocalFile] = Field(
        default_factory=list, title="额外样式表（项目里的文件）")
    extra_javascript: list[LocalFile] = Field(
        default_factory=list, title="额外脚本",
        description="默认拒绝：需要维护者用 qunsop build --allow-scripts 明确允许")
    hooks: list[LocalFile] = Field(
        default_factory=list, title="MkDocs hooks",
        description="默认拒绝：需要维护者用 qunsop build --allow-scripts 明确允许")
    nav: None = None
    docs_dir: None = None
    site_dir: None = None
    INHERIT: None = None
    validation: None = None
    dev_addr: None = None
    watch: None = None
    strict: None = None

    @field_validator(*OWNED_KEYS, mode="before")
    @classmethod
    def owned_by_qunsop(cls, value: object, info: ValidationInfo) -> object:
        raise ValueError(f"请删除 `{info.field_name}`：{OWNED_KEYS[info.field_name or '']}")

    @field_validator("site_url")
    @classmethod
    def http_url(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc or UNSAFE_IN_URL.search(value):
            raise ValueError(f"网站地址必须以 https:// 或 http:// 开头，不能有空格、引号或尖括号，"
                             f"现在是 {value!r}")
        return value if value.endswith("/") else value + "/"

    @field_validator("repo_url")
    @classmethod
    def http_repo(cls, value: str | None) -> str | None:
        if value is not None and (urlsplit(value).scheme not in ("http", "https")
                                  or UNSAFE_IN_URL.search(value)):
            raise ValueError("仓库地址必须以 https:// 开头，不能有空格、引号或尖括号")
        return value


def entry_names(entries: list[Any]) -> Iterator[str]:
    for entry in entries:
        if isinstance(entry, str):
            yield entry
        else:
            yield from entry


def site_url_warning(url: str) -> str | None:
    """A warning when the site's address is a placeholder nobody can open."""
    host = (urlsplit(url).hostname or "").lower()
    if host.endswith(PLACEHOLDER_HOSTS) or host in PLACEHOLDER_HOSTS:
        return (f"网站地址 {url} 是一个示例地址：二维码和日历订阅会指向一个打不开的网址，"
                "发布前请改成真实网址")
    return None


Finding = tuple[tuple[str | int, ...], str, str, str]  # field path, code, message, severity


def site_findings(settings: SiteSettings, root: Path, allow_scripts: bool) -> list[Finding]:
    """Checks of mkdocs.yml that need more than its own values: files, the opt-in, the URL."""
    findings: list[Finding] = []
    warning = site_url_warning(settings.site_url)
    if warning:
        findings.append((("site_url",), "placeholder-url", warning, "warning"))
    for field_name in ("hooks", "extra_javascript"):
        for number, _path in enumerate(getattr(settings, field_name)):
            if not allow_scripts:
                findings.append(((field_name, number), "scripts-refused",
                                 f"{field_name} 会在构建时或读者的浏览器里运行代码，默认不允许："
                                 "维护者确认安全后，用 qunsop build --allow-scripts 构建", "error"))
    for field_name in ("extra_css", *(("hooks", "extra_javascript") if allow_scripts else ())):
        for number, path in enumerate(getattr(settings, field_name)):
            if not (root / path).is_file():
                findings.append(((field_name, number), "missing-file",
                                 f"找不到文件 {path}（相对项目根目录）", "error"))
    return findings


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
    from .write import write_file

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
    import material

    workers = Path(material.__file__).parent / "templates/assets/javascripts/workers"
    return f"assets/javascripts/workers/{next(workers.glob('search.*.min.js')).name}"


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
    from mkdocs.livereload import LiveReloadServer

    names = allowed_hosts(host, port)

    class Server(LiveReloadServer):
        def _serve_request(self, environ: Any, start_response: Any) -> Any:
            if environ.get("HTTP_HOST", "").lower() not in names:
                # a page on another site whose name points at 127.0.0.1 (DNS rebinding)
                # sends its own name: it gets nothing of the preview
                refusal = (f"qunsop serve 只回答 http://{display_host(host)}:{port}/ 这样的地址"
                           "（Host 请求头不对）").encode()
                start_response("403 Forbidden", [("Content-Type", "text/plain; charset=utf-8"),
                                                 ("Content-Length", str(len(refusal)))])
                return [refusal]
            page = problems()
            path = environ.get("PATH_INFO", "")
            if page is None or path.startswith("/livereload/") or not (
                    path.endswith("/") or path.endswith(".html")):
                return super()._serve_request(environ, start_response)
            with self._epoch_cond:
                epoch = self._visible_epoch
            content = self._inject_js_into_html(page.encode(), epoch)  # type: ignore[no-untyped-call]
            start_response("200 OK", [("Content-Type", "text/html; charset=utf-8"),
                                      ("Content-Length", str(len(content)))])
            return [content]

    server = Server(builder=rebuild, host=host, port=port, root=str(site_dir))
    # the engine polls every half second, scanning every watched file each time; the
    # system's file events (inotify on Linux) tell at once, and cost nothing in between
    server.observer = change_observer()
    for path in watched:
        if path.exists():
            server.watch(str(path))
    try:
        server.serve()  # type: ignore[no-untyped-call]
    except KeyboardInterrupt:
        pass  # Ctrl+C: stop at the first press (the watcher and builder threads would keep it alive)
    finally:
        server.shutdown()
