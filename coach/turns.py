"""The coach's turns: answer the family messages not yet answered, under the conversation's turn
lock, and store the outcome.

A family message is committed before its turn runs, and the coach's reply after, so a failed turn
never loses what the family said: the next turn answers every family message still unanswered.
"""

import functools
import logging

from django.conf import settings
from django.db import transaction

from aviator.faults import inject_database_faults
from aviator.observability import tag_conversation
from aviator.sql import columns, key
from coach.approvals import approval_supersede
from coach.catalog.selectors import catalog_records
from coach.catalog.value_of_information import optional_topic_worth_asking
from coach.events import publish_conversation_event
from coach.graph.runner import run_coach_turn
from coach.models import Conversation, Message, Role
from coach.outcomes import outcome_apply
from coach.transcript import conversation_locked

logger = logging.getLogger(__name__)


class TurnFailed(Exception):
    """The coach could not answer; the family's message is stored and the next turn will answer."""

    family_explanation = (
        "Your message is saved, but the coach could not answer just now. "
        "Send another message or try again in a moment."
    )


def _unanswered_family_messages(conversation: Conversation) -> list[Message]:
    """Family messages after the last one the coach answered or a counselor spoke after.
    `conversation` is locked (`conversation_locked` knows how far it was answered)."""
    # SQL rather than the ORM: every turn asks, and the ORM cost several times the query itself.
    return list(
        Message.objects.raw(
            _UNANSWERED_SQL,
            [key(Conversation, conversation.pk), Role.FAMILY, conversation.answered_through],
        )
    )


_UNANSWERED_SQL = f"""
    SELECT {columns(Message, "m")} FROM {Message._meta.db_table} m
    WHERE m.conversation_id = %s AND m.role = %s AND m.seq > %s
    ORDER BY m.seq"""


def _optional_topic_picker(profile):
    return optional_topic_worth_asking(profile, catalog_records())


def conversation_run_turn(*, conversation: Conversation) -> Message | None:
    """Answer the family messages not yet answered (or greet a new conversation).

    Returns the coach's reply; None when there was nothing to answer, or when the turn now waits
    for a tool (the reply then comes from the worker). While a tool runs, new family messages wait:
    they are answered when it finishes. Raises TurnFailed.

    A turn the graph finished but whose reply was never stored (the process died in between) is
    stored first, as it was, and then the messages after it are answered: nothing is lost and
    nothing is answered twice. Hence the loop, which runs at most twice in practice.
    """
    with transaction.atomic():
        reply = None
        for _ in range(MAX_TURNS_PER_CALL):
            conversation = conversation_locked(conversation, for_a_turn=True)
            # The transcript as this call sees it; a message stored later (appends do not wait
            # for the turn) is the next turn's, and `turns_done_through` stops before it.
            seen_through = conversation.last_seq
            # While a tool runs, or while a counselor holds the conversation, the coach is silent.
            if conversation.tool_underway or conversation.counselor_holds:
                break
            unanswered = _unanswered_family_messages(conversation)
            if not unanswered and conversation.last_seq:
                break
            seen_through = max(seen_through, unanswered[-1].seq if unanswered else 0)
            tag_conversation(conversation.id)
            try:
                # The graph may still be paused at a proposal: drop it, or finish a decided one.
                if conversation.approval_unfinished:
                    approval_supersede(conversation=conversation)
                    conversation = conversation_locked(conversation, for_a_turn=True)
                    unanswered = _unanswered_family_messages(conversation)
                    seen_through = max(seen_through, unanswered[-1].seq if unanswered else 0)
                outcome = run_coach_turn(
                    conversation_id=str(conversation.id),
                    incoming=[{"message_id": str(m.id), "text": m.text} for m in unanswered],
                    optional_topic_picker=_optional_topic_picker,
                    on_draft=functools.partial(_reply_draft_publish, conversation.id),
                )
                # A drop here leaves a checkpointed turn without its stored reply: the next
                # call must store that reply, not run the graph again.
                inject_database_faults(settings.COACH_FAULTS)
                answering = next(
                    (m for m in unanswered if str(m.id) == outcome.in_reply_to),
                    unanswered[-1] if unanswered else None,
                )
                reply = outcome_apply(
                    conversation, outcome, answering=answering, fact_changes=outcome.changes
                )
            except Exception as error:
                logger.exception("coach turn failed for conversation %s", conversation.id)
                raise TurnFailed(str(error)) from error
            if not unanswered or answering == unanswered[-1]:
                break
        else:
            return reply  # (never in practice) what remains is answered by the next call
        _turns_done(conversation, through=seen_through)
        return reply


def _reply_draft_publish(conversation_id, text: str) -> None:
    """The reply as far as the chat model has written it, to the open pages at once (nothing is
    stored: the turn's transaction commits the whole reply)."""
    publish_conversation_event(conversation_id, {"type": "reply_draft", "text": text})


def _turns_done(conversation: Conversation, *, through: int) -> None:
    """Everything in the transcript up to `through` has had its turn (answered, or waiting for a
    tool, an approval or a counselor): the family is no longer waiting on the coach for it.
    `conversation` is locked. Those waiting on the turn (the API, the pages) hear it after
    commit."""
    Conversation.objects.filter(pk=conversation.pk).update(turns_done_through=through)
    transaction.on_commit(
        lambda: publish_conversation_event(
            conversation.id, {"type": "turn", "done_through": through}
        )
    )


# A lost turn stored as it was, then the turn answering the rest (one spare for safety).
MAX_TURNS_PER_CALL = 3
