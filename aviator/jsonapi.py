"""The plumbing every JSON endpoint shares: bearer auth, body validation and the error shape.

Errors always look like `{"error": {"code": ..., "message": ...}}` (DESIGN.md §7),
whatever went wrong.
"""

import functools
import json
from collections.abc import Callable

import sentry_sdk
from django.conf import settings
from django.http import Http404, HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from pydantic import BaseModel, ValidationError

from aviator.accounts.services import token_authenticate
from aviator.errors import Refused
from aviator.logs import log_user_role
from aviator.ratelimit import RateLimited


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def error_response(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse({"error": {"code": code, "message": message}}, status=status)


def bearer_user(request: HttpRequest):
    header = request.headers.get("Authorization", "")
    scheme, _, raw_token = header.partition(" ")
    if scheme.lower() != "bearer" or not raw_token.strip():
        return None
    return token_authenticate(raw_token=raw_token.strip())


def json_endpoint(*, methods: list[str]) -> Callable:
    """Wrap a view taking `(request, user, ...)`: authenticate the bearer, map errors to JSON.

    The API authenticates by token only, never by session cookie, which is why CSRF does not apply.
    """

    def decorate(view: Callable) -> Callable:
        @csrf_exempt
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs):
            if request.method not in methods:
                response = error_response(
                    405, "method_not_allowed", f"Use {' or '.join(methods)} on this address."
                )
                response["Allow"] = ", ".join(methods)
                return response
            user = bearer_user(request)
            if user is None:
                response = error_response(
                    401, "unauthenticated", "Send a valid token as 'Authorization: Bearer <token>'."
                )
                response["WWW-Authenticate"] = "Bearer"
                return response
            log_user_role(user)
            for key in ("conversation_id", "escalation_id"):
                if key in kwargs:
                    sentry_sdk.get_isolation_scope().set_tag(
                        key.removesuffix("_id"), str(kwargs[key])
                    )
            try:
                return view(request, user, *args, **kwargs)
            except (ApiError, Refused) as error:
                return error_response(error.status, error.code, error.message)
            except RateLimited as error:
                response = error_response(429, "rate_limited", error.message)
                response["Retry-After"] = str(error.retry_after)
                return response
            except Http404:
                return error_response(404, "not_found", "No such resource.")

        return wrapped

    return decorate


def parse_body[Schema: BaseModel](request: HttpRequest, schema: type[Schema]) -> Schema:
    """Decode and validate the JSON body, or raise a 400 that says what is wrong."""
    if len(request.body) > settings.MESSAGE_MAX_CHARS * 8:
        raise ApiError(413, "too_long", "The request body is too large.")
    try:
        data = json.loads(request.body or b"{}")
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise ApiError(400, "invalid_json", "The body is not valid JSON.") from None
    try:
        return schema.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "body"
        raise ApiError(400, "invalid", f"{where}: {first['msg']}") from None
