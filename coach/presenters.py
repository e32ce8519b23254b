"""The ConversationState shape of DESIGN.md §7, built from the domain models."""

from typing import Any

from django.db import connection

from aviator.realtime.consumers import Following
from aviator.roles import display_name
from aviator.sql import columns, first_row, key, placeholders
from coach.events import conversation_group
from coach.models import (
    TOOL_CALL_UNDERWAY,
    Approval,
    ApprovalStatus,
    Conversation,
    Escalation,
    Message,
    Phase,
    Role,
    Shortlist,
    ToolCall,
)
from coach.profile import missing_topics


def message_payload(message: Message) -> dict[str, Any]:
    payload: dict[str, Any] = {
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
        # When the family should hear from a counselor at the latest (the first-reply SLA).
        "first_reply_due": _iso(escalation.first_reply_due),
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
    object passed). Two queries answer the common case, the conversation's row and its messages:
    the rows that are often absent (an escalation, a pending approval) are read only when the
    first query says they exist."""
    pk = key(Conversation, conversation.pk)
    # SQL rather than the ORM: every turn builds the state, and building these queries through
    # the ORM costs several times running them.
    # The conversation's columns with `recommendations`, `escalated`, `approval_pending`, `busy`.
    current: Any = first_row(Conversation, _STATE_SQL, [*_STATE_PARAMS, pk])
    if current is None:
        raise Conversation.DoesNotExist(f"No conversation {conversation.pk}")
    # No expression: the column is read whole, not a key of it (Django's stubs want one).
    recommendations = _SHORTLIST_ITEMS.from_db_value(
        current.recommendations,
        None,  # type: ignore[arg-type]
        connection,
    )
    messages = Message.objects.raw(_MESSAGES_SQL, [pk])
    escalation = approval = None
    if current.escalated:
        escalation = (
            conversation.escalations.select_related("assigned_to").order_by("-created").first()
        )
    # Nothing to approve while a counselor has the conversation: the coach is away.
    if current.approval_pending and current.phase not in (Phase.ESCALATED, Phase.CLOSED):
        approval = conversation.approvals.filter(status=ApprovalStatus.PENDING).first()
    return {
        "id": str(conversation.pk),
        "phase": current.phase,
        "busy": bool(current.busy),
        "messages": [message_payload(message) for message in messages],
        "profile": dict(current.profile),
        "missing": missing_topics(current.profile),
        "recommendations": [_recommendation(item) for item in recommendations or []],
        "escalation": escalation_summary(escalation),
        "pending_approval": approval_summary(approval),
    }


# Whether the conversation `c` has a tool call underway (its parameters: TOOL_CALL_UNDERWAY).
TOOL_CALL_UNDERWAY_SQL = f"""EXISTS(SELECT 1 FROM {ToolCall._meta.db_table} t
    WHERE t.conversation_id = c.id AND t.status IN ({placeholders(TOOL_CALL_UNDERWAY)}))"""

_SHORTLIST_ITEMS = Shortlist._meta.get_field("items")
_STATE_SQL = f"""
    SELECT {columns(Conversation, "c")},
        ({TOOL_CALL_UNDERWAY_SQL} OR c.turns_done_through < COALESCE(
            (SELECT MAX(m.seq) FROM {Message._meta.db_table} m
             WHERE m.conversation_id = c.id AND m.role = %s), 0)) AS busy,
        (SELECT s.items FROM {Shortlist._meta.db_table} s
         WHERE s.conversation_id = c.id ORDER BY s.created DESC LIMIT 1) AS recommendations,
        EXISTS(SELECT 1 FROM {Escalation._meta.db_table} e
               WHERE e.conversation_id = c.id) AS escalated,
        EXISTS(SELECT 1 FROM {Approval._meta.db_table} a
               WHERE a.conversation_id = c.id AND a.status = %s) AS approval_pending
    FROM {Conversation._meta.db_table} c
    WHERE c.id = %s"""
_STATE_PARAMS = [*TOOL_CALL_UNDERWAY, Role.FAMILY, ApprovalStatus.PENDING]
_MESSAGES_SQL = f"""
    SELECT {columns(Message, "m")} FROM {Message._meta.db_table} m
    WHERE m.conversation_id = %s
    ORDER BY m.seq"""


def conversation_summary(conversation: Conversation) -> dict[str, Any]:
    """What the conversation list shows: the state without its messages."""
    return {
        "id": str(conversation.id),
        "phase": conversation.phase,
        "created": conversation.created.isoformat().replace("+00:00", "Z"),
        "updated": conversation.updated.isoformat().replace("+00:00", "Z"),
        "missing": missing_topics(conversation.profile),
    }


def conversation_following(subject: Any, conversation: Conversation) -> Following:
    """What a socket about `conversation` follows: its events, opening with its state."""
    state = conversation_state(conversation)
    return Following(
        subject=subject,
        conversation_id=state["id"],
        group=conversation_group(state["id"]),
        first_frame={"type": "state", "state": state},
    )
