"""Family-facing pages: the conversation list and the chat page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from coach.presenters import conversation_state
from coach.selectors import conversation_for_family, conversations_of_family
from coach.services import TurnFailed, conversation_start


@require_GET
def home(request):
    return redirect("coach:conversation-list" if request.user.is_authenticated else "login")


@login_required
@require_http_methods(["GET", "POST"])
def conversation_list(request):
    if request.method == "POST":
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
@require_GET
def conversation_page(request, conversation_id):
    conversation = conversation_for_family(user=request.user, conversation_id=conversation_id)
    state = conversation_state(conversation)
    return render(
        request,
        "coach/conversation.html",
        {"conversation": conversation, "state": state, "messages_": state["messages"]},
    )
