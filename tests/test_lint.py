"""Content lint: each rule fires on a crafted input and stays silent on clean content."""

from __future__ import annotations

import pytest

from conftest import ScratchProject, run_qunsop

POST = "content_library/posts/liked/road-story.md"
FRONT = "---\nid: road-story\ntitle: 故事\ncategory: liked\ntags: [故事]\ntiers: [c-store]\n{extra}---\n{body}\n"


def post(body: str, extra: str = "") -> str:
    return FRONT.format(extra=extra, body=body)


def codes(scratch: ScratchProject) -> dict[str, dict]:
    return {p["code"]: p for p in scratch.validate().problems()}


@pytest.mark.parametrize(("body", "extra", "rule", "severity", "line"), [
    ("我们的轮胎全国第一，质量最好！", "", "banned-word", "warning", 8),
    ("第一行\n<script>alert(1)</script>", "", "raw-html", "error", 9),
    ("点这里 <a href=x onclick=steal()>领券</a>", "", "raw-html", "error", 8),
    ("领券：javascript:alert(1)", "", "bad-link", "error", 8),
    ("下载：ftp://files.example/app", "", "bad-link", "error", 8),
    ("好" * 900, "", "post-too-long", "warning", 8),
    ("今天的故事。", "valid_until: 2026-11-30\n", "expiring-soon", "warning", 7),
    ("十张图。", "media:\n" + "  - {path: pressure.png, alt: 图}\n" * 10, "too-many-images", "error", 7),
])
def test_rule_fires(scratch: ScratchProject, monkeypatch: pytest.MonkeyPatch, body: str,
                    extra: str, rule: str, severity: str, line: int) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795392000")  # 2026-11-23
    scratch.write(POST, post(body, extra))
    found = codes(scratch)
    assert rule in found, found
    assert found[rule]["severity"] == severity
    assert found[rule]["file"] == POST and found[rule]["line"] == line


def test_big_image_and_cadence(scratch: ScratchProject) -> None:
    (scratch.root / "content_library/assets/pressure.png").write_bytes(b"\x89PNG" + b"0" * 1_200_000)
    (scratch.root / "qunsop.yaml").unlink()
    found = codes(scratch)
    assert found["image-too-large"]["path"] == "media[0].path"
    assert found["below-cadence"]["file"].startswith("playbooks/demo/calendars/")


def test_severity_is_configurable_in_one_place(scratch: ScratchProject) -> None:
    scratch.write(POST, post("<b>粗体</b>"))
    assert scratch.validate().exit_code == 1
    scratch.write("qunsop.yaml", "lint:\n  severity:\n    raw-html: warning\n    below-cadence: off\n")
    run = scratch.validate()
    assert run.exit_code == 0 and codes(scratch)["raw-html"]["severity"] == "warning"
    scratch.write("qunsop.yaml", "lint:\n  severity:\n    raw-html: off\n    below-cadence: off\n")
    assert "raw-html" not in codes(scratch)


def test_banned_words_list_is_editable(scratch: ScratchProject) -> None:
    scratch.write(POST, post("本店独家秘方。"))
    assert "banned-word" not in codes(scratch)
    scratch.write("content_library/banned_words.txt", "# 自定义\n独家\n")
    assert codes(scratch)["banned-word"]["message"].startswith("含广告法禁用词“独家”")


def test_clean_fixture_has_no_lint_problems(scratch: ScratchProject) -> None:
    assert scratch.validate().problems() == []


def test_a_content_rule_error_stops_the_build(scratch: ScratchProject) -> None:
    """Content rules run beside rendering; an error among them still publishes nothing."""
    assert run_qunsop("build", str(scratch.root)).exit_code == 0
    site = scratch.root / "site"
    before = {p: p.read_bytes() for p in site.rglob("*") if p.is_file()}
    scratch.write(POST, post("<b>粗体</b>"))
    run = run_qunsop("build", str(scratch.root))
    assert run.exit_code == 1, run.output
    assert "raw-html" in run.output and POST in run.output and "Traceback" not in run.output
    assert {p: p.read_bytes() for p in site.rglob("*") if p.is_file()} == before
    # with an error the checks find first, the build stops there and still lists the rules'
    tier = scratch.root / "playbooks/demo/tiers/c-store.yaml"
    tier.write_text(tier.read_text(encoding="utf-8").replace("side: C", "side: Q"), encoding="utf-8")
    run = run_qunsop("build", str(scratch.root))
    assert run.exit_code == 1 and "c-store.yaml" in run.output and "raw-html" in run.output, run.output


PLAN = "playbooks/demo/escalations/complaint.yaml"


@pytest.mark.parametrize(("body", "action"), [
    ("发现广告先删掉，再提醒大家别点。", "在群里公开回应并转私聊"),
    ("大家放心。", "撤回投诉人的消息，再转私聊"),
])
def test_deleting_others_messages_is_flagged(scratch: ScratchProject, body: str, action: str) -> None:
    """In an ordinary WeChat group only the sender recalls, within 2 minutes: a post or plan
    telling the owner to delete someone's message is advice nobody can follow."""
    scratch.write(POST, post(body))
    plan = scratch.root / PLAN
    plan.write_text(plan.read_text(encoding="utf-8").replace("在群里公开回应并转私聊", action),
                    encoding="utf-8")
    found = [p for p in scratch.validate().problems() if p["code"] == "delete-others-message"]
    assert len(found) == 1, found
    where = (POST, 8, "body") if "删" in body else (PLAN, 10, "steps[0].action")
    assert (found[0]["file"], found[0]["line"], found[0]["path"]) == where
    assert found[0]["severity"] == "warning" and "移出群" in found[0]["message"]


def test_actions_people_have_are_not_flagged(scratch: ScratchProject) -> None:
    scratch.write(POST, post("把发广告的人移出群，再提醒大家别点。\n发错了 2 分钟内自己长按撤回。\n"
                             "没准备礼品的店，把送礼品那一行删掉再发。\n请发的人自己撤回。\n"
                             "不删除原始聊天记录。\n店里没货的款先删掉再发。\n企业微信客户群可以设防骚扰规则，自动删消息。"))
    assert "delete-others-message" not in codes(scratch)
    scratch.write(POST, post("发现广告先删掉。"))
    scratch.write("qunsop.yaml", "lint:\n  severity:\n    below-cadence: off\n"
                                 "    delete-others-message: off\n")
    assert "delete-others-message" not in codes(scratch)


def test_findings_follow_every_edit_when_kept_between_runs(scratch: ScratchProject, tmp_path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """The findings of rules that read one file alone are kept per file: an edited file is
    checked again, an unchanged one keeps its findings, and a damaged record is ignored."""
    monkeypatch.setenv("QUNSOP_CACHE_DIR", str(tmp_path / "cache"))
    other = "content_library/posts/needed/tyre-pressure.md"
    scratch.write(POST, post("全国第一的服务。"))
    scratch.write(other, (scratch.root / other).read_text(encoding="utf-8") + "\n<b>粗体</b>\n")

    def found() -> set[tuple[str, str]]:
        return {(p["file"], p["code"]) for p in scratch.validate().problems()}

    assert {(POST, "banned-word"), (other, "raw-html")} <= found()
    scratch.write(POST, post("踏实的服务，点这里 javascript:alert(1)"))
    assert (POST, "banned-word") not in found() and {(POST, "bad-link"), (other, "raw-html")} <= found()
    [record] = (tmp_path / "cache").glob("*/lint-sources.json")
    for planted in (b"", b"[]", b"{\"shared\": 1}", record.read_bytes()[:40],
                    record.read_bytes().replace(b"raw-html", b"raw-html\", \"line\": \"x")):
        record.write_bytes(planted)
        scratch.write(POST, post(f"踏实的服务 {len(planted)}，点这里 javascript:alert(1)"))
        assert {(POST, "bad-link"), (other, "raw-html")} <= found(), planted
