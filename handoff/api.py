"""Handoff endpoints of the API v1 (DESIGN.md §7): the family's request, and the staff inbox."""

from django.http import JsonResponse

from aviator.jsonapi import json_endpoint, parse_body
from coach.presenters import conversation_state
from coach.selectors import conversation_for_family
from handoff.schemas import HandoffIn, ReplyIn, ResolveIn
from handoff.selectors import escalation_for_staff, escalation_payload, escalations_in_queue
from handoff.services import (
    escalation_claim,
    escalation_reply,
    escalation_request,
    escalation_resolve,
)


@json_endpoint(methods=["POST"])
def conversation_handoff(request, user, conversation_id):
    conversation = conversation_for_family(user=user, conversation_id=conversation_id)
    parse_body(request, HandoffIn)
    escalation_request(conversation=conversation)
    conversation.refresh_from_db()
    return JsonResponse(conversation_state(conversation))


@json_endpoint(methods=["GET"])
def escalations(request, user):
    queue = request.GET.get("queue", "open")
    return JsonResponse(
        {
            "escalations": [
                escalation_payload(e) for e in escalations_in_queue(user=user, queue=queue)
            ]
        }
    )


@json_endpoint(methods=["POST"])
def escalation_claim_view(request, user, escalation_id):
    escalation = escalation_for_staff(user=user, escalation_id=escalation_id)
    escalation = escalation_claim(escalation_id=escalation.id, counselor=user)
    return JsonResponse(escalation_payload(escalation))


@json_endpoint(methods=["POST"])
def escalation_reply_view(request, user, escalation_id):
    escalation = escalation_for_staff(user=user, escalation_id=escalation_id)
    body = parse_body(request, ReplyIn)
    escalation_reply(escalation_id=escalation.id, counselor=user, text=body.text)
    escalation.refresh_from_db()
    return JsonResponse(escalation_payload(escalation))


@json_endpoint(methods=["POST"])
def escalation_resolve_view(request, user, escalation_id):
    escalation = escalation_for_staff(user=user, escalation_id=escalation_id)
    body = parse_body(request, ResolveIn)
    escalation = escalation_resolve(
        escalation_id=escalation.id,
        counselor=user,
        handback=body.handback,
        staff_facts=body.facts,
        closing_line=None if body.handback else body.closing_line,
    )
    return JsonResponse(escalation_payload(escalation))
