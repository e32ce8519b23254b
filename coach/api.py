"""The coach's JSON API v1 (DESIGN.md §7).

Views authenticate, validate, call one service and answer.
"""

from django.http import JsonResponse

from aviator.jsonapi import ApiError, json_endpoint, parse_body
from coach.approvals import approval_decide
from coach.presenters import conversation_state, conversation_summary
from coach.quotas import conversation_quota_check, message_quota_check
from coach.schemas import ApprovalDecisionIn, ConversationCreateIn, MessageIn
from coach.selectors import conversation_for_family, conversations_of_family
from coach.services import (
    InvalidMessage,
    TurnFailed,
    check_family_text,
    conversation_start,
    family_message_submit,
)
from coach.transcript import states_published


@json_endpoint(methods=["GET", "POST"])
def conversations(request, user):
    if request.method == "GET":
        return JsonResponse(
            {"conversations": [conversation_summary(c) for c in conversations_of_family(user=user)]}
        )
    parse_body(request, ConversationCreateIn)
    conversation_quota_check(user=user)
    try:
        conversation = conversation_start(family=user)
    except TurnFailed:
        raise ApiError(503, "coach_unavailable", "The coach could not start; try again.") from None
    return JsonResponse(conversation_state(conversation), status=201)


@json_endpoint(methods=["GET"])
def conversation_detail(request, user, conversation_id):
    conversation = conversation_for_family(user=user, conversation_id=conversation_id)
    return JsonResponse(conversation_state(conversation))


@json_endpoint(methods=["POST"])
def conversation_messages(request, user, conversation_id):
    conversation = conversation_for_family(user=user, conversation_id=conversation_id)
    body = parse_body(request, MessageIn)
    try:
        text = check_family_text(body.text)
    except InvalidMessage as error:
        raise ApiError(
            413 if error.code == "too_long" else 400, error.code, error.message
        ) from None
    message_quota_check(user=user)
    try:
        with states_published() as published:
            family_message_submit(conversation=conversation, text=text)
    except TurnFailed:
        raise ApiError(503, "turn_failed", TurnFailed.family_explanation) from None
    if conversation.id in published:
        return JsonResponse(published[conversation.id])
    # The turn published no state (the coach is waiting for a tool or a counselor).
    return JsonResponse(conversation_state(conversation))


@json_endpoint(methods=["POST"])
def conversation_approval(request, user, conversation_id, approval_id):
    conversation = conversation_for_family(user=user, conversation_id=conversation_id)
    body = parse_body(request, ApprovalDecisionIn)
    approval_decide(
        conversation=conversation, approval_id=approval_id, approve=body.approve, family=user
    )
    return JsonResponse(conversation_state(conversation))
