"""The browsers tests share (tests/browser.py): each test gets the kept Chromium with a fresh
profile, and nothing the last test left behind is seen by the next."""

from __future__ import annotations

from pathlib import Path

import pytest
from selenium.webdriver.support.ui import WebDriverWait

from browser import make_driver, serve

pytestmark = pytest.mark.browser
DAY = "packs/week/2026-12-07/"  # registers the packs' service worker, which keeps the day

# what a profile holds for the site's origin, read on the SOP site's home page (no worker)
PROFILE = """
const done = arguments[arguments.length - 1];
const databases = indexedDB.databases ? indexedDB.databases() : Promise.resolve([]);
Promise.all([caches.keys(), navigator.serviceWorker.getRegistrations(), databases,
             navigator.permissions.query({name: 'clipboard-read'})])
  .then(([cacheNames, workers, bases, clipboard]) => done({
    local: localStorage.length, session: sessionStorage.length, cookie: document.cookie,
    caches: cacheNames, workers: workers.length, databases: bases.map(b => b.name),
    clipboard: clipboard.state, script: window.__leftOver || null,
    print: matchMedia('print').matches}));
"""

LEAVE = """
const done = arguments[arguments.length - 1];
localStorage.setItem('qunsop:left', '1');
sessionStorage.setItem('qunsop:left', '1');
document.cookie = 'left=1; max-age=3600; path=/';
const opening = indexedDB.open('left');
opening.onsuccess = () => { opening.result.close(); done(true); };
opening.onerror = () => done(false);
"""


def test_a_test_never_sees_what_the_last_test_left_in_the_kept_browser(minimal_site: Path) -> None:
    with serve(minimal_site) as url:
        first = make_driver(390, 844, mobile=True)
        try:
            kept = first.kept
            first.get(url + DAY)
            WebDriverWait(first, 20).until(lambda d: d.execute_async_script(
                "const done = arguments[0]; caches.keys().then(names => done(names.length > 0))"))
            first.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": "window.__leftOver = 'x';"})
            first.execute_cdp_cmd("Browser.grantPermissions", {
                "origin": url.rstrip("/"), "browserContextId": first.browser_context_id,
                "permissions": ["clipboardReadWrite"]})
            first.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
            first.get(url)
            assert first.execute_async_script(LEAVE) is True
            first.execute_script("window.open(arguments[0])", url + DAY)  # a tab left open
            first.set_script_timeout(1)
            left = first.execute_async_script(PROFILE)
            # all of it was there: the checks below can tell
            assert left["local"] == left["session"] == 1 and left["cookie"] == "left=1", left
            assert left["caches"] and left["workers"] == 1 and left["databases"] == ["left"], left
            assert (left["clipboard"], left["script"], left["print"]) == ("granted", "x", True), left
        finally:
            first.quit()
        first.quit()  # again: the browser is still handed to one test at a time
        second = make_driver(390, 844, mobile=True)
        try:
            assert second.kept is kept  # the same Chromium and chromedriver, handed on
            assert sorted(second.window_handles) == sorted([kept.home, second.current_window_handle])
            assert second.timeouts.script == 30
            second.get(url)
            assert second.execute_async_script(PROFILE) == {
                "local": 0, "session": 0, "cookie": "", "caches": [], "workers": 0, "databases": [],
                "clipboard": "prompt", "script": None, "print": False}
            phone = second.execute_script("return [innerWidth, devicePixelRatio, navigator.userAgent]")
            assert phone[:2] == [390, 2] and "MicroMessenger" in phone[2]  # still the phone
            assert second.execute_script("return new Date().toISOString()").startswith("2026-11-23T")
            third = make_driver(390, 844, mobile=True)  # while the second test has it
            try:
                assert third.kept is not kept
            finally:
                third.quit()
        finally:
            second.quit()
