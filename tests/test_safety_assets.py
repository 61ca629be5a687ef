"""Issue 11, class 3: assets are published only when they are what they claim.

One project holds one post per bad file; a single real `qunsop validate` must
refuse each at its own media entry (file, line, field path). A valid image is
published with its width and height, and nothing else in content_library/assets
is published.
"""

from __future__ import annotations

import os
import re
import struct
import zlib
from pathlib import Path

import pytest

from conftest import MINIMAL, Run
from safety import Unprivileged, copy_minimal, located, open_folder, outside_outputs, qunsop

ASSETS = "content_library/assets"
PNG = (MINIMAL / ASSETS / "pressure.png").read_bytes()


def png(width: int, height: int) -> bytes:
    """A real, complete PNG of one grey pixel row per line."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    raw = b"".join(b"\0" + b"\x80" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


JPEG = (b"\xff\xd8\xff\xe0" + struct.pack(">H", 16) + b"JFIF\0\1\1\0\0\1\0\1\0\0"
        + b"\xff\xc0" + struct.pack(">HBHHB", 11, 8, 30, 40, 1) + b"\1\x11\0" + b"\xff\xd9")

# case -> (file name under assets/, its bytes or a link target, words the message must contain)
BAD: dict[str, tuple[str, bytes | str, str]] = {
    "html-named-png": ("page.png", b"<!doctype html><script>alert(1)</script>", "内容不是"),
    "svg-with-script": ("logo-a.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
                        "SVG"),
    "svg-without-script": ("logo-b.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><rect width="9"/></svg>',
                           "SVG"),
    "svg-named-png": ("logo-c.png", b'<?xml version="1.0"?>\n<svg><rect/></svg>', "SVG"),
    "empty-png": ("empty.png", b"", "空文件"),
    "signature-only-png": ("cut.png", b"\x89PNG\r\n\x1a\n", "不完整"),
    "zero-size-png": ("zero.png", png(1, 1)[:16] + struct.pack(">II", 0, 0) + png(1, 1)[24:], "不完整"),
    "python-script": ("tool.py", b"import os\nos.system('echo hi')\n", "内容不是"),
    "jpeg-named-png": ("photo.png", JPEG, "请改成 .jpg"),
    "png-named-jpg": ("shot.jpg", PNG, "请改成 .png"),
    "gif-header-only": ("anim.gif", b"GIF89a", "不完整"),
    "mp4-without-poster": ("clip.mp4", b"\0\0\0\x18ftypisom\0\0\0\0isomiso2", "封面"),
    "link-inside-assets": ("alias.png", "pressure.png", "符号链接"),
    "link-out-of-project": ("leak.png", "/etc/hostname", "符号链接"),
    "folder-named-png": ("folder.png", "<dir>", "找不到"),
}
CODES = {"mp4-without-poster": "video-needs-poster", "folder-named-png": "missing-media"}


def post(case: str, name: str) -> str:
    return (f"---\nid: {case}\ntitle: 坏图 {case}\ncategory: needed\ntiers: [c-store]\nmedia:\n"
            f"  - path: {name}\n    alt: 一张图\n---\n正文。\n")


@pytest.fixture(scope="module")
def refused(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Run, dict[str, str]]:
    root = copy_minimal(tmp_path_factory.mktemp("assets") / "project")
    for case, (name, content, _words) in BAD.items():
        target = root / ASSETS / name
        if content == "<dir>":
            target.mkdir()
        elif isinstance(content, str):
            os.symlink(content, target)
        else:
            target.write_bytes(content)
        (root / f"content_library/posts/needed/{case}.md").write_text(post(case, name), encoding="utf-8")
    before = outside_outputs(root)
    run = qunsop("validate", str(root), "--format", "json")
    assert outside_outputs(root) == before
    return root, run, {case: f"content_library/posts/needed/{case}.md" for case in BAD}


def test_validate_fails_on_bad_media(refused: tuple[Path, Run, dict[str, str]]) -> None:
    _root, run, _files = refused
    assert run.exit_code == 1, run.output
    assert "Traceback" not in run.output


@pytest.mark.parametrize("case", sorted(BAD))
def test_each_bad_file_is_refused_at_its_media_entry(refused: tuple[Path, Run, dict[str, str]],
                                                     case: str) -> None:
    _root, run, files = refused
    found = located(run, files[case], CODES.get(case, "bad-media"), 7, column=5, path="media[0].path")
    assert BAD[case][2] in found["message"], found


def test_build_refuses_the_same_files_with_the_same_messages(refused: tuple[Path, Run, dict[str, str]]) -> None:
    """No engine message without a source line: the build stops where validate does."""
    root, _run, files = refused
    build = qunsop("build", str(root))
    assert build.exit_code == 1, build.output
    for case in BAD:
        assert f"{files[case]}\n" in build.stdout or files[case] in build.stdout, case
    assert "MkDocs" not in build.output and "Traceback" not in build.output
    assert not (root / "site").exists()


def test_an_unreadable_image_is_refused_with_its_location() -> None:
    unprivileged = Unprivileged.detect()
    with open_folder() as folder:
        root = copy_minimal(folder / "project")
        unprivileged.give(root)
        os.chmod(root / ASSETS / "pressure.png", 0)
        run = unprivileged.run("validate", str(root), "--format", "json", env={"QUNSOP_CACHE_DIR": "off"})
        assert run.exit_code == 1, run.output
        found = located(run, "content_library/posts/needed/tyre-pressure.md", "bad-media", 8,
                        path="media[0].path")
        assert "无法读取" in found["message"], found


def test_valid_images_are_published_with_their_size_and_nothing_else_is(tmp_path: Path) -> None:
    root = copy_minimal(tmp_path / "project")
    (root / ASSETS / "posts").mkdir()
    (root / ASSETS / "posts" / "wide.png").write_bytes(png(40, 10))
    (root / ASSETS / "photo.jpg").write_bytes(JPEG)
    for stray in ("unused.png", "notes.html", "secret.txt", "posts/draft.png", ".hidden.png"):
        (root / ASSETS / stray).write_bytes(png(2, 2) if stray.endswith(".png") else b"<script>x</script>")
    text = (root / "content_library/posts/liked/road-story.md").read_text(encoding="utf-8")
    (root / "content_library/posts/liked/road-story.md").write_text(text.replace(
        "tiers: [c-store]\n", "tiers: [c-store]\nmedia:\n  - {path: posts/wide.png, alt: 宽图}\n"
        "  - {path: photo.jpg, alt: 照片}\n"), encoding="utf-8")
    run = qunsop("build", str(root))
    assert run.exit_code == 0, run.output
    published = sorted(p.relative_to(root / "site/assets/content").as_posix()
                       for p in (root / "site/assets/content").rglob("*") if p.is_file())
    assert published == ["photo.jpg", "posts/wide.png", "pressure.png"]
    assert (root / "site/assets/content/posts/wide.png").read_bytes() == png(40, 10)
    library = (root / "site/library/liked/index.html").read_text(encoding="utf-8")
    wide = re.search(r'<img[^>]*src="[^"]*posts/wide\.png"[^>]*>', library)
    assert wide and 'width="320"' in wide.group(0) and 'height="80"' in wide.group(0)  # 320 * 10 / 40
    packs = "".join(p.read_text(encoding="utf-8") for p in (root / "site/packs").rglob("index.html"))
    for name, size in (("posts/wide.png", 'width="40" height="10"'), ("photo.jpg", 'width="40" height="30"')):
        tag = re.search(rf'<img[^>]*src="[^"]*{re.escape(name)}"[^>]*>', packs)
        assert tag and size in tag.group(0), name
    every = "".join(p.read_text(encoding="utf-8", errors="replace")
                    for p in (root / "site").rglob("*") if p.is_file() and p.suffix in (".html", ".json"))
    for stray in ("unused.png", "notes.html", "secret.txt", "draft.png", ".hidden.png"):
        assert stray not in every
