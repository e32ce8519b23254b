"""Pydantic shapes of the handoff endpoints of the API v1 (docs/DESIGN.md §7): request bodies and,
for the OpenAPI document and the tests, the escalation as the staff endpoints answer it."""

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class HandoffIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field("", max_length=500)


class ReplyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: Any


class ResolveIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    handback: bool
    facts: dict[str, Any] = Field(default_factory=dict)
    closing_line: str | None = Field(
        None, description="Closing: a last message to the family, sent before the close."
    )


class EscalationOut(BaseModel):
    id: str
    conversation: str
    reason: Literal["requested", "crisis", "stuck", "tool_failure", "out_of_lane", "low_confidence"]
    urgent: bool
    state: Literal["waiting_for_human", "human", "bot", "closed"]
    assigned_to: str | None = Field(description="The counselor's e-mail, once claimed.")
    packet: dict[str, Any] = Field(
        description="The handoff packet: summary, profile with gaps, draft shortlist, what the "
        "coach promised, links to the transcript and the trace."
    )
    created: str
    first_human_reply_at: str | None
    resolved_at: str | None


class EscalationListOut(BaseModel):
    escalations: list[EscalationOut]
