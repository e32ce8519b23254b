"""The family chat WebSocket: the same messages and state as the API, pushed live."""

import json
import logging
from typing import Literal

from asgiref.sync import ThreadSensitiveContext
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.core.cache import cache
from django.http import Http404
from pydantic import BaseModel, ConfigDict, ValidationError

from aviator.errors import Refused
from aviator.logs import log_context_start
from aviator.observability import tag_conversation
from aviator.ratelimit import RateLimited
from coach.events import conversation_group
from coach.messages import family_message_take
from coach.presenters import conversation_state
from coach.selectors import conversation_for_family
from coach.services import InvalidMessage

logger = logging.getLogger(__name__)

CLOSE_UNAUTHENTICATED = 4401
CLOSE_NOT_FOUND = 4404
# Open sockets across web processes, counted in the shared cache for /metrics. A web process that
# dies without closing its sockets leaves the count high until the key is reset by a restart of
# the cache; the gauge is for trends, not billing.
OPEN_SOCKETS_KEY = "metrics:open_websockets"


async def _count_open_socket(delta: int) -> None:
    await cache.aadd(OPEN_SOCKETS_KEY, 0, timeout=None)
    await cache.aincr(OPEN_SOCKETS_KEY, delta)


class ConversationGroupConsumer(AsyncJsonWebsocketConsumer):
    """A socket following one conversation's events. Subclasses say who may open it
    (`load`, which raises Http404 otherwise) and what a frame from the client does."""

    def load(self, user, url_kwargs):
        """Return (the object this socket is about, its conversation). Runs in a thread."""
        raise NotImplementedError

    async def connect(self):
        user = self.scope["user"]
        if not user.is_authenticated:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        try:
            self.subject, state = await database_sync_to_async(self._load_with_state)(
                user, self.scope["url_route"]["kwargs"]
            )
        except Http404:
            await self.close(code=CLOSE_NOT_FOUND)
            return
        tag_conversation(state["id"])
        self.group = conversation_group(state["id"])
        await self.channel_layer.group_add(self.group, self.channel_name)
        await _count_open_socket(+1)
        await self.accept()
        await self.send_json({"type": "state", "state": state})

    def _load_with_state(self, user, url_kwargs):
        subject, conversation = self.load(user, url_kwargs)
        return subject, conversation_state(conversation)

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
        await self.send_json(message["event"])

    async def send_error(self, code: str, text: str):
        await self.send_json({"type": "error", "error": {"code": code, "message": text}})


class MessageFrame(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: Literal["message"]
    text: object


class ConversationConsumer(ConversationGroupConsumer):
    def load(self, user, url_kwargs):
        conversation = conversation_for_family(
            user=user, conversation_id=url_kwargs["conversation_id"]
        )
        return conversation, conversation

    async def receive_json(self, content, **kwargs):
        try:
            frame = MessageFrame.model_validate(content)
        except ValidationError:
            await self.send_error("invalid", 'Send {"type": "message", "text": "..."}.')
            return
        try:
            # A thread of this frame's own: one family's socket never waits behind another's.
            # Storing the message is all that happens here; its turn runs on a worker, and the
            # new messages and the state reach this socket through the conversation's group.
            async with ThreadSensitiveContext():
                await database_sync_to_async(family_message_take)(
                    conversation=self.subject, family=self.scope["user"], text=frame.text
                )
        except InvalidMessage as error:
            await self.send_error(error.code, error.message)
        except RateLimited as error:
            await self.send_error("rate_limited", error.message)
        except Refused as error:
            await self.send_error(error.code, error.message)
