"""The ConversationState shape of DESIGN.md §7, built from the domain models."""

from typing import Any

from django.db.models import Exists, OuterRef, Subquery

from aviator.accounts.roles import display_name
from coach.models import (
    TOOL_CALL_UNDERWAY,
    Approval,
    ApprovalStatus,
    Conversation,
    Message,
    Phase,
    Role,
    Shortlist,
    ToolCall,
)
from coach.profile import missing_topics
from handoff.models import Escalation


def message_payload(message: Message) -> dict[str, Any]:
    payload = {
        "id": str(message.id),
        "role": message.role,
        "text": message.text,
        "created": message.created.isoformat().replace("+00:00", "Z"),
    }
    if message.role == Role.COACH:
        payload["asks"] = list(message.asks)
    return payload


def _recommendation(item: dict[str, Any]) -> dict[str, Any]:
    """A shortlist item in the API's shape (DESIGN.md §7), plus the college's site for the card."""
    return {key: item[key] for key in RECOMMENDATION_FIELDS} | {"url": web_address(item.get("url"))}


def web_address(url: str | None) -> str:
    """A college's site as an absolute http(s) address (the Scorecard often omits the scheme);
    anything else, such as a `javascript:` URL, becomes empty and is never linked."""
    url = (url or "").strip()
    if not url:
        return ""
    if "://" not in url:
        url = f"https://{url}"
    return url if url.lower().startswith(("http://", "https://")) else ""


RECOMMENDATION_FIELDS = (
    "unitid",
    "name",
    "city",
    "state",
    "fit",
    "net_price",
    "admission_rate",
    "reasons",
)


def escalation_summary(escalation) -> dict[str, Any] | None:
    if escalation is None:
        return None
    counselor = escalation.assigned_to
    return {
        "id": str(escalation.id),
        "reason": escalation.reason,
        "state": escalation.state,
        "urgent": escalation.urgent,
        "created": escalation.created.isoformat().replace("+00:00", "Z"),
        "counselor": display_name(counselor) if counselor else None,
    }


def _iso(moment) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def approval_summary(approval) -> dict[str, Any] | None:
    if approval is None:
        return None
    return {
        "id": str(approval.id),
        "kind": approval.kind,
        "summary": approval.summary,
        "proposed": approval.proposed,
        "expires_at": _iso(approval.expires_at),
    }


def conversation_state(conversation: Conversation) -> dict[str, Any]:
    """The state as stored now (the phase and profile too are read afresh, not taken from the
    object passed). One query answers the common case with the messages: the rows that are often
    absent (an escalation, a pending approval) are looked for only when they exist."""
    current = (
        Conversation.objects.filter(pk=conversation.pk)
        .values(
            "phase",
            "profile",
            busy=Exists(
                ToolCall.objects.filter(
                    conversation=OuterRef("pk"),
                    status__in=TOOL_CALL_UNDERWAY,
                )
            ),
            recommendations=Subquery(
                Shortlist.objects.filter(conversation=OuterRef("pk"))
                .order_by("-created")
                .values("items")[:1]
            ),
            escalated=Exists(Escalation.objects.filter(conversation=OuterRef("pk"))),
            approval_pending=Exists(
                Approval.objects.filter(conversation=OuterRef("pk"), status=ApprovalStatus.PENDING)
            ),
        )
        .get()
    )
    messages = conversation.messages.order_by("seq")
    escalation = approval = None
    if current["escalated"]:
        escalation = (
            conversation.escalations.select_related("assigned_to").order_by("-created").first()
        )
    # Nothing to approve while a counselor has the conversation: the coach is away.
    if current["approval_pending"] and current["phase"] not in (Phase.ESCALATED, Phase.CLOSED):
        approval = conversation.approvals.filter(status=ApprovalStatus.PENDING).first()
    return {
        "id": str(conversation.pk),
        "phase": current["phase"],
        "busy": current["busy"],
        "messages": [message_payload(message) for message in messages],
        "profile": dict(current["profile"]),
        "missing": missing_topics(current["profile"]),
        "recommendations": [_recommendation(item) for item in current["recommendations"] or []],
        "escalation": escalation_summary(escalation),
        "pending_approval": approval_summary(approval),
    }


def conversation_summary(conversation: Conversation) -> dict[str, Any]:
    """What the conversation list shows: the state without its messages."""
    return {
        "id": str(conversation.id),
        "phase": conversation.phase,
        "created": conversation.created.isoformat().replace("+00:00", "Z"),
        "updated": conversation.updated.isoformat().replace("+00:00", "Z"),
        "missing": missing_topics(conversation.profile),
    }
