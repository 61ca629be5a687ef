"""Issue 11, class 3 of the issue ("config files are inputs too"): mkdocs.yml,
qunsop.yaml and banned_words.txt arrive through pull requests like content.

qunsop reads them with its own safe loader and model before MkDocs sees them:
Python tags, hooks, plugins and Markdown extensions outside the allow-list,
remote or odd-named scripts and styles, keys qunsop owns, theme settings the
theme prints unescaped into HTML or scripts, and non-http addresses are refused
at their line. Texts the theme prints (site name, copyright…) are escaped.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import MINIMAL, Run
from safety import copy_minimal, live_markup, located, outside_outputs, qunsop, qunsop_many, validate

SITE = (MINIMAL / "mkdocs.yml").read_text(encoding="utf-8")
SITE_LINES = len(SITE.splitlines())  # an appended key is on the next line


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return copy_minimal(tmp_path / "project")


def run_with_site(project: Path, text: str, command: str = "validate", *flags: str) -> Run:
    (project / "mkdocs.yml").write_text(text, encoding="utf-8")
    before = outside_outputs(project)
    args = [command, str(project), *flags]
    run = qunsop(*args, "--format", "json") if command == "validate" else qunsop(*args)
    assert "Traceback" not in run.output and "内部错误" not in run.output, run.output
    assert outside_outputs(project) == before
    return run


# --- code from mkdocs.yml never runs -----------------------------------------------------------


@pytest.mark.parametrize("tag", [
    "!!python/object/apply:os.system ['touch {proof}']",
    "!!python/object/new:os.system ['touch {proof}']",
    "!!python/name:os.system",
    "!!python/module:os",
    "!ENV [HOME]",
    "!relative $config_dir",
])
def test_python_and_mkdocs_tags_are_refused_and_never_run(project: Path, tmp_path: Path, tag: str) -> None:
    proof = tmp_path / "PWNED"
    text = SITE + f"extra: {tag.format(proof=proof)}\n"
    run = run_with_site(project, text, "build")
    assert run.exit_code == 1, run.output
    assert f"{SITE_LINES + 1}:8" in run.stdout and "extra" in run.stdout and "unsafe-tag" in run.stdout
    assert not proof.exists() and not (project / "site").exists()


def test_hooks_are_refused_unless_the_maintainer_allows_scripts(
        project: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    proof = tmp_path_factory.mktemp("hook") / "HOOK-RAN"  # not next to the project: it is watched
    (project / "hook.py").write_text(
        f"from pathlib import Path\n\ndef on_config(config):\n    Path({str(proof)!r}).touch()\n",
        encoding="utf-8")
    text = SITE + "hooks:\n  - hook.py\n"
    run = run_with_site(project, text, "build")
    assert run.exit_code == 1, run.output
    assert f"{SITE_LINES + 2}:5" in run.stdout and "--allow-scripts" in run.stdout, run.output
    assert not proof.exists()
    allowed = qunsop("build", str(project), "--allow-scripts")
    assert allowed.exit_code == 0, allowed.output
    assert proof.exists()


def test_local_scripts_need_the_opt_in_too(project: Path) -> None:
    (project / "extra.js").write_text("console.log('x')\n", encoding="utf-8")
    run = run_with_site(project, SITE + "extra_javascript:\n  - extra.js\n")
    assert run.exit_code == 1
    located(run, "mkdocs.yml", "scripts-refused", SITE_LINES + 2, path="extra_javascript[0]")
    allowed = qunsop("validate", str(project), "--allow-scripts", "--format", "json")
    assert allowed.exit_code == 0, allowed.output


# --- what mkdocs.yml may say --------------------------------------------------------------------

REFUSED = {
    # case: (appended YAML, code, field path, words in the message, line offset, column)
    "plugin": ("plugins:\n  - search\n  - macros\n", "invalid-value", "plugins[1]", "macros", 3, 5),
    "plugin-options": ("plugins:\n  - mkdocstrings: {}\n", "invalid-value", "plugins[0]", "mkdocstrings",
                       2, 5),
    "snippets": ("markdown_extensions:\n  - pymdownx.snippets\n", "invalid-value", "markdown_extensions[0]",
                 "pymdownx.snippets", 2, 5),
    "extension-tag": ("markdown_extensions:\n  - toc:\n      slugify: !!python/name:os.getcwd\n",
                      "unsafe-tag", "markdown_extensions[0].toc.slugify", "python/name", 3, 16),
    "remote-js": ("extra_javascript:\n  - https://evil.example/x.js\n", "invalid-value",
                  "extra_javascript[0]", "不能从其他网站加载", 2, 5),
    "protocol-relative-css": ("extra_css:\n  - //evil.example/x.css\n", "invalid-value", "extra_css[0]",
                              "不能从其他网站加载", 2, 5),
    "css-out-of-project": ("extra_css:\n  - ../other/x.css\n", "invalid-value", "extra_css[0]", "相对路径",
                           2, 5),
    "css-odd-name": ("extra_css:\n  - 'a\" onload=\"x.css'\n", "invalid-value", "extra_css[0]",
                     "不允许的字符", 2, 5),
    "hook-odd-name": ("hooks:\n  - '../../x.py'\n", "invalid-value", "hooks[0]", "相对路径", 2, 5),
    "nav": ("nav:\n  - a.md\n", "invalid-value", "nav", "请删除", 2, 3),
    "inherit": ("INHERIT: ../base.yml\n", "invalid-value", "INHERIT", "请删除", 1, None),
    "docs-dir": ("docs_dir: content_library\n", "invalid-value", "docs_dir", "请删除", 1, None),
    "site-dir": ("site_dir: /tmp/elsewhere\n", "invalid-value", "site_dir", "--site-dir", 1, None),
    "strict": ("strict: false\n", "invalid-value", "strict", "请删除", 1, None),
    "unknown-key": ("sitename: 拼错了\n", "unknown-field", "sitename", "site_name", 1, 1),
    "font": ("theme:\n  name: material\n  font: {text: Roboto}\n", "invalid-value", "theme.font",
             "font 只能写 false", 3, 9),
    "analytics": ("extra:\n  analytics: {provider: google, property: G-1}\n", "unknown-field",
                  "extra.analytics", "analytics", 2, 3),
    "scope": ("extra:\n  scope: '\"),alert(1),(\"'\n", "unknown-field", "extra.scope", "scope", 2, 3),
    "homepage": ("extra:\n  homepage: 'javascript:alert(1)'\n", "invalid-value", "extra.homepage",
                 "https:", 2, 13),
    "social": ("extra:\n  social:\n    - {icon: fontawesome/brands/weixin, link: 'javascript:x'}\n",
               "invalid-value", "extra.social[0].link", "mailto:", 3, 47),
    "edit-uri": ("edit_uri: 'edit\" onclick=\"x'\n", "invalid-value", "edit_uri", "编辑链接路径", 1, 11),
    "repo-url": ("repo_url: 'javascript:alert(1)'\n", "invalid-value", "repo_url", "https://", 1, 11),
    "feature": ("theme:\n  name: material\n  features: ['x\" onclick=\"y']\n", "invalid-value",
                "theme.features[0]", "主题功能名", 3, 14),
}


def refused_batches() -> list[list[str]]:
    """Cases grouped so that no two in a group set the same top-level key (one run each);
    a case that stops the file from loading (a tag) runs alone."""
    batches: list[list[str]] = []
    for case in sorted(REFUSED):
        appended, code = REFUSED[case][0], REFUSED[case][1]
        key = appended.split(":")[0]
        for batch in batches:
            keys = {REFUSED[other][0].split(":")[0] for other in batch}
            if code != "unsafe-tag" and key not in keys and all(
                    REFUSED[other][1] != "unsafe-tag" for other in batch):
                batch.append(case)
                break
        else:
            batches.append([case])
    return batches


@pytest.fixture(scope="module")
def refused_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Run, int]]:
    """Each batch of refused settings in one mkdocs.yml (without its theme), validated once."""
    base = SITE.split("\ntheme:")[0] + "\n"
    roots, starts = [], {}
    for number, batch in enumerate(refused_batches()):
        root = copy_minimal(tmp_path_factory.mktemp(f"refused-{number}") / "project")
        text = base
        for case in batch:
            starts[case] = len(text.splitlines())
            text += REFUSED[case][0]
        (root / "mkdocs.yml").write_text(text, encoding="utf-8")
        roots.append(root)
    runs = qunsop_many([("validate", str(root), "--format", "json") for root in roots])
    return {case: (run, starts[case]) for batch, run in zip(refused_batches(), runs, strict=True)
            for case in batch}


def test_refused_settings_are_checked_in_a_few_runs() -> None:
    assert len(refused_batches()) <= 6


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_mkdocs_settings_outside_the_allow_list_are_refused(refused_runs: dict[str, tuple[Run, int]],
                                                           case: str) -> None:
    _appended, code, path, words, offset, column = REFUSED[case]
    run, start = refused_runs[case]
    assert run.exit_code == 1, run.output
    found = located(run, "mkdocs.yml", code, start + offset, column=column, path=path)
    assert words in found["message"], found


def test_palette_values_cannot_break_out_of_their_attribute(project: Path) -> None:
    text = SITE.replace("primary: green", "primary: 'green\" onclick=\"alert(1)'")
    run = run_with_site(project, text)
    assert run.exit_code == 1
    found = located(run, "mkdocs.yml", "invalid-value", 13, path="theme.palette[0].primary")
    assert "颜色名" in found["message"]


@pytest.mark.parametrize(("url", "code"), [
    ("ftp://sop.qunsop.cn/", "invalid-value"), ("sop.qunsop.cn", "invalid-value"),
    ("https://sop.qunsop.cn/\" onload=\"x", "invalid-value"),
])
def test_site_url_must_be_http(project: Path, url: str, code: str) -> None:
    run = run_with_site(project, SITE.replace("https://demo.qunsop.cn/", json.dumps(url)))
    assert run.exit_code == 1, run.output
    found = located(run, "mkdocs.yml", code, 5, path="site_url")
    assert "https://" in found["message"], found


@pytest.mark.parametrize("url", ["https://sop.example.com/", "http://localhost:8000/", "https://x.invalid/"])
def test_a_placeholder_host_is_a_warning_about_qr_codes_and_feeds(project: Path, url: str) -> None:
    run = run_with_site(project, SITE.replace("https://demo.qunsop.cn/", url))
    assert run.exit_code == 0, run.output
    found = located(run, "mkdocs.yml", "placeholder-url", 5, path="site_url")
    assert found["severity"] == "warning" and "二维码" in found["message"] and "日历" in found["message"]


def test_texts_the_theme_prints_are_escaped(project: Path) -> None:
    text = (SITE.replace("site_name: 演示 · 群SOP", "site_name: '</title><script>alert(1)</script>'")
            .replace("copyright: 路安轮胎 社群运营中心", "copyright: '<img src=x onerror=alert(2)> A & B'")
            .replace("site_description: 门店", "site_description: 'x\" onmouseover=\"alert(3)' #"))
    text += "site_author: '<b onclick=alert(4)>编辑部</b>'\nrepo_name: '<script>alert(5)</script>'\n" \
            "repo_url: https://git.qunsop.cn/sop\n"
    run = run_with_site(project, text, "build")
    assert run.exit_code == 0, run.output
    pages = [p for p in (project / "site").rglob("*.html")]
    for page in pages:
        assert live_markup(page.read_text(encoding="utf-8")) == [], page
    home = (project / "site/index.html").read_text(encoding="utf-8")
    assert "&lt;img src=x onerror=alert(2)&gt; A & B" in home
    assert "&lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in home


# --- how the files are read ------------------------------------------------------------------------


def test_gbk_mkdocs_yml_is_a_located_error(project: Path) -> None:
    (project / "mkdocs.yml").write_bytes(SITE.encode("gbk"))
    run = qunsop("validate", str(project), "--format", "json")
    assert run.exit_code == 1, run.output
    located(run, "mkdocs.yml", "not-utf8", 4, column=12)
    build = qunsop("build", str(project))
    assert build.exit_code == 1 and "not-utf8" in build.stdout, build.output


def test_invalid_yaml_in_mkdocs_yml_is_a_located_error(project: Path) -> None:
    run = run_with_site(project, SITE + "theme: [\n")
    assert run.exit_code == 1
    located(run, "mkdocs.yml", "yaml-syntax", SITE_LINES + 2)


@pytest.mark.parametrize("how", ["missing", "empty", "folder", "link-out"])
def test_a_missing_or_unusable_mkdocs_yml_stops_validate_and_build(project: Path, tmp_path: Path,
                                                                   how: str) -> None:
    site = project / "mkdocs.yml"
    site.unlink()
    if how == "empty":
        site.write_text("\n", encoding="utf-8")
    elif how == "folder":
        site.mkdir()
    elif how == "link-out":
        (tmp_path / "elsewhere.yml").write_text(SITE, encoding="utf-8")
        site.symlink_to(tmp_path / "elsewhere.yml")
    code = {"missing": "missing-site-config", "empty": "empty-file", "folder": "not-a-file",
            "link-out": "outside-project"}[how]
    run = qunsop("validate", str(project), "--format", "json")
    assert run.exit_code == 1, run.output
    located(run, "mkdocs.yml", code, 1, column=1)
    if how in ("missing", "folder"):  # both used to end the build with an internal error
        build = qunsop("build", str(project))
        assert build.exit_code == 1, build.output
        assert code in build.stdout and "内部错误" not in build.output


# --- qunsop.yaml --------------------------------------------------------------------------------------


SETTINGS = """\
# 设置
lnit:
  severity: {}
lint:
  max_post_chars: 很多
  max_image_kb: 1
  severity:
    bad-lnk: off
    raw-html: warning
search:
  synonyms: 大量
"""
SETTINGS_PROBLEMS = {
    # path: (code, line, column, words)
    "lnit": ("unknown-field", 2, 1, "是不是 `lint`"),
    "lint.max_post_chars": ("invalid-value", 5, 19, "整数"),
    "lint.max_image_kb": ("invalid-value", 6, 17, "不能小于"),
    "lint.severity.bad-lnk": ("not-allowed", 8, 5, "bad-link"),
    "search.synonyms": ("wrong-type", 11, 13, "列表"),
}


@pytest.fixture(scope="module")
def settings_run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    root = copy_minimal(tmp_path_factory.mktemp("settings") / "project")
    (root / "qunsop.yaml").write_text(SETTINGS, encoding="utf-8")
    run = validate(root)
    assert run.exit_code == 1, run.output
    assert len([p for p in run.problems() if p["file"] == "qunsop.yaml"]) == len(SETTINGS_PROBLEMS)
    return run


@pytest.mark.parametrize("path", sorted(SETTINGS_PROBLEMS))
def test_qunsop_yaml_problems_are_at_their_own_line(settings_run: Run, path: str) -> None:
    code, line, column, words = SETTINGS_PROBLEMS[path]
    found = located(settings_run, "qunsop.yaml", code, line, column=column, path=path)
    assert words in found["message"], found


def test_a_python_tag_in_qunsop_yaml_is_refused(project: Path) -> None:
    (project / "qunsop.yaml").write_text("lint: !!python/object/apply:os.getcwd []\n", encoding="utf-8")
    run = validate(project)
    assert run.exit_code == 1, run.output
    located(run, "qunsop.yaml", "unsafe-tag", 1, column=7, path="lint")


def test_an_unknown_severity_is_reported_at_its_line(project: Path) -> None:
    (project / "qunsop.yaml").write_text("lint:\n  severity:\n    raw-html: 关掉\n", encoding="utf-8")
    run = qunsop("validate", str(project), "--format", "json")
    assert run.exit_code == 1, run.output
    found = [p for p in run.problems() if p["file"] == "qunsop.yaml"]
    assert found and all(p["line"] == 3 and p["code"] == "not-allowed" for p in found), found
    assert any("error、warning、off" in p["message"] for p in found), found


def test_gbk_qunsop_yaml_is_a_located_error(project: Path) -> None:
    (project / "qunsop.yaml").write_bytes("lint:\n  severity:\n    raw-html: warning # 警告\n".encode("gbk"))
    run = qunsop("validate", str(project), "--format", "json")
    assert run.exit_code == 1, run.output
    located(run, "qunsop.yaml", "not-utf8", 3, column=25)


# --- banned_words.txt -------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "line"), [("最好\n!\n", 2), ("# 说明\n第一\n!   \n最好\n", 3)])
def test_a_lone_exclamation_mark_in_banned_words_is_an_error(project: Path, text: str, line: int) -> None:
    (project / "content_library/banned_words.txt").write_text(text, encoding="utf-8")
    run = qunsop("validate", str(project), "--format", "json")
    assert run.exit_code == 1, run.output
    found = located(run, "content_library/banned_words.txt", "empty-exception", line, column=1)
    assert "!第一天" in found["message"]


def test_banned_words_are_never_read_through_a_link(project: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("冬天\n", encoding="utf-8")  # a word the fixture's posts contain
    banned = project / "content_library/banned_words.txt"
    banned.unlink()
    banned.symlink_to(secret)
    run = qunsop("validate", str(project), "--format", "json")
    assert run.exit_code == 1, run.output
    located(run, "content_library/banned_words.txt", "not-a-file", 1, column=1)
    assert "冬天" not in run.output


def test_gbk_banned_words_is_a_located_error(project: Path) -> None:
    (project / "content_library/banned_words.txt").write_bytes("最好\n第一\n".encode("gbk"))
    run = qunsop("validate", str(project), "--format", "json")
    assert run.exit_code == 1, run.output
    located(run, "content_library/banned_words.txt", "not-utf8", 1, column=1)
