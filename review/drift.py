"""Drift of the coach's domain signals: is the recent window unlike the baseline? (issue 7).

Pure: plain observations in, the signals that moved beyond their thresholds out. Nothing here
imports Django, because the settings import the signal names and `parse_drift_thresholds` to
validate `AVIATOR_DRIFT_THRESHOLDS` at start; `review.monitoring` gathers the observations
from the database and raises the alerts.

Every threshold is an *absolute* change (0.10 means "ten percentage points" for a rate): relative
changes explode on small rates (1% → 3% is "+200%") and would page admins about noise.
"""

import math
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from aviator.envparse import named_numbers

# What each signal measures, in words an admin reads in an alert.
SIGNALS: dict[str, str] = {
    "questions_before_recommendation": "mean coach questions before the first recommendation",
    "escalation_rate": "share of active conversations escalated to a counselor",
    "escalation_reason_mix": "distance between the escalation reason mixes",
    "guardrail_rate": "share of turns flagged by the guard",
    "tool_failure_rate": "share of tool calls that failed for good",
    "extraction_fallback_rate": "share of extraction steps that fell back to the rules",
    "fit_mix": "distance between the reach/match/likely mixes of shortlists",
    "recommendation_concentration": "share of recommended slots taken by the top 10 colleges",
    "labelled_bad_rate": "share of reviewed transcripts labelled bad",
}

RATE_THRESHOLD = 0.10
DISTANCE_THRESHOLD = 0.2
DEFAULT_THRESHOLDS: dict[str, float] = {
    "questions_before_recommendation": 1.0,
    "escalation_rate": RATE_THRESHOLD,
    "escalation_reason_mix": DISTANCE_THRESHOLD,
    "guardrail_rate": RATE_THRESHOLD,
    "tool_failure_rate": RATE_THRESHOLD,
    "extraction_fallback_rate": RATE_THRESHOLD,
    "fit_mix": DISTANCE_THRESHOLD,
    "recommendation_concentration": RATE_THRESHOLD,
    "labelled_bad_rate": RATE_THRESHOLD,
}
# Below this many conversations or events in either window a signal is not compared at all: a
# quiet night with two escalations out of five conversations is not a 40% escalation rate.
DEFAULT_MIN_SAMPLE = 20
TOP_COLLEGES = 10
FITS = ("reach", "match", "likely")

# One shortlist as (unitid, fit) pairs, in the order shown.
ShortlistItems = Sequence[tuple[int, str]]


@dataclass(frozen=True)
class WindowObservations:
    """What happened in one time window, as plain counts.

    `questions_before_recommendation` holds one number per conversation first recommended in the
    window; `shortlists` holds the shortlists created in the window, oldest first.
    """

    active_conversations: int = 0
    escalated_conversations: int = 0
    escalation_reasons: Mapping[str, int] = field(default_factory=dict)
    questions_before_recommendation: Sequence[int] = ()
    turns: int = 0
    flagged_turns: int = 0
    tool_calls: int = 0
    failed_tool_calls: int = 0
    extract_steps: int = 0
    extraction_fallbacks: int = 0
    shortlists: Sequence[ShortlistItems] = ()
    labels: int = 0
    bad_labels: int = 0


@dataclass(frozen=True)
class Comparison:
    """One signal in both windows: its values, the sample each rests on, the counts behind it."""

    recent_value: float
    baseline_value: float
    recent_sample: int
    baseline_sample: int
    recent_counts: dict[str, Any]
    baseline_counts: dict[str, Any]
    # For the mix signals: the category whose share grew the most (where to look first).
    largest_rise: str | None = None


@dataclass(frozen=True)
class Drift:
    """A signal that moved beyond its threshold."""

    signal: str
    recent_value: float
    baseline_value: float
    threshold: float
    recent_counts: dict[str, Any]
    baseline_counts: dict[str, Any]
    largest_rise: str | None = None

    @property
    def change(self) -> float:
        return self.recent_value - self.baseline_value

    @property
    def description(self) -> str:
        return SIGNALS[self.signal]

    def as_details(self) -> dict[str, Any]:
        details: dict[str, Any] = {
            "change": self.change,
            "recent": self.recent_counts,
            "baseline": self.baseline_counts,
        }
        if self.largest_rise is not None:
            details["largest_rise"] = self.largest_rise
        return details


def parse_drift_thresholds(spec: str) -> dict[str, float]:
    """`signal=number,...` → every signal's threshold (the defaults overridden by `spec`).

    Raises ValueError naming the unknown signal or the bad number, so a typo in the environment
    stops the process at start instead of silently keeping a default.
    """
    given = named_numbers(spec, known=SIGNALS, kind="drift signal")
    for name, value in given.items():
        if not math.isfinite(value) or value <= 0:
            raise ValueError(f"drift threshold {name}={value:g} must be a positive number")
    return {**DEFAULT_THRESHOLDS, **given}


def _ratio(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def _rate(
    recent: tuple[int, int], baseline: tuple[int, int], *, event: str, population: str
) -> Comparison:
    """`(events, population)` in each window → the share of the population with the event."""
    return Comparison(
        recent_value=_ratio(*recent),
        baseline_value=_ratio(*baseline),
        recent_sample=recent[1],
        baseline_sample=baseline[1],
        recent_counts={event: recent[0], population: recent[1]},
        baseline_counts={event: baseline[0], population: baseline[1]},
    )


def _shares(counts: Mapping[str, int]) -> dict[str, float]:
    total = sum(counts.values())
    return {name: _ratio(n, total) for name, n in counts.items()}


def total_variation_distance(recent: Mapping[str, int], baseline: Mapping[str, int]) -> float:
    """Half the summed difference of the two share vectors: 0 for the same mix, 1 for disjoint.

    Bounded and in share units, so one threshold reads the same for any number of categories.
    """
    recent_shares, baseline_shares = _shares(recent), _shares(baseline)
    names = recent_shares.keys() | baseline_shares.keys()
    return 0.5 * sum(abs(recent_shares.get(n, 0.0) - baseline_shares.get(n, 0.0)) for n in names)


def _mix(
    recent: Mapping[str, int],
    baseline: Mapping[str, int],
    *,
    recent_sample: int,
    baseline_sample: int,
    unit: str,
) -> Comparison:
    """A mix has no value of its own per window: the baseline is at distance 0 from itself and
    the recent window at its total variation distance from the baseline."""
    recent_shares, baseline_shares = _shares(recent), _shares(baseline)
    rises = {name: share - baseline_shares.get(name, 0.0) for name, share in recent_shares.items()}
    largest_rise = max(rises, key=lambda name: rises[name], default=None)
    return Comparison(
        recent_value=total_variation_distance(recent, baseline),
        baseline_value=0.0,
        recent_sample=recent_sample,
        baseline_sample=baseline_sample,
        recent_counts={"counts": dict(recent), "shares": recent_shares, unit: recent_sample},
        baseline_counts={
            "counts": dict(baseline),
            "shares": baseline_shares,
            unit: baseline_sample,
        },
        largest_rise=largest_rise if largest_rise and rises[largest_rise] > 0 else None,
    )


def _questions(recent: WindowObservations, baseline: WindowObservations) -> Comparison:
    def counts(window: WindowObservations) -> dict[str, Any]:
        asked = window.questions_before_recommendation
        return {"conversations": len(asked), "questions": sum(asked)}

    def mean(window: WindowObservations) -> float:
        asked = window.questions_before_recommendation
        return _ratio(sum(asked), len(asked))

    return Comparison(
        recent_value=mean(recent),
        baseline_value=mean(baseline),
        recent_sample=len(recent.questions_before_recommendation),
        baseline_sample=len(baseline.questions_before_recommendation),
        recent_counts=counts(recent),
        baseline_counts=counts(baseline),
    )


def _escalation_rate(recent: WindowObservations, baseline: WindowObservations) -> Comparison:
    return _rate(
        (recent.escalated_conversations, recent.active_conversations),
        (baseline.escalated_conversations, baseline.active_conversations),
        event="escalated",
        population="conversations",
    )


def _escalation_reason_mix(recent: WindowObservations, baseline: WindowObservations) -> Comparison:
    return _mix(
        recent.escalation_reasons,
        baseline.escalation_reasons,
        recent_sample=sum(recent.escalation_reasons.values()),
        baseline_sample=sum(baseline.escalation_reasons.values()),
        unit="escalations",
    )


def _guardrail_rate(recent: WindowObservations, baseline: WindowObservations) -> Comparison:
    return _rate(
        (recent.flagged_turns, recent.turns),
        (baseline.flagged_turns, baseline.turns),
        event="flagged",
        population="turns",
    )


def _tool_failure_rate(recent: WindowObservations, baseline: WindowObservations) -> Comparison:
    return _rate(
        (recent.failed_tool_calls, recent.tool_calls),
        (baseline.failed_tool_calls, baseline.tool_calls),
        event="failed",
        population="tool_calls",
    )


def _extraction_fallback_rate(
    recent: WindowObservations, baseline: WindowObservations
) -> Comparison:
    return _rate(
        (recent.extraction_fallbacks, recent.extract_steps),
        (baseline.extraction_fallbacks, baseline.extract_steps),
        event="fallbacks",
        population="extract_steps",
    )


def _fit_counts(shortlists: Sequence[ShortlistItems]) -> dict[str, int]:
    counts = Counter(fit for shortlist in shortlists for _, fit in shortlist)
    return {fit: counts.get(fit, 0) for fit in sorted(set(FITS) | counts.keys())}


def _fit_mix(recent: WindowObservations, baseline: WindowObservations) -> Comparison:
    # The sample is shortlists, not colleges: the colleges of one list come from one profile and
    # move together, so 20 colleges from two lists are two observations, not twenty.
    return _mix(
        _fit_counts(recent.shortlists),
        _fit_counts(baseline.shortlists),
        recent_sample=len(recent.shortlists),
        baseline_sample=len(baseline.shortlists),
        unit="shortlists",
    )


def _top_share(shortlists: Sequence[ShortlistItems]) -> tuple[float, list[tuple[int, int]]]:
    """The share of all recommended slots taken by the most recommended colleges, and those
    colleges as (unitid, times recommended)."""
    counts = Counter(unitid for shortlist in shortlists for unitid, _ in shortlist)
    top = counts.most_common(TOP_COLLEGES)
    return _ratio(sum(n for _, n in top), counts.total()), top


def _recommendation_concentration(
    recent: WindowObservations, baseline: WindowObservations
) -> Comparison:
    """The baseline is measured over chunks as large as the recent window, then averaged.

    The top-10 share of a small sample is biased upwards (few lists, few distinct colleges), and
    the recent day is always far smaller than two weeks of baseline; comparing the day against the
    two weeks as a whole would raise this alert on perfectly stable data.
    """
    size = max(len(recent.shortlists), 1)
    full_chunks = [
        baseline.shortlists[start : start + size]
        for start in range(0, len(baseline.shortlists) - size + 1, size)
    ]
    chunks = full_chunks or [baseline.shortlists]
    baseline_value = sum(_top_share(chunk)[0] for chunk in chunks) / len(chunks)
    recent_value, recent_top = _top_share(recent.shortlists)
    _, baseline_top = _top_share(baseline.shortlists)
    return Comparison(
        recent_value=recent_value,
        baseline_value=baseline_value,
        recent_sample=len(recent.shortlists),
        baseline_sample=len(baseline.shortlists),
        recent_counts={
            "shortlists": len(recent.shortlists),
            "slots": sum(len(s) for s in recent.shortlists),
            "top_colleges": [list(pair) for pair in recent_top],
        },
        baseline_counts={
            "shortlists": len(baseline.shortlists),
            "slots": sum(len(s) for s in baseline.shortlists),
            "chunks_of": size,
            "chunks": len(chunks),
            "top_colleges": [list(pair) for pair in baseline_top],
        },
    )


def _labelled_bad_rate(recent: WindowObservations, baseline: WindowObservations) -> Comparison:
    return _rate(
        (recent.bad_labels, recent.labels),
        (baseline.bad_labels, baseline.labels),
        event="bad",
        population="labels",
    )


MEASURES: dict[str, Callable[[WindowObservations, WindowObservations], Comparison]] = {
    "questions_before_recommendation": _questions,
    "escalation_rate": _escalation_rate,
    "escalation_reason_mix": _escalation_reason_mix,
    "guardrail_rate": _guardrail_rate,
    "tool_failure_rate": _tool_failure_rate,
    "extraction_fallback_rate": _extraction_fallback_rate,
    "fit_mix": _fit_mix,
    "recommendation_concentration": _recommendation_concentration,
    "labelled_bad_rate": _labelled_bad_rate,
}


def compare_windows(
    recent: WindowObservations,
    baseline: WindowObservations,
    *,
    thresholds: Mapping[str, float] | None = None,
    min_sample: int = DEFAULT_MIN_SAMPLE,
) -> list[Drift]:
    """The signals whose absolute change from `baseline` to `recent` exceeds their threshold.

    `thresholds` overrides the defaults per signal. A signal with fewer than `min_sample`
    conversations or events in either window is skipped: with small numbers, chance alone moves
    a rate by more than any useful threshold.
    """
    limits = {**DEFAULT_THRESHOLDS, **(thresholds or {})}
    drifts = []
    for signal, measure in MEASURES.items():
        comparison = measure(recent, baseline)
        if min(comparison.recent_sample, comparison.baseline_sample) < min_sample:
            continue
        if abs(comparison.recent_value - comparison.baseline_value) <= limits[signal]:
            continue
        drifts.append(
            Drift(
                signal=signal,
                recent_value=comparison.recent_value,
                baseline_value=comparison.baseline_value,
                threshold=limits[signal],
                recent_counts=comparison.recent_counts,
                baseline_counts=comparison.baseline_counts,
                largest_rise=comparison.largest_rise,
            )
        )
    return drifts
