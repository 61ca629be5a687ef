"""`qunsop serve` as an editor uses it: the open page shows an edit by itself, and a broken
edit shows the problems page, in a real Chromium against the real server process."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium.webdriver.support.ui import WebDriverWait

from browser import make_driver
from conftest import MINIMAL, build_copy

pytestmark = pytest.mark.browser
POST = "content_library/posts/needed/tyre-pressure.md"
PAGE = "library/needed/"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    project = build_copy(MINIMAL, tmp_path_factory.mktemp("serve") / "project").parent
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "qunsop", "serve", str(project), "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=dict(os.environ))
    base = f"http://127.0.0.1:{port}/"
    try:
        wait_until_answers(base + PAGE, server)
        yield project, base
    finally:
        server.terminate()
        server.wait(timeout=20)


def wait_until_answers(url: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert server.poll() is None, server.stderr.read().decode() if server.stderr else ""
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except OSError:
            time.sleep(0.3)
    pytest.fail(f"qunsop serve did not answer {url}")


def edit(project: Path, old: str, new: str) -> None:
    path = project / POST
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_the_open_page_shows_an_edit_then_the_problems_then_the_fix(served: tuple[Path, str]) -> None:
    project, base = served
    driver = make_driver(1280, 900)
    try:
        driver.get(base + PAGE)
        assert "胎压会掉" in driver.page_source
        started = time.monotonic()
        edit(project, "胎压会掉", "胎压掉得快")
        WebDriverWait(driver, 60, poll_frequency=0.1).until(lambda d: "胎压掉得快" in d.page_source)
        print(f"edit shown by the open page after {time.monotonic() - started:.1f} s (minimal project)")

        edit(project, "category: needed", "category: neded")  # a typo an editor makes
        WebDriverWait(driver, 60, poll_frequency=0.1).until(lambda d: "neded" in d.page_source)
        assert "tyre-pressure.md" in driver.page_source  # the problems page names the file

        edit(project, "category: neded", "category: needed")
        driver.get(base + PAGE)
        WebDriverWait(driver, 60, poll_frequency=0.2).until(lambda d: "胎压掉得快" in d.page_source)
    finally:
        driver.quit()
