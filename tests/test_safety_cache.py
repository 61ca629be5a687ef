"""Issue 11, class 6: the cache cannot be turned against the user.

Records are plain data, JSON or MessagePack: a damaged or garbled record is ignored, no
data read from the cache is ever executed (no pickle or marshal in qunsop, and no compiled
templates are kept), and entries are keyed by the inputs and by qunsop's own code, so a
code change never serves a stale parse or result. The cache lives in the user's own
folder, never in the project.
"""

from __future__ import annotations

import ast
import hashlib
import json
import os
import pickle
from pathlib import Path

import pytest

from conftest import AUTHORED_CLOCK, REPO
from qunsop import cache as cache_module
from qunsop.cache import Cache, digest
from qunsop.load import ParseCache
from qunsop.pipeline import CheckOptions, cached_problems, check_project
from safety import SOURCE_FOR_KIND, copy_minimal, located, qunsop

TIER = SOURCE_FOR_KIND["tier"]


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    folder.mkdir(mode=0o700)
    monkeypatch.setenv("QUNSOP_CACHE_DIR", str(folder))
    return folder


@pytest.fixture
def broken(tmp_path: Path) -> Path:
    """The minimal project with one invalid value (side: X) in a tier."""
    root = copy_minimal(tmp_path / "project")
    path = root / TIER
    path.write_text(path.read_text(encoding="utf-8").replace("side: C", "side: X"), encoding="utf-8")
    return root


def project_cache(cache_dir: Path, root: Path) -> Path:
    return cache_dir / hashlib.sha256(str(root.resolve()).encode()).hexdigest()[:16]


def validate(root: Path, cache_dir: Path) -> list[dict]:
    run = qunsop("validate", str(root), "--format", "json", env={"QUNSOP_CACHE_DIR": str(cache_dir)})
    assert run.exit_code == 1, run.output
    located(run, TIER, "not-allowed", 3, path="side")
    return run.problems()


def test_a_damaged_validate_record_is_ignored(cache_dir: Path, broken: Path) -> None:
    expected = validate(broken, cache_dir)
    record = project_cache(cache_dir, broken) / "validate.json"
    body = record.read_bytes()
    data = json.loads(body)
    assert data["problems"], "the real record holds the problems"
    other_inputs = dict(data, fingerprint="0" * 32, problems=[])
    damaged = {
        "truncated": body[: len(body) // 2],
        "not-json": b"\x80\x04garbage",
        "old-signed-format": b"0" * 64 + b"\n" + body,
        "other-inputs": json.dumps(other_inputs).encode(),
        "problems-not-a-list": json.dumps(dict(data, problems=7)).encode(),
        "problem-missing-fields": json.dumps(dict(data, problems=[{"file": "x"}])).encode(),
        "problem-wrong-types": json.dumps(dict(data, problems=[
            dict(data["problems"][0], message=["not", "text"])])).encode(),
        "a-list": b"[]",
        "empty": b"",
    }
    for name, planted in damaged.items():
        record.write_bytes(planted)
        assert validate(broken, cache_dir) == expected, name


def test_a_planted_build_record_cannot_skip_a_build(cache_dir: Path, tmp_path: Path) -> None:
    root = copy_minimal(tmp_path / "project")
    env = {"QUNSOP_CACHE_DIR": str(cache_dir)}
    assert qunsop("build", str(root), env=env).exit_code == 0
    folder = project_cache(cache_dir, root)
    [record] = folder.glob("build-*.json")
    (root / "site" / "index.html").write_text("<p>defaced</p>", encoding="utf-8")
    data = json.loads(record.read_bytes())
    data["outputs"]["index.html"][2][1] = len("<p>defaced</p>")  # its recorded size
    record.write_bytes(json.dumps(data).encode())
    run = qunsop("build", str(root), env=env)
    assert run.exit_code == 0 and "没有变化" not in run.stdout, run.output
    assert "defaced" not in (root / "site" / "index.html").read_text(encoding="utf-8")


def test_no_compiled_code_is_kept_in_the_cache(cache_dir: Path, tmp_path: Path) -> None:
    """Templates are compiled in each process (0.17 s, benchmarks/RESULTS.md): every record a
    build leaves is JSON or MessagePack, never Jinja's marshalled bytecode."""
    from jinja2.bccache import bc_magic

    root = copy_minimal(tmp_path / "project")
    assert qunsop("build", str(root), env={"QUNSOP_CACHE_DIR": str(cache_dir)}).exit_code == 0
    records = sorted(project_cache(cache_dir, root).iterdir())
    assert records
    for record in records:
        assert record.suffix in (".json", ".msgpack"), record.name
        assert not record.read_bytes().startswith(bc_magic), record.name
    assert not (cache_dir / "key").exists()  # no signing key either


class _Payload:
    def __init__(self, proof: Path) -> None:
        self.proof = proof

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.system, (f"touch {self.proof}",))


def test_a_pickle_in_the_cache_is_never_loaded(cache_dir: Path, broken: Path, tmp_path: Path) -> None:
    expected = validate(broken, cache_dir)
    proof = tmp_path / "PICKLE-RAN"
    payload = pickle.dumps(_Payload(proof))
    folder = project_cache(cache_dir, broken)
    for name in ("validate.json", "parse.json", "parse.msgpack", "validate.pickle", "parse.pkl", "cache.pickle"):
        (folder / name).write_bytes(payload)
    assert validate(broken, cache_dir) == expected
    run = qunsop("build", str(broken), env={"QUNSOP_CACHE_DIR": str(cache_dir)})
    assert run.exit_code == 1 and "Traceback" not in run.output, run.output
    assert not proof.exists()


def test_no_module_of_qunsop_can_unpickle() -> None:
    unsafe = {"pickle", "marshal", "shelve", "dill", "cloudpickle", "joblib"}
    for path in sorted((REPO / "generator").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = [alias.name for alias in node.names] if isinstance(node, ast.Import) else (
                [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            assert not {name.split(".")[0] for name in names} & unsafe, (path.name, names)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                assert node.func.id not in ("eval", "exec"), path.name


def test_a_new_qunsop_version_never_serves_old_parses(cache_dir: Path, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    root = copy_minimal(tmp_path / "project")
    check_project(root, CheckOptions(AUTHORED_CLOCK), Cache.open(root))
    parses = ParseCache(Cache.open(root))
    assert parses.entries and parses.version == cache_module.code_version()
    path = root / TIER
    good = path.read_text(encoding="utf-8")
    bad = good.replace("side: C", "side: X")
    path.write_text(bad, encoding="utf-8")
    # a parse of the good text filed under the broken text's key: what an older loader
    # with a bug (or a forger with the key) could have left behind
    forged = {digest(f"False\0{bad}".encode()): parses.entries[digest(f"False\0{good}".encode())]}
    monkeypatch.setattr(cache_module, "_CODE_VERSION", ["this-qunsop"])
    store_parses(root, "an-older-qunsop", forged)
    checked = check_project(root, CheckOptions(AUTHORED_CLOCK), Cache.open(root))
    assert [(p.file, p.code) for p in checked.problems if p.severity == "error"] == [(TIER, "not-allowed")]
    # the version is what keeps it out: the same record under this version would be served
    store_parses(root, "this-qunsop", forged)
    assert not [p for p in check_project(root, CheckOptions(AUTHORED_CLOCK), Cache.open(root)).problems
                if p.severity == "error"]


def store_parses(root: Path, version: str, entries: dict) -> None:
    """A parse record as qunsop writes it, with a chosen version and entries."""
    record = ParseCache(Cache.open(root))
    record.version, record.entries, record.used, record.changed = version, entries, set(entries), True
    record.save()


def test_a_new_qunsop_version_never_serves_an_old_result(cache_dir: Path, broken: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    problems, _files, _warnings = cached_problems(broken, CheckOptions(AUTHORED_CLOCK))
    assert problems
    record = Cache.open(broken).read("validate.json")
    record["problems"] = []
    Cache.open(broken).write("validate.json", record)  # as qunsop would have written it
    assert cached_problems(broken, CheckOptions(AUTHORED_CLOCK))[0] == []  # same code, same inputs: the shortcut answers
    monkeypatch.setattr(cache_module, "_CODE_VERSION", ["a-different-qunsop"])
    assert cached_problems(broken, CheckOptions(AUTHORED_CLOCK))[0] == problems


def test_the_cache_never_lives_in_the_project(cache_dir: Path, broken: Path) -> None:
    validate(broken, cache_dir)
    assert project_cache(cache_dir, broken).is_dir()
    assert not [p for p in broken.rglob("*") if "cache" in p.name.lower()]


def test_a_cached_parse_equals_a_fresh_one(cache_dir: Path, tmp_path: Path) -> None:
    """Dates, timestamps with and without offsets, numbers as keys and every position come
    back from the cache exactly as the parser gave them."""
    from qunsop.load import load_project

    root = copy_minimal(tmp_path / "project")
    (root / TIER).write_text((root / TIER).read_text(encoding="utf-8") + (
        "extra_dates: [2026-12-01, 2026-12-01 08:30:00, 2026-12-01T08:30:00+08:00]\n"
        "numbered: {1: one, 2.5: two, true: yes, null: nothing}\n"
        "huge: 99999999999999999999999999\n"), encoding="utf-8")

    def load() -> dict[str, tuple[object, dict, dict, int]]:
        parses = ParseCache(Cache.open(root))
        loaded = load_project(root, parses)
        parses.save()
        return {source.path: (source.data, source.marks.keys, source.marks.values, source.body_line)
                for source in loaded.files}

    fresh = load()
    cached = load()
    assert cached == fresh
    dates = fresh[TIER][0]["extra_dates"]  # type: ignore[index]
    assert [type(value).__name__ for value in dates] == ["date", "datetime", "datetime"]
    assert dates[2].utcoffset().total_seconds() == 8 * 3600
    stored = ParseCache(Cache.open(root))  # what the second load was served from
    assert len(stored.entries) == len(fresh) - 1  # all but the file with a number msgpack cannot hold
    assert all(stored.get(key) is not None for key in list(stored.entries))


class MemoryStore:
    """A ByteStore in memory: the records one run leaves for the next."""

    def __init__(self) -> None:
        self.records: dict[str, bytes] = {}

    def read_bytes(self, name: str) -> bytes | None:
        return self.records.get(name)

    def write_bytes(self, name: str, body: bytes) -> None:
        self.records[name] = body


def test_kept_word_breaks_can_only_move_word_breaks() -> None:
    from qunsop.segment import WORD_BREAKS, keep_breaks, kept_breaks

    store = MemoryStore()
    keep_breaks(store, "dictionary-1", {}, {"商品质量": "商品\u200b质量", "发红包": "发\u200b红包"})
    assert kept_breaks(store, "dictionary-1") == {"商品质量": "商品\u200b质量", "发红包": "发\u200b红包"}
    assert kept_breaks(store, "dictionary-2") == {}  # another user dictionary: cut again
    record = json.loads(store.records[WORD_BREAKS])
    record["runs"]["发红包"] = "发\u200b<script>"  # other text than the run's
    record["runs"]["商品质量"] = ["商品", "质量"]
    store.records[WORD_BREAKS] = json.dumps(record).encode()
    assert kept_breaks(store, "dictionary-1") == {}
    for damaged in (b"", b"[]", b"\x80garbage", b'{"key": "dictionary-1", "runs": 7}'):
        store.records[WORD_BREAKS] = damaged
        assert kept_breaks(store, "dictionary-1") == {}


def test_kept_festival_years_are_the_computed_ones_and_damage_is_ignored() -> None:
    from qunsop import festivals
    from qunsop.cache import read_record

    def kept(body: bytes, key: str = "k") -> dict:
        store = MemoryStore()
        store.records[festivals.MARKS_RECORD] = body
        return festivals.read_years(read_record(store, festivals.MARKS_RECORD), key)

    years = {year: festivals.computed_marks(year) for year in (2026, 2027)}
    body = json.dumps(festivals.years_record(years, "k"), ensure_ascii=False).encode()
    assert kept(body) == years
    assert kept(body, "other versions") == {}
    record = json.loads(body)
    for damage in ([["2026-02-17", "春节", "", False]], [["2026-02-17", ["春节"], "", "yes"]],
                   [["2027-02-06", ["春节"], "", False]], [["not a day", [], "", False]], [[1, 2]]):
        assert kept(json.dumps({**record, "years": {"2026": damage}}).encode()) == {}
    assert kept(b"\x80") == {} and kept(b"[]") == {} and kept(b'{"\\u0000date": 5}') == {}
