"""The build state: what the last build published, and from what (as Lektor keeps it).

One record per site folder, kept in the cache: for each output file its path, the digest
of its bytes and the digest of its inputs. It alone decides what is incremental:

- the published site is trusted only when it holds exactly the recorded files with the
  recorded bytes (`BuildState.published`); otherwise the build is a full one, published
  as a whole new tree;
- an output is built again when the digest of its inputs differs from the recorded one;
- a file is published (renamed into the site) when its bytes differ from the recorded ones.

Beside each digest the record keeps the file's stat (inode, size, modification and change
time) only so that checking the site does not read every file: a file whose stat changed
in any way is read again and its digest compared. The change time is set by the kernel on
every write and cannot be put back, so an edit that restores size and mtime is still seen.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .cache import Cache, digest
from .write import MARKER

VERSION = 3  # 3: the render key and docs digest of each page


@dataclass(frozen=True)
class Output:
    """One published file: the digest of its bytes and of its inputs, and its stat then."""

    digest: str
    inputs: str
    stat: tuple[int, ...] = ()


@dataclass
class BuildState:
    inputs: str  # the fingerprint of everything the build read (the no-change shortcut)
    outputs: dict[str, Output]  # site-relative path -> the file published there
    content_warnings: int = 0
    # docs path -> (the digest of what rendering the page read, the digest of its Markdown):
    # a page whose render key is recorded keeps the Markdown in the work folder
    pages: dict[str, tuple[str, str]] = field(default_factory=dict)

    @classmethod
    def read(cls, cache: Cache, name: str) -> BuildState | None:
        """The recorded state, or None when there is none or it is damaged."""
        data = cache.read(name)
        try:
            if not isinstance(data, dict) or data.get("version") != VERSION:
                return None
            outputs = {str(path): Output(str(bytes_digest), str(inputs), tuple(int(n) for n in info))
                       for path, (bytes_digest, inputs, info) in data["outputs"].items()}
            pages = {str(path): (str(key), str(docs)) for path, (key, docs) in data["pages"].items()}
            return cls(str(data["inputs"]), outputs, int(data["content_warnings"]), pages)
        except (KeyError, TypeError, ValueError, AttributeError):
            return None

    def write(self, cache: Cache, name: str) -> None:
        cache.write(name, {"version": VERSION, "inputs": self.inputs,
                           "content_warnings": self.content_warnings,
                           "outputs": {path: [output.digest, output.inputs, list(output.stat)]
                                       for path, output in sorted(self.outputs.items())},
                           "pages": {path: list(keys) for path, keys in sorted(self.pages.items())}})

    def inputs_under(self, folder: str) -> dict[str, str]:
        """The recorded inputs digest of each output below `folder` that has one."""
        return {path: output.inputs for path, output in self.outputs.items()
                if path.startswith(folder) and output.inputs}

    def inputs_of(self, path: str) -> str | None:
        output = self.outputs.get(path)
        return output.inputs if output else None

    def published(self, site: Path) -> bool:
        """True when `site` holds exactly the recorded files, with the recorded bytes: no file
        missing, added, replaced by a link or changed (even with its time put back)."""
        seen = 0
        for relative, info in site_files(site):
            output = self.outputs.get(relative)
            if output is None or not stat.S_ISREG(info.st_mode):
                return False
            seen += 1
            if stat_of(info) != output.stat:
                if file_digest(site / relative) != output.digest:
                    return False
                self.outputs[relative] = Output(output.digest, output.inputs, stat_of(info))
        return seen == len(self.outputs)


def stat_of(info: os.stat_result) -> tuple[int, ...]:
    return info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns


def file_digest(path: Path) -> str:
    try:
        return digest(path.read_bytes())
    except OSError:
        return ""


def site_files(site: Path) -> Iterator[tuple[str, os.stat_result]]:
    """Every entry of `site` that is not a folder (links included, not followed), with its
    stat; the marker at its top is not an output."""
    if not site.is_dir() or site.is_symlink():
        return
    pending = [(str(site), "")]
    while pending:  # os.scandir: one directory read gives every entry's name and type
        directory, prefix = pending.pop()
        with os.scandir(directory) as entries:
            for entry in entries:
                relative = f"{prefix}{entry.name}"
                if entry.is_dir(follow_symlinks=False):
                    pending.append((entry.path, relative + "/"))
                elif relative != MARKER:
                    yield relative, entry.stat(follow_symlinks=False)


def recorded(site: Path, files: Iterable[tuple[str, str, str]]) -> dict[str, Output]:
    """Outputs now in `site` as (path, bytes digest, inputs digest), with their stat."""
    return {relative: Output(bytes_digest, inputs, stat_of(os.lstat(site / relative)))
            for relative, bytes_digest, inputs in files}


def inputs_digest(*parts: Any) -> str:
    return digest("\0".join(str(part) for part in parts).encode())
