"""Gated writes (DESIGN.md §6): the coach proposes, the family decides, the write runs once.

The graph pauses at an `interrupt()` in `propose_write` or `confirm_overwrite`; `approval_open`
(coach.pauses) records the pause as an `Approval`. A decision is committed first
(`coach.services.approval_decide`), then `approval_finish` does the write and resumes the graph in
one transaction, guarded by `executed_at`/`resumed_at`: a repeated decision, a crash between the
two steps, or the sweep running at the same time cannot write twice.
"""

import logging
from datetime import timedelta

from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from aviator.audit.services import audit_record
from aviator.celery import app as celery_app
from aviator.errors import Refused
from coach.catalog.models import College
from coach.escalations import open_escalation_of
from coach.graph.runner import resume_coach_turn
from coach.models import (
    Approval,
    ApprovalKind,
    ApprovalStatus,
    Conversation,
    Message,
    Phase,
    SavedCollege,
)
from coach.outcomes import outcome_apply
from coach.transcript import conversation_locked

logger = logging.getLogger(__name__)

# A decided approval still unfinished after this long lost its process: the sweep finishes it.
UNFINISHED_AFTER = timedelta(minutes=1)


class ApprovalError(Refused):
    """A refused decision; `status` is the HTTP status that says why (404 or 409)."""


def pending_approval_of(conversation: Conversation) -> Approval | None:
    return conversation.approvals.filter(status=ApprovalStatus.PENDING).first()


def coach_is_away(conversation: Conversation) -> bool:
    """While a counselor is awaited or in charge, or once the conversation is closed, the coach
    stays silent (DESIGN.md §6): nothing it proposed is carried out or resumed until hand-back."""
    return conversation.phase == Phase.CLOSED or open_escalation_of(conversation) is not None


def approval_close(approval: Approval, status: str, *, by=None) -> None:
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
        return outcome_apply(
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
        transaction.on_commit(lambda: _send_list_email(approval.id))


def approval_supersede(*, conversation: Conversation) -> None:
    """The family wrote again instead of answering: drop the proposal (nothing is written) so
    their new message is answered, and finish decided ones (which may store a reply). The caller
    holds the conversation's lock, which says it has an unfinished approval."""
    approval = pending_approval_of(conversation)
    if approval is not None:
        approval_close(approval, ApprovalStatus.SUPERSEDED, by=conversation.family)
    approvals_finish_decided(conversation=conversation)


def approvals_finish_decided(*, conversation: Conversation) -> None:
    """Carry out this conversation's decided approvals not yet finished (their process died),
    before anything else happens in it: its graph is still paused at them."""
    for approval_id in conversation.approvals.filter(
        ~Q(status=ApprovalStatus.PENDING), resumed_at__isnull=True
    ).values_list("pk", flat=True):
        approval_finish(approval_id=approval_id)


def approvals_sweep(*, now=None) -> int:
    """Beat job: expire proposals nobody answered, and finish decided ones whose process died
    before finishing them. Returns how many approvals it finished."""
    now = now or timezone.now()
    # A conversation a counselor holds is left alone: the coach resumes after hand-back.
    coach_here = Q(conversation__phase__in=[Phase.GATHERING, Phase.RECOMMENDING, Phase.RECOMMENDED])
    for approval_id in Approval.objects.filter(
        coach_here, status=ApprovalStatus.PENDING, expires_at__lte=now
    ).values_list("pk", flat=True):
        with transaction.atomic():
            approval = Approval.objects.select_related("conversation").get(pk=approval_id)
            conversation = conversation_locked(approval.conversation)
            approval = Approval.objects.select_for_update().get(pk=approval_id)
            if approval.status == ApprovalStatus.PENDING and not coach_is_away(conversation):
                approval_close(approval, ApprovalStatus.EXPIRED)
    unfinished = Approval.objects.filter(coach_here, resumed_at__isnull=True).filter(
        Q(status=ApprovalStatus.EXPIRED)
        | Q(~Q(status=ApprovalStatus.PENDING), decided_at__lte=now - UNFINISHED_AFTER)
    )
    finished = 0
    for approval_id in unfinished.values_list("pk", flat=True).distinct():
        logger.warning("finishing approval %s left unfinished", approval_id)
        try:
            approval_finish(approval_id=approval_id)
        except Exception:
            # One approval that cannot finish must not hold up the others; the next sweep retries.
            logger.exception("approval %s could not be finished", approval_id)
            continue
        finished += 1
    for approval_id in Approval.objects.filter(
        kind=ApprovalKind.SEND_EMAIL,
        executed_at__lte=now - UNFINISHED_AFTER,
        delivered_at__isnull=True,
    ).values_list("pk", flat=True):
        # The delivery task was lost (broker down at commit, or its retries spent): send again.
        _send_list_email(approval_id)
    return finished


def _send_list_email(approval_id) -> None:
    try:
        celery_app.send_task("coach.deliver_list_email", args=[str(approval_id)])
    except Exception:
        logger.warning("could not send e-mail task for %s; the sweep will", approval_id)


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
