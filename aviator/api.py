"""The JSON API v1: one django-ninja API over the coach's and the handoff's operations.

`GET /api/v1/openapi.json` is the contract (public, like the API's existence); the interactive
docs page `GET /api/v1/docs` is for staff (a counselor's or an admin's session, like the
other staff pages).
"""

from functools import partial

from django.urls import path
from django.views.decorators.http import require_GET
from ninja.openapi.views import openapi_view

from aviator.accounts.decorators import staff_only
from aviator.jsonapi import AviatorApi, JsonBodyParser, bearer_token, install_error_shape
from coach.api import router as coach_router
from handoff.api import router as handoff_router

api = AviatorApi(
    title="Aviator API",
    version="1",
    description="The college-planning coach: families' conversations and messages, and the "
    "counselors' inbox (staff tokens).",
    auth=bearer_token,
    parser=JsonBodyParser(),
    urls_namespace="api",
    openapi_url="/openapi.json",
    # The docs page is served below, for staff only; the document itself stays public.
    docs_url=None,
)
install_error_shape(api)
api.add_router("", coach_router)
api.add_router("", handoff_router)

docs_urls = [
    path("docs", staff_only(require_GET(partial(openapi_view, api=api))), name="api-docs"),
]
