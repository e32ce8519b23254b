"""The profile as a fact ledger (DESIGN.md §6): each value with where it came from.

Pure functions over plain dicts, so the ledger lives in the graph's checkpoint as it is and the
Django `ProfileFact` rows are a faithful copy of its history.
"""

from dataclasses import asdict, dataclass
from typing import Any, Literal

from coach.language.base import ExtractedFact
from coach.profile import empty_profile

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

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def is_confirmed(fact: dict[str, Any]) -> bool:
    """A fact the family confirmed (saving a list built on it) or a counselor entered with them."""
    return fact.get("confirmed", False) or fact["provenance"] == "staff"


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
            )
        )
    return updated, changes


def profile_of(facts: dict[str, dict[str, Any]]) -> dict[str, Any]:
    profile = empty_profile()
    profile.update({slot: fact["value"] for slot, fact in facts.items()})
    return profile
