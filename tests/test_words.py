"""Words that fit any business: what packs and pages call people and places comes from
qunsop.yaml (`words:`), with the shipped example's words when it says nothing."""

from __future__ import annotations

import re
from pathlib import Path

from conftest import AUTHORED_EPOCH, ScratchProject, run_qunsop

PARTNERS = """
words:
  store: 伙伴
  owner: 伙伴顾问
  owner_group: 伙伴群
  my_store: 我的信息
  assistant: 渠道经理
  side_b: B 端（渠道伙伴）
  side_c: C 端（商户）
"""
EXAMPLE_WORDS = ("我的门店", "门店信息", "店主群", "门店老板怎么用", "门店老板每天", "店主", "群助理", "B 端（门店老板）",
                 "C 端（消费者）")  # qunsop's own words (the fixture's content has 门店老板 too)
TYRES = re.compile("轮胎|卡车|车友|司机|货车|胎压|路安|老周")


def build(root: Path) -> Path:
    run = run_qunsop("build", str(root), env={"SOURCE_DATE_EPOCH": AUTHORED_EPOCH})
    assert run.exit_code == 0, run.output
    return root / "site"


def test_packs_and_pages_use_the_projects_words(scratch: ScratchProject) -> None:
    settings = scratch.root / "qunsop.yaml"
    settings.write_text(settings.read_text(encoding="utf-8") + PARTNERS, encoding="utf-8")
    assert scratch.validate().exit_code == 0
    site = build(scratch.root)
    pack = (site / "packs/week/2026-12-07/index.html").read_text(encoding="utf-8")
    for words in ("我的信息", "先填一次伙伴信息", "发到伙伴群"):
        assert words in pack, words
    tiers = {path.parent.name: path.read_text(encoding="utf-8") for path in (site / "demo/tiers").glob("*/index.html")}
    assert "B 端（渠道伙伴）" in tiers["b-main"] and "C 端（商户）" in tiers["c-store"]
    calendar = (site / "demo/calendars/week/index.html").read_text(encoding="utf-8")
    assert "伙伴顾问怎么用" in calendar and "转发到伙伴群" in calendar
    home = (site / "index.html").read_text(encoding="utf-8")
    assert "伙伴顾问每天打开" in home
    shown = [pack, calendar, home, *tiers.values()]
    for words in EXAMPLE_WORDS:
        assert not any(words in page for page in shown), words


def test_without_words_the_examples_words_are_used(minimal_site: Path) -> None:
    pack = (minimal_site / "packs/week/2026-12-07/index.html").read_text(encoding="utf-8")
    assert "我的门店" in pack and "先填一次门店信息" in pack and "发到店主群" in pack
    assert "B 端（门店老板）" in (minimal_site / "demo/tiers/b-main/index.html").read_text(encoding="utf-8")


def test_a_misspelt_word_key_is_named(scratch: ScratchProject) -> None:
    settings = scratch.root / "qunsop.yaml"
    settings.write_text(settings.read_text(encoding="utf-8") + "words:\n  owners: 伙伴\n", encoding="utf-8")
    [problem] = [p for p in scratch.validate().problems() if p["severity"] == "error"]
    assert problem["file"] == "qunsop.yaml" and problem["path"] == "words.owners"
    assert "`owner`" in problem["message"]


def test_a_new_organisation_is_described_neutrally_and_shows_no_tyres(tmp_path: Path) -> None:
    target = tmp_path / "云账本"
    run = run_qunsop("init", str(target), "--name", "云账本 · 渠道伙伴群SOP", "--url", "https://sop.yunzhang.cn/")
    assert run.exit_code == 0, run.output
    description = next(line for line in (target / "mkdocs.yml").read_text(encoding="utf-8").splitlines()
                       if line.startswith("site_description:"))
    assert "门店" not in description and "店主" not in description
    settings = (target / "qunsop.yaml").read_text(encoding="utf-8")
    assert "words:" in settings and "owner_group: 店主群" in settings  # editable, with the defaults
    site = build(target)
    for path in site.rglob("*"):
        if path.is_file() and path.suffix in (".html", ".js", ".json", ".txt", ".xml", ".ics"):
            found = TYRES.search(path.read_text(encoding="utf-8", errors="replace"))
            assert found is None, (path.relative_to(site), found.group(0) if found else "")
