"""Run the whole pipeline: check -> plan -> render -> write docs -> engine -> publish.

Nothing is written to the published site until every source has validated
and the engine and the packs have finished. The build state (state.py) says
what the site holds and from what inputs: when the site is exactly as it was
published, only the outputs whose inputs changed are built again and only the
files whose bytes changed are renamed into place; otherwise the whole new tree
is swapped in. Output folders are claimed through write.py, which refuses
anything qunsop did not make, and one build per project runs at a time.
"""

from __future__ import annotations

import ctypes
import datetime as dt
import functools
import json
import os
import shutil
import signal
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import rjsmin
from jinja2 import Environment

from . import TEMPLATES, engine
from .cache import Cache, code_version, digest, fingerprint
from .clock import Clock
from .errors import ProblemsFound, has_errors, root_cause_order
from .festivals import keep_marks
from .history import last_commit_time, read_history
from .links import Links, page_url
from .load import discover
from .media import ASSETS_DIR
from .metrics import data_state
from .packs import pack_job, render_pack_job
from .pipeline import CheckedProject, CheckOptions, check_project, input_fingerprint, lint_problems
from .plan import SitePlan, plan_site
from .render import SITE_SCRIPTS, get_env, get_html_env, page_key, page_keys, render_page, script_bundle
from .review import Reviewer, load_reviewer
from .review_site import check_review_folder, write_review_folder
from .search_index import index_names
from .segment import Segments, breaks_key, han_runs, keep_breaks, kept_breaks, segment_runs
from .settings import SearchSettings
from .state import BuildState, Output, inputs_digest, recorded
from .views import Page
from .write import (
    MARKER,
    PROTECTED,
    OutputCollision,
    OutputRefused,
    check_output_folder,
    check_writable,
    claim,
    discard,
    file_digests,
    fresh_folder,
    made_by_qunsop,
    mark,
    move_changed,
    output_path,
    owned,
    project_lock,
    publish,
    read_kept,
    remove_files,
    shown_path,
    staging_dir,
    sync_tree,
    write_file,
)

Progress = Callable[[str], None]
Call = tuple[Callable[..., Any], tuple[Any, ...]]
PACKS = "packs/"  # where the pack files sit in the site; every other file is the engine's


@dataclass(frozen=True)
class BuildOptions:
    clock: Clock
    site_dir: Path | None = None
    allow_scripts: bool = False  # mkdocs.yml may name hooks and extra_javascript
    playbook: str | None = None  # only this playbook's pages and packs
    progress: Progress = lambda _step: None
    review: bool = True  # the weekly 复盘 from data/, where qunsop.yaml review.publish puts it


@dataclass(frozen=True)
class BuildResult:
    site_dir: Path
    pages: int  # site pages (0 when nothing changed)
    files_written: int  # output files whose content changed
    unchanged: bool = False
    warnings: tuple[str, ...] = ()
    incremental: bool = False  # only the pages that changed went through the engine
    content_warnings: int = 0  # problems of severity warning in the sources (validate lists them)
    pages_rendered: int = 0  # pages whose Markdown was rendered (the others' inputs were as recorded)


def output_folders(root: Path, site_dir: Path | None) -> tuple[Path, Path]:
    """The published site and the work folder, as written (never through a symlink)."""
    site = output_path(site_dir or root / "site")
    if not site.name:  # "/": no folder could sit beside it, and nothing there is qunsop's
        raise OutputRefused(f"网站目录 {site} 是文件系统的根目录：请用 --site-dir 指定一个专用的目录")
    return site, output_path(root / "build")


def build_project(root: Path, options: BuildOptions) -> BuildResult:
    site, work = output_folders(root, options.site_dir)
    check_site_folder(site, work, root)
    claim(work, root, "工作目录")
    with project_lock(work, options.progress):
        return _build_locked(root, site, work, options)


def check_site_folder(site: Path, work: Path, root: Path) -> None:
    """The published folder and the temporary folders next to it may all be replaced."""
    if site == work or site.is_relative_to(work):
        raise OutputRefused(f"网站目录 {shown_path(site, root)} 在工作目录 {shown_path(work, root)} 里面："
                            "每次构建都会重写工作目录，请换一个目录")
    check_output_folder(site, root, "网站目录")
    for sibling in sibling_folders(site):
        if sibling.is_symlink() or (sibling.exists() and not owned(sibling)):
            raise OutputRefused(f"{shown_path(sibling, root)} 不是 qunsop 生成的目录（qunsop 用这个名字"
                                "做临时目录）：请把它移走或改名")


def sibling_folders(site: Path) -> tuple[Path, Path]:
    """Where a build is staged and where the previous site waits to be deleted."""
    return site.with_name(f".{site.name}.staging"), site.with_name(f".{site.name}.old")


def _build_locked(root: Path, site: Path, work: Path, options: BuildOptions) -> BuildResult:
    progress = options.progress
    check_site_folder(site, work, root)  # again: it may have changed while we waited
    check_writable(site, root)
    progress("检查源文件")
    stamp = build_stamp(root, options.clock)
    check_options = CheckOptions(options.clock, allow_scripts=options.allow_scripts,
                                 anchor=stamp.date(), playbook=options.playbook)
    cache = Cache.open(root)
    key = input_fingerprint(root, check_options, ("site", str(site)), ("stamp", stamp.isoformat()),
                            ("review", str(options.review)), *data_state(root))
    record = f"build-{digest(str(site).encode())}.json"
    # the last build's state counts only while the site holds exactly what it published
    previous = BuildState.read(cache, record)
    if previous is not None and not previous.published(site):
        previous = None
    if previous is not None and previous.inputs == key:
        return BuildResult(site, 0, 0, unchanged=True, warnings=tuple(cache.warnings),
                           content_warnings=previous.content_warnings)
    checked = check_project(root, check_options, cache, lint=False)  # its rules run beside rendering
    if has_errors(checked.problems):
        found = checked.problems + lint_problems(checked, cache)
        raise ProblemsFound(root_cause_order(set(found)), checked.files_checked)
    site_settings = checked.project.site
    assert site_settings is not None  # a missing mkdocs.yml is an error above
    history = read_history(root, stamp)
    review = load_review(checked, options.review)
    if review is not None and checked.project.settings.review.publish == "folder":
        check_review_folder(root / checked.project.settings.review.folder, root)
    # packs need only the checked project: they start now and run beside planning,
    # rendering and the engine. A pack file whose key (the digest of what it shows) is
    # its recorded inputs digest keeps its published bytes.
    job = pack_job(checked, site_settings.site_url, stamp, history,
                   previous.inputs_under(PACKS) if previous else {},
                   site / "packs" if previous else None)
    packs = work / "packs-staging"
    fresh_folder(packs)
    staging = staging_dir(site, root)
    try:
        with Workers(packs=(render_pack_job, (job, packs)),
                     lint=(lint_problems, (checked, cache))) as workers:
            pack_run = workers.start("packs")
            lint_run = workers.start("lint")
            progress("生成页面，同时生成推送包")
            plan = plan_site(checked, read_glossary(), site_settings.site_url, stamp, history,
                             review if checked.project.settings.review.publish == "site" else None)
            kept = KeptPages(previous.pages if previous else {}, work / "docs")
            docs = [*render_docs(plan, kept), *plan.files, *static_files(checked)]
            sync_tree(work / "docs", docs)
            words = work / "search-words.txt"
            write_if_changed(words, "".join(f"{word} 2000\n" for word in plan.search_words), work)
            engine_site = engine.EngineSite(site_settings, root, work / "docs", TEMPLATES / "theme",
                                            plan.nav, words, options.allow_scripts)
            engine_key = fingerprint([("config", json.dumps(engine.config_data(engine_site),
                                                            sort_keys=True, ensure_ascii=False)),
                                      ("words", words.read_bytes()), ("qunsop", code_version()),
                                      ("engine", engine.version()),
                                      ("docs", "\0".join(sorted(path for path, _data in docs)))])
            inputs = {engine.output_of(path): inputs_digest(engine_key, digest(data))
                      for path, data in docs}
            dirty = docs_to_render(previous, [path for path, _data in docs], inputs, engine_key)
            progress("MkDocs 生成网站")
            # the Chinese of the pages the engine renders is cut into words beside it, but
            # for the runs earlier builds cut with the same dictionary
            rendered = [data.decode() for path, data in docs
                        if path.endswith(".md") and (dirty is None or path in dirty)]
            breaks = breaks_key(str(words))
            known = kept_breaks(cache, breaks)
            segmenting = workers.start("words", segment_runs, str(words),
                                       [run for run in han_runs(rendered) if run not in known])
            engine.build_site(engine_site, work / "mkdocs.yml", staging, stamp,
                              engine.Incremental(site / "search", dirty)
                              if dirty is not None else None, cache,
                              Segments(str(words), lambda: {**known, **cut_runs(segmenting)}))
            keep_breaks(cache, breaks, known, cut_runs(segmenting))
            try:
                pack_run.result()
            except Exception as error:
                raise PackError(f"推送包生成失败：{type(error).__name__}: {error}") from None
            found = checked.problems + lint_run.result()
        if has_errors(found):
            raise ProblemsFound(root_cause_order(set(found)), checked.files_checked)
        inputs.update(json.loads((packs / "keys.json").read_text(encoding="utf-8")))
        progress("发布")
        if previous is None:
            outputs = publish_whole(staging, packs, site, inputs, engine_key)
            written = len(outputs)
        else:
            outputs, written = publish_changed(staging, packs, site, previous, inputs, engine_key,
                                               incremental=dirty is not None)
    except BaseException:
        discard(staging)
        raise
    finally:
        discard(packs)
    content_warnings = len({problem for problem in found if problem.severity == "warning"})
    BuildState(key, outputs, content_warnings, kept.now).write(cache, record)
    keep_marks(cache)  # the years only pages asked for
    notes = [*cache.warnings, *history.warnings]
    if review is not None:
        if checked.project.settings.review.publish == "folder":
            folder = root / checked.project.settings.review.folder
            write_review_folder(review, checked, folder, site_settings.site_url)
            notes.append(f"每周复盘单独写在 {shown_path(folder, root)}（没有放进网站）")
        if review.metrics.problems:
            notes.append(f"data/ 里有 {len(review.metrics.problems)} 处问题没有计入每周复盘："
                         "运行 qunsop review 查看每一处的文件、行和列")
    return BuildResult(site, len(plan.pages), written, warnings=tuple(notes),
                       incremental=dirty is not None, content_warnings=content_warnings,
                       pages_rendered=kept.rendered)


def docs_to_render(previous: BuildState | None, docs: list[str], inputs: dict[str, str],
                   engine_key: str) -> set[str] | None:
    """The docs files whose pages the engine renders again: those whose inputs differ from
    the recorded ones. None when every page is: no trusted site, or an input every engine
    output shares changed (settings, nav, search words, the set of docs, qunsop, the engine)."""
    if previous is None:
        return None
    for path, output in previous.outputs.items():
        if not path.startswith(PACKS) and path not in inputs and output.inputs != engine_key:
            return None
    return {path for path in docs
            if previous.inputs_of(engine.output_of(path)) != inputs[engine.output_of(path)]}


def publish_whole(staging: Path, packs: Path, site: Path, inputs: dict[str, str],
                  engine_key: str) -> dict[str, Output]:
    """No trusted site: complete the staging folder with the packs and swap it into place.
    Returns what the site now holds."""
    move_into(packs / "packs", staging / "packs")
    mark(staging)
    digests = list(file_digests(staging))
    publish(staging, site)
    return recorded(site, ((path, bytes_digest, output_inputs(path, inputs, engine_key))
                           for path, bytes_digest in digests))


def publish_changed(staging: Path, packs: Path, site: Path, previous: BuildState,
                    inputs: dict[str, str], engine_key: str,
                    incremental: bool) -> tuple[dict[str, Output], int]:
    """The site is as recorded: rename into it the files whose bytes changed, then remove
    what this build no longer makes. Returns what the site now holds and the files changed.

    An incremental engine build leaves the pages it did not render, and the search index
    files whose bytes it kept, as published."""
    published = {path: output.digest for path, output in previous.outputs.items()}
    engine_files, moved = move_changed(staging, site, published)
    discard(staging)
    pack_files, moved_packs = move_changed(
        packs / "packs", site / "packs",
        {path.removeprefix(PACKS): digest for path, digest in published.items() if path.startswith(PACKS)})
    fresh = {**engine_files, **{PACKS + path: digest for path, digest in pack_files.items()}}
    wanted = set(fresh) | set(pack_list(packs, "files.json"))
    if incremental:
        index = {f"search/{name}" for name in index_names(site / "search")}
        wanted |= {path for path in published if not path.startswith(PACKS)
                   and (not path.startswith("search/") or path in index)}
    removed = remove_files(site, set(published) - wanted)
    changed = {*moved, *(PACKS + path for path in moved_packs)}
    outputs = recorded(site, ((path, fresh.get(path) or published[path],
                               output_inputs(path, inputs, engine_key))
                              for path in sorted(changed)))
    for path in wanted - changed:
        outputs[path] = Output(fresh.get(path) or published[path],
                               output_inputs(path, inputs, engine_key), previous.outputs[path].stat)
    return outputs, len(changed) + removed


def output_inputs(path: str, inputs: dict[str, str], engine_key: str) -> str:
    """The inputs digest recorded for an output: a page's or a pack file's own, the engine's
    shared inputs for the theme's files, none for the files made every time."""
    return inputs.get(path) or ("" if path.startswith(PACKS) else engine_key)


def pack_list(packs: Path, name: str) -> list[str]:
    found: list[str] = json.loads((packs / name).read_text(encoding="utf-8"))
    return found


def clean_project(root: Path, site_dir: Path | None = None) -> list[Path]:
    """Remove what qunsop made (site, work and temporary folders); refuse anything else.

    Every folder is checked before any is removed: a refusal leaves everything in place.
    """
    site, work = output_folders(root, site_dir)
    folders = [folder for folder in (site, *sibling_folders(site), work)
               if folder.exists() or folder.is_symlink()]
    real_root = root.resolve()
    for folder in folders:
        shown = shown_path(folder, root)
        if folder.is_symlink():
            raise OutputRefused(f"{shown} 是符号链接（指向 {os.readlink(folder)}）："
                                "qunsop 不删除链接，也不顺着链接删除")
        if real_root.is_relative_to(folder) or any(
                folder.is_relative_to(real_root / name) for name in PROTECTED):
            raise OutputRefused(f"{shown} 是项目本身或源文件目录，不会删除")
        if not made_by_qunsop(folder):
            raise OutputRefused(f"{shown} 里没有 qunsop 的标记文件 {MARKER}，不是 qunsop 生成的目录，"
                                "不会删除：如果确实不要了，请自己删除")
    if not folders:
        return []
    lock = project_lock(work, lambda _message: None) if work in folders else nullcontext()
    with lock:
        for folder in folders:
            shutil.rmtree(folder)
    return folders


# The stages that run in a worker process beside planning, rendering and the engine; any
# other runs in this process. Each is kept for its measured gain (benchmarks/RESULTS.md,
# "Machinery that earns its place"): they need only plain picklable data.
BESIDE = frozenset({"packs", "lint", "words"})
_GIVEN: dict[str, Call] = {}  # in a worker: the calls it was started with


class Workers:
    """The worker processes of one build (concurrent.futures), for the stages in BESIDE.

    The calls known when the build starts are handed to the workers as they start, which
    under the fork start method inherit them instead of unpickling them: the pack job is
    7 MB pickled at M (0.9 s of CPU every build), lint's checked project 17 MB."""

    def __init__(self, **known: Call) -> None:
        self.known = known
        given = {stage: call for stage, call in known.items() if stage in BESIDE}
        self.pool = ProcessPoolExecutor(max_workers=len(BESIDE) or 1, initializer=keep_given,
                                        initargs=(given,))

    def start(self, stage: str, *call: Any) -> Future[Any]:
        """Run `stage`, a known call or `function, *args`: in a worker when the stage
        earns one, else here and now."""
        if not call and stage in BESIDE:
            return self.pool.submit(run_given, stage)
        function, args = (call[0], call[1:]) if call else self.known[stage]
        if stage in BESIDE:
            return self.pool.submit(function, *args)
        done: Future[Any] = Future()
        try:
            done.set_result(function(*args))
        except Exception as error:  # raised where the result is asked for, as from a worker
            done.set_exception(error)
        return done

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, *_exception: object) -> None:
        # waits for the workers, also when the build failed: none is left writing into a
        # folder the next build reuses
        self.pool.shutdown(wait=True)


def keep_given(given: dict[str, Call]) -> None:
    """A worker's start: the calls it was given, and its end with the build's process (a
    build killed outright would otherwise leave its workers waiting on their queue forever)."""
    _GIVEN.update(given)
    die_with_parent()


PR_SET_PDEATHSIG = 1  # prctl(2): the signal a process gets when its parent dies


def die_with_parent() -> None:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)  # Linux; elsewhere there is no prctl
    except (OSError, AttributeError):
        pass


def run_given(stage: str) -> Any:
    function, args = _GIVEN[stage]
    return function(*args)


def cut_runs(segmenting: Future[dict[str, str]]) -> dict[str, str]:
    """The words worker's runs; none when it failed (the engine then cuts them itself)."""
    return segmenting.result() if segmenting.exception() is None else {}


class PackError(Exception):
    """Rendering packs failed."""


def move_into(source: Path, target: Path) -> None:
    """Add the packs to the engine's output, refusing to overwrite what the engine wrote."""
    if target.exists():
        raise OutputCollision(f"推送包目录与网站页面冲突：{target.name}/")
    if source.exists():
        source.rename(target)


def load_review(checked: CheckedProject, wanted: bool) -> Reviewer | None:
    """The weekly review, unless `--no-review`, review.publish: off, or no roster or data."""
    if not wanted or checked.project.settings.review.publish == "off" or not checked.project.rosters:
        return None
    review = load_reviewer(checked.project, checked.schedules)
    return review if review.weeks() else None


@functools.cache
def page_env() -> Environment:
    """One compiled set of page templates per process: `qunsop serve` rebuilds without
    compiling them again (about 0.2 s at size M)."""
    return get_env()


@dataclass
class KeptPages:
    """The last build's pages (render key and Markdown digest by docs path) and the folder
    that holds their Markdown; `now` collects this build's."""

    before: dict[str, tuple[str, str]]
    folder: Path
    now: dict[str, tuple[str, str]] = field(default_factory=dict)
    rendered: int = 0


def render_docs(plan: SitePlan, kept: KeptPages | None = None) -> Iterator[tuple[str, bytes]]:
    """Each page's Markdown; with `kept`, a page whose render key is the last build's is read
    back from the work folder (when its bytes are still the ones recorded)."""
    keys = page_keys(plan.links.targets, plan.words) if kept is not None else None
    for page in plan.pages:
        key = page_key(keys, page) if keys is not None else None
        data = kept_page(kept, page.path, key) if kept is not None and key is not None else None
        if data is None:
            data = page_markdown(plan, page)
            if kept is not None:
                kept.rendered += 1
        if kept is not None and key is not None:
            kept.now[page.path] = (key, digest(data))
        yield page.path, data


def kept_page(kept: KeptPages, path: str, key: str) -> bytes | None:
    recorded = kept.before.get(path)
    if recorded is None or recorded[0] != key:
        return None
    data = read_kept(kept.folder, path)
    return data if data is not None and digest(data) == recorded[1] else None


def page_markdown(plan: SitePlan, page: Page) -> bytes:
    env = page_env()
    body = render_page(env, page.template, page.path, page.model, plan.links.known, plan.words)
    if page.updated:
        body += env.get_template("_updated.md.j2").render(updated=page.updated)
    return engine.page_source(page.nav_title, page.searchable, body, page.search_boost).encode()


def static_files(checked: CheckedProject) -> Iterator[tuple[str, bytes]]:
    """The media files sources use (each checked by content), the site's own assets and the
    search worker with this project's synonyms (in place of the theme's)."""
    root = checked.project.root
    for media in sorted(checked.project.media):
        yield f"assets/content/{media}", (root / ASSETS_DIR / media).read_bytes()
    for asset in sorted((TEMPLATES / "assets").glob("*")):
        yield f"assets/{asset.name}", asset.read_bytes()
    for name, parts in SITE_SCRIPTS.items():
        yield name, script_bundle(*parts)
    yield engine.search_worker_path(), search_worker(checked.project.settings.search).encode()


WORKER_BANNER = "/* qunsop's search worker (site_templates/search/worker.js.j2), minified */\n"


def search_worker(search: SearchSettings) -> str:
    """qunsop's search worker with this project's synonyms and common words, minified as the
    pack scripts are (its comments were a third of it); one line says what it is, for
    whoever opens it in the browser's tools."""
    return WORKER_BANNER + str(rjsmin.jsmin(get_html_env().get_template("search/worker.js.j2").render(
        question_words=QUESTION_WORDS, synonyms=synonym_map(search.synonyms),
        common_words=sorted({*COMMON_WORDS, *search.common_words} - set(QUESTION_WORDS)),
        collections=[page_url(Links.LIBRARY)])))


# words an operator types around the topic of a question; dropped when a topic remains
QUESTION_WORDS = ("怎么办", "怎么", "发什么", "什么", "如何", "哪些", "哪个", "咋办", "吗", "呢",
                  "的", "了", "是", "要", "该", "应该", "可以")
# everyday words nearly every page holds (群里 is on most of them): they still count, but a
# tenth of a topic word, so 群冷了 or 司机在群里骂人 rank by 冷 and 骂人; qunsop.yaml adds more
COMMON_WORDS = ("群里", "在群里", "一下", "一下子", "有人", "大家", "我们", "咱们", "这个", "那个",
                "时候", "一个", "多少", "还是", "就是", "已经", "现在", "打多少", "发多少", "说")


def synonym_map(groups: list[list[str]]) -> dict[str, list[str]]:
    """Each word of a group points at the others (a word in two groups gets both)."""
    found: dict[str, list[str]] = {}
    for group in ([word.lower() for word in group] for group in groups):  # the index is lowercase
        for word in group:
            found.setdefault(word, [])
            found[word] += [other for other in group if other != word and other not in found[word]]
    return found


def write_if_changed(path: Path, text: str, inside: Path) -> None:
    """Write a file of the work folder unless it already holds `text` (never through a link)."""
    data = text.encode()
    if path.is_symlink() or not path.is_file() or path.read_bytes() != data:
        write_file(path, data, inside)


def read_glossary() -> list[str]:
    text = (TEMPLATES / "search" / "glossary.txt").read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


def build_stamp(root: Path, clock: Clock) -> dt.datetime:
    """The build's time for dates in the output, so rebuilds are byte-identical.

    SOURCE_DATE_EPOCH when set, else the last commit's time, else the newest change to
    a source file (a project that is not in git yet); never the wall clock.
    """
    if clock.source_epoch is not None:
        return clock.source_epoch
    seconds = last_commit_time(root)  # None when git cannot tell or the date is out of range
    if seconds is None:
        times = [(root / relative).stat().st_mtime for relative, _kind in discover(root)
                 if (root / relative).is_file()]
        seconds = int(max(times, default=0))
    return dt.datetime.fromtimestamp(seconds, dt.UTC)
