"""Shared instruments for the benchmarks: a counting static server, headless Chromium,
page weight per view, the representative pages of a built site, the machine's details.

Used by run.py, lighthouse.py and search_latency.py. Nothing here imports qunsop: the
instruments measure a built site/ folder, whatever engine produced it.
"""

from __future__ import annotations

import gzip
import os
import platform
import re
import shutil
import statistics
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from email.utils import formatdate
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from importlib import metadata
from pathlib import Path
from urllib.parse import unquote, urlsplit

CHROMIUM = os.environ.get("CHROME_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
# Flags for every headless Chromium the benchmarks start: no sandbox (container), no GPU,
# and nothing that phones home (the machine has no internet; a stalled request would
# distort timings).
CHROME_FLAGS = (
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-default-apps", "--disable-domain-reliability", "--disable-extensions",
    "--disable-client-side-phishing-detection", "--disable-breakpad", "--no-pings",
    "--disable-features=Translate,OptimizationHints,MediaRouter,DialMediaRouteProvider,"
    "AutofillServerCommunication,CertificateTransparencyComponentUpdater,InterestFeedContentSuggestions",
    "--metrics-recording-only", "--no-first-run", "--no-default-browser-check",
    "--password-store=basic", "--use-mock-keychain", "--hide-scrollbars",
)
# What counts as the search engine's download: Material's worker, lunr and its language
# files, the index; Pagefind's bundle and shards, should the engine change.
SEARCH_PATH = re.compile(r"search|lunr|pagefind|tinyseg|wordcut|\.pf_", re.IGNORECASE)
COMPRESSIBLE = re.compile(r"^(text/|application/(json|javascript|xml|manifest\+json)|image/svg)")
KB = 1024


# --- a static server that counts what it sends ------------------------------------------


@dataclass(frozen=True)
class Served:
    at: float  # time.monotonic() when the response was sent
    path: str
    status: int
    content_type: str
    wire: int  # body bytes sent (gzip when the client accepted it)
    raw: int  # body bytes before compression
    dest: str = ""  # Sec-Fetch-Dest: document, script, style, image, serviceworker, empty (fetch) …
    referer: str = ""  # path of the page or worker script that asked


@dataclass
class ServerLog:
    entries: list[Served] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, entry: Served) -> None:
        with self.lock:
            self.entries.append(entry)

    def mark(self) -> int:
        with self.lock:
            return len(self.entries)

    def since(self, mark: int = 0) -> list[Served]:
        with self.lock:
            return list(self.entries[mark:])


class _Handler(SimpleHTTPRequestHandler):
    """GET/HEAD of static files like a production host: index.html for folders, a 301 to
    add the trailing slash, the site's 404.html for missing files, gzip for text types
    when `compress` is on, max-age=600 with Last-Modified and 304s (GitHub Pages, Netlify,
    nginx with gzip on all do that)."""

    compress = True
    log: ServerLog
    _gzipped: dict[tuple[str, int], bytes] = {}  # noqa: RUF012 -- shared cache, keyed by file

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        self._respond(head=False)

    def do_HEAD(self) -> None:
        self._respond(head=True)

    def _respond(self, head: bool) -> None:
        url_path = unquote(urlsplit(self.path).path)
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            if not url_path.endswith("/"):
                self.send_response(HTTPStatus.MOVED_PERMANENTLY)
                self.send_header("Location", url_path + "/")
                self.send_header("Content-Length", "0")
                self.end_headers()
                self.log.add(Served(time.monotonic(), url_path, 301, "", 0, 0, *self._who()))
                return
            path = path / "index.html"
        status = HTTPStatus.OK
        if not path.is_file():
            status = HTTPStatus.NOT_FOUND
            path = Path(self.directory) / "404.html"
            if not path.is_file():
                self.send_error(HTTPStatus.NOT_FOUND)
                self.log.add(Served(time.monotonic(), url_path, 404, "", 0, 0, *self._who()))
                return
        modified = formatdate(path.stat().st_mtime, usegmt=True)
        if status == HTTPStatus.OK and self.headers.get("If-Modified-Since") == modified:
            self.send_response(HTTPStatus.NOT_MODIFIED)
            self.send_header("Cache-Control", "max-age=600")
            self.end_headers()
            self.log.add(Served(time.monotonic(), url_path, 304, "", 0, 0, *self._who()))
            return
        data = path.read_bytes()
        content_type = self.guess_type(str(path))
        if content_type.startswith("text/") or content_type in ("application/javascript",
                                                                 "application/json"):
            content_type += "; charset=utf-8"
        body = data
        encoded = (self.compress and COMPRESSIBLE.match(content_type) is not None
                   and "gzip" in self.headers.get("Accept-Encoding", ""))
        if encoded:
            key = (str(path), path.stat().st_mtime_ns)
            if key not in self._gzipped:
                self._gzipped[key] = gzip.compress(data, compresslevel=6, mtime=0)
            body = self._gzipped[key]
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "max-age=600")  # what GitHub Pages sends
        self.send_header("Last-Modified", modified)
        if encoded:
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Vary", "Accept-Encoding")
        self.end_headers()
        if not head:
            self.wfile.write(body)
        self.log.add(Served(time.monotonic(), url_path, int(status), content_type.split(";")[0],
                            0 if head else len(body), 0 if head else len(data), *self._who()))

    def _who(self) -> tuple[str, str]:
        referer = unquote(urlsplit(self.headers.get("Referer", "")).path)
        return self.headers.get("Sec-Fetch-Dest", ""), referer


@contextmanager
def serve(directory: Path, compress: bool = True) -> Iterator[tuple[str, ServerLog]]:
    """Serve `directory` on a free 127.0.0.1 port; yields (base URL, log of responses)."""
    log = ServerLog()
    handler = type("Handler", (_Handler,), {"compress": compress, "log": log})

    def make(*args: object, **kwargs: object) -> _Handler:
        return handler(*args, directory=str(directory), **kwargs)  # type: ignore[arg-type]

    server = ThreadingHTTPServer(("127.0.0.1", 0), make)  # type: ignore[arg-type]
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", log
    finally:
        server.shutdown()
        server.server_close()


def wait_quiet(log: ServerLog, quiet: float = 1.0, limit: float = 60.0) -> None:
    """Wait until the server has sent nothing for `quiet` seconds (network idle)."""
    started = time.monotonic()
    while time.monotonic() - started < limit:
        entries = log.since()
        last = entries[-1].at if entries else started
        if time.monotonic() - max(last, started) >= quiet:
            return
        time.sleep(0.1)


# --- headless Chromium through Selenium ---------------------------------------------------


def make_driver(width: int, height: int, mobile: bool = False):  # type: ignore[no-untyped-def]
    if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
        raise SystemExit("headless Chromium is required: apt-get install chromium chromium-driver")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (*CHROME_FLAGS, f"--window-size={width},{height}"):
        options.add_argument(flag)
    if mobile:
        options.add_experimental_option("mobileEmulation", {
            "deviceMetrics": {"width": width, "height": height, "pixelRatio": 2.0},
            "userAgent": ("Mozilla/5.0 (Linux; Android 13) AppleWebKit/537.36 (KHTML, like Gecko) "
                          "Chrome/120.0 Mobile Safari/537.36 MicroMessenger/8.0.47"),
        })
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    driver.set_script_timeout(60)
    return driver


def fresh_view(driver, base: str) -> None:  # type: ignore[no-untyped-def]
    """Forget the HTTP cache, storage and service workers of the site: the next view is a first visit."""
    driver.execute_cdp_cmd("Network.enable", {})
    driver.execute_cdp_cmd("Network.clearBrowserCache", {})
    driver.execute_cdp_cmd("Storage.clearDataForOrigin",
                           {"origin": base.rstrip("/"), "storageTypes": "all"})


@dataclass(frozen=True)
class Weight:
    """What one page view downloaded; wire = bytes sent, raw = uncompressed.

    `entries` are what the page and its dedicated workers (Material's search worker)
    fetched; `background` what a service worker fetched on its own (a pack's offline
    precache: requests whose Referer is the service worker's script).
    """

    entries: list[Served]
    background: list[Served]

    @property
    def requests(self) -> int:
        return len(self.entries)

    def by_kind(self, raw: bool = False) -> dict[str, int]:
        sizes: dict[str, int] = {}
        for entry in self.entries:
            sizes[kind_of(entry)] = sizes.get(kind_of(entry), 0) + (entry.raw if raw else entry.wire)
        return sizes

    def before_images(self, raw: bool = False) -> int:
        return sum(size for kind, size in self.by_kind(raw).items() if kind != "image")

    def search(self, raw: bool = False) -> int:
        return sum(e.raw if raw else e.wire for e in self.entries if SEARCH_PATH.search(e.path))

    def background_bytes(self, raw: bool = False) -> int:
        return sum(e.raw if raw else e.wire for e in self.background)

    def lines(self) -> list[str]:
        rows = [f"{e.path}  {e.content_type or e.status}  {kb(e.wire)} sent / {kb(e.raw)} raw"
                f"  [{e.dest or '-'}]" for e in self.entries]
        rows += [f"(service worker) {e.path}  {kb(e.wire)} sent / {kb(e.raw)} raw" for e in self.background]
        return rows


def kind_of(entry: Served) -> str:
    if entry.content_type.startswith("image/"):
        return "image"
    if entry.content_type == "text/html":
        return "html"
    if entry.content_type == "text/css":
        return "css"
    if "javascript" in entry.content_type:
        return "js"
    if entry.content_type.startswith("font/") or entry.path.endswith((".woff", ".woff2")):
        return "font"
    return "other"


def weigh(entries: list[Served]) -> Weight:
    service_workers = {entry.path for entry in entries if entry.dest == "serviceworker"}
    background = [entry for entry in entries if entry.referer in service_workers]
    return Weight([entry for entry in entries if entry.referer not in service_workers], background)


def page_weight(driver, base: str, log: ServerLog, page: str) -> Weight:  # type: ignore[no-untyped-def]
    """One first visit to `page`: everything the server sent until the network was idle."""
    fresh_view(driver, base)
    mark = log.mark()
    driver.get(base + page)
    wait_quiet(log)
    return weigh(log.since(mark))


# --- which pages to measure -------------------------------------------------------------


def sop_pages(site: Path) -> list[tuple[str, str]]:
    """(label, site-relative URL) of the SOP home, a tier, a game and an escalation page.

    The example's own pages when present (they exist at every size of scale.py);
    otherwise the first of each kind.
    """
    pages = [("SOP home", "")]
    wanted = (("tier", "tiers", "truck-tyres/tiers/c-store/"),
              ("game", None, "games/hongbao-warmup/"),
              ("escalation", "escalations", "truck-tyres/escalations/mass-exit/"))
    for label, folder, preferred in wanted:
        if (site / preferred / "index.html").is_file():
            pages.append((label, preferred))
            continue
        pattern = f"*/{folder}/*/index.html" if folder else "games/*/index.html"
        found = sorted(site.glob(pattern))
        if found:
            pages.append((label, found[0].parent.relative_to(site).as_posix() + "/"))
    return pages


def pack_pages(site: Path) -> list[tuple[str, str]]:
    """(label, URL) of a dated pack day page and the same calendar's today/ page."""
    calendar = site / "packs" / "c-store-daily"
    if not calendar.is_dir():
        dated = sorted(p.parent for p in (site / "packs").glob("*/20??-??-??/index.html"))
        if not dated:
            return []
        calendar = dated[0].parent
    days = sorted(p.parent.name for p in calendar.glob("20??-??-??/index.html"))
    if not days:
        return []
    day = "2026-12-07" if "2026-12-07" in days else days[len(days) // 2]
    base = calendar.relative_to(site).as_posix()
    return [("pack day", f"{base}/{day}/"), ("pack today", f"{base}/today/")]


# --- reporting ----------------------------------------------------------------------------


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def kb(size: float) -> str:
    return f"{size / KB:.1f} KB"


def mb(size: float) -> str:
    return f"{size / KB / KB:.2f} MB"


def versions(*names: str) -> str:
    found = []
    for name in names:
        with suppress(metadata.PackageNotFoundError):
            found.append(f"{name} {metadata.version(name)}")
    return ", ".join(found)


def machine() -> str:
    """The machine and the software the figures depend on, in one paragraph."""
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {kib / KB / KB:.0f} GiB memory"
    except (OSError, ValueError, IndexError):
        pass
    load = ", load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())
    chromium = ""
    if Path(CHROMIUM).exists():
        done = subprocess.run([CHROMIUM, "--version"], capture_output=True, text=True, check=False)
        chromium = ", " + done.stdout.strip()
    return (f"{os.cpu_count()} cores ({cpu}){memory}, Linux {platform.release()}, "
            f"Python {platform.python_version()}{load}; "
            + versions("qunsop", "mkdocs", "mkdocs-material", "jieba", "pydantic", "PyYAML",
                       "Jinja2", "selenium") + chromium)
