"""Structured JSON logs, correlated with Sentry and the decision trace by conversation and turn,
and a request to the tasks it enqueued by a request id (`X-Request-ID`).

What a family wrote never goes into a log line: only ids, roles, nodes, decisions and timings.
"""

import contextvars
import json
import logging
import re
import uuid
from datetime import UTC, datetime
from typing import Any

from asgiref.sync import iscoroutinefunction, markcoroutinefunction

from aviator.roles import role_of

# Set by `aviator.observability.tag_conversation` for the request, socket message or task.
log_context: contextvars.ContextVar[dict[str, Any] | None] = contextvars.ContextVar(
    "log_context", default=None
)
# Attributes a caller may pass with `extra=` that belong in the JSON line.
EXTRA_FIELDS = ("node", "decision", "role", "latency_ms", "tool", "status", "attempt")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "process": record.processName,
        }
        line.update(log_context.get() or {})
        line.update(
            {field: getattr(record, field) for field in EXTRA_FIELDS if hasattr(record, field)}
        )
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str)


def clear_log_context(**kwargs) -> None:
    """Forget the previous request's or task's conversation (threads and workers are reused)."""
    log_context.set(None)


def log_context_update(**fields: Any) -> None:
    log_context.set({**(log_context.get() or {}), **fields})


def log_user_role(user) -> None:
    """Who is acting (family, counselor, admin or anonymous), never who exactly."""
    log_context_update(user_role=str(role_of(user) or "anonymous"))


REQUEST_ID_HEADER = "X-Request-ID"
# What a proxy or client may send as a request id; anything else is replaced (it goes into logs).
_USABLE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")


def request_id_for(sent: str | None) -> str:
    """The id a client or proxy sent, if usable, or a new one."""
    if sent and _USABLE_REQUEST_ID.fullmatch(sent):
        return sent
    return uuid.uuid4().hex


def log_context_start(*, request_id: str | None = None) -> str:
    """Start a fresh context for a request or a socket frame, named by a request id."""
    request_id = request_id_for(request_id)
    log_context.set({"request_id": request_id})
    return request_id


class LogContextMiddleware:
    """Each request starts a log context of its own, named by its request id (the `X-Request-ID`
    it came with, or a new one, sent back in the response), then names the role of the person
    acting (API requests name it once their bearer token is checked). Sync and async, so an
    async view logs in the request's own context."""

    sync_capable = True
    async_capable = True

    def __init__(self, get_response):
        self.get_response = get_response
        if iscoroutinefunction(get_response):
            markcoroutinefunction(self)

    def __call__(self, request):
        if iscoroutinefunction(self):
            return self.__acall__(request)
        request_id = log_context_start(request_id=request.headers.get(REQUEST_ID_HEADER))
        response = self.get_response(request)
        response[REQUEST_ID_HEADER] = request_id
        return response

    async def __acall__(self, request):
        request_id = log_context_start(request_id=request.headers.get(REQUEST_ID_HEADER))
        response = await self.get_response(request)
        response[REQUEST_ID_HEADER] = request_id
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            log_user_role(user)
