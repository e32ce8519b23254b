"""The context-sufficiency gate (DESIGN.md §4): workflow code, not the model, decides when the
coach stops asking and starts recommending.

`decide` is a pure function of the profile, the question history and this turn's signals.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from coach.profile import REQUIRED_TOPICS, SLOT_TOPIC, topic_is_known

DEFAULT_QUESTION_BUDGET = 6
# A required fact read with less confidence than this is not built upon: a person confirms it.
LOW_CONFIDENCE = 0.5
# Off-topic or manipulative messages tolerated (each gets a polite redirect) before a person looks.
OUT_OF_LANE_STRIKES = 3
# Two unusable answers on one topic: stop asking it, assume and say so.
MAX_FAILED_ATTEMPTS = 2
# ...and when that happens to this many required topics, the coach is not getting through.
STUCK_AFTER_ASSUMED_TOPICS = 2

# What the coach assumes for a required topic it could not learn, in words for the family.
ASSUMPTIONS: dict[str, str] = {
    "major": "no particular major (undecided)",
    "academics": "no grades or scores, so fit is judged by admission rates only",
    "budget": "no budget limit",
    "location": "anywhere in the U.S.",
}


@dataclass(frozen=True)
class GateHistory:
    questions_asked: int = 0
    failed_attempts: Mapping[str, int] = field(default_factory=dict)
    clarified_slots: frozenset[str] = frozenset()
    declined: frozenset[str] = frozenset()
    optional_asked: bool = False


@dataclass(frozen=True)
class TurnSignals:
    """What this turn's message asked for, beyond facts."""

    crisis: bool = False
    wants_human: bool = False
    just_show_me: bool = False
    rejected_slots: tuple[str, ...] = ()
    # Messages so far (this one included) that were off-topic or tried to manipulate the coach.
    out_of_lane_strikes: int = 0
    # Required slots whose value this turn was read with low confidence.
    unsure_slots: tuple[str, ...] = ()


@dataclass(frozen=True)
class SufficiencyDecision:
    action: Literal["ask", "recommend", "escalate"]
    reason: str
    score: float
    topic: str | None = None
    clarification: bool = False
    assumptions: Mapping[str, str] = field(default_factory=dict)
    escalation_reason: str | None = None
    urgent: bool = False
    # An optional question asked together with the recommendation, when its answer could change
    # the shortlist (value of information).
    follow_up: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "action": self.action,
            "reason": self.reason,
            "score": self.score,
            "topic": self.topic,
            "clarification": self.clarification,
            "assumptions": dict(self.assumptions),
            "escalation_reason": self.escalation_reason,
            "urgent": self.urgent,
            "follow_up": self.follow_up,
        }


def _assumptions_for(topics: list[str]) -> dict[str, str]:
    return {topic: ASSUMPTIONS[topic] for topic in topics}


# Given the profile, the optional topic whose answer would change the shortlist, if any.
OptionalTopicPicker = Callable[[Mapping[str, Any]], str | None]


def sufficiency_score(
    profile: Mapping[str, Any], assumed: Mapping[str, str] | None = None
) -> float:
    """The share of required topics known (an assumed topic counts half)."""
    assumed = assumed or {}
    known = sum(topic_is_known(profile, topic) for topic in REQUIRED_TOPICS)
    partial = sum(0.5 for topic in assumed if not topic_is_known(profile, topic))
    return round((known + partial) / len(REQUIRED_TOPICS), 3)


def _recommend(
    profile: Mapping[str, Any],
    history: GateHistory,
    reason: str,
    assumptions: Mapping[str, str],
    pick_optional_topic: OptionalTopicPicker | None,
) -> SufficiencyDecision:
    follow_up = None
    if pick_optional_topic is not None and not history.optional_asked:
        candidate = pick_optional_topic(profile)
        if (
            candidate
            and candidate not in history.declined
            and not topic_is_known(profile, candidate)
        ):
            follow_up = candidate
    return SufficiencyDecision(
        action="recommend",
        reason=reason,
        score=sufficiency_score(profile, assumptions),
        assumptions=assumptions,
        follow_up=follow_up,
    )


def decide(
    profile: Mapping[str, Any],
    history: GateHistory,
    signals: TurnSignals,
    *,
    question_budget: int = DEFAULT_QUESTION_BUDGET,
    pick_optional_topic: OptionalTopicPicker | None = None,
) -> SufficiencyDecision:
    """What the coach does next. The rules, in order:

    1. a crisis or a request for a person escalates at once; so does a third off-topic or
       manipulative message, and a required fact read with low confidence;
    2. the four required topics known → recommend, on this very turn;
    3. "just show me schools" → recommend now, stating assumptions for what is unknown;
    4. an impossible value just given for a topic still unknown → one clarifying question for
       that slot (once per slot);
    5. topics declined or failed twice are assumed; two topics failed twice → escalate as stuck;
    6. question budget spent → recommend with assumptions (or escalate if too little is known);
    7. otherwise ask the first required topic still unknown — never a known one.
    """
    missing = [topic for topic in REQUIRED_TOPICS if not topic_is_known(profile, topic)]
    score = sufficiency_score(profile)
    escalation = _escalation_called_for(signals, score)
    if escalation is not None:
        return escalation
    if not missing:
        return _recommend(
            profile, history, "all four required topics are known", {}, pick_optional_topic
        )
    if signals.just_show_me:
        return _recommend(
            profile,
            history,
            f"the family asked for schools now; assuming {', '.join(missing)}",
            _assumptions_for(missing),
            pick_optional_topic,
        )
    clarification = _clarification_called_for(signals, history, missing, score, question_budget)
    if clarification is not None:
        return clarification
    return _ask_assume_or_stop(
        profile, history, missing, score, question_budget, pick_optional_topic
    )


def _escalation_called_for(signals: TurnSignals, score: float) -> SufficiencyDecision | None:
    """Rule 1: what hands the conversation to a person whatever is known."""
    if signals.crisis:
        return SufficiencyDecision(
            "escalate",
            "the family disclosed a safety concern",
            score,
            escalation_reason="crisis",
            urgent=True,
        )
    if signals.wants_human:
        return SufficiencyDecision(
            "escalate", "the family asked for a person", score, escalation_reason="requested"
        )
    if signals.out_of_lane_strikes >= OUT_OF_LANE_STRIKES:
        return SufficiencyDecision(
            "escalate",
            f"{signals.out_of_lane_strikes} messages outside college planning or trying to "
            "manipulate the coach",
            score,
            escalation_reason="out_of_lane",
        )
    if signals.unsure_slots:
        return SufficiencyDecision(
            "escalate",
            f"unsure of {', '.join(signals.unsure_slots)}; a person should confirm before a list",
            score,
            escalation_reason="low_confidence",
        )
    return None


def _clarification_called_for(
    signals: TurnSignals,
    history: GateHistory,
    missing: list[str],
    score: float,
    question_budget: int,
) -> SufficiencyDecision | None:
    """Rule 4: one clarifying question for an impossible value of a topic still unknown."""
    for slot in signals.rejected_slots:
        topic = SLOT_TOPIC[slot]
        # A topic already known is never asked again: the impossible value is only mentioned.
        if (
            topic in missing
            and slot not in history.clarified_slots
            and (history.questions_asked < question_budget)
        ):
            return SufficiencyDecision(
                "ask",
                f"the {slot} given is impossible; clarifying it once",
                score,
                topic=topic,
                clarification=True,
            )
    return None


def _ask_assume_or_stop(
    profile: Mapping[str, Any],
    history: GateHistory,
    missing: list[str],
    score: float,
    question_budget: int,
    pick_optional_topic: OptionalTopicPicker | None,
) -> SufficiencyDecision:
    """Rules 5 to 7: assume what was declined or failed, stop when stuck or out of questions,
    else ask the first required topic still unknown."""
    failed_out = [
        topic for topic in missing if history.failed_attempts.get(topic, 0) >= MAX_FAILED_ATTEMPTS
    ]
    # A topic the family declined is simply assumed; one it could not answer is a bad sign.
    given_up = [topic for topic in missing if topic in history.declined or topic in failed_out]
    if len(failed_out) >= STUCK_AFTER_ASSUMED_TOPICS:
        return SufficiencyDecision(
            "escalate",
            f"no usable answer on {', '.join(failed_out)}",
            score,
            escalation_reason="stuck",
        )
    assumptions = _assumptions_for(given_up)
    still_askable = [topic for topic in missing if topic not in given_up]
    if not still_askable:
        return _recommend(
            profile,
            history,
            f"every remaining topic was declined or unanswerable; assuming {', '.join(given_up)}",
            assumptions,
            pick_optional_topic,
        )
    if history.questions_asked >= question_budget:
        if len(missing) <= len(REQUIRED_TOPICS) // 2:
            return _recommend(
                profile,
                history,
                f"question budget of {question_budget} spent; assuming {', '.join(missing)}",
                _assumptions_for(missing),
                pick_optional_topic,
            )
        return SufficiencyDecision(
            "escalate",
            f"question budget of {question_budget} spent with {', '.join(missing)} unknown",
            score,
            escalation_reason="stuck",
        )
    topic = still_askable[0]
    known = [t for t in REQUIRED_TOPICS if t not in missing]
    return SufficiencyDecision(
        "ask",
        f"{topic} is the first required topic still unknown"
        + (f" (known: {', '.join(known)})" if known else ""),
        score,
        topic=topic,
        assumptions=assumptions,
    )
