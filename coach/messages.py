"""The one door for a family message, and the queue its turn takes (DESIGN.md §2, §7).

The API, the chat socket and the pages all call `family_message_take`: it checks the text, the
family's quota and the depth of the turn queue, stores the message (committed), and hands the
turn that answers it to a worker on the `turns` queue. The web never runs a turn, so a slow model
holds a worker's thread, never a web process's.

The turn task may be delivered twice (a redelivery after a worker died, a resend by the sweep):
the per-conversation lock and "answer what is unanswered" make every delivery after the first a
no-op, so no message is answered twice.
"""

import functools
import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db.models import Exists, OuterRef
from django.utils import timezone
from kombu.exceptions import ChannelError

from aviator.celery import app as celery_app
from aviator.errors import Refused
from aviator.faults import inject_broker_faults
from coach.events import publish_conversation_event
from coach.models import Conversation, Message, Phase, Role
from coach.quotas import message_quota_check
from coach.services import check_family_text, family_message_store
from coach.turns import TurnFailed, conversation_run_turn

logger = logging.getLogger(__name__)

TURN_QUEUE = "turns"
TURN_TASK = "coach.answer_conversation"
# How long a refused family is asked to wait before sending again.
OVERLOADED_RETRY_AFTER_SECONDS = 5


class Overloaded(Refused):
    """Too many turns are waiting: the message is refused and not stored."""

    def __init__(self) -> None:
        super().__init__(
            503,
            "overloaded",
            "The coach is answering many families right now and your message was not sent. "
            f"Please send it again in {OVERLOADED_RETRY_AFTER_SECONDS} seconds.",
            retry_after=OVERLOADED_RETRY_AFTER_SECONDS,
        )


@dataclass(frozen=True)
class TakenMessage:
    message: Message
    # False when the broker could not be reached: the message is stored, and the sweep sends
    # its turn once the broker is back (DESIGN.md §9: degrade, never drop).
    turn_queued: bool


def family_message_take(*, conversation: Conversation, family, text: object) -> TakenMessage:
    """Check and store a family's message, then queue the turn that answers it.

    Raises InvalidMessage (bad text), RateLimited (the family's quota) or Overloaded (the turn
    queue is full): in all three cases nothing is stored.
    """
    text = check_family_text(text)
    message_quota_check(user=family)
    if turn_queue_depth() >= settings.TURN_QUEUE_LIMIT:
        raise Overloaded()
    message = family_message_store(conversation=conversation, text=text)
    return TakenMessage(message, turn_queued=turn_dispatch(conversation_id=conversation.id))


def turn_dispatch(*, conversation_id) -> bool:
    """Send the conversation's turn to the `turns` queue; whether the broker took it."""
    if settings.TURNS_INLINE:
        _turn_task().apply(args=(str(conversation_id),))
        return True
    try:
        inject_broker_faults(settings.COACH_FAULTS)
        celery_app.send_task(TURN_TASK, args=[str(conversation_id)], queue=TURN_QUEUE)
    except Exception:
        logger.warning("could not queue the turn of %s; the sweep will", conversation_id)
        return False
    return True


@functools.cache
def _turn_task() -> Any:
    """The very task a worker runs, for the inline mode: found by name, like the queued send (the
    tasks module imports this one, never the other way round), once the task modules are imported
    as a worker imports them at start (once: importing them again costs milliseconds)."""
    celery_app.loader.import_default_modules()
    return celery_app.tasks[TURN_TASK]


def turn_queue_depth() -> int:
    """Turns waiting in the queue (not those running). 0 when the broker cannot say: a broker
    that is down is the send's problem, which degrades on its own."""
    if settings.TURNS_INLINE:
        return 0
    try:
        with celery_app.pool.acquire(block=True, timeout=2) as connection:
            # app.pool holds broker connections (kombu); celery-types calls it a producer pool.
            channel = connection.default_channel  # type: ignore[attr-defined]
            declared = channel.queue_declare(queue=TURN_QUEUE, passive=True)
            return declared.message_count
    except ChannelError:
        return 0  # the queue was never declared: nothing ever waited in it
    except Exception:
        logger.warning("could not read the depth of the turn queue", exc_info=True)
        return 0


def conversation_answer(*, conversation_id: str) -> None:
    """What a worker does for a turn task: answer what the conversation has left unanswered.
    Raises TurnFailed (the task retries)."""
    conversation = Conversation.objects.filter(pk=conversation_id).first()
    if conversation is None:
        return  # deleted since (the family closed their account)
    conversation_run_turn(conversation=conversation)


def turn_failure_tell(*, conversation_id: str) -> None:
    """The turn failed for good: tell the open pages and a waiting API call. The message stays
    stored; the sweep tries its turn again."""
    publish_conversation_event(
        conversation_id,
        {
            "type": "error",
            "error": {"code": "turn_failed", "message": TurnFailed.family_explanation},
        },
    )


def conversations_answer_waiting(*, older_than: timedelta, within: timedelta) -> int:
    """Beat job: queue the turn again for family messages left waiting longer than `older_than`
    (their turn's send died with the web process, or the worker died under it and the broker has
    not given the task back yet). Looks back `within` at most. Returns how many it queued."""
    now = timezone.now()
    waiting = (
        Conversation.objects.exclude(phase__in=[Phase.ESCALATED, Phase.CLOSED])
        .filter(updated__gt=now - within)
        .filter(
            Exists(
                Message.objects.filter(
                    conversation=OuterRef("pk"),
                    role=Role.FAMILY,
                    seq__gt=OuterRef("turns_done_through"),
                    created__lt=now - older_than,
                )
            )
        )
        .values_list("pk", flat=True)
    )
    queued = 0
    for conversation_id in waiting:
        logger.warning("queuing again the turn of conversation %s, left waiting", conversation_id)
        queued += turn_dispatch(conversation_id=conversation_id)
    return queued
