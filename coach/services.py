"""The coach's services at the family's door: start a conversation, take a message (and a crisis
in it), decide an approval, ask for a counselor; and the hand-back from a counselor. Each opens
its transaction and calls the layers below (turns, approvals, outcomes, escalations)."""

import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from aviator.errors import Refused
from coach import guard
from coach.approvals import ApprovalError, approval_close, approval_finish, coach_is_away
from coach.escalations import escalation_open, open_escalation_of
from coach.graph.runner import hand_back_to_coach
from coach.language import prompts
from coach.models import (
    Approval,
    ApprovalStatus,
    Conversation,
    Escalation,
    EscalationReason,
    Message,
    Phase,
    Role,
)
from coach.outcomes import fact_changes_store
from coach.transcript import conversation_locked, message_append, publish_state_on_commit
from coach.turns import conversation_run_turn

logger = logging.getLogger(__name__)


class InvalidMessage(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def check_family_text(text: object) -> str:
    """The text as it will be stored (normalized: no invisible or control characters, look-alike
    letters made plain), or InvalidMessage saying what is wrong with it."""
    if not isinstance(text, str):
        raise InvalidMessage("invalid", "text must be a string.")
    text = guard.normalize(text)
    if not text.strip():
        raise InvalidMessage("empty", "Type a message before sending.")
    if len(text) > settings.MESSAGE_MAX_CHARS:
        raise InvalidMessage(
            "too_long",
            f"Messages are limited to {settings.MESSAGE_MAX_CHARS:,} characters; "
            f"this one has {len(text):,}.",
        )
    return text


@dataclass(frozen=True)
class TurnResult:
    family_message: Message | None
    reply: Message | None


def conversation_start(*, family) -> Conversation:
    """Open a conversation and let the coach greet the family. Raises TurnFailed (nothing kept)."""
    with transaction.atomic():
        conversation = Conversation.objects.create(family=family)
        conversation_run_turn(conversation=conversation)
    return conversation


def _answer_a_crisis_during_a_handoff(conversation: Conversation) -> None:
    """The coach is silent while a counselor is awaited, but a safety disclosure is never left
    waiting: crisis resources go out at once and the escalation becomes urgent. `conversation`
    is locked."""
    if open_escalation_of(conversation) is None:
        return
    message_append(conversation, role=Role.SYSTEM, text=prompts.ESCALATE_CRISIS)
    escalation_open(conversation=conversation, reason="crisis", urgent=True)


class ConversationClosed(Refused):
    """A closed conversation is read-only: the family starts a new one (nothing is stored)."""

    def __init__(self) -> None:
        super().__init__(
            409,
            "closed",
            "This conversation is closed, so the message was not sent. "
            "Start a new conversation to keep going.",
        )


def family_message_store(*, conversation: Conversation, text: str) -> Message:
    """Store the family's message, committed (its turn runs after, on its own). Raises
    ConversationClosed on a closed conversation.

    SSNs, card and bank numbers are removed before the message is stored, so neither the
    transcript nor any model ever holds them, and the family is told why.
    """
    text, removed = guard.redact_personal_numbers(text)
    crisis = guard.CRISIS in guard.guard_signals(text)
    with transaction.atomic():
        # No turn lock: a message is stored while a turn runs, and answered by the next. Only a
        # crisis takes it (first, before any append: every writer locks in that order), since
        # during a handoff it opens an urgent escalation at once.
        if crisis:
            conversation = conversation_locked(conversation)
        phase = Conversation.objects.filter(pk=conversation.pk).values_list("phase", flat=True)
        if phase.first() == Phase.CLOSED:
            raise ConversationClosed()
        family_message = message_append(conversation, role=Role.FAMILY, text=text)
        if removed:
            message_append(
                conversation,
                role=Role.SYSTEM,
                text=prompts.PERSONAL_NUMBERS_REMOVED.format(kinds=" and ".join(removed)),
            )
        if crisis:
            _answer_a_crisis_during_a_handoff(conversation)
    return family_message


def family_message_submit(*, conversation: Conversation, text: str) -> TurnResult:
    """Store the family's message and run the turn that answers it, in this process: for callers
    that are their own worker (the evaluation harness, service tests). The web's door is
    `coach.messages.family_message_take`, which hands the turn to a worker.

    Raises TurnFailed after the message is safely stored when the coach cannot answer.
    """
    family_message = family_message_store(conversation=conversation, text=text)
    reply = conversation_run_turn(conversation=conversation)
    return TurnResult(family_message=family_message, reply=reply)


def approval_decide(*, conversation: Conversation, approval_id, approve: bool, family) -> Approval:
    """The family's answer. Repeating the same answer is harmless; changing it, or answering
    after the approval expired, is a 409 (an expired approval is closed on the way)."""
    wanted = ApprovalStatus.APPROVED if approve else ApprovalStatus.REJECTED
    with transaction.atomic():
        locked = conversation_locked(conversation)
        approval = (
            Approval.objects.select_for_update().filter(pk=approval_id, conversation=locked).first()
        )
        if approval is None:
            raise ApprovalError(404, "not_found", "No such approval in this conversation.")
        if coach_is_away(locked):
            raise ApprovalError(
                409,
                "coach_away",
                "A counselor has this conversation now (or it is closed); ask them instead.",
            )
        pending = approval.status == ApprovalStatus.PENDING
        expired = pending and approval.expires_at <= timezone.now()
        if expired:
            approval_close(approval, ApprovalStatus.EXPIRED)
        elif pending:
            approval_close(approval, wanted, by=family)
        elif approval.status != wanted:
            raise ApprovalError(
                409, "already_decided", f"This request was already {approval.status}."
            )
    try:
        approval_finish(approval_id=approval.pk)
        # Messages the family sent while the proposal waited are answered now.
        conversation_run_turn(conversation=conversation)
    except Exception:
        # The decision is committed; the sweep, the family's next message or the family
        # repeating it finishes the job.
        logger.exception("approval %s decided but not finished yet", approval.pk)
    if expired:
        raise ApprovalError(409, "expired", "This request expired; nothing was changed.")
    return approval


@transaction.atomic
def escalation_request(*, conversation: Conversation) -> Escalation:
    """The family pressed "Talk to a counselor" (or asked through the API); refused on a closed
    conversation. Asking again while a counselor is awaited changes nothing."""
    conversation = conversation_locked(conversation)
    if conversation.phase == Phase.CLOSED:
        raise Refused(409, "closed", "This conversation is closed.")
    escalation = escalation_open(
        conversation=conversation,
        reason=EscalationReason.REQUESTED,
        urgent=False,
        by=conversation.family,
    )
    publish_state_on_commit(conversation)
    return escalation


def conversation_hand_back(
    *, conversation: Conversation, staff_facts: dict[str, Any], counselor
) -> None:
    """Give the conversation back to the coach after a counselor, with the facts they entered
    (provenance `staff`, which nothing the coach reads later can overwrite).

    The caller holds the conversation's lock. The coach answers from the family's next message.
    """
    phase = Phase.RECOMMENDED if conversation.shortlists.exists() else Phase.GATHERING
    outcome = hand_back_to_coach(
        conversation_id=str(conversation.id), phase=phase, staff_facts=staff_facts
    )
    fact_changes_store(conversation, outcome, outcome.changes, counselor=counselor)
    conversation.phase = phase
    conversation.profile = outcome.profile
    conversation.save(update_fields=["phase", "profile", "updated"])
    message_append(
        conversation, role=Role.SYSTEM, text="You're back with the coach. Ask me anything."
    )
    publish_state_on_commit(conversation)
