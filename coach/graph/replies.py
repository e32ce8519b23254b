"""What a reply says around its question, and the reply a node ends the turn with."""

from coach.graph.state import CoachState
from coach.language import prompts
from coach.language.base import Intent
from coach.language.phrasing import (
    acknowledgement,
    confirmation_question,
)


def reply_opening(state: CoachState) -> str:
    """What the reply says before its question: greeting, acknowledgement or a redirect."""
    if not state.get("incoming"):
        return prompts.GREETING
    interpretation = state.get("interpretation") or {}
    intents = set(interpretation.get("intents", []))
    parts = []
    approval_note = (state.get("approval") or {}).get("note")
    if approval_note:
        parts.append(approval_note)
    if {Intent.SAVE_LIST, Intent.EMAIL_LIST} & intents and not state.get("recommended"):
        parts.append(prompts.INTENT_REPLIES["write_too_early"])
    for signal in ("injection", "off_topic_task"):
        if signal in state["signals"]:
            parts.append(prompts.INTENT_REPLIES[signal])
    for intent in ("off_topic", "question", "other_language"):
        if intent in intents and not parts:
            parts.append(prompts.INTENT_REPLIES[intent])
    # A chat model's own acknowledgement when it gave one; the template otherwise.
    ack = interpretation.get("acknowledgement") or acknowledgement(state.get("changes") or [])
    if ack:
        parts.append(ack)
    parts.extend(confirmation_question(conflict) for conflict in state.get("confirming") or [])
    decision = state.get("decision") or {}
    if not decision.get("clarification"):
        # An impossible value for a topic already known: said once, never asked about.
        parts.extend(
            prompts.NOT_SAVED.format(explanation=rejection["explanation"])
            for rejection in interpretation.get("rejected", [])
        )
    return " ".join(parts)


def reply_for(state: CoachState, text: str, asks: list[str]) -> dict:
    """The reply a node ends the turn with, answering the latest family message."""
    incoming = state.get("incoming") or []
    return {
        "text": text,
        "asks": asks,
        "in_reply_to": incoming[-1]["message_id"] if incoming else None,
    }
