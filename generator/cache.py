"""Caches that make repeated runs fast without ever serving stale content.

Everything is keyed by content hashes, never by timestamps. The cache lives
in the user's cache folder, not in the project, so a pull request cannot
plant a cache file (pickles run code when loaded). QUNSOP_CACHE_DIR moves
it; QUNSOP_CACHE_DIR=off turns caching off.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
from collections.abc import Iterable
from pathlib import Path
from typing import Any

PACKAGE_DIR = Path(__file__).resolve().parent
FORMAT_VERSION = "1"


def cache_dir(root: Path) -> Path | None:
    setting = os.environ.get("QUNSOP_CACHE_DIR", "")
    if setting == "off":
        return None
    base = Path(setting) if setting else Path(
        os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "qunsop"
    return base / hashlib.sha256(str(root.resolve()).encode()).hexdigest()[:16]


def digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def code_version() -> str:
    """Changes whenever qunsop's own code or templates change."""
    from .render import TEMPLATES as templates

    parts = sorted(p for p in [*PACKAGE_DIR.rglob("*.py"), *templates.rglob("*")] if p.is_file())
    return fingerprint((p.as_posix(), p.read_bytes()) for p in parts)


def fingerprint(items: Iterable[tuple[str, bytes | str]]) -> str:
    hasher = hashlib.blake2b(digest_size=16)
    hasher.update(FORMAT_VERSION.encode())
    for name, value in items:
        hasher.update(name.encode())
        hasher.update(b"\0")
        hasher.update(digest(value if isinstance(value, bytes) else value.encode()).encode())
    return hasher.hexdigest()


class ParseCache:
    """Parsed sources by content hash: PyYAML is the slowest stage, so parse each text once."""

    def __init__(self, root: Path) -> None:
        folder = cache_dir(root)
        self.path = folder / "parse.pickle" if folder else None
        self.entries: dict[str, Any] = {}
        self.used: set[str] = set()
        self.changed = False
        if self.path and self.path.is_file():
            try:
                with self.path.open("rb") as handle:
                    self.entries = pickle.load(handle)
            except Exception:  # a damaged cache is only a slower run
                self.entries = {}

    def get(self, key: str) -> Any | None:
        self.used.add(key)
        return self.entries.get(key)

    def put(self, key: str, value: Any) -> None:
        self.used.add(key)
        self.entries[key] = value
        self.changed = True

    def save(self) -> None:
        """Keep only what this run used, so the cache does not grow without bound."""
        if not self.path or not (self.changed or set(self.entries) - self.used):
            return
        kept = {key: self.entries[key] for key in self.used if key in self.entries}
        write_atomic(self.path, pickle.dumps(kept, protocol=pickle.HIGHEST_PROTOCOL))


def read_json(root: Path, name: str) -> Any | None:
    folder = cache_dir(root)
    if not folder or not (folder / name).is_file():
        return None
    try:
        return json.loads((folder / name).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def write_json(root: Path, name: str, value: Any) -> None:
    folder = cache_dir(root)
    if folder:
        write_atomic(folder / name, json.dumps(value, ensure_ascii=False).encode("utf-8"))


def write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(path.suffix + f".{os.getpid()}.tmp")
    temporary.write_bytes(data)
    temporary.replace(path)
