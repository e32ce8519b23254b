"""The transcript's low-level writes, shared by the coach and the human handoff: append a message,
lock a conversation, and tell open pages after commit."""

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
    transaction.on_commit(
        lambda: publish_conversation_event(
            conversation.id,
            {
                "type": "state",
                "state": conversation_state(Conversation.objects.get(pk=conversation.pk)),
            },
        )
    )
