"""The hard filters of a family's list (DESIGN.md §5). Pure, no Django.

The family's states, the major offered (program share > 0 unless undecided), and the estimated
net price (see `records`) within the budget. A college without a published price is never
presented as affordable when there is a budget. Online-only colleges are never recommended.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from coach.catalog.records import (
    CollegeRecord,
    estimated_net_price,
    price_phrase,
    price_slot,
    slot_price,
)
from coach.catalog.scope import DEFAULT_SCOPE, Scope, outside_scope_reason


@dataclass(frozen=True)
class HardFilters:
    states: frozenset[str] | None
    major: str | None
    budget: int | None
    slot: int
    home_state: str | None

    @classmethod
    def of(cls, profile: Mapping[str, Any], ignore: str | None = None) -> "HardFilters":
        states, major, budget = profile.get("states"), profile.get("major"), profile.get("budget")
        return cls(
            states=(
                frozenset(states)
                if ignore != "states" and isinstance(states, list | tuple)
                else None
            ),
            major=None if ignore == "major" or major in (None, "", "undecided") else major,
            budget=budget if isinstance(budget, int) and not isinstance(budget, bool) else None,
            slot=price_slot(profile),
            home_state=profile.get("home_state"),
        )


def qualifying_colleges(
    profile: Mapping[str, Any], colleges: Iterable[CollegeRecord], ignore: str | None = None
) -> list[tuple[CollegeRecord, int | None]]:
    """The colleges passing the hard filters (bar `ignore`), with their estimated prices."""
    filters = HardFilters.of(profile, ignore)
    # Locals, not attribute reads, in the loop: it runs over the whole scope.
    states, major, budget = filters.states, filters.major, filters.budget
    slot, home = filters.slot, filters.home_state
    over_budget_counts = ignore != "budget"
    found = []
    for college in colleges:
        if college.online_only:
            continue
        if states is not None and college.state not in states:
            continue
        if major is not None and college.program_shares.get(major, 0.0) <= 0:
            continue
        price = slot_price(college, slot, home)
        # Without a published price a college is never presented as affordable, whatever the budget.
        if budget is not None and (price is None or (over_budget_counts and price > budget)):
            continue
        found.append((college, price))
    return found


def exclusion_reason(
    college: CollegeRecord, profile: Mapping[str, Any], scope: Scope = DEFAULT_SCOPE
) -> str | None:
    """Why `college` cannot be on this family's list, quoting the catalog, or None if it can.

    The profile's own filters come first (they are what a family changes), then the scope."""
    if college.online_only:
        return "it teaches online only"
    filters = HardFilters.of(profile)
    if filters.states is not None and college.state not in filters.states:
        chosen = ", ".join(sorted(filters.states))
        return f"it is in {college.state}, outside the states you chose ({chosen})"
    if filters.major is not None and college.program_shares.get(filters.major, 0.0) <= 0:
        return f"it awards no degrees in {filters.major.replace('_', ' ')}"
    if filters.budget is not None:
        price = estimated_net_price(college, profile)[0]
        if price is None:
            return "it publishes no net price, so it cannot be shown as affordable"
        if price > filters.budget:
            return f"{price_phrase(college, profile)}, above your ${filters.budget:,} budget"
    return outside_scope_reason(college, scope)
