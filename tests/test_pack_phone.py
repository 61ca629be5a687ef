"""The store owner's pack on a phone: 390×844, a WeChat user agent, no Clipboard API.

Every test drives real headless Chromium against a built site served on 127.0.0.1.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, unquote

import icalendar
import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from browser import frozen_clock, make_driver, serve
from conftest import AUTHORED_EPOCH, MINIMAL, run_qunsop

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


# Timers of a second or more (a copy label coming back, a toast going) wait until the test
# runs them (`run_timers`): it sees the page after them without waiting out the seconds.
HELD_TIMERS = """
(() => {
  const [realSet, realClear, held] = [window.setTimeout, window.clearTimeout, new Map()];
  let last = 0;
  window.setTimeout = (callback, delay, ...args) => {
    if (!(delay >= 1000)) { return realSet(callback, delay, ...args); }
    held.set(--last, () => callback(...args));
    return last;
  };
  window.clearTimeout = id => (held.delete(id) || realClear(id));
  window.__runTimers = () => { const due = [...held.values()]; held.clear(); due.forEach(run => run()); };
})();
"""


def run_timers(driver) -> None:  # type: ignore[no-untyped-def]
    driver.execute_script("window.__runTimers()")


@pytest.fixture()
def phone() -> Iterator:  # type: ignore[type-arg]
    driver = make_driver(390, 844, mobile=True)
    for script in (NO_CLIPBOARD, HELD_TIMERS):
        driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": script})
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
    # copying marks 已复制; 已发 is the owner's own tick
    assert copy_button(phone, 1).text == "已复制 ✓"
    box = phone.find_element(By.CSS_SELECTOR, "input[data-sent='1']")
    assert not box.is_selected()
    assert "copied" in phone.find_element(By.ID, "slot-1").get_attribute("class")
    box.click()
    assert box.is_selected() and "sent" in phone.find_element(By.ID, "slot-1").get_attribute("class")
    box.click()
    assert not box.is_selected()
    # kept on this phone for every pack
    phone.get(base + "packs/launch/day-01/")
    assert phone.find_element(By.CSS_SELECTOR, "#text-1 mark").text == "老周轮胎"


STORE = "?%E9%97%A8%E5%BA%97%E5%90%8D="  # ?门店名=
LAOZHOU = "%E8%80%81%E5%91%A8%E8%BD%AE%E8%83%8E"  # 老周轮胎
LAOWANG = "%E8%80%81%E7%8E%8B%E8%BD%AE%E8%83%8E"  # 老王轮胎


def saved_profile(driver) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return json.loads(driver.execute_script("return localStorage.getItem('qunsop:profile') || '{}'"))


@pytest.mark.parametrize(("entry", "lands"), [
    (WEEK_DAY + STORE + LAOZHOU, WEEK_DAY),  # a dated day
    ("packs/week/today/" + STORE + LAOZHOU, WEEK_DAY),  # today/ (and the QR, which points there)
    ("packs/launch/today/?start={today}&" + STORE[1:] + LAOZHOU, "packs/launch/day-01/"),  # day N
])
def test_an_operators_link_fills_the_profile_once_from_every_entry(entry: str, lands: str, base: str) -> None:
    driver = make_driver(390, 844, mobile=True)
    try:
        driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument",
                               {"source": NO_CLIPBOARD + frozen_clock("2026-12-07T02:00:00Z")})
        fresh(driver, base + "packs/week/")
        driver.get(base + entry.format(today="2026-12-07"))
        WebDriverWait(driver, 5).until(lambda d: d.current_url == base + lands)  # the query is gone too
        assert driver.find_element(By.CSS_SELECTOR, "#text-1 mark").text == "老周轮胎"
        assert saved_profile(driver) == {"门店名": "老周轮胎"}
        assert driver.find_elements(By.ID, "ask") == []
    finally:
        driver.quit()


def test_a_link_asks_before_replacing_a_saved_value_and_an_empty_one_never_wipes(phone, base: str) -> None:  # type: ignore[no-untyped-def]
    fresh(phone, base + WEEK_DAY)
    phone.execute_script("localStorage.setItem('qunsop:profile', JSON.stringify({'门店名': '老周轮胎'}))")
    phone.get(base + WEEK_DAY + STORE)  # ?门店名= (empty)
    assert phone.current_url == base + WEEK_DAY
    assert saved_profile(phone) == {"门店名": "老周轮胎"} and phone.find_elements(By.ID, "ask") == []
    phone.get(base + "packs/launch/today/?reset=1")
    phone.get(base + "packs/launch/today/" + STORE + LAOWANG)  # asked on the page the entry shows
    ask = phone.find_element(By.ID, "ask")
    assert "门店名：手机上是“老周轮胎”，链接里是“老王轮胎”" in ask.text
    assert saved_profile(phone) == {"门店名": "老周轮胎"}
    phone.find_element(By.ID, "ask-keep").click()
    assert saved_profile(phone) == {"门店名": "老周轮胎"} and phone.find_elements(By.ID, "ask") == []
    phone.get(base + WEEK_DAY + STORE + LAOWANG)
    assert phone.find_element(By.CSS_SELECTOR, "#text-1 mark").text == "老周轮胎"  # not yet
    SCREENSHOTS.mkdir(exist_ok=True)
    phone.save_screenshot(str(SCREENSHOTS / "pack-link-asks.png"))
    phone.find_element(By.ID, "ask-replace").click()
    assert phone.find_element(By.CSS_SELECTOR, "#text-1 mark").text == "老王轮胎"
    assert saved_profile(phone) == {"门店名": "老王轮胎"}
    phone.refresh()  # answered once
    assert phone.find_elements(By.ID, "ask") == []


@pytest.mark.parametrize("start", ["1900-01-01", "{long_ago}", "2026-02-30", "<b>平台通知：请加客服微信</b>"])
def test_an_implausible_start_date_is_refused_and_never_remembered(phone, base: str, start: str) -> None:  # type: ignore[no-untyped-def]
    fresh(phone, base + "packs/launch/today/")
    long_ago = phone.execute_script("return new Date(Date.now() - 400 * 86400000).toISOString().slice(0, 10)")
    wanted = start.format(long_ago=long_ago)
    phone.get(base + "packs/launch/today/?start=" + quote(wanted))
    error = phone.find_element(By.ID, "start-error")
    assert error.is_displayed() and error.text.startswith("链接有误：")
    assert wanted not in phone.find_element(By.TAG_NAME, "body").text and "平台通知" not in phone.page_source.split("<script")[0]
    assert phone.execute_script("return localStorage.getItem('qunsop:start:launch')") is None
    assert "/today/" in phone.current_url


def test_the_prompt_goes_once_the_store_is_saved_and_typing_is_never_overwritten(phone, base: str) -> None:  # type: ignore[no-untyped-def]
    fresh(phone, base + WEEK_DAY)
    prompt = phone.find_element(By.ID, "profile-prompt")
    assert prompt.is_displayed()
    copy_button(phone, 2).click()  # a copy, then typing while its label settles
    phone.find_element(By.CSS_SELECTOR, "#profile-prompt button").click()
    field = phone.find_element(By.CSS_SELECTOR, "input[data-ph-input='门店名']")
    field.send_keys("老周")
    phone.execute_script("document.execCommand = () => false;")
    copy_button(phone, 2).click()  # blocked: its label comes back after 4 s
    assert copy_button(phone, 2).text == "请长按文字复制"
    run_timers(phone)
    assert copy_button(phone, 2).text == "已复制 ✓"
    field.send_keys("轮胎")
    assert field.get_attribute("value") == "老周轮胎"
    phone.find_element(By.ID, "profile-save").click()
    assert not phone.find_element(By.ID, "profile-prompt").is_displayed()
    SCREENSHOTS.mkdir(exist_ok=True)
    phone.save_screenshot(str(SCREENSHOTS / "pack-after-saving.png"))
    phone.get(base + "packs/week/2026-12-01/")  # a day without placeholders: never a prompt
    assert not phone.find_element(By.ID, "profile-prompt").is_displayed()
    phone.execute_script("localStorage.clear()")
    phone.refresh()
    assert not phone.find_element(By.ID, "profile-prompt").is_displayed()


def test_a_blocked_copy_explains_what_to_do_and_the_label_resets(phone, base: str) -> None:  # type: ignore[no-untyped-def]
    fresh(phone, base + WEEK_DAY)
    phone.execute_script("document.execCommand = () => false;")
    copy_button(phone, 2).click()
    assert copy_button(phone, 2).text == "请长按文字复制"
    assert "长按" in phone.find_element(By.ID, "toast").text
    selected = phone.execute_script("return String(getSelection())")
    assert selected == "昨晚服务区一位老哥帮陌生人换胎，暖心。"
    run_timers(phone)  # 4 s later
    assert copy_button(phone, 2).text == "复制"


def test_a_receipt_counts_what_was_sent_and_what_was_skipped_and_why(phone, base: str) -> None:  # type: ignore[no-untyped-def]
    fresh(phone, base + WEEK_DAY)
    copy_button(phone, 2).click()  # copied, then not sent after all
    phone.find_element(By.CSS_SELECTOR, "input[data-sent='1']").click()
    Select(phone.find_element(By.CSS_SELECTOR, "select[data-skip='2']")).select_by_visible_text("群里没人接话")
    assert "skipped" in phone.find_element(By.ID, "slot-2").get_attribute("class")
    receipt = phone.find_element(By.ID, "receipt-copy")
    assert receipt.is_displayed()  # any time, not only when everything is ticked
    receipt.click()  # without the store's name and the group it is not copied
    error = phone.find_element(By.ID, "receipt-error")
    assert error.is_displayed() and "群名" in error.text and "门店名" in error.text
    assert len(copied(phone)) == 1
    phone.find_element(By.ID, "receipt-group").send_keys("老周车友1群")
    phone.find_element(By.ID, "receipt-store").send_keys("老周轮胎")
    receipt.click()
    WebDriverWait(phone, 5).until(lambda d: len(copied(d)) == 2)
    assert copied(phone)[-1] == (
        "【已发回报】老周轮胎 · 群：老周车友1群\n"
        "一周排期 · 12月7日 周一\n"
        "已发 1/2 条：08:00 冬天胎压怎么看\n"
        "不发 1 条：20:00 路上的故事（群里没人接话）")
    assert "店主群" in phone.find_element(By.ID, "toast").text
    assert "（门店名）" not in copied(phone)[-1]
    SCREENSHOTS.mkdir(exist_ok=True)
    phone.execute_script("document.getElementById('receipt').scrollIntoView()")
    phone.save_screenshot(str(SCREENSHOTS / "pack-receipt-skip.png"))


def test_a_blocked_receipt_stays_on_the_page_selected(phone, base: str) -> None:  # type: ignore[no-untyped-def]
    fresh(phone, base + WEEK_DAY + "?%E7%BE%A4%E5%90%8D=%E8%80%81%E5%91%A8%E8%BD%A6%E5%8F%8B1%E7%BE%A4"
          "&%E7%BE%A4%E7%BC%96%E5%8F%B7=c-0012&" + STORE[1:] + LAOZHOU)  # ?群名=老周车友1群&群编号=c-0012
    assert phone.find_element(By.ID, "receipt-group").get_attribute("value") == "老周车友1群"
    phone.execute_script("document.execCommand = () => false;")
    phone.find_element(By.ID, "receipt-copy").click()
    shown = phone.find_element(By.ID, "receipt-text")
    assert shown.is_displayed()
    assert shown.text.startswith("【已发回报】老周轮胎 · 群：老周车友1群（c-0012）")
    assert "还没发 2 条" in shown.text
    assert phone.execute_script("return String(getSelection())") == shown.text
    run_timers(phone)  # the seconds after: the toast has gone, the receipt stays
    assert shown.is_displayed() and "on" not in phone.find_element(By.ID, "toast").get_attribute("class")


@pytest.mark.parametrize(("query", "message"), [
    ("?day=20", "链接有误：没有这一天"),
    ("?day=abc", "链接有误：没有这一天"),
    ("?day=0", "链接有误：没有这一天"),
    ("?day=%E5%B9%B3%E5%8F%B0%E9%80%9A%E7%9F%A5%EF%BC%9A%E8%AF%B7%E5%8A%A0%E5%AE%A2%E6%9C%8D%E5%BE%AE%E4%BF%A1",
     "链接有误：没有这一天"),  # ?day=平台通知：请加客服微信
    ("?start=garbage", "链接有误：建群日期不对"),
    ("?start={far}", "链接有误：建群日期离今天超过一年"),
    ("?start={tomorrow}", "建群日期在今天之后"),
])
def test_bad_day_and_start_get_a_fixed_message_and_a_way_on(phone, base: str, query: str, message: str) -> None:  # type: ignore[no-untyped-def]
    fresh(phone, base + "packs/launch/today/")
    tomorrow = phone.execute_script("return new Date(Date.now() + 2 * 86400000).toISOString().slice(0, 10)")
    far = phone.execute_script("return new Date(Date.now() + 400 * 86400000).toISOString().slice(0, 10)")
    phone.get(base + "packs/launch/today/" + query.format(tomorrow=tomorrow, far=far))
    time.sleep(0.3)
    assert "/today/" in phone.current_url
    text = phone.find_element(By.TAG_NAME, "main").text
    assert message in text, text
    for echoed in ("abc", "平台通知", "garbage", far, tomorrow):
        assert echoed not in text  # the link's words never appear as the site's
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


def personal_feed(driver) -> str:  # type: ignore[no-untyped-def]
    link = driver.find_element(By.ID, "ics-link")
    WebDriverWait(driver, 5).until(lambda d: link.is_displayed())
    return unquote(link.get_attribute("href").split(",", 1)[1])


def test_a_personal_calendar_is_offered_on_the_start_date_page_from_the_one_writer(
        phone, base: str, minimal_site: Path) -> None:  # type: ignore[no-untyped-def]
    phone.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": frozen_clock("2026-12-07T02:00:00Z")})
    fresh(phone, base + "packs/launch/today/")
    phone.execute_script("localStorage.setItem('qunsop:profile', JSON.stringify({'门店名': '老周轮胎, 高速口'}))")
    phone.refresh()
    assert not phone.find_element(By.ID, "ics").is_displayed()
    field = phone.find_element(By.ID, "start-date")
    phone.execute_script("arguments[0].value = '2026-12-01';"
                         "arguments[0].dispatchEvent(new Event('change'))", field)  # a date picker's choice
    raw = personal_feed(phone)
    assert phone.find_element(By.ID, "start-form").is_displayed()  # offered before opening the day
    assert phone.find_element(By.ID, "ics-link").get_attribute("download") == "launch-2026-12-01.ics"
    SCREENSHOTS.mkdir(exist_ok=True)
    phone.save_screenshot(str(SCREENSHOTS / "pack-start-date-ics.png"))
    assert all(len(line.encode()) <= 75 for line in raw.split("\r\n"))
    feed = icalendar.Calendar.from_ical(raw)
    events = sorted(feed.walk("VEVENT"), key=lambda event: event.decoded("dtstart"))
    assert [event.decoded("dtstart").isoformat() for event in events] == [
        "2026-12-01T10:00:00+08:00", "2026-12-01T21:00:00+08:00", "2026-12-02T20:00:00+08:00",
        "2026-12-02T21:00:00+08:00"]
    assert all(str(event["dtstart"].params["TZID"]) == "Asia/Shanghai" for event in events)
    assert [event.decoded("dtend") - event.decoded("dtstart") for event in events] == [dt.timedelta(minutes=10)] * 4
    assert {event.decoded("dtstamp") for event in events} == {
        dt.datetime.fromtimestamp(int(AUTHORED_EPOCH), dt.UTC)}  # the build's, not the event's date
    assert len(feed.walk("VTIMEZONE")) == 1
    assert str(events[0]["description"]) == "天冷了，胎压会掉，出车前在老周轮胎, 高速口免费测一下 🚛"
    assert "{门店名}" not in raw and "{D+" not in raw
    assert len({str(event["uid"]) for event in events}) == 4 and "2026" in str(events[0]["uid"])
    # what the build wrote is the same writer as calendar.ics
    template = (minimal_site / "packs/launch/personal-ics.txt").read_text(encoding="utf-8")
    assert "DTSTART;TZID=Asia/Shanghai:{D+0002}T200000" in template


def test_a_personal_calendar_for_a_group_whose_days_are_done(phone, base: str) -> None:  # type: ignore[no-untyped-def]
    phone.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": frozen_clock("2026-12-07T02:00:00Z")})
    fresh(phone, base + "packs/launch/today/")
    phone.get(base + "packs/launch/today/?start=2026-01-01")  # long done: the page stays
    assert "已经做完了" in phone.find_element(By.ID, "status").text
    feed = icalendar.Calendar.from_ical(personal_feed(phone))
    starts = sorted(event.decoded("dtstart").date().isoformat() for event in feed.walk("VEVENT"))
    assert starts == ["2026-01-01", "2026-01-01", "2026-01-02", "2026-01-02"]


CACHED = """
const done = arguments[arguments.length - 1];
caches.keys().then(names => Promise.all(names.map(name => caches.open(name).then(c => c.keys()))))
  .then(lists => done([].concat(...lists).map(request => request.url)));
"""


def cached_urls(driver) -> list[str]:  # type: ignore[no-untyped-def]
    return driver.execute_async_script(CACHED)


def test_offline_is_whole_and_bounded(minimal_site: Path) -> None:
    driver = make_driver(390, 844, mobile=True)
    try:
        with serve(minimal_site) as url:
            driver.get(url + "packs/week/2026-12-06/?%E9%97%A8%E5%BA%97%E5%90%8D=%E8%80%81%E5%91%A8")
            # one visit keeps this day, the day list and the next day with its image
            WebDriverWait(driver, 10).until(lambda d: any(u.endswith("2026-12-07/pack.txt") for u in cached_urls(d)))
            cached = cached_urls(driver)
            assert url + "packs/week/2026-12-06/" in cached and url + "packs/week/" in cached
            assert url + WEEK_DAY in cached and any(entry.endswith("pressure.png") for entry in cached)
            assert [entry for entry in cached if "?" in entry] == []  # no query string, no owner's values
            names = driver.execute_async_script("const done = arguments[0]; caches.keys().then(done)")
            assert len(names) == 1 and names[0].startswith("qunsop-packs-")
            assert names[0] == "qunsop-packs-" + re.search(
                r'VERSION ?= ?"(\w+)"', (minimal_site / "packs/sw.js").read_text()).group(1)
        # the server is gone: the phone has no connection
        driver.get(url + WEEK_DAY)  # the next day, never opened, with its image
        assert "冬天胎压怎么看" in driver.find_element(By.TAG_NAME, "main").text
        image_ok = driver.execute_script(
            "const img = document.querySelector('.qs-img img'); img.loading = 'eager';"
            "return new Promise(r => img.complete ? r(img.naturalWidth > 0) : img.onload = () => r(true),"
            "img.onerror = () => r(false))")
        assert image_ok
        driver.get(url + "packs/week/2026-12-03/")  # two days ahead: never kept
        body = driver.find_element(By.TAG_NAME, "body").text
        assert "现在没有网络" in body and "没网也能看" in body
        links = [a.get_attribute("href") for a in driver.find_elements(By.TAG_NAME, "a")]
        assert url + WEEK_DAY in links and url + "packs/week/2026-12-06/" in links
        SCREENSHOTS.mkdir(exist_ok=True)
        driver.save_screenshot(str(SCREENSHOTS / "pack-offline-page.png"))
        with serve(minimal_site) as url:  # every day, online again: at most 8 kept
            pages = [f"packs/week/2026-12-0{n}/" for n in range(1, 8)] + ["packs/launch/day-01/",
                                                                          "packs/launch/day-02/"]
            for page in pages:  # each visit kept before the next (a loaded phone is slow)
                driver.get(url + page)
                WebDriverWait(driver, 20).until(
                    lambda d, page=page: url + page + "pack.txt" in cached_urls(d))
            time.sleep(0.5)  # the last visit's index entry
            days = [u for u in cached_urls(driver) if re.search(r"/(20\d\d-\d\d-\d\d|day-\d\d)/$", u)]
            assert len(days) == 8 and url + "packs/week/2026-12-01/" not in days
            files = [u for u in cached_urls(driver) if u.endswith("pack.txt")]
            assert len(files) == 8
    finally:
        driver.quit()


def test_a_deploy_brings_a_new_cache_version(minimal_site: Path, tmp_path: Path) -> None:
    before = (minimal_site / "packs/sw.js").read_text(encoding="utf-8")
    project = tmp_path / "project"
    shutil.copytree(MINIMAL, project)
    post = project / "content_library/posts/liked/road-story.md"
    post.write_text(post.read_text(encoding="utf-8").replace("暖心。", "真暖心。"), encoding="utf-8")
    run = run_qunsop("build", str(project), env={"SOURCE_DATE_EPOCH": AUTHORED_EPOCH})
    assert run.exit_code == 0, run.output
    after = (project / "site/packs/sw.js").read_text(encoding="utf-8")
    version = re.compile(r'VERSION ?= ?"(\w+)"')
    assert version.search(before) and version.search(after)
    assert version.search(before).group(1) != version.search(after).group(1)  # type: ignore[union-attr]
    assert version.sub("", before) == version.sub("", after)


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
    // from the top of the page: on today's pack the item due now is scrolled into view
    found.push([url, button ? button.getBoundingClientRect().bottom + frame.contentWindow.scrollY : 0,
                frame.contentWindow.innerHeight]);
    next();
  };
  frame.src = url;
};
next();
"""


# A phone whose browser has no service workers (the page checks for them and goes without):
# with one, every page loaded here also has the worker fetch and keep that day and the next
# (two of every five seconds of this test), which never moves a page's layout; what the
# worker keeps is test_offline_is_whole_and_bounded's.
NO_SERVICE_WORKER = "delete Navigator.prototype.serviceWorker;"


def test_first_copy_button_is_on_the_first_screen_of_every_pack(example_site: Path) -> None:
    driver = make_driver(390, 844, mobile=True)
    driver.set_script_timeout(180)
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": NO_SERVICE_WORKER})
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
                "return document.querySelector('button[data-copy]').getBoundingClientRect().bottom + scrollY")
            found = driver.execute_async_script(FIRST_COPY_BOTTOMS, [url + page + "/" for page in pages])
            without_worker = driver.execute_script("return 'serviceWorker' in navigator")
    finally:
        driver.quit()
    assert 0 < visited <= 844 and without_worker is False
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


@pytest.fixture(scope="module")
def example_base(example_site: Path) -> Iterator[str]:
    with serve(example_site) as url:
        yield url


@pytest.mark.parametrize(("entry", "utc", "lands", "due"), [
    ("c-store-daily/today/", "2026-12-06T23:45:00Z", "c-store-daily/2026-12-07/", "07:30"),  # 07:45
    ("c-store-daily/today/", "2026-12-07T04:50:00Z", "c-store-daily/2026-12-07/", "12:40"),  # 12:50, 朋友圈
    ("c-store-daily/today/", "2026-12-07T12:45:00Z", "c-store-daily/2026-12-07/", "20:30"),  # 20:45, group
    ("c-store-launch-14/today/?start=2026-12-07", "2026-12-07T02:05:00Z", "c-store-launch-14/day-01/", "10:00"),
])
def test_the_item_due_now_is_decided_by_time_across_channels(
        example_base: str, entry: str, utc: str, lands: str, due: str) -> None:
    driver = make_driver(390, 844, mobile=True)
    try:
        driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument",
                               {"source": NO_CLIPBOARD + frozen_clock(utc)})
        driver.get(example_base + "packs/" + entry)
        WebDriverWait(driver, 5).until(lambda d: d.current_url == example_base + "packs/" + lands)
        marked = driver.find_elements(By.CSS_SELECTOR, ".qs-slot.due")
        assert [card.get_attribute("data-time") for card in marked] == [due]
        top, bottom = driver.execute_script(
            "const r = document.querySelector('.qs-slot.due .qs-copy').getBoundingClientRect();"
            "return [r.top, r.bottom]")
        assert top >= 0 and bottom <= 844  # its 复制 is on the screen
        times = [card.get_attribute("data-time") for card in driver.find_elements(By.CSS_SELECTOR, ".qs-slot")]
        assert times == sorted(times)  # one list in time order, whatever the channel
        SCREENSHOTS.mkdir(exist_ok=True)
        driver.save_screenshot(str(SCREENSHOTS / f"pack-due-{due.replace(':', '')}.png"))
    finally:
        driver.quit()


def test_an_assistants_pack_has_no_store_form_and_reports_to_the_operator(phone, example_base: str) -> None:  # type: ignore[no-untyped-def]
    fresh(phone, example_base + "packs/b-main-daily/2026-12-07/")
    assert phone.find_elements(By.ID, "profile") == [] and phone.find_elements(By.ID, "profile-prompt") == []
    assert phone.find_elements(By.CSS_SELECTOR, "[data-open-profile]") == []
    receipt = phone.find_element(By.ID, "receipt")
    assert "私聊发给运营" in receipt.text and "店主群" not in receipt.text
    assert phone.find_elements(By.ID, "receipt-store") == []
    phone.find_element(By.CSS_SELECTOR, "input[data-sent='1']").click()
    phone.find_element(By.ID, "receipt-group").send_keys("门店总群3群")
    phone.find_element(By.ID, "receipt-copy").click()
    WebDriverWait(phone, 5).until(lambda d: copied(d))
    text = copied(phone)[-1]
    assert text.startswith("【已发回报】群助理 · 群：门店总群3群\nB端运营总群 每日节奏 · 12月7日 周一")
    assert "已发 1/" in text and "（门店名）" not in text
    assert "发给运营" in phone.find_element(By.ID, "toast").text
    SCREENSHOTS.mkdir(exist_ok=True)
    phone.execute_script("window.scrollTo(0, 0)")
    phone.save_screenshot(str(SCREENSHOTS / "pack-b-side.png"))


def test_each_step_of_a_game_is_copied_on_its_own(phone, example_base: str) -> None:  # type: ignore[no-untyped-def]
    fresh(phone, example_base + "packs/c-store-daily/2026-12-04/")
    card = phone.find_element(By.XPATH, "//section[.//span[@class='qs-title' and text()='游戏：轮胎知识赛']]")
    number = card.get_attribute("id").removeprefix("slot-")
    steps = card.find_elements(By.CSS_SELECTOR, ".qs-text")
    assert len(steps) == 6 and "第一题" in steps[1].text and "最后一题答案" in steps[4].text
    assert card.find_elements(By.TAG_NAME, "a") == []  # no link into the SOP site
    phone.execute_script("arguments[0].scrollIntoView()", steps[2])
    button = card.find_element(By.CSS_SELECTOR, f"button[data-copy='text-{number}-3']")
    button.click()
    WebDriverWait(phone, 5).until(lambda d: copied(d))
    assert copied(phone) == [steps[2].text]  # the answer to question 1, then question 2
    assert copied(phone)[0].startswith("上一题答案：") and "第二题：" in copied(phone)[0]
    assert button.text == "已复制 ✓"
    SCREENSHOTS.mkdir(exist_ok=True)
    phone.save_screenshot(str(SCREENSHOTS / "pack-game-steps.png"))
