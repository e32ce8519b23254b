"""Staff pages for reviewing the coach: the transcript list and timeline, labels, exports and the
dashboard. Reading a transcript is audit-logged; everything but one's own escalated
conversations is for admins."""

import csv
import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from aviator.accounts.decorators import admin_only
from aviator.audit.services import audit_transcript_view
from aviator.roles import Role, role_of
from coach.presenters import conversation_state
from coach.selectors import conversation_for_staff
from review import services
from review.dashboard import dashboard
from review.forms import LabelForm, ReviewFilterForm
from review.transcripts import (
    conversation_timeline,
    conversations_for_review,
    profile_in_words,
)

PAGE_SIZE = 50


@admin_only
@require_GET
def review_list(request):
    form = ReviewFilterForm(request.GET or None)
    page = Paginator(conversations_for_review(form.filters()), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request, "review/list.html", {"form": form, "page": page, "query": query.urlencode()}
    )


@login_required
@require_GET
def review_conversation(request, conversation_id):
    conversation = conversation_for_staff(user=request.user, conversation_id=conversation_id)
    audit_transcript_view(viewer=request.user, conversation=conversation, via="review")
    state = conversation_state(conversation)
    return render(
        request,
        "review/conversation.html",
        {
            "conversation": conversation,
            "state": state,
            "profile_words": profile_in_words(state["profile"]),
            "timeline": conversation_timeline(conversation),
            "label_form": LabelForm() if role_of(request.user) == Role.ADMIN else None,
        },
    )


@admin_only
@require_POST
def label_add(request, conversation_id):
    conversation = conversation_for_staff(user=request.user, conversation_id=conversation_id)
    form = LabelForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a label (the note is optional).")
        return redirect("review:conversation", conversation_id=conversation.id)
    label = services.label_add(conversation=conversation, author=request.user, **form.cleaned_data)
    messages.success(request, f"Labelled “{label.get_verdict_display()}”.")
    return redirect("review:conversation", conversation_id=conversation.id)


def _exported_cases(request) -> list[dict]:
    verdict = request.GET.get("verdict", "")
    return services.labelled_cases_export(viewer=request.user, verdict=verdict)


@admin_only
@require_GET
def export_json(request):
    response = JsonResponse({"cases": _exported_cases(request)}, json_dumps_params={"indent": 1})
    response["Content-Disposition"] = 'attachment; filename="aviator-labelled-cases.json"'
    return response


@admin_only
@require_GET
def export_csv(request):
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="aviator-labelled-cases.csv"'
    columns = ["conversation", "verdict", "note", "labelled_at", "labelled_by", "escalation"]
    writer = csv.writer(response)
    writer.writerow([*columns, "family_messages", "profile", "recommended"])
    for case in _exported_cases(request):
        writer.writerow(
            [case[column] or "" for column in columns]
            + [
                json.dumps(case["family_messages"]),
                json.dumps(case["profile"]),
                " ".join(str(unitid) for unitid in case["recommended"]),
            ]
        )
    return response


@admin_only
@require_GET
def dashboard_page(request):
    return render(request, "review/dashboard.html", dashboard(now=timezone.now()))


@admin_only
@require_POST
def alert_acknowledge(request, alert_id):
    services.alert_acknowledge(alert_id=alert_id, by=request.user)
    return redirect("review:dashboard")
