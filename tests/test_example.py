"""The shipped example playbook: complete, valid, and not allowed to shrink silently."""

from __future__ import annotations

from collections import Counter

import pytest

from conftest import AUTHORED_CLOCK, REPO, run_qunsop
from qunsop.models import Campaign, Curriculum, Escalation, Game, Post, Reply, Tier
from qunsop.pipeline import CheckedProject, CheckOptions, check_project


@pytest.fixture(scope="module")
def example() -> CheckedProject:
    return check_project(REPO, CheckOptions(AUTHORED_CLOCK))


AUTHORED = {"SOURCE_DATE_EPOCH": "1795392000"}  # 2026-11-23: "expiring soon" is judged on this day


def test_example_validates_with_only_the_placeholder_address_warning() -> None:
    run = run_qunsop("validate", str(REPO), "--format", "json", env=AUTHORED)
    assert run.exit_code == 0, run.output
    assert [(p["file"], p["code"]) for p in run.problems()] == [("mkdocs.yml", "placeholder-url")]


def test_example_has_every_kind_in_the_promised_numbers(example: CheckedProject) -> None:
    project = example.project
    assert len(project.of(Post)) >= 60
    assert len(project.of(Game)) >= 8
    assert len(project.of(Curriculum)) >= 2
    assert len(project.of(Escalation)) >= 6
    assert len(project.of(Reply)) >= 15
    assert len(project.of(Campaign)) >= 2
    sides = Counter(tier.side for tier in project.of(Tier).models())
    assert sides["B"] >= 4 and sides["C"] >= 3


def test_example_tiers_are_linked_by_flows_to(example: CheckedProject) -> None:
    tiers = {tier.id: tier for tier in example.project.of(Tier).models()}
    assert "b-main" in tiers["b-training"].flows_to
    assert any("b-main" in tier.flows_to or "b-training" in tier.flows_to
               for tier in tiers.values() if tier.lifecycle == "campaign")


def test_example_calendars_show_three_cadences(example: CheckedProject) -> None:
    schedules = list(example.schedules.values())
    dated_five_weeks = [s for s in schedules if s.calendar.is_dated and len(s.days) >= 35]
    relative_two_weeks = [s for s in schedules if not s.calendar.is_dated and len(s.days) >= 14]
    high_frequency = [s for s in schedules
                      if max(len(day.slots) for day in s.days) >= 5]
    assert dated_five_weeks and relative_two_weeks and high_frequency
    for schedule in dated_five_weeks:
        if schedule.calendar.tiers == ["c-supplies"]:
            continue  # the supplies group sells: tips, products and deals, no news
        categories = Counter(slot.category for day in schedule.days for slot in day.slots)
        assert {"liked", "concerned", "needed"} <= set(categories)
        assert categories["game"] >= 4  # a weekly game


def test_example_games_cover_the_practice(example: CheckedProject) -> None:
    kinds = Counter(game.kind for game in example.project.of(Game).models())
    assert kinds["icebreaker"] >= 2 and kinds["retention"] >= 2 and kinds["festival"] >= 1


def test_example_posts_are_original_and_distinct(example: CheckedProject) -> None:
    bodies = [post.body for post in example.project.of(Post).models()]
    assert len(set(bodies)) == len(bodies), "two posts have the same text"
    for body in bodies:
        assert len(body) >= 30
        assert "lorem" not in body.lower() and "占位" not in body and "TODO" not in body
