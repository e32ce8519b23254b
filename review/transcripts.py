"""Reads for transcript review: the filtered list of conversations, one conversation as a timeline
of messages with the decisions behind them, and labelled conversations as evaluation cases."""

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from coach.language.phrasing import SLOT_LABELS, plain_value
from coach.models import (
    Approval,
    ApprovalKind,
    Conversation,
    DecisionTrace,
    Escalation,
    Message,
    Role,
    ToolCall,
)
from review.models import TranscriptLabel


@dataclass(frozen=True)
class ReviewFilters:
    phase: str = ""
    # "" any, "none" never escalated, "any" escalated for any reason, or one reason code.
    escalation: str = ""
    guardrail: bool = False
    tool_trouble: bool = False
    since: date | None = None
    until: date | None = None
    min_questions: int | None = None
    max_questions: int | None = None
    verdict: str = ""
    search: str = ""


def conversations_for_review(filters: ReviewFilters) -> QuerySet[Conversation]:
    """Conversations matching `filters`, newest first, annotated with `questions` (coach questions
    asked), `flagged` (a guardrail fired) and `tool_trouble` (a tool retried or failed)."""
    conversations = Conversation.objects.select_related("family").annotate(
        questions=Count("traces", filter=Q(traces__node="ask"), distinct=True),
        flagged=Exists(
            DecisionTrace.objects.filter(conversation=OuterRef("pk"), node="guard", decision="flag")
        ),
        tool_trouble=Exists(
            ToolCall.objects.filter(conversation=OuterRef("pk")).filter(
                Q(status="failed") | Q(attempts__gt=1)
            )
        ),
    )
    if filters.phase:
        conversations = conversations.filter(phase=filters.phase)
    if filters.escalation == "none":
        conversations = conversations.filter(escalations__isnull=True)
    elif filters.escalation == "any":
        conversations = conversations.filter(escalations__isnull=False)
    elif filters.escalation:
        conversations = conversations.filter(escalations__reason=filters.escalation)
    if filters.guardrail:
        conversations = conversations.filter(flagged=True)
    if filters.tool_trouble:
        conversations = conversations.filter(tool_trouble=True)
    if filters.since:
        conversations = conversations.filter(created__date__gte=filters.since)
    if filters.until:
        conversations = conversations.filter(created__date__lte=filters.until)
    if filters.min_questions is not None:
        conversations = conversations.filter(questions__gte=filters.min_questions)
    if filters.max_questions is not None:
        conversations = conversations.filter(questions__lte=filters.max_questions)
    if filters.verdict:
        conversations = conversations.filter(labels__verdict=filters.verdict)
    if filters.search:
        term = filters.search.strip()
        matches = Q(family__email__icontains=term) | Q(messages__text__icontains=term)
        if _looks_like_id(term):
            matches |= Q(id__istartswith=term)
        conversations = conversations.filter(matches)
    return conversations.distinct().order_by("-created")


def _looks_like_id(term: str) -> bool:
    return bool(term) and all(char in "0123456789abcdef-" for char in term.lower())


@dataclass
class Turn:
    """What the coach decided in one turn: its steps (the gate's says why), and its tool calls."""

    number: int
    steps: list[DecisionTrace]
    tool_calls: list[ToolCall]

    @property
    def gate(self) -> DecisionTrace | None:
        return next((step for step in self.steps if step.node == "gate"), None)

    @property
    def whys(self) -> list[str]:
        """Why the coach said what it said this turn: the gate's decision, and for an optional
        question asked beside the list, a why of its own."""
        whys = []
        for step in self.steps:
            if step.node == "gate":
                score = "" if step.score is None else f" (sufficiency {step.score:.2f})"
                whys.append(f"{step.reason}{score}")
            elif step.node == "present" and step.details.get("follow_up"):
                topic = step.details["follow_up"]
                whys.append(
                    f"Also asked about {topic}: of the topics still open, its answer could "
                    "change the list the most (value of information)."
                )
        return whys

    @property
    def changes(self) -> list[dict[str, Any]]:
        """What the family's message changed in the profile, slot by slot, in words."""
        changed = []
        for step in self.steps:
            if step.node not in ("extract", "confirm_overwrite"):
                continue
            for slot, after in step.slots_after.items():
                before = step.slots_before.get(slot)
                if before != after:
                    changed.append(
                        {
                            "slot": SLOT_LABELS.get(slot, slot),
                            "before": plain_value(slot, before),
                            "after": plain_value(slot, after),
                        }
                    )
        return changed


# Why the coach asked the family to approve a write (shown on the message that asks).
APPROVAL_WHYS = {
    ApprovalKind.SAVE_LIST: "The family asked to save the list; a write waits for their approval.",
    ApprovalKind.SEND_EMAIL: "The family asked to e-mail the list; sending waits for their "
    "approval.",
    ApprovalKind.FACT_OVERWRITE: "The family's new value would replace a fact they had "
    "confirmed; replacing it waits for their approval.",
}


def profile_in_words(profile: dict[str, Any]) -> list[tuple[str, str]]:
    """The known slots of a profile as (label, value in words), in the vocabulary's order."""
    return [
        (SLOT_LABELS.get(slot, slot), plain_value(slot, value))
        for slot, value in profile.items()
        if value is not None
    ]


@dataclass
class TimelineEntry:
    """One thing that happened, in order: a message (with the turn it ended, for coach
    messages), an escalation, an approval or a label."""

    at: datetime
    kind: str
    message: Message | None = None
    turns: list[Turn] = field(default_factory=list)
    escalation: Escalation | None = None
    approval: Approval | None = None
    label: TranscriptLabel | None = None
    # Why a message asked for what it asked, beyond its turn's decisions (an approval prompt).
    whys: list[str] = field(default_factory=list)


def conversation_timeline(conversation: Conversation) -> list[TimelineEntry]:
    steps_by_reply: dict[Any, dict[int, list[DecisionTrace]]] = {}
    for step in conversation.traces.order_by("turn", "step"):
        steps_by_reply.setdefault(step.reply_id, {}).setdefault(step.turn, []).append(step)
    tool_calls_by_turn: dict[int, list[ToolCall]] = {}
    for tool_call in conversation.tool_calls.order_by("queued_at"):
        tool_calls_by_turn.setdefault(tool_call.turn, []).append(tool_call)
    entries = []
    for message in conversation.messages.order_by("seq"):
        turns = []
        if message.role == Role.COACH:
            for number, steps in sorted(steps_by_reply.get(message.id, {}).items()):
                turns.append(Turn(number, steps, tool_calls_by_turn.get(number, [])))
        entries.append(TimelineEntry(message.created, "message", message=message, turns=turns))
    entries += [
        TimelineEntry(e.created, "escalation", escalation=e)
        for e in conversation.escalations.select_related("assigned_to")
    ]
    entries += [
        TimelineEntry(label.created, "label", label=label)
        for label in conversation.labels.select_related("author")
    ]
    # An approval is created just before the coach message that asks for it, in the same
    # transaction: that message (the first coach message from then on) carries its why, and
    # the approval is listed after it, as the family saw it.
    coach_entries = [
        e for e in entries if e.kind == "message" and e.message and e.message.role == Role.COACH
    ]
    for approval in conversation.approvals.all():
        prompt = next((e for e in coach_entries if e.at >= approval.created), None)
        if prompt is not None:
            prompt.whys.append(APPROVAL_WHYS[ApprovalKind(approval.kind)])
        at = prompt.at if prompt is not None else approval.created
        entries.append(TimelineEntry(at, "approval", approval=approval))
    # Stable: a message and the escalation it caused keep their order when created together;
    # at the same moment, the message comes first.
    return sorted(entries, key=lambda entry: (entry.at, entry.kind != "message"))


def labelled_cases(*, verdict: str = "") -> list[dict[str, Any]]:
    """Labelled conversations as evaluation cases: what the family said, what the coach ended
    with, and the reviewer's verdict, ready to become regression personas."""
    labels = TranscriptLabel.objects.select_related("conversation", "author").order_by("created")
    if verdict:
        labels = labels.filter(verdict=verdict)
    cases = []
    for label in labels:
        conversation = label.conversation
        shortlist = conversation.shortlists.order_by("-created").first()
        escalation = conversation.escalations.order_by("-created").first()
        cases.append(
            {
                "conversation": str(conversation.id),
                "verdict": label.verdict,
                "note": label.note,
                "labelled_at": label.created.isoformat(),
                "labelled_by": label.author.email if label.author else "",
                "family_messages": list(
                    conversation.messages.filter(role=Role.FAMILY)
                    .order_by("seq")
                    .values_list("text", flat=True)
                ),
                "profile": conversation.profile,
                "recommended": [item["unitid"] for item in shortlist.items] if shortlist else [],
                "escalation": escalation.reason if escalation else None,
            }
        )
    return cases
