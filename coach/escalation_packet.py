"""The handoff packet (DESIGN.md §6): what a counselor needs to take over without asking the
family to repeat themselves. Pure: built from plain data."""

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from coach.language.phrasing import describe_value
from coach.profile import REQUIRED_TOPICS, SLOTS, missing_topics

REASON_WORDS = {
    "requested": "The family asked to talk to a person",
    "crisis": "The family disclosed a safety concern",
    "stuck": "The coach could not get usable answers",
    "tool_failure": "The college search failed",
    "out_of_lane": "Repeated requests outside college planning",
    "low_confidence": "The coach was unsure of a required fact",
}


@dataclass(frozen=True)
class HandoffPacket:
    reason: str
    priority: str
    summary: str
    profile: dict[str, Any]
    gaps: list[str]
    shortlist: list[dict[str, Any]]
    promised: str
    transcript_url: str
    trace_url: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def build_packet(
    *,
    reason: str,
    urgent: bool,
    profile: Mapping[str, Any],
    family_messages: int,
    shortlist: Sequence[Mapping[str, Any]],
    last_coach_text: str,
    transcript_url: str,
    trace_url: str,
) -> HandoffPacket:
    known = [describe_value(slot, profile[slot]) for slot in SLOTS if profile.get(slot) is not None]
    gaps = missing_topics(profile)
    summary = f"{REASON_WORDS.get(reason, reason)} after {family_messages} message(s). "
    summary += f"Known: {'; '.join(known)}. " if known else "Nothing known about the student yet. "
    if gaps:
        summary += f"Still missing: {', '.join(gaps)}."
    elif shortlist:
        summary += f"A list of {len(shortlist)} colleges was shown."
    return HandoffPacket(
        reason=reason,
        priority="urgent" if urgent else "normal",
        summary=summary.strip(),
        profile=dict(profile),
        gaps=[topic for topic in REQUIRED_TOPICS if topic in gaps],
        shortlist=[{k: item[k] for k in ("unitid", "name", "state", "fit")} for item in shortlist],
        promised=last_coach_text,
        transcript_url=transcript_url,
        trace_url=trace_url,
    )
