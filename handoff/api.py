"""Handoff operations of the API v1 (docs/DESIGN.md §7): the family's request, and the staff
inbox (staff tokens; anyone else is answered 404, as if the inbox did not exist)."""

from typing import Literal
from uuid import UUID

from ninja import Router

from aviator.jsonapi import errors
from coach.presenters import conversation_state
from coach.schemas import ConversationStateOut
from coach.selectors import conversation_for_family
from coach.services import escalation_request
from handoff.schemas import EscalationListOut, EscalationOut, HandoffIn, ReplyIn, ResolveIn
from handoff.selectors import escalation_for_staff, escalation_payload, escalations_in_queue
from handoff.services import escalation_claim, escalation_reply, escalation_resolve

# Answers carry what the presenters wrote: a field they leave out (a family message's `asks`)
# stays out rather than appearing as null.
router = Router(exclude_unset=True, tags=["handoff"])


@router.post(
    "/conversations/{uuid:conversation_id}/handoff/",
    url_name="conversation-handoff",
    summary="Ask for a counselor (the coach goes silent until hand-back)",
    response={200: ConversationStateOut} | errors(400, 404, 409),
)
def conversation_handoff(request, conversation_id: UUID, body: HandoffIn | None = None):
    conversation = conversation_for_family(user=request.auth, conversation_id=conversation_id)
    escalation_request(conversation=conversation)
    conversation.refresh_from_db()
    return conversation_state(conversation)


@router.get(
    "/escalations/",
    url_name="escalations",
    summary="Staff: the inbox",
    tags=["staff"],
    response={200: EscalationListOut} | errors(404),
)
def escalations(request, queue: Literal["open", "unassigned", "mine", "urgent"] = "open"):
    return {
        "escalations": [
            escalation_payload(e) for e in escalations_in_queue(user=request.auth, queue=queue)
        ]
    }


@router.post(
    "/escalations/{uuid:escalation_id}/claim/",
    url_name="escalation-claim",
    summary="Staff: claim an escalation (one counselor wins)",
    tags=["staff"],
    response={200: EscalationOut} | errors(404, 409),
)
def escalation_claim_view(request, escalation_id: UUID):
    escalation = escalation_for_staff(user=request.auth, escalation_id=escalation_id)
    return escalation_payload(escalation_claim(escalation_id=escalation.id, counselor=request.auth))


@router.post(
    "/escalations/{uuid:escalation_id}/reply/",
    url_name="escalation-reply",
    summary="Staff: reply into the family's chat (the assignee)",
    tags=["staff"],
    response={200: EscalationOut} | errors(400, 403, 404, 409),
)
def escalation_reply_view(request, escalation_id: UUID, body: ReplyIn):
    escalation = escalation_for_staff(user=request.auth, escalation_id=escalation_id)
    escalation_reply(escalation_id=escalation.id, counselor=request.auth, text=body.text)
    escalation.refresh_from_db()
    return escalation_payload(escalation)


@router.post(
    "/escalations/{uuid:escalation_id}/resolve/",
    url_name="escalation-resolve",
    summary="Staff: hand back to the coach, or close (the assignee)",
    tags=["staff"],
    response={200: EscalationOut} | errors(400, 403, 404, 409),
)
def escalation_resolve_view(request, escalation_id: UUID, body: ResolveIn):
    escalation = escalation_for_staff(user=request.auth, escalation_id=escalation_id)
    return escalation_payload(
        escalation_resolve(
            escalation_id=escalation.id,
            counselor=request.auth,
            handback=body.handback,
            staff_facts=body.facts,
            closing_line=None if body.handback else body.closing_line,
        )
    )
