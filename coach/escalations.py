"""Opening an escalation: the coach hands a conversation to the counselors, with the packet they
need, and tells them when it is urgent. What the counselors do next is the handoff app's."""

import logging

from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse

from aviator.audit.services import audit_record
from coach.escalation_packet import build_packet
from coach.models import FIRST_REPLY_SLA, OPEN_STATES, Conversation, Escalation, Phase, Role
from coach.transcript import message_append

logger = logging.getLogger(__name__)


def open_escalation_of(conversation: Conversation) -> Escalation | None:
    return conversation.escalations.filter(state__in=OPEN_STATES).first()


def escalation_open(
    *, conversation: Conversation, reason: str, urgent: bool, by=None
) -> Escalation:
    """Hand the conversation to the counselors. The caller holds the conversation's lock. `by` is
    the family when they asked for it; the coach opened it otherwise.

    Idempotent: an open escalation is returned as it is (upgraded to urgent if need be).
    """
    existing = open_escalation_of(conversation)
    if existing is not None:
        if urgent and not existing.urgent:
            existing.urgent = True
            existing.save(update_fields=["urgent"])
            audit_record(
                action="escalation.made_urgent",
                target=existing,
                conversation_id=conversation.id,
                before={"urgent": False},
                after={"urgent": True},
            )
            transaction.on_commit(lambda: notify_counselors(existing, subject="Now URGENT"))
        return existing
    shortlist = conversation.shortlists.order_by("-created").first()
    last_coach = conversation.messages.filter(role=Role.COACH).order_by("-seq").first()
    escalation = Escalation(conversation=conversation, reason=reason, urgent=urgent)
    escalation.packet = build_packet(
        reason=reason,
        urgent=urgent,
        profile=conversation.profile,
        family_messages=conversation.messages.filter(role=Role.FAMILY).count(),
        shortlist=shortlist.items if shortlist else [],
        last_coach_text=last_coach.text if last_coach else "",
        transcript_url=reverse("handoff:escalation", args=[escalation.id]),
        trace_url=reverse("handoff:escalation", args=[escalation.id]) + "#trace",
    ).as_dict()
    escalation.save()
    audit_record(
        action="escalation.opened",
        target=escalation,
        actor=by,
        conversation_id=conversation.id,
        after={"state": escalation.state, "reason": reason, "urgent": urgent},
    )
    conversation.phase = Phase.ESCALATED
    conversation.save(update_fields=["phase", "updated"])
    wait = int(FIRST_REPLY_SLA[urgent].total_seconds() // 60)
    message_append(
        conversation,
        role=Role.SYSTEM,
        text=f"A counselor will join you here; the expected wait is about {wait} minutes.",
    )
    if urgent:
        transaction.on_commit(lambda: notify_counselors(escalation, subject="URGENT escalation"))
    return escalation


def notify_counselors(escalation: Escalation, *, subject: str) -> None:
    """E-mail the counselors on duty (every active counselor) about an escalation."""
    counselors = (
        get_user_model().objects.filter(groups__name="counselor", is_active=True).exclude(email="")
    )
    recipients = [user.email for user in counselors]
    if not recipients:
        logger.warning("no counselor to notify about escalation %s", escalation.id)
        return
    send_mail(
        subject=f"[Aviator] {subject}: {escalation.get_reason_display()}",
        message=f"{escalation.packet['summary']}\n\nOpen: {escalation.packet['transcript_url']}",
        from_email=None,
        recipient_list=recipients,
        fail_silently=False,
    )
