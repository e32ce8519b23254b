"""Is an optional question worth asking? Only if its answer could change the shortlist.

Rank the catalog under each plausible answer; if the top of the list stays (almost) the same
whatever the family says, the question is not worth their time (DESIGN.md §4).
"""

from collections.abc import Mapping, Sequence
from typing import Any

from coach.catalog.ranking import rank_colleges
from coach.catalog.records import CollegeRecord
from coach.catalog.scope import DEFAULT_SCOPE, Scope

TOP = 6
# How many of the top colleges must differ between two answers for the question to matter.
MEANINGFUL_CHANGE = 3
# Representative incomes, one per Scorecard bracket.
INCOMES = (20_000, 40_000, 60_000, 90_000, 150_000)
# Questions that move prices (a hard filter) come first; taste questions (soft preferences) only
# when no price question matters, and they must change more of the list.
CANDIDATE_TIERS: tuple[tuple[tuple[str, ...], int], ...] = (
    (("income", "home_state"), MEANINGFUL_CHANGE),
    (("setting", "size"), MEANINGFUL_CHANGE + 1),
)
OUTSIDE_EVERY_STATE = "out-of-state"


def _answers(topic: str, profile: Mapping[str, Any]) -> list[Any]:
    if topic == "income":
        return list(INCOMES) if isinstance(profile.get("budget"), int) else []
    if topic == "home_state":
        states = profile.get("states")
        if not isinstance(states, list | tuple):
            return []  # fifty answers to weigh: not worth a question before any list is shown
        return [*states, OUTSIDE_EVERY_STATE]
    if topic == "size":
        return ["small", "medium", "large"]
    if topic == "setting":
        return ["city", "suburb", "town", "rural"]
    return []


def _top(
    profile: Mapping[str, Any], catalog: Sequence[CollegeRecord], scope: Scope
) -> frozenset[int]:
    ranked = rank_colleges(profile, catalog, limit=TOP, scope=scope)
    return frozenset(recommendation.unitid for recommendation in ranked.recommendations)


def optional_topic_worth_asking(
    profile: Mapping[str, Any], catalog: Sequence[CollegeRecord], *, scope: Scope = DEFAULT_SCOPE
) -> str | None:
    """The optional topic whose answer changes the top of the list most, or None. The lists are
    ranked within `scope`, the colleges the family's list would be drawn from."""
    for topics, threshold in CANDIDATE_TIERS:
        best_topic, best_change = None, threshold - 1
        for topic in topics:
            if profile.get(topic) is not None:
                continue
            tops = [
                _top({**profile, topic: answer}, catalog, scope)
                for answer in _answers(topic, profile)
            ]
            change = max((len(first - second) for first in tops for second in tops), default=0)
            if change > best_change:
                best_topic, best_change = topic, change
        if best_topic is not None:
            return best_topic
    return None
