"""What a paused turn leaves behind to wait on: the tool call it sent for, or the approval it asked
the family for. Records only (the turn runner and the outcome writer stand on them); carrying a
pause out is `coach.tool_calls` and `coach.approvals`."""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from aviator.celery import app as celery_app
from aviator.faults import inject_broker_faults
from coach.graph.runner import PendingApproval, PendingTool
from coach.language import prompts
from coach.models import Approval, Conversation, Message, Role, ToolCall
from coach.transcript import conversation_locked, message_append, publish_state_on_commit

logger = logging.getLogger(__name__)


def tool_call_enqueue(
    *, conversation: Conversation, turn: int, pending: PendingTool, answering: Message | None
) -> ToolCall:
    """Record the tool the graph paused for; send it to a worker once the transaction commits."""
    tool_call, _ = ToolCall.objects.get_or_create(
        key=f"{conversation.id}:{turn}:{pending.tool}",
        defaults={
            "conversation": conversation,
            "turn": turn,
            "tool": pending.tool,
            "interrupt_id": pending.interrupt_id,
            "payload": pending.payload,
            "family_message": answering,
        },
    )
    transaction.on_commit(lambda: _tool_call_send_first(tool_call))
    return tool_call


def tool_call_send(tool_call: ToolCall) -> None:
    inject_broker_faults(settings.COACH_FAULTS)
    # By name: the tasks module imports this one, never the other way round.
    celery_app.send_task(f"coach.{tool_call.tool}", args=[tool_call.pk], task_id=tool_call.key)


def _tool_call_send_first(tool_call: ToolCall) -> None:
    """After the turn commits. If the broker is down the family's turn still succeeds: they are
    told the search will take a moment, and the stale-call sweep sends it once the broker is
    back (DESIGN.md §9: degrade, never drop)."""
    try:
        tool_call_send(tool_call)
    except Exception:
        logger.warning("could not send tool call %s; the sweep will", tool_call.key, exc_info=True)
        with transaction.atomic():
            conversation = conversation_locked(tool_call.conversation)
            message_append(conversation, role=Role.SYSTEM, text=prompts.TOOL_DELAYED)
            publish_state_on_commit(conversation)


def approval_open(
    *, conversation: Conversation, turn: int, pending: PendingApproval, answering: Message | None
) -> Approval:
    """Record the write the graph paused for and put the proposal in the chat. The caller holds
    the conversation's lock; nothing is written but the proposal itself."""
    approval, created = Approval.objects.get_or_create(
        key=f"{conversation.id}:{turn}:{pending.kind}",
        defaults={
            "conversation": conversation,
            "turn": turn,
            "kind": pending.kind,
            "proposed": pending.proposed,
            "summary": pending.text,
            "interrupt_id": pending.interrupt_id,
            "checkpoint_id": pending.checkpoint_id,
            "family_message": answering,
            "expires_at": timezone.now() + timedelta(minutes=settings.APPROVAL_TTL_MINUTES),
        },
    )
    if created:
        message_append(
            conversation, role=Role.COACH, text=pending.text, asks=[], reply_to=answering
        )
    return approval
