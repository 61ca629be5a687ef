"""Real groups in real Chromium: a group's link, scoped incidents, day-N pauses, variants by
region and the operators' list of links (issue 23)."""

from __future__ import annotations

import shutil
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from browser import frozen_clock, make_driver, serve
from conftest import AUTHORED_EPOCH, MINIMAL, run_qunsop

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def example(example_site: Path) -> Iterator[str]:
    with serve(example_site) as url:
        yield url


@pytest.fixture(scope="module")
def minimal_groups(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The minimal project with a roster: s-01's day 2 falls inside the November complaint."""
    root = tmp_path_factory.mktemp("groups") / "project"
    shutil.copytree(MINIMAL, root)
    (root / "playbooks/demo/groups.csv").write_text(
        "id,群名,群层级,排期,建群日期,门店名\n"
        "s-01,老王车友群,c-store,launch,2026-10-31,老王轮胎\n"
        "s-02,老李车友群,c-store,launch,2026-12-01,老李轮胎\n", encoding="utf-8")
    run = run_qunsop("build", str(root), env={"SOURCE_DATE_EPOCH": AUTHORED_EPOCH})
    assert run.exit_code == 0, run.output
    with serve(root / "site") as url:
        yield url


def phone_at(iso: str):  # type: ignore[no-untyped-def]
    driver = make_driver(390, 844, mobile=True)
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": frozen_clock(iso)})
    return driver


def open_link(driver, base: str, group: str) -> None:  # type: ignore[no-untyped-def]
    driver.get(base + "packs/groups/")
    driver.execute_script("localStorage.clear()")
    driver.get(base + f"packs/groups/{group}/")


def test_a_group_link_opens_todays_pack_filled_and_on_its_day(example: str) -> None:
    driver = phone_at("2026-12-07T02:00:00Z")  # 10:00 in Shanghai
    try:
        # one calendar running today: straight to today's page, the store's details filled
        open_link(driver, example, "baoding-koc")
        WebDriverWait(driver, 5).until(lambda d: "packs/c-koc-daily/2026-12-07/" in d.current_url)
        names = {mark.text for mark in driver.find_elements(By.CSS_SELECTOR, "mark[data-ph='门店名']")}
        assert names <= {"老周轮胎服务站"}
        assert driver.execute_script("return JSON.parse(localStorage.getItem('qunsop:profile'))['门店电话']") \
            == "0312 555 0101"
        # a new group: two calendars today, the day-N one on its own day (created 12-01: day 7)
        open_link(driver, example, "baoding-02")
        choices = WebDriverWait(driver, 5).until(
            lambda d: d.find_elements(By.CSS_SELECTOR, "#choices a"))
        labels = [choice.text for choice in choices]
        assert labels == ["门店车友群 冬季每日推送", "门店车友群 建群 14 天（建群第 7 天）"]
        choices[1].click()
        WebDriverWait(driver, 5).until(lambda d: "packs/c-store-launch-14/day-07/" in d.current_url)
        filled = [mark.text for mark in driver.find_elements(By.CSS_SELECTOR, "mark.filled[data-ph='门店名']")]
        assert filled and set(filled) == {"北二环卡友轮胎"}
    finally:
        driver.quit()


def test_a_scoped_incident_shows_for_its_store_and_not_for_another_of_the_same_calendar(
        example: str) -> None:
    driver = phone_at("2026-12-09T02:00:00Z")
    day = example + "packs/c-store-daily/2026-12-09/"
    try:
        open_link(driver, example, "baoding-01")
        WebDriverWait(driver, 5).until(lambda d: "/packs/c-store-daily/2026-12-09/" in d.current_url)
        notice = driver.find_element(By.CSS_SELECTOR, "[data-scoped]")
        assert notice.is_displayed() and "鼓包投诉" in notice.text
        held = driver.find_elements(By.CSS_SELECTOR, ".qs-slot.held-now")
        assert held and all("暂停" in card.text for card in held)
        assert not any(card.find_element(By.CSS_SELECTOR, ".qs-copy").is_displayed() for card in held)
        open_link(driver, example, "baoding-02")
        driver.get(day)
        assert not driver.find_element(By.CSS_SELECTOR, "[data-scoped]").is_displayed()
        assert driver.find_elements(By.CSS_SELECTOR, ".qs-slot.held-now") == []
        assert driver.find_elements(By.CSS_SELECTOR, "[data-maybe-held]")  # the same slots, sent as usual
    finally:
        driver.quit()


def test_a_day_n_group_is_paused_on_the_days_an_incident_is_open(minimal_groups: str) -> None:
    driver = phone_at("2026-11-01T02:00:00Z")
    try:
        open_link(driver, minimal_groups, "s-01")  # created 10-31: 11-01 is its day 2
        WebDriverWait(driver, 5).until(lambda d: "packs/launch/day-02/" in d.current_url)
        notice = driver.find_element(By.CSS_SELECTOR, "[data-scoped]")
        assert notice.is_displayed() and "十一月的一次投诉" in notice.text
        game = driver.find_element(By.CSS_SELECTOR, ".qs-slot[data-maybe-held]")
        assert "held-now" in game.get_attribute("class") and "暂停" in game.text
        open_link(driver, minimal_groups, "s-02")  # its day 2 is 12-02, after the incident
        driver.get(minimal_groups + "packs/launch/day-02/")
        assert not driver.find_element(By.CSS_SELECTOR, "[data-scoped]").is_displayed()
        assert "held-now" not in driver.find_element(By.CSS_SELECTOR, ".qs-slot[data-maybe-held]") \
            .get_attribute("class")
    finally:
        driver.quit()


def test_a_variant_follows_the_groups_region(example: str) -> None:
    driver = phone_at("2026-12-07T02:00:00Z")  # a Monday: the 07:30 weather post has a south version
    day = example + "packs/c-store-daily/2026-12-07/"
    try:
        open_link(driver, example, "guangzhou-01")
        driver.get(day)
        first = driver.find_element(By.ID, "slot-1")
        assert first.find_element(By.CSS_SELECTOR, ".qs-title").text == "南方湿冷天，路滑雾大慢一点"
        text = driver.find_element(By.ID, "text-1")
        assert text.is_displayed() and "南方" in text.text
        open_link(driver, example, "baoding-01")
        driver.get(day)
        assert driver.find_element(By.CSS_SELECTOR, "#slot-1 .qs-title").text != "南方湿冷天，路滑雾大慢一点"
        assert "南方又湿又冷" not in driver.find_element(By.ID, "text-1").text
    finally:
        driver.quit()


def test_the_operators_page_lists_every_group_and_filters_by_tier_and_tag(example: str) -> None:
    driver = make_driver(1100, 900)
    try:
        driver.get(example + "packs/groups/")
        cards = driver.find_elements(By.CSS_SELECTOR, ".qs-card")
        assert len(cards) == 35
        assert driver.find_element(By.ID, "filter-count").text == "显示 35 个群"
        Select(driver.find_element(By.ID, "filter-tier")).select_by_value("c-store")
        assert driver.find_element(By.ID, "filter-count").text == "显示 21 个群"
        Select(driver.find_element(By.ID, "filter-tag")).select_by_value("省份=广东")
        shown = [card.find_element(By.TAG_NAME, "h2").text for card in cards if card.is_displayed()]
        assert shown == ["广州太和卡友群", "佛山顺德车友群", "东莞塘厦卡友群", "深圳平湖车友群"]
        qr = driver.find_element(By.CSS_SELECTOR, ".qs-card:not([hidden]) img")
        assert qr.get_attribute("src").endswith("packs/groups/guangzhou-01/qr.png")
        with urllib.request.urlopen(qr.get_attribute("src")) as response:
            assert response.read(8) == b"\x89PNG\r\n\x1a\n"
        link = driver.find_element(By.CSS_SELECTOR, ".qs-card:not([hidden]) .qs-link a")
        assert link.text.endswith("packs/groups/guangzhou-01/")
    finally:
        driver.quit()


def test_today_lists_the_real_groups_by_tier_and_tag_each_tier_on_a_screen(example: str) -> None:
    driver = make_driver(1280, 900)
    try:
        driver.get(example + "today/?date=2026-12-07")
        WebDriverWait(driver, 10).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#qs-today-groups .qs-tier"))
        tiers = driver.find_elements(By.CSS_SELECTOR, "#qs-today-groups .qs-tier")
        assert [tier.find_element(By.TAG_NAME, "h3").text for tier in tiers][:2] == [
            "门店车友群（21 个群）", "团长达人群（2 个群）"]
        store = tiers[0].text
        assert "河北（5）：老周轮胎车友群、保定北二环卡友之家（第 7 天 " in store  # its day-N day
        assert "门店车友群 冬季每日推送：" in store and "条，07:30" in store
        heights = [tier.size["height"] for tier in tiers]
        assert max(heights) <= 900, heights
        # the day-N calendar lists the days real groups are on, not every possible start date
        relative = driver.find_element(By.ID, "qs-today-relative").text
        assert "2026-12-01 建的群，2026-12-07 是第 7 天" in relative
        assert "2026-12-03 建的群，2026-12-07 是第 5 天" in relative  # weifang-01
        assert "2026-11-30 建的群" not in relative and "2026-11-29 建的群" not in relative
        total = driver.execute_script("return document.documentElement.scrollHeight")
        assert total < 9283 / 2, total
    finally:
        driver.quit()


def test_without_a_roster_a_tag_scope_follows_the_tag_the_owners_link_saved(
        tmp_path_factory: pytest.TempPathFactory) -> None:
    root = tmp_path_factory.mktemp("tags") / "project"
    shutil.copytree(MINIMAL, root)
    playbook = root / "playbooks/demo/playbook.yaml"
    playbook.write_text(playbook.read_text(encoding="utf-8") + "group_tags: [区域]\n", encoding="utf-8")
    (root / "playbooks/demo/incidents/south.yaml").write_text(
        "id: south\nname: 南方暴雨\nplan: complaint\ntags: {区域: 南方}\nstart: 2026-12-01\nend: 2026-12-02\n",
        encoding="utf-8")
    run = run_qunsop("build", str(root), env={"SOURCE_DATE_EPOCH": AUTHORED_EPOCH})
    assert run.exit_code == 0, run.output
    driver = phone_at("2026-12-01T02:00:00Z")
    try:
        with serve(root / "site") as base:
            day = base + "packs/week/2026-12-01/"
            driver.get(day)
            driver.execute_script("localStorage.clear()")
            driver.get(day)
            assert not driver.find_element(By.CSS_SELECTOR, "[data-scoped]").is_displayed()
            driver.get(day + "?区域=南方")
            assert driver.find_element(By.CSS_SELECTOR, "[data-scoped]").is_displayed()
            driver.get(day)  # remembered on this phone
            assert driver.find_element(By.CSS_SELECTOR, "[data-scoped]").is_displayed()
            driver.get(base + "packs/week/2026-12-03/")  # after the incident
            assert driver.find_elements(By.CSS_SELECTOR, "[data-scoped]") == []
    finally:
        driver.quit()
