"""Live events to a conversation's open chat pages, through the channel layer.

The same function serves the web process and the Celery worker; the layer configured in settings
carries the event across processes (Redis, or the database relay of the embedded default).
"""

from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer


def conversation_group(conversation_id) -> str:
    return f"conversation.{conversation_id}"


def publish_conversation_event(conversation_id, event: dict[str, Any]) -> None:
    """Send `event` to every socket watching the conversation. Call after commit."""
    layer = get_channel_layer()
    async_to_sync(layer.group_send)(
        conversation_group(conversation_id), {"type": "conversation.event", "event": event}
    )
