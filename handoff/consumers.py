"""The counselor's live view of an escalated conversation: family messages arrive as they are
sent, and replies go straight into the family's chat."""

from typing import Literal

from channels.db import database_sync_to_async
from django.http import Http404
from pydantic import BaseModel, ConfigDict, ValidationError

from aviator.audit.services import audit_transcript_view
from aviator.realtime.consumers import Following, FollowingConsumer
from coach.presenters import conversation_following
from handoff.selectors import escalation_for_staff, may_read_transcript
from handoff.services import HandoffError, escalation_reply


class ReplyFrame(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: Literal["reply"]
    text: object


class StaffEscalationConsumer(FollowingConsumer):
    """The assignee's live view: follows the escalated conversation; a frame is a reply."""

    def follow(self, user, url_kwargs) -> Following:
        escalation = escalation_for_staff(user=user, escalation_id=url_kwargs["escalation_id"])
        if not may_read_transcript(user=user, escalation=escalation):
            raise Http404("Claim the escalation first.")
        audit_transcript_view(viewer=user, conversation=escalation.conversation, via="live_chat")
        return conversation_following(escalation, escalation.conversation)

    async def receive_json(self, content, **kwargs):
        try:
            frame = ReplyFrame.model_validate(content)
        except ValidationError:
            await self.send_error("invalid", 'Send {"type": "reply", "text": "..."}.')
            return
        try:
            await database_sync_to_async(escalation_reply)(
                escalation_id=self.subject.id, counselor=self.scope["user"], text=frame.text
            )
        except HandoffError as error:
            await self.send_error(error.code, error.message)
