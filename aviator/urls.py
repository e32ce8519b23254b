from django.contrib import admin
from django.urls import include, path

from aviator.openapi import openapi_json
from aviator.ops.health import healthz
from coach import api

api_v1 = [
    path("openapi.json", openapi_json, name="openapi"),
    path("conversations/", api.conversations, name="conversations"),
    path("conversations/<uuid:conversation_id>/", api.conversation_detail, name="conversation"),
    path(
        "conversations/<uuid:conversation_id>/messages/",
        api.conversation_messages,
        name="conversation-messages",
    ),
]

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("accounts/", include("aviator.accounts.urls")),
    path("api/v1/", include((api_v1, "api"))),
    path("", include("coach.urls")),
]
