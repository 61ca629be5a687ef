"""Every `qunsop new KIND` output validates wherever it is made: in the shipped example, in a
fresh `qunsop init` project, and in a project with its own placeholders and no escalations."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import copy_example, run_qunsop
from qunsop.kinds import SCAFFOLD_KINDS

OWN_PLACEHOLDERS = """\
placeholders:
  - name: 伙伴名称
    description: 渠道伙伴的公司名
    example: 东城收银科技
  - name: 客服电话
    description: 伙伴的售后电话
    example: 400 000 0000
"""


def example(tmp_path: Path) -> tuple[Path, str]:
    return copy_example(tmp_path / "example"), "truck-tyres"


def fresh(tmp_path: Path) -> tuple[Path, str]:
    target = tmp_path / "fresh"
    assert run_qunsop("init", str(target)).exit_code == 0
    return target, "my-playbook"


def own_words(tmp_path: Path) -> tuple[Path, str]:
    """A channel-partner business: its own placeholders, no escalation plans."""
    target = tmp_path / "partners"
    assert run_qunsop("init", str(target), "--playbook", "partners").exit_code == 0
    (target / "content_library/placeholders.yaml").write_text(OWN_PLACEHOLDERS, encoding="utf-8")
    post = target / "content_library/posts/needed/welcome-tips.md"
    text = post.read_text(encoding="utf-8")
    for name in ("门店名", "店主称呼", "门店电话", "门店地址"):
        text = text.replace("{" + name + "}", "{伙伴名称}")
    post.write_text(text, encoding="utf-8")
    assert not list(target.glob("playbooks/*/escalations/*.yaml"))
    return target, "partners"


@pytest.mark.parametrize("make", [example, fresh, own_words], ids=["example", "fresh", "own-words"])
def test_every_scaffold_validates(tmp_path: Path, make) -> None:  # type: ignore[no-untyped-def]
    root, playbook = make(tmp_path)
    before = run_qunsop("validate", str(root), "--format", "json")
    assert before.exit_code == 0, before.output
    if not list(root.glob("playbooks/*/escalations/*.yaml")):
        # an incident is handled by a plan: with none yet, `new` says how to make one first
        refused = run_qunsop("new", "incident", "new-incident", str(root), "--playbook", playbook)
        assert refused.exit_code == 2 and f"qunsop new escalation 预案id --playbook {playbook}" in refused.output
        assert not list(root.glob("playbooks/*/incidents/new-incident.yaml"))
    for kind in SCAFFOLD_KINDS:
        created = run_qunsop("new", kind, f"new-{kind}", str(root),
                             *(["--playbook", playbook] if kind != "playbook" else []))
        assert created.exit_code == 0, (kind, created.output)
    run = run_qunsop("validate", str(root), "--format", "json")
    errors = [p for p in run.problems() if p["severity"] == "error"]
    assert errors == [] and run.exit_code == 0, errors
    post = (root / "content_library/posts/needed/new-post.md").read_text(encoding="utf-8")
    if make is own_words:
        assert "{伙伴名称}" in post and "门店" not in post.split("---")[-1]


def test_new_post_without_placeholders_names_none(tmp_path: Path) -> None:
    root, _playbook = fresh(tmp_path)
    (root / "content_library/placeholders.yaml").write_text("placeholders: []\n", encoding="utf-8")
    post = root / "content_library/posts/needed/welcome-tips.md"
    _empty, front, _body = post.read_text(encoding="utf-8").split("---\n", 2)
    post.write_text(f"---\n{front}---\n欢迎进群！\n", encoding="utf-8")
    assert run_qunsop("new", "post", "plain", str(root)).exit_code == 0
    run = run_qunsop("validate", str(root), "--format", "json")
    assert [p for p in run.problems() if p["severity"] == "error"] == [], run.output
    assert "{" not in (root / "content_library/posts/needed/plain.md").read_text(encoding="utf-8").split("---")[-1]
