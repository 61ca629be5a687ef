"""Reliability and security under hostile input: no crash, no code run, no leak, no corruption."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import AUTHORED_CLOCK, MINIMAL, ScratchProject, run_qunsop
from qunsop import build as build_module
from qunsop.kinds import KINDS
from qunsop.pipeline import CheckOptions, check_project
from safety import SOURCE_FOR_KIND

assert set(SOURCE_FOR_KIND) == set(KINDS), "every kind is fuzzed"


def tree_digest(root: Path) -> dict[str, str]:
    return {path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(root.rglob("*")) if path.is_file()}


# --- property-based: arbitrary input never crashes validation ----------------------

scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6),
                    st.floats(allow_nan=False), st.text(max_size=30), st.dates())


def documents(kind: str) -> st.SearchStrategy[object]:
    """Mappings whose keys are mostly the kind's real field names, so validation goes deep."""
    keys = st.one_of(st.sampled_from(sorted(KINDS[kind].model.model_fields)), st.text(max_size=12))
    return st.recursive(scalars, lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(keys, inner, max_size=6)), max_leaves=20)


def as_source(kind: str, document: object, body: str) -> str:
    text = yaml.safe_dump(document, allow_unicode=True)
    return f"---\n{text}---\n{body}\n" if KINDS[kind].markdown else text


@pytest.fixture(scope="module")
def fuzz_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("fuzz") / "project"
    shutil.copytree(MINIMAL, root)
    return root


def check_one(root: Path, kind: str, content: str | bytes, relative: str | None = None) -> None:
    path = root / (relative or SOURCE_FOR_KIND[kind])
    original = path.read_bytes() if path.exists() else None
    try:
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
        # CPU time of this process, not wall time: a loaded CI machine must not fail it
        started = time.process_time()
        checked = check_project(root, CheckOptions(AUTHORED_CLOCK))  # must not raise
        assert time.process_time() - started < 1.0
        for problem in checked.problems:
            assert problem.file and problem.line >= 1 and problem.column >= 1
    finally:
        if original is None:
            path.unlink()
        else:
            path.write_bytes(original)


@pytest.mark.parametrize("kind", sorted(SOURCE_FOR_KIND))
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_arbitrary_documents_never_crash(fuzz_root: Path, kind: str, data: st.DataObject) -> None:
    document = data.draw(documents(kind))
    body = data.draw(st.text(max_size=80))
    check_one(fuzz_root, kind, as_source(kind, document, body))


@pytest.mark.parametrize("kind", ["tier", "post"])
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=st.one_of(st.text(max_size=200), st.binary(max_size=200)))
def test_arbitrary_text_never_crashes(fuzz_root: Path, kind: str, raw: str | bytes) -> None:
    check_one(fuzz_root, kind, raw)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=st.one_of(st.text(alphabet=st.sampled_from(list(',"\n\r id群名层级建群日期:标签内部a-z0-9')),
                             max_size=200),
                     st.text(max_size=200), st.binary(max_size=200)))
def test_an_arbitrary_roster_csv_never_crashes(fuzz_root: Path, raw: str | bytes) -> None:
    check_one(fuzz_root, "roster", "id,群名,群层级,建群日期\n" + raw if isinstance(raw, str) else raw,
              "playbooks/demo/groups.csv")


# --- hostile files -----------------------------------------------------------------

BILLION_LAUGHS = "\n".join(
    ["a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]"]
    + [f"{chr(98 + n)}: &{chr(98 + n)} [*{chr(97 + n)},*{chr(97 + n)},*{chr(97 + n)},*{chr(97 + n)},"
       f"*{chr(97 + n)},*{chr(97 + n)},*{chr(97 + n)},*{chr(97 + n)},*{chr(97 + n)}]"
       for n in range(8)]) + "\n"


def test_alias_bomb_is_rejected_quickly_with_bounded_memory(scratch: ScratchProject) -> None:
    scratch.write("playbooks/demo/tiers/c-store.yaml", BILLION_LAUGHS)
    tracemalloc.start()
    started = time.process_time()  # CPU time: the expansion is what must stay bounded
    checked = check_project(scratch.root, CheckOptions(AUTHORED_CLOCK))
    elapsed = time.process_time() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert [p.code for p in checked.problems if p.file.endswith("c-store.yaml")] == ["alias-bomb"]
    assert elapsed < 2 and peak < 64 * 1024 * 1024


@pytest.mark.parametrize("tag", ["!!python/object/apply:os.system ['echo pwned']",
                                 "!!python/name:os.system", "!!binary aGVsbG8=", "!custom x"])
def test_unsafe_tags_are_rejected(scratch: ScratchProject, tag: str) -> None:
    scratch.write("playbooks/demo/tiers/c-store.yaml",
                  (MINIMAL / "playbooks/demo/tiers/c-store.yaml").read_text().replace(
                      "audience: 到店客户", f"audience: {tag}"))
    run = scratch.validate()
    assert run.exit_code == 1 and "Traceback" not in run.output
    assert any(p["code"] == "unsafe-tag" and p["path"] == "audience" for p in run.problems())


def test_huge_file_is_refused_without_reading_it(scratch: ScratchProject) -> None:
    path = scratch.root / "content_library/posts/needed/huge.md"
    with path.open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)
    # not read: checking the project in this process allocates far less than the file's size
    tracemalloc.start()
    checked = check_project(scratch.root, CheckOptions(AUTHORED_CLOCK))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 20 * 1024 * 1024, f"{peak / 1e6:.1f} MB allocated: the 50 MB file was read"
    assert [p.code for p in checked.problems if p.file.endswith("huge.md")] == ["file-too-large"]
    run = scratch.validate()
    problem = next(p for p in run.problems() if p["file"].endswith("huge.md"))
    assert problem["code"] == "file-too-large" and "50.0 MB" in problem["message"]


def test_symlinks_out_of_the_project_are_not_followed(scratch: ScratchProject, tmp_path: Path) -> None:
    secret = tmp_path / "secret"
    secret.mkdir()
    (secret / "leak.md").write_text("---\nid: leak\ntitle: 泄露\ncategory: liked\ntiers: [c-store]\n"
                                    "---\nTOP-SECRET-CONTENT\n", encoding="utf-8")
    (secret / "leak.png").write_bytes(b"TOP-SECRET-IMAGE")
    os.symlink(secret / "leak.md", scratch.root / "content_library/posts/liked/leak.md")
    os.symlink(secret, scratch.root / "content_library/posts/linked-dir")
    os.symlink(secret / "leak.png", scratch.root / "content_library/assets/leak.png")
    run = scratch.validate()
    assert any(p["code"] == "outside-project" for p in run.problems())
    (scratch.root / "content_library/posts/liked/leak.md").unlink()
    build = run_qunsop("build", str(scratch.root))
    assert build.exit_code == 0, build.output
    for path in (scratch.root / "site").rglob("*"):
        if path.is_file():
            assert b"TOP-SECRET" not in path.read_bytes(), path


PAYLOADS = {
    "script": '<script>alert("qs-xss-1")</script>',
    "onerror": '<img src=x onerror=alert("qs-xss-2")>',
    "javascript": '[点我](javascript:alert("qs-xss-3"))',
    "iframe": '<iframe src="https://evil.example/qs-xss-4"></iframe>',
    "jinja": "{{ 7*7 }}{% raw %}",
}
LIVE_MARKUP = [re.compile(p) for p in (
    r"<script>alert\(", r"<img[^>]*onerror", r'href="javascript:', r"<iframe", r"qs-xss-\d\)\">")]


def test_payloads_in_every_text_field_never_become_live_markup(scratch: ScratchProject) -> None:
    mixed = " ".join(PAYLOADS.values())
    scratch.write("qunsop.yaml", "lint:\n  severity:\n    raw-html: off\n    bad-link: off\n"
                  "    below-cadence: off\n")
    tier = yaml.safe_load((MINIMAL / "playbooks/demo/tiers/c-store.yaml").read_text())
    tier.update(name=f"车友群{mixed}", summary=mixed, purposes=[mixed], audience=mixed,
                rules=[mixed], entry_criteria=[mixed],
                stages=[{"name": mixed, "goal": mixed, "days": mixed, "steps": [mixed]}])
    scratch.write("playbooks/demo/tiers/c-store.yaml", yaml.safe_dump(tier, allow_unicode=True))
    for relative in ("content_library/posts/needed/tyre-pressure.md", "content_library/games/warmup.md",
                     "content_library/replies/calm-first.md"):
        text = (scratch.root / relative).read_text(encoding="utf-8")
        front, body = text.split("---\n")[1], text.split("---\n")[2]
        front = re.sub(r"^(title|name|scenario): (.*)$", lambda m: f"{m.group(1)}: '{m.group(2)} "
                       + mixed.replace("'", "''") + "'", front, flags=re.M)
        scratch.write(relative, f"---\n{front}---\n{body}{mixed}\n")
    run = run_qunsop("build", str(scratch.root))
    assert run.exit_code == 0, run.output
    pages = [p for p in (scratch.root / "site").rglob("*") if p.suffix in (".html", ".json", ".txt")]
    html = [p for p in pages if p.suffix == ".html"]
    assert len(html) > 20
    for page in html:
        text = page.read_text(encoding="utf-8")
        for pattern in LIVE_MARKUP:
            assert not pattern.search(text), (page, pattern.pattern)
    pack = (scratch.root / "site/packs/week/2026-12-07/index.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(&#34;qs-xss-1&#34;)&lt;/script&gt;" in pack
    assert "{{ 7*7 }}{% raw %}" in pack and ">49<" not in pack
    assert "{{ 7*7 }}{% raw %}" in (scratch.root / "site/packs/week/2026-12-07/pack.txt").read_text()


@pytest.mark.parametrize("env_name", ["get_env", "get_html_env"])
def test_every_template_escapes_what_it_prints(env_name: str) -> None:
    """Render each template's environment with a hostile value: nothing comes out live."""
    from qunsop import render

    env = getattr(render, env_name)()
    hostile = '<script>alert(1)</script>[x](javascript:alert(1)){onload=y}'
    out = env.from_string("{{ value }}").render(value=hostile)
    assert "<script>" not in out and "&lt;script&gt;" in out
    if env_name == "get_env":  # Markdown pages: no link, no attribute list can form
        assert "](" not in out and "\\[x\\]" in out and "\\{onload" in out
    templates = env.list_templates(filter_func=lambda name: name.endswith(".j2") and (
        name.startswith("packs/") == (env_name == "get_html_env")))
    assert len(templates) >= (3 if env_name == "get_html_env" else 15)
    for name in templates:  # one environment, so one setting, but each template is loaded by it
        assert env.get_template(name).environment is env


# --- build integrity -----------------------------------------------------------------


def test_exception_in_render_stage_leaves_previous_site(scratch: ScratchProject,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    assert run_qunsop("build", str(scratch.root)).exit_code == 0
    before = tree_digest(scratch.root / "site")

    def broken_render(*_args: object, **_kwargs: object) -> str:
        raise RuntimeError("simulated failure while rendering")

    post = scratch.root / "content_library/posts/liked/road-story.md"
    post.write_text(post.read_text(encoding="utf-8") + "新的一句。\n", encoding="utf-8")
    monkeypatch.setattr(build_module, "render_page", broken_render)
    with pytest.raises(RuntimeError):
        build_module.build_project(scratch.root, build_module.BuildOptions(AUTHORED_CLOCK))
    assert tree_digest(scratch.root / "site") == before
    assert not (scratch.root / ".site.staging").exists()


def test_killed_build_leaves_previous_site(scratch: ScratchProject) -> None:
    root = scratch.root
    assert run_qunsop("build", str(root)).exit_code == 0, "first build"
    before = tree_digest(root / "site")
    # a real change, so the second build cannot take the nothing-changed shortcut
    scratch.write("content_library/posts/liked/road-story.md",
                  (root / "content_library/posts/liked/road-story.md").read_text().replace("暖心", "真暖心"))
    child = subprocess.Popen([sys.executable, "-m", "qunsop", "build", str(root)],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 20
    while not (root / ".site.staging").exists() and child.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)
    assert (root / ".site.staging").exists(), "the build never reached its staging folder"
    child.send_signal(signal.SIGKILL)
    assert child.wait() == -signal.SIGKILL
    assert tree_digest(root / "site") == before, "the published site changed"
    again = run_qunsop("build", str(root))
    assert again.exit_code == 0 and "没有变化" not in again.output, "a build after the kill recovers"
    assert not (root / ".site.staging").exists()
    assert "真暖心" in (root / "site/packs/week/2026-12-07/pack.txt").read_text(encoding="utf-8")


def test_build_writes_only_its_output_folders(scratch: ScratchProject) -> None:
    outside = scratch.root.parent
    before_outside = sorted(p.name for p in outside.iterdir())
    before_sources = tree_digest(scratch.root)
    assert run_qunsop("build", str(scratch.root)).exit_code == 0
    assert sorted(p.name for p in outside.iterdir()) == before_outside
    after = {path: digest for path, digest in tree_digest(scratch.root).items()
             if not path.startswith(("site/", "build/"))}
    assert after == before_sources


def test_same_sources_build_byte_identical(scratch: ScratchProject, tmp_path: Path) -> None:
    environment = {**os.environ, "SOURCE_DATE_EPOCH": "1795392000"}
    digests = []
    for attempt in range(2):
        copy = tmp_path / f"copy-{attempt}"
        shutil.copytree(scratch.root, copy)
        done = subprocess.run([sys.executable, "-m", "qunsop", "build", str(copy)],
                              env=environment, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        digests.append(tree_digest(copy / "site"))
    assert digests[0] == digests[1]
