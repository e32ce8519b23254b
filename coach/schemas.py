"""Pydantic shapes of the coach API (DESIGN.md §7): request bodies and, for the OpenAPI document,
the answers."""

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class MessageIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    # Any JSON value is accepted here so that the service can say precisely what is wrong with it.
    text: Any = Field(description="What the family says; 1 to 4,000 characters.")


class ConversationCreateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ApprovalDecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    approve: bool = Field(description="true carries out the proposed write; false drops it.")


class PendingApprovalOut(BaseModel):
    id: str
    kind: Literal["save_list", "send_email", "fact_overwrite"]
    summary: str = Field(description="What the coach proposes, in its own words.")
    proposed: Any = Field(description="The change as data: colleges, or facts before and after.")
    expires_at: str


class MessageOut(BaseModel):
    id: str
    role: Literal["family", "coach", "counselor", "system"]
    text: str
    asks: list[str] | None = Field(None, description="Coach messages only: the topics asked about.")
    created: str


class ProfileOut(BaseModel):
    major: str | None
    gpa: float | None
    sat: int | None
    act: int | None
    test_optional: bool | None
    budget: int | Literal["any"] | None
    states: list[str] | Literal["any"] | None
    home_state: str | None
    income: int | None
    size: Literal["small", "medium", "large", "any"] | None
    setting: Literal["city", "suburb", "town", "rural", "any"] | None


class RecommendationOut(BaseModel):
    unitid: int
    name: str
    city: str
    state: str
    # "open_admission" / "no_data": no admission rate or scores to judge fit by (DESIGN.md §5).
    fit: Literal["reach", "match", "likely", "open_admission", "no_data"]
    net_price: int | None
    admission_rate: float | None
    reasons: list[str]
    url: str = Field(description="The college's website (http or https), or empty.")


Phase = Literal["gathering", "recommending", "recommended", "escalated", "closed"]


class ConversationStateOut(BaseModel):
    id: str
    phase: Phase
    busy: bool = Field(
        description="The coach is working: a family message waits for its turn, or a tool runs."
    )
    messages: list[MessageOut]
    profile: ProfileOut
    missing: list[Literal["major", "academics", "budget", "location"]]
    recommendations: list[RecommendationOut]
    escalation: dict | None
    pending_approval: PendingApprovalOut | None


class ConversationSummaryOut(BaseModel):
    id: str
    phase: Phase
    created: str
    updated: str
    missing: list[str]


class ConversationListOut(BaseModel):
    conversations: list[ConversationSummaryOut]
