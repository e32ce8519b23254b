"""The socket both live views stand on (the family's chat, the counselor's view of it): a socket
that follows one group's events once its subclass has admitted the user."""

import json
from dataclasses import dataclass
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.core.cache import cache
from django.http import Http404

from aviator.logs import log_context_start
from aviator.observability import tag_conversation

CLOSE_UNAUTHENTICATED = 4401
CLOSE_NOT_FOUND = 4404
# Open sockets across web processes, counted in the shared cache for /metrics. A web process that
# dies without closing its sockets leaves the count high until the key is reset by a restart of
# the cache; the gauge is for trends, not billing.
OPEN_SOCKETS_KEY = "metrics:open_websockets"


@dataclass(frozen=True)
class Following:
    """What an admitted socket follows: its subject (the conversation, or the escalation), the
    conversation it is about, the group whose events it relays, and the frame it opens with."""

    subject: Any
    conversation_id: str
    group: str
    first_frame: dict[str, Any]


async def _count_open_socket(delta: int) -> None:
    await cache.aadd(OPEN_SOCKETS_KEY, 0, timeout=None)
    await cache.aincr(OPEN_SOCKETS_KEY, delta)


class FollowingConsumer(AsyncJsonWebsocketConsumer):
    """Subclasses say who may open the socket and what it follows (`follow`, run in a thread;
    Http404 refuses), and what a frame from the client does (`receive_json`)."""

    def follow(self, user, url_kwargs) -> Following:
        raise NotImplementedError

    async def connect(self):
        user = self.scope["user"]
        if not user.is_authenticated:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        try:
            following = await database_sync_to_async(self.follow)(
                user, self.scope["url_route"]["kwargs"]
            )
        except Http404:
            await self.close(code=CLOSE_NOT_FOUND)
            return
        tag_conversation(following.conversation_id)
        self.subject = following.subject
        self.group = following.group
        await self.channel_layer.group_add(self.group, self.channel_name)
        await _count_open_socket(+1)
        await self.accept()
        await self.send_json(following.first_frame)

    async def disconnect(self, code):
        if hasattr(self, "group"):
            await self.channel_layer.group_discard(self.group, self.channel_name)
            await _count_open_socket(-1)

    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        # Each frame is a request of its own in the logs (and for the tasks it enqueues).
        log_context_start()
        try:
            content = json.loads(text_data or "")
        except json.JSONDecodeError:
            await self.send_error("invalid_json", "Frames must be JSON.")
            return
        await self.receive_json(content)

    async def conversation_event(self, message):
        """An event published to the group (coach.events): relayed as it is."""
        await self.send_json(message["event"])

    async def send_error(self, code: str, text: str):
        await self.send_json({"type": "error", "error": {"code": code, "message": text}})
