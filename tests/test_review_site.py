"""The weekly 复盘 pages: in the SOP site, in a folder of their own, or left out."""

from __future__ import annotations

import gzip
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from conftest import REPO, copy_example, run_qunsop

EPOCH = {"SOURCE_DATE_EPOCH": "1796601600"}  # 2026-12-07
SVG = re.compile(r'<figure class="qs-chart">\s*(<svg\b.*?</svg>)', re.DOTALL)  # not the theme's icons
WEEK_PAGE = "truck-tyres/review/2026-W49/index.html"


def example_with_data(target: Path) -> Path:
    root = copy_example(target)
    shutil.copytree(REPO / "data", root / "data")
    return root


@pytest.fixture(scope="module")
def review_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = example_with_data(tmp_path_factory.mktemp("review") / "project")
    run = run_qunsop("build", str(root), env=EPOCH)
    assert run.exit_code == 0, run.output
    return root / "site"


def cells(html: str, caption_text: str) -> list[str]:
    """The cells of the table that follows the chart captioned `caption_text`."""
    after = html.split(f"<figcaption>{caption_text}</figcaption>", 1)[1]
    table = after.split("</table>", 1)[0]
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", table)]


def test_week_page_shows_kpis_alerts_linked_to_plans_and_rankings(review_site: Path) -> None:
    html = (review_site / WEEK_PAGE).read_text(encoding="utf-8")
    assert "2026-W49 复盘 · 全部群" in html
    for kpi in ("群活跃率", "素材转发率", "新增成员数"):
        assert kpi in html
    for kind, plan in (("沉默群", "escalations/silent-group/"), ("集体退群", "escalations/mass-exit/"),
                       ("停发", "escalations/stopped-sending/"), ("活跃落后", "escalations/silent-group/")):
        row = next(row for row in re.findall(r"<tr>(.*?)</tr>", html, re.DOTALL) if f"<td>{kind}</td>" in row)
        assert plan in row, row
    assert "十二月流动红旗" in html and "按省份比发送率" in html
    assert "<code>qunsop review --week 2026-W49</code>" in html
    # private: the roster's private columns (店主手机, 备注) and the export's 群主 never show
    assert "139 0312 0101" not in html and "（不读）" not in html and "群主" not in html
    assert "<script" not in html.split("<article", 1)[1].split("</article>", 1)[0]


def test_charts_are_valid_svg_with_their_numbers_in_a_table(review_site: Path) -> None:
    html = (review_site / WEEK_PAGE).read_text(encoding="utf-8")
    charts = SVG.findall(html)
    assert len(charts) == 4
    for svg in charts:
        tree = ET.fromstring(svg)
        assert tree.tag == "{http://www.w3.org/2000/svg}svg"
        assert tree.get("viewBox") == "0 0 360 180" and tree.get("width") == "100%"
        assert tree.find("{http://www.w3.org/2000/svg}title") is not None
        assert len(tree.findall("{http://www.w3.org/2000/svg}rect")) == 8  # one bar per week
    active = cells(html, "活跃率（发言人数 ÷ 群成员数）")
    assert active[0] == "2026-W42" and active[-2] == "2026-W49" and len(active) == 16
    assert re.fullmatch(r"\d+\.\d%", active[-1])
    assert active[-1] in html.split("## ")[0] or active[-1] in html  # the same figure as the synopsis
    left = cells(html, "退群人数")
    heights = [float(rect.get("height") or 0) for rect in ET.fromstring(charts[2]).iter()
               if rect.tag.endswith("rect")]
    values = [int(value) for value in left[1::2]]
    biggest = values.index(max(values))
    assert heights.index(max(heights)) == biggest  # the tallest bar is the week with most exits


def test_pages_per_tier_and_tag_and_the_index_in_the_nav(review_site: Path) -> None:
    week = review_site / "truck-tyres/review/2026-W49"
    tier = (week / "c-store/index.html").read_text(encoding="utf-8")
    assert "复盘 · 门店车友群" in tier and "zibo-01" in tier and "b-main-hebei" not in tier
    tagged = [path.read_text(encoding="utf-8") for path in week.glob("tag-*/index.html")]
    hebei = next(page for page in tagged if "复盘 · 省份：河北" in page)
    assert "baoding-01" in hebei and "chengdu-01" not in hebei
    index = (review_site / "truck-tyres/review/index.html").read_text(encoding="utf-8")
    assert all(f"2026-W{week}" in index for week in range(42, 50))
    home = (review_site / "index.html").read_text(encoding="utf-8")
    assert "每周复盘" in home  # in the nav
    size = len(gzip.compress((review_site / WEEK_PAGE).read_bytes()))
    assert size <= 150 * 1024


def test_no_review_and_a_folder_of_its_own_keep_it_out_of_the_site(tmp_path: Path) -> None:
    root = example_with_data(tmp_path / "project")
    run = run_qunsop("build", str(root), "--no-review", env=EPOCH)
    assert run.exit_code == 0, run.output
    assert not (root / "site/truck-tyres/review").exists()
    assert "每周复盘" not in (root / "site/index.html").read_text(encoding="utf-8")
    settings = root / "qunsop.yaml"
    settings.write_text(settings.read_text(encoding="utf-8")
                        + "review:\n  publish: folder\n  folder: internal-review\n", encoding="utf-8")
    run = run_qunsop("build", str(root), env=EPOCH)
    assert run.exit_code == 0, run.output
    assert "internal-review/" in run.output
    assert not (root / "site/truck-tyres/review").exists()
    page = (root / "internal-review/truck-tyres/review/2026-W49/index.html").read_text(encoding="utf-8")
    assert "<script" not in page and "noindex" in page
    for svg in SVG.findall(page):
        ET.fromstring(svg)
    # the plans are on the public site; the other review pages next to this one
    assert 'href="https://sop.luan-tyres.example/truck-tyres/escalations/mass-exit/"' in page
    assert 'href="c-store.html"' in page and 'href="../index.html"' in page
    (root / "qunsop.yaml").write_text(settings.read_text(encoding="utf-8").replace("folder\n  folder",
                                                                                  "off\n  folder"),
                                      encoding="utf-8")
    run = run_qunsop("build", str(root), env=EPOCH)
    assert run.exit_code == 0, run.output
    assert not (root / "site/truck-tyres/review").exists()
