"""The coach graph's working state, checkpointed after every step."""

import operator
from typing import Annotated, Any, TypedDict


class TranscriptEntry(TypedDict):
    role: str
    text: str
    message_id: str | None


class IncomingMessage(TypedDict):
    message_id: str
    text: str


class CoachReply(TypedDict):
    text: str
    asks: list[str]
    # The last family message this reply answers (None for the greeting).
    in_reply_to: str | None


class CoachState(TypedDict, total=False):
    # Appended to, never replaced: the checkpoint keeps the whole conversation as the graph saw it.
    transcript: Annotated[list[TranscriptEntry], operator.add]
    incoming: list[IncomingMessage]
    turn: int
    profile: dict[str, Any]
    phase: str
    reply: CoachReply | None
