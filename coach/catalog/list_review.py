"""What a shown list says beyond its cards (DESIGN.md §5). Pure, no Django.

`explain_list_change`: when new facts change the list, the reply says what left, why, and what
came in, quoting the catalog. `list_quality`: how one list measures against the default scope,
for the evaluation command.
"""

from collections.abc import Mapping, Sequence
from typing import Any

from coach.catalog.filters import exclusion_reason
from coach.catalog.ranking import BALANCED_FITS, RankingResult
from coach.catalog.records import CollegeRecord, has_admission_data
from coach.catalog.scope import (
    BACHELORS,
    DEFAULT_SCOPE,
    FOR_PROFIT,
    MIN_COMPLETION,
    Scope,
    catalog_by_unitid,
)

# Beyond this many, departures and arrivals are counted rather than named.
NAMED_AT_MOST = 3


def _listed(names: Sequence[str], more: int = 0) -> str:
    if more:
        return f"{', '.join(names)} and {more} more"
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def explain_list_change(
    previous: Sequence[int],
    result: RankingResult,
    profile: Mapping[str, Any],
    catalog: Sequence[CollegeRecord],
    scope: Scope = DEFAULT_SCOPE,
) -> str:
    """What changed between the list shown last time (`previous`, unitids) and `result`: each
    college that left with the hard filter it now fails, checked against the new `profile` and
    `scope` (or that better fits replaced it), then what came in. Empty when nothing changed or
    there was no previous list."""
    if not previous:
        return ""
    by_unitid = catalog_by_unitid(catalog)
    now = {recommendation.unitid for recommendation in result.recommendations}
    before = set(previous)
    departed = [unitid for unitid in dict.fromkeys(previous) if unitid not in now]
    arrived = [r.name for r in result.recommendations if r.unitid not in before]
    sentences = []
    replaced: list[str] = []
    named = 0
    for unitid in departed:
        college = by_unitid.get(unitid)
        if college is None or named == NAMED_AT_MOST:
            continue
        named += 1
        why = exclusion_reason(college, profile, scope)
        if why is None:
            replaced.append(college.name)
        else:
            sentences.append(f"{college.name} is no longer on the list: {why}.")
    if replaced:
        verb = "is" if len(replaced) == 1 else "are"
        sentences.append(
            f"{_listed(replaced)} {verb} no longer on the list: better fits took "
            f"{'its place' if len(replaced) == 1 else 'their places'}."
        )
    if len(departed) > named:
        more = len(departed) - named
        sentences.append(f"{more} more {'college' if more == 1 else 'colleges'} left the list.")
    if arrived:
        shown = arrived[:NAMED_AT_MOST]
        sentences.append(f"New on the list: {_listed(shown, len(arrived) - len(shown))}.")
    return " ".join(sentences)


def list_quality(
    recommendations: Sequence[Mapping[str, Any]], catalog: Sequence[CollegeRecord]
) -> dict[str, int]:
    """Counts for one list (items with at least `unitid` and `fit`): how many colleges in all,
    predominantly bachelor's, with a six-year completion rate of at least 50%, for-profit, and
    labelled reach/match/likely with neither a usable admission rate nor test scores published.
    `not_in_catalog` counts items whose unitid the catalog does not know."""
    by_unitid = catalog_by_unitid(catalog)
    colleges = [by_unitid.get(item["unitid"]) for item in recommendations]
    known = [
        (item, college)
        for item, college in zip(recommendations, colleges, strict=True)
        if college is not None
    ]
    return {
        "total": len(recommendations),
        "bachelors": sum(college.predominant_degree == BACHELORS for _, college in known),
        "completion_50": sum(
            college.completion_rate is not None and college.completion_rate >= MIN_COMPLETION
            for _, college in known
        ),
        "for_profit": sum(college.control == FOR_PROFIT for _, college in known),
        "fit_without_admission_data": sum(
            item["fit"] in BALANCED_FITS and not has_admission_data(college)
            for item, college in known
        ),
        "not_in_catalog": len(recommendations) - len(known),
    }
