"""The coach graph's nodes. Each returns a partial state update and has no side effects."""

from coach.graph import prompts
from coach.graph.state import CoachState, TranscriptEntry
from coach.profile import empty_profile, missing_topics


def receive(state: CoachState) -> CoachState:
    """Start a turn: record the family's new messages and clear the last reply.

    A turn that failed after this step is retried with the same messages (plus any newer ones);
    those already in the transcript are not added twice.
    """
    incoming = state.get("incoming") or []
    recorded = {entry["message_id"] for entry in state.get("transcript") or []}
    entries: list[TranscriptEntry] = [
        {"role": "family", "text": message["text"], "message_id": message["message_id"]}
        for message in incoming
        if message["message_id"] not in recorded
    ]
    return {
        "transcript": entries,
        "turn": state.get("turn", 0) + 1,
        "profile": state.get("profile") or empty_profile(),
        "phase": state.get("phase") or "gathering",
        "reply": None,
    }


def respond(state: CoachState) -> CoachState:
    """Greet on the opening turn, then ask about the first topic still unknown."""
    incoming = state.get("incoming") or []
    missing = missing_topics(state["profile"])
    asks = missing[:1]
    opening = prompts.GREETING if not incoming else prompts.ACKNOWLEDGEMENT
    question = prompts.QUESTIONS[asks[0]] if asks else ""
    text = f"{opening} {question}".strip()
    return {
        "transcript": [{"role": "coach", "text": text, "message_id": None}],
        "reply": {
            "text": text,
            "asks": asks,
            "in_reply_to": incoming[-1]["message_id"] if incoming else None,
        },
    }
