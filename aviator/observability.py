"""Errors and tracing with Sentry, correlated by conversation and turn, with no family text sent.
The same tags go into the JSON logs (`aviator.logs`).

`sentry_init` runs in every process that loads the settings (web, worker, beat). Families' words
never leave: default PII is off, and request bodies, cookies and local variables are dropped.
"""

import sentry_sdk
from sentry_sdk.types import Event, Hint

from aviator.logs import log_context_update


def scrub_event(event: Event, hint: Hint) -> Event:
    request = event.get("request") or {}
    for private in ("data", "cookies", "query_string"):
        request.pop(private, None)
    for exception in (event.get("exception") or {}).get("values", []):
        for frame in (exception.get("stacktrace") or {}).get("frames", []):
            frame.pop("vars", None)
    return event


def sentry_init(*, dsn: str, environment: str = "production", transport=None) -> None:
    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        # Nothing personal: no user details, cookies, bodies, query strings, local variables, or
        # model prompts and answers (which hold the family's words).
        data_collection={
            "user_info": False,
            "cookies": {"mode": "off"},
            "http_bodies": [],
            "url_query_params": {"mode": "off"},
            "stack_frame_variables": False,
            "gen_ai": {"inputs": False, "outputs": False},
            "database_query_data": False,
        },
        before_send=scrub_event,
        traces_sample_rate=0.1,
        transport=transport,
    )


def tag_conversation(conversation_id, *, turn: int | None = None) -> None:
    """Tag whatever Sentry records from here on in this request, message or task."""
    scope = sentry_sdk.get_isolation_scope()
    scope.set_tag("conversation", str(conversation_id))
    context: dict[str, object] = {"conversation": str(conversation_id)}
    if turn is not None:
        scope.set_tag("turn", str(turn))
        context["turn"] = turn
    log_context_update(**context)
