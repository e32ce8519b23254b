"""The admin dashboard's numbers and its small server-rendered charts."""

import math
import statistics
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count
from django.db.models.functions import TruncDate

from coach.models import OPEN_STATES, Conversation, Escalation, EscalationReason
from handoff.services import escalation_overdue
from review.models import Alert
from review.monitoring import questions_before_first_recommendation


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    x: float
    y: float
    width: float
    height: float
    # Whether the axis shows this bar's label: when labels would overlap, every other one (or
    # every third...) is shown; the chart's data table lists them all.
    show_label: bool = True


CHART_WIDTH, CHART_HEIGHT = 600, 140
# Chart text is 12 px; an average character is about 0.6 em wide, plus a gap between labels.
LABEL_CHAR_WIDTH, LABEL_GAP = 7.2, 8


def bars(points: list[tuple[str, int]]) -> list[Bar]:
    """Geometry of a bar chart of `points` in a CHART_WIDTH × CHART_HEIGHT box (pure, so the
    template only draws rectangles)."""
    if not points:
        return []
    tallest = max(value for _, value in points) or 1
    slot = CHART_WIDTH / len(points)
    widest_label = max(len(label) for label, _ in points) * LABEL_CHAR_WIDTH + LABEL_GAP
    label_every = math.ceil(widest_label / slot)
    return [
        Bar(
            label=label,
            value=value,
            x=round(index * slot + slot * 0.1, 1),
            y=round(CHART_HEIGHT - CHART_HEIGHT * value / tallest, 1),
            width=round(slot * 0.8, 1),
            height=round(CHART_HEIGHT * value / tallest, 1),
            # Counted from the last bar, so the newest day always has its label.
            show_label=(len(points) - 1 - index) % label_every == 0,
        )
        for index, (label, value) in enumerate(points)
    ]


def dashboard(*, now: datetime) -> dict:
    start_of_day = now.replace(hour=0, minute=0, second=0, microsecond=0)
    today = Conversation.objects.filter(created__gte=start_of_day)
    started = today.count()
    # Reached a recommendation at some point, whatever happened after (an escalation, a change).
    recommended = today.filter(traces__node="present").distinct().count()
    asked_today = list(questions_before_first_recommendation(start=start_of_day, end=now).values())
    open_escalations = list(Escalation.objects.filter(state__in=OPEN_STATES))
    fortnight = now - timedelta(days=14)
    per_day = dict(
        Conversation.objects.filter(created__gte=fortnight)
        .annotate(day=TruncDate("created"))
        .values_list("day")
        .annotate(count=Count("id"))
        .values_list("day", "count")
    )
    days = [(fortnight + timedelta(days=offset)).date() for offset in range(1, 15)]
    asked_recently = list(questions_before_first_recommendation(start=fortnight, end=now).values())
    reasons = (
        Escalation.objects.filter(created__gte=fortnight)
        .values_list("reason")
        .annotate(count=Count("id"))
        .order_by("-count")
    )
    return {
        "started_today": started,
        "recommendation_rate": recommended / started if started else None,
        "median_questions": statistics.median(asked_today) if asked_today else None,
        "open_escalations": len(open_escalations),
        "sla_breaches": [e for e in open_escalations if escalation_overdue(e, now=now)],
        "alerts": list(Alert.objects.filter(acknowledged_at__isnull=True)[:20]),
        "conversations_per_day": bars([(f"{d:%m-%d}", per_day.get(d, 0)) for d in days]),
        "questions_histogram": bars(
            [(str(n), asked_recently.count(n)) for n in range(8)]
            + [("8+", sum(1 for n in asked_recently if n >= 8))]
        ),
        "escalations_by_reason": bars(
            [(EscalationReason(reason).label, count) for reason, count in reasons]
        ),
        "chart_width": CHART_WIDTH,
        "chart_height": CHART_HEIGHT,
    }
