"""The family chat WebSocket: the same messages and state as the API, pushed live."""

from typing import Literal

from asgiref.sync import ThreadSensitiveContext
from channels.db import database_sync_to_async
from pydantic import BaseModel, ConfigDict, ValidationError

from aviator.errors import Refused
from aviator.ratelimit import RateLimited
from aviator.realtime.consumers import Following, FollowingConsumer
from coach.messages import family_message_take
from coach.presenters import conversation_following
from coach.selectors import conversation_for_family
from coach.services import InvalidMessage


class MessageFrame(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: Literal["message"]
    text: object


class ConversationConsumer(FollowingConsumer):
    """The family's chat: follows their own conversation; a frame is a message."""

    def follow(self, user, url_kwargs) -> Following:
        conversation = conversation_for_family(
            user=user, conversation_id=url_kwargs["conversation_id"]
        )
        return conversation_following(conversation, conversation)

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
