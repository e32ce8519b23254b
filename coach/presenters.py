"""The ConversationState shape of DESIGN.md §7, built from the domain models."""

from typing import Any

from coach.models import Conversation, Message, Role
from coach.profile import missing_topics


def message_payload(message: Message) -> dict[str, Any]:
    payload = {
        "id": str(message.id),
        "role": message.role,
        "text": message.text,
        "created": message.created.isoformat().replace("+00:00", "Z"),
    }
    if message.role == Role.COACH:
        payload["asks"] = list(message.asks)
    return payload


def conversation_state(conversation: Conversation, *, busy: bool = False) -> dict[str, Any]:
    messages = list(conversation.messages.order_by("seq"))
    return {
        "id": str(conversation.id),
        "phase": conversation.phase,
        "busy": busy,
        "messages": [message_payload(message) for message in messages],
        "profile": dict(conversation.profile),
        "missing": missing_topics(conversation.profile),
        "recommendations": [],
        "escalation": None,
        "pending_approval": None,
    }


def conversation_summary(conversation: Conversation) -> dict[str, Any]:
    """What the conversation list shows: the state without its messages."""
    return {
        "id": str(conversation.id),
        "phase": conversation.phase,
        "created": conversation.created.isoformat().replace("+00:00", "Z"),
        "updated": conversation.updated.isoformat().replace("+00:00", "Z"),
        "missing": missing_topics(conversation.profile),
    }
