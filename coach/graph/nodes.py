"""The coach graph's nodes: guard → extract → [confirm_overwrite] → gate → ask | search → present
| tool_failed | escalate, or extract → propose_write when the family asks to save or send the list.

Each node returns a partial state update and has no side effects: everything the outside world
must learn (ledger changes, decision traces, the reply) travels in the state, and the service
writes it after the turn. Nodes also time themselves for the decision trace.
"""

import logging
import time
from collections.abc import Callable
from dataclasses import replace
from functools import wraps
from typing import Any

from langchain_core.runnables import RunnableConfig
from langgraph.types import interrupt

from coach import guard as guard_rules
from coach.gate import LOW_CONFIDENCE, GateHistory, TurnSignals, decide
from coach.graph.context import language_model_from_config, optional_topic_picker_from_config
from coach.graph.state import CoachState, TraceEntry, TranscriptEntry, decision_of, shortlist_of
from coach.language import prompts
from coach.language.base import ExtractedFact, Intent, Interpretation
from coach.language.phrasing import (
    acknowledgement,
    assumptions_sentence,
    confirmation_answers,
    confirmation_question,
    describe_value,
    question,
)
from coach.language.rules import MAX_NAMED_COLLEGES
from coach.ledger import (
    confirm_all,
    fit_profile,
    hold_confirmed_overwrites,
    hold_conflicts,
    ledger_apply,
    profile_of,
)
from coach.profile import REQUIRED_TOPICS, SLOT_TOPIC, topic_is_known

logger = logging.getLogger(__name__)

EMPTY_HISTORY: dict[str, Any] = {
    "questions_asked": 0,
    "failed_attempts": {},
    "clarified_slots": [],
    "declined": [],
    "optional_asked": False,
    "assumed": [],
    "out_of_lane_strikes": 0,
}
OUT_OF_LANE_SIGNALS = {guard_rules.INJECTION, guard_rules.OFF_TOPIC_TASK}


def traced(node: Callable[..., dict]) -> Callable[..., dict]:
    """Append the node's own trace entry (with its latency) to this turn's trace."""

    @wraps(node)
    def run(state: CoachState, config: RunnableConfig | None = None) -> dict:
        started = time.perf_counter()
        update, entry = node(state, config)
        entry["latency_ms"] = round((time.perf_counter() - started) * 1000, 3)
        logger.info(
            "graph step",
            extra={
                "node": entry["node"],
                "decision": entry["decision"],
                "latency_ms": entry["latency_ms"],
            },
        )
        update["trace"] = [*(update.get("trace", state.get("trace")) or []), entry]
        return update

    return run


def _entry(
    node: str, decision: str, reason: str, *, score=None, before=None, after=None, **details
) -> TraceEntry:
    return {
        "node": node,
        "decision": decision,
        "reason": reason,
        "score": score,
        "slots_before": before or {},
        "slots_after": after or {},
        "latency_ms": 0.0,
        "details": details,
    }


@traced
def guard(state: CoachState, config=None):
    """Start the turn: record the new messages, read the safety signals, reset per-turn state."""
    incoming = state.get("incoming") or []
    recorded = {entry["message_id"] for entry in state.get("transcript") or []}
    # A turn that failed after this step is retried with the same messages (plus newer ones);
    # those already in the transcript are not added twice.
    entries: list[TranscriptEntry] = [
        {"role": "family", "text": message["text"], "message_id": message["message_id"]}
        for message in incoming
        if message["message_id"] not in recorded
    ]
    signals = sorted(
        set().union(
            *(guard_rules.guard_signals(guard_rules.normalize(m["text"])) for m in incoming)
        )
    )
    facts = state.get("facts") or {}
    update = {
        "transcript": entries,
        "turn": state.get("turn", 0) + 1,
        "phase": state.get("phase") or "gathering",
        "facts": facts,
        "profile": profile_of(facts),
        "history": state.get("history") or dict(EMPTY_HISTORY),
        "asked": state.get("asked") or [],
        "signals": signals,
        "interpretation": {},
        "changes": [],
        "decision": None,
        "shortlist": None,
        "escalation": None,
        "trace": [],
        "reply": None,
        "recommended": state.get("recommended") or [],
        "held": [],
        "approved_changes": [],
        "approval": None,
        # Conflicting values asked about last turn wait for this turn's answer.
        "confirming": state.get("confirming") or [],
        "scope": state.get("scope") or [],
        "named_colleges": state.get("named_colleges") or [],
    }
    # A request for a person is a wish, not a guardrail: it is traced, and the gate acts on it,
    # but only what the guard protects against (crisis, injection, homework) is a flag.
    guarded = [signal for signal in signals if signal in guard_rules.GUARDRAIL_SIGNALS]
    if guarded:
        reason = "flagged: " + ", ".join(guarded)
    elif signals:
        reason = "asked for a person"
    else:
        reason = "nothing flagged"
    return update, _entry("guard", "flag" if guarded else "pass", reason, signals=signals)


@traced
def extract(state: CoachState, config=None):
    """Read every new message with the language model and apply its facts to the ledger."""
    model = language_model_from_config(config)
    asked = list(state.get("asked") or [])
    facts = dict(state["facts"])
    before = profile_of(facts)
    history = dict(state["history"])
    changes: list[dict] = []
    intents: set[str] = set()
    rejected: list[dict] = []
    declined: set[str] = set(history["declined"])
    fallbacks: list[str] = []
    tokens: int | None = None
    retries = 0
    model_acknowledgement = None
    held: list[dict] = []
    ignored: list[str] = []
    scope: set[str] = set(state.get("scope") or [])
    named: list[str] = list(state.get("named_colleges") or [])
    confirming: list[dict] = []
    incoming = state.get("incoming") or []
    settled: tuple[ExtractedFact, ...] = ()
    if state.get("confirming") and incoming:
        # The family's next message settles what the coach asked to confirm; anything else
        # keeps the old values (the family moved on).
        settled = confirmation_answers(state["confirming"], incoming[0]["text"])
        # What the family confirmed since (by saving a list) still needs their approval.
        settled, held_back = hold_confirmed_overwrites(facts, settled)
        held.extend(
            {**vars(fact), "source_message_id": incoming[0]["message_id"]} for fact in held_back
        )
        facts, applied = ledger_apply(
            facts, settled, source_message_id=incoming[0]["message_id"], turn=state["turn"]
        )
        changes.extend(change.as_dict() for change in applied)
    # The message after a confirmation question answers it ("yes", "no", "that's our income"):
    # not a failed attempt at the topic asked, and not unreadable.
    answered_confirmation = bool(state.get("confirming") and incoming)
    # A value restated for a slot being confirmed answers the confirmation, not a new conflict.
    settling_topics = [SLOT_TOPIC[c["slot"]] for c in state.get("confirming") or []]
    for message in incoming:
        reading = model.interpret(message["text"], asked=asked, profile=profile_of(facts))
        in_lane = guard_rules.without_out_of_lane_parts(message["text"])
        if in_lane != message["text"]:
            # Instructions to the coach, or a request for homework, are not facts about the
            # student ("new instructions: set GPA 4.0" sets nothing); the rest still counts.
            lane = (
                model.interpret(in_lane, asked=asked, profile=profile_of(facts))
                if in_lane.strip()
                else Interpretation()
            )
            ignored.extend(f.slot for f in reading.facts if f not in lane.facts)
            reading = replace(
                reading, facts=lane.facts, rejected=lane.rejected, declined=lane.declined
            )
        apply_now, held_back = hold_confirmed_overwrites(facts, reading.facts)
        held.extend(
            {**vars(fact), "source_message_id": message["message_id"]} for fact in held_back
        )
        apply_now, conflicts = hold_conflicts(
            facts,
            apply_now,
            asked=[*asked, *settling_topics],
            correction=Intent.CORRECTION in reading.intents,
        )
        confirming.extend(
            {**conflict, "source_message_id": message["message_id"]} for conflict in conflicts
        )
        scope |= reading.scope
        named.extend(name for name in reading.named_colleges if name not in named)
        facts, applied = ledger_apply(
            facts, apply_now, source_message_id=message["message_id"], turn=state["turn"]
        )
        changes.extend(change.as_dict() for change in applied)
        intents |= reading.intents
        rejected.extend(
            {"slot": r.slot, "raw": r.raw, "explanation": r.explanation} for r in reading.rejected
        )
        declined |= reading.declined
        if reading.fallback_reason:
            fallbacks.append(reading.fallback_reason)
        if reading.tokens is not None:
            tokens = (tokens or 0) + reading.tokens
        retries += reading.retries
        model_acknowledgement = reading.acknowledgement
    after = profile_of(facts)
    if answered_confirmation:
        # "It's our income" answers the coach's confirmation: not an unreadable message.
        intents.discard(Intent.UNPARSED)
    # An asked topic still unknown after the family's answer is a failed attempt at it, unless
    # the message told the coach something else (the family answers in its own order).
    failed = dict(history["failed_attempts"])
    if state.get("incoming") and not (answered_confirmation or changes or confirming):
        for topic in asked:
            if not topic_is_known(after, topic) and topic not in declined:
                failed[topic] = failed.get(topic, 0) + 1
    strikes = history.get("out_of_lane_strikes", 0)
    if OUT_OF_LANE_SIGNALS & set(state["signals"]) or Intent.OFF_TOPIC in intents:
        strikes += 1
    history.update(failed_attempts=failed, declined=sorted(declined), out_of_lane_strikes=strikes)
    interpretation = {
        "intents": sorted(intents),
        "rejected": rejected,
        "declined": sorted(declined - set(state["history"]["declined"])),
        "model": model.name,
        "fallbacks": fallbacks,
        "acknowledgement": model_acknowledgement,
    }
    update = {
        "facts": facts,
        "profile": after,
        "changes": changes,
        "interpretation": interpretation,
        "history": history,
        "held": held,
        "confirming": confirming,
        "scope": sorted(scope),
        "named_colleges": named[:MAX_NAMED_COLLEGES],
    }
    decision = "fallback" if fallbacks else ("updated" if changes else "no_facts")
    reason = (
        f"{len(changes)} fact(s) changed: " + ", ".join(c["slot"] for c in changes)
        if changes
        else "no new facts"
    )
    return update, _entry(
        "extract",
        decision,
        reason,
        before=before,
        after=after,
        model=model.name,
        intents=sorted(intents),
        rejected=rejected,
        fallbacks=fallbacks,
        held=[fact["slot"] for fact in held],
        confirming=[conflict["slot"] for conflict in confirming],
        scope=sorted(scope),
        tokens=tokens,
        retries=retries,
        ignored_from_out_of_lane=ignored,
        error_classes=sorted({reason.split(":", 1)[0] for reason in fallbacks}),
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
    return update, _entry(
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
            reply=_reply(state, text, []),
        )
    if kind == "save_list" and decision == "approved":
        # What the family saved is on the student's record: changing it later needs their yes.
        update["facts"] = confirm_all(state["facts"])
    return update, _entry(
        "propose_write", f"approval({decision})", f"the family asked: {kind}", kind=kind
    )


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
    return {"decision": decision}, _entry(
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


def _opening(state: CoachState) -> str:
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
    opening = _opening(state)
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
        "reply": _reply(state, text, [topic]),
    }
    return update, _entry("ask", f"ask({topic})", decision["reason"], score=decision["score"])


@traced
def search(state: CoachState, config=None):
    """Pause for the college search, which a Celery task runs; resume with its result."""
    decision = decision_of(state)
    # Nothing may happen before interrupt(): on resume this node runs again from the top.
    scope = set(state.get("scope") or [])
    shortlist = interrupt(
        {
            "tool": "search_colleges",
            # Weighted or other-scale GPAs converted, as the fit rules expect.
            "profile": fit_profile(state["facts"]),
            "scope": {
                "two_year": "two_year" in scope,
                "for_profit": "for_profit" in scope,
                "named_names": state.get("named_colleges") or [],
            },
            "previous": [college["unitid"] for college in state.get("recommended") or []],
        }
    )
    found = "error" if "error" in shortlist else f"{len(shortlist['recommendations'])} colleges"
    return {"shortlist": shortlist}, _entry(
        "search",
        "tool(search_colleges)",
        f"{decision['reason']}; found {found}",
        score=decision["score"],
    )


@traced
def present(state: CoachState, config=None):
    """Pause for the shortlist's explanation, then answer with the list and any follow-up."""
    decision = decision_of(state)
    shortlist = shortlist_of(state)
    explained = interrupt({"tool": "explain_shortlist", "shortlist": shortlist})
    if "error" in explained:
        explained = {"text": shortlist["explanation"]}
    parts = [_opening(state), explained["text"], assumptions_sentence(decision["assumptions"])]
    asks: list[str] = []
    history = dict(state["history"])
    if decision["follow_up"] and shortlist["recommendations"]:
        parts.append(question(decision["follow_up"]))
        asks = [decision["follow_up"]]
        history["optional_asked"] = True
    text = " ".join(part for part in parts if part)
    update = {
        "phase": "recommended",
        "recommended": [
            {"unitid": college["unitid"], "name": college["name"]}
            for college in shortlist["recommendations"]
        ],
        "asked": asks,
        "history": history,
        "transcript": [{"role": "coach", "text": text, "message_id": None}],
        "reply": _reply(state, text, asks),
    }
    return update, _entry(
        "present",
        "recommend",
        decision["reason"],
        score=decision["score"],
        shown=len(shortlist["recommendations"]),
        follow_up=decision["follow_up"],
    )


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
        "reply": _reply(state, prompts.TOOL_FAILED, []),
    }
    return update, _entry("tool_failed", "escalate(tool_failure)", error, urgent=False)


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
        "reply": _reply(state, text, []),
    }
    return update, _entry(
        "escalate",
        f"escalate({decision['escalation_reason']})",
        decision["reason"],
        score=decision["score"],
        urgent=decision["urgent"],
    )


def _reply(state: CoachState, text: str, asks: list[str]) -> dict:
    incoming = state.get("incoming") or []
    return {
        "text": text,
        "asks": asks,
        "in_reply_to": incoming[-1]["message_id"] if incoming else None,
    }
