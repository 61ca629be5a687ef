"""The scope rules: which groups an incident or a slot's variant reaches (by tier, calendar,
roster group or group tag), and how a scoped incident is left to the pack page ("maybe")."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from qunsop.models import Calendar, Group, Incident
from qunsop.pipeline import CheckedProject
from qunsop.schedule import affects, follows, group_in_scope, scope_label
from tiny import BASE, checked, tiny_project, with_changes

PLAYBOOK = "playbooks/demo/playbook.yaml"
CALENDAR = "playbooks/demo/calendars/week.yaml"
INCIDENT = "playbooks/demo/incidents/spill.yaml"
ROSTER = "playbooks/demo/groups.yaml"
SPILL = {"id": "spill", "name": "一次投诉", "plan": "complaint", "start": dt.date(2026, 12, 2),
         "end": dt.date(2026, 12, 2)}
SPILL_DAY = dt.date(2026, 12, 2)

GROUPS = [
    {"id": "hebei-01", "name": "保定车友群", "tier": "c-store", "start": dt.date(2026, 11, 30),
     "tags": {"省份": "河北", "区域": "北方"}},
    {"id": "hebei-02", "name": "沧州车友群", "tier": "c-store", "start": dt.date(2026, 12, 1),
     "tags": {"省份": "河北", "区域": "北方"}},
    {"id": "guangdong-01", "name": "佛山车友群", "tier": "c-store", "tags": {"省份": "广东", "区域": "南方"}},
]
WITH_ROSTER = {PLAYBOOK: with_changes(BASE[PLAYBOOK], group_tags=["省份", "区域"]),
               ROSTER: {"groups": GROUPS}}


def group(number: int) -> Group:
    return Group.model_validate(GROUPS[number])


# --- group_in_scope: named groups and every tag asked for --------------------------------


@pytest.mark.parametrize(("groups", "tags", "reached"), [
    ([], {}, [True, True, True]),  # no scope: every group
    (["hebei-02"], {}, [False, True, False]),
    ([], {"省份": ["河北"]}, [True, True, False]),
    ([], {"省份": ["河北", "广东"]}, [True, True, True]),  # one of several values
    ([], {"省份": ["河北"], "区域": ["南方"]}, [False, False, False]),  # every tag must match
    (["hebei-01", "guangdong-01"], {"区域": ["北方"]}, [True, False, False]),  # named and tagged
    ([], {"门店类型": ["轮胎店"]}, [False, False, False]),  # a tag the group lacks
])
def test_group_in_scope_needs_the_name_and_every_tag(groups: list[str], tags: dict[str, list[str]],
                                                     reached: list[bool]) -> None:
    assert [group_in_scope(group(n), groups, tags) for n in range(3)] == reached


# --- affects: tiers and calendars name calendars; groups and tags reach through the roster --


def scoped_project(tmp_path: Path, incident: dict[str, Any], roster: bool = True,
                   extra: dict[str, Any] | None = None) -> CheckedProject:
    files = {**(WITH_ROSTER if roster else {PLAYBOOK: WITH_ROSTER[PLAYBOOK]}),
             INCIDENT: with_changes(SPILL, **incident), **(extra or {})}
    return checked(tiny_project(tmp_path, files))


def reaches(project: CheckedProject) -> bool:
    incident = project.project.of(Incident)["spill"].model
    return affects(project.project, incident, project.project.of(Calendar)["week"].model, "demo")


OTHER_TIER = {"playbooks/demo/tiers/b-main.yaml": with_changes(
    BASE["playbooks/demo/tiers/c-store.yaml"], id="b-main", name="店主群", side="B")}


@pytest.mark.parametrize(("incident", "reached"), [
    ({"tiers": ["c-store"]}, True),
    ({"tiers": ["b-main"]}, False),
    ({"calendars": ["week"]}, True),
    ({"groups": ["hebei-01"]}, True),
    ({"tags": {"省份": "广东"}}, True),
    ({"tags": {"省份": "山东"}}, False),  # no roster group has it
    ({"tags": {"省份": "河北", "区域": "南方"}}, False),
])
def test_an_incident_reaches_the_calendars_its_scope_names(tmp_path: Path, incident: dict[str, Any],
                                                           reached: bool) -> None:
    assert reaches(scoped_project(tmp_path, incident, extra=OTHER_TIER)) is reached


def test_a_group_reaches_only_the_calendars_it_follows(tmp_path: Path) -> None:
    second = with_changes(BASE[CALENDAR], id="second", name="第二个排期")
    roster = {"groups": [with_changes(GROUPS[0], calendars=["second"]), *GROUPS[1:]]}
    project = scoped_project(tmp_path, {"groups": ["hebei-01"]},
                             extra={ROSTER: roster, "playbooks/demo/calendars/second.yaml": second})
    assert not reaches(project)
    calendars = project.project.of(Calendar)
    assert follows(project.project, "demo", group(1), calendars["week"].model)
    assert not follows(project.project, "demo", Group.model_validate(roster["groups"][0]),
                       calendars["week"].model)


def test_without_a_roster_tags_reach_every_calendar_and_groups_none(tmp_path: Path) -> None:
    # the owner's saved tags decide on the phone; named groups cannot be known
    assert reaches(scoped_project(tmp_path, {"tags": {"省份": "河北"}}, roster=False))
    unrostered = scoped_project(tmp_path / "groups", {"groups": ["hebei-01"]}, roster=False)
    assert not reaches(unrostered)
    assert "no-roster" in [problem.code for problem in unrostered.problems]


# --- a scoped incident is decided on the pack page, an unscoped one holds for everyone ------


def spill_day(project: CheckedProject) -> Any:
    return next(day for day in project.schedules["week"].days if day.date == SPILL_DAY)


def test_a_tier_incident_holds_the_slot_for_every_group(tmp_path: Path) -> None:
    day = spill_day(scoped_project(tmp_path, {"tiers": ["c-store"]}))
    assert [entry.incident.id for entry in day.incidents] == ["spill"] and day.maybe == ()
    assert [slot.held_by for slot in day.slots] == ["spill"]


@pytest.mark.parametrize("scope", [{"groups": ["hebei-01"]}, {"tags": {"省份": "河北"}}])
def test_a_scoped_incident_may_hold_the_slot_for_some_groups(tmp_path: Path, scope: dict[str, Any]) -> None:
    project = scoped_project(tmp_path, scope)
    day = spill_day(project)
    assert day.incidents == () and [entry.incident.id for entry in day.maybe] == ["spill"]
    [game] = day.slots
    assert (game.held_by, game.maybe_held_by) == ("", ("spill",))
    other_day = project.schedules["week"].days[0]
    assert other_day.maybe == () and other_day.slots[-1].maybe_held_by == ()


def test_scope_label_names_groups_tags_or_tiers(tmp_path: Path) -> None:
    project = scoped_project(tmp_path, {"groups": ["hebei-01", "guangdong-01"]})
    incident = project.project.of(Incident)["spill"].model
    assert scope_label(project.project, "demo", incident) == "保定车友群、佛山车友群"
    tagged = incident.model_copy(update={"groups": [], "tags": {"省份": ["河北", "山东"]}})
    assert scope_label(project.project, "demo", tagged) == "省份为河北或山东的群"
    tiered = incident.model_copy(update={"groups": [], "tiers": ["c-store"]})
    assert scope_label(project.project, "demo", tiered) == "门店车友群"


# --- a relative calendar: the group's start date decides which day N an incident reaches ---


LAUNCH = {"id": "week", "name": "建群五天", "tiers": ["c-store"], "days": [
    {"day": n, "slots": [{"time": "20:00", "category": "game", "game": "warmup"}]} for n in range(1, 6)]}


def maybe_days(project: CheckedProject) -> list[int]:
    return [day.number for day in project.schedules["week"].days if day.maybe]


def test_a_scoped_incident_reaches_the_day_numbers_its_groups_are_on(tmp_path: Path) -> None:
    # hebei-01 started 11-30: the spill (12-02) is its day 3; hebei-02 started 12-01: its day 2
    assert maybe_days(scoped_project(tmp_path, {"groups": ["hebei-01"]}, extra={CALENDAR: LAUNCH})) == [3]
    both = scoped_project(tmp_path / "both", {"tags": {"省份": "河北"}}, extra={CALENDAR: LAUNCH})
    assert maybe_days(both) == [2, 3]


def test_an_incident_over_two_days_reaches_both_day_numbers(tmp_path: Path) -> None:
    project = scoped_project(tmp_path, {"groups": ["hebei-01"], "end": SPILL_DAY + dt.timedelta(days=1)},
                             extra={CALENDAR: LAUNCH})
    assert maybe_days(project) == [3, 4]


def test_a_group_without_a_start_date_puts_no_day_in_scope(tmp_path: Path) -> None:
    project = scoped_project(tmp_path, {"groups": ["guangdong-01"]}, extra={CALENDAR: LAUNCH})
    assert maybe_days(project) == []


def test_an_unscoped_incident_may_reach_any_day_of_a_relative_calendar(tmp_path: Path) -> None:
    project = scoped_project(tmp_path, {"tiers": ["c-store"]}, extra={CALENDAR: LAUNCH})
    assert maybe_days(project) == [1, 2, 3, 4, 5]  # any start date a phone saves may put it there


# --- checks on the scope itself ----------------------------------------------------------


def test_an_unknown_group_is_reported_with_a_near_miss(tmp_path: Path) -> None:
    project = scoped_project(tmp_path, {"groups": ["hebei-03"]})
    [problem] = [problem for problem in project.problems if problem.code == "unknown-ref"]
    assert (problem.file, problem.path) == (INCIDENT, "groups[0]")
    assert "是不是 `hebei-0" in problem.message


def test_an_undeclared_tag_key_is_reported(tmp_path: Path) -> None:
    project = scoped_project(tmp_path, {"tags": {"城市": "保定"}})
    [problem] = [problem for problem in project.problems if problem.code == "unknown-tag-key"]
    assert (problem.file, problem.path) == (INCIDENT, "tags.城市")
    assert "group_tags" in problem.message and "是不是" not in problem.message


def test_an_unknown_misspelt_tag_key_gets_the_declared_one_suggested(tmp_path: Path) -> None:
    project = scoped_project(tmp_path, {"tags": {"区 域": "北方"}})
    [problem] = [problem for problem in project.problems if problem.code == "unknown-tag-key"]
    assert "是不是 `区域`" in problem.message


# --- variants: a slot's other post for groups with a tag -----------------------------------


SOUTH = "content_library/posts/south.md"


def variant_calendar(tag: str) -> dict[str, Any]:
    return with_changes(BASE[CALENDAR], weekly={"mon": {"slots": [
        {"time": "08:00", "category": "needed", "post": "tip",
         "variants": [{"tag": tag, "value": "南方", "post": "south"}]}]}})


def test_a_variant_is_carried_with_its_tag_and_post(tmp_path: Path) -> None:
    south = with_changes(BASE["content_library/posts/tip.md"], id="south", title="南方版")
    project = scoped_project(tmp_path, {"tiers": ["c-store"]},
                             extra={CALENDAR: variant_calendar("区域"), SOUTH: south})
    assert [problem.code for problem in project.problems] == []
    [slot] = project.schedules["week"].days[0].slots
    assert [(tag, value, post.id) for tag, value, post in slot.variants] == [("区域", "南方", "south")]


def test_a_variant_with_an_undeclared_tag_is_reported(tmp_path: Path) -> None:
    south = with_changes(BASE["content_library/posts/tip.md"], id="south", title="南方版")
    project = scoped_project(tmp_path, {"tiers": ["c-store"]},
                             extra={CALENDAR: variant_calendar("气候"), SOUTH: south})
    [problem] = [problem for problem in project.problems if problem.code == "unknown-tag-key"]
    assert problem.path == "weekly.mon.slots[0].variants[0].tags.气候"



def test_a_group_follows_its_tiers_calendars_in_its_own_playbook(tmp_path: Path) -> None:
    project = scoped_project(tmp_path, {"tiers": ["c-store"]})
    week = project.project.of(Calendar)["week"].model
    assert follows(project.project, "demo", group(1), week)
    assert not follows(project.project, "north", group(1), week)  # a group of another playbook
    ghost = week.model_copy(update={"id": "ghost"})
    assert not follows(project.project, "demo", group(1), ghost)  # no such calendar in the project
