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


def ledger_apply(
    facts: dict[str, dict[str, Any]],
    extracted: tuple[ExtractedFact, ...],
    *,
    source_message_id: str | None,
    turn: int,
) -> tuple[dict[str, dict[str, Any]], list[FactChange]]:
    """The ledger after `extracted`, and what changed. `facts` maps slot → current fact dict."""
    updated = dict(facts)
    changes: list[FactChange] = []
    for fact in extracted:
        current = updated.get(fact.slot)
        if current is not None:
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
