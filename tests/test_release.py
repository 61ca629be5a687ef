"""A release users can install and pin: the release dry run, and the workflows init writes.

The dry run is what `.github/workflows/release.yml` does before publishing and what a new
organisation's CI does after: build the sdist and the wheel, check them as PyPI will, install
the wheel from a folder into a fresh environment through the project's requirements.txt, then
validate and build the project `qunsop init` made.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import AUTHORED_EPOCH, REPO, run_qunsop
from qunsop import version
from qunsop.kinds import BUILT_IN_KINDS

PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
VERSION = PYPROJECT["project"]["version"]


def run(*args: str | Path, cwd: Path | None = None, env: dict[str, str] | None = None,
        timeout: int = 600) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([str(arg) for arg in args], cwd=cwd, capture_output=True, text=True,
                          env=env, timeout=timeout)
    assert done.returncode == 0, f"{args}\n{done.stdout}\n{done.stderr}"
    return done


@pytest.fixture(scope="module")
def new_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("init") / "进销存群SOP"
    done = run_qunsop("init", str(target), "--name", "云账本 · 渠道伙伴群SOP", "--url", "https://sop.yunzhang.cn/")
    assert done.exit_code == 0, done.output
    return target


# --- the release dry run ----------------------------------------------------------------------


@pytest.mark.slow
def test_release_dry_run_builds_checks_installs_and_builds_a_new_project(tmp_path: Path,
                                                                         new_project: Path) -> None:
    # the sources as git has them (a clean copy: setuptools' build/ would land in qunsop's own)
    listed = run("git", "ls-files", "-z", "--cached", "--others", "--exclude-standard", cwd=REPO).stdout
    source = tmp_path / "source"
    for relative in filter(None, listed.split("\0")):
        if (REPO / relative).is_file():
            (source / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / relative, source / relative)
    dist = tmp_path / "dist"
    # sdist first, then the wheel built from the unpacked sdist: the sdist holds everything
    building = run(sys.executable, "-m", "build", "--no-isolation", "--outdir", dist, source)
    # setuptools says nothing: no "Package would be ignored", no deprecated configuration
    assert "Warning" not in building.stdout + building.stderr, building.stderr
    built = sorted(path.name for path in dist.iterdir())
    assert built == [f"qunsop-{VERSION}-py3-none-any.whl", f"qunsop-{VERSION}.tar.gz"], built
    run(sys.executable, "-m", "twine", "check", "--strict", *sorted(dist.iterdir()))

    venv = tmp_path / "venv"
    run(sys.executable, "-m", "venv", "--without-pip", venv, timeout=300)
    # qunsop comes from the folder of built files, as CI gets it from the index; its dependencies
    # are borrowed from the test's own environment (a plain path: that environment's editable
    # qunsop is not picked up), which `make` installed from the same pyproject
    [site_packages] = venv.glob("lib/python*/site-packages")
    ours = next(path for path in map(Path, sys.path) if path.name == "site-packages")
    borrowed = tmp_path / "borrowed"  # everything but qunsop itself, which pip must install
    borrowed.mkdir()
    for entry in ours.iterdir():
        if not re.match(r"(__editable__\W*)?qunsop\W", entry.name):
            (borrowed / entry.name).symlink_to(entry)
    (site_packages / "borrowed-dependencies.pth").write_text(f"{borrowed}\n", encoding="utf-8")
    # pip too is borrowed (ensurepip's copy was 3.5 s of the test's 19), run by the venv's own
    # python as its `pip` command is: it installs into the venv, as CI's pip into its runner
    pip = venv / "bin" / "pip"
    pip.write_text(f"#!{venv / 'bin' / 'python'}\nimport sys\nfrom pip._internal.cli.main import main\n"
                   "sys.exit(main())\n", encoding="utf-8")
    pip.chmod(0o755)
    env = {"PATH": f"{venv / 'bin'}:/usr/bin:/bin", "HOME": str(tmp_path), "QUNSOP_CACHE_DIR": "off",
           "PYTHONPATH": "", "PYTHONSAFEPATH": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1",
           "SOURCE_DATE_EPOCH": AUTHORED_EPOCH}
    # the step of the workflow init wrote, with the folder standing in for the index
    workflow = yaml.safe_load((new_project / ".github/workflows/content.yml").read_text(encoding="utf-8"))
    steps = workflow["jobs"]["validate-and-build"]["steps"]
    install = next(step["run"] for step in steps if "pip install" in step.get("run", ""))
    assert install == "pip install -r requirements.txt"
    run("pip", *install.split()[1:], "--no-index", "--find-links", dist, cwd=new_project, env=env,
        timeout=900)
    shown = run("pip", "show", "qunsop", cwd=new_project, env=env).stdout
    assert f"Version: {VERSION}" in shown and str(venv) in shown, shown  # the wheel, not the checkout
    for step in steps:
        if str(step.get("run", "")).startswith("qunsop "):
            run(*step["run"].split(), cwd=new_project, env=env)
    assert list((new_project / "site/packs/c-members-daily").glob("20*/pack.txt"))
    calendar = next((new_project / "playbooks").glob("*/calendars/*.yaml")).read_text(encoding="utf-8")
    assert "start: 2026-11-23" in calendar  # the new project's calendar starts on the clock's today
    workers = list((new_project / "site/assets/javascripts/workers").glob("search.*.js"))
    assert any(b"qunsop's search worker" in worker.read_bytes() for worker in workers)

    # the shipped example travels inside the wheel
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    run("qunsop", "init", "example", "--example", cwd=outside, env=env)
    # its weekly review reads data/ only (test_review_site builds it): half the build, left out
    run("qunsop", "build", "example", "--no-review", cwd=outside, env=env)
    assert (outside / "example/site/packs/c-store-daily/2026-12-07/pack.txt").is_file()
    shipped = sorted(name for name in listed.split("\0") if name.startswith("data/"))
    assert sorted(path.relative_to(outside / "example").as_posix()
                  for path in (outside / "example/data").rglob("*") if path.is_file()) == shipped


# --- what init writes -------------------------------------------------------------------------


def test_init_pins_the_qunsop_that_wrote_it(new_project: Path) -> None:
    assert version() == VERSION  # the installed metadata is the pyproject's
    pins = [line for line in (new_project / "requirements.txt").read_text(encoding="utf-8").splitlines()
            if line and not line.startswith("#")]
    assert pins == [f"qunsop=={VERSION}"]
    assert run_qunsop("--version").stdout.strip().endswith(VERSION)


def test_the_changelog_and_the_release_workflow_name_this_version() -> None:
    changelog = (REPO / "CHANGELOG.md").read_text(encoding="utf-8")
    assert re.search(rf"^## {re.escape(VERSION)} ", changelog, re.M), "add a CHANGELOG.md entry"
    release = workflow(REPO / ".github/workflows/release.yml")
    assert release["on"] == {"push": {"tags": ["v*"]}}
    publish = release["jobs"]["publish"]
    assert publish["permissions"] == {"id-token": "write"}  # trusted publishing, no token
    assert any(step.get("uses", "").startswith("pypa/gh-action-pypi-publish@") for step in publish["steps"])
    assert "password" not in str(publish)
    build_steps = " ".join(str(step.get("run", "")) for step in release["jobs"]["build"]["steps"])
    for command in ("GITHUB_REF_NAME", "CHANGELOG.md", "tests/test_release.py", "python -m build",
                    "twine check --strict"):
        assert command in build_steps, command


def test_the_content_workflow_installs_from_requirements_daily_with_history_and_a_timeout(
        new_project: Path) -> None:
    flow = workflow(new_project / ".github/workflows/content.yml")
    assert set(flow["on"]) == {"pull_request", "push", "schedule", "workflow_dispatch"}
    [cron] = [entry["cron"] for entry in flow["on"]["schedule"]]
    minute, hour, day, month, weekday = cron.split()
    assert (day, month, weekday) == ("*", "*", "*") and minute.isdigit() and hour.isdigit()  # daily
    [job] = flow["jobs"].values()
    assert 0 < job["timeout-minutes"] <= 30
    checkout = next(step for step in job["steps"] if step.get("uses", "").startswith("actions/checkout@"))
    assert checkout["with"]["fetch-depth"] == 0
    python = next(step for step in job["steps"] if step.get("uses", "").startswith("actions/setup-python@"))
    assert python["with"]["cache"] == "pip"
    assert python["with"]["cache-dependency-path"] == "requirements.txt"
    assert (new_project / python["with"]["cache-dependency-path"]).is_file()
    assert [step["run"] for step in job["steps"] if "pip" in step.get("run", "")] == [
        "pip install -r requirements.txt"]


@pytest.mark.parametrize("path", [".github/workflows/content.yml", ".github/workflows/release.yml",
                                  "site_templates/init/content.yml"])
def test_workflows_are_well_formed(path: str) -> None:
    """actionlint when it is installed; without it, the structure actionlint checks first."""
    if shutil.which("actionlint"):
        done = subprocess.run(["actionlint", str(REPO / path)], capture_output=True, text=True)
        assert done.returncode == 0, done.stdout
    flow = workflow(REPO / path)
    assert set(flow) <= {"name", "on", "permissions", "concurrency", "env", "jobs"}, set(flow)
    assert flow["on"] and flow["jobs"]
    for name, job in flow["jobs"].items():
        assert re.fullmatch(r"[a-z][a-z0-9-]*", name)
        assert set(job) <= {"runs-on", "timeout-minutes", "steps", "needs", "permissions",
                            "environment", "if", "env"}, set(job)
        assert job["runs-on"] == "ubuntu-latest" and isinstance(job["timeout-minutes"], int)
        for need in [job["needs"]] if isinstance(job.get("needs"), str) else job.get("needs", []):
            assert need in flow["jobs"]
        for step in job["steps"]:
            assert set(step) <= {"name", "uses", "run", "with", "env", "if", "id"}, step
            assert ("uses" in step) != ("run" in step), step
            if "uses" in step:
                assert re.fullmatch(r"[\w.-]+/[\w.-]+@[\w./-]+", step["uses"]), step["uses"]
    text = (REPO / path).read_text(encoding="utf-8")
    assert "\t" not in text
    for expression in re.findall(r"\$\{\{(.*?)\}\}", text):
        assert expression.strip() and "{{" not in expression  # no unclosed or Jinja-mangled ones


def test_pre_commit_runs_on_every_file_qunsop_reads(new_project: Path) -> None:
    read = {"mkdocs.yml", "qunsop.yaml", "content_library/banned_words.txt", "content_library/assets/a.png"}
    read |= {kind.pattern.replace("**/", "x/").replace("*", "x") for kind in BUILT_IN_KINDS}
    for config in (new_project / ".pre-commit-config.yaml", REPO / ".pre-commit-config.yaml"):
        [hook] = yaml.safe_load(config.read_text(encoding="utf-8"))["repos"][0]["hooks"]
        for relative in sorted(read):
            assert re.search(hook["files"], relative), (config, relative)
        assert not re.search(hook["files"], "README.md")
    [shared] = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert shared["files"] == hook["files"]


def test_the_new_projects_contributing_matches_what_init_wrote(new_project: Path) -> None:
    text = (new_project / "CONTRIBUTING.md").read_text(encoding="utf-8")
    setup = text[text.index("## 准备"):text.index("## 五条 YAML 基本功")]
    assert "make" not in setup and not (new_project / "Makefile").exists()
    assert "pip install -r requirements.txt" in setup and VERSION in setup
    for named in re.findall(r"`((?:playbooks|content_library)/[^`]*)`", text[:text.index("## 五条")]):
        assert (new_project / named).exists(), named
    # the rest is the repository's guide for editors
    guide = (REPO / "CONTRIBUTING.md").read_text(encoding="utf-8")
    assert text[text.index("## 五条 YAML 基本功"):] == guide[guide.index("## 五条 YAML 基本功"):]


def workflow(path: Path) -> dict[str, Any]:
    data: dict[Any, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads the key `on` as true
    return data

