"""Drift monitoring (issue 7): read each window's domain signals from the database, compare the
recent window with the baseline (`review.drift`), and raise an `Alert` for every signal that
moved beyond its threshold — on the admin dashboard, to Sentry as a message, and by e-mail to the
admins, with the numbers and example conversations.

Windows are half-open, `[start, end)`: the baseline ends where the recent window starts, so no
event counts in both.
"""

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sentry_sdk
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Count, Exists, Min, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from aviator.roles import Role
from coach.models import (
    Conversation,
    DecisionTrace,
    Escalation,
    Shortlist,
    ToolCall,
    ToolCallStatus,
)
from review.drift import SIGNALS, Drift, WindowObservations, compare_windows
from review.models import Alert, TranscriptLabel, Verdict

logger = logging.getLogger(__name__)

EXAMPLES_PER_ALERT = 5
FINISHED_TOOL_STATUSES = (ToolCallStatus.DONE, ToolCallStatus.FAILED)


@dataclass(frozen=True)
class DriftWindows:
    """The recent window `[recent_start, recent_end)` and the baseline before it."""

    recent_start: datetime
    recent_end: datetime
    baseline_start: datetime


def drift_windows(*, now: datetime) -> DriftWindows:
    recent_start = now - timedelta(hours=settings.DRIFT_RECENT_HOURS)
    return DriftWindows(
        recent_start=recent_start,
        recent_end=now,
        baseline_start=recent_start - timedelta(days=settings.DRIFT_BASELINE_DAYS),
    )


# --- Reading a window ---------------------------------------------------------------------------


def _traces(start: datetime, end: datetime) -> QuerySet[DecisionTrace]:
    return DecisionTrace.objects.filter(created__gte=start, created__lt=end)


def _escalations(start: datetime, end: datetime) -> QuerySet[Escalation]:
    return Escalation.objects.filter(created__gte=start, created__lt=end)


def _finished_tool_calls(start: datetime, end: datetime) -> QuerySet[ToolCall]:
    # Only calls with an outcome count: a queued or running call has neither failed nor succeeded,
    # and a transient error that a retry cured is not a failure.
    return ToolCall.objects.filter(
        status__in=FINISHED_TOOL_STATUSES, finished_at__gte=start, finished_at__lt=end
    )


def _shortlists(start: datetime, end: datetime) -> QuerySet[Shortlist]:
    return Shortlist.objects.filter(created__gte=start, created__lt=end)


def _labels(start: datetime, end: datetime) -> QuerySet[TranscriptLabel]:
    return TranscriptLabel.objects.filter(created__gte=start, created__lt=end)


def _active_conversations(start: datetime, end: datetime) -> QuerySet[Conversation]:
    """Conversations the coach worked in (a turn), or that were escalated, in the window.

    Escalations count on their own because a family can ask for a person without a coach turn.
    """
    return Conversation.objects.filter(
        Exists(_traces(start, end).filter(conversation=OuterRef("pk")))
        | Exists(_escalations(start, end).filter(conversation=OuterRef("pk")))
    )


def questions_before_first_recommendation(*, start: datetime, end: datetime) -> dict[Any, int]:
    """For each conversation first recommended in the window: the questions the coach asked
    before that recommendation (every `ask` step, the greeting's question included)."""
    first_recommendations = (
        DecisionTrace.objects.filter(
            node="present",
            conversation__in=_traces(start, end).filter(node="present").values("conversation"),
        )
        .values("conversation")
        .annotate(first_turn=Min("turn"), first_at=Min("created"))
        .filter(first_at__gte=start, first_at__lt=end)
    )
    first_turn = {row["conversation"]: row["first_turn"] for row in first_recommendations}
    asked = dict.fromkeys(first_turn, 0)
    asks = DecisionTrace.objects.filter(node="ask", conversation__in=list(first_turn))
    for conversation_id, turn in asks.values_list("conversation", "turn"):
        if turn < first_turn[conversation_id]:
            asked[conversation_id] += 1
    return asked


def _shortlist_items(items: list[dict]) -> tuple[tuple[int, str], ...]:
    return tuple((item["unitid"], item.get("fit", "unknown")) for item in items)


def window_observations(*, start: datetime, end: datetime) -> WindowObservations:
    """Everything the drift comparison needs about `[start, end)`, in a handful of queries."""
    steps = {
        (row["node"], row["decision"]): row["n"]
        for row in _traces(start, end)
        .filter(node__in=["guard", "extract"])
        .values("node", "decision")
        .annotate(n=Count("id"))
    }
    escalations = _escalations(start, end)
    tool_calls = _finished_tool_calls(start, end).aggregate(
        total=Count("id"), failed=Count("id", filter=Q(status=ToolCallStatus.FAILED))
    )
    labels = _labels(start, end).aggregate(
        total=Count("id"), bad=Count("id", filter=~Q(verdict=Verdict.GOOD))
    )
    return WindowObservations(
        active_conversations=_active_conversations(start, end).count(),
        # order_by() drops Escalation's default ordering, which DISTINCT would otherwise include.
        escalated_conversations=escalations.order_by().values("conversation").distinct().count(),
        escalation_reasons={
            row["reason"]: row["n"]
            for row in escalations.order_by().values("reason").annotate(n=Count("id"))
        },
        questions_before_recommendation=tuple(
            questions_before_first_recommendation(start=start, end=end).values()
        ),
        turns=sum(n for (node, _), n in steps.items() if node == "guard"),
        flagged_turns=steps.get(("guard", "flag"), 0),
        tool_calls=tool_calls["total"],
        failed_tool_calls=tool_calls["failed"],
        extract_steps=sum(n for (node, _), n in steps.items() if node == "extract"),
        extraction_fallbacks=steps.get(("extract", "fallback"), 0),
        shortlists=tuple(
            _shortlist_items(items)
            for items in _shortlists(start, end).order_by("created").values_list("items", flat=True)
        ),
        labels=labels["total"],
        bad_labels=labels["bad"],
    )


# --- Example conversations ----------------------------------------------------------------------


def _newest_first(rows: QuerySet, time_field: str) -> Iterable:
    return rows.order_by(f"-{time_field}").values_list("conversation_id", flat=True)


def _rate_sources(start: datetime, end: datetime) -> dict[str, tuple[Iterable, Iterable]]:
    """Per rate signal: the conversations with the event, and all conversations it is a share
    of — each newest first."""
    traces = _traces(start, end)
    tool_calls = _finished_tool_calls(start, end)
    labels = _labels(start, end)
    return {
        "escalation_rate": (
            _newest_first(_escalations(start, end), "created"),
            _newest_first(traces, "created"),
        ),
        "guardrail_rate": (
            _newest_first(traces.filter(node="guard", decision="flag"), "created"),
            _newest_first(traces.filter(node="guard"), "created"),
        ),
        "tool_failure_rate": (
            _newest_first(tool_calls.filter(status=ToolCallStatus.FAILED), "finished_at"),
            _newest_first(tool_calls, "finished_at"),
        ),
        "extraction_fallback_rate": (
            _newest_first(traces.filter(node="extract", decision="fallback"), "created"),
            _newest_first(traces.filter(node="extract"), "created"),
        ),
        "labelled_bad_rate": (
            _newest_first(labels.exclude(verdict=Verdict.GOOD), "created"),
            _newest_first(labels, "created"),
        ),
    }


def _first_distinct(conversation_ids: Iterable, *, skip: set[str] | None = None) -> list[str]:
    examples: list[str] = []
    for conversation_id in conversation_ids:
        key = str(conversation_id)
        if key not in examples and key not in (skip or set()):
            examples.append(key)
            if len(examples) == EXAMPLES_PER_ALERT:
                break
    return examples


def _shortlist_examples(start: datetime, end: datetime, *, matches) -> list[str]:
    recent = _shortlists(start, end).order_by("-created").values_list("conversation_id", "items")
    return _first_distinct(
        conversation_id for conversation_id, items in recent if any(map(matches, items))
    )


def drift_examples(drift: Drift, *, start: datetime, end: datetime) -> list[str]:
    """Up to five conversations of the recent window where an admin can see the drift.

    For a rate that rose, conversations with the event (escalated, flagged...); for one that fell,
    recent conversations without it, where the event might have been missed.
    """
    rose = drift.recent_value >= drift.baseline_value
    if drift.signal == "questions_before_recommendation":
        asked = questions_before_first_recommendation(start=start, end=end)
        ranked = sorted(asked, key=lambda conversation: asked[conversation], reverse=rose)
        return _first_distinct(ranked)
    if drift.signal == "escalation_reason_mix":
        escalations = _escalations(start, end)
        if drift.largest_rise:
            escalations = escalations.filter(reason=drift.largest_rise)
        return _first_distinct(_newest_first(escalations, "created"))
    if drift.signal == "fit_mix":
        return _shortlist_examples(
            start, end, matches=lambda item: item.get("fit") == drift.largest_rise
        )
    if drift.signal == "recommendation_concentration":
        top = drift.recent_counts["top_colleges"]
        most_recommended = top[0][0] if top else None
        return _shortlist_examples(
            start, end, matches=lambda item: item["unitid"] == most_recommended
        )
    with_event, population = _rate_sources(start, end)[drift.signal]
    if rose:
        return _first_distinct(with_event)
    return _first_distinct(population, skip={str(c) for c in with_event})


# --- Raising and sending alerts -----------------------------------------------------------------


def _already_raised(signal: str, *, windows: DriftWindows) -> bool:
    """An unacknowledged alert on the signal from a check inside the recent window.

    Compared on `recent_end` (the `now` of the check that raised it) rather than `created`, so a
    check run for a given `now` judges by that same clock.
    """
    return Alert.objects.filter(
        signal=signal,
        acknowledged_at__isnull=True,
        recent_end__gt=windows.recent_start,
        recent_end__lte=windows.recent_end,
    ).exists()


def drift_check(*, now: datetime | None = None) -> list[Alert]:
    """Compare the recent window with the baseline and raise an `Alert` per signal that moved.

    A signal with an unacknowledged alert raised within the recent window is not raised again, so
    the hourly check does not repeat itself while the drift lasts. Sentry and the admins hear of
    the new alerts once they are committed. Returns the new alerts.
    """
    windows = drift_windows(now=now or timezone.now())
    drifts = compare_windows(
        window_observations(start=windows.recent_start, end=windows.recent_end),
        window_observations(start=windows.baseline_start, end=windows.recent_start),
        thresholds=settings.DRIFT_THRESHOLDS,
        min_sample=settings.DRIFT_MIN_SAMPLE,
    )
    raised: list[Alert] = []
    with transaction.atomic():
        for drift in drifts:
            if _already_raised(drift.signal, windows=windows):
                continue
            examples = drift_examples(drift, start=windows.recent_start, end=windows.recent_end)
            raised.append(
                Alert.objects.create(
                    signal=drift.signal,
                    recent_value=drift.recent_value,
                    baseline_value=drift.baseline_value,
                    threshold=drift.threshold,
                    recent_start=windows.recent_start,
                    recent_end=windows.recent_end,
                    baseline_start=windows.baseline_start,
                    details={**drift.as_details(), "examples": examples},
                )
            )
        if raised:
            # The alerts are on the dashboard whatever happens next; a Sentry or mail outage is
            # logged (robust) instead of failing the check, which would not raise them again.
            transaction.on_commit(lambda: alerts_report_to_sentry(alerts=raised), robust=True)
            transaction.on_commit(lambda: alerts_email_admins(alerts=raised), robust=True)
    for alert in raised:
        logger.warning("drift alert %s on %s", alert.pk, alert.signal)
    return raised


def _number(value: float) -> str:
    return f"{value:.3g}"


def _describe_counts(counts: dict[str, Any]) -> str:
    def show(value: Any) -> str:
        if isinstance(value, float):
            return _number(value)
        if isinstance(value, dict):
            return "{" + ", ".join(f"{k}: {show(v)}" for k, v in value.items()) + "}"
        return str(value)

    return ", ".join(f"{key}={show(value)}" for key, value in counts.items())


def alert_headline(alert: Alert) -> str:
    return (
        f"{alert.signal} ({SIGNALS.get(alert.signal, 'signal')}) moved from "
        f"{_number(alert.baseline_value)} to {_number(alert.recent_value)} "
        f"(threshold {alert.threshold:g})"
    )


def alerts_report_to_sentry(*, alerts: list[Alert]) -> None:
    """One warning message per alert, tagged with its signal (numbers and ids only: no family
    text leaves)."""
    for alert in alerts:
        with sentry_sdk.new_scope() as scope:
            scope.set_tag("signal", alert.signal)
            scope.set_context(
                "drift",
                {
                    "alert": alert.pk,
                    "recent_value": alert.recent_value,
                    "baseline_value": alert.baseline_value,
                    "threshold": alert.threshold,
                    "examples": alert.details.get("examples", []),
                },
            )
            sentry_sdk.capture_message(f"Drift: {alert_headline(alert)}", level="warning")


def _alert_text(alert: Alert) -> str:
    lines = [
        alert_headline(alert),
        f"  recent ({alert.recent_start:%Y-%m-%d %H:%M} to {alert.recent_end:%Y-%m-%d %H:%M} UTC): "
        + _describe_counts(alert.details.get("recent", {})),
        f"  baseline (from {alert.baseline_start:%Y-%m-%d %H:%M} UTC): "
        + _describe_counts(alert.details.get("baseline", {})),
    ]
    examples = alert.details.get("examples", [])
    if examples:
        lines.append("  example conversations:")
        # Relative links: the project has no setting for its public address.
        lines += [f"    {reverse('review:conversation', args=[example])}" for example in examples]
    return "\n".join(lines)


def alerts_email_admins(*, alerts: list[Alert]) -> None:
    """One e-mail to the admins listing the new alerts, with links to the conversations."""
    admins = (
        get_user_model().objects.filter(groups__name=Role.ADMIN, is_active=True).exclude(email="")
    )
    recipients = sorted({user.email for user in admins})
    if not recipients:
        logger.warning("no admin to e-mail about %d drift alert(s)", len(alerts))
        return
    body = "\n\n".join(
        [
            f"The drift check found {len(alerts)} signal(s) beyond their thresholds.",
            *(_alert_text(alert) for alert in alerts),
            f"Acknowledge them on the dashboard: {reverse('review:dashboard')}",
        ]
    )
    send_mail(
        subject=f"[Aviator] Drift: {', '.join(alert.signal for alert in alerts)}",
        message=body,
        from_email=None,
        recipient_list=recipients,
        fail_silently=False,
    )
