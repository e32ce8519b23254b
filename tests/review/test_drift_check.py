"""The drift check against the database: seeded windows (rows with explicit timestamps, not whole
coach runs), the alerts it raises, and who hears about them."""

from datetime import timedelta

import pytest
from django.utils import timezone

from coach.models import (
    Conversation,
    DecisionTrace,
    Escalation,
    Shortlist,
    ToolCall,
    ToolCallStatus,
)
from review.models import Alert, TranscriptLabel, Verdict
from review.monitoring import drift_check, window_observations
from review.tasks import check_drift

pytestmark = pytest.mark.django_db

NOW = timezone.now().replace(microsecond=0)
RECENT = NOW - timedelta(hours=2)
BASELINE = NOW - timedelta(days=3)


def trace(conversation, *, turn, step, node, decision, at):
    return DecisionTrace.objects.create(
        conversation=conversation,
        turn=turn,
        step=step,
        node=node,
        decision=decision,
        reason="seeded",
        latency_ms=1.0,
        created=at,
    )


def seed(family, *, conversations: int, escalated: int, at) -> list[Conversation]:
    """`conversations` conversations with one coach turn at `at`, the first `escalated` of them
    handed to a counselor then."""
    seeded = []
    for n in range(conversations):
        conversation = Conversation.objects.create(family=family, created=at)
        trace(conversation, turn=1, step=0, node="guard", decision="pass", at=at)
        if n < escalated:
            Escalation.objects.create(
                conversation=conversation, reason="requested", packet={}, created=at
            )
        seeded.append(conversation)
    return seeded


@pytest.fixture
def baseline(family_alice):
    """Two weeks of 100 conversations, 5% escalated."""
    return seed(family_alice, conversations=100, escalated=5, at=BASELINE)


@pytest.fixture
def stable(family_alice, baseline):
    """The last day like the baseline: 40 conversations, 5% escalated."""
    return seed(family_alice, conversations=40, escalated=2, at=RECENT)


@pytest.fixture
def shifted(family_alice, baseline):
    """The last day with 40% of 40 conversations escalated."""
    return seed(family_alice, conversations=40, escalated=16, at=RECENT)


def test_it_raises_an_alert_on_a_shift_in_escalation_rate(shifted):
    [alert] = drift_check(now=NOW)
    assert (alert.signal, alert.recent_value, alert.baseline_value, alert.threshold) == (
        "escalation_rate",
        0.4,
        0.05,
        0.1,
    )


def test_the_alert_keeps_the_counts_behind_both_values(shifted):
    [alert] = drift_check(now=NOW)
    assert (alert.details["recent"], alert.details["baseline"]) == (
        {"escalated": 16, "conversations": 40},
        {"escalated": 5, "conversations": 100},
    )


def test_it_raises_nothing_on_stable_data(stable):
    assert (drift_check(now=NOW), Alert.objects.count()) == ([], 0)


def test_it_does_not_raise_the_same_alert_again_within_the_recent_window(shifted):
    drift_check(now=NOW)
    again = drift_check(now=NOW + timedelta(hours=1))
    assert (again, Alert.objects.count()) == ([], 1)


def test_it_raises_again_once_the_alert_was_acknowledged(shifted, admin_dan):
    drift_check(now=NOW)
    Alert.objects.update(acknowledged_at=NOW, acknowledged_by=admin_dan)
    again = drift_check(now=NOW + timedelta(hours=1))
    assert [alert.signal for alert in again] == ["escalation_rate"]


def test_the_examples_are_escalated_conversations_of_the_recent_window(shifted):
    [alert] = drift_check(now=NOW)
    escalated_recently = {str(c.id) for c in shifted[:16]}
    examples = alert.details["examples"]
    assert (len(examples), set(examples) <= escalated_recently) == (5, True)


def test_admins_are_emailed_once(
    shifted, admin_dan, counselor_carol, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        drift_check(now=NOW)
    with django_capture_on_commit_callbacks(execute=True):
        drift_check(now=NOW + timedelta(hours=1))
    assert [message.to for message in mailoutbox] == [[admin_dan.email]]


def test_the_email_links_the_example_conversations_and_the_dashboard(
    shifted, admin_dan, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        [alert] = drift_check(now=NOW)
    body = mailoutbox[0].body
    example = alert.details["examples"][0]
    assert (
        f"/staff/review/conversations/{example}/" in body,
        "/staff/dashboard/" in body,
        "from 0.05 to 0.4" in body,
    ) == (True, True, True)


def test_sentry_gets_a_warning_tagged_with_the_signal(
    shifted, sentry_events, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        drift_check(now=NOW)
    messages = [event for event in sentry_events.events() if event.get("message")]
    assert [(event["level"], event["tags"]["signal"]) for event in messages] == [
        ("warning", "escalation_rate")
    ]


def test_nothing_is_sent_before_the_alert_is_committed(
    shifted, admin_dan, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        drift_check(now=NOW)
    assert (len(mailoutbox), len(callbacks)) == (0, 2)


def test_the_beat_task_runs_the_check(shifted):
    # The task reads the real clock; seeded two hours ago, the shift is inside its recent window.
    assert check_drift.apply().get() == 1


def test_a_window_reads_every_signal_from_the_trace(family_alice):
    conversation = Conversation.objects.create(family=family_alice, created=RECENT)
    steps = [
        (1, "guard", "pass"),
        (1, "ask", "ask(major)"),
        (2, "guard", "flag"),
        (2, "extract", "fallback"),
        (2, "ask", "ask(budget)"),
        (3, "guard", "pass"),
        (3, "extract", "updated"),
        (3, "present", "recommend"),
        (4, "ask", "ask(size)"),
    ]
    for step, (turn, node, decision) in enumerate(steps):
        trace(conversation, turn=turn, step=step, node=node, decision=decision, at=RECENT)
    for status in (ToolCallStatus.DONE, ToolCallStatus.FAILED, ToolCallStatus.QUEUED):
        ToolCall.objects.create(
            key=f"{conversation.id}:{status}",
            conversation=conversation,
            turn=3,
            tool="search_colleges",
            interrupt_id="i",
            payload={},
            status=status,
            finished_at=None if status == ToolCallStatus.QUEUED else RECENT,
        )
    Shortlist.objects.create(
        conversation=conversation,
        turn=3,
        items=[{"unitid": 1, "fit": "reach"}, {"unitid": 2, "fit": "likely"}],
        qualifying=2,
        explanation="",
        created=RECENT,
    )
    TranscriptLabel.objects.create(conversation=conversation, verdict=Verdict.WRONG_FACT)
    TranscriptLabel.objects.update(created=RECENT)
    observed = window_observations(start=NOW - timedelta(hours=24), end=NOW)
    assert (
        observed.active_conversations,
        observed.questions_before_recommendation,
        (observed.flagged_turns, observed.turns),
        (observed.extraction_fallbacks, observed.extract_steps),
        (observed.failed_tool_calls, observed.tool_calls),
        observed.shortlists,
        (observed.bad_labels, observed.labels),
    ) == (1, (2,), (1, 3), (1, 2), (1, 2), (((1, "reach"), (2, "likely")),), (1, 1))
