"""Real headless Chromium for tests: a static server on 127.0.0.1 and phones and desktops,
each test with a fresh profile in a browser kept for the session."""

from __future__ import annotations

import contextlib
import functools
import itertools
import json
import shutil
import threading
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest
import websocket  # declared in the dev extras (selenium depends on it too)
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

# the browsers' clock is the session's: 2026-11-23 10:00 in Shanghai, and it runs on from there
READER_NOW = "2026-11-23T02:00:00Z"
SHIFTED_CLOCK = """
(() => {
  const Real = Date, offset = Real.parse(%r) - Real.now();
  class Shifted extends Real {
    constructor(...args) { if (args.length) { super(...args); } else { super(Real.now() + offset); } }
    static now() { return Real.now() + offset; }
  }
  window.Date = Shifted;
})();
"""



def frozen_clock(iso: str) -> str:
    """A page script that stops the page's clock at `iso` (UTC), for a test that reads a page
    on another day or at another time than the session's."""
    return f"""
(() => {{
  const Real = Date, fixed = Real.parse({iso!r});
  class Frozen extends Real {{
    constructor(...args) {{ if (args.length) {{ super(...args); }} else {{ super(fixed); }} }}
    static now() {{ return fixed; }}
  }}
  window.Date = Frozen;
}})();
"""


CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"


class _QuietHandler(SimpleHTTPRequestHandler):
    requested: list[str] | None = None

    def log_message(self, format: str, *args: object) -> None:
        if self.requested is not None:
            self.requested.append(self.path)


@contextmanager
def serve(directory: Path, requested: list[str] | None = None) -> Iterator[str]:
    """Serve `directory` on a free loopback port; yields the base URL. Paths requested
    (workers' requests too) are appended to `requested` when given."""
    handler = functools.partial(type("Handler", (_QuietHandler,), {"requested": requested}),
                                directory=str(directory))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


class Driver(webdriver.Chrome):
    """The WebDriver of a kept browser, on the tab of the test that has it: quit() ends that
    test's profile and hands the browser to the next test, not Chromium."""

    kept: Browser  # the browser this driver drives

    @property
    def browser_context_id(self) -> str:
        """The test's profile, for CDP commands that name one (Browser.grantPermissions)."""
        assert self.kept.context is not None, "quit() was called"
        return self.kept.context

    def quit(self) -> None:
        self.kept.give_back()


Key = tuple[int, int, bool]


class Browser:
    """One headless Chromium under chromedriver, kept for the worker's session, that gives
    each test a fresh profile: a tab in a browser context of its own (CDP
    Target.createBrowserContext, an incognito profile: its own storage, HTTP cache, Cache
    Storage, service workers, cookies and permissions, none of them on disk), disposed when
    the test quits. Its page scripts (Page.addScriptToEvaluateOnNewDocument) and emulated
    media belong to the tab and go with it. Starting and quitting Chromium and chromedriver
    took 0.5-0.75 s a test; a context and its tab take 0.25-0.35 s
    (tests/test_browser_profiles.py shows that nothing is handed on)."""

    idle: ClassVar[dict[Key, list[Browser]]] = {}  # kept, between tests
    every: ClassVar[list[Browser]] = []  # kept, in a test or not

    def __init__(self, key: Key) -> None:
        self.key = key
        width, height, mobile = key
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     "--disable-background-networking", "--disable-component-update",
                     "--disable-sync", "--no-first-run", "--hide-scrollbars",
                     f"--window-size={width},{height}"):
            options.add_argument(flag)
        if mobile:  # chromedriver emulates the phone in every tab, those of new contexts too
            options.add_experimental_option("mobileEmulation", {
                "deviceMetrics": {"width": width, "height": height, "pixelRatio": 2.0},
                "userAgent": ("Mozilla/5.0 (Linux; Android 13) AppleWebKit/537.36 (KHTML, like Gecko) "
                              "Chrome/120.0 Mobile Safari/537.36 MicroMessenger/8.0.47"),
            })
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        self.driver = Driver(service=Service(CHROMEDRIVER), options=options)
        self.driver.kept = self
        self.home = self.driver.current_window_handle  # a blank tab of the default profile
        self.context: str | None = None
        # chromedriver sends CDP commands to the current tab; contexts are the browser's
        address = self.driver.capabilities["goog:chromeOptions"]["debuggerAddress"]
        with urllib.request.urlopen(f"http://{address}/json/version", timeout=10) as answer:
            endpoint = json.load(answer)["webSocketDebuggerUrl"]
        self.connection = websocket.create_connection(endpoint, timeout=30, suppress_origin=True)
        self.numbers = itertools.count(1)
        Browser.every.append(self)

    def command(self, method: str, **params: object) -> dict[str, Any]:
        """A CDP command to the browser itself."""
        number = next(self.numbers)
        self.connection.send(json.dumps({"id": number, "method": method, "params": params}))
        while True:
            message = json.loads(self.connection.recv())
            if message.get("id") == number:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                result: dict[str, Any] = message["result"]
                return result

    def open_tab(self) -> Driver:
        """A tab in a new profile, current for the driver, as a new Chromium would start."""
        self.context = self.command("Target.createBrowserContext")["browserContextId"]
        width, height, _mobile = self.key
        tab = self.command("Target.createTarget", url="about:blank", browserContextId=self.context,
                           newWindow=True, width=width, height=height)["targetId"]
        driver = self.driver
        driver.switch_to.window(tab)
        driver.set_page_load_timeout(30)
        driver.set_script_timeout(30)  # selenium's defaults, whatever the last test set
        driver.implicitly_wait(0)
        driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": SHIFTED_CLOCK % READER_NOW})
        return driver

    def give_back(self) -> None:
        """The test's profile goes with every tab and window it opened; the browser is kept
        for the next test only when nothing but its blank tab is left."""
        if self.context is None:
            return  # quit() again: the browser was handed back already
        context, self.context = self.context, None
        try:
            self.driver.switch_to.window(self.home)
            self.command("Target.disposeBrowserContext", browserContextId=context)
            left = self.driver.window_handles
        except Exception:
            self.stop()
            raise
        if left != [self.home]:
            self.stop()
            raise AssertionError(f"tabs left after the test's profile was disposed: {left}")
        Browser.idle.setdefault(self.key, []).append(self)

    def usable(self) -> bool:
        try:
            return self.driver.window_handles == [self.home] and "product" in self.command("Browser.getVersion")
        except Exception:
            return False

    def stop(self) -> None:
        if self in Browser.every:
            Browser.every.remove(self)
        with contextlib.suppress(Exception):
            self.connection.close()
        with contextlib.suppress(Exception):
            webdriver.Chrome.quit(self.driver)


def make_driver(width: int, height: int, mobile: bool = False) -> Driver:
    """A phone (390×844, WeChat's user agent) or a desktop with a fresh profile, the clock at
    READER_NOW; quit() when done (see Browser)."""
    if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
        pytest.fail("headless Chromium is required: apt-get install chromium chromium-driver")
    key = (width, height, mobile)
    idle = Browser.idle.setdefault(key, [])
    while idle:
        browser = idle.pop()
        if browser.usable():
            return browser.open_tab()
        browser.stop()
    return Browser(key).open_tab()


def stop_browsers() -> None:
    """Every kept Chromium and its chromedriver, at the end of the session."""
    for browser in list(Browser.every):
        browser.stop()
    Browser.idle.clear()
