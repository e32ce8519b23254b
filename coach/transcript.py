"""The transcript's low-level writes, shared by the coach and the human handoff: append a message,
lock a conversation, and tell open pages after commit."""

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import transaction
from django.db.models import Max

from coach.events import publish_conversation_event
from coach.models import Conversation, Message
from coach.presenters import conversation_state, message_payload


def message_append(conversation: Conversation, *, role: str, text: str, **fields) -> Message:
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


def conversation_locked(conversation: Conversation) -> Conversation:
    # Turns on one conversation are serialized: LangGraph does not lock a thread, and two runs at
    # once would fork its checkpoint chain.
    return Conversation.objects.select_for_update().get(pk=conversation.pk)


def publish_state_on_commit(conversation: Conversation) -> None:
    def publish():
        state = conversation_state(Conversation.objects.get(pk=conversation.pk))
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
