"""The coach's JSON API v1 (DESIGN.md §7).

Views authenticate, validate, call one service and answer.
"""

from django.conf import settings
from django.http import JsonResponse

from aviator.asyncdb import database_call
from aviator.jsonapi import ApiError, json_endpoint, parse_body
from coach.approvals import approval_decide
from coach.events import TurnWatch
from coach.messages import family_message_take
from coach.presenters import conversation_state, conversation_summary
from coach.quotas import conversation_quota_check
from coach.schemas import ApprovalDecisionIn, ConversationCreateIn, MessageIn
from coach.selectors import conversation_for_family, conversations_of_family, turns_done_through
from coach.services import InvalidMessage, TurnFailed, conversation_start


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
async def conversation_messages(request, user, conversation_id):
    """Store the family's message and answer with the state once its turn is done (200), or,
    if the worker takes longer than TURN_WAIT_SECONDS, with the state so far (202, busy): the
    rest arrives over the socket or a later GET. Waits on the event loop, holding no thread."""
    conversation = await database_call(conversation_for_family)(
        user=user, conversation_id=conversation_id
    )
    body = parse_body(request, MessageIn)
    async with TurnWatch(conversation.id) as watch:
        try:
            taken = await database_call(family_message_take)(
                conversation=conversation, family=user, text=body.text
            )
        except InvalidMessage as error:
            status = 413 if error.code == "too_long" else 400
            raise ApiError(status, error.code, error.message) from None
        outcome = "waiting"
        if taken.turn_queued:
            outcome = await watch.until_done(
                lambda: turns_done_through(conversation) >= taken.message.seq,
                timeout=settings.TURN_WAIT_SECONDS,
            )
    if outcome == "failed":
        raise ApiError(503, "turn_failed", TurnFailed.family_explanation)
    state = await database_call(conversation_state)(conversation)
    return JsonResponse(state, status=200 if outcome == "done" else 202)


@json_endpoint(methods=["POST"])
def conversation_approval(request, user, conversation_id, approval_id):
    conversation = conversation_for_family(user=user, conversation_id=conversation_id)
    body = parse_body(request, ApprovalDecisionIn)
    approval_decide(
        conversation=conversation, approval_id=approval_id, approve=body.approve, family=user
    )
    return JsonResponse(conversation_state(conversation))
