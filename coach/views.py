"""Family-facing pages: the conversation list, the chat page and My list.

The chat page's buttons call the POST views with `fetch` (asking for JSON) and update in place;
the same views answer a plain form post with a redirect and a flash message.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from aviator.errors import Refused
from aviator.ratelimit import RateLimited
from coach.approvals import ApprovalError
from coach.my_list import (
    COMPARE_AT_MOST,
    CompareError,
    cards_to_compare,
    comparison_rows,
    saved_cards,
)
from coach.presenters import conversation_state
from coach.quotas import conversation_quota_check
from coach.saved_colleges import college_save, college_unsave
from coach.selectors import (
    conversation_for_family,
    conversations_of_family,
)
from coach.services import (
    InvalidMessage,
    approval_decide,
    conversation_start,
    escalation_request,
)
from coach.turns import TurnFailed


@require_GET
def home(request):
    """The front door: what Aviator is, for a visitor; a family's conversations once logged in."""
    if request.user.is_authenticated:
        return redirect("coach:conversation-list")
    return render(request, "coach/landing.html")


@login_required
@require_http_methods(["GET", "POST"])
def conversation_list(request):
    if request.method == "POST":
        try:
            conversation_quota_check(user=request.user)
        except RateLimited as error:
            messages.error(request, error.message)
            return render(
                request,
                "coach/conversation_list.html",
                {"conversations": conversations_of_family(user=request.user)},
                status=429,
            )
        try:
            conversation = conversation_start(family=request.user)
        except TurnFailed:
            messages.error(request, "The coach could not start a conversation just now; try again.")
            return redirect("coach:conversation-list")
        return redirect("coach:conversation", conversation_id=conversation.id)
    return render(
        request,
        "coach/conversation_list.html",
        {"conversations": conversations_of_family(user=request.user)},
    )


# What the approval box says: the coach's message just above it says what is proposed.
APPROVAL_PROMPT = "The coach asks for your OK on what it proposed just above."


def _chat_url(conversation) -> str:
    return reverse("coach:conversation", args=[conversation.id])


def _wants_json(request) -> bool:
    return request.headers.get("Accept", "").startswith("application/json")


def _answered(request, back_to: str, *, said: str = "", error: tuple[int, str, str] | None = None):
    """JSON for the page's fetch calls ({"message"} or the API's error shape); otherwise a flash
    message and a redirect to `back_to`."""
    if _wants_json(request):
        if error is not None:
            status, code, text = error
            return JsonResponse({"error": {"code": code, "message": text}}, status=status)
        return JsonResponse({"message": said})
    if error is not None:
        messages.error(request, error[2])
    elif said:
        messages.success(request, said)
    return redirect(back_to)


@login_required
@require_POST
def college_save_view(request, conversation_id):
    conversation = conversation_for_family(user=request.user, conversation_id=conversation_id)
    back_to = _chat_url(conversation)
    try:
        saved = college_save(
            family=request.user,
            conversation=conversation,
            unitid=int(request.POST.get("unitid", "")),
        )
    except (ValueError, InvalidMessage):
        error = (400, "not_recommended", "That college is not on this conversation's list.")
        return _answered(request, back_to, error=error)
    return _answered(request, back_to, said=f"Saved {saved.college.name} to My list.")


@login_required
@require_POST
def college_unsave_view(request, unitid):
    removed = college_unsave(family=request.user, unitid=unitid)
    said = "Removed from My list." if removed else "That college was not on My list."
    return _answered(request, reverse("coach:my-list"), said=said)


@login_required
@require_POST
def handoff_request_view(request, conversation_id):
    conversation = conversation_for_family(user=request.user, conversation_id=conversation_id)
    try:
        escalation_request(conversation=conversation)
    except Refused as error:
        return _answered(
            request,
            _chat_url(conversation),
            error=(error.status, error.code, error.message),
        )
    return _answered(request, _chat_url(conversation), said="A counselor has been asked.")


@login_required
@require_POST
def approval_decide_view(request, conversation_id, approval_id):
    conversation = conversation_for_family(user=request.user, conversation_id=conversation_id)
    back_to = _chat_url(conversation)
    answer = request.POST.get("approve")
    if answer not in ("yes", "no"):
        return _answered(request, back_to, error=(400, "invalid", "Choose Approve or Decline."))
    try:
        approval_decide(
            conversation=conversation,
            approval_id=approval_id,
            approve=answer == "yes",
            family=request.user,
        )
    except ApprovalError as error:
        return _answered(request, back_to, error=(error.status, error.code, error.message))
    said = "Approved." if answer == "yes" else "Declined: nothing was changed."
    return _answered(request, back_to, said=said)


@login_required
@require_GET
def my_list(request):
    return render(
        request,
        "coach/my_list.html",
        {"cards": saved_cards(family=request.user), "compare_at_most": COMPARE_AT_MOST},
    )


@login_required
@require_GET
def my_list_compare(request):
    cards = saved_cards(family=request.user)
    try:
        chosen = cards_to_compare(cards, request.GET.getlist("unitid"))
    except CompareError as error:
        messages.error(request, str(error))
        return redirect("coach:my-list")
    return render(
        request,
        "coach/compare.html",
        {"cards": chosen, "rows": comparison_rows(chosen)},
    )


@login_required
@require_GET
def conversation_page(request, conversation_id):
    conversation = conversation_for_family(user=request.user, conversation_id=conversation_id)
    state = conversation_state(conversation)
    return render(
        request,
        "coach/conversation.html",
        {
            "conversation": conversation,
            "state": state,
            "messages_": state["messages"],
            "max_chars": settings.MESSAGE_MAX_CHARS,
            "approval_prompt": APPROVAL_PROMPT,
        },
    )
