"""Fixtures shared by the whole suite: the personas, an API client and the service switches."""

import functools
import os

import pytest
import sentry_sdk
from channels.db import database_sync_to_async
from django.conf import settings
from django.core.cache import cache
from django.db import connections
from django.test import Client
from openapi_core import OpenAPI
from openapi_core.contrib.django import DjangoOpenAPIRequest, DjangoOpenAPIResponse
from sentry_sdk.transport import Transport

from aviator.accounts.services import token_issue, user_create
from aviator.celery import app as celery_app
from aviator.observability import sentry_init
from aviator.roles import Role
from coach.catalog.importer import import_catalog
from coach.catalog.models import College
from coach.evaluation import run_tool_calls_in_process
from coach.events import flush_events
from coach.graph import runner
from coach.graph.checkpointer import checkpointer_close
from coach.models import Escalation
from coach.services import conversation_start, family_message_submit

SERVICES_MISSING_REASON = (
    "needs PostgreSQL and Redis (DATABASE_URL/REDIS_URL unreachable; `make test` says which)"
)


def pytest_collection_modifyitems(config, items):
    services_up = settings.USES_POSTGRES and not settings.EMBEDDED
    if services_up:
        return
    if os.environ.get("CI", "").lower() == "true":
        raise pytest.UsageError("CI=true but the suite is not configured for PostgreSQL and Redis.")
    skip = pytest.mark.skip(reason=SERVICES_MISSING_REASON)
    for item in items:
        if "services" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup):
    yield
    # The checkpointer keeps its own connections to the test database; Django cannot drop a
    # database that still has users.
    checkpointer_close()
    runner._compiled.clear()


@pytest.fixture(scope="session")
def _catalog_committed(django_db_setup, django_db_blocker):
    """Load the real catalog once, committed, outside any test's transaction."""
    with django_db_blocker.unblock():
        import_catalog()


@pytest.fixture
def catalog(_catalog_committed, db):
    """The real College Scorecard catalog. Transactional tests (run last) empty every table, so
    it is loaded again when one of them did."""
    if not College.objects.exists():
        import_catalog()


@pytest.fixture(autouse=True)
def _rate_limits_reset():
    """Each test starts with fresh per-address counters (the cache is in memory under tests)."""
    cache.clear()


@pytest.fixture(scope="session")
def _broker_purged():
    # Tasks left in the test broker by an earlier, interrupted run must not be replayed.
    if not settings.EMBEDDED:
        celery_app.control.purge()


@pytest.fixture
def run_tools_in_process():
    """Do a worker's job inline: run every queued tool call of a conversation (as evaluate_coach
    does), for service-level tests that need no broker."""

    def run(conversation) -> None:
        run_tool_calls_in_process(conversation)
        conversation.refresh_from_db()

    return run


@pytest.fixture(autouse=True)
def _turns_inline(settings):
    """A family message's turn runs in the test's own process: the very task a worker runs,
    applied locally, so a test reads the answer as soon as the door returns. Tests of the queue
    itself use `worker`, and the end-to-end tests run real web and worker processes."""
    settings.TURNS_INLINE = True


@pytest.fixture
def worker(_broker_purged, transactional_db, catalog, settings):
    """A real Celery worker (in a thread) consuming the configured broker: the tool calls and,
    from the `turns` queue, the turns."""
    from celery.contrib.testing.worker import start_worker

    from coach.messages import TURN_QUEUE

    settings.TURNS_INLINE = False
    with start_worker(
        celery_app,
        pool="solo",
        perform_ping_check=False,
        shutdown_timeout=10,
        queues=[celery_app.conf.task_default_queue, TURN_QUEUE],
    ):
        yield


@pytest.fixture(autouse=True)
def _live_events_sent():
    """The live events a test published from sync code leave while it can still reach the
    database (the embedded default's channel layer writes them there), not during the next test.
    (An async test's events go through its own loop, which it waits on.)"""
    yield
    flush_events()


@pytest.fixture
async def close_db_connections_after():
    """For async tests: close the connections opened in worker threads, or teardown hangs."""
    yield
    await database_sync_to_async(connections.close_all)()


def _person(email: str, role: Role):
    return user_create(email=email, password="a-Long-enough-pass-42", role=role)


@pytest.fixture
def family_alice(db):
    return _person("alice@example.com", Role.FAMILY)


@pytest.fixture
def family_bob(db):
    return _person("bob@example.com", Role.FAMILY)


@pytest.fixture
def counselor_carol(db):
    return _person("carol@example.com", Role.COUNSELOR)


@pytest.fixture
def admin_dan(db):
    return _person("dan@example.com", Role.ADMIN)


class ApiClient:
    """A JSON client for the API v1 that authenticates with a bearer token, and checks every
    answer against the OpenAPI document (status declared, body of the declared shape)."""

    def __init__(self, token: str | None):
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def get(self, path: str):
        return _conforming(self.client.get(path, headers=self.headers))

    def post(self, path: str, body=None, *, raw: bytes | None = None, headers=None):
        import json

        data = raw if raw is not None else json.dumps({} if body is None else body)
        return _conforming(
            self.client.post(
                path,
                data=data,
                content_type="application/json",
                headers={**self.headers, **(headers or {})},
            )
        )


@functools.cache
def _api_contract() -> OpenAPI:
    import json

    from aviator.api import api

    # Through JSON, as clients read it (ninja keys responses by int status).
    return OpenAPI.from_dict(json.loads(json.dumps(api.get_openapi_schema())))


def _conforming(response):
    """The response, once checked against the contract when it answers one of its operations
    (not /metrics, nor a malformed id Django's URL conf refuses, nor a 405)."""
    match = response.wsgi_request.resolver_match
    is_operation = (
        match is not None
        and match.namespace == "api"
        and match.url_name
        not in {
            "openapi-json",
            "api-root",
        }
    )
    if is_operation and response.status_code != 405:
        _api_contract().validate_response(
            DjangoOpenAPIRequest(response.wsgi_request), DjangoOpenAPIResponse(response)
        )
    return response


@pytest.fixture
def api_as():
    """`api_as(user)` is an API client holding a fresh token of `user` (None: anonymous)."""
    return lambda user: ApiClient(token_issue(user=user) if user is not None else None)


@pytest.fixture
def counselor_cole(db):
    return _person("cole@example.com", Role.COUNSELOR)


@pytest.fixture
def alice_conversation(family_alice, catalog):
    return conversation_start(family=family_alice)


@pytest.fixture
def escalated(alice_conversation) -> Escalation:
    family_message_submit(conversation=alice_conversation, text="Biology. GPA 3.5.")
    family_message_submit(
        conversation=alice_conversation, text="Can I talk to a counselor please? A real human."
    )
    return Escalation.objects.get(conversation=alice_conversation)


@pytest.fixture
def recommended(family_alice, catalog, run_tools_in_process):
    """Alice's conversation, answered in one message and shown a list of colleges."""
    conversation = conversation_start(family=family_alice)
    family_message_submit(
        conversation=conversation, text="Biology, GPA 3.8, ACT 29, 24k a year, North Carolina."
    )
    run_tools_in_process(conversation)
    return conversation


# --- Sentry, with a transport that keeps events instead of sending them ------------------


class CapturingTransport(Transport):
    def __init__(self):
        super().__init__()
        self.envelopes = []

    def capture_envelope(self, envelope):
        self.envelopes.append(envelope)

    def events(self) -> list[dict]:
        sentry_sdk.flush()
        return [
            item.payload.json
            for envelope in self.envelopes
            for item in envelope.items
            if item.type == "event"
        ]


@pytest.fixture
def sentry_events():
    transport = CapturingTransport()
    sentry_init(dsn="https://public@sentry.invalid/1", environment="test", transport=transport)
    yield transport
    sentry_sdk.get_client().close()
    sentry_sdk.init()
