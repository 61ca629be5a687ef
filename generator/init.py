"""`qunsop init DIR`: a new organisation's project that validates and builds as it is."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from . import TEMPLATES, version
from .clock import DEFAULT_ZONE, Clock
from .errors import UsageError
from .models import ID_PATTERN
from .render import get_text_env
from .schema import write_schemas
from .settings import LINT_RULES, Words
from .write import create_inside

EXAMPLE_NAME = "路安轮胎 · 群SOP"
EXAMPLE_URL = "https://sop.luan-tyres.example/"


@dataclass(frozen=True)
class InitOptions:
    clock: Clock
    name: str | None = None
    url: str | None = None
    playbook: str | None = None
    example: bool = False


def example_root() -> Path:
    """Where the shipped example lives: inside an installed package, or this repository."""
    installed = Path(__file__).resolve().parent / "example"
    return installed if installed.is_dir() else TEMPLATES.parent


def init_project(target: Path, options: InitOptions) -> Path:
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise UsageError(f"{target} 已经存在而且不是空目录：qunsop init 只在新目录或空目录里创建项目")
    playbook = options.playbook or "my-playbook"
    if not re.match(ID_PATTERN, playbook):
        raise UsageError(f"方案 id `{playbook}` 只能用小写字母、数字和连字符")
    url = options.url or (EXAMPLE_URL if options.example else "https://sop.example.com/")
    if not re.match(r"^https?://[^\s/]+", url):
        raise UsageError(f"网址 {url} 要以 https:// 开头")
    name = options.name or (EXAMPLE_NAME if options.example else "群SOP")
    start = options.clock.today_in(DEFAULT_ZONE)  # the new playbook's zone
    values = {"name": name, "url": url if url.endswith("/") else url + "/", "playbook": playbook,
              "start": start.isoformat(), "end": (start + dt.timedelta(days=27)).isoformat(),
              "rules": LINT_RULES, "version": version(),
              "words": [(key, getattr(Words(), key), info.title) for key, info in Words.model_fields.items()]}
    target.mkdir(parents=True, exist_ok=True)
    env = get_text_env()

    def write(relative: str, template: str) -> None:
        """`.j2` templates are filled in; other files are copied as they are."""
        data = env.get_template(f"init/{template}").render(**values).encode() \
            if template.endswith(".j2") else (TEMPLATES / "init" / template).read_bytes()
        create_inside(target, relative, data)

    write("mkdocs.yml", "mkdocs.yml.j2")
    write("qunsop.yaml", "qunsop.yaml.j2")
    write(".gitignore", "gitignore")
    write(".pre-commit-config.yaml", "pre-commit-config.yaml")
    write(".github/workflows/content.yml", "content.yml")
    write("requirements.txt", "requirements.txt.j2")
    (target / "CONTRIBUTING.md").write_text(contributing(env.get_template("init/contributing-setup.md.j2")
                                                        .render(**values), playbook), encoding="utf-8")
    if options.example:
        source = example_root()
        for folder in ("playbooks", "content_library", "data"):  # data/: synthetic statistics
            if (source / folder).is_dir():
                shutil.copytree(source / folder, target / folder,
                                ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    else:
        write("content_library/placeholders.yaml", "placeholders.yaml.j2")
        write("content_library/banned_words.txt", "banned_words.txt.j2")
        write(f"playbooks/{playbook}/playbook.yaml", "playbook.yaml.j2")
        write(f"playbooks/{playbook}/tiers/c-members.yaml", "tier.yaml.j2")
        write(f"playbooks/{playbook}/calendars/c-members-daily.yaml", "calendar.yaml.j2")
        write("content_library/posts/needed/welcome-tips.md", "post.md.j2")
        for folder in ("content_library/assets", "content_library/games", "content_library/replies"):
            create_inside(target, f"{folder}/.gitkeep", b"")
    write_schemas(target / "schemas")
    return target


SETUP_SECTION = re.compile(r"^## 准备\n.*?(?=^## )", re.M | re.S)


def contributing(setup: str, playbook: str) -> str:
    """The editors' guide for this project: the repository's guide with its own setup section
    (the project's venv and requirements.txt, no Makefile) and its own playbook id."""
    text = (TEMPLATES / "init" / "CONTRIBUTING.md").read_text(encoding="utf-8")
    text, replaced = SETUP_SECTION.subn(lambda _match: setup, text, count=1)
    assert replaced == 1, "CONTRIBUTING.md has no `## 准备` section"
    return text.replace("my-playbook", playbook)
