"""Reads for the staff side. Every staff access to an escalation goes through these doors."""

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from guardian.shortcuts import get_objects_for_user

from aviator.audit.services import audit_transcript_view
from aviator.roles import Role, role_of
from coach.models import OPEN_STATES, DecisionTrace, Escalation
from coach.presenters import conversation_state

QUEUE_LABELS = {
    "unassigned": "Waiting to be claimed",
    "mine": "Mine",
    "urgent": "Urgent",
    "open": "All open",
}


def is_staff_member(user) -> bool:
    return role_of(user) in (Role.COUNSELOR, Role.ADMIN)


def escalations_in_queue(*, user, queue: str) -> QuerySet[Escalation]:
    """An inbox queue. Counselors see open escalations (to claim them) and their own; admins all."""
    if not is_staff_member(user):
        raise Http404("No such page.")
    escalations = Escalation.objects.select_related(
        "conversation", "conversation__family", "assigned_to"
    )
    match queue:
        case "unassigned":
            return escalations.filter(state="waiting_for_human", assigned_to__isnull=True)
        case "mine":
            return escalations.filter(assigned_to=user, state__in=OPEN_STATES)
        case "urgent":
            return escalations.filter(urgent=True, state__in=OPEN_STATES)
        case "open":
            return escalations.filter(state__in=OPEN_STATES)
    raise Http404("No such queue.")


def escalation_for_staff(*, user, escalation_id) -> Escalation:
    """An escalation a staff member may open: any open one (its packet, to claim it or see who
    has it) and closed ones granted to them on claim; admins see all. Anyone else: 404.

    Reading the transcript needs more: being the assignee (see `may_read_transcript`)."""
    if not is_staff_member(user):
        raise Http404("No such escalation.")
    escalation = (
        Escalation.objects.select_related("conversation", "assigned_to")
        .filter(pk=escalation_id)
        .first()
    )
    if escalation is None:
        raise Http404("No such escalation.")
    if role_of(user) == Role.ADMIN or escalation.is_open:
        return escalation
    granted = get_objects_for_user(
        user, "coach.change_escalation", klass=Escalation, accept_global_perms=False
    )
    if not granted.filter(pk=escalation.pk).exists():
        raise Http404("No such escalation.")
    return escalation


def may_read_transcript(*, user, escalation: Escalation) -> bool:
    """The full conversation is for the counselor holding it, and for admins."""
    return escalation.assigned_to_id == user.pk or role_of(user) == Role.ADMIN


def escalation_transcript(*, user, escalation: Escalation) -> dict[str, Any] | None:
    """The escalated conversation as `user` may read it: its state, the coach's decision trace
    and the counselors' notes, the reading audited; None until it is in their hands."""
    if not may_read_transcript(user=user, escalation=escalation):
        return None
    conversation = escalation.conversation
    audit_transcript_view(viewer=user, conversation=conversation, via="escalation_page")
    return {
        "state": conversation_state(conversation),
        "traces": DecisionTrace.objects.filter(conversation=conversation),
        "notes": escalation.notes.select_related("author"),
    }


def escalation_payload(escalation: Escalation) -> dict:
    return {
        "id": str(escalation.id),
        "conversation": str(escalation.conversation_id),
        "reason": escalation.reason,
        "urgent": escalation.urgent,
        "state": escalation.state,
        "assigned_to": escalation.assigned_to.email if escalation.assigned_to else None,
        "packet": escalation.packet,
        "created": escalation.created.isoformat().replace("+00:00", "Z"),
        "first_human_reply_at": escalation.first_human_reply_at
        and escalation.first_human_reply_at.isoformat().replace("+00:00", "Z"),
        "resolved_at": escalation.resolved_at
        and escalation.resolved_at.isoformat().replace("+00:00", "Z"),
    }
