"""A new organisation in ten minutes: `qunsop init`, and a CONTRIBUTING whose examples work."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from conftest import REPO, run_qunsop
from qunsop.kinds import KINDS
from qunsop.load import discover

URL = "https://sop.haohaizi.cn/"
CONTRIBUTING = REPO / "CONTRIBUTING.md"
TITLED_BLOCK = re.compile(r'^```(\w+) title="([^"]+)"\n(.*?)^```$', re.M | re.S)


def init(target: Path, *extra: str) -> None:
    run = run_qunsop("init", str(target), *extra)
    assert run.exit_code == 0, run.output


@pytest.fixture(scope="module")
def new_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("init") / "母婴群SOP"
    init(target, "--name", "好孩子母婴 · 群SOP", "--url", URL)
    return target


def test_init_validates_and_builds_clean(new_project: Path) -> None:
    run = run_qunsop("validate", str(new_project), "--format", "json")
    assert run.exit_code == 0, run.output
    assert run.problems() == []
    build = run_qunsop("build", str(new_project))
    assert build.exit_code == 0, build.output
    site = new_project / "site"
    assert "好孩子母婴 · 群SOP" in (site / "index.html").read_text(encoding="utf-8")
    assert (site / "my-playbook/index.html").is_file()
    assert (site / "packs/c-members-daily/index.html").is_file()


def test_init_writes_everything_a_new_organisation_needs(new_project: Path) -> None:
    for relative in ("mkdocs.yml", "qunsop.yaml", ".gitignore", ".pre-commit-config.yaml",
                     ".github/workflows/content.yml", "CONTRIBUTING.md",
                     "content_library/placeholders.yaml", "content_library/banned_words.txt"):
        assert (new_project / relative).is_file(), relative
    assert sorted(path.name for path in (new_project / "schemas").iterdir()) == sorted(
        f"{kind}.schema.json" for kind in KINDS)
    assert f"site_url: \"{URL}\"" in (new_project / "mkdocs.yml").read_text(encoding="utf-8")
    assert "轮胎" not in (new_project / "content_library/placeholders.yaml").read_text(encoding="utf-8")
    # each YAML source's editor schema line points at a schema that exists
    for relative, kind in discover(new_project):
        if not KINDS[kind].markdown:
            first = (new_project / relative).read_text(encoding="utf-8").splitlines()[0]
            schema = first.split("$schema=")[1]
            assert ((new_project / relative).parent / schema).resolve().is_file(), relative
    assert (new_project / "requirements.txt").is_file()
    # the editors' guide, with this project's setup (tests/test_release.py checks the rest)
    guide = (new_project / "CONTRIBUTING.md").read_text(encoding="utf-8")
    assert guide.endswith(CONTRIBUTING.read_text(encoding="utf-8").split("## 五条 YAML 基本功")[1])


def test_init_in_an_empty_folder_works_and_a_full_one_is_refused(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    init(empty, "--name", "群SOP", "--url", URL, "--playbook", "mama-club")
    assert (empty / "playbooks/mama-club/playbook.yaml").is_file()
    assert run_qunsop("validate", str(empty)).exit_code == 0
    full = tmp_path / "full"
    full.mkdir()
    (full / "notes.txt").write_text("别动我", encoding="utf-8")
    run = run_qunsop("init", str(full), "--name", "群SOP", "--url", URL)
    assert run.exit_code == 2
    assert "不是空目录" in run.output and "Traceback" not in run.output
    assert sorted(path.name for path in full.iterdir()) == ["notes.txt"]


def test_init_refuses_a_bad_playbook_id_or_url(tmp_path: Path) -> None:
    run = run_qunsop("init", str(tmp_path / "a"), "--name", "x", "--url", URL, "--playbook", "My_Book")
    assert run.exit_code == 2 and "小写字母" in run.output
    run = run_qunsop("init", str(tmp_path / "b"), "--name", "x", "--url", "sop.example.com")
    assert run.exit_code == 2 and "https://" in run.output
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()


# --- CONTRIBUTING ------------------------------------------------------------------------


def test_init_ships_the_same_contributing() -> None:
    shipped = REPO / "site_templates/init/CONTRIBUTING.md"
    assert shipped.read_bytes() == CONTRIBUTING.read_bytes(), "copy CONTRIBUTING.md to site_templates/init/"


def test_contributing_examples_validate_in_a_new_project(tmp_path: Path) -> None:
    """Every example whose fence names a file is written into a fresh `qunsop init` project."""
    target = tmp_path / "project"
    init(target, "--name", "好孩子母婴 · 群SOP", "--url", URL)
    blocks = TITLED_BLOCK.findall(CONTRIBUTING.read_text(encoding="utf-8"))
    written = {}
    for language, relative, text in blocks:
        assert language in ("yaml", "markdown"), relative
        path = target / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written[relative] = text
    kinds = {kind for relative, kind in discover(target) if relative in written}
    assert kinds == set(KINDS) - {"settings", "site"}, kinds  # one worked example per kind at least
    run = run_qunsop("validate", str(target), "--format", "json")
    assert run.exit_code == 0, run.output
    assert run.problems() == []  # not even a warning: the examples are what we want editors to copy
    pack = run_qunsop("pack", "c-members-december", str(target), "--date", "2026-12-25")
    assert pack.exit_code == 0 and "圣诞节 圣诞小礼物" in pack.stdout
    launch = run_qunsop("pack", "c-members-launch", str(target), "--day", "4")
    assert "已经坚持一半啦" in launch.stdout  # by_day of the activity started on day 1


SECTIONS = ["方案（playbook）", "群层级（tier）", "推送排期（calendar）", "培训课程（curriculum）",
            "紧急预案（escalation）", "活动（campaign）", "多日活动（activity）", "事件（incident）",
            "帖子（post）", "游戏（game）", "话术（reply）", "占位符（placeholders）"]


def test_contributing_covers_every_kind_and_the_rules_editors_ask_about() -> None:
    text = CONTRIBUTING.read_text(encoding="utf-8")
    for section in SECTIONS:
        assert f"### {section}" in text, section
    for topic in ("day: N", "第 1 天就是建群当天", "overrides", "pick: {tag:", "pick: {category:",
                  "用得最少", "有效期", "festival", "`title`", "`end` 这一天也包含在内",
                  "通知只进按日期的排期", "moments", "private", "`task`", "`note`", "`remark`",
                  "店主看不到", "id 在整个项目里不能重复", "qunsop validate", "qunsop build",
                  "qunsop new post winter-bath-tips", "--playbook", "--relative", "--category"):
        assert topic in text, topic
    basics = text[text.index("## 五条 YAML 基本功"):text.index("## 文件放在哪里")]
    for rule in ('"08:30"', "Tab", "半角", "2 个空格", "2026-12-07", "2026/12/07"):
        assert rule in basics, rule
    # the report explained is the report qunsop prints
    assert "12:15  错误  weekly.mon.slots[0].time" in text


def test_contributing_report_example_is_real(tmp_path: Path) -> None:
    target = tmp_path / "project"
    init(target, "--name", "好孩子母婴 · 群SOP", "--url", URL)
    for _language, relative, body in TITLED_BLOCK.findall(CONTRIBUTING.read_text(encoding="utf-8")):
        (target / relative).parent.mkdir(parents=True, exist_ok=True)
        (target / relative).write_text(body, encoding="utf-8")
    calendar = target / "playbooks/my-playbook/calendars/c-members-december.yaml"
    calendar.write_text(calendar.read_text(encoding="utf-8").replace('"10:00"', "8.30", 1), encoding="utf-8")
    post = target / "content_library/posts/needed/winter-bath-tips.md"
    post.write_text(post.read_text(encoding="utf-8").replace("三件事：", "三件事，第一件最重要："),
                    encoding="utf-8")
    run = run_qunsop("validate", str(target))
    text = CONTRIBUTING.read_text(encoding="utf-8")
    shown = text[text.index("## 看懂检查结果"):]
    shown = shown[shown.index("```\n") + 4:shown.index("\n```", shown.index("```\n") + 4)]
    assert json.dumps(run.stdout.strip()) == json.dumps(shown.strip())


def test_init_in_a_script_takes_the_defaults_instead_of_waiting(tmp_path: Path) -> None:
    """No terminal (CI, a script): nothing to answer a prompt, so the defaults are used."""
    target = tmp_path / "scripted"
    run = run_qunsop("init", str(target))  # run_qunsop gives the child no terminal
    assert run.exit_code == 0, run.output
    assert "site_name: \"群SOP\"" in (target / "mkdocs.yml").read_text(encoding="utf-8")
    assert run_qunsop("validate", str(target)).exit_code == 0
