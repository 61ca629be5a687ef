"""The media allow-list: which files may be published, decided by their content.

A file is published only when its first bytes say it is one of the allowed
types and its name ends in that type's suffix: an HTML page renamed to .png,
an SVG (which can carry script), an empty file or a script is refused.
Validation, the build's asset copy, the lint size limits and the page
templates (width and height) all read this module.
"""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

ASSETS_DIR = "content_library/assets"
# letters (Chinese included), digits, dot, dash, underscore and folders: nothing that can
# end a Markdown link, start an attribute list or be read as a URL scheme
SAFE_PATH = re.compile(r"^[A-Za-z0-9\u4e00-\u9fff_-][A-Za-z0-9\u4e00-\u9fff._-]*"
                       r"(/[A-Za-z0-9\u4e00-\u9fff_-][A-Za-z0-9\u4e00-\u9fff._-]*)*$")

SUFFIXES = {"png": (".png",), "jpeg": (".jpg", ".jpeg"), "gif": (".gif",), "webp": (".webp",),
            "mp4": (".mp4",)}
LABELS = "PNG、JPG、GIF、WebP 图片或 MP4 视频"


@dataclass(frozen=True)
class MediaInfo:
    path: str  # relative to content_library/assets/
    type: str  # png, jpeg, gif, webp or mp4
    size: int  # bytes
    width: int | None = None
    height: int | None = None

    @property
    def is_video(self) -> bool:
        return self.type == "mp4"


class MediaRefused(Exception):
    """The file may not be published; the message says why, in Chinese."""


def check_path(path: str) -> None:
    parts = PurePosixPath(path)
    if parts.is_absolute() or ".." in parts.parts or "\\" in path:
        raise MediaRefused(f"路径 `{path}` 必须是 {ASSETS_DIR}/ 下的相对路径，不能用 .. 或绝对路径")
    if not SAFE_PATH.match(path):
        raise MediaRefused(f"文件名 `{path}` 里有不允许的字符：只能用字母、汉字、数字、点、"
                           "连字符和下划线（不要空格和括号），请改名")


def inspect(root: Path, path: str) -> MediaInfo:
    """What the file at `content_library/assets/<path>` is, or MediaRefused."""
    check_path(path)
    full = root / ASSETS_DIR / path
    if full.is_symlink() or not full.resolve().is_relative_to((root / ASSETS_DIR).resolve()):
        raise MediaRefused(f"`{path}` 是符号链接：请放入真实文件")
    if not full.is_file():
        raise FileNotFoundError(path)
    try:
        with full.open("rb") as handle:
            head = handle.read(64 * 1024)
        size = full.stat().st_size
    except OSError as error:
        raise MediaRefused(f"无法读取 `{path}`（{error.strerror or error}）") from None
    if size == 0:
        raise MediaRefused(f"`{path}` 是空文件")
    kind = sniff(head)
    if kind is None:
        hint = "SVG 里可以藏脚本，请导出成 PNG 或 JPG" if b"<svg" in head[:1024].lower() else \
            f"内容不是{LABELS}（只改后缀名没有用）"
        raise MediaRefused(f"`{path}` 不能发布：{hint}")
    if not path.lower().endswith(SUFFIXES[kind]):
        raise MediaRefused(f"`{path}` 的内容是 {kind.upper()}，文件名后缀却不是："
                           f"请改成 {SUFFIXES[kind][0]}")
    width, height = dimensions(kind, head)
    if kind != "mp4" and not (width and height):
        raise MediaRefused(f"`{path}` 不完整或已损坏（读不出图片的宽和高）：请重新导出这张图")
    return MediaInfo(path, kind, size, width, height)


def sniff(head: bytes) -> str | None:
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head[4:8] == b"ftyp" and head[8:12] in (b"isom", b"mp41", b"mp42", b"avc1", b"iso2",
                                               b"iso4", b"iso5", b"iso6", b"M4V ", b"dash"):
        return "mp4"
    return None


def dimensions(kind: str, head: bytes) -> tuple[int | None, int | None]:
    """Width and height from the file header, so pages reserve the space (no jumping)."""
    try:
        if kind == "png":
            if head[12:16] != b"IHDR":
                return None, None
            return struct.unpack(">II", head[16:24])
        if kind == "gif":
            return struct.unpack("<HH", head[6:10])
        if kind == "webp":
            return _webp_size(head)
        if kind == "jpeg":
            return _jpeg_size(head)
    except struct.error:
        pass
    return None, None


def _webp_size(head: bytes) -> tuple[int | None, int | None]:
    chunk = head[12:16]
    if chunk == b"VP8 ":
        width, height = struct.unpack("<HH", head[26:30])
        return width & 0x3FFF, height & 0x3FFF
    if chunk == b"VP8L":
        bits = int.from_bytes(head[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if chunk == b"VP8X":
        return int.from_bytes(head[24:27], "little") + 1, int.from_bytes(head[27:30], "little") + 1
    return None, None


def _jpeg_size(head: bytes) -> tuple[int | None, int | None]:
    position = 2
    while position + 9 < len(head):
        if head[position] != 0xFF:
            return None, None
        marker = head[position + 1]
        length = struct.unpack(">H", head[position + 2:position + 4])[0]
        if marker in (0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF):
            height, width = struct.unpack(">HH", head[position + 5:position + 9])
            return width, height
        position += 2 + length
    return None, None
