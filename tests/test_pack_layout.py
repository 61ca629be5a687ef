"""A pack page does not move when its scripts run (issue 22: Lighthouse CLS 0).

The HTML is what the scripts leave on a first visit (the prompt, the 还没填 lines, the
复制（缺N项） labels) and the 现在该发 badge sits out of the flow, so whether Chromium
paints before or after pack.js, nothing on the first screen jumps. Each page is laid out
twice on a 390×844 phone: with every script blocked, and as a first visit with the scripts
at a clock time when one of its items is due.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium.webdriver.support.ui import WebDriverWait

from browser import frozen_clock, make_driver, serve

pytestmark = pytest.mark.browser

# the page's boxes in page coordinates: the blocks of main, of each item, its buttons and head
LAYOUT = """
return [...document.querySelectorAll(
    'main > *, .qs-slot > *, .qs-actions > *, .qs-head > :not(.qs-due), .qs-step > *, #receipt > *')]
  .map(e => [e, e.getBoundingClientRect()]).filter(([e, r]) => r.width || r.height)  // not hidden
  .map(([e, r]) => [e.id || e.classList[0] || e.tagName, Math.round(r.top + scrollY), Math.round(r.left),
                    Math.round(r.width), Math.round(r.height)]);
"""


@pytest.fixture(scope="module")
def example_base(example_site: Path) -> Iterator[str]:
    with serve(example_site) as url:
        yield url


@pytest.mark.parametrize(("entry", "page", "utc"), [
    ("c-store-daily/2026-12-07/", "c-store-daily/2026-12-07/", "2026-12-07T13:05:00Z"),  # 21:05, the last item due
    ("c-store-launch-14/today/?start=2026-12-01", "c-store-launch-14/day-07/", "2026-12-07T12:05:00Z"),  # day 7, 20:05
    ("c-store-daily/2026-12-11/", "c-store-daily/2026-12-11/", "2026-12-11T12:05:00Z"),  # a game: a 复制 per step
    ("b-main-daily/2026-12-07/", "b-main-daily/2026-12-07/", "2026-12-07T12:05:00Z"),  # an assistant's pack
])
def test_a_first_visit_does_not_move_when_the_scripts_run(example_base: str, entry: str, page: str,
                                                          utc: str) -> None:
    driver = make_driver(390, 844, mobile=True)
    try:
        driver.execute_cdp_cmd("Network.enable", {})
        driver.execute_cdp_cmd("Network.setBlockedURLs", {"urls": ["*.js"]})
        driver.get(example_base + "packs/" + page)
        as_sent = driver.execute_script(LAYOUT)
        driver.execute_cdp_cmd("Network.setBlockedURLs", {"urls": []})
        driver.execute_cdp_cmd("Storage.clearDataForOrigin",
                               {"origin": example_base.rstrip("/"), "storageTypes": "all"})
        driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": frozen_clock(utc)})
        driver.get(example_base + "packs/" + entry)
        WebDriverWait(driver, 10).until(lambda d: d.current_url == example_base + "packs/" + page
                                        and d.execute_script("return document.readyState") == "complete")
        WebDriverWait(driver, 5).until(lambda d: d.execute_script(
            "return document.querySelector('.qs-slot.due') !== null"))  # the scripts have run
        assert driver.execute_script("return scrollY") > 0  # and scrolled to the item due
        assert driver.execute_script(LAYOUT) == as_sent
        badge = driver.execute_script(  # the badge is shown, on the due item's top edge
            "const b = document.querySelector('.qs-slot.due .qs-due').getBoundingClientRect();"
            "const s = document.querySelector('.qs-slot.due').getBoundingClientRect();"
            "return [b.width > 0, b.top < s.top && s.top < b.bottom]")
        assert badge == [True, True]
    finally:
        driver.quit()
