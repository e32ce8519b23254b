"""Storing what a turn (or a part of one) produced: its facts, its trace, and its reply, or the
tool call or approval the graph now waits for; with the escalation or shortlist it made."""

from typing import Any

from aviator.audit.services import audit_record, audit_record_each
from coach.escalations import escalation_open
from coach.graph.runner import TurnOutcome
from coach.models import Conversation, DecisionTrace, Message, Phase, ProfileFact, Role, Shortlist
from coach.pauses import approval_open, tool_call_enqueue
from coach.transcript import message_append, publish_state_on_commit


def fact_changes_store(
    conversation: Conversation,
    outcome: TurnOutcome,
    changes: list[dict[str, Any]],
    *,
    counselor=None,
) -> None:
    """Copy ledger changes of a turn (or of a hand-back, by `counselor`) into the fact history,
    each with its audit entry (one insert for the facts, one for their entries)."""
    facts = ProfileFact.objects.bulk_create(
        [
            ProfileFact(
                conversation=conversation,
                slot=change["slot"],
                value=change["after"],
                previous_value=change["before"],
                provenance=change["provenance"],
                confidence=change["confidence"],
                detail=change.get("detail"),
                source_message_id=change["source_message_id"],
                turn=outcome.turn,
            )
            for change in changes
        ]
    )
    audit_record_each(
        [
            {
                "action": "fact.changed",
                "target": fact,
                "actor": counselor,
                "conversation_id": conversation.id,
                "before": {change["slot"]: change["before"]},
                "after": {change["slot"]: change["after"], "provenance": change["provenance"]},
            }
            for fact, change in zip(facts, changes, strict=True)
        ]
    )


def _store_trace(conversation: Conversation, outcome: TurnOutcome, reply: Message | None) -> None:
    """Copy the turn's decision trace out of the checkpoint into the database, linked to the
    `reply` that ends the turn.

    A turn paused for a tool or an approval is stored in parts: each part adds its new steps, and
    the part that ends with the reply links every step of the turn to it.
    """
    steps = [
        DecisionTrace(
            conversation=conversation,
            turn=outcome.turn,
            step=step,
            node=entry["node"],
            decision=entry["decision"],
            reason=entry["reason"],
            score=entry["score"],
            slots_before=entry["slots_before"],
            slots_after=entry["slots_after"],
            latency_ms=entry["latency_ms"],
            details=entry["details"],
            reply=reply,
        )
        for step, entry in enumerate(outcome.trace)
    ]
    if reply is None:
        DecisionTrace.objects.bulk_create(steps, ignore_conflicts=True)
    else:
        DecisionTrace.objects.bulk_create(
            steps,
            update_conflicts=True,
            unique_fields=["conversation", "turn", "step"],
            update_fields=["reply"],
        )


def outcome_apply(
    conversation: Conversation,
    outcome: TurnOutcome,
    *,
    answering: Message | None,
    fact_changes: list[dict[str, Any]],
) -> Message | None:
    """Store what a (part of a) turn produced: the reply, or the tool call or approval the graph
    waits for. `answering`: the family message a reply or proposal answers (None when an earlier
    part of the turn already answered it). `fact_changes`: the ledger changes made during this
    part of the turn."""
    fact_changes_store(conversation, outcome, fact_changes)
    conversation.profile = outcome.profile
    conversation.phase = outcome.phase
    reply = None
    if outcome.pending_tool is not None:
        tool_call_enqueue(
            conversation=conversation,
            turn=outcome.turn,
            pending=outcome.pending_tool,
            answering=answering,
        )
        conversation.phase = Phase.RECOMMENDING
    elif outcome.pending_approval is not None:
        approval_open(
            conversation=conversation,
            turn=outcome.turn,
            pending=outcome.pending_approval,
            answering=answering,
        )
    elif outcome.reply is not None:
        # (No reply: the turn ended silently, its approval superseded by a newer message.)
        reply = message_append(
            conversation,
            role=Role.COACH,
            text=outcome.reply["text"],
            asks=outcome.reply["asks"],
            reply_to=answering,
        )
        if outcome.escalation:
            escalation_open(
                conversation=conversation,
                reason=outcome.escalation["reason"],
                urgent=outcome.escalation["urgent"],
            )
        if outcome.shortlist and "recommendations" in outcome.shortlist:
            _shortlist_store(conversation, outcome.turn, outcome.shortlist)
    _store_trace(conversation, outcome, reply)
    conversation.save(update_fields=["phase", "profile", "updated"])
    publish_state_on_commit(conversation)
    return reply


def _shortlist_store(conversation: Conversation, turn: int, found: dict[str, Any]) -> None:
    shortlist = Shortlist.objects.create(
        conversation=conversation,
        turn=turn,
        items=found["recommendations"],
        qualifying=found["qualifying"],
        explanation=found["explanation"],
    )
    audit_record(
        action="shortlist.created",
        target=shortlist,
        conversation_id=conversation.id,
        after={"unitids": [item["unitid"] for item in shortlist.items]},
    )
