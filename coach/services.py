"""Writes for the coach app: conversations, family messages and the turns that answer them.

A family message is committed before its turn runs, and the coach's reply after, so a failed turn
never loses what the family said: the next turn answers every family message still unanswered.
"""

import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Max

from coach.events import publish_conversation_event
from coach.graph.runner import TurnOutcome, run_coach_turn
from coach.models import Conversation, DecisionTrace, Message, ProfileFact, Role
from coach.presenters import conversation_state, message_payload

logger = logging.getLogger(__name__)


class TurnFailed(Exception):
    """The coach could not answer; the family's message is stored and the next turn will answer."""

    family_explanation = (
        "Your message is saved, but the coach could not answer just now. "
        "Send another message or try again in a moment."
    )


class InvalidMessage(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def check_family_text(text: object) -> str:
    """The family's text as it will be stored (verbatim), or InvalidMessage saying what is wrong."""
    if not isinstance(text, str):
        raise InvalidMessage("invalid", "text must be a string.")
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


def _message_append(conversation: Conversation, *, role: str, text: str, **fields) -> Message:
    """Append a message at the end of the transcript. The caller holds the conversation's lock."""
    last = conversation.messages.aggregate(last=Max("seq"))["last"] or 0
    message = Message.objects.create(
        conversation=conversation, seq=last + 1, role=role, text=text, **fields
    )
    transaction.on_commit(
        lambda: publish_conversation_event(
            conversation.id, {"type": "message", "message": message_payload(message)}
        )
    )
    return message


def _locked(conversation: Conversation) -> Conversation:
    # Turns on one conversation are serialized: LangGraph does not lock a thread, and two runs at
    # once would fork its checkpoint chain.
    return Conversation.objects.select_for_update().get(pk=conversation.pk)


def _publish_state_on_commit(conversation: Conversation) -> None:
    transaction.on_commit(
        lambda: publish_conversation_event(
            conversation.id,
            {
                "type": "state",
                "state": conversation_state(Conversation.objects.get(pk=conversation.pk)),
            },
        )
    )


def _unanswered_family_messages(conversation: Conversation) -> list[Message]:
    last_answered = (
        conversation.messages.filter(role=Role.COACH, reply_to__isnull=False).aggregate(
            last=Max("reply_to__seq")
        )["last"]
        or 0
    )
    return list(
        conversation.messages.filter(role=Role.FAMILY, seq__gt=last_answered).order_by("seq")
    )


def _record_turn(conversation: Conversation, outcome: TurnOutcome, reply: Message) -> None:
    """Copy the turn's ledger changes and decision trace out of the checkpoint into the database."""
    ProfileFact.objects.bulk_create(
        ProfileFact(
            conversation=conversation,
            slot=change["slot"],
            value=change["after"],
            previous_value=change["before"],
            provenance=change["provenance"],
            confidence=change["confidence"],
            source_message_id=change["source_message_id"],
            turn=outcome.turn,
        )
        for change in outcome.changes
    )
    DecisionTrace.objects.bulk_create(
        DecisionTrace(
            conversation=conversation,
            turn=outcome.turn,
            step=step,
            node=entry["node"],
            decision=entry["decision"],
            reason=entry["reason"],
            score=entry["score"],
            slots_before=entry["slots_before"],
            slots_after=entry["slots_after"],
            latency_ms=entry["latency_ms"],
            details=entry["details"],
            reply=reply,
        )
        for step, entry in enumerate(outcome.trace)
    )


def conversation_run_turn(*, conversation: Conversation) -> Message | None:
    """Answer the family messages not yet answered (or greet a new conversation).

    Returns the coach's reply, or None when there was nothing to answer. Raises TurnFailed.
    """
    with transaction.atomic():
        conversation = _locked(conversation)
        unanswered = _unanswered_family_messages(conversation)
        is_opening = not conversation.messages.exists()
        if not unanswered and not is_opening:
            return None
        try:
            outcome = run_coach_turn(
                conversation_id=str(conversation.id),
                incoming=[{"message_id": str(m.id), "text": m.text} for m in unanswered],
            )
        except Exception as error:
            logger.exception("coach turn failed for conversation %s", conversation.id)
            raise TurnFailed(str(error)) from error
        reply = _message_append(
            conversation,
            role=Role.COACH,
            text=outcome.text,
            asks=outcome.asks,
            reply_to=unanswered[-1] if unanswered else None,
        )
        _record_turn(conversation, outcome, reply)
        conversation.phase = outcome.phase
        conversation.profile = outcome.profile
        conversation.save(update_fields=["phase", "profile", "updated"])
        _publish_state_on_commit(conversation)
    return reply


def conversation_start(*, family) -> Conversation:
    """Open a conversation and let the coach greet the family. Raises TurnFailed (nothing kept)."""
    with transaction.atomic():
        conversation = Conversation.objects.create(family=family)
        conversation_run_turn(conversation=conversation)
    return conversation


def family_message_submit(*, conversation: Conversation, text: str) -> TurnResult:
    """Store the family's message (committed first), then run the turn that answers it.

    Raises TurnFailed after the message is safely stored when the coach cannot answer.
    """
    with transaction.atomic():
        family_message = _message_append(_locked(conversation), role=Role.FAMILY, text=text)
    reply = conversation_run_turn(conversation=conversation)
    return TurnResult(family_message=family_message, reply=reply)
