"""Several playbooks in one project: --playbook on every command, shared library, unique ids,
and every scaffold valid next to two playbooks."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from conftest import MINIMAL, run_qunsop
from qunsop.scaffold import SCAFFOLD_KINDS

# the second playbook is the first one copied under other ids, with its own tiers and calendars
RENAMED = {"demo": "second", "c-store": "c-club", "b-main": "b-hub", "week": "week-two",
           "launch": "launch-two", "pk": "pk-two", "basics": "basics-two",
           "complaint": "complaint-two", "old-complaint": "old-complaint-two",
           "checkin": "checkin-two"}
# an id as a value (not a field name such as `week:`, not `kind: checkin`)
ID_WORD = re.compile(r"(?<![\w-])(?<!kind: )(" + "|".join(
    sorted(map(re.escape, RENAMED), key=len, reverse=True)) + r")(?![\w:-])")


def two_playbooks(target: Path) -> Path:
    """The minimal project plus a second playbook; the shared library serves both."""
    shutil.copytree(MINIMAL, target)
    for path in sorted((target / "playbooks/demo").rglob("*.yaml")):
        relative = path.relative_to(target / "playbooks/demo")
        name = path.name if path.name == "playbook.yaml" else RENAMED[path.stem] + path.suffix
        copy = target / "playbooks/second" / relative.parent / name
        copy.parent.mkdir(parents=True, exist_ok=True)
        copy.write_text(ID_WORD.sub(lambda match: RENAMED[match.group(1)],
                                    path.read_text(encoding="utf-8")), encoding="utf-8")
    for path in (target / "content_library").rglob("*.md"):
        text = path.read_text(encoding="utf-8").replace("tiers: [c-store]", "tiers: [c-store, c-club]")
        path.write_text(text, encoding="utf-8")
    return target


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return two_playbooks(tmp_path_factory.mktemp("two") / "project")


@pytest.fixture
def fresh(tmp_path: Path) -> Path:
    return two_playbooks(tmp_path / "project")


def problems(root: Path, *args: str) -> list[dict]:
    run = run_qunsop("validate", str(root), "--format", "json", *args)
    assert "Traceback" not in run.output
    return json.loads(run.stdout)


def test_two_playbooks_validate_clean_together_and_one_at_a_time(project: Path) -> None:
    assert problems(project) == []
    assert problems(project, "--playbook", "second") == []
    assert problems(project, "--playbook", "demo") == []


def test_playbook_option_checks_one_playbook_and_the_shared_library(fresh: Path) -> None:
    (fresh / "playbooks/demo/tiers/b-main.yaml").write_text("id: b-main\nname: x\n", encoding="utf-8")
    (fresh / "content_library/posts/needed/tyre-pressure.md").write_text(
        (fresh / "content_library/posts/needed/tyre-pressure.md").read_text(encoding="utf-8")
        .replace("category: needed", "category: neded"), encoding="utf-8")
    files = {p["file"] for p in problems(fresh, "--playbook", "second")}
    assert files == {"content_library/posts/needed/tyre-pressure.md"}  # the library is shared
    files = {p["file"] for p in problems(fresh, "--playbook", "demo")}
    assert "playbooks/demo/tiers/b-main.yaml" in files


def test_unknown_playbook_is_a_usage_error_naming_the_playbooks(project: Path) -> None:
    run = run_qunsop("validate", str(project), "--playbook", "secnd")
    assert run.exit_code == 2
    assert "找不到方案 `secnd`" in run.output and "second" in run.output and "demo" in run.output


def test_build_gives_each_playbook_its_section_and_packs(project: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    run = run_qunsop("build", str(project), "--site-dir", str(site))
    assert run.exit_code == 0, run.output
    assert (site / "demo/index.html").is_file() and (site / "second/index.html").is_file()
    for calendar in ("week", "launch", "week-two", "launch-two"):
        assert (site / "packs" / calendar / "index.html").is_file(), calendar
    day = json.loads((site / "packs/week-two/2026-12-01/pack.json").read_text(encoding="utf-8"))
    assert day["calendar"]["id"] == "week-two"
    # the shared library's posts are used by both playbooks' calendars
    texts = (site / "packs/week/2026-12-07/pack.txt").read_text(encoding="utf-8")
    assert "胎压" in texts
    assert "胎压" in (site / "packs/week-two/2026-12-07/pack.txt").read_text(encoding="utf-8")


def test_build_with_playbook_option_builds_that_playbook_only(project: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    run = run_qunsop("build", str(project), "--playbook", "second", "--site-dir", str(site))
    assert run.exit_code == 0, run.output
    assert (site / "second/index.html").is_file()
    assert not (site / "demo").exists()
    assert sorted(p.name for p in (site / "packs").iterdir() if p.is_dir()) == ["launch-two", "week-two"]


def test_stats_per_playbook(project: Path) -> None:
    both = run_qunsop("stats", str(project), env={"COLUMNS": "80"})
    assert both.exit_code == 0, both.output
    assert "方案 demo" in both.stdout and "方案 second" in both.stdout
    demo, second = both.stdout.split("方案 second")
    assert "week " in demo and "week-two" not in demo
    assert "week-two" in second and "launch-two" in second
    one = run_qunsop("stats", str(project), "--playbook", "second", env={"COLUMNS": "80"})
    assert one.exit_code == 0, one.output
    assert "方案 second" in one.stdout and "方案 demo" not in one.stdout


def test_pack_prints_a_day_of_either_playbook(project: Path) -> None:
    for calendar in ("week", "week-two"):
        run = run_qunsop("pack", calendar, str(project), "--date", "2026-12-07")
        assert run.exit_code == 0, run.output
        assert "胎压" in run.stdout
    run = run_qunsop("pack", "launch-two", str(project), "--day", "1")
    assert run.exit_code == 0 and "打卡" in run.stdout


def test_pack_takes_playbook_like_every_command(project: Path) -> None:
    run = run_qunsop("pack", "week-two", str(project), "--date", "2026-12-07", "--playbook", "second")
    assert run.exit_code == 0, run.output
    assert "胎压" in run.stdout
    other = run_qunsop("pack", "week", str(project), "--date", "2026-12-07", "--playbook", "second")
    assert other.exit_code == 2
    assert "找不到排期 `week`（方案 second 里）" in other.output and "Traceback" not in other.output


def test_new_post_needs_no_playbook_even_with_two(fresh: Path) -> None:
    run = run_qunsop("new", "post", "winter-wiper-tips", str(fresh))  # the CONTRIBUTING command
    assert run.exit_code == 0, run.output
    created = fresh / "content_library/posts/needed/winter-wiper-tips.md"
    assert created.is_file()
    assert "tiers: [c-club]" in created.read_text(encoding="utf-8")  # a consumer (C) tier
    for kind in ("game", "reply"):
        assert run_qunsop("new", kind, f"new-{kind}", str(fresh)).exit_code == 0
    assert [p for p in problems(fresh) if p["severity"] == "error"] == []


def test_new_tier_asks_which_playbook_in_chinese(fresh: Path) -> None:
    run = run_qunsop("new", "tier", "c-vip", str(fresh))
    assert run.exit_code == 2
    assert "--playbook" in run.output and "demo" in run.output and "second" in run.output
    assert "群层级属于某一个方案" in run.output and "qunsop new tier c-vip --playbook demo" in run.output
    assert "Usage" not in run.output and "Error" not in run.output
    assert not list(fresh.glob("playbooks/*/tiers/c-vip.yaml"))


def test_duplicate_id_across_playbooks_names_both_files(fresh: Path) -> None:
    # same id as the first playbook's tier; "playbooks/demo/..." sorts before "playbooks/second/..."
    tier = (fresh / "playbooks/second/tiers/c-club.yaml").read_text(encoding="utf-8")
    (fresh / "playbooks/second/tiers/c-store.yaml").write_text(
        tier.replace("id: c-club", "id: c-store"), encoding="utf-8")
    found = [p for p in problems(fresh) if p["code"] == "duplicate-id"]
    by_file = {p["file"]: p for p in found}
    assert set(by_file) == {"playbooks/demo/tiers/c-store.yaml", "playbooks/second/tiers/c-store.yaml"}
    new, old = by_file["playbooks/second/tiers/c-store.yaml"], by_file["playbooks/demo/tiers/c-store.yaml"]
    # the later path counts as the new file: the error is there and names the old file and line
    assert new["severity"] == "error" and new["line"] == 1 and new["path"] == "id"
    assert "playbooks/demo/tiers/c-store.yaml 第 1 行" in new["message"]
    assert "不同方案之间" in new["message"]
    assert old["severity"] == "warning"
    assert "playbooks/second/tiers/c-store.yaml 第 1 行" in old["message"]


def test_scaffold_refuses_an_id_used_in_the_other_playbook(fresh: Path) -> None:
    run = run_qunsop("new", "tier", "c-club", str(fresh), "--playbook", "demo")
    assert run.exit_code == 2 and "已经存在" in run.output


OWNED = {kind for kind in SCAFFOLD_KINDS if kind not in ("playbook", "post", "game", "reply")}


@pytest.mark.parametrize("kind", SCAFFOLD_KINDS)
def test_every_scaffold_validates_next_to_two_playbooks(fresh: Path, kind: str) -> None:
    extra = ["--playbook", "second"] if kind in OWNED else []
    run = run_qunsop("new", kind, f"new-{kind}", str(fresh), *extra)
    assert run.exit_code == 0, run.output
    found = problems(fresh)
    assert [p for p in found if p["severity"] == "error"] == [], found
    if kind in OWNED:
        assert list(fresh.glob(f"playbooks/second/*/new-{kind}.yaml")), kind


def test_scaffold_options_category_relative_and_c_side_defaults(fresh: Path) -> None:
    run = run_qunsop("new", "post", "road-tips", str(fresh), "--category", "liked")
    assert run.exit_code == 0, run.output
    post = (fresh / "content_library/posts/liked/road-tips.md").read_text(encoding="utf-8")
    assert re.search(r"^category: liked\b", post, re.M)
    run = run_qunsop("new", "calendar", "club-launch", str(fresh), "--relative", "--playbook", "second")
    assert run.exit_code == 0, run.output
    calendar = (fresh / "playbooks/second/calendars/club-launch.yaml").read_text(encoding="utf-8")
    assert "days:" in calendar and "- day: 1" in calendar and "start:" not in calendar
    assert "tiers: [c-club]" in calendar  # the playbook's consumer tier, not b-hub
    run = run_qunsop("new", "tier", "c-vip", str(fresh), "--playbook", "second")
    assert run.exit_code == 0, run.output
    tier = (fresh / "playbooks/second/tiers/c-vip.yaml").read_text(encoding="utf-8")
    assert re.search(r"^side: C\b", tier, re.M)
    assert re.search(r"^owner: owner\b", tier, re.M)  # who owns the playbook's other C tier
    found = problems(fresh, "--playbook", "second")
    assert [p for p in found if p["severity"] == "error"] == [], found
