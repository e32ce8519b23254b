"""The handoff state machine (DESIGN.md §6), enforced here and nowhere else.

    bot → waiting_for_human → human → bot (hand-back) | closed

Every transition locks the escalation row, so two counselors racing to claim cannot both win.
"""

import logging
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from guardian.shortcuts import assign_perm

from aviator.audit.services import audit_record
from aviator.errors import Refused
from aviator.roles import display_name
from coach.escalations import notify_counselors
from coach.models import (
    FIRST_REPLY_SLA,
    OPEN_STATES,
    RESOLUTION_SLA,
    Escalation,
    HandoffState,
    Message,
    Phase,
    Role,
)
from coach.profile import SlotValueError, validate_slot_value
from coach.services import InvalidMessage, check_family_text, conversation_hand_back
from coach.transcript import conversation_locked, message_append, publish_state_on_commit
from handoff.models import EscalationNote

logger = logging.getLogger(__name__)


class HandoffError(Refused):
    """A refused transition; `status` is the HTTP status that says why (403, 409 or 400)."""


def _locked_escalation(escalation_id) -> Escalation:
    """The escalation, locked, with its conversation locked first (the order every writer uses)."""
    escalation = Escalation.objects.select_related("conversation").get(pk=escalation_id)
    conversation = conversation_locked(escalation.conversation)
    escalation = Escalation.objects.select_for_update().get(pk=escalation_id)
    escalation.conversation = conversation
    return escalation


def _require_assignee(escalation: Escalation, counselor) -> None:
    if escalation.state not in OPEN_STATES:
        raise HandoffError(409, "closed", "This escalation is already resolved.")
    if escalation.assigned_to_id != counselor.pk:
        raise HandoffError(403, "not_yours", "Only the counselor who claimed it can do that.")


@transaction.atomic
def escalation_claim(*, escalation_id, counselor) -> Escalation:
    escalation = _locked_escalation(escalation_id)
    if escalation.state != HandoffState.WAITING_FOR_HUMAN:
        raise HandoffError(409, "already_claimed", "Someone has already taken this escalation.")
    escalation.state = HandoffState.HUMAN
    escalation.assigned_to = counselor
    escalation.claimed_at = timezone.now()
    escalation.save(update_fields=["state", "assigned_to", "claimed_at"])
    _audit(escalation, counselor, "escalation.claimed", before=HandoffState.WAITING_FOR_HUMAN)
    # Object permissions: from now on this counselor may read and act on this conversation.
    assign_perm("coach.view_conversation", counselor, escalation.conversation)
    assign_perm("coach.change_escalation", counselor, escalation)
    message_append(
        escalation.conversation,
        role=Role.SYSTEM,
        text=f"{display_name(counselor)} from the counseling team has joined the conversation.",
    )
    publish_state_on_commit(escalation.conversation)
    return escalation


@transaction.atomic
def escalation_reply(*, escalation_id, counselor, text: object) -> Message:
    escalation = _locked_escalation(escalation_id)
    _require_assignee(escalation, counselor)
    try:
        text = check_family_text(text)
    except InvalidMessage as error:
        raise HandoffError(400, error.code, error.message) from None
    message = message_append(escalation.conversation, role=Role.COUNSELOR, text=text)
    if escalation.first_human_reply_at is None:
        escalation.first_human_reply_at = timezone.now()
        escalation.save(update_fields=["first_human_reply_at"])
    return message


@transaction.atomic
def escalation_note_add(*, escalation_id, counselor, text: str) -> EscalationNote:
    escalation = _locked_escalation(escalation_id)
    if not counselor.has_perm("coach.change_escalation", escalation) and not counselor.is_superuser:
        raise HandoffError(403, "not_yours", "Claim the escalation before writing notes.")
    if not isinstance(text, str) or not text.strip():
        raise HandoffError(400, "empty", "A note needs some text.")
    note = EscalationNote.objects.create(escalation=escalation, author=counselor, text=text)
    audit_record(
        action="note.added",
        target=note,
        actor=counselor,
        conversation_id=escalation.conversation_id,
        after={"escalation": str(escalation.id)},
    )
    return note


@transaction.atomic
def escalation_resolve(
    *,
    escalation_id,
    counselor,
    handback: bool,
    staff_facts: dict[str, Any] | None = None,
    closing_line: object = None,
) -> Escalation:
    """Close the escalation: back to the coach (with the counselor's facts) or closed for good,
    with the counselor's closing line to the family when they wrote one (the desk asks for it)."""
    escalation = _locked_escalation(escalation_id)
    _require_assignee(escalation, counselor)
    if closing_line is not None:
        try:
            closing_line = check_family_text(closing_line)
        except InvalidMessage as error:
            raise HandoffError(400, "closing_line", f"Closing line: {error.message}") from None
    staff_facts = staff_facts or {}
    for slot, value in staff_facts.items():
        try:
            validate_slot_value(slot, value)
        except SlotValueError as error:
            raise HandoffError(400, "invalid_fact", f"{slot}: {error.explanation}") from None
    escalation.state = HandoffState.BOT if handback else HandoffState.CLOSED
    escalation.resolved_at = timezone.now()
    escalation.save(update_fields=["state", "resolved_at"])
    _audit(escalation, counselor, "escalation.resolved", before=HandoffState.HUMAN)
    conversation = escalation.conversation
    if handback:
        conversation_hand_back(
            conversation=conversation, staff_facts=staff_facts, counselor=counselor
        )
    else:
        conversation.phase = Phase.CLOSED
        conversation.save(update_fields=["phase", "updated"])
        if closing_line is not None:
            message_append(conversation, role=Role.COUNSELOR, text=closing_line)
        message_append(
            conversation,
            role=Role.SYSTEM,
            text=f"{display_name(counselor)} has closed this conversation. "
            "Start a new one anytime.",
        )
        publish_state_on_commit(conversation)
    return escalation


def _audit(escalation: Escalation, counselor, action: str, *, before: str) -> None:
    audit_record(
        action=action,
        target=escalation,
        actor=counselor,
        conversation_id=escalation.conversation_id,
        before={"state": before},
        after={"state": escalation.state},
    )


def escalation_overdue(escalation: Escalation, *, now: datetime) -> bool:
    """Past an SLA: no first human reply in time, or not resolved in time. Both clocks start at
    escalation and nothing automatic resets them."""
    if escalation.state not in OPEN_STATES:
        return False
    waited = now - escalation.created
    no_reply_in_time = (
        escalation.first_human_reply_at is None and waited > FIRST_REPLY_SLA[escalation.urgent]
    )
    return no_reply_in_time or waited > RESOLUTION_SLA


def escalations_notify_overdue(*, now: datetime | None = None) -> int:
    """E-mail the counselors once about each escalation waiting past its SLA."""
    now = now or timezone.now()
    candidates = Escalation.objects.filter(
        state__in=OPEN_STATES,
        overdue_notified_at__isnull=True,
        created__lt=now - min(FIRST_REPLY_SLA.values()),
    )
    notified = 0
    for escalation in candidates:
        if not escalation_overdue(escalation, now=now):
            continue
        notify_counselors(escalation, subject="Escalation waiting past its SLA")
        Escalation.objects.filter(pk=escalation.pk).update(overdue_notified_at=now)
        notified += 1
    return notified
