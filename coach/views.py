"""Family-facing pages: the conversation list and the chat page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from aviator.ratelimit import RateLimited
from coach.approvals import ApprovalError, approval_decide
from coach.presenters import conversation_state
from coach.quotas import conversation_quota_check
from coach.selectors import (
    conversation_for_family,
    conversations_of_family,
    saved_colleges_of_family,
)
from coach.services import InvalidMessage, TurnFailed, college_save, conversation_start
from handoff.services import HandoffError, escalation_request


@require_GET
def home(request):
    return redirect("coach:conversation-list" if request.user.is_authenticated else "login")


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


@login_required
@require_POST
def college_save_view(request, conversation_id):
    conversation = conversation_for_family(user=request.user, conversation_id=conversation_id)
    try:
        saved = college_save(
            family=request.user,
            conversation=conversation,
            unitid=int(request.POST.get("unitid", "")),
        )
    except (ValueError, InvalidMessage):
        messages.error(request, "That college is not on this conversation's list.")
    else:
        messages.success(request, f"Saved {saved.college.name} to My list.")
    return redirect("coach:conversation", conversation_id=conversation.id)


@login_required
@require_POST
def handoff_request_view(request, conversation_id):
    conversation = conversation_for_family(user=request.user, conversation_id=conversation_id)
    try:
        escalation_request(conversation=conversation)
    except HandoffError as error:
        messages.error(request, error.message)
    return redirect("coach:conversation", conversation_id=conversation.id)


@login_required
@require_POST
def approval_decide_view(request, conversation_id, approval_id):
    conversation = conversation_for_family(user=request.user, conversation_id=conversation_id)
    answer = request.POST.get("approve")
    if answer not in ("yes", "no"):
        messages.error(request, "Choose Approve or Decline.")
        return redirect("coach:conversation", conversation_id=conversation.id)
    try:
        approval_decide(
            conversation=conversation,
            approval_id=approval_id,
            approve=answer == "yes",
            family=request.user,
        )
    except ApprovalError as error:
        messages.error(request, error.message)
    return redirect("coach:conversation", conversation_id=conversation.id)


@login_required
@require_GET
def my_list(request):
    return render(
        request, "coach/my_list.html", {"saved": saved_colleges_of_family(user=request.user)}
    )


@login_required
@require_GET
def conversation_page(request, conversation_id):
    conversation = conversation_for_family(user=request.user, conversation_id=conversation_id)
    state = conversation_state(conversation)
    return render(
        request,
        "coach/conversation.html",
        {"conversation": conversation, "state": state, "messages_": state["messages"]},
    )
