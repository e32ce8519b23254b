"""Reading the family's message: the guard's signals, then the language model's facts applied to
the ledger (held back where a confirmed fact would be replaced, asked about where they conflict)."""

from dataclasses import replace
from typing import Any

from coach import guard as guard_rules
from coach.graph.context import language_model_from_config
from coach.graph.state import CoachState, TranscriptEntry
from coach.graph.tracing import trace_entry, traced
from coach.language.base import ExtractedFact, Intent, Interpretation
from coach.language.intents import MAX_NAMED_COLLEGES
from coach.language.phrasing import (
    confirmation_answers,
)
from coach.ledger import (
    hold_confirmed_overwrites,
    hold_conflicts,
    ledger_apply,
    profile_of,
)
from coach.profile import SLOT_TOPIC, topic_is_known

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
    return update, trace_entry("guard", "flag" if guarded else "pass", reason, signals=signals)


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
    return update, trace_entry(
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
