"""Own the output folders: claim them safely, write generated files, publish atomically.

qunsop only ever replaces or deletes a folder that is missing, empty, or
carries the marker file qunsop wrote into it. It never follows a symlink for
an output folder, and only one build per project runs at a time.
"""

from __future__ import annotations

import fcntl
import os
import shutil
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from .cache import digest
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
    """One build per project at a time; a second one waits for the first to finish.

    A POSIX record lock (lockf), not flock: it belongs to the build's process alone, so the
    worker processes it forks do not share it, and a build killed outright frees it even
    while a worker of its lives on."""
    lock = work / ".lock"
    if lock.is_symlink():
        lock.unlink()  # a link planted in the work folder: qunsop never writes through one
    descriptor = os.open(lock, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o644)
    try:
        try:
            fcntl.lockf(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:  # EAGAIN or EACCES: another process holds it
            on_wait("另一个 qunsop 构建正在进行，等它结束")
            fcntl.lockf(descriptor, fcntl.LOCK_EX)
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
        if read_kept(target, relative) == data:
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


def read_kept(target: Path, relative: str) -> bytes | None:
    """A file qunsop wrote into its own folder `target`, or None when it is not a plain file
    there (links, planted or not, are never followed)."""
    path = target / relative
    if path.is_symlink() or not path.is_file() or linked_below(target, path):
        return None
    try:
        return path.read_bytes()
    except OSError:
        return None


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


def file_digests(folder: Path) -> Iterator[tuple[str, str]]:
    """Each file below `folder` (its marker left out) with the digest of its bytes."""
    for directory, _dirs, names in os.walk(folder):
        for name in names:
            path = Path(directory) / name
            relative = path.relative_to(folder).as_posix()
            if relative != MARKER:
                yield relative, digest(path.read_bytes())


def move_changed(fresh: Path, site: Path,
                 published: Mapping[str, str]) -> tuple[dict[str, str], list[str]]:
    """Rename each file of `fresh` into `site` unless `published` (path -> digest) says
    the site holds those bytes already.

    Each move is a rename, so a reader gets a file either old or new, never half written;
    files that did not change keep their inode and times. Returns every file's digest
    and the files moved.
    """
    found: dict[str, str] = {}
    moved: list[str] = []
    for relative, bytes_digest in file_digests(fresh):
        found[relative] = bytes_digest
        if published.get(relative) == bytes_digest:
            continue
        target = site / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        (fresh / relative).replace(target)
        moved.append(relative)
    return found, moved


def remove_files(site: Path, relatives: Iterable[str]) -> int:
    """Delete files of the published `site` a build no longer makes, then the folders left
    empty. Returns the files removed."""
    removed = 0
    for relative in sorted(relatives):
        path = site / relative
        if path.is_symlink() or path.is_file():
            path.unlink()
            removed += 1
        folder = path.parent
        while folder != site and folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
            folder = folder.parent
    return removed


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
