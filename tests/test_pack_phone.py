"""The store owner's pack on a phone: 390×844, a WeChat user agent, no Clipboard API.

Every test drives real headless Chromium against a built site served on 127.0.0.1.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from browser import make_driver, serve

pytestmark = pytest.mark.browser
SCREENSHOTS = Path(__file__).parent / "screenshots"
WEEK_DAY = "packs/week/2026-12-07/"  # slot 1 has {门店名}, slot 2 has none

# WeChat's browser has no navigator.clipboard; copies go through the textarea fallback,
# whose copy event is recorded so the test can read what the owner would paste.
NO_CLIPBOARD = """
Object.defineProperty(Navigator.prototype, 'clipboard', {get: () => undefined});
window.__copied = [];
document.addEventListener('copy', event => {
  const target = event.target;
  window.__copied.push(target && 'value' in target ? target.value : String(getSelection()));
}, true);
"""


def clock(iso: str) -> str:
    """A page script that makes the phone's clock read `iso` (UTC)."""
    return f"""
(() => {{
  const fixed = Date.parse('{iso}');
  const Real = Date;
  class Fake extends Real {{
    constructor(...args) {{ if (args.length) {{ super(...args); }} else {{ super(fixed); }} }}
    static now() {{ return fixed; }}
  }}
  window.Date = Fake;
}})();
"""


@pytest.fixture()
def phone() -> Iterator:  # type: ignore[type-arg]
    driver = make_driver(390, 844, mobile=True)
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": NO_CLIPBOARD})
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def base(minimal_site: Path) -> Iterator[str]:
    with serve(minimal_site) as url:
        yield url


def copied(driver) -> list[str]:  # type: ignore[no-untyped-def]
    return driver.execute_script("return window.__copied")


def copy_button(driver, number: int):  # type: ignore[no-untyped-def]
    return driver.find_element(By.CSS_SELECTOR, f"button[data-copy='text-{number}']")


def fresh(driver, url: str) -> None:  # type: ignore[no-untyped-def]
    driver.get(url)
    driver.execute_script("localStorage.clear()")
    driver.get(url)


def test_my_store_fills_the_placeholders_in_what_is_copied(phone, base: str) -> None:  # type: ignore[no-untyped-def]
    fresh(phone, base + WEEK_DAY)
    button = copy_button(phone, 1)
    assert button.text == "复制（缺1项）"
    missing = phone.find_element(By.CSS_SELECTOR, "[data-missing-for='1']").text
    assert "门店名" in missing
    mark = phone.find_element(By.CSS_SELECTOR, "#text-1 mark")
    assert mark.text == "{门店名}" and "filled" not in mark.get_attribute("class")
    button.click()  # says what is missing and opens the form instead of copying
    assert copied(phone) == []
    form = phone.find_element(By.ID, "profile")
    assert form.is_displayed()
    field = phone.find_element(By.CSS_SELECTOR, "input[data-ph-input='门店名']")
    assert phone.switch_to.active_element == field
    field.send_keys("老周轮胎")
    phone.find_element(By.ID, "profile-save").click()
    assert copy_button(phone, 1).text == "复制"
    copy_button(phone, 1).click()
    WebDriverWait(phone, 5).until(lambda d: copied(d))
    assert copied(phone)[0] == "天冷了，胎压会掉，出车前在老周轮胎免费测一下 🚛"
    toast = phone.find_element(By.ID, "toast")
    assert toast.get_attribute("aria-live") == "polite" and "去微信粘贴" in toast.text
    # copying ticks 已发, and it can be undone
    box = phone.find_element(By.CSS_SELECTOR, "input[data-sent='1']")
    assert box.is_selected()
    box.click()
    assert not box.is_selected()
    # kept on this phone for every pack
    phone.get(base + "packs/launch/day-01/")
    assert phone.find_element(By.CSS_SELECTOR, "#text-1 mark").text == "老周轮胎"


def test_an_operators_link_fills_the_profile_once_and_leaves_the_address(phone, base: str) -> None:  # type: ignore[no-untyped-def]
    fresh(phone, base + WEEK_DAY)
    phone.get(base + WEEK_DAY + "?%E9%97%A8%E5%BA%97%E5%90%8D=%E8%80%81%E5%91%A8%E8%BD%AE%E8%83%8E")
    assert phone.current_url == base + WEEK_DAY
    assert phone.find_element(By.CSS_SELECTOR, "#text-1 mark").text == "老周轮胎"
    profile = json.loads(phone.execute_script("return localStorage.getItem('qunsop:profile')"))
    assert profile == {"门店名": "老周轮胎"}


def test_a_blocked_copy_explains_what_to_do_and_the_label_resets(phone, base: str) -> None:  # type: ignore[no-untyped-def]
    fresh(phone, base + WEEK_DAY)
    phone.execute_script("document.execCommand = () => false;")
    copy_button(phone, 2).click()
    assert copy_button(phone, 2).text == "请长按文字复制"
    assert "长按" in phone.find_element(By.ID, "toast").text
    selected = phone.execute_script("return String(getSelection())")
    assert selected == "昨晚服务区一位老哥帮陌生人换胎，暖心。"
    WebDriverWait(phone, 6).until(lambda d: copy_button(d, 2).text == "复制")


def test_when_everything_is_sent_a_receipt_is_copied_for_the_owners_group(phone, base: str) -> None:  # type: ignore[no-untyped-def]
    fresh(phone, base + WEEK_DAY)
    phone.execute_script("localStorage.setItem('qunsop:profile', JSON.stringify({'门店名': '老周轮胎'}))")
    phone.refresh()
    receipt = phone.find_element(By.ID, "receipt")
    assert not receipt.is_displayed()
    for number in (1, 2):
        copy_button(phone, number).click()
    WebDriverWait(phone, 5).until(lambda d: d.find_element(By.ID, "receipt").is_displayed())
    phone.find_element(By.ID, "receipt-copy").click()
    WebDriverWait(phone, 5).until(lambda d: len(copied(d)) == 3)
    assert copied(phone)[-1] == "【已发回报】老周轮胎 · 一周排期 · 12月7日 周一 · 2/2 条已发"


def test_the_post_due_now_is_marked_on_todays_pack(base: str) -> None:
    driver = make_driver(390, 844, mobile=True)
    try:
        # 2026-12-07 20:30 in Shanghai: the 20:00 story is due, the 08:00 post is past
        driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument",
                               {"source": clock("2026-12-07T12:30:00Z")})
        driver.get(base + "packs/week/today/")
        WebDriverWait(driver, 5).until(lambda d: "2026-12-07" in d.current_url)
        due = driver.find_elements(By.CSS_SELECTOR, ".qs-slot.due")
        assert [card.get_attribute("id") for card in due] == ["slot-2"]
        assert due[0].find_element(By.CSS_SELECTOR, ".qs-due").text == "现在该发"
        top, bottom, scrolled, most = driver.execute_script(
            "const r = document.getElementById('slot-2').getBoundingClientRect();"
            "return [r.top, r.bottom, window.scrollY, document.documentElement.scrollHeight - innerHeight]")
        assert top >= 0 and bottom <= 844  # brought into view
        assert scrolled == pytest.approx(most, abs=2) or top < 50  # as far as the page allows
    finally:
        driver.quit()


@pytest.mark.parametrize(("query", "message"), [
    ("?day=20", "没有“第 20 天”"),
    ("?day=abc", "没有“第 abc 天”"),
    ("?day=0", "没有“第 0 天”"),
    ("?start=garbage", "建群日期写得不对"),
    ("?start=2031-01-01", "在今天之后"),
])
def test_bad_day_and_start_get_a_message_and_a_way_on(phone, base: str, query: str, message: str) -> None:  # type: ignore[no-untyped-def]
    fresh(phone, base + "packs/launch/today/")
    phone.get(base + "packs/launch/today/" + query)
    time.sleep(0.3)
    assert "/today/" in phone.current_url
    text = phone.find_element(By.TAG_NAME, "main").text
    assert message in text, text
    links = [a.get_attribute("href") for a in phone.find_elements(By.CSS_SELECTOR, "main a")]
    assert any(href.endswith("/packs/launch/") or "day-01" in href for href in links)


def test_day_n_start_date_is_asked_not_guessed_and_remembered(phone, base: str) -> None:  # type: ignore[no-untyped-def]
    fresh(phone, base + "packs/launch/today/")
    field = phone.find_element(By.ID, "start-date")
    assert field.get_attribute("value") == ""  # no pre-filled date: one tap must not save a wrong one
    phone.find_element(By.CSS_SELECTOR, "#start-form button").click()
    assert "请先选择建群日期" in phone.find_element(By.ID, "start-error").text
    yesterday = phone.execute_script(
        "const t = new Intl.DateTimeFormat('en-CA', {timeZone: 'Asia/Shanghai'}).format(new Date());"
        "return new Date(Date.parse(t + 'T00:00:00Z') - 86400000).toISOString().slice(0, 10);")
    phone.get(base + f"packs/launch/today/?start={yesterday}")
    WebDriverWait(phone, 5).until(lambda d: "/day-02/" in d.current_url)
    assert phone.execute_script("return localStorage.getItem('qunsop:start:launch')") == yesterday
    heading = phone.find_element(By.TAG_NAME, "h1").text
    assert heading.startswith("建群第 2 天")
    assert phone.find_element(By.LINK_TEXT, "改建群日期").get_attribute("href").endswith("today/?reset=1")
    phone.get(base + "packs/launch/today/")  # remembered
    WebDriverWait(phone, 5).until(lambda d: "/day-02/" in d.current_url)
    phone.get(base + "packs/launch/today/")
    WebDriverWait(phone, 5).until(lambda d: "/day-02/" in d.current_url)
    phone.back()
    phone.get(base + "packs/launch/today/?reset=1")
    assert phone.find_element(By.ID, "start-form").is_displayed()
    phone.get(base + f"packs/launch/today/?start={yesterday}")
    phone.get(base + "packs/launch/today/?reset=1")
    ics = phone.find_element(By.ID, "ics")
    assert not ics.is_displayed()


def test_a_personal_calendar_for_the_groups_start_date(phone, base: str) -> None:  # type: ignore[no-untyped-def]
    fresh(phone, base + "packs/launch/today/")
    phone.get(base + "packs/launch/today/?start=2026-01-01")  # long done: the page stays
    link = phone.find_element(By.ID, "ics-link")
    assert link.is_displayed() and link.get_attribute("download") == "launch.ics"
    href = link.get_attribute("href")
    from urllib.parse import unquote

    feed = unquote(href.split(",", 1)[1])
    assert feed.startswith("BEGIN:VCALENDAR") and "DTSTART:20260101T100000" in feed
    assert "DTSTART:20260102T200000" in feed  # day 2's game at 20:00


def test_offline_after_exactly_one_visit(minimal_site: Path) -> None:
    driver = make_driver(390, 844, mobile=True)
    try:
        with serve(minimal_site) as url:
            driver.get(url + WEEK_DAY)
            WebDriverWait(driver, 10).until(lambda d: d.execute_script(
                "return navigator.serviceWorker.controller !== null || "
                "caches.keys().then(k => k.length > 0)"))
            # wait until this first visit has put the page, its image and the day list in the cache
            WebDriverWait(driver, 10).until(lambda d: d.execute_async_script("""
                const done = arguments[0];
                caches.open('qunsop-packs-v2').then(c => c.keys()).then(keys => done(keys.map(k => k.url)));
            """) and len(driver.execute_async_script("""
                const done = arguments[0];
                caches.open('qunsop-packs-v2').then(c => c.keys()).then(keys => done(keys.map(k => k.url)));
            """)) >= 4)
            cached = driver.execute_async_script("""
                const done = arguments[0];
                caches.open('qunsop-packs-v2').then(c => c.keys()).then(keys => done(keys.map(k => k.url)));
            """)
        assert url + WEEK_DAY in cached and url + "packs/week/" in cached
        assert any(entry.endswith("pressure.png") for entry in cached)
        # the server is gone: the phone has no connection
        driver.refresh()
        assert "冬天胎压怎么看" in driver.find_element(By.TAG_NAME, "main").text
        image_ok = driver.execute_script(
            "const img = document.querySelector('.qs-img img'); return img.complete && img.naturalWidth > 0")
        assert image_ok
    finally:
        driver.quit()


# Loads each page into a phone-sized frame of the open page and measures where its first
# 复制 button ends: the same layout as a visit (the frame is the phone's viewport, under the
# driver's phone emulation), without a WebDriver round trip per page.
FIRST_COPY_BOTTOMS = r"""
const [urls, done] = [arguments[0], arguments[arguments.length - 1]];
const frame = document.createElement('iframe');
frame.style.cssText = 'position:fixed;left:0;top:0;width:390px;height:844px;border:0';
document.body.appendChild(frame);
const found = [];
const next = () => {
  if (found.length === urls.length) { frame.remove(); done(found); return; }
  const url = urls[found.length];
  frame.onload = () => {
    const button = frame.contentDocument.querySelector('button[data-copy]');
    found.push([url, button ? button.getBoundingClientRect().bottom : 0,
                frame.contentWindow.innerHeight]);
    next();
  };
  frame.src = url;
};
next();
"""


def test_first_copy_button_is_on_the_first_screen_of_every_pack(example_site: Path) -> None:
    driver = make_driver(390, 844, mobile=True)
    driver.set_script_timeout(180)
    pages = sorted(path.parent.relative_to(example_site).as_posix()
                   for path in (example_site / "packs").glob("*/*/index.html")
                   if path.parent.name != "today" and path.parent.parent.name != "groups")
    assert len(pages) > 200
    try:
        with serve(example_site) as url:
            driver.get(url + "packs/c-store-daily/2026-12-07/")
            SCREENSHOTS.mkdir(exist_ok=True)
            driver.save_screenshot(str(SCREENSHOTS / "pack-first-screen.png"))
            visited = driver.execute_script(
                "return document.querySelector('button[data-copy]').getBoundingClientRect().bottom")
            found = driver.execute_async_script(FIRST_COPY_BOTTOMS, [url + page + "/" for page in pages])
    finally:
        driver.quit()
    assert 0 < visited <= 844
    assert len(found) == len(pages) and all(height == 844 for _url, _bottom, height in found)
    below = [(page, bottom) for page, bottom, _height in found if not 0 < bottom <= 844]
    assert below == []


def test_details_owners_notice(minimal_site: Path) -> None:
    page = (minimal_site / WEEK_DAY / "index.html").read_text(encoding="utf-8")
    assert re.search(r'<img src="[^"]+pressure.png" alt="胎压示意图" loading="lazy" width="64" height="48">', page)
    assert '<link rel="icon" href="../../../assets/images/favicon.png">' in page
    assert (minimal_site / "assets/images/favicon.png").is_file()
    assert (minimal_site / WEEK_DAY / "pack.txt").read_bytes().startswith(b"\xef\xbb\xbf")
    not_found = (minimal_site / "404.html").read_text(encoding="utf-8")
    assert "找不到这个页面" in not_found and "Not found" not in not_found
    festival = (minimal_site / "packs/week/2026-12-03/index.html").read_text(encoding="utf-8")
    shown = re.sub(r"<script.*?</script>", "", festival, flags=re.S)
    assert shown.count("测试节") == 2  # <title> and heading, once each (the page data aside)
    # operator text stays on the SOP site
    assert "qs-badge" not in page and "排期说明" not in page and "用户需要的" not in page
    png = (minimal_site / "packs/week/qr.png").read_bytes()
    assert png.startswith(b"\x89PNG")
    calendar = (minimal_site / "demo/calendars/week/index.html").read_text(encoding="utf-8")
    assert "qr.png" in calendar and "<svg" in calendar


def test_sent_cards_keep_readable_contrast(phone, base: str) -> None:  # type: ignore[no-untyped-def]
    fresh(phone, base + WEEK_DAY)
    phone.find_element(By.CSS_SELECTOR, "input[data-sent='2']").click()
    ratio = phone.execute_script("""
        const card = document.getElementById('slot-2');
        const rgb = s => s.match(/\\d+/g).slice(0, 3).map(Number);
        const lum = c => { const [r, g, b] = c.map(v => { v /= 255;
            return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
            return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
        const text = document.querySelector('#slot-2 .qs-title');
        const fg = lum(rgb(getComputedStyle(text).color)), bg = lum(rgb(getComputedStyle(card).backgroundColor));
        return (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
    """)
    assert ratio >= 4.5


def test_no_request_leaves_the_sites_origin(example_site: Path) -> None:
    """Statically for every page, then in the browser for the pages that had icons from a CDN."""
    fetched = re.compile(r'<(?:script|img|source|video|iframe)\b[^>]*\b(?:src|poster)="(?:https?:)?//'
                         r'|<link\b(?=[^>]*\brel="(?:stylesheet|icon|preload|modulepreload|manifest)")'
                         r'[^>]*\bhref="(?:https?:)?//', re.I)
    offenders = [path.relative_to(example_site).as_posix()
                 for path in example_site.rglob("*.html") if fetched.search(path.read_text(encoding="utf-8"))]
    assert offenders == []
    driver = make_driver(390, 844, mobile=True)
    try:
        with serve(example_site) as url:
            for page in ("", "truck-tyres/escalations/product-complaint/", "truck-tyres/",
                         "packs/c-store-daily/2026-12-07/", "today/"):
                driver.get(url + page)
                time.sleep(0.5)
                requested = driver.execute_script(
                    "return performance.getEntriesByType('resource').map(r => r.name)")
                assert [r for r in requested if not r.startswith(url)] == [], page
    finally:
        driver.quit()
