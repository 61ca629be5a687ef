"""Caches that make repeated runs fast without ever serving stale or planted content.

Everything is keyed by content hashes and by qunsop's own code, never by
timestamps. Records are plain data, JSON or MessagePack, read back into dicts,
lists, strings and numbers only: nothing read from the cache is ever executed,
and a damaged record is ignored. The cache lives in the user's own cache folder
(refused when another user could write to it), not in the project, so a pull
request cannot plant one. QUNSOP_CACHE_DIR moves it; QUNSOP_CACHE_DIR=off
turns it off. The cache is only an optimisation: when it cannot be used,
qunsop says so once and goes on without it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from . import TEMPLATES

FORMAT_VERSION = "3"  # 3: records are no longer signed
_DATE, _DATETIME = "\0date", "\0datetime"


def digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def fingerprint(items: Iterable[tuple[str, bytes | str]]) -> str:
    hasher = hashlib.blake2b(digest_size=16)
    hasher.update(FORMAT_VERSION.encode())
    for name, value in items:
        hasher.update(name.encode())
        hasher.update(b"\0")
        hasher.update(digest(value if isinstance(value, bytes) else value.encode()).encode())
    return hasher.hexdigest()


def file_state(path: Path, *, follow: bool, limit: int | None = None) -> bytes | str:
    """What a fingerprint needs to know of one input file, without ever failing.

    Its bytes for a regular file (its size only above `limit`), the target for a link
    that is not followed, and the error for a file that cannot be read, so that fixing
    the permission or the link changes the fingerprint too.
    """
    try:
        info = path.stat() if follow else path.lstat()
        if stat.S_ISLNK(info.st_mode):
            return "link:" + os.readlink(path)
        if not stat.S_ISREG(info.st_mode):
            return f"not a file {stat.S_IFMT(info.st_mode)}"
        if limit is not None and info.st_size > limit:
            return f"size {info.st_size}"
        return path.read_bytes()
    except OSError as error:
        return f"unreadable {error.errno}"


_CODE_VERSION: list[str] = []


def code_version() -> str:
    """Changes whenever qunsop's own code or templates change (computed once per process)."""
    if not _CODE_VERSION:
        package = Path(__file__).resolve().parent
        parts = sorted(p for p in [*package.rglob("*.py"), *TEMPLATES.rglob("*")] if p.is_file())
        _CODE_VERSION.append(fingerprint((p.name, p.read_bytes()) for p in parts))
    return _CODE_VERSION[0]


class ByteStore(Protocol):
    """Where records are kept between builds: `Cache`, or anything with its two methods."""

    def read_bytes(self, name: str) -> bytes | None: ...

    def write_bytes(self, name: str, body: bytes) -> None: ...


@dataclass
class Cache:
    """One project's cache folder, or none; `warnings` says why it is not used."""

    folder: Path | None
    warnings: list[str] = field(default_factory=list)

    @classmethod
    def open(cls, root: Path) -> Cache:
        setting = os.environ.get("QUNSOP_CACHE_DIR", "")
        if setting == "off":
            return cls(None)
        base = Path(setting) if setting else Path(
            os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "qunsop"
        try:
            base.mkdir(parents=True, exist_ok=True, mode=0o700)
            problem = unsafe_folder(base)
            if problem:
                return cls(None, warnings=[f"缓存目录 {base} {problem}，本次不使用缓存"])
            folder = base / hashlib.sha256(str(root.resolve()).encode()).hexdigest()[:16]
            folder.mkdir(exist_ok=True, mode=0o700)
        except OSError as error:
            return cls(None, warnings=[f"缓存目录 {base} 无法使用（{error.strerror or error}），"
                                       "本次不使用缓存，会慢一些"])
        return cls(folder)

    def read(self, name: str) -> Any | None:
        """A JSON record, or None (missing or damaged)."""
        return read_record(self, name)

    def write(self, name: str, value: Any) -> None:
        write_record(self, name, value)

    def read_bytes(self, name: str) -> bytes | None:
        """The body of a record, or None; its reader checks what it holds."""
        if self.folder is None:
            return None
        try:
            return (self.folder / name).read_bytes()
        except OSError:
            return None

    def write_bytes(self, name: str, body: bytes) -> None:
        if self.folder is None:
            return
        try:
            write_atomic(self.folder / name, body)
        except OSError as error:
            self.warnings.append(f"缓存无法写入（{error.strerror or error}），本次不使用缓存")
            self.folder = None


def read_record(store: ByteStore | None, name: str) -> Any | None:
    """A JSON record of `store`, or None (no store, missing or damaged); its reader checks
    what the record holds."""
    body = store.read_bytes(name) if store is not None else None
    if not body:
        return None
    try:
        return json.loads(body, object_hook=_decode)
    except (ValueError, TypeError):  # TypeError: a date tag that holds no text
        return None


def write_record(store: ByteStore | None, name: str, value: Any) -> None:
    if store is not None:
        store.write_bytes(name, json.dumps(value, ensure_ascii=False, separators=(",", ":"),
                                           default=_encode).encode())


def unsafe_folder(folder: Path) -> str | None:
    info = folder.stat()
    if hasattr(os, "geteuid") and info.st_uid != os.geteuid():
        return "不属于当前用户"
    if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        return "别的用户也能写入"
    return None


def _encode(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return {_DATETIME: value.isoformat()}
    if isinstance(value, dt.date):
        return {_DATE: value.isoformat()}
    raise TypeError(f"cannot cache {type(value).__name__}")


def _decode(value: dict[str, Any]) -> Any:
    if len(value) == 1:
        if _DATE in value:
            return dt.date.fromisoformat(value[_DATE])
        if _DATETIME in value:
            return dt.datetime.fromisoformat(value[_DATETIME])
    return value


def write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(path.suffix + f".{os.getpid()}.tmp")
    temporary.write_bytes(data)
    temporary.replace(path)
