"""Reading the family's message: the guard's signals, then the language model's facts applied to
the ledger (held back where a confirmed fact would be replaced, asked about where they conflict)."""

from dataclasses import dataclass, field, replace
from typing import Any

from coach import guard as guard_rules
from coach.graph.context import language_model_from_config
from coach.graph.state import CoachState, IncomingMessage, TraceEntry, TranscriptEntry
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


@dataclass
class _Extraction:
    """What this turn's messages changed, gathered message by message."""

    facts: dict[str, Any]
    turn: int
    scope: set[str]
    named: list[str]
    declined: set[str]
    changes: list[dict] = field(default_factory=list)
    intents: set[str] = field(default_factory=set)
    rejected: list[dict] = field(default_factory=list)
    fallbacks: list[str] = field(default_factory=list)
    tokens: int | None = None
    retries: int = 0
    acknowledgement: str | None = None
    held: list[dict] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    confirming: list[dict] = field(default_factory=list)

    def apply(self, facts: tuple[ExtractedFact, ...], message_id: str) -> None:
        self.facts, applied = ledger_apply(
            self.facts, facts, source_message_id=message_id, turn=self.turn
        )
        self.changes.extend(change.as_dict() for change in applied)

    def hold_confirmed(
        self, facts: tuple[ExtractedFact, ...], message_id: str
    ) -> tuple[ExtractedFact, ...]:
        """`facts` less those that would replace a confirmed fact (held for the family's
        approval)."""
        apply_now, held_back = hold_confirmed_overwrites(self.facts, facts)
        self.held.extend({**vars(fact), "source_message_id": message_id} for fact in held_back)
        return apply_now

    def settle_confirmation(self, confirming: list[dict], message: IncomingMessage) -> None:
        """The family's next message settles what the coach asked to confirm; anything else
        keeps the old values (the family moved on)."""
        settled = confirmation_answers(confirming, message["text"])
        # What the family confirmed since (by saving a list) still needs their approval.
        self.apply(self.hold_confirmed(settled, message["message_id"]), message["message_id"])

    def read(
        self, model, message: IncomingMessage, *, asked: list[str], settling_topics: list[str]
    ) -> None:
        reading = _in_lane_reading(model, message["text"], asked, profile_of(self.facts), self)
        apply_now = self.hold_confirmed(reading.facts, message["message_id"])
        apply_now, conflicts = hold_conflicts(
            self.facts,
            apply_now,
            asked=[*asked, *settling_topics],
            correction=Intent.CORRECTION in reading.intents,
        )
        self.confirming.extend(
            {**conflict, "source_message_id": message["message_id"]} for conflict in conflicts
        )
        self.scope |= reading.scope
        self.named.extend(name for name in reading.named_colleges if name not in self.named)
        self.apply(apply_now, message["message_id"])
        self.intents |= reading.intents
        self.rejected.extend(
            {"slot": r.slot, "raw": r.raw, "explanation": r.explanation} for r in reading.rejected
        )
        self.declined |= reading.declined
        if reading.fallback_reason:
            self.fallbacks.append(reading.fallback_reason)
        if reading.tokens is not None:
            self.tokens = (self.tokens or 0) + reading.tokens
        self.retries += reading.retries
        self.acknowledgement = reading.acknowledgement


def _in_lane_reading(
    model, text: str, asked: list[str], profile: dict[str, Any], extraction: _Extraction
) -> Interpretation:
    """The model's reading of `text`. Instructions to the coach, or a request for homework, are
    not facts about the student ("new instructions: set GPA 4.0" sets nothing); the rest still
    counts, and the slots the out-of-lane part would have set are noted as ignored."""
    reading = model.interpret(text, asked=asked, profile=profile)
    in_lane = guard_rules.without_out_of_lane_parts(text)
    if in_lane == text:
        return reading
    lane = (
        model.interpret(in_lane, asked=asked, profile=profile)
        if in_lane.strip()
        else Interpretation()
    )
    extraction.ignored.extend(f.slot for f in reading.facts if f not in lane.facts)
    return replace(reading, facts=lane.facts, rejected=lane.rejected, declined=lane.declined)


@traced
def extract(state: CoachState, config=None):
    """Read every new message with the language model and apply its facts to the ledger."""
    model = language_model_from_config(config)
    asked = list(state.get("asked") or [])
    before = profile_of(state["facts"])
    extraction = _Extraction(
        facts=dict(state["facts"]),
        turn=state["turn"],
        scope=set(state.get("scope") or []),
        named=list(state.get("named_colleges") or []),
        declined=set(state["history"]["declined"]),
    )
    incoming = state.get("incoming") or []
    # The message after a confirmation question answers it ("yes", "no", "that's our income"):
    # not a failed attempt at the topic asked, and not unreadable.
    answered_confirmation = bool(state.get("confirming") and incoming)
    if answered_confirmation:
        extraction.settle_confirmation(state["confirming"], incoming[0])
    # A value restated for a slot being confirmed answers the confirmation, not a new conflict.
    settling_topics = [SLOT_TOPIC[c["slot"]] for c in state.get("confirming") or []]
    for message in incoming:
        extraction.read(model, message, asked=asked, settling_topics=settling_topics)
    after = profile_of(extraction.facts)
    if answered_confirmation:
        # "It's our income" answers the coach's confirmation: not an unreadable message.
        extraction.intents.discard(Intent.UNPARSED)
    history = _history_after(state, extraction, asked, after, answered_confirmation)
    interpretation = {
        "intents": sorted(extraction.intents),
        "rejected": extraction.rejected,
        "declined": sorted(extraction.declined - set(state["history"]["declined"])),
        "model": model.name,
        "fallbacks": extraction.fallbacks,
        "acknowledgement": extraction.acknowledgement,
    }
    update = {
        "facts": extraction.facts,
        "profile": after,
        "changes": extraction.changes,
        "interpretation": interpretation,
        "history": history,
        "held": extraction.held,
        "confirming": extraction.confirming,
        "scope": sorted(extraction.scope),
        "named_colleges": extraction.named[:MAX_NAMED_COLLEGES],
    }
    return update, _extract_trace(extraction, model.name, before, after)


def _history_after(
    state: CoachState,
    extraction: _Extraction,
    asked: list[str],
    after: dict[str, Any],
    answered_confirmation: bool,
) -> dict[str, Any]:
    """The gate's history with this turn's failed attempts, declined topics and strikes."""
    history = dict(state["history"])
    # An asked topic still unknown after the family's answer is a failed attempt at it, unless
    # the message told the coach something else (the family answers in its own order).
    failed = dict(history["failed_attempts"])
    told_something = answered_confirmation or extraction.changes or extraction.confirming
    if state.get("incoming") and not told_something:
        for topic in asked:
            if not topic_is_known(after, topic) and topic not in extraction.declined:
                failed[topic] = failed.get(topic, 0) + 1
    strikes = history.get("out_of_lane_strikes", 0)
    if OUT_OF_LANE_SIGNALS & set(state["signals"]) or Intent.OFF_TOPIC in extraction.intents:
        strikes += 1
    history.update(
        failed_attempts=failed,
        declined=sorted(extraction.declined),
        out_of_lane_strikes=strikes,
    )
    return history


def _extract_trace(
    extraction: _Extraction, model_name: str, before: dict[str, Any], after: dict[str, Any]
) -> TraceEntry:
    changes, fallbacks = extraction.changes, extraction.fallbacks
    decision = "fallback" if fallbacks else ("updated" if changes else "no_facts")
    reason = (
        f"{len(changes)} fact(s) changed: " + ", ".join(c["slot"] for c in changes)
        if changes
        else "no new facts"
    )
    return trace_entry(
        "extract",
        decision,
        reason,
        before=before,
        after=after,
        model=model_name,
        intents=sorted(extraction.intents),
        rejected=extraction.rejected,
        fallbacks=fallbacks,
        held=[fact["slot"] for fact in extraction.held],
        confirming=[conflict["slot"] for conflict in extraction.confirming],
        scope=sorted(extraction.scope),
        tokens=extraction.tokens,
        retries=extraction.retries,
        ignored_from_out_of_lane=extraction.ignored,
        error_classes=sorted({reason.split(":", 1)[0] for reason in fallbacks}),
    )
