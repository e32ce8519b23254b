"""The writes the family must approve: replacing a confirmed fact, saving or e-mailing the list.
Each pauses at an `interrupt()`; nothing may happen before it (a resumed node runs from the top)."""

from typing import Any

from langgraph.types import interrupt

from coach.graph.replies import reply_for
from coach.graph.state import CoachState
from coach.graph.tracing import trace_entry, traced
from coach.language import prompts
from coach.language.base import ExtractedFact, Intent
from coach.language.phrasing import (
    describe_value,
)
from coach.ledger import (
    confirm_all,
    ledger_apply,
    profile_of,
)


@traced
def confirm_overwrite(state: CoachState, config=None):
    """Ask before replacing facts the family confirmed; apply the new values only if approved."""
    facts = state["facts"]
    proposed = [
        {"slot": fact["slot"], "before": facts[fact["slot"]]["value"], "after": fact["value"]}
        for fact in state["held"]
    ]
    described = [
        (describe_value(p["slot"], p["before"]), describe_value(p["slot"], p["after"]))
        for p in proposed
    ]
    text = " ".join(
        prompts.PROPOSE_OVERWRITE.format(before=before, after=after) for before, after in described
    )
    # Nothing may happen before interrupt(): on resume this node runs again from the top.
    decision = interrupt({"approval": "fact_overwrite", "proposed": proposed, "text": text})[
        "decision"
    ]
    update: dict[str, Any] = {"approval": {"kind": "fact_overwrite", "decision": decision}}
    if decision == "superseded":
        update["confirming"] = []  # the turn ends silently: nothing was asked
    if decision == "approved":
        approved_changes: list[dict] = []
        for held in state["held"]:
            facts, applied = ledger_apply(
                facts,
                (
                    ExtractedFact(
                        held["slot"],
                        held["value"],
                        held["confidence"],
                        "stated",
                        held.get("detail"),
                    ),
                ),
                source_message_id=held["source_message_id"],
                turn=state["turn"],
                approved=True,
            )
            approved_changes.extend(change.as_dict() for change in applied)
        update.update(
            facts=facts,
            profile=profile_of(facts),
            changes=[*state["changes"], *approved_changes],
            approved_changes=approved_changes,
        )
    elif decision != "superseded":
        kept = " ".join(prompts.OVERWRITE_KEPT.format(before=before) for before, _ in described)
        update["approval"]["note"] = kept
    return update, trace_entry(
        "confirm_overwrite",
        f"approval({decision})",
        "the family's new value would replace a confirmed fact",
        before=state["profile"],
        after=update.get("profile", state["profile"]),
        proposed=proposed,
    )


@traced
def propose_write(state: CoachState, config=None):
    """Offer to save the list to My list, or e-mail it; the write waits for the family's yes."""
    intents = state["interpretation"]["intents"]
    kind = "send_email" if Intent.EMAIL_LIST in intents else "save_list"
    colleges = state["recommended"]
    proposal_text = prompts.PROPOSE_WRITE[kind].format(count=len(colleges))
    answer = interrupt(
        {"approval": kind, "proposed": {"colleges": colleges}, "text": proposal_text}
    )
    decision = answer["decision"]
    # Its reply asks nothing else: a conflict read this turn is dropped, never settled unseen.
    update: dict[str, Any] = {
        "approval": {"kind": kind, "decision": decision},
        "asked": [],
        "confirming": [],
    }
    if decision != "superseded":
        text = prompts.APPROVAL_OUTCOMES[kind][decision].format(count=len(colleges))
        update.update(
            transcript=[{"role": "coach", "text": text, "message_id": None}],
            reply=reply_for(state, text, []),
        )
    if kind == "save_list" and decision == "approved":
        # What the family saved is on the student's record: changing it later needs their yes.
        update["facts"] = confirm_all(state["facts"])
    return update, trace_entry(
        "propose_write", f"approval({decision})", f"the family asked: {kind}", kind=kind
    )
