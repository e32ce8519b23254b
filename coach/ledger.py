"""The profile as a fact ledger (DESIGN.md §6): each value with where it came from.

Pure functions over plain dicts, so the ledger lives in the graph's checkpoint as it is and the
Django `ProfileFact` rows are a faithful copy of its history.
"""

from dataclasses import asdict, dataclass
from typing import Any, Literal

from coach.language.base import ExtractedFact
from coach.profile import SLOT_TOPIC, empty_profile, unweighted_gpa

Provenance = Literal["stated", "inferred", "staff"]
# A weaker kind of fact never overwrites a stronger one: a guess does not replace what the family
# said, and nothing the coach reads replaces what a counselor entered.
_STRENGTH = {"inferred": 0, "stated": 1, "staff": 2}


@dataclass(frozen=True)
class FactChange:
    slot: str
    before: Any
    after: Any
    kind: Literal["added", "corrected"]
    provenance: str
    confidence: float
    source_message_id: str | None
    # How the family put the new value (an income bracket, a weighted GPA's scale...).
    detail: dict[str, Any] | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def is_confirmed(fact: dict[str, Any]) -> bool:
    """A fact the family confirmed (saving a list built on it) or a counselor entered with them."""
    return bool(fact.get("confirmed", False)) or fact["provenance"] == "staff"


def hold_confirmed_overwrites(
    facts: dict[str, dict[str, Any]], extracted: tuple[ExtractedFact, ...]
) -> tuple[tuple[ExtractedFact, ...], tuple[ExtractedFact, ...]]:
    """Split what the family said into facts to apply now and those that would overwrite a
    confirmed fact with another value: those wait for the family's approval (DESIGN.md §6).
    A guess (inferred) never replaces a confirmed fact at all."""
    apply_now, held = [], []
    for fact in extracted:
        current = facts.get(fact.slot)
        if current is None or not is_confirmed(current) or current["value"] == fact.value:
            apply_now.append(fact)
        elif fact.provenance == "stated":
            held.append(fact)
    return tuple(apply_now), tuple(held)


# Slots where a different value said in passing is more likely a misreading or a second number
# (an income read as a budget) than a change of mind: the coach asks before replacing it. A new
# major or new places are a change of mind, taken at once.
ASK_BEFORE_REPLACING = ("gpa", "sat", "act", "budget", "income", "home_state")
# What else a conflicting amount may have meant.
ALTERNATIVE_SLOT = {"budget": "income", "income": "budget"}


def hold_conflicts(
    facts: dict[str, dict[str, Any]],
    extracted: tuple[ExtractedFact, ...],
    *,
    asked: list[str],
    correction: bool,
) -> tuple[tuple[ExtractedFact, ...], tuple[dict[str, Any], ...]]:
    """Split facts into those to apply now and conflicts to confirm with the family first.

    A conflict: a new value for a slot the family already stated, said neither as a correction
    ("sorry, her GPA is actually 3.6") nor in answer to a question about that slot. The old value
    stays until the family answers the confirmation (DESIGN.md §6: never a wrong fact in silence).
    """
    apply_now, conflicts = [], []
    for fact in extracted:
        current = facts.get(fact.slot)
        conflicting = (
            current is not None
            and current["provenance"] == "stated"
            and fact.provenance == "stated"
            and current["value"] != fact.value
            and fact.slot in ASK_BEFORE_REPLACING
            and not correction
            and SLOT_TOPIC[fact.slot] not in asked
        )
        if current is None or not conflicting:
            apply_now.append(fact)
            continue
        alternative = ALTERNATIVE_SLOT.get(fact.slot)
        if alternative and facts.get(alternative) is not None:
            alternative = None
        conflicts.append(
            {
                "slot": fact.slot,
                "value": fact.value,
                "before": current["value"],
                "confidence": fact.confidence,
                "detail": fact.detail,
                "alternative": alternative,
            }
        )
    return tuple(apply_now), tuple(conflicts)


def confirm_all(facts: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {slot: {**fact, "confirmed": True} for slot, fact in facts.items()}


def ledger_apply(
    facts: dict[str, dict[str, Any]],
    extracted: tuple[ExtractedFact, ...],
    *,
    source_message_id: str | None,
    turn: int,
    approved: bool = False,
) -> tuple[dict[str, dict[str, Any]], list[FactChange]]:
    """The ledger after `extracted`, and what changed. `facts` maps slot → current fact dict.

    `approved`: the family approved these facts over confirmed ones, whatever their provenance;
    the new values are confirmed in turn.
    """
    updated = dict(facts)
    changes: list[FactChange] = []
    for fact in extracted:
        current = updated.get(fact.slot)
        if current is not None and not approved:
            if _STRENGTH[fact.provenance] < _STRENGTH[current["provenance"]]:
                continue
            if current["value"] == fact.value and current["provenance"] == fact.provenance:
                continue
        updated[fact.slot] = {
            "value": fact.value,
            "provenance": fact.provenance,
            "confidence": fact.confidence,
            "source_message_id": source_message_id,
            "turn": turn,
            "detail": fact.detail,
            # Saying a confirmed value again keeps it confirmed.
            "confirmed": approved
            or bool(current and current.get("confirmed") and current["value"] == fact.value),
        }
        if current is not None and current["value"] == fact.value:
            continue  # the same value, now said outright: stronger, but no news for the family
        changes.append(
            FactChange(
                slot=fact.slot,
                before=None if current is None else current["value"],
                after=fact.value,
                kind="added" if current is None else "corrected",
                provenance=fact.provenance,
                confidence=fact.confidence,
                source_message_id=source_message_id,
                detail=fact.detail,
            )
        )
    return updated, changes


def profile_of(facts: dict[str, dict[str, Any]]) -> dict[str, Any]:
    profile = empty_profile()
    profile.update({slot: fact["value"] for slot, fact in facts.items()})
    return profile


def fit_profile(facts: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The profile the ranking reasons with: a weighted or other-scale GPA converted to the
    unweighted 4.0 scale (`coach.profile.unweighted_gpa`); every other slot as it is."""
    profile = profile_of(facts)
    gpa = facts.get("gpa")
    if gpa is not None:
        profile["gpa"] = unweighted_gpa(gpa["value"], gpa.get("detail"))
    return profile
