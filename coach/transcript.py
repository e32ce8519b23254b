"""The transcript's low-level writes, shared by the coach and the human handoff: append a message,
lock a conversation, and tell open pages after commit."""

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection, transaction

from coach.events import publish_conversation_event
from coach.models import (
    TOOL_CALL_UNDERWAY,
    Approval,
    ApprovalStatus,
    Conversation,
    Message,
    Role,
    ToolCall,
)
from coach.presenters import conversation_state, message_payload
from handoff.models import OPEN_STATES, Escalation


def message_append(conversation: Conversation, *, role: str, text: str, **fields) -> Message:
    """Append a message at the end of the transcript. `conversation` is the one
    `conversation_locked` returned: its `last_seq` says where the end is."""
    conversation.last_seq += 1
    message = Message.objects.create(
        conversation=conversation, seq=conversation.last_seq, role=role, text=text, **fields
    )
    transaction.on_commit(
        lambda: publish_conversation_event(
            conversation.id, {"type": "message", "message": message_payload(message)}
        )
    )
    return message


def conversation_locked(conversation: Conversation, *, for_a_turn: bool = True) -> Conversation:
    """The conversation, locked until the transaction ends, with what its writers need to know
    under the lock, read as soon as it is taken:

    - `last_seq`: the transcript's last position (0 when empty), kept up to date by
      `message_append`;

    and, `for_a_turn` (the coach's turns need them; a writer that only appends messages does not):

    - `answered_through`: the position up to which the family has been answered: the family
      message the coach's latest reply answered, or a counselor's latest message if later;
    - `tool_underway`: a tool call is queued or running;
    - `counselor_holds`: an escalation is open (waiting for or with a counselor);
    - `approval_unfinished`: the graph may still be paused at an approval (pending, or decided
      and not yet resumed).
    """
    # Turns on one conversation are serialized: LangGraph does not lock a thread, and two runs at
    # once would fork its checkpoint chain. The row is locked by a statement of its own: the
    # subqueries of a locking statement would read the snapshot taken before it waited for the
    # lock, and miss what the previous holder wrote. SQL rather than the ORM: every turn does
    # this, and building these subqueries through the ORM costs several times running them.
    pk = Conversation._meta.pk.get_db_prep_value(conversation.pk, connection)
    if connection.features.has_select_for_update:
        with connection.cursor() as cursor:
            cursor.execute(_LOCK_SQL, [pk])
            if cursor.fetchone() is None:
                raise Conversation.DoesNotExist(f"No conversation {conversation.pk}")
    if not for_a_turn:
        rows = list(Conversation.objects.raw(_WITH_LAST_SEQ_SQL, [pk]))
    else:
        rows = list(Conversation.objects.raw(_FOR_A_TURN_SQL, [*_FOR_A_TURN_PARAMS, pk]))
    if not rows:
        raise Conversation.DoesNotExist(f"No conversation {conversation.pk}")
    locked = rows[0]
    if for_a_turn:
        locked.answered_through = max(locked.answered_by_coach, locked.last_counselor_seq)
    return locked


_LAST_SEQ = f"""COALESCE((SELECT MAX(m.seq) FROM {Message._meta.db_table} m
                   WHERE m.conversation_id = c.id), 0) AS last_seq"""
_WITH_LAST_SEQ_SQL = f"SELECT c.*, {_LAST_SEQ} FROM {Conversation._meta.db_table} c WHERE c.id = %s"
_FOR_A_TURN_SQL = f"""
    SELECT c.*, {_LAST_SEQ},
        COALESCE((SELECT MAX(answered.seq) FROM {Message._meta.db_table} r
                  JOIN {Message._meta.db_table} answered ON answered.id = r.reply_to_id
                  WHERE r.conversation_id = c.id AND r.role = %s), 0) AS answered_by_coach,
        COALESCE((SELECT MAX(m.seq) FROM {Message._meta.db_table} m
                  WHERE m.conversation_id = c.id AND m.role = %s), 0) AS last_counselor_seq,
        EXISTS(SELECT 1 FROM {ToolCall._meta.db_table} t
               WHERE t.conversation_id = c.id AND t.status IN (%s, %s)) AS tool_underway,
        EXISTS(SELECT 1 FROM {Escalation._meta.db_table} e
               WHERE e.conversation_id = c.id AND e.state IN (%s, %s)) AS counselor_holds,
        EXISTS(SELECT 1 FROM {Approval._meta.db_table} a
               WHERE a.conversation_id = c.id AND (a.status = %s OR a.resumed_at IS NULL))
            AS approval_unfinished
    FROM {Conversation._meta.db_table} c
    WHERE c.id = %s"""
_FOR_A_TURN_PARAMS = [
    Role.COACH,
    Role.COUNSELOR,
    *TOOL_CALL_UNDERWAY,
    *OPEN_STATES,
    ApprovalStatus.PENDING,
]
_LOCK_SQL = f"SELECT 1 FROM {Conversation._meta.db_table} WHERE id = %s FOR UPDATE"


def publish_state_on_commit(conversation: Conversation) -> None:
    def publish():
        state = conversation_state(conversation)
        publish_conversation_event(conversation.id, {"type": "state", "state": state})
        collected = getattr(_collector, "states", None)
        if collected is not None:
            collected[conversation.id] = state

    transaction.on_commit(publish)


_collector = threading.local()


@contextmanager
def states_published() -> Iterator[dict]:
    """Collect the states published (after commit) by this thread while in the block, by
    conversation id, the last one of each: a caller that answers with the state after a turn
    reuses the one just built for open pages instead of building it again."""
    _collector.states = {}
    try:
        yield _collector.states
    finally:
        del _collector.states
