"""Writes for the coach app: conversations, family messages and the turns that answer them.

A family message is committed before its turn runs, and the coach's reply after, so a failed turn
never loses what the family said: the next turn answers every family message still unanswered.
"""

import functools
import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from aviator.audit.services import audit_record, audit_record_each
from aviator.celery import app as celery_app
from aviator.errors import Refused
from aviator.faults import inject_broker_faults, inject_database_faults, inject_tool_faults
from aviator.observability import tag_conversation
from aviator.sql import columns, key
from coach import approvals, guard
from coach.catalog.selectors import catalog_records
from coach.catalog.value_of_information import optional_topic_worth_asking
from coach.events import publish_conversation_event
from coach.graph.runner import (
    PendingTool,
    TurnOutcome,
    hand_back_to_coach,
    resume_coach_turn,
    run_coach_turn,
)
from coach.language import prompts
from coach.models import (
    Conversation,
    DecisionTrace,
    Message,
    Phase,
    ProfileFact,
    Role,
    SavedCollege,
    Shortlist,
    ToolCall,
    ToolCallStatus,
)
from coach.tools import TOOLS
from coach.transcript import conversation_locked, message_append, publish_state_on_commit
from handoff.opening import escalation_open, open_escalation_of

logger = logging.getLogger(__name__)


class TurnFailed(Exception):
    """The coach could not answer; the family's message is stored and the next turn will answer."""

    family_explanation = (
        "Your message is saved, but the coach could not answer just now. "
        "Send another message or try again in a moment."
    )


class InvalidMessage(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def check_family_text(text: object) -> str:
    """The text as it will be stored (normalized: no invisible or control characters, look-alike
    letters made plain), or InvalidMessage saying what is wrong with it."""
    if not isinstance(text, str):
        raise InvalidMessage("invalid", "text must be a string.")
    text = guard.normalize(text)
    if not text.strip():
        raise InvalidMessage("empty", "Type a message before sending.")
    if len(text) > settings.MESSAGE_MAX_CHARS:
        raise InvalidMessage(
            "too_long",
            f"Messages are limited to {settings.MESSAGE_MAX_CHARS:,} characters; "
            f"this one has {len(text):,}.",
        )
    return text


@dataclass(frozen=True)
class TurnResult:
    family_message: Message | None
    reply: Message | None


def _unanswered_family_messages(conversation: Conversation) -> list[Message]:
    """Family messages after the last one the coach answered or a counselor spoke after.
    `conversation` is locked (`conversation_locked` knows how far it was answered)."""
    # SQL rather than the ORM: every turn asks, and the ORM cost several times the query itself.
    return list(
        Message.objects.raw(
            _UNANSWERED_SQL,
            [key(Conversation, conversation.pk), Role.FAMILY, conversation.answered_through],
        )
    )


_UNANSWERED_SQL = f"""
    SELECT {columns(Message, "m")} FROM {Message._meta.db_table} m
    WHERE m.conversation_id = %s AND m.role = %s AND m.seq > %s
    ORDER BY m.seq"""


def _store_fact_changes(
    conversation: Conversation,
    outcome: TurnOutcome,
    changes: list[dict[str, Any]],
    *,
    counselor=None,
) -> None:
    """Copy ledger changes of a turn (or of a hand-back, by `counselor`) into the fact history,
    each with its audit entry (one insert for the facts, one for their entries)."""
    facts = ProfileFact.objects.bulk_create(
        [
            ProfileFact(
                conversation=conversation,
                slot=change["slot"],
                value=change["after"],
                previous_value=change["before"],
                provenance=change["provenance"],
                confidence=change["confidence"],
                detail=change.get("detail"),
                source_message_id=change["source_message_id"],
                turn=outcome.turn,
            )
            for change in changes
        ]
    )
    audit_record_each(
        [
            {
                "action": "fact.changed",
                "target": fact,
                "actor": counselor,
                "conversation_id": conversation.id,
                "before": {change["slot"]: change["before"]},
                "after": {change["slot"]: change["after"], "provenance": change["provenance"]},
            }
            for fact, change in zip(facts, changes, strict=True)
        ]
    )


def _store_trace(conversation: Conversation, outcome: TurnOutcome, reply: Message | None) -> None:
    """Copy the turn's decision trace out of the checkpoint into the database, linked to the
    `reply` that ends the turn.

    A turn paused for a tool or an approval is stored in parts: each part adds its new steps, and
    the part that ends with the reply links every step of the turn to it.
    """
    steps = [
        DecisionTrace(
            conversation=conversation,
            turn=outcome.turn,
            step=step,
            node=entry["node"],
            decision=entry["decision"],
            reason=entry["reason"],
            score=entry["score"],
            slots_before=entry["slots_before"],
            slots_after=entry["slots_after"],
            latency_ms=entry["latency_ms"],
            details=entry["details"],
            reply=reply,
        )
        for step, entry in enumerate(outcome.trace)
    ]
    if reply is None:
        DecisionTrace.objects.bulk_create(steps, ignore_conflicts=True)
    else:
        DecisionTrace.objects.bulk_create(
            steps,
            update_conflicts=True,
            unique_fields=["conversation", "turn", "step"],
            update_fields=["reply"],
        )


def outcome_apply(
    conversation: Conversation,
    outcome: TurnOutcome,
    *,
    answering: Message | None,
    fact_changes: list[dict[str, Any]],
) -> Message | None:
    """Store what a (part of a) turn produced: the reply, or the tool call or approval the graph
    waits for. `answering`: the family message a reply or proposal answers (None when an earlier
    part of the turn already answered it). `fact_changes`: the ledger changes made during this
    part of the turn."""
    _store_fact_changes(conversation, outcome, fact_changes)
    conversation.profile = outcome.profile
    conversation.phase = outcome.phase
    reply = None
    if outcome.pending_tool is not None:
        tool_call_enqueue(
            conversation=conversation,
            turn=outcome.turn,
            pending=outcome.pending_tool,
            answering=answering,
        )
        conversation.phase = Phase.RECOMMENDING
    elif outcome.pending_approval is not None:
        approvals.approval_open(
            conversation=conversation,
            turn=outcome.turn,
            pending=outcome.pending_approval,
            answering=answering,
        )
    elif outcome.reply is not None:
        # (No reply: the turn ended silently, its approval superseded by a newer message.)
        reply = message_append(
            conversation,
            role=Role.COACH,
            text=outcome.reply["text"],
            asks=outcome.reply["asks"],
            reply_to=answering,
        )
        if outcome.escalation:
            escalation_open(
                conversation=conversation,
                reason=outcome.escalation["reason"],
                urgent=outcome.escalation["urgent"],
            )
        if outcome.shortlist and "recommendations" in outcome.shortlist:
            shortlist = Shortlist.objects.create(
                conversation=conversation,
                turn=outcome.turn,
                items=outcome.shortlist["recommendations"],
                qualifying=outcome.shortlist["qualifying"],
                explanation=outcome.shortlist["explanation"],
            )
            audit_record(
                action="shortlist.created",
                target=shortlist,
                conversation_id=conversation.id,
                after={"unitids": [item["unitid"] for item in shortlist.items]},
            )
    _store_trace(conversation, outcome, reply)
    conversation.save(update_fields=["phase", "profile", "updated"])
    publish_state_on_commit(conversation)
    return reply


def _optional_topic_picker(profile):
    return optional_topic_worth_asking(profile, catalog_records())


def conversation_run_turn(*, conversation: Conversation) -> Message | None:
    """Answer the family messages not yet answered (or greet a new conversation).

    Returns the coach's reply; None when there was nothing to answer, or when the turn now waits
    for a tool (the reply then comes from the worker). While a tool runs, new family messages wait:
    they are answered when it finishes. Raises TurnFailed.

    A turn the graph finished but whose reply was never stored (the process died in between) is
    stored first, as it was, and then the messages after it are answered: nothing is lost and
    nothing is answered twice. Hence the loop, which runs at most twice in practice.
    """
    with transaction.atomic():
        reply = None
        for _ in range(MAX_TURNS_PER_CALL):
            conversation = conversation_locked(conversation, for_a_turn=True)
            # The transcript as this call sees it; a message stored later (appends do not wait
            # for the turn) is the next turn's, and `turns_done_through` stops before it.
            seen_through = conversation.last_seq
            # While a tool runs, or while a counselor holds the conversation, the coach is silent.
            if conversation.tool_underway or conversation.counselor_holds:
                break
            unanswered = _unanswered_family_messages(conversation)
            if not unanswered and conversation.last_seq:
                break
            seen_through = max(seen_through, unanswered[-1].seq if unanswered else 0)
            tag_conversation(conversation.id)
            try:
                # The graph may still be paused at a proposal: drop it, or finish a decided one.
                if conversation.approval_unfinished:
                    approvals.approval_supersede(conversation=conversation)
                    conversation = conversation_locked(conversation, for_a_turn=True)
                    unanswered = _unanswered_family_messages(conversation)
                    seen_through = max(seen_through, unanswered[-1].seq if unanswered else 0)
                outcome = run_coach_turn(
                    conversation_id=str(conversation.id),
                    incoming=[{"message_id": str(m.id), "text": m.text} for m in unanswered],
                    optional_topic_picker=_optional_topic_picker,
                    on_draft=functools.partial(_reply_draft_publish, conversation.id),
                )
                # A drop here leaves a checkpointed turn without its stored reply: the next
                # call must store that reply, not run the graph again.
                inject_database_faults(settings.COACH_FAULTS)
                answering = next(
                    (m for m in unanswered if str(m.id) == outcome.in_reply_to),
                    unanswered[-1] if unanswered else None,
                )
                reply = outcome_apply(
                    conversation, outcome, answering=answering, fact_changes=outcome.changes
                )
            except Exception as error:
                logger.exception("coach turn failed for conversation %s", conversation.id)
                raise TurnFailed(str(error)) from error
            if not unanswered or answering == unanswered[-1]:
                break
        else:
            return reply  # (never in practice) what remains is answered by the next call
        _turns_done(conversation, through=seen_through)
        return reply


def _reply_draft_publish(conversation_id, text: str) -> None:
    """The reply as far as the chat model has written it, to the open pages at once (nothing is
    stored: the turn's transaction commits the whole reply)."""
    publish_conversation_event(conversation_id, {"type": "reply_draft", "text": text})


def _turns_done(conversation: Conversation, *, through: int) -> None:
    """Everything in the transcript up to `through` has had its turn (answered, or waiting for a
    tool, an approval or a counselor): the family is no longer waiting on the coach for it.
    `conversation` is locked. Those waiting on the turn (the API, the pages) hear it after
    commit."""
    Conversation.objects.filter(pk=conversation.pk).update(turns_done_through=through)
    transaction.on_commit(
        lambda: publish_conversation_event(
            conversation.id, {"type": "turn", "done_through": through}
        )
    )


# A lost turn stored as it was, then the turn answering the rest (one spare for safety).
MAX_TURNS_PER_CALL = 3


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


def _tool_call_send(tool_call: ToolCall) -> None:
    inject_broker_faults(settings.COACH_FAULTS)
    # By name: the tasks module imports this one, never the other way round.
    celery_app.send_task(f"coach.{tool_call.tool}", args=[tool_call.pk], task_id=tool_call.key)


def _tool_call_send_first(tool_call: ToolCall) -> None:
    """After the turn commits. If the broker is down the family's turn still succeeds: they are
    told the search will take a moment, and the stale-call sweep sends it once the broker is
    back (DESIGN.md §9: degrade, never drop)."""
    try:
        _tool_call_send(tool_call)
    except Exception:
        logger.warning("could not send tool call %s; the sweep will", tool_call.key, exc_info=True)
        with transaction.atomic():
            conversation = conversation_locked(tool_call.conversation)
            message_append(conversation, role=Role.SYSTEM, text=prompts.TOOL_DELAYED)
            publish_state_on_commit(conversation)


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
            _tool_call_send(tool_call)
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


def conversation_start(*, family) -> Conversation:
    """Open a conversation and let the coach greet the family. Raises TurnFailed (nothing kept)."""
    with transaction.atomic():
        conversation = Conversation.objects.create(family=family)
        conversation_run_turn(conversation=conversation)
    return conversation


def _answer_a_crisis_during_a_handoff(conversation: Conversation) -> None:
    """The coach is silent while a counselor is awaited, but a safety disclosure is never left
    waiting: crisis resources go out at once and the escalation becomes urgent. `conversation`
    is locked."""
    if open_escalation_of(conversation) is None:
        return
    message_append(conversation, role=Role.SYSTEM, text=prompts.ESCALATE_CRISIS)
    escalation_open(conversation=conversation, reason="crisis", urgent=True)


class ConversationClosed(Refused):
    """A closed conversation is read-only: the family starts a new one (nothing is stored)."""

    def __init__(self) -> None:
        super().__init__(
            409,
            "closed",
            "This conversation is closed, so the message was not sent. "
            "Start a new conversation to keep going.",
        )


def family_message_store(*, conversation: Conversation, text: str) -> Message:
    """Store the family's message, committed (its turn runs after, on its own). Raises
    ConversationClosed on a closed conversation.

    SSNs, card and bank numbers are removed before the message is stored, so neither the
    transcript nor any model ever holds them, and the family is told why.
    """
    text, removed = guard.redact_personal_numbers(text)
    crisis = guard.CRISIS in guard.guard_signals(text)
    with transaction.atomic():
        # No turn lock: a message is stored while a turn runs, and answered by the next. Only a
        # crisis takes it (first, before any append: every writer locks in that order), since
        # during a handoff it opens an urgent escalation at once.
        if crisis:
            conversation = conversation_locked(conversation)
        phase = Conversation.objects.filter(pk=conversation.pk).values_list("phase", flat=True)
        if phase.first() == Phase.CLOSED:
            raise ConversationClosed()
        family_message = message_append(conversation, role=Role.FAMILY, text=text)
        if removed:
            message_append(
                conversation,
                role=Role.SYSTEM,
                text=prompts.PERSONAL_NUMBERS_REMOVED.format(kinds=" and ".join(removed)),
            )
        if crisis:
            _answer_a_crisis_during_a_handoff(conversation)
    return family_message


def family_message_submit(*, conversation: Conversation, text: str) -> TurnResult:
    """Store the family's message and run the turn that answers it, in this process: for callers
    that are their own worker (the evaluation harness, service tests). The web's door is
    `coach.messages.family_message_take`, which hands the turn to a worker.

    Raises TurnFailed after the message is safely stored when the coach cannot answer.
    """
    family_message = family_message_store(conversation=conversation, text=text)
    reply = conversation_run_turn(conversation=conversation)
    return TurnResult(family_message=family_message, reply=reply)


def college_save(*, family, conversation: Conversation, unitid: int) -> SavedCollege:
    """Keep a recommended college on the family's list (saving twice keeps one entry).

    Only a college from this conversation's current shortlist can be saved from it.
    """
    shortlist = conversation.shortlists.order_by("-created").first()
    if shortlist is None or unitid not in {item["unitid"] for item in shortlist.items}:
        raise InvalidMessage("not_recommended", "Only a college on the current list can be saved.")
    with transaction.atomic():
        saved, created = SavedCollege.objects.get_or_create(
            family=family, college_id=unitid, defaults={"conversation": conversation}
        )
        if created:
            audit_record(
                action="college.saved",
                target=saved,
                actor=family,
                conversation_id=conversation.id,
                after={"unitid": unitid},
            )
    return saved


def college_unsave(*, family, unitid: int) -> bool:
    """Take a college off the family's list (audited); whether it was on it."""
    with transaction.atomic():
        saved = SavedCollege.objects.select_for_update().filter(family=family, college_id=unitid)
        entry = saved.first()
        if entry is None:
            return False
        audit_record(
            action="college.removed",
            target=entry,
            actor=family,
            conversation_id=entry.conversation_id,
            before={"unitid": unitid},
        )
        entry.delete()
    return True


def conversation_hand_back(
    *, conversation: Conversation, staff_facts: dict[str, Any], counselor
) -> None:
    """Give the conversation back to the coach after a counselor, with the facts they entered
    (provenance `staff`, which nothing the coach reads later can overwrite).

    The caller holds the conversation's lock. The coach answers from the family's next message.
    """
    phase = Phase.RECOMMENDED if conversation.shortlists.exists() else Phase.GATHERING
    outcome = hand_back_to_coach(
        conversation_id=str(conversation.id), phase=phase, staff_facts=staff_facts
    )
    _store_fact_changes(conversation, outcome, outcome.changes, counselor=counselor)
    conversation.phase = phase
    conversation.profile = outcome.profile
    conversation.save(update_fields=["phase", "profile", "updated"])
    message_append(
        conversation, role=Role.SYSTEM, text="You're back with the coach. Ask me anything."
    )
    publish_state_on_commit(conversation)
