"""Handing the family to a counselor: when the search failed for good, or the gate escalates."""

from coach.graph.replies import reply_for
from coach.graph.state import CoachState, decision_of, shortlist_of
from coach.graph.tracing import trace_entry, traced
from coach.language import prompts


@traced
def tool_failed(state: CoachState, config=None):
    """The search failed for good: say so honestly and hand over, never guess a list."""
    error = shortlist_of(state)["error"]
    update = {
        "phase": "escalated",
        "escalation": {"reason": "tool_failure", "urgent": False},
        "asked": [],
        "confirming": [],
        "transcript": [{"role": "coach", "text": prompts.TOOL_FAILED, "message_id": None}],
        "reply": reply_for(state, prompts.TOOL_FAILED, []),
    }
    return update, trace_entry("tool_failed", "escalate(tool_failure)", error, urgent=False)


@traced
def escalate(state: CoachState, config=None):
    decision = decision_of(state)
    text = {
        "crisis": prompts.ESCALATE_CRISIS,
        "requested": prompts.ESCALATE_REQUESTED,
        "out_of_lane": prompts.ESCALATE_OUT_OF_LANE,
        "low_confidence": prompts.ESCALATE_LOW_CONFIDENCE,
    }.get(decision["escalation_reason"], prompts.ESCALATE_STUCK)
    update = {
        "phase": "escalated",
        "escalation": {"reason": decision["escalation_reason"], "urgent": decision["urgent"]},
        "asked": [],
        "confirming": [],
        "transcript": [{"role": "coach", "text": text, "message_id": None}],
        "reply": reply_for(state, text, []),
    }
    return update, trace_entry(
        "escalate",
        f"escalate({decision['escalation_reason']})",
        decision["reason"],
        score=decision["score"],
        urgent=decision["urgent"],
    )
