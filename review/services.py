"""Writes of the review room: an admin's label on a conversation, the acknowledgement of an
alert, and the audited reading of labelled transcripts for export."""

from typing import Any

from django.db import transaction
from django.http import Http404
from django.utils import timezone

from aviator.audit.services import audit_record, audit_transcript_view
from coach.models import Conversation
from review.models import Alert, TranscriptLabel
from review.transcripts import labelled_cases


def label_add(*, conversation: Conversation, author, verdict: str, note: str) -> TranscriptLabel:
    with transaction.atomic():
        label = TranscriptLabel.objects.create(
            conversation=conversation, author=author, verdict=verdict, note=note
        )
        audit_record(
            action="label.added",
            target=label,
            actor=author,
            conversation_id=conversation.id,
            after={"verdict": label.verdict},
        )
    return label


def alert_acknowledge(*, alert_id, by) -> Alert:
    """Mark the alert seen (once; a repeat keeps the first acknowledgement). Http404 if none."""
    with transaction.atomic():
        alert = Alert.objects.select_for_update().filter(pk=alert_id).first()
        if alert is None:
            raise Http404("No such alert.")
        if alert.acknowledged_at is None:
            alert.acknowledged_at = timezone.now()
            alert.acknowledged_by = by
            alert.save(update_fields=["acknowledged_at", "acknowledged_by"])
            audit_record(action="alert.acknowledged", target=alert, actor=by)
    return alert


def labelled_cases_export(*, viewer, verdict: str) -> list[dict[str, Any]]:
    """The labelled cases, each transcript's reading audited as an export by `viewer`."""
    cases = labelled_cases(verdict=verdict)
    for conversation in Conversation.objects.filter(pk__in=[c["conversation"] for c in cases]):
        audit_transcript_view(viewer=viewer, conversation=conversation, via="export")
    return cases
