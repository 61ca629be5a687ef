"""The engine's private internals qunsop relies on (generator/engine_hooks.py), checked against
the installed MkDocs and Material: after an upgrade, a failure here names the hook that broke."""

from __future__ import annotations

import tomllib
from importlib.metadata import version
from pathlib import Path

import pytest

from conftest import REPO
from qunsop import engine_hooks
from qunsop.engine_hooks import CHECKS, PINNED, HookBroken, list_theme_files_without_dot_folders


@pytest.mark.parametrize("hook", sorted(CHECKS))
def test_the_installed_engine_still_has_the_hook(hook: str) -> None:
    try:
        CHECKS[hook]()
    except HookBroken as broken:
        pytest.fail(f"engine hook {hook!r} broke: {broken.hook}: {broken}")


def test_the_engine_is_pinned_exactly_where_the_hooks_were_written() -> None:
    dependencies = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    for name, pinned in PINNED.items():
        assert f"{name}=={pinned}" in dependencies, f"pyproject.toml must pin {name}=={pinned}"
        assert version(name) == pinned


def test_a_broken_hook_is_reported_with_its_name(monkeypatch: pytest.MonkeyPatch) -> None:
    """What an upgrade that renames an internal looks like: the check names the hook, in a
    message an editor can act on (the pinned versions)."""
    from material.plugins.search.plugin import SearchIndex

    monkeypatch.delattr(SearchIndex, "_segment_chinese")
    with pytest.raises(HookBroken) as broken:
        CHECKS["search plugin"]()
    assert broken.value.hook == "material.plugins.search.SearchIndex._segment_chinese"
    assert "mkdocs-material 9.8.2" in str(broken.value)


def test_a_missing_preview_server_internal_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    from mkdocs.livereload import LiveReloadServer

    monkeypatch.delattr(LiveReloadServer, "_inject_js_into_html")
    with pytest.raises(HookBroken, match=r"LiveReloadServer\._inject_js_into_html"):
        engine_hooks.preview_server(lambda environ: None, builder=lambda: None, host="127.0.0.1",
                                    port=0, root=".")


def test_the_theme_search_worker_is_one_file_of_the_theme() -> None:
    path = engine_hooks.theme_search_worker()
    assert path.startswith("assets/javascripts/workers/search.") and path.endswith(".min.js")
    assert "zh" in engine_hooks.theme_languages()


def test_the_theme_files_listed_without_dot_folders_are_those_the_engine_copies(tmp_path: Path) -> None:
    from mkdocs.config import load_config
    from mkdocs.structure.files import Files

    (tmp_path / "docs").mkdir()
    (tmp_path / "mkdocs.yml").write_text("site_name: t\ntheme:\n  name: material\n", encoding="utf-8")
    config = load_config(str(tmp_path / "mkdocs.yml"))

    def copied() -> list[str]:
        files = Files([])
        files.add_files_from_theme(config.theme.get_env(), config)
        return [file.src_uri for file in files]

    walked_everything = copied()
    list_theme_files_without_dot_folders(config.theme)
    assert copied() == walked_everything
    assert any(name.startswith("assets/stylesheets/") for name in walked_everything)


def test_a_theme_loader_that_changed_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    import jinja2
    from mkdocs.theme import Theme

    monkeypatch.setattr(Theme, "get_env", lambda self: jinja2.Environment(loader=jinja2.DictLoader({})))
    with pytest.raises(HookBroken) as broken:
        CHECKS["theme files"]()
    assert broken.value.hook == "mkdocs.theme.Theme.get_env"
