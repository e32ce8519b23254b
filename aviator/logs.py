"""Structured JSON logs, correlated with Sentry and the decision trace by conversation and turn.

What a family wrote never goes into a log line: only ids, roles, nodes, decisions and timings.
"""

import contextvars
import json
import logging
from datetime import UTC, datetime
from typing import Any

from aviator.accounts.roles import role_of

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


class LogContextMiddleware:
    """Each request starts with an empty log context, then names the role of the person acting
    (API requests name it once their bearer token is checked)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        clear_log_context()
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            log_user_role(user)
