"""The transcript's low-level writes, shared by the coach and the human handoff: append a message,
lock a conversation, and tell open pages after commit."""

from django.db import connection, transaction
from django.db.transaction import TransactionManagementError

from aviator.sql import columns, first_row, key, placeholders
from coach.events import publish_conversation_event
from coach.models import (
    OPEN_STATES,
    TOOL_CALL_UNDERWAY,
    Approval,
    ApprovalStatus,
    Conversation,
    Escalation,
    Message,
    Role,
)
from coach.presenters import TOOL_CALL_UNDERWAY_SQL, conversation_state, message_payload


def message_append(conversation: Conversation, *, role: str, text: str, **fields) -> Message:
    """Append a message at the end of the transcript (inside a transaction).

    Appends take a lock of their own, not the conversation's turn lock (`conversation_locked`):
    a family's message is stored at once even while a turn runs for minutes on a slow model. The
    end of the transcript is read under that lock, so positions never collide; it is held to the
    end of the transaction, which for a turn is a few statements after its reply.
    """
    seq = _transcript_end(conversation) + 1
    message = Message.objects.create(
        conversation=conversation, seq=seq, role=role, text=text, **fields
    )
    conversation.last_seq = seq
    transaction.on_commit(
        lambda: publish_conversation_event(
            conversation.id, {"type": "message", "message": message_payload(message)}
        )
    )
    return message


# The first key of the append locks (PostgreSQL advisory locks are shared by the whole database;
# this keeps Aviator's apart from any other user's). The second is a hash of the conversation.
APPEND_LOCK_NAMESPACE = 0x41565452  # "AVTR"


def _transcript_end(conversation: Conversation) -> int:
    """The transcript's last position, with this transaction holding the conversation's append
    lock (SQLite serializes every write transaction on its own)."""
    if not connection.in_atomic_block:
        raise TransactionManagementError("message_append needs a transaction.")
    pk = key(Conversation, conversation.pk)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s, hashtext(%s))",
                [APPEND_LOCK_NAMESPACE, str(conversation.pk)],
            )
        cursor.execute(_TRANSCRIPT_END_SQL, [pk])
        return cursor.fetchone()[0]


_TRANSCRIPT_END_SQL = f"""
    SELECT COALESCE(MAX(seq), 0) FROM {Message._meta.db_table} WHERE conversation_id = %s"""


def conversation_locked(conversation: Conversation, *, for_a_turn: bool = False) -> Conversation:
    """The conversation, locked until the transaction ends (call it inside one), with what its
    writers need to know under the lock, read as soon as it is taken:

    - `last_seq`: the transcript's last position (0 when empty) when the lock was taken (a
      family's message may be appended after it meanwhile: appends have a lock of their own);

    and, `for_a_turn` (what the coach's turns need):

    - `answered_through`: the position up to which the family has been answered: the family
      message the coach's latest reply answered, or a counselor's latest message if later;
    - `tool_underway`: a tool call is queued or running;
    - `counselor_holds`: an escalation is open (waiting for or with a counselor);
    - `approval_unfinished`: the graph may still be paused at an approval (pending, or decided
      and not yet resumed).
    """
    if not connection.in_atomic_block:
        raise TransactionManagementError("conversation_locked needs a transaction.")
    # Turns on one conversation are serialized: LangGraph does not lock a thread, and two runs at
    # once would fork its checkpoint chain. FOR NO KEY UPDATE, not FOR UPDATE: inserting a
    # message (its foreign key takes KEY SHARE on this row) must not wait for a running turn.
    # The row is locked by a statement of its own: the
    # subqueries of a locking statement would read the snapshot taken before it waited for the
    # lock, and miss what the previous holder wrote. SQL rather than the ORM: every turn does
    # this, and building these subqueries through the ORM costs several times running them.
    pk = key(Conversation, conversation.pk)
    if connection.features.has_select_for_update:
        with connection.cursor() as cursor:
            cursor.execute(_LOCK_SQL, [pk])
    if for_a_turn:
        locked = first_row(Conversation, _FOR_A_TURN_SQL, [*_FOR_A_TURN_PARAMS, pk])
    else:
        locked = first_row(Conversation, _WITH_LAST_SEQ_SQL, [pk])
    if locked is None:
        raise Conversation.DoesNotExist(f"No conversation {conversation.pk}")
    if for_a_turn:
        locked.answered_through = max(locked.answered_by_coach, locked.last_counselor_seq)
    return locked


_LAST_SEQ = f"""COALESCE((SELECT MAX(m.seq) FROM {Message._meta.db_table} m
                   WHERE m.conversation_id = c.id), 0) AS last_seq"""
_WITH_LAST_SEQ_SQL = f"""
    SELECT {columns(Conversation, "c")}, {_LAST_SEQ}
    FROM {Conversation._meta.db_table} c
    WHERE c.id = %s"""
_FOR_A_TURN_SQL = f"""
    SELECT {columns(Conversation, "c")}, {_LAST_SEQ},
        COALESCE((SELECT MAX(answered.seq) FROM {Message._meta.db_table} r
                  JOIN {Message._meta.db_table} answered ON answered.id = r.reply_to_id
                  WHERE r.conversation_id = c.id AND r.role = %s), 0) AS answered_by_coach,
        COALESCE((SELECT MAX(m.seq) FROM {Message._meta.db_table} m
                  WHERE m.conversation_id = c.id AND m.role = %s), 0) AS last_counselor_seq,
        {TOOL_CALL_UNDERWAY_SQL} AS tool_underway,
        EXISTS(SELECT 1 FROM {Escalation._meta.db_table} e
               WHERE e.conversation_id = c.id AND e.state IN ({placeholders(OPEN_STATES)}))
            AS counselor_holds,
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
_LOCK_SQL = f"SELECT 1 FROM {Conversation._meta.db_table} WHERE id = %s FOR NO KEY UPDATE"


def publish_state_on_commit(conversation: Conversation) -> None:
    transaction.on_commit(
        lambda: publish_conversation_event(
            conversation.id, {"type": "state", "state": conversation_state(conversation)}
        )
    )
