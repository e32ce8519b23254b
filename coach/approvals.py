"""Gated writes (DESIGN.md §6): the coach proposes, the family decides, the write runs once.

The graph pauses at an `interrupt()` in `propose_write` or `confirm_overwrite`; `approval_open`
records the pause as an `Approval`. A decision is committed first, then `approval_finish` does the
write and resumes the graph in one transaction, guarded by `executed_at`/`resumed_at`: a repeated
decision, a crash between the two steps, or the sweep running at the same time cannot write twice.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from aviator.audit.services import audit_record
from aviator.celery import app as celery_app
from coach import services
from coach.catalog.models import College
from coach.graph.runner import TurnOutcome, resume_coach_turn
from coach.models import (
    Approval,
    ApprovalKind,
    ApprovalStatus,
    Conversation,
    Message,
    Role,
    SavedCollege,
)
from coach.transcript import conversation_locked, message_append

logger = logging.getLogger(__name__)

# A decided approval still unfinished after this long lost its process: the sweep finishes it.
UNFINISHED_AFTER = timedelta(minutes=1)


class ApprovalError(Exception):
    """A refused decision; `status` is the HTTP status that says why (404 or 409)."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def pending_approval_of(conversation: Conversation) -> Approval | None:
    return conversation.approvals.filter(status=ApprovalStatus.PENDING).first()


def approval_open(
    *, conversation: Conversation, outcome: TurnOutcome, answering: Message | None
) -> Approval:
    """Record the write the graph paused for and put the proposal in the chat. The caller holds
    the conversation's lock; nothing is written but the proposal itself."""
    pending = outcome.pending_approval
    approval, created = Approval.objects.get_or_create(
        key=f"{conversation.id}:{outcome.turn}:{pending.kind}",
        defaults={
            "conversation": conversation,
            "turn": outcome.turn,
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


def approval_decide(*, conversation: Conversation, approval_id, approve: bool, family) -> Approval:
    """The family's answer. Repeating the same answer is harmless; changing it, or answering
    after the approval expired, is a 409 (an expired approval is closed on the way)."""
    wanted = ApprovalStatus.APPROVED if approve else ApprovalStatus.REJECTED
    with transaction.atomic():
        conversation_locked(conversation)
        approval = (
            Approval.objects.select_for_update()
            .filter(pk=approval_id, conversation=conversation)
            .first()
        )
        if approval is None:
            raise ApprovalError(404, "not_found", "No such approval in this conversation.")
        pending = approval.status == ApprovalStatus.PENDING
        expired = pending and approval.expires_at <= timezone.now()
        if expired:
            _close(approval, ApprovalStatus.EXPIRED)
        elif pending:
            _close(approval, wanted, by=family)
        elif approval.status != wanted:
            raise ApprovalError(
                409, "already_decided", f"This request was already {approval.status}."
            )
    try:
        approval_finish(approval_id=approval.pk)
    except Exception:
        # The decision is committed; the sweep (or the family repeating it) finishes the job.
        logger.exception("approval %s decided but not finished yet", approval.pk)
    if expired:
        raise ApprovalError(409, "expired", "This request expired; nothing was changed.")
    return approval


def _close(approval: Approval, status: str, *, by=None) -> None:
    approval.status = status
    approval.decided_by = by
    approval.decided_at = timezone.now()
    approval.save(update_fields=["status", "decided_by", "decided_at"])
    audit_record(
        action=f"approval.{status}",
        target=approval,
        actor=by,
        conversation_id=approval.conversation_id,
        before={"status": ApprovalStatus.PENDING},
        after={"status": status, "kind": approval.kind},
    )


def approval_finish(*, approval_id) -> Message | None:
    """Carry out a decided approval: the write (if approved), then the graph's resumption and its
    reply, all committed together. Safe to call any number of times."""
    with transaction.atomic():
        approval = Approval.objects.select_related("conversation").get(pk=approval_id)
        conversation = conversation_locked(approval.conversation)
        approval = Approval.objects.select_for_update().get(pk=approval_id)
        if approval.status == ApprovalStatus.PENDING or approval.resumed_at is not None:
            return None
        if approval.status == ApprovalStatus.APPROVED and approval.executed_at is None:
            _execute(approval, conversation)
            approval.executed_at = timezone.now()
        outcome = resume_coach_turn(
            conversation_id=str(conversation.id),
            interrupt_id=approval.interrupt_id,
            result={"decision": approval.status},
        )
        approval.resumed_at = timezone.now()
        approval.save(update_fields=["executed_at", "resumed_at"])
        # The proposal already answered the family's message; what follows answers nothing new.
        return services.outcome_apply(
            conversation, outcome, answering=None, fact_changes=outcome.approved_changes
        )


def _execute(approval: Approval, conversation: Conversation) -> None:
    """The write itself. A replaced fact is written by the graph's resumption (the ledger) and
    stored with the turn's outcome, so it needs nothing here."""
    if approval.kind == ApprovalKind.SAVE_LIST:
        for college in approval.proposed["colleges"]:
            saved, created = SavedCollege.objects.get_or_create(
                family=conversation.family,
                college_id=college["unitid"],
                defaults={"conversation": conversation},
            )
            if created:
                audit_record(
                    action="college.saved",
                    target=saved,
                    conversation_id=conversation.id,
                    after={"unitid": college["unitid"], "approval": str(approval.id)},
                )
    elif approval.kind == ApprovalKind.SEND_EMAIL:
        # The e-mail leaves after commit, from a task that retries until the mail server takes it.
        transaction.on_commit(
            lambda: celery_app.send_task("coach.deliver_list_email", args=[str(approval.id)]),
            robust=True,
        )


def approval_supersede(*, conversation: Conversation) -> None:
    """The family wrote again instead of answering: drop the proposal (nothing is written) so
    their new message is answered. The caller holds the conversation's lock."""
    approval = pending_approval_of(conversation)
    if approval is None:
        return
    _close(approval, ApprovalStatus.SUPERSEDED)
    approval_finish(approval_id=approval.pk)


def approvals_sweep(*, now=None) -> int:
    """Beat job: expire proposals nobody answered, and finish decided ones whose process died
    before finishing them. Returns how many approvals it finished."""
    now = now or timezone.now()
    for approval_id in Approval.objects.filter(
        status=ApprovalStatus.PENDING, expires_at__lte=now
    ).values_list("pk", flat=True):
        with transaction.atomic():
            approval = Approval.objects.select_related("conversation").get(pk=approval_id)
            conversation_locked(approval.conversation)
            approval = Approval.objects.select_for_update().get(pk=approval_id)
            if approval.status == ApprovalStatus.PENDING:
                _close(approval, ApprovalStatus.EXPIRED)
    unfinished = Approval.objects.filter(
        ~Q(status=ApprovalStatus.PENDING),
        resumed_at__isnull=True,
        decided_at__lte=now - UNFINISHED_AFTER,
    ) | Approval.objects.filter(status=ApprovalStatus.EXPIRED, resumed_at__isnull=True)
    finished = 0
    for approval_id in unfinished.values_list("pk", flat=True).distinct():
        logger.warning("finishing approval %s left unfinished", approval_id)
        approval_finish(approval_id=approval_id)
        finished += 1
    return finished


def list_email_deliver(*, approval_id) -> None:
    """Send the approved list to the family's address, once: a repeat after delivery is a no-op."""
    with transaction.atomic():
        approval = (
            Approval.objects.select_for_update()
            .select_related("conversation__family")
            .get(pk=approval_id)
        )
        if approval.executed_at is None or approval.delivered_at is not None:
            return
        family = approval.conversation.family
        unitids = [college["unitid"] for college in approval.proposed["colleges"]]
        context = {"colleges": College.objects.filter(unitid__in=unitids).order_by("name")}
        send_mail(
            "Your Aviator college list",
            render_to_string("coach/list_email.txt", context),
            None,
            [family.email],
        )
        approval.delivered_at = timezone.now()
        approval.save(update_fields=["delivered_at"])
