"""Issue 25, classes 3 and 7: `qunsop serve` answers only its own address, and keeps
answering after any failed rebuild.

A page on another site whose name resolves to 127.0.0.1 (DNS rebinding) sends its own
name in the Host header: it gets a 403, not the preview. A rebuild that fails in a
way nobody foresaw (here: the build raising an error of its own) shows the error page
instead of leaving every request waiting for a build that never comes.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_serve import free_port, wait_until_answers

from conftest import AUTHORED_EPOCH
from safety import copy_minimal

POST = "content_library/posts/needed/tyre-pressure.md"
PAGE = "library/needed/"
# the real CLI, with one fault planted: while BOOM exists, a build raises RuntimeError
FAULTY = """
import sys
from pathlib import Path
import qunsop.serve as serve
real = serve.build_project
def build_project(root, options):
    if (Path(root) / "BOOM").exists():
        raise RuntimeError("planted fault")
    return real(root, options)
serve.build_project = build_project
from qunsop.cli import main
sys.argv = ["qunsop", *sys.argv[1:]]
main()
"""


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, int]]:
    project = copy_minimal(tmp_path_factory.mktemp("serve") / "project")
    port = free_port()
    server = subprocess.Popen([sys.executable, "-c", FAULTY, "serve", str(project), "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                              env={**os.environ, "SOURCE_DATE_EPOCH": AUTHORED_EPOCH})
    try:
        wait_until_answers(f"http://127.0.0.1:{port}/{PAGE}", server)
        yield project, port
    finally:
        server.terminate()
        server.wait(timeout=20)


def fetch(port: int, path: str, host: str | None = None, timeout: float = 10) -> tuple[int, str]:
    request = urllib.request.Request(f"http://127.0.0.1:{port}/{path}",
                                     headers={"Host": host} if host else {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8")


@pytest.mark.parametrize("host", ["evil.example", "evil.example:{port}", "127.0.0.1.evil.example:{port}",
                                  "localhost.evil.example", "127.0.0.1:1", "[::2]:{port}"])
def test_other_host_headers_get_nothing(served: tuple[Path, int], host: str) -> None:
    _project, port = served
    for path in (PAGE, "search/manifest.json", "livereload/0/0"):
        status, body = fetch(port, path, host.format(port=port))
        assert status == 403 and "胎压" not in body and "Host" in body


@pytest.mark.parametrize("host", ["127.0.0.1:{port}", "localhost:{port}", "LOCALHOST:{port}", "127.0.0.1"])
def test_this_machines_names_are_answered(served: tuple[Path, int], host: str) -> None:
    _project, port = served
    status, body = fetch(port, PAGE, host.format(port=port))
    assert status == 200 and "胎压" in body


def edit(project: Path, old: str, new: str) -> None:
    path = project / POST
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")


def wait_for(port: int, text: str, seconds: float = 60) -> str:
    deadline = time.monotonic() + seconds
    body = ""
    while time.monotonic() < deadline:
        status, body = fetch(port, PAGE, timeout=5)  # never a request that hangs
        if status == 200 and text in body:
            return body
        time.sleep(0.3)
    raise AssertionError(f"{text!r} not shown; last page: {body[:300]}")


@pytest.mark.real_timers  # the rebuild waits on the engine's timed waits; the date plays no part
def test_a_rebuild_that_fails_unforeseen_shows_the_error_and_recovers(served: tuple[Path, int]) -> None:
    project, port = served
    (project / "BOOM").write_text("", encoding="utf-8")
    edit(project, "胎压会掉", "胎压掉得快")
    page = wait_for(port, "planted fault")
    assert "内部错误" in page
    (project / "BOOM").unlink()
    edit(project, "胎压掉得快", "胎压掉得更快")
    wait_for(port, "胎压掉得更快")
