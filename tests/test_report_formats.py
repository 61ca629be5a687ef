"""Machine-readable validation output: the JSON shape and GitHub annotations."""

from __future__ import annotations

import re

from conftest import ScratchProject

BROKEN_TIER = "id: c-store\nname: 门店车友群\nside: X\npurposes: [维系]\naudience: 客户\n" \
              "lifecycle: persistent\nposts_per_day: 2\nowner: ownr\n"
ANNOTATION = re.compile(r"^::(error|warning) file=[^,:]+,line=\d+,col=\d+,title=[^:]*::.+$")


def test_json_output_has_the_documented_shape(scratch: ScratchProject) -> None:
    scratch.write("playbooks/demo/tiers/c-store.yaml", BROKEN_TIER)
    run = scratch.validate("json")
    assert run.exit_code == 1
    problems = run.problems()
    assert isinstance(problems, list) and len(problems) == 1  # side fails before refs are checked
    for problem in problems:
        assert set(problem) == {"file", "line", "column", "path", "code", "severity", "message"}
        assert isinstance(problem["line"], int) and problem["line"] >= 1
        assert isinstance(problem["column"], int) and problem["column"] >= 1
        assert problem["severity"] in {"error", "warning"}
        assert all(isinstance(problem[key], str) for key in ("file", "path", "code", "message"))
    assert problems[0] | {"message": ""} == {
        "file": "playbooks/demo/tiers/c-store.yaml", "line": 3, "column": 7, "path": "side",
        "code": "not-allowed", "severity": "error", "message": ""}


def test_clean_project_prints_an_empty_json_list(scratch: ScratchProject) -> None:
    run = scratch.validate("json")
    assert run.exit_code == 0 and run.problems() == []


def test_github_output_is_workflow_annotations(scratch: ScratchProject) -> None:
    scratch.write("playbooks/demo/tiers/c-store.yaml", BROKEN_TIER.replace("side: X", "side: C"))
    scratch.write("content_library/posts/liked/extra.md", "\ufeff---\nid: extra\n---\n")
    run = scratch.validate("github")
    lines = run.stdout.strip().splitlines()
    assert lines and all(ANNOTATION.match(line) for line in lines), lines
    assert any(line.startswith("::warning file=content_library/posts/liked/extra.md,line=1")
               for line in lines)
    assert any("file=playbooks/demo/tiers/c-store.yaml,line=8,col=1" in line for line in lines)


def test_usage_error_exits_2(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from conftest import run_qunsop

    run = run_qunsop("validate", str(tmp_path))
    assert run.exit_code == 2 and "不是 qunsop 项目" in run.output
    assert run_qunsop("validate", "--format", "xml", str(tmp_path)).exit_code == 2
