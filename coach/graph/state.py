"""The coach graph's working state, checkpointed after every step."""

import operator
from typing import Annotated, Any, TypedDict


class TranscriptEntry(TypedDict):
    role: str
    text: str
    message_id: str | None


class IncomingMessage(TypedDict):
    message_id: str
    text: str


class CoachReply(TypedDict):
    text: str
    asks: list[str]
    # The last family message this reply answers (None for the greeting).
    in_reply_to: str | None


class TraceEntry(TypedDict):
    node: str
    decision: str
    reason: str
    score: float | None
    slots_before: dict[str, Any]
    slots_after: dict[str, Any]
    latency_ms: float
    details: dict[str, Any]


class CoachState(TypedDict, total=False):
    # Appended to, never replaced: the checkpoint keeps the whole conversation as the graph saw it.
    transcript: Annotated[list[TranscriptEntry], operator.add]
    incoming: list[IncomingMessage]
    turn: int
    phase: str
    # The fact ledger: slot -> {value, provenance, confidence, source_message_id, turn}.
    facts: dict[str, dict[str, Any]]
    profile: dict[str, Any]
    # Topics the coach's last message asked about, and the question history the gate reads.
    asked: list[str]
    history: dict[str, Any]
    # This turn only: guard signals, what the model read, ledger changes, the gate's decision.
    signals: list[str]
    interpretation: dict[str, Any]
    changes: list[dict[str, Any]]
    decision: dict[str, Any] | None
    # The search tool's result for this turn (a RankingResult as a dict, or {"error": ...}).
    shortlist: dict[str, Any] | None
    # Set when this turn hands the family to a counselor: {"reason": ..., "urgent": ...}.
    escalation: dict[str, Any] | None
    trace: list[TraceEntry]
    # None when the turn ends without a message: an approval superseded by the family's next one.
    reply: CoachReply | None
    # The colleges last shown ({unitid, name}), kept across turns for the family's "save them".
    recommended: list[dict[str, Any]]
    # This turn only: facts held back because they would overwrite confirmed ones (as dicts of
    # ExtractedFact), the changes made once the family approved them, and how an approval ended.
    held: list[dict[str, Any]]
    approved_changes: list[dict[str, Any]]
    approval: dict[str, Any] | None
    # Values that conflicted with what the family said before, asked about in this turn's reply
    # and settled by the next message: {slot, value, before, alternative, detail, ...}.
    confirming: list[dict[str, Any]]
    # What the family asked the list to include beyond the default scope ("two_year", ...).
    scope: list[str]
    # Colleges the family named, as written (the search resolves them against the catalog).
    named_colleges: list[str]


def decision_of(state: CoachState) -> dict[str, Any]:
    """The gate's decision: what reads it runs only after the gate made it this turn."""
    decision = state["decision"]
    assert decision is not None, "routed past the gate without its decision"
    return decision


def shortlist_of(state: CoachState) -> dict[str, Any]:
    """The search tool's result: what reads it runs only after the search this turn."""
    shortlist = state["shortlist"]
    assert shortlist is not None, "routed past the search without its result"
    return shortlist


def approval_of(state: CoachState) -> dict[str, Any]:
    """How this turn's approval ended: what reads it runs only after the approval's node."""
    approval = state["approval"]
    assert approval is not None, "routed past an approval without its outcome"
    return approval
