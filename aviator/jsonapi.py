"""The plumbing every JSON endpoint shares: bearer auth, body validation and the error shape.

Errors always look like `{"error": {"code": ..., "message": ...}}` (DESIGN.md §7),
whatever went wrong.
"""

import functools
import inspect
import json
from collections.abc import Callable

import sentry_sdk
from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import DatabaseError
from django.http import Http404, HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from psycopg_pool import PoolTimeout
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

    The view may be async (one that waits without holding a thread); the checks around it are
    the same. The API authenticates by token only, never by session cookie, which is why CSRF
    does not apply.
    """

    def decorate(view: Callable) -> Callable:
        if inspect.iscoroutinefunction(view):

            @csrf_exempt
            @functools.wraps(view)
            async def wrapped_async(request: HttpRequest, *args, **kwargs):
                refusal, user = await sync_to_async(_admit)(request, methods, kwargs)
                if refusal is not None:
                    return refusal
                try:
                    return await view(request, user, *args, **kwargs)
                except Exception as error:
                    return _error_response_for(error)

            return wrapped_async

        @csrf_exempt
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs):
            refusal, user = _admit(request, methods, kwargs)
            if refusal is not None:
                return refusal
            try:
                return view(request, user, *args, **kwargs)
            except Exception as error:
                return _error_response_for(error)

        return wrapped

    return decorate


def _admit(request: HttpRequest, methods: list[str], kwargs: dict):
    """(a refusal, None) for a wrong method or a missing token; else (None, the user)."""
    if request.method not in methods:
        response = error_response(
            405, "method_not_allowed", f"Use {' or '.join(methods)} on this address."
        )
        response["Allow"] = ", ".join(methods)
        return response, None
    user = bearer_user(request)
    if user is None:
        response = error_response(
            401, "unauthenticated", "Send a valid token as 'Authorization: Bearer <token>'."
        )
        response["WWW-Authenticate"] = "Bearer"
        return response, None
    log_user_role(user)
    for key in ("conversation_id", "escalation_id"):
        if key in kwargs:
            sentry_sdk.get_isolation_scope().set_tag(key.removesuffix("_id"), str(kwargs[key]))
    return None, user


def _error_response_for(error: Exception) -> JsonResponse:
    """The JSON answer to what a view raised; anything unexpected is raised again (a 500)."""
    if isinstance(error, ApiError | Refused):
        response = error_response(error.status, error.code, error.message)
        if getattr(error, "retry_after", None):
            response["Retry-After"] = str(error.retry_after)
        return response
    if isinstance(error, RateLimited):
        response = error_response(429, "rate_limited", error.message)
        response["Retry-After"] = str(error.retry_after)
        return response
    if isinstance(error, Http404):
        return error_response(404, "not_found", "No such resource.")
    if isinstance(error, DatabaseError) and _is_overload(error):
        # Every connection of the pool is taken (or the server refuses more): a request that
        # got this far stored nothing, so the client may simply try again.
        response = error_response(
            503, "unavailable", "The service is busy right now; please try again in a moment."
        )
        response["Retry-After"] = str(DATABASE_BUSY_RETRY_AFTER_SECONDS)
        return response
    raise error


DATABASE_BUSY_RETRY_AFTER_SECONDS = 5


def _is_overload(error: DatabaseError) -> bool:
    """A database error that says "too many at once", not "something is wrong"."""
    cause = error.__cause__
    return isinstance(cause, PoolTimeout) or "too many clients" in str(error).lower()


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
