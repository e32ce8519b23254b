"""What one message states, collected reader by reader (`FoundFacts`): every value is checked
against the slot rule book (`coach.profile.validate_slot_value`) on its way in."""

from dataclasses import dataclass, field
from typing import Any

from coach.language.academics import GpaReading
from coach.language.base import ExtractedFact, RejectedValue
from coach.profile import SlotValueError, validate_slot_value


@dataclass
class FoundFacts:
    """What one message states, collected reader by reader; the first value of a slot wins."""

    facts: list[ExtractedFact] = field(default_factory=list)
    rejected: list[RejectedValue] = field(default_factory=list)
    # The words each fact was read from.
    raws: dict[str, str] = field(default_factory=dict)

    def has(self, slot: str) -> bool:
        return any(fact.slot == slot for fact in self.facts)

    def offer(
        self,
        slot: str,
        value: Any,
        raw: str,
        confidence: float = 1.0,
        provenance: str = "stated",
        detail: dict[str, Any] | None = None,
    ) -> None:
        if self.has(slot):
            return
        try:
            valid = validate_slot_value(slot, value)
        except SlotValueError as error:
            if not any(r.slot == slot for r in self.rejected):
                self.rejected.append(RejectedValue(slot, raw.strip(), error.explanation))
            return
        self.facts.append(ExtractedFact(slot, valid, confidence, provenance, detail))
        self.raws[slot] = raw

    def offer_gpa(self, found: GpaReading | float | None) -> None:
        if isinstance(found, GpaReading):
            self.offer("gpa", found.value, found.raw, detail=found.detail)
        elif found is not None:
            self.offer("gpa", found, f"GPA {found:g}")
