"""Celery tasks: the coach's tool calls (DESIGN.md §2). Shells around the services
(`coach.turns`, `coach.tool_calls`, `coach.approvals`).

Each task takes a ToolCall id, is idempotent (the ToolCall's key is the task id, and a finished
call is never resumed twice), acknowledges late so a killed worker's task is redelivered, retries
transient errors with exponential backoff and jitter, and on a permanent error or spent retries
resumes the graph with the failure, so the family hears the truth instead of silence.
"""

import logging
from datetime import timedelta
from typing import Any

from celery import Task, shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.db import InterfaceError, OperationalError

from aviator.faults import InjectedTransientFault
from coach.approvals import approvals_sweep, list_email_deliver
from coach.messages import conversation_answer, conversations_answer_waiting, turn_failure_tell
from coach.tool_calls import tool_call_finish, tool_call_run, tool_calls_resend_stale
from coach.turns import TurnFailed

logger = logging.getLogger(__name__)

# Worth retrying: the database or broker blinked, or the tool ran out of time. Anything else (a
# PermanentToolError, a bug) fails at once and the family is told.
TRANSIENT_ERRORS = (
    OperationalError,
    InterfaceError,
    TimeoutError,
    ConnectionError,
    SoftTimeLimitExceeded,
    InjectedTransientFault,
)
# A tool call waiting longer than this was lost on its way (broker down) or with its worker.
STALE_AFTER = timedelta(minutes=2)


class ToolTask(Task):
    def on_failure(self, exc, task_id, args, kwargs, einfo):
        # Called once the task has failed for good: a permanent error, or the last retry.
        logger.error("tool task %s failed for good: %r", task_id, exc)
        tool_call_finish(tool_call_id=args[0], error=f"{type(exc).__name__}: {exc}"[:500])


TOOL_TASK_OPTIONS: dict[str, Any] = {
    "bind": True,
    "base": ToolTask,
    "autoretry_for": TRANSIENT_ERRORS,
    "retry_backoff": True,
    # Under the broker's visibility timeout: a task waiting longer would be delivered twice.
    "retry_backoff_max": 30,
    "retry_jitter": True,
    "max_retries": 4,
    "acks_late": True,
    "reject_on_worker_lost": True,
    "soft_time_limit": 30,
    "time_limit": 60,
}


@shared_task(name="coach.search_colleges", **TOOL_TASK_OPTIONS)
def search_colleges(self, tool_call_id: int) -> None:
    tool_call_run(tool_call_id=tool_call_id)


@shared_task(name="coach.explain_shortlist", **TOOL_TASK_OPTIONS)
def explain_shortlist(self, tool_call_id: int) -> None:
    tool_call_run(tool_call_id=tool_call_id)


@shared_task(name="coach.resend_stale_tool_calls", acks_late=True, time_limit=60)
def resend_stale_tool_calls() -> int:
    """Beat job: no tool call is left waiting forever (DESIGN.md §9: never silently dropped)."""
    return tool_calls_resend_stale(older_than=STALE_AFTER)


@shared_task(name="coach.sweep_approvals", acks_late=True, time_limit=120)
def sweep_approvals() -> int:
    """Beat job: unanswered proposals expire, and decided ones are always carried out."""
    return approvals_sweep()


@shared_task(
    name="coach.deliver_list_email",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OSError, OperationalError),
    retry_backoff=True,
    # Under the broker's visibility timeout (a task waiting longer is delivered twice); 20 tries
    # span about a quarter of an hour of mail-server outage.
    retry_backoff_max=45,
    max_retries=20,
)
def deliver_list_email(approval_id: str) -> None:
    list_email_deliver(approval_id=approval_id)


# A turn that failed (the database blinked) is tried again this many seconds later, each.
TURN_RETRY_DELAYS = (0.5, 2, 5)
# A family message whose turn has not run after this long lost its task (see the sweep).
TURN_LOST_AFTER = timedelta(seconds=10)


@shared_task(
    name="coach.answer_conversation",
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=len(TURN_RETRY_DELAYS),
)
def answer_conversation(self, conversation_id: str) -> None:
    """A turn (DESIGN.md §2): answer what the conversation has left unanswered. Runs on the
    `turns` queue. Idempotent: a repeated or redelivered task finds nothing left to answer."""
    try:
        conversation_answer(conversation_id=conversation_id)
    except (TurnFailed, OperationalError, InterfaceError) as error:
        if self.request.retries < self.max_retries:
            delay = TURN_RETRY_DELAYS[self.request.retries]
            raise self.retry(exc=error, countdown=delay) from None
        logger.error("the turn of conversation %s failed for good: %r", conversation_id, error)
        turn_failure_tell(conversation_id=conversation_id)


@shared_task(name="coach.answer_waiting_messages", acks_late=True, time_limit=60)
def answer_waiting_messages() -> int:
    """Beat job: a family message whose turn was lost (its send died with the web process, its
    worker died) has its turn queued again within seconds, without the family writing again."""
    return conversations_answer_waiting(older_than=TURN_LOST_AFTER, within=timedelta(days=1))
