"""Live events to a conversation's open chat pages, through the channel layer.

The same function serves the web process and the Celery worker; the layer configured in settings
carries the event across processes (Redis, or the database relay of the embedded default).
"""

import asyncio
import threading
from typing import Any

from asgiref.sync import SyncToAsync, async_to_sync
from channels.layers import get_channel_layer

_publisher: asyncio.AbstractEventLoop | None = None
_publisher_lock = threading.Lock()


def conversation_group(conversation_id) -> str:
    return f"conversation.{conversation_id}"


def _publisher_loop() -> asyncio.AbstractEventLoop:
    """One event loop per process, in a thread of its own, for publishing from sync code.

    The Redis layer keeps its connections per event loop: `async_to_sync` from a worker or a
    request thread would make a new loop, and so new connections, for every event.
    """
    global _publisher
    with _publisher_lock:
        if _publisher is None or _publisher.is_closed():
            loop = asyncio.new_event_loop()
            threading.Thread(target=loop.run_forever, name="event-publisher", daemon=True).start()
            _publisher = loop
        return _publisher


def publish_conversation_event(conversation_id, event: dict[str, Any]) -> None:
    """Send `event` to every socket watching the conversation. Call after commit (sync code).

    Waits until the layer took it, so events leave in the order they were published.
    """
    message = {"type": "conversation.event", "event": event}
    group_send = get_channel_layer().group_send
    if getattr(SyncToAsync.threadlocal, "main_event_loop", None) is not None:
        # Sync code under the ASGI server: its own loop already holds the layer's connections
        # (and the database relay of the embedded default needs that loop's thread).
        async_to_sync(group_send)(conversation_group(conversation_id), message)
        return
    send = group_send(conversation_group(conversation_id), message)
    asyncio.run_coroutine_threadsafe(send, _publisher_loop()).result(timeout=30)
