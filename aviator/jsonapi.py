"""The plumbing every JSON endpoint shares, on django-ninja: bearer auth, body parsing, the error
shape and the OpenAPI document's error responses.

Errors always look like `{"error": {"code": ..., "message": ...}}` (docs/DESIGN.md §7), whatever
went wrong: ninja's own answers (401, 400 for a body it cannot parse or validate, 405) are turned
into that shape here, so a client reads one shape from every status.
"""

import json
from typing import Any

import sentry_sdk
from asgiref.sync import iscoroutinefunction
from django.conf import settings
from django.db import DatabaseError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.utils.decorators import sync_and_async_middleware
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser
from ninja.security import HttpBearer
from psycopg_pool import PoolTimeout
from pydantic import BaseModel

from aviator.accounts.services import token_authenticate
from aviator.errors import Refused
from aviator.logs import log_user_role
from aviator.ratelimit import RateLimited


class ApiError(Refused):
    """A refusal an operation makes itself (a service raises `Refused`): the same answer."""


class ErrorDetail(BaseModel):
    code: str
    message: str


class ErrorOut(BaseModel):
    error: ErrorDetail


ERROR_MEANINGS = {
    400: "Invalid body (malformed JSON, a missing or unexpected field, empty or non-string text).",
    401: "Missing or invalid bearer token.",
    403: "Not the counselor holding this escalation.",
    404: "No such conversation (or not yours), or no such escalation for you.",
    405: "This address does not take that method; the Allow header lists the ones it takes.",
    409: "The approval was already decided otherwise, it expired, or a counselor has the "
    "conversation now; the escalation was already claimed or resolved; or (code `closed`) "
    "the conversation is closed and read-only: the message was not stored.",
    413: "Body or text longer than the limit.",
    429: "Too many messages or conversations; the Retry-After header says when to retry.",
    503: "The coach could not answer (code `turn_failed`: the message is stored and will be "
    "answered), or the service is overloaded (code `overloaded` or `unavailable`: nothing was "
    "stored; the Retry-After header says when to send it again).",
}


def errors(*statuses: int) -> dict[int, type[ErrorOut]]:
    """The error answers an operation declares (its OpenAPI responses); 401 and 405 go with all."""
    return {status: ErrorOut for status in (*statuses, 401, 405)}


def error_response(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse({"error": {"code": code, "message": message}}, status=status)


class BearerToken(HttpBearer):
    """The API's tokens, stored hashed: `Authorization: Bearer <token>`, never a session cookie
    (which is why CSRF does not apply)."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        if not token.strip():
            return None
        user = token_authenticate(raw_token=token.strip())
        if user is None:
            return None
        log_user_role(user)
        path_ids = request.resolver_match.kwargs if request.resolver_match else {}
        for key in ("conversation_id", "escalation_id"):
            if key in path_ids:
                sentry_sdk.get_isolation_scope().set_tag(
                    key.removesuffix("_id"), str(path_ids[key])
                )
        return user


bearer_token = BearerToken()


class BodyTooLarge(Exception):
    pass


class JsonBodyParser(Parser):
    """ninja's JSON parser with the size check first: a huge body is refused before it is read."""

    def parse_body(self, request: HttpRequest) -> Any:
        if len(request.body) > settings.MESSAGE_MAX_CHARS * 8:
            raise BodyTooLarge
        return json.loads(request.body)


class AviatorApi(NinjaAPI):
    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        """The document, with each error status described by what it means in this API (ninja
        names only the status)."""
        schema = super().get_openapi_schema(*args, **kwargs)
        for operations in schema["paths"].values():
            for operation in operations.values():
                for status, response in operation.get("responses", {}).items():
                    if int(status) in ERROR_MEANINGS:
                        response["description"] = ERROR_MEANINGS[int(status)]
        return schema


def install_error_shape(api: NinjaAPI) -> None:
    """Map what an operation (or ninja around it) raises to the API's error shape."""

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request: HttpRequest, error: AuthenticationError) -> HttpResponse:
        response = error_response(
            401, "unauthenticated", "Send a valid token as 'Authorization: Bearer <token>'."
        )
        response["WWW-Authenticate"] = "Bearer"
        return response

    @api.exception_handler(ValidationError)
    def invalid(request: HttpRequest, error: ValidationError) -> HttpResponse:
        return error_response(400, "invalid", _validation_message(error.errors[0]))

    @api.exception_handler(HttpError)
    def unparsable(request: HttpRequest, error: HttpError) -> HttpResponse:
        if isinstance(error.__cause__, BodyTooLarge):
            return error_response(413, "too_long", "The request body is too large.")
        if error.status_code == 400:
            return error_response(400, "invalid_json", "The body is not valid JSON.")
        return error_response(error.status_code, "error", str(error))

    def answered(request: HttpRequest, error: Any) -> HttpResponse:
        return error_answer(error)

    for kind in (Refused, RateLimited, Http404, DatabaseError):
        api.add_exception_handler(kind, answered)


def error_answer(error: Exception) -> JsonResponse:
    """The JSON answer to what an operation raised; anything unexpected is raised again (a 500)."""
    if isinstance(error, Refused):
        response = error_response(error.status, error.code, error.message)
        if error.retry_after:
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


def _validation_message(first: dict) -> str:
    """ "text: Field required": where in the body (ninja prefixes the parameter's place and name,
    which the client never wrote) and what is wrong there."""
    where = [str(part) for part in first.get("loc", ())]
    if where[:1] == ["body"]:
        where = where[2:]
    return f"{'.'.join(where) or 'body'}: {first['msg']}"


@sync_and_async_middleware
def json_method_not_allowed(get_response: Any) -> Any:
    """ninja answers a method an API address does not take with a plain-text 405; the API answers
    it in its error shape, keeping the Allow header. A middleware, because ninja builds that
    answer outside every hook it offers; sync and async, so the async operations keep waiting
    on the event loop."""

    def reshaped(request: HttpRequest, response: HttpResponse) -> HttpResponse:
        if not (
            isinstance(response, HttpResponseNotAllowed) and request.path.startswith(API_PREFIX)
        ):
            return response
        allowed = sorted(response["Allow"].split(", "))
        answer = error_response(
            405, "method_not_allowed", f"Use {' or '.join(allowed)} on this address."
        )
        answer["Allow"] = ", ".join(allowed)
        return answer

    async def async_middleware(request: HttpRequest) -> HttpResponse:
        return reshaped(request, await get_response(request))

    def sync_middleware(request: HttpRequest) -> HttpResponse:
        return reshaped(request, get_response(request))

    return async_middleware if iscoroutinefunction(get_response) else sync_middleware


API_PREFIX = "/api/"
