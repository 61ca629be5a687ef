"""Real headless Chromium for tests: a static server on 127.0.0.1 and a driver factory."""

from __future__ import annotations

import functools
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

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


def make_driver(width: int, height: int, mobile: bool = False):  # type: ignore[no-untyped-def]
    if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
        pytest.fail("headless Chromium is required: apt-get install chromium chromium-driver")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--hide-scrollbars",
                 f"--window-size={width},{height}"):
        options.add_argument(flag)
    if mobile:
        options.add_experimental_option("mobileEmulation", {
            "deviceMetrics": {"width": width, "height": height, "pixelRatio": 2.0},
            "userAgent": ("Mozilla/5.0 (Linux; Android 13) AppleWebKit/537.36 (KHTML, like Gecko) "
                          "Chrome/120.0 Mobile Safari/537.36 MicroMessenger/8.0.47"),
        })
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": SHIFTED_CLOCK % READER_NOW})
    return driver
