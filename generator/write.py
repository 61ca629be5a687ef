"""Own the output folders: claim them safely, write generated files, publish atomically.

qunsop only ever replaces or deletes a folder that is missing, empty, or
carries the marker file qunsop wrote into it. It never follows a symlink for
an output folder, and only one build per project runs at a time.
"""

from __future__ import annotations

import fcntl
import os
import shutil
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import UsageError

MARKER = ".qunsop-output"
MARKER_TEXT = "此目录由 qunsop 生成，重新构建时会整个替换；不要把自己的文件放在这里。\n"
PROTECTED = ("playbooks", "content_library", ".git", "schemas", "site_templates", "generator")


class OutputCollision(Exception):
    """Two outputs claimed the same path; one would silently overwrite the other."""


class OutputRefused(Exception):
    """An output folder may not be written or replaced; the message says why, in Chinese."""


def output_path(path: Path) -> Path:
    """Absolute, with every parent resolved but the last part kept as written (a symlink stays one)."""
    absolute = Path(os.path.abspath(path))
    return absolute.parent.resolve() / absolute.name


def owned(path: Path) -> bool:
    """True when qunsop may replace `path`: missing, an empty folder, or carrying the marker."""
    if path.is_symlink():
        return False
    if not path.exists():
        return True
    if not path.is_dir():
        return False
    return (path / MARKER).is_file() or not any(path.iterdir())


def made_by_qunsop(path: Path) -> bool:
    """True for a real folder carrying qunsop's marker (what `qunsop clean` may delete)."""
    return not path.is_symlink() and path.is_dir() and (path / MARKER).is_file() \
        and not (path / MARKER).is_symlink()


def check_output_folder(path: Path, root: Path, label: str) -> None:
    """Refuse an output folder that is a symlink, overlaps the sources, or holds other files."""
    shown = shown_path(path, root)
    if path.is_symlink():
        raise OutputRefused(f"{shown} 是一个符号链接（指向 {os.readlink(path)}）：qunsop 不会顺着链接"
                            f"写入或删除，请删掉这个链接，或用 --site-dir 换一个真实目录")
    real_root = root.resolve()
    if real_root.is_relative_to(path):
        raise OutputRefused(f"{label} {shown} 包含了项目本身：生成时会删掉你的源文件，请换一个目录")
    for name in PROTECTED:
        if path.is_relative_to(real_root / name):
            raise OutputRefused(f"{label} {shown} 在源文件目录 {name}/ 里面，请换一个目录")
    for parent in path.parents:
        if (parent / MARKER).is_file():
            raise OutputRefused(f"{label} {shown} 在 qunsop 生成的目录 {shown_path(parent, root)} 里面："
                                "那个目录下次构建时会被整个替换，请换一个目录")
    if not owned(path):
        what = "一个文件" if path.exists() and not path.is_dir() else "不是 qunsop 生成的文件"
        raise OutputRefused(f"{label} {shown} 里已有{what}，qunsop 不会覆盖：请换一个空目录，"
                            "或先把里面的文件移走")


def shown_path(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root.resolve()).as_posix() + "/"
    except ValueError:
        return str(path)


def claim(path: Path, root: Path, label: str) -> None:
    """Create (or keep) an output folder qunsop owns, with its marker."""
    check_output_folder(path, root, label)
    try:
        path.mkdir(parents=True, exist_ok=True)
        marker = path / MARKER
        if not marker.is_file():
            marker.write_text(MARKER_TEXT, encoding="utf-8")
    except OSError as error:
        raise OutputRefused(f"无法写入{label} {shown_path(path, root)}（{error.strerror or error}）："
                            "请检查目录权限") from None


def remove_owned(path: Path) -> None:
    """Delete an output folder qunsop made; anything else is left alone (and refused)."""
    if not path.exists() and not path.is_symlink():
        return
    if not owned(path):
        raise OutputRefused(f"{path} 不是 qunsop 生成的目录，不会删除")
    shutil.rmtree(path)


def check_writable(path: Path, root: Path) -> None:
    """Fail before building when the published folder could not be replaced afterwards."""
    parent = path.parent
    if not os.access(parent, os.W_OK | os.X_OK):
        raise OutputRefused(f"没有权限在 {parent} 里写入：无法发布 {shown_path(path, root)}")
    if not path.is_dir():
        return
    for folder, _dirs, _files in os.walk(path):
        if not os.access(folder, os.W_OK | os.X_OK):
            raise OutputRefused(f"{shown_path(Path(folder), root)} 是只读的：qunsop 无法替换旧网站，"
                                "请改回可写（chmod -R u+w）后再构建")


@contextmanager
def project_lock(work: Path, on_wait: Callable[[str], None]) -> Iterator[None]:
    """One build per project at a time; a second one waits for the first to finish."""
    lock = work / ".lock"
    if lock.is_symlink():
        lock.unlink()  # a link planted in the work folder: qunsop never writes through one
    descriptor = os.open(lock, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o644)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            on_wait("另一个 qunsop 构建正在进行，等它结束")
            fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)


def real_folder(path: Path) -> None:
    """Make `path`, inside a folder qunsop owns, a real folder: a link or file there is removed.

    Entries inside qunsop's own folders can arrive from anywhere (a pull request can commit
    `build/docs` as a symlink); they are replaced, never followed.
    """
    if path.is_symlink() or (path.exists() and not path.is_dir()):
        path.unlink()
    path.mkdir(parents=True, exist_ok=True)


def write_file(path: Path, data: bytes, inside: Path) -> None:
    """Write `path` below the owned folder `inside`, replacing links on the way, never following one."""
    relative = path.relative_to(inside)
    folder = inside
    for part in relative.parts[:-1]:
        folder = folder / part
        if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
            folder.unlink()
        folder.mkdir(exist_ok=True)
    if path.is_symlink():
        path.unlink()
    elif path.is_dir():
        shutil.rmtree(path)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o644)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)


def fresh_folder(path: Path) -> None:
    """An empty real folder at `path`, inside a folder qunsop owns, with the marker."""
    if path.is_symlink() or (path.exists() and not path.is_dir()):
        path.unlink()
    elif path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True)
    mark(path)


def sync_tree(target: Path, files: Iterable[tuple[str, bytes]]) -> set[str]:
    """Make `target` hold exactly `files` (plus its marker); rewrite only what changed.

    Returns the relative paths written (new or changed).

    `target` lies inside a folder qunsop owns; links found in it are removed, not followed.
    """
    wanted: dict[str, bytes] = {}
    for relative, data in files:
        if relative in wanted:
            raise OutputCollision(f"两个输出都要写入 {relative}")
        wanted[relative] = data
    real_folder(target)
    written: set[str] = set()
    for relative, data in wanted.items():
        path = target / relative
        if not path.is_symlink() and path.is_file() and not linked_below(target, path) \
                and path.read_bytes() == data:
            continue
        write_file(path, data, target)
        written.add(relative)
    for folder, dirs, names in os.walk(target, topdown=False):
        here = Path(folder)
        for name in names:
            path = here / name
            relative = path.relative_to(target).as_posix()
            if path.is_symlink() or (relative not in wanted and relative != MARKER):
                path.unlink()
        for name in dirs:
            path = here / name
            if path.is_symlink():
                path.unlink()
            elif not any(path.iterdir()):
                path.rmdir()
    return written


def linked_below(base: Path, path: Path) -> bool:
    """True when a folder between `base` and `path` is a symlink."""
    folder = base
    for part in path.relative_to(base).parts[:-1]:
        folder = folder / part
        if folder.is_symlink():
            return True
    return False


def staging_dir(site: Path, root: Path) -> Path:
    """A fresh sibling folder to build into; the published site stays untouched meanwhile."""
    staging = site.with_name(f".{site.name}.staging")
    remove_owned(staging)
    claim(staging, root, "临时目录")
    return staging


def mark(folder: Path) -> None:
    marker = folder / MARKER
    if marker.is_symlink() or not marker.is_file():
        write_file(marker, MARKER_TEXT.encode(), folder)


def publish(staging: Path, site: Path) -> None:
    """Swap the finished build into place with renames, so readers never see half a site."""
    retired = site.with_name(f".{site.name}.old")
    remove_owned(retired)
    mark(staging)
    if site.exists():
        site.rename(retired)
    try:
        staging.rename(site)
    except OSError:
        if retired.exists() and not site.exists():
            retired.rename(site)  # put the previous site back
        raise
    shutil.rmtree(retired, ignore_errors=True)


def reuse_unchanged(staging: Path, site: Path,
                    published: dict[str, list[int]] | None = None) -> int:
    """Hard-link files identical to the published ones, so they are not rewritten.

    After editing one post only the outputs that show it get new files (and
    mtimes); everything else keeps the published inode. Returns files changed.
    """
    changed = 0
    real_site = os.path.realpath(site)
    published = published if published is not None else {}
    for folder, _dirs, names in os.walk(staging):
        for name in names:
            fresh = Path(folder) / name
            relative = fresh.relative_to(staging)
            known = published.get(relative.as_posix())
            if known is not None and known[0] == fresh.lstat().st_ino:
                continue  # the published file itself, linked in by an incremental build
            old = site / relative
            inside = os.path.realpath(old) == os.path.join(real_site, *relative.parts)
            if inside and old.is_file() and not old.is_symlink() and os.path.samefile(fresh, old):
                continue  # already the published file (linked in by an incremental build)
            if inside and old.is_file() and not old.is_symlink() and same_bytes(fresh, old):
                link = fresh.with_name(f".{name}.link")
                os.link(old, link)
                link.replace(fresh)
            else:
                changed += 1
    return changed


def apply_in_place(fresh: Path, site: Path) -> list[str]:
    """Move each file of `fresh` into the published `site` where its bytes differ.

    For an incremental build, whose few new files are not worth a whole new tree: each
    move is a rename, so a reader gets a page either old or new, never half written; files
    that did not change keep their inode and times. A build stopped among the moves leaves
    the site unlike its manifest, so the next build rebuilds everything. Returns the
    site-relative paths changed.
    """
    changed: list[str] = []
    for folder, _dirs, names in os.walk(fresh):
        for name in names:
            new = Path(folder) / name
            relative = new.relative_to(fresh)
            old = site / relative
            if name == MARKER or (old.is_file() and not old.is_symlink() and same_bytes(new, old)):
                continue
            old.parent.mkdir(parents=True, exist_ok=True)
            new.replace(old)
            changed.append(old.relative_to(site).as_posix())
    return changed


def remove_stale(site: Path, published: dict[str, list[int]], under: str, kept: set[str]) -> list[str]:
    """Delete what the published site holds below `under` that this build no longer makes
    (files not in `kept`), then the folders left empty. Returns the paths removed."""
    removed: list[str] = []
    for relative in sorted(published, reverse=True):  # a folder's entries before the folder
        if not relative.startswith(under) or relative in kept:
            continue
        path = site / relative
        if path.is_dir() and not path.is_symlink():
            if not any(path.iterdir()):
                path.rmdir()
                removed.append(relative)
        elif path.exists() or path.is_symlink():
            path.unlink()
            removed.append(relative)
    return removed


def updated_manifest(site: Path, published: dict[str, list[int]],
                     touched: Iterable[str]) -> dict[str, list[int]]:
    """The manifest of `site` after an incremental build changed `touched` (and so their
    folders): what a full `manifest(site)` gives, without reading twelve thousand entries."""
    found = dict(published)
    again: set[str] = set()
    for relative in touched:
        parts = relative.split("/")
        again.update("/".join(parts[:end]) for end in range(1, len(parts) + 1))
    for relative in again:
        try:
            info = os.lstat(site / relative)
        except FileNotFoundError:
            found.pop(relative, None)
            continue
        found[relative] = entry_state(info)
    return dict(sorted(found.items()))


def entry_state(info: os.stat_result) -> list[int]:
    """What the manifest keeps of an entry: inode, type, size, modification and change time."""
    return [info.st_ino, info.st_mode, info.st_size, info.st_mtime_ns, info.st_ctime_ns]


def link_files(source: Path, target: Path, relatives: Iterable[str]) -> None:
    """Hard-link the named files of `source` into `target` (files a build reuses unchanged)."""
    made: set[Path] = set()
    for relative in relatives:
        destination = target / relative
        if destination.parent not in made:
            destination.parent.mkdir(parents=True, exist_ok=True)
            made.add(destination.parent)
        os.link(source / relative, destination)


def same_bytes(first: Path, second: Path) -> bool:
    if first.stat().st_size != second.stat().st_size:
        return False
    return first.read_bytes() == second.read_bytes()


def manifest(folder: Path) -> dict[str, list[int]]:
    """What is in a published folder: every entry (files, folders, links) with its inode,
    type, size and modification and change times.

    The change time (ctime) is set by the kernel on every write, rename or chmod and
    cannot be put back, so any edit of the published site, even one that restores the
    size and mtime, makes the next build repair it.
    """
    found: dict[str, list[int]] = {}
    if not folder.is_dir() or folder.is_symlink():
        return found
    pending = [(str(folder), "")]
    while pending:  # os.scandir: one directory read gives every entry's name and type
        directory, prefix = pending.pop()
        with os.scandir(directory) as entries:
            for entry in entries:
                info = entry.stat(follow_symlinks=False)
                relative = f"{prefix}{entry.name}"
                found[relative] = entry_state(info)
                if entry.is_dir(follow_symlinks=False):
                    pending.append((entry.path, relative + "/"))
    return dict(sorted(found.items()))


def discard(path: Path) -> None:
    """Remove a temporary folder qunsop made; never follow a link."""
    if path.is_symlink() or not path.exists():
        return
    if owned(path):
        shutil.rmtree(path, ignore_errors=True)


def create_inside(root: Path, relative: str, data: bytes) -> Path:
    """Create a new file at `relative` in the project (`qunsop new`, `qunsop init`).

    Every folder on the way and the file itself must lie in the project once links are
    followed: a link such as `content_library/posts/activity -> /elsewhere` (which a
    pull request can add) is refused, not written through. An existing file, or a
    link where the file would go (also a broken one), is never replaced.
    """
    base = root.resolve()
    path = base / relative
    folder = base
    for part in Path(relative).parts[:-1]:
        folder = folder / part
        if folder.is_symlink() and not folder.resolve().is_relative_to(base):
            raise UsageError(f"{Path(relative).parent.as_posix()} 经过符号链接 {folder.relative_to(base)} "
                                f"指向项目之外（{folder.resolve()}）：qunsop 不会写到项目外面，"
                                "请把这个链接换成真实的文件夹")
        if folder.exists() and not folder.is_dir():
            raise UsageError(f"{folder.relative_to(base).as_posix()} 不是文件夹：无法在里面新建文件")
        if not folder.exists():
            folder.mkdir()
    if path.is_symlink() or path.exists():
        raise UsageError(f"{relative} 已经存在（或是一个符号链接），不会覆盖")
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)
    return path
