import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

from coach.models import Conversation


class Reason(models.TextChoices):
    REQUESTED = "requested", "Asked for a counselor"
    CRISIS = "crisis", "Safety concern"
    STUCK = "stuck", "The coach got stuck"
    TOOL_FAILURE = "tool_failure", "The college search failed"
    OUT_OF_LANE = "out_of_lane", "Outside what the coach does"
    LOW_CONFIDENCE = "low_confidence", "The coach was unsure"


class HandoffState(models.TextChoices):
    """DESIGN.md §6: bot → waiting_for_human → human → (bot again on hand-back | closed)."""

    WAITING_FOR_HUMAN = "waiting_for_human", "Waiting for a counselor"
    HUMAN = "human", "With a counselor"
    BOT = "bot", "Handed back to the coach"
    CLOSED = "closed", "Closed"


OPEN_STATES = (HandoffState.WAITING_FOR_HUMAN, HandoffState.HUMAN)


# Time to the first human reply, by priority (DESIGN.md §6 SLA clocks).
FIRST_REPLY_SLA = {True: timedelta(minutes=5), False: timedelta(minutes=15)}
RESOLUTION_SLA = timedelta(hours=24)


class Escalation(models.Model):
    """A conversation handed to the counselors, with the packet they need to take over."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="escalations"
    )
    reason = models.CharField(max_length=20, choices=Reason.choices)
    urgent = models.BooleanField(default=False)
    state = models.CharField(
        max_length=20, choices=HandoffState.choices, default=HandoffState.WAITING_FOR_HUMAN
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="escalations",
    )
    # The typed handoff packet (handoff.packet.HandoffPacket) as stored JSON.
    packet = models.JSONField()
    # SLA clocks start here and are never reset by automatic messages.
    created = models.DateTimeField(default=timezone.now, db_index=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    first_human_reply_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    overdue_notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-urgent", "created"]
        constraints = [
            # At most one open escalation per conversation.
            models.UniqueConstraint(
                fields=["conversation"],
                condition=models.Q(state__in=["waiting_for_human", "human"]),
                name="one_open_escalation_per_conversation",
            )
        ]

    def __str__(self) -> str:
        return f"{self.reason} escalation of {self.conversation_id} ({self.state})"

    @property
    def first_reply_due(self) -> datetime:
        """When a counselor should have written to the family, at the latest."""
        return self.created + FIRST_REPLY_SLA[self.urgent]

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES


class EscalationNote(models.Model):
    """A counselor's private note: never shown to the family."""

    escalation = models.ForeignKey(Escalation, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created"]

    def __str__(self) -> str:
        return f"note by {self.author_id} on {self.escalation_id}"
