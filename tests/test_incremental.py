"""Incremental builds: nothing changed rewrites nothing; an edit shows up everywhere, only there."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import AUTHORED_CLOCK, ScratchProject, run_qunsop

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
        # the search index's files hold scores of the words the post changed; the packs'
        # offline worker carries a new version, so phones drop the cache of the old packs;
        # a day-N calendar's personal feed carries the build's time (DTSTAMP)
        assert "暖心，点赞！".encode() in text or name.startswith("search/") or name in {
            "sitemap.xml", "sitemap.xml.gz", "packs/sw.js", "packs/launch/personal-ics.txt"}, name
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


# --- only what changed goes through the engine, and the result is a full build's ------------


def tree(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*"))
            if p.is_file()}


def edit(root: Path, relative: str, old: str, new: str) -> None:
    path = root / relative
    text = path.read_text(encoding="utf-8")
    assert old in text, relative
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_an_incremental_build_equals_a_clean_full_build_of_the_example(tmp_path: Path) -> None:
    from conftest import AUTHORED_EPOCH, copy_example
    from qunsop.build import build_project

    env = {"SOURCE_DATE_EPOCH": AUTHORED_EPOCH}
    project = copy_example(tmp_path / "edited")
    assert run_qunsop("build", str(project), env=env).exit_code == 0
    edit(project, "content_library/posts/needed/tyre-bulge.md", "鼓包", "鼓起包")
    edit(project, "playbooks/truck-tyres/tiers/c-koc.yaml", "团长", "团长（KOC）")
    edited = run_qunsop("build", str(project), env=env)
    assert edited.exit_code == 0, edited.output
    # a clean full build of the very same sources, with no cache and no previous site
    clean = tmp_path / "clean"
    import shutil
    shutil.copytree(project, clean, ignore=shutil.ignore_patterns("site", "build", ".site*"))
    full = run_qunsop("build", str(clean), env={**env, "QUNSOP_CACHE_DIR": "off"})
    assert full.exit_code == 0, full.output
    assert tree(project / "site") == tree(clean / "site")
    assert build_project  # the same function both builds ran


def test_an_incremental_build_renders_only_the_pages_that_changed(scratch: ScratchProject,
                                                                  monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from qunsop.build import BuildOptions, build_project

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795392000")
    assert not build_project(scratch.root, BuildOptions(AUTHORED_CLOCK)).incremental
    edit(scratch.root, POST, "暖心。", "暖心，点赞！")
    result = build_project(scratch.root, BuildOptions(AUTHORED_CLOCK))
    assert result.incremental
    # a change to the site's settings (the nav's look, every page) builds everything again
    edit(scratch.root, "mkdocs.yml", "accent: orange", "accent: amber")
    assert not build_project(scratch.root, BuildOptions(AUTHORED_CLOCK)).incremental
    # a new reply only changes the replies page: still incremental
    scratch.write("content_library/replies/new-reply.md",
                  "---\nid: new-reply\ntitle: 新话术\nscenario: 测试\n---\n谢谢大家。\n")
    assert build_project(scratch.root, BuildOptions(AUTHORED_CLOCK)).incremental
    # a new game is a new page in the nav: everything again
    game = (scratch.root / "content_library/games/warmup.md").read_text(encoding="utf-8")
    scratch.write("content_library/games/second.md",
                  game.replace("id: warmup", "id: second").replace("name: 红包暖场", "name: 第二个游戏"))
    assert not build_project(scratch.root, BuildOptions(AUTHORED_CLOCK)).incremental
    # and a published site that was touched
    assert build_project(scratch.root, BuildOptions(AUTHORED_CLOCK)).unchanged
    (scratch.root / "site/index.html").write_text("changed", encoding="utf-8")
    edit(scratch.root, POST, "点赞", "点个赞")
    assert not build_project(scratch.root, BuildOptions(AUTHORED_CLOCK)).incremental


def test_an_incremental_build_never_writes_into_the_published_files(scratch: ScratchProject,
                                                                    monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Everything an incremental build makes waits outside the published site until the
    last step: a build that fails before it leaves the site as it was."""
    from qunsop import build as build_module
    from qunsop.build import BuildOptions, build_project

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795392000")
    build_project(scratch.root, BuildOptions(AUTHORED_CLOCK))
    before = tree(scratch.root / "site")
    edit(scratch.root, POST, "暖心。", "暖心，点赞！")

    def fail(*_args: object, **_options: object) -> None:
        raise RuntimeError("stop just before publishing")

    monkeypatch.setattr(build_module, "publish_changed", fail)
    with pytest.raises(RuntimeError):
        build_project(scratch.root, BuildOptions(AUTHORED_CLOCK))
    assert tree(scratch.root / "site") == before


def test_a_shorter_calendar_loses_its_last_pack_in_an_incremental_build(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Pack days are published in place by an incremental build: the day a calendar no
    longer has is removed, and the site equals a clean full build."""
    import shutil

    from conftest import AUTHORED_EPOCH, MINIMAL
    from qunsop.build import BuildOptions, build_project

    project = tmp_path / "edited"
    shutil.copytree(MINIMAL, project)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", AUTHORED_EPOCH)
    build_project(project, BuildOptions(AUTHORED_CLOCK))
    assert (project / "site/packs/week/2026-12-07/pack.txt").is_file()
    edit(project, "playbooks/demo/calendars/week.yaml", "end: 2026-12-07", "end: 2026-12-06")
    assert build_project(project, BuildOptions(AUTHORED_CLOCK)).incremental
    assert not (project / "site/packs/week/2026-12-07").exists()
    # the state the incremental build recorded is the site's: nothing changed is seen
    assert build_project(project, BuildOptions(AUTHORED_CLOCK)).unchanged
    clean = tmp_path / "clean"
    shutil.copytree(project, clean, ignore=shutil.ignore_patterns("site", "build", ".site*"))
    full = run_qunsop("build", str(clean), env={"QUNSOP_CACHE_DIR": "off"})
    assert full.exit_code == 0, full.output
    assert tree(project / "site") == tree(clean / "site")


def test_builds_in_one_process_share_no_search_entries(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """`qunsop serve` rebuilds in one process: the theme's search keeps its last index in a
    shared plugin instance, which must never reach the next build's index."""
    import shutil

    from conftest import AUTHORED_EPOCH, MINIMAL
    from qunsop.build import BuildOptions, build_project

    monkeypatch.setenv("SOURCE_DATE_EPOCH", AUTHORED_EPOCH)
    first, second = tmp_path / "first", tmp_path / "second"
    for project in (first, second):
        shutil.copytree(MINIMAL, project)
    build_project(first, BuildOptions(AUTHORED_CLOCK))
    (first / "content_library/replies/only-in-first.md").write_text(
        "---\nid: only-in-first\ntitle: 只在第一个项目\nscenario: 测试\n---\n谢谢。\n", encoding="utf-8")
    assert build_project(first, BuildOptions(AUTHORED_CLOCK)).incremental
    build_project(second, BuildOptions(AUTHORED_CLOCK))
    edit(second, "playbooks/demo/calendars/week.yaml", "end: 2026-12-07", "end: 2026-12-06")
    assert build_project(second, BuildOptions(AUTHORED_CLOCK)).incremental
    index = "".join(path.read_text(encoding="utf-8") for path in (second / "site/search").iterdir())
    assert "only-in-first" not in index and "只在" not in index
    clean = tmp_path / "clean"
    shutil.copytree(second, clean, ignore=shutil.ignore_patterns("site", "build", ".site*"))
    assert run_qunsop("build", str(clean), env={"QUNSOP_CACHE_DIR": "off"}).exit_code == 0
    assert tree(second / "site") == tree(clean / "site")


def test_an_edit_renders_again_only_the_pages_whose_inputs_changed(scratch: ScratchProject,
                                                                    monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A page's Markdown is rendered again when anything it reads changed (its view, the
    link targets, the words every page uses); else the work folder's copy is reused, and
    only while its bytes are the ones recorded."""
    from qunsop.build import BuildOptions, build_project

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795392000")
    first = build_project(scratch.root, BuildOptions(AUTHORED_CLOCK))
    assert first.pages_rendered == first.pages > 10
    edit(scratch.root, POST, "暖心。", "暖心，点赞！")
    edited = build_project(scratch.root, BuildOptions(AUTHORED_CLOCK))
    assert 0 < edited.pages_rendered < first.pages / 2
    assert any("暖心，点赞！" in page.read_text(encoding="utf-8")
               for page in (scratch.root / "site/library").rglob("*.html"))
    home = (scratch.root / "site/index.html").read_bytes()
    (scratch.root / "build/docs/index.md").write_text("# 被改过的首页\n", encoding="utf-8")
    edit(scratch.root, POST, "点赞", "点个赞")
    build_project(scratch.root, BuildOptions(AUTHORED_CLOCK))
    assert (scratch.root / "site/index.html").read_bytes() == home
    with (scratch.root / "qunsop.yaml").open("a", encoding="utf-8") as settings:
        settings.write("words:\n  owner: 伙伴\n")
    assert build_project(scratch.root, BuildOptions(AUTHORED_CLOCK)).pages_rendered == first.pages


def test_theme_templates_compiled_by_an_earlier_build_follow_their_source(tmp_path: Path) -> None:
    from jinja2 import Environment, FileSystemLoader

    from qunsop.search_zh import CompiledTemplates

    kept = CompiledTemplates()

    def render() -> str:  # each build's engine makes a new environment
        return Environment(loader=FileSystemLoader(tmp_path), bytecode_cache=kept).get_template("t.html").render()

    (tmp_path / "t.html").write_text("{{ '旧' }}", encoding="utf-8")
    assert render() == "旧" and len(kept.code) == 1
    (tmp_path / "t.html").write_text("{{ '新' }}", encoding="utf-8")
    assert render() == "新"
