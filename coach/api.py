"""The coach's JSON API v1 (docs/DESIGN.md §7), as django-ninja operations.

Operations validate (ninja, from the Pydantic shapes), call one service and answer; ninja checks
each answer against its declared shape, and the OpenAPI document is generated from the same
declarations.
"""

from uuid import UUID

from django.conf import settings
from ninja import Router, Status

from aviator.asyncdb import database_call
from aviator.jsonapi import ApiError, errors
from coach.events import TurnWatch
from coach.messages import family_message_take
from coach.presenters import conversation_state, conversation_summary
from coach.quotas import conversation_quota_check
from coach.schemas import (
    ApprovalDecisionIn,
    ConversationCreateIn,
    ConversationListOut,
    ConversationStateOut,
    MessageIn,
)
from coach.selectors import conversation_for_family, conversations_of_family, turns_done_through
from coach.services import InvalidMessage, approval_decide, conversation_start
from coach.turns import TurnFailed

# Answers carry what the presenters wrote: a field they leave out (a family message's `asks`)
# stays out rather than appearing as null.
router = Router(exclude_unset=True, tags=["conversations"])


@router.get(
    "/conversations/",
    url_name="conversations",
    summary="Your conversations",
    response={200: ConversationListOut} | errors(),
)
def conversations_list(request):
    return {
        "conversations": [
            conversation_summary(c) for c in conversations_of_family(user=request.auth)
        ]
    }


@router.post(
    "/conversations/",
    url_name="conversations",
    summary="Start a conversation (the coach greets and asks)",
    response={201: ConversationStateOut} | errors(400, 429, 503),
)
def conversation_create(request, body: ConversationCreateIn | None = None):
    conversation_quota_check(user=request.auth)
    try:
        conversation = conversation_start(family=request.auth)
    except TurnFailed:
        raise ApiError(503, "coach_unavailable", "The coach could not start; try again.") from None
    return Status(201, conversation_state(conversation))


@router.get(
    "/conversations/{uuid:conversation_id}/",
    url_name="conversation",
    summary="A conversation's state",
    response={200: ConversationStateOut} | errors(404),
)
def conversation_detail(request, conversation_id: UUID):
    return conversation_state(
        conversation_for_family(user=request.auth, conversation_id=conversation_id)
    )


@router.post(
    "/conversations/{uuid:conversation_id}/messages/",
    url_name="conversation-messages",
    summary="Send a family message; answers with the state after its turn",
    response={200: ConversationStateOut, 202: ConversationStateOut}
    | errors(400, 404, 409, 413, 429, 503),
)
async def conversation_messages(request, conversation_id: UUID, body: MessageIn):
    """The message is stored, then answered by a worker. The response waits for that turn up to
    AVIATOR_TURN_WAIT_SECONDS (default 20): 200 with the state after the turn, or 202 with the
    state so far (`busy` is true) when the turn takes longer; the rest arrives on the chat socket
    or a later GET. Waits on the event loop, holding no thread."""
    user = request.auth
    conversation = await database_call(conversation_for_family)(
        user=user, conversation_id=conversation_id
    )
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
    return Status(200 if outcome == "done" else 202, state)


@router.post(
    "/conversations/{uuid:conversation_id}/approvals/{uuid:approval_id}/",
    url_name="conversation-approval",
    summary="Approve or decline the write the coach proposed (pending_approval)",
    response={200: ConversationStateOut} | errors(400, 404, 409),
)
def conversation_approval(
    request, conversation_id: UUID, approval_id: UUID, body: ApprovalDecisionIn
):
    conversation = conversation_for_family(user=request.auth, conversation_id=conversation_id)
    approval_decide(
        conversation=conversation,
        approval_id=approval_id,
        approve=body.approve,
        family=request.auth,
    )
    return conversation_state(conversation)
