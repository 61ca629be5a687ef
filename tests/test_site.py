"""The SOP site as operators see it: built HTML of every page kind."""

from __future__ import annotations

import re
from pathlib import Path

from conftest import ScratchProject, run_qunsop


def html(site: Path, url: str) -> str:
    return (site / url / "index.html").read_text(encoding="utf-8")


def text_of(page: str) -> str:
    return re.sub(r"<[^>]+>", "", page)


def test_home_links_playbook_packs_and_library(minimal_site: Path) -> None:
    page = html(minimal_site, "")
    assert '<html lang="zh"' in page
    assert 'href="demo/"' in page
    assert 'href="packs/week/today/"' in page
    assert 'href="library/"' in page


def test_playbook_page_has_tier_flow_diagram_roles_and_kpis(minimal_site: Path) -> None:
    page = html(minimal_site, "demo")
    diagram = re.search(r'<pre class="mermaid"><code>(.*?)</code></pre>', page, re.S)
    assert diagram, "no mermaid diagram"
    assert "c_store --&gt; b_main" in diagram.group(1)
    assert "平台运营" in page and "群活跃率" in page and "当天发言人数除以群人数" in page
    assert 'href="tiers/c-store/"' in page


def test_tier_page_shows_structure_and_links_what_serves_it(minimal_site: Path) -> None:
    page = html(minimal_site, "demo/tiers/c-store")
    assert "共建者 1.0% · 活跃 9.0% · 潜水 90.0%" in text_of(page)
    assert 'href="../b-main/"' in page  # flows_to
    assert 'href="../../calendars/week/"' in page
    assert 'href="../../../games/warmup/"' in page


def test_calendar_page_lists_days_with_slots_and_pack_links(minimal_site: Path) -> None:
    page = html(minimal_site, "demo/calendars/week")
    body = text_of(page)
    assert "12月1日 周二" in body and "12月7日 周一" in body
    assert "08:00 用户需要的：冬天胎压怎么看" in body
    assert "测试节" in body
    assert "12:00 活动：PK 开始" in body  # campaign announcement inserted on 12-02
    assert 'href="../../../packs/week/2026-12-07/"' in page
    assert 'href="../../../packs/week/today/"' in page


def test_relative_calendar_counts_days(minimal_site: Path) -> None:
    body = text_of(html(minimal_site, "demo/calendars/launch"))
    assert "建群第一天" in body and "建群第二天" in body and "欢迎" in body


def test_game_page_has_copyable_host_lines_in_order(minimal_site: Path) -> None:
    page = html(minimal_site, "games/warmup")
    # the host line is a code block, which the theme gives a copy button
    assert re.search(r'<pre><span></span><code>各位老哥晚上好，发个红包热热场', page) or \
        re.search(r'<code>各位老哥晚上好，发个红包热热场', page), page[:200]
    assert "冷场怎么办" in page and "请托先接话" in page


def test_escalation_page_has_checklist_reply_and_printable_card(minimal_site: Path) -> None:
    page = html(minimal_site, "demo/escalations/complaint")
    assert 'type="checkbox"' in page
    assert "老哥别急，我马上私聊您处理。" in page
    assert 'class="qs-card"' in page
    assert "30 分钟未解决 → 上报" in text_of(page)


def test_curriculum_and_campaign_pages(minimal_site: Path) -> None:
    curriculum = html(minimal_site, "demo/curricula/basics")
    assert "怎么转发素材" in curriculum and 'id="forward"' in curriculum
    assert 'href="../../../library/needed/#tyre-pressure"' in curriculum
    campaign = html(minimal_site, "demo/campaigns/pk")
    assert "十二月销售PK今天开始！" in campaign and "12月2日 12:00" in campaign


def test_library_groups_posts_by_category_and_tag(minimal_site: Path) -> None:
    index = html(minimal_site, "library")
    assert "保养" in index and "故事" in index
    needed = html(minimal_site, "library/needed")
    assert 'id="tyre-pressure"' in needed
    assert "天冷了，胎压会掉，出车前在{门店名}免费测一下" in needed
    assert (minimal_site / "assets/content/pressure.png").is_file()


def test_no_external_font_request(minimal_site: Path) -> None:
    assert "fonts.googleapis.com" not in html(minimal_site, "")


def test_hostile_text_is_shown_not_run(scratch: ScratchProject, tmp_path: Path) -> None:
    # lint rejects raw HTML first; switch it off to test the second defence, escaping
    scratch.write("qunsop.yaml", "lint:\n  severity:\n    raw-html: off\n    below-cadence: off\n")
    scratch.write("content_library/posts/liked/road-story.md", """
        ---
        id: road-story
        title: <script>alert(1)</script>故事
        category: liked
        tags: [故事]
        tiers: [c-store]
        ---
        <img src=x onerror=alert(2)> {{ 7*7 }} ``` 结束
        """)
    run = run_qunsop("build", str(scratch.root))
    assert run.exit_code == 0, run.output
    page = html(scratch.root / "site", "library/liked")
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)" in page
    assert "<img src=x" not in page and "{{ 7*7 }}" in page


def test_failed_build_leaves_previous_site(scratch: ScratchProject) -> None:
    assert run_qunsop("build", str(scratch.root)).exit_code == 0
    before = (scratch.root / "site/index.html").read_bytes()
    scratch.write("playbooks/demo/tiers/c-store.yaml", "id: c-store\nside: X\n")
    run = run_qunsop("build", str(scratch.root))
    assert run.exit_code == 1 and "Traceback" not in run.output
    assert "构建已停止" in run.output
    assert (scratch.root / "site/index.html").read_bytes() == before
