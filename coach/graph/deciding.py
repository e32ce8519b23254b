"""The gate's decision (ask, recommend or escalate) and the question it asks."""

from coach import guard as guard_rules
from coach.gate import LOW_CONFIDENCE, GateHistory, TurnSignals, decide
from coach.graph.context import optional_topic_picker_from_config
from coach.graph.replies import reply_for, reply_opening
from coach.graph.state import CoachState, decision_of
from coach.graph.tracing import trace_entry, traced
from coach.language import prompts
from coach.language.base import Intent
from coach.language.phrasing import (
    assumptions_sentence,
    question,
)
from coach.ledger import (
    fit_profile,
)
from coach.profile import REQUIRED_TOPICS, SLOT_TOPIC


@traced
def gate(state: CoachState, config=None):
    """Decide: ask, recommend or escalate. The model is never asked whether to stop."""
    history = state["history"]
    interpretation = state.get("interpretation") or {}
    signals = TurnSignals(
        crisis=guard_rules.CRISIS in state["signals"],
        wants_human=guard_rules.HUMAN in state["signals"],
        just_show_me=Intent.JUST_SHOW_ME in interpretation.get("intents", []),
        rejected_slots=tuple(r["slot"] for r in interpretation.get("rejected", [])),
        out_of_lane_strikes=history.get("out_of_lane_strikes", 0),
        unsure_slots=tuple(
            change["slot"]
            for change in state.get("changes") or []
            if change["confidence"] < LOW_CONFIDENCE
            and SLOT_TOPIC[change["slot"]] in REQUIRED_TOPICS
        ),
    )
    decision = decide(
        state["profile"],
        GateHistory(
            questions_asked=history["questions_asked"],
            failed_attempts=history["failed_attempts"],
            clarified_slots=frozenset(history["clarified_slots"]),
            declined=frozenset(history["declined"]),
            optional_asked=history["optional_asked"],
        ),
        signals,
        pick_optional_topic=_with_fit_gpa(optional_topic_picker_from_config(config), state),
    ).as_dict()
    label = decision["action"] + (f"({decision['topic']})" if decision["topic"] else "")
    return {"decision": decision}, trace_entry(
        "gate",
        label,
        decision["reason"],
        score=decision["score"],
        before=state["profile"],
        after=state["profile"],
        gate_decision=decision,
    )


def _with_fit_gpa(picker, state: CoachState):
    """The optional-question picker ranks with the GPA the search uses (converted when weighted
    or on another scale), not the value as the family stated it."""
    if picker is None:
        return None
    fit = fit_profile(state["facts"])
    return lambda profile: picker({**profile, "gpa": fit["gpa"]})


@traced
def ask(state: CoachState, config=None):
    decision = decision_of(state)
    topic = decision["topic"]
    history = dict(state["history"])
    interpretation = state.get("interpretation") or {}
    rejected = [r for r in interpretation.get("rejected", []) if decision["clarification"]]
    if rejected:
        explanations = " and ".join(r["explanation"] for r in rejected)
        body = prompts.CLARIFY.format(
            explanation=explanations, question=question(topic, state["profile"])
        )
        history["clarified_slots"] = sorted(
            {*history["clarified_slots"], *(r["slot"] for r in rejected)}
        )
    elif Intent.UNPARSED in interpretation.get("intents", []) and topic in state.get("asked", []):
        body = prompts.ANOTHER_TRY.format(question=question(topic, state["profile"]))
    else:
        body = question(topic, state["profile"])
    opening = reply_opening(state)
    # Each assumption is announced once, on the turn the coach stops asking about it.
    new_assumptions = {
        topic: text
        for topic, text in decision["assumptions"].items()
        if topic not in history["assumed"]
    }
    if new_assumptions:
        body = f"{assumptions_sentence(new_assumptions, template=prompts.ASK_ASSUMING)} {body}"
        history["assumed"] = sorted({*history["assumed"], *new_assumptions})
    text = f"{opening} {body}".strip()
    history["questions_asked"] = history["questions_asked"] + 1
    update = {
        "asked": [topic],
        "history": history,
        "transcript": [{"role": "coach", "text": text, "message_id": None}],
        "reply": reply_for(state, text, [topic]),
    }
    return update, trace_entry("ask", f"ask({topic})", decision["reason"], score=decision["score"])
