"""The tool-call lifecycle on the worker: run the tool, resume the graph with its result exactly
once, store the reply; and send again the calls whose task was lost (DESIGN.md §9)."""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from aviator.faults import inject_tool_faults
from aviator.observability import tag_conversation
from coach.graph.runner import resume_coach_turn
from coach.models import Message, ToolCall, ToolCallStatus
from coach.outcomes import outcome_apply
from coach.pauses import tool_call_send
from coach.tools import TOOLS
from coach.transcript import conversation_locked
from coach.turns import TurnFailed, conversation_run_turn

logger = logging.getLogger(__name__)


def tool_calls_resend_stale(
    *, older_than: timedelta, running_older_than: timedelta | None = None
) -> int:
    """Send again the tool calls never started after `older_than` (their send was lost) or
    running after `running_older_than` (default: the same; their worker vanished — it must be
    longer than a task's retry backoff). Safe: a call already done ignores the repeat. Returns
    how many were sent; one the broker refuses again waits for the next sweep."""
    now = timezone.now()
    stale = list(
        ToolCall.objects.filter(
            Q(status=ToolCallStatus.QUEUED, queued_at__lt=now - older_than)
            | Q(
                status=ToolCallStatus.RUNNING,
                started_at__lt=now - (running_older_than or older_than),
            )
        )
    )
    sent = 0
    for tool_call in stale:
        logger.warning("sending stale tool call %s again", tool_call.key)
        try:
            tool_call_send(tool_call)
        except Exception:
            logger.warning("the broker refused tool call %s again", tool_call.key, exc_info=True)
            continue
        sent += 1
    return sent


def tool_call_run(*, tool_call_id: int) -> None:
    """Run the tool and resume the graph with its result: what the worker does for a tool call.

    Exceptions from the tool propagate (the task decides whether to retry); a tool call that is
    missing or already finished (a redelivered or duplicate task) is left alone.
    """
    tool_call = _tool_call_start(tool_call_id=tool_call_id)
    if tool_call is None:
        logger.info("tool call %s is missing or finished; nothing to do", tool_call_id)
        return
    tag_conversation(tool_call.conversation_id, turn=tool_call.turn)
    inject_tool_faults(settings.COACH_FAULTS)
    result = TOOLS[tool_call.tool](tool_call.payload)
    tool_call_finish(tool_call_id=tool_call_id, result=result)


def _tool_call_start(*, tool_call_id: int) -> ToolCall | None:
    with transaction.atomic():
        tool_call = ToolCall.objects.select_for_update().filter(pk=tool_call_id).first()
        if tool_call is None or tool_call.status in (ToolCallStatus.DONE, ToolCallStatus.FAILED):
            return None
        tool_call.status = ToolCallStatus.RUNNING
        tool_call.attempts += 1
        tool_call.started_at = tool_call.started_at or timezone.now()
        tool_call.save(update_fields=["status", "attempts", "started_at"])
        return tool_call


def tool_call_finish(
    *, tool_call_id: int, result: dict | None = None, error: str = ""
) -> Message | None:
    """Resume the graph with the tool's result (or its failure) exactly once, and store the reply.

    A repeated call finds the tool call finished and does nothing. Afterwards, family messages that
    arrived while the tool ran are answered.
    """
    with transaction.atomic():
        tool_call = ToolCall.objects.select_related("conversation").filter(pk=tool_call_id).first()
        if tool_call is None:
            return None
        conversation = conversation_locked(tool_call.conversation)
        tool_call = ToolCall.objects.select_for_update().get(pk=tool_call_id)
        if tool_call.status in (ToolCallStatus.DONE, ToolCallStatus.FAILED):
            return None
        answer = {"error": error} if error else result
        assert answer is not None, "a tool call finishes with its result or its error"
        outcome = resume_coach_turn(
            conversation_id=str(conversation.id), interrupt_id=tool_call.interrupt_id, result=answer
        )
        tool_call.status = ToolCallStatus.FAILED if error else ToolCallStatus.DONE
        tool_call.result = result
        tool_call.error = error
        tool_call.finished_at = timezone.now()
        tool_call.save(update_fields=["status", "result", "error", "finished_at"])
        reply = outcome_apply(
            conversation, outcome, answering=tool_call.family_message, fact_changes=[]
        )
    if reply is not None:
        try:
            conversation_run_turn(conversation=conversation)
        except TurnFailed:
            # The tool's own reply is stored; the waiting messages are answered on the next turn.
            logger.warning("answering messages sent during a tool call failed", exc_info=True)
    return reply
