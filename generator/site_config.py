"""mkdocs.yml as an editor may write it: the allow-listed settings and their checks.

Plain data at the bottom of the pipeline (validate and resolve read it); the MkDocs adapter
(engine.py) turns the checked settings into the engine's config. The theme's own facts it
needs (its interface languages) come from engine_hooks.py.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path, PurePosixPath
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import AfterValidator, Field, ValidationInfo, WithJsonSchema, field_validator

from .engine_hooks import theme_languages
from .media import SAFE_PATH
from .models import Model, Text

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
