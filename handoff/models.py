"""The counselors' own records: private notes on an escalation (the escalation itself is the
coach's record, `coach.models.Escalation`: the coach opens it)."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from coach.models import Escalation


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
