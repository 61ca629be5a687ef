"""Which groups share members: one rule for the scheduler that avoids doubles and the
lint that reports them.

A tier shares members with every tier it lists in `shares_members_with`, and with
every tier that lists it; a calendar shares with another when any of their tiers do.
Two calendars of one tier are alternatives (a group follows one of them), not both.
"""

from __future__ import annotations

from .models import Calendar, Tier
from .resolve import Project


def shared_tiers(project: Project) -> dict[str, frozenset[str]]:
    """Tier id -> the other tiers whose groups hold some of the same people."""
    found: dict[str, set[str]] = {item.model.id: set() for item in project.of(Tier)}
    for item in project.of(Tier):
        for other in item.model.shares_members_with:
            if other in found:
                found[item.model.id].add(other)
                found[other].add(item.model.id)
    return {tier: frozenset(tiers) for tier, tiers in found.items()}


def calendars_share(shared: dict[str, frozenset[str]], first: Calendar, second: Calendar) -> bool:
    return any(other in shared.get(tier, frozenset())
               for tier in first.tiers for other in second.tiers)
