"""The content editor's workflow: schemas, scaffolds, stats and the PR tooling."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from conftest import MINIMAL, REPO, ScratchProject, run_qunsop
from qunsop.kinds import KINDS
from qunsop.load import discover, split_front_matter
from qunsop.scaffold import SCAFFOLD_KINDS
from qunsop.schema import schema_comment, schema_files

SCHEMAS = REPO / "schemas"


def as_json_types(value: object) -> object:
    """What an editor's YAML language server sees: dates are strings."""
    if isinstance(value, dict):
        return {key: as_json_types(item) for key, item in value.items()}
    if isinstance(value, list):
        return [as_json_types(item) for item in value]
    return value.isoformat() if isinstance(value, dt.date) else value


def source_data(root: Path, relative: str, kind: str) -> object:
    text = (root / relative).read_text(encoding="utf-8").lstrip("\ufeff")
    if KINDS[kind].markdown:
        text = split_front_matter(text)[0]
    return as_json_types(yaml.safe_load(text))


def test_committed_schemas_are_in_sync_with_the_models() -> None:
    expected = schema_files()
    committed = {path.name: path.read_text(encoding="utf-8") for path in SCHEMAS.glob("*.json")}
    assert committed == expected, "run: qunsop schema --out schemas"


def test_schema_titles_are_chinese_for_autocompletion() -> None:
    tier = json.loads((SCHEMAS / "tier.schema.json").read_text(encoding="utf-8"))
    assert tier["properties"]["posts_per_day"]["title"] == "每天推送条数"
    assert "body" not in json.loads((SCHEMAS / "post.schema.json").read_text())["properties"]


@pytest.mark.parametrize("root", [REPO, MINIMAL], ids=["example", "minimal"])
def test_schemas_accept_every_shipped_source(root: Path) -> None:
    validators: dict[str, jsonschema.protocols.Validator] = {}  # each schema checked once
    for relative, kind in discover(root):
        if relative.endswith(".csv"):
            continue  # a roster kept as a spreadsheet: rows, not a document (tests/test_roster.py)
        if kind not in validators:
            schema = json.loads((SCHEMAS / f"{kind}.schema.json").read_text(encoding="utf-8"))
            validator = jsonschema.validators.validator_for(schema)
            validator.check_schema(schema)
            validators[kind] = validator(schema)
        validators[kind].validate(source_data(root, relative, kind))


def test_schema_rejects_a_broken_source() -> None:
    schema = json.loads((SCHEMAS / "tier.schema.json").read_text(encoding="utf-8"))
    broken = source_data(MINIMAL, "playbooks/demo/tiers/c-store.yaml", "tier")
    broken = {**broken, "side": "D", "purpses": ["x"]}  # type: ignore[dict-item]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, schema)


def test_shipped_yaml_sources_point_at_their_schema() -> None:
    for relative, kind in discover(REPO):
        if not KINDS[kind].markdown and not relative.endswith(".csv"):
            first = (REPO / relative).read_text(encoding="utf-8").splitlines()[0]
            assert first + "\n" == schema_comment(kind, relative), relative


@pytest.mark.parametrize("kind", SCAFFOLD_KINDS)
def test_scaffold_validates_and_refuses_to_overwrite(scratch: ScratchProject, kind: str) -> None:
    created = run_qunsop("new", kind, f"new-{kind}", str(scratch.root),
                         *(["--playbook", "demo"] if kind != "playbook" else []))
    assert created.exit_code == 0, created.output
    run = scratch.validate()
    assert run.exit_code == 0, run.output
    assert [p for p in run.problems() if p["severity"] == "error"] == []
    again = run_qunsop("new", kind, f"new-{kind}", str(scratch.root),
                       *(["--playbook", "demo"] if kind != "playbook" else []))
    assert again.exit_code == 2 and "已经存在" in again.output


def test_scaffold_refuses_an_id_used_elsewhere(scratch: ScratchProject) -> None:
    run = run_qunsop("new", "post", "road-story", str(scratch.root))
    assert run.exit_code == 2 and "已经存在" in run.output
    assert not (scratch.root / "content_library/posts/needed/road-story.md").exists()


def test_stats_in_terminal_and_on_the_site(minimal_site: Path) -> None:
    run = run_qunsop("stats", str(MINIMAL))
    assert run.exit_code == 0, run.output
    assert "week" in run.stdout and "复用次数最多的帖子" in run.stdout
    page = (minimal_site / "library/stats/index.html").read_text(encoding="utf-8")
    assert "没有被任何排期用到的帖子" in page and "一周排期" in page


def test_pull_request_tooling_is_in_the_repo() -> None:
    workflow = yaml.safe_load((REPO / ".github/workflows/content.yml").read_text(encoding="utf-8"))
    steps = " ".join(str(step) for job in workflow["jobs"].values() for step in job["steps"])
    assert "--format github" in steps and "qunsop build" in steps and "upload-artifact" in steps
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert hooks[0]["entry"].startswith("qunsop validate")
    assert (REPO / ".github/pull_request_template.md").is_file()
    contributing = (REPO / "CONTRIBUTING.md").read_text(encoding="utf-8")
    assert "qunsop new post" in contributing and "qunsop new game" in contributing
