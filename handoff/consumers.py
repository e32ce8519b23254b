"""The counselor's live view of an escalated conversation: family messages arrive as they are
sent, and replies go straight into the family's chat."""

from typing import Literal

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.http import Http404
from pydantic import BaseModel, ConfigDict, ValidationError

from coach.consumers import CLOSE_NOT_FOUND, CLOSE_UNAUTHENTICATED
from coach.events import conversation_group
from coach.presenters import conversation_state
from handoff.selectors import escalation_for_staff, may_read_transcript
from handoff.services import HandoffError, escalation_reply


class ReplyFrame(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: Literal["reply"]
    text: object


def _escalation_and_state(user, escalation_id):
    escalation = escalation_for_staff(user=user, escalation_id=escalation_id)
    if not may_read_transcript(user=user, escalation=escalation):
        raise Http404("Claim the escalation first.")
    return escalation, conversation_state(escalation.conversation)


class StaffEscalationConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self):
        user = self.scope["user"]
        if not user.is_authenticated:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        escalation_id = self.scope["url_route"]["kwargs"]["escalation_id"]
        try:
            self.escalation, state = await database_sync_to_async(_escalation_and_state)(
                user, escalation_id
            )
        except Http404:
            await self.close(code=CLOSE_NOT_FOUND)
            return
        self.group = conversation_group(self.escalation.conversation_id)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        await self.send_json({"type": "state", "state": state})

    async def disconnect(self, code):
        if hasattr(self, "group"):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content, **kwargs):
        try:
            frame = ReplyFrame.model_validate(content)
        except ValidationError:
            await self._send_error("invalid", 'Send {"type": "reply", "text": "..."}.')
            return
        try:
            await database_sync_to_async(escalation_reply)(
                escalation_id=self.escalation.id, counselor=self.scope["user"], text=frame.text
            )
        except HandoffError as error:
            await self._send_error(error.code, error.message)

    async def conversation_event(self, message):
        await self.send_json(message["event"])

    async def _send_error(self, code: str, text: str):
        await self.send_json({"type": "error", "error": {"code": code, "message": text}})
