from django.contrib import admin
from django.urls import include, path

from aviator.openapi import openapi_json
from aviator.ops.health import healthz
from aviator.ops.metrics import metrics
from coach import api
from handoff import api as handoff_api

api_v1 = [
    path("openapi.json", openapi_json, name="openapi"),
    path("conversations/", api.conversations, name="conversations"),
    path("conversations/<uuid:conversation_id>/", api.conversation_detail, name="conversation"),
    path(
        "conversations/<uuid:conversation_id>/messages/",
        api.conversation_messages,
        name="conversation-messages",
    ),
    path(
        "conversations/<uuid:conversation_id>/approvals/<uuid:approval_id>/",
        api.conversation_approval,
        name="conversation-approval",
    ),
    path(
        "conversations/<uuid:conversation_id>/handoff/",
        handoff_api.conversation_handoff,
        name="conversation-handoff",
    ),
    path("escalations/", handoff_api.escalations, name="escalations"),
    path(
        "escalations/<uuid:escalation_id>/claim/",
        handoff_api.escalation_claim_view,
        name="escalation-claim",
    ),
    path(
        "escalations/<uuid:escalation_id>/reply/",
        handoff_api.escalation_reply_view,
        name="escalation-reply",
    ),
    path(
        "escalations/<uuid:escalation_id>/resolve/",
        handoff_api.escalation_resolve_view,
        name="escalation-resolve",
    ),
]

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("metrics", metrics, name="metrics"),
    path("admin/", admin.site.urls),
    path("accounts/", include("aviator.accounts.urls")),
    path("staff/", include("handoff.urls")),
    path("staff/", include("coach.review.urls")),
    path("api/v1/", include((api_v1, "api"))),
    path("", include("coach.urls")),
]
