"""The drift comparison on plain observations: no database, one behaviour per test."""

import random
from dataclasses import replace

import pytest

from review.drift import (
    DEFAULT_THRESHOLDS,
    SIGNALS,
    WindowObservations,
    compare_windows,
    parse_drift_thresholds,
)


def shortlists(count: int, *, fits=("reach", "match", "match", "likely", "likely")):
    """`count` shortlists from the same pool of 40 colleges, each with the same fit mix."""
    return tuple(tuple(((n * 7 + i) % 40, fit) for i, fit in enumerate(fits)) for n in range(count))


def window(scale: int = 1) -> WindowObservations:
    """A healthy window; `scale` multiplies every count without changing any rate or mix."""
    return WindowObservations(
        active_conversations=100 * scale,
        escalated_conversations=5 * scale,
        escalation_reasons={"requested": 15 * scale, "stuck": 10 * scale},
        questions_before_recommendation=(3, 4, 5, 4) * 10 * scale,
        turns=500 * scale,
        flagged_turns=10 * scale,
        tool_calls=200 * scale,
        failed_tool_calls=2 * scale,
        extract_steps=400 * scale,
        extraction_fallbacks=4 * scale,
        shortlists=shortlists(40 * scale),
        labels=30 * scale,
        bad_labels=3 * scale,
    )


BASELINE = window(scale=14)


def test_stable_data_raises_nothing():
    assert compare_windows(window(), BASELINE) == []


def test_a_shift_beyond_the_threshold_is_reported_with_its_numbers():
    recent = replace(window(), escalated_conversations=30)
    [drift] = compare_windows(recent, BASELINE)
    assert (
        drift.signal,
        drift.recent_value,
        drift.baseline_value,
        drift.threshold,
        drift.recent_counts,
        drift.baseline_counts,
    ) == (
        "escalation_rate",
        0.30,
        0.05,
        0.10,
        {"escalated": 30, "conversations": 100},
        {"escalated": 70, "conversations": 1400},
    )


def test_a_shift_on_a_small_sample_raises_nothing():
    recent = replace(window(), active_conversations=10, escalated_conversations=8)
    assert compare_windows(recent, BASELINE, min_sample=20) == []


def test_a_custom_threshold_is_honoured():
    recent = replace(window(), escalated_conversations=13)
    by_default = compare_windows(recent, BASELINE)
    tighter = compare_windows(recent, BASELINE, thresholds={"escalation_rate": 0.05})
    assert (by_default, [d.signal for d in tighter]) == ([], ["escalation_rate"])


def test_more_questions_before_a_recommendation_is_a_drift():
    recent = replace(window(), questions_before_recommendation=(6, 5, 6, 7) * 10)
    [drift] = compare_windows(recent, BASELINE)
    assert (drift.signal, drift.baseline_value, drift.recent_value) == (
        "questions_before_recommendation",
        4.0,
        6.0,
    )


def test_a_changed_fit_mix_names_the_fit_that_grew():
    recent = replace(window(), shortlists=shortlists(40, fits=("reach",) * 4 + ("match",)))
    [drift] = compare_windows(recent, BASELINE)
    assert (drift.signal, round(drift.recent_value, 2), drift.largest_rise) == (
        "fit_mix",
        0.6,
        "reach",
    )


def test_a_changed_escalation_reason_mix_is_a_drift():
    recent = replace(window(), escalation_reasons={"requested": 5, "tool_failure": 20})
    [drift] = compare_windows(recent, BASELINE)
    assert (drift.signal, drift.recent_value, drift.largest_rise) == (
        "escalation_reason_mix",
        0.8,
        "tool_failure",
    )


def test_a_few_colleges_taking_over_the_lists_is_a_drift():
    # Three colleges fill every list, in the same reach/match/likely mix as before.
    same_three = ((1, "reach"), (2, "match"), (3, "likely"), (1, "likely"), (2, "match"))
    recent = replace(window(), shortlists=(same_three,) * 40)
    [drift] = compare_windows(recent, BASELINE)
    assert (drift.signal, drift.recent_value) == ("recommendation_concentration", 1.0)


def test_a_smaller_recent_window_alone_does_not_read_as_concentration():
    # Drawn from one wide catalog in both windows: a day's few lists repeat fewer colleges than
    # two weeks' worth would suggest, so comparing against the whole baseline would alert.
    draw = random.Random(7)

    def lists(count: int):
        return tuple(tuple((draw.randrange(2000), "match") for _ in range(6)) for _ in range(count))

    recent = replace(window(), shortlists=lists(20))
    baseline = replace(BASELINE, shortlists=lists(280))
    assert compare_windows(recent, baseline) == []


def test_thresholds_from_the_environment_override_the_defaults():
    thresholds = parse_drift_thresholds("escalation_rate=0.05, tool_failure_rate=0.2")
    assert thresholds == {**DEFAULT_THRESHOLDS, "escalation_rate": 0.05, "tool_failure_rate": 0.2}


def test_every_signal_has_a_default_threshold():
    assert DEFAULT_THRESHOLDS.keys() == SIGNALS.keys()


@pytest.mark.parametrize(
    ("spec", "complaint"),
    [
        ("escalation_ratio=0.05", "unknown drift signal 'escalation_ratio'"),
        ("escalation_rate=lots", "needs a number, not 'lots'"),
        ("escalation_rate=-0.1", "must be a positive number"),
        ("escalation_rate=nan", "must be a positive number"),
    ],
)
def test_a_bad_threshold_spec_is_refused(spec, complaint):
    with pytest.raises(ValueError, match=complaint):
        parse_drift_thresholds(spec)
