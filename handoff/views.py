"""Staff inbox pages for counselors and admins."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from aviator.accounts.decorators import staff_only
from aviator.roles import display_name
from handoff.selectors import (
    QUEUE_LABELS,
    escalation_for_staff,
    escalation_transcript,
    escalations_in_queue,
)
from handoff.services import (
    HandoffError,
    escalation_claim,
    escalation_note_add,
    escalation_overdue,
    escalation_reply,
    escalation_resolve,
)


@staff_only
@require_GET
def inbox(request):
    queue = request.GET.get("queue", "unassigned")
    now = timezone.now()
    rows = [
        {
            "escalation": escalation,
            "overdue": escalation_overdue(escalation, now=now),
            "family": escalation.conversation.family.email,
            "counselor": display_name(escalation.assigned_to) if escalation.assigned_to else "—",
        }
        for escalation in escalations_in_queue(user=request.user, queue=queue)
    ]
    return render(
        request,
        "handoff/inbox.html",
        {"queue": queue, "queues": list(QUEUE_LABELS.items()), "rows": rows},
    )


@staff_only
@require_GET
def escalation_page(request, escalation_id):
    escalation = escalation_for_staff(user=request.user, escalation_id=escalation_id)
    conversation = escalation.conversation
    transcript = escalation_transcript(user=request.user, escalation=escalation)
    context = {
        "escalation": escalation,
        "family_name": display_name(conversation.family),
        "family_email": conversation.family.email,
        "counselor_name": display_name(escalation.assigned_to) if escalation.assigned_to else "",
        "packet": escalation.packet,
        "overdue": escalation_overdue(escalation, now=timezone.now()),
        "may_read": transcript is not None,
        "is_assignee": escalation.assigned_to_id == request.user.pk,
    }
    # The transcript and the trace only once the conversation is in this counselor's hands.
    context.update(transcript or {})
    return render(request, "handoff/escalation.html", context)


def _act(request, escalation_id, action) -> bool:
    """Run `action`; a refusal becomes an error message on the next page. Whether it ran."""
    escalation = escalation_for_staff(user=request.user, escalation_id=escalation_id)
    try:
        action(escalation)
    except HandoffError as error:
        messages.error(request, error.message)
        return False
    return True


@staff_only
@require_POST
def claim(request, escalation_id):
    _act(
        request,
        escalation_id,
        lambda e: escalation_claim(escalation_id=e.id, counselor=request.user),
    )
    return redirect("handoff:escalation", escalation_id=escalation_id)


@staff_only
@require_POST
def reply(request, escalation_id):
    _act(
        request,
        escalation_id,
        lambda e: escalation_reply(
            escalation_id=e.id, counselor=request.user, text=request.POST.get("text", "")
        ),
    )
    return redirect("handoff:escalation", escalation_id=escalation_id)


@staff_only
@require_POST
def note(request, escalation_id):
    _act(
        request,
        escalation_id,
        lambda e: escalation_note_add(
            escalation_id=e.id, counselor=request.user, text=request.POST.get("text", "")
        ),
    )
    return redirect("handoff:escalation", escalation_id=escalation_id)


def staff_facts_from_form(data) -> dict:
    """The facts a counselor typed on hand-back (blank fields are left out; the service
    validates the values like any other fact)."""
    readers: dict[str, Callable[[str], Any]] = {
        "major": str,
        "gpa": float,
        "budget": int,
        "states": lambda raw: [code.strip().upper() for code in raw.split(",") if code.strip()],
    }
    facts = {}
    for slot, read in readers.items():
        raw = (data.get(slot) or "").strip()
        if raw:
            try:
                facts[slot] = read(raw)
            except ValueError:
                raise HandoffError(400, "invalid_fact", f"{slot}: {raw!r} is not valid") from None
    return facts


@staff_only
@require_POST
def resolve(request, escalation_id):
    """Hand back to the coach (with the facts the counselor learned) or close, with a closing
    line the family reads; either way the counselor is told what happened."""
    handback = request.POST.get("outcome") == "handback"

    def resolve_with_facts(escalation):
        closing_line = None if handback else request.POST.get("closing_line", "")
        if closing_line is not None and not closing_line.strip():
            raise HandoffError(400, "closing_line", "Write a closing line to the family first.")
        escalation_resolve(
            escalation_id=escalation.id,
            counselor=request.user,
            handback=handback,
            staff_facts=staff_facts_from_form(request.POST) if handback else {},
            closing_line=closing_line,
        )

    if not _act(request, escalation_id, resolve_with_facts):
        return redirect("handoff:escalation", escalation_id=escalation_id)
    escalation = escalation_for_staff(user=request.user, escalation_id=escalation_id)
    family = display_name(escalation.conversation.family)
    if handback:
        messages.success(request, f"Handed back: {family} is with the coach again.")
    else:
        messages.success(request, f"Closed: {family}'s conversation is now read-only.")
    return redirect("handoff:inbox")
