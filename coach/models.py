import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from coach.profile import empty_profile


class Phase(models.TextChoices):
    GATHERING = "gathering"
    RECOMMENDING = "recommending"
    RECOMMENDED = "recommended"
    ESCALATED = "escalated"
    CLOSED = "closed"


class Conversation(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    family = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="conversations"
    )
    phase = models.CharField(max_length=16, choices=Phase.choices, default=Phase.GATHERING)
    # The profile as of the last finished turn (DESIGN.md §3 slots), for pages and the API.
    profile = models.JSONField(default=empty_profile)
    created = models.DateTimeField(default=timezone.now, db_index=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"Conversation {self.id} ({self.family}, {self.phase})"


class Role(models.TextChoices):
    FAMILY = "family"
    COACH = "coach"
    COUNSELOR = "counselor"
    SYSTEM = "system"


class Message(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages"
    )
    # Position in the conversation: timestamps can tie, and the transcript order must not.
    seq = models.PositiveIntegerField()
    role = models.CharField(max_length=16, choices=Role.choices)
    text = models.TextField()
    asks = models.JSONField(default=list, blank=True)
    # A coach reply points at the last family message it answers; at most one reply per message,
    # so a turn replayed after a crash cannot store a second reply.
    reply_to = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="reply"
    )
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["seq"]
        constraints = [
            models.UniqueConstraint(fields=["conversation", "seq"], name="message_unique_position"),
        ]

    def __str__(self) -> str:
        return f"{self.role} #{self.seq} in {self.conversation_id}"
