"""One namespace of ids across every kind: validate and `new` agree, and a clash is blamed on
the copy (the file whose name is not its id, else the newer file), with a hint that is free."""

from __future__ import annotations

import os
import re
import subprocess

from conftest import ScratchProject, run_qunsop

STORY = "content_library/posts/liked/road-story.md"


def clashes(project: ScratchProject) -> dict[str, dict]:
    run = project.validate()
    assert run.exit_code == 1, run.output
    return {p["file"]: p for p in run.problems() if p["code"] in ("duplicate-id", "id-filename")}


def suggested(message: str) -> str:
    [new_id] = re.findall(r"请把 id 改成 `([^`]+)`", message)
    return new_id


def test_a_copied_post_is_blamed_and_told_to_take_its_own_file_name(scratch: ScratchProject) -> None:
    # the copy sorts before the original and is older on disk: only its name gives it away
    copy = scratch.root / "content_library/posts/liked/a-road-story-copy.md"
    copy.write_text((scratch.root / STORY).read_text(encoding="utf-8"), encoding="utf-8")
    os.utime(copy, (1, 1))
    found = clashes(scratch)
    assert set(found) == {STORY, "content_library/posts/liked/a-road-story-copy.md"}
    blamed, original = found["content_library/posts/liked/a-road-story-copy.md"], found[STORY]
    assert blamed["severity"] == "error" and blamed["code"] == "duplicate-id" and blamed["path"] == "id"
    assert f"{STORY} 第 2 行已经用过" in blamed["message"] and "复制来的" in blamed["message"]
    assert suggested(blamed["message"]) == "a-road-story-copy"  # its own name, which is free
    assert "road-story.md" not in blamed["message"].split("：")[-1]  # never the original's name
    assert original["severity"] == "warning" and "a-road-story-copy.md" in original["message"]


def test_the_suggested_id_is_never_taken(scratch: ScratchProject) -> None:
    # same file name in another folder: both names match, so the later path is the copy; its
    # own name is taken, and so is road-story-2
    scratch.write("content_library/posts/needed/road-story.md",
                  (scratch.root / STORY).read_text(encoding="utf-8").replace("category: liked",
                                                                             "category: needed"))
    scratch.write("content_library/posts/liked/road-story-2.md",
                  (scratch.root / STORY).read_text(encoding="utf-8").replace("id: road-story",
                                                                             "id: road-story-2"))
    for path in scratch.root.rglob("*.md"):
        os.utime(path, (1, 1))  # no age to tell them apart
    found = clashes(scratch)
    blamed = found["content_library/posts/needed/road-story.md"]
    assert blamed["severity"] == "error" and "路径排序" in blamed["message"]
    assert suggested(blamed["message"]) == "road-story-3"
    assert "改名为 `road-story-3.md`" in blamed["message"]
    assert found[STORY]["severity"] == "warning"


def test_the_file_added_to_git_later_is_the_copy(scratch: ScratchProject) -> None:
    git = ["git", "-c", "user.name=编辑", "-c", "user.email=e@example.com"]
    subprocess.run([*git, "init", "-q"], cwd=scratch.root, check=True)
    subprocess.run([*git, "add", "."], cwd=scratch.root, check=True)
    subprocess.run([*git, "commit", "-qm", "方案"], cwd=scratch.root, check=True)
    # a second story whose file name matches its id, in a folder that sorts first; not committed
    scratch.write("content_library/posts/interaction/road-story.md",
                  (scratch.root / STORY).read_text(encoding="utf-8").replace("liked", "interaction"))
    found = clashes(scratch)
    blamed = found["content_library/posts/interaction/road-story.md"]
    assert blamed["severity"] == "error" and "还没有提交进 git" in blamed["message"]
    assert found[STORY]["severity"] == "warning"


def test_ids_are_unique_across_kinds(scratch: ScratchProject) -> None:
    # a reply named like a tier, a game named like a post: each clash is an error on the new file
    scratch.write("content_library/replies/c-store.md", """
        ---
        id: c-store
        title: 问候
        scenario: 问候
        ---
        您好
        """)
    game = scratch.root / "content_library/games/warmup.md"
    scratch.write("content_library/games/tyre-pressure.md",
                  game.read_text(encoding="utf-8").replace("id: warmup", "id: tyre-pressure"))
    found = clashes(scratch)
    reply, game_found = found["content_library/replies/c-store.md"], found["content_library/games/tyre-pressure.md"]
    assert reply["severity"] == game_found["severity"] == "error"
    assert "playbooks/demo/tiers/c-store.yaml（群层级）" in reply["message"]
    assert "不同种类" in reply["message"]
    assert found["playbooks/demo/tiers/c-store.yaml"]["severity"] == "warning"
    assert "content_library/posts/needed/tyre-pressure.md（帖子）" in game_found["message"]
    # the curriculum's `materials: [tyre-pressure, warmup]` still names the post, not the game
    run = scratch.validate()
    assert not [p for p in run.problems() if p["code"] == "unknown-ref"]


def test_new_refuses_an_id_of_another_kind_and_offers_a_free_one(scratch: ScratchProject) -> None:
    for kind, taken, owner in (("reply", "c-store", "群层级 playbooks/demo/tiers/c-store.yaml"),
                               ("game", "tyre-pressure", "帖子 content_library/posts/needed/tyre-pressure.md")):
        run = run_qunsop("new", kind, taken, str(scratch.root))
        assert run.exit_code == 2, run.output
        assert owner in run.output and "不同种类之间" in run.output
        assert f"例如 `{taken}-2`" in run.output and "Traceback" not in run.output
    assert not (scratch.root / "content_library/replies/c-store.md").exists()
    assert not (scratch.root / "content_library/games/tyre-pressure.md").exists()


def test_a_file_named_other_than_its_id_is_told_a_free_name(scratch: ScratchProject) -> None:
    # renaming the file to its id would overwrite another file: the hint renames the id instead
    scratch.write("content_library/posts/liked/pk-start.md",
                  (scratch.root / "content_library/posts/liked/pk-start.md").read_text(encoding="utf-8")
                  .replace("id: pk-start", "id: pk-begin"))
    scratch.write("content_library/posts/liked/pk-begin.md",
                  (scratch.root / STORY).read_text(encoding="utf-8").replace("id: road-story", "id: pk-other"))
    run = scratch.validate()
    named = {p["file"]: p["message"] for p in run.problems() if p["code"] == "id-filename"}
    assert "`pk-begin.md` 已经有了：请把 id 改成 `pk-start`" in named["content_library/posts/liked/pk-start.md"]
    assert "建议把文件改名为 `pk-other.md`" in named["content_library/posts/liked/pk-begin.md"]
