"""Incremental builds: nothing changed rewrites nothing; an edit shows up everywhere, only there."""

from __future__ import annotations

from pathlib import Path

from conftest import ScratchProject, run_qunsop

POST = "content_library/posts/liked/road-story.md"


def stats(site: Path) -> dict[str, tuple[int, int]]:
    return {p.relative_to(site).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns)
            for p in site.rglob("*") if p.is_file()}


def content(path: Path) -> bytes:
    """File bytes with iCalendar line folding undone."""
    return path.read_bytes().replace(b"\r\n ", b"")


def build_ok(root: Path) -> None:
    run = run_qunsop("build", str(root))
    assert run.exit_code == 0, run.output


def test_second_build_with_nothing_changed_rewrites_nothing(scratch: ScratchProject) -> None:
    # how much faster it is, is measured by benchmarks/run.py, not asserted here
    build_ok(scratch.root)
    before = stats(scratch.root / "site")
    again = run_qunsop("build", str(scratch.root))
    assert again.exit_code == 0 and "没有变化" in again.stdout
    assert stats(scratch.root / "site") == before


def test_editing_one_post_rewrites_only_what_shows_it(scratch: ScratchProject) -> None:
    build_ok(scratch.root)
    site = scratch.root / "site"
    before = stats(site)
    path = scratch.root / POST
    path.write_text(path.read_text(encoding="utf-8").replace("暖心。", "暖心，点赞！"), encoding="utf-8")
    build_ok(scratch.root)
    after = stats(site)
    changed = {name for name, mark in after.items() if before.get(name) != mark}
    assert changed, "nothing was rewritten"
    for name in changed:
        text = content(site / name)
        assert "暖心，点赞！".encode() in text or name in {
            "search/search_index.json", "sitemap.xml", "sitemap.xml.gz"}, name
    # the new text is everywhere the post is shown, and the old text nowhere
    for name in changed | {n for n in after if n.endswith((".html", ".txt", ".json"))}:
        assert "暖心。".encode() not in content(site / name), name
    shown = [n for n in after if "暖心，点赞！".encode() in content(site / n)]
    assert any(n.startswith("packs/week/") and n.endswith("pack.txt") for n in shown)
    assert "library/liked/index.html" in shown
    assert len(changed) < len(after) / 3


def test_cache_never_serves_stale_validation(scratch: ScratchProject) -> None:
    assert scratch.validate().exit_code == 0
    assert scratch.validate().exit_code == 0  # answered from the cache
    scratch.write("playbooks/demo/tiers/c-store.yaml",
                  (scratch.root / "playbooks/demo/tiers/c-store.yaml").read_text().replace("side: C", "side: Q"))
    assert scratch.validate().exit_code == 1
    scratch.write("content_library/banned_words.txt", "暖心\n")
    problems = scratch.validate().problems()
    assert any(p["code"] == "banned-word" for p in problems)
