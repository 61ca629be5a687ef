"""Own the output folders: write generated docs, refuse collisions, publish atomically."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable
from pathlib import Path


class OutputCollision(Exception):
    """Two outputs claimed the same path; one would silently overwrite the other."""


def sync_tree(target: Path, files: Iterable[tuple[str, bytes]]) -> int:
    """Make `target` hold exactly `files`; rewrite only what changed. Returns files written."""
    wanted: dict[str, bytes] = {}
    for relative, data in files:
        if relative in wanted:
            raise OutputCollision(f"两个输出都要写入 {relative}")
        wanted[relative] = data
    written = 0
    for relative, data in wanted.items():
        path = target / relative
        if path.is_file() and path.read_bytes() == data:
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        written += 1
    if target.exists():
        for path in sorted(target.rglob("*"), reverse=True):
            relative = path.relative_to(target).as_posix()
            if path.is_file() and relative not in wanted:
                path.unlink()
            elif path.is_dir() and not any(path.iterdir()):
                path.rmdir()
    return written


def staging_dir(site: Path) -> Path:
    """A fresh sibling folder to build into; the published site stays untouched meanwhile."""
    staging = site.with_name(f".{site.name}.staging")
    if staging.exists():
        shutil.rmtree(staging)
    staging.parent.mkdir(parents=True, exist_ok=True)
    return staging


def publish(staging: Path, site: Path) -> None:
    """Swap the finished build into place with renames, so readers never see half a site."""
    retired = site.with_name(f".{site.name}.old")
    if retired.exists():
        shutil.rmtree(retired)
    if site.exists():
        site.rename(retired)
    staging.rename(site)
    shutil.rmtree(retired, ignore_errors=True)


def reuse_unchanged(staging: Path, site: Path) -> int:
    """Hard-link files identical to the published ones, so they are not rewritten.

    After editing one post only the outputs that show it get new files (and
    mtimes); everything else keeps the published inode. Returns files changed.
    """
    changed = 0
    for folder, _dirs, names in os.walk(staging):
        for name in names:
            fresh = Path(folder) / name
            old = site / fresh.relative_to(staging)
            if old.is_file() and not old.is_symlink() and same_bytes(fresh, old):
                link = fresh.with_name(f".{name}.link")
                os.link(old, link)
                link.replace(fresh)
            else:
                changed += 1
    return changed


def same_bytes(first: Path, second: Path) -> bool:
    if first.stat().st_size != second.stat().st_size:
        return False
    return first.read_bytes() == second.read_bytes()


def discard(staging: Path) -> None:
    shutil.rmtree(staging, ignore_errors=True)
