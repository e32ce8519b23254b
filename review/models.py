"""What admins add while reviewing the coach: labels on transcripts (which feed the drift report
and become evaluation cases) and the alerts drift monitoring raises."""

from django.conf import settings
from django.db import models

from coach.models import Conversation


class Verdict(models.TextChoices):
    GOOD = "good", "Good"
    BAD_QUESTION = "bad_question", "Bad question"
    WRONG_FACT = "wrong_fact", "Wrong fact"
    BAD_RECOMMENDATION = "bad_recommendation", "Bad recommendation"
    SHOULD_HAVE_ESCALATED = "should_have_escalated", "Should have escalated"


class TranscriptLabel(models.Model):
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="labels")
    verdict = models.CharField(max_length=24, choices=Verdict.choices)
    note = models.TextField(blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.get_verdict_display()} on {self.conversation_id}"

    @property
    def is_bad(self) -> bool:
        return self.verdict != Verdict.GOOD


class Alert(models.Model):
    """A domain signal that moved beyond its threshold between the baseline and a recent window."""

    signal = models.CharField(max_length=64, db_index=True)
    recent_value = models.FloatField()
    baseline_value = models.FloatField()
    threshold = models.FloatField()
    recent_start = models.DateTimeField()
    recent_end = models.DateTimeField()
    baseline_start = models.DateTimeField()
    # What an admin needs to judge it: the counts behind both values and example conversations.
    details = models.JSONField(default=dict)
    created = models.DateTimeField(auto_now_add=True, db_index=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.signal}: {self.baseline_value:.3g} → {self.recent_value:.3g}"
