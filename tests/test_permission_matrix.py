"""Who may reach what: every URL and WebSocket path × every kind of visitor → the expected answer.

The paths come from the URL conf and the WebSocket routing, so a new endpoint without a rule here
fails `test_every_url_has_a_rule`. Requests that would change something use bodies that fail
validation, so an allowed visitor gets a 400 (past the access check, with nothing changed) where a
refused one gets 401, 403, 404 or a redirect to the login page. (The API validates a body
before the operation looks anything up, so there a malformed body is answered 400 to anyone
signed in: that says nothing about whether the conversation exists.)
"""

import json
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from aviator.accounts.services import token_issue
from aviator.asgi import application
from aviator.routing import websocket_urlpatterns
from coach.models import Approval
from coach.services import conversation_start, escalation_request
from handoff.services import escalation_claim
from review.models import Alert

# Visitors, in the order of every expectation tuple below.
VISITORS = ("anonymous", "family_a", "family_b", "counselor_other", "counselor_assigned", "admin")
LOGIN = "login"  # a redirect to the login page


@dataclass(frozen=True)
class Rule:
    method: str
    expected: tuple[Any, ...]  # one status (or LOGIN) per visitor, in VISITORS order
    data: dict | None = None


ANYONE = (200,) * 6
API_OWNER_ONLY = (401, 200, 404, 404, 404, 404)
PAGE_OWNER_ONLY = (LOGIN, 200, 404, 404, 404, 404)
STAFF_PAGE = (LOGIN, 404, 404, 200, 200, 200)
ADMIN_ONLY = (LOGIN, LOGIN, LOGIN, 403, 403, 200)
ADMIN_PAGE = (LOGIN, 404, 404, 404, 404, 200)

RULES: dict[str, Rule] = {
    "healthz": Rule("get", ANYONE),
    "metrics": Rule("get", (401, 403, 403, 200, 200, 200)),
    "signup": Rule("get", (200, 302, 302, 302, 302, 302)),
    "login": Rule("get", (200, 302, 302, 302, 302, 302)),
    "logout": Rule("post", (302,) * 6),
    # Staff pages: every counselor sees the inbox and an open escalation's packet; acting on it
    # is for the assignee (others are told why on the page they are sent back to).
    "handoff:inbox": Rule("get", STAFF_PAGE),
    "handoff:escalation": Rule("get", STAFF_PAGE),
    "handoff:claim": Rule("post", (LOGIN, 404, 404, 302, 302, 302)),
    "handoff:reply": Rule("post", (LOGIN, 404, 404, 302, 302, 302), {"text": ""}),
    "handoff:note": Rule("post", (LOGIN, 404, 404, 302, 302, 302), {"text": ""}),
    "handoff:resolve": Rule("post", (LOGIN, 404, 404, 302, 302, 302), {"outcome": "bogus"}),
    "api:openapi-json": Rule("get", ANYONE),
    "api-docs": Rule("get", STAFF_PAGE),
    # ninja's root of the API: no page of its own.
    "api:api-root": Rule("get", (404,) * 6),
    "api:conversations": Rule("get", (401, 200, 200, 200, 200, 200)),
    "api:conversation": Rule("get", API_OWNER_ONLY),
    "api:conversation-messages": Rule("post", (401, 400, 404, 404, 404, 404), {"text": ""}),
    "api:conversation-approval": Rule("post", (401, 400, 400, 400, 400, 400), {"approve": "maybe"}),
    "api:conversation-handoff": Rule("post", (401, 400, 400, 400, 400, 400), {"reason": 7}),
    "api:escalations": Rule("get", (401, 404, 404, 200, 200, 200)),
    "api:escalation-claim": Rule("post", (401, 404, 404, 409, 409, 409)),
    "api:escalation-reply": Rule("post", (401, 404, 404, 403, 400, 403), {"text": ""}),
    "api:escalation-resolve": Rule("post", (401, 400, 400, 400, 400, 400), {"handback": "maybe"}),
    # The front door: what Aviator is for a visitor; everyone logged in goes to conversations.
    "coach:home": Rule("get", (200, 302, 302, 302, 302, 302)),
    "coach:conversation-list": Rule("get", (LOGIN, 200, 200, 200, 200, 200)),
    "coach:conversation": Rule("get", PAGE_OWNER_ONLY),
    "coach:college-save": Rule("post", (LOGIN, 302, 404, 404, 404, 404), {"unitid": "x"}),
    "coach:handoff-request": Rule("post", (LOGIN, 302, 404, 404, 404, 404)),
    "coach:approval-decide": Rule("post", (LOGIN, 302, 404, 404, 404, 404), {}),
    "coach:my-list": Rule("get", (LOGIN, 200, 200, 200, 200, 200)),
    # Each visitor's own list only: nothing chosen goes back to My list with a message.
    "coach:my-list-compare": Rule("get", (LOGIN, 302, 302, 302, 302, 302)),
    "coach:college-unsave": Rule("post", (LOGIN, 302, 302, 302, 302, 302)),
    # Transcript review and the dashboard: admins; a counselor reads only what they hold.
    "review:list": Rule("get", ADMIN_PAGE),
    "review:conversation": Rule("get", (LOGIN, 404, 404, 404, 200, 200)),
    "review:label-add": Rule("post", (LOGIN, 404, 404, 404, 404, 302), {}),
    "review:export-json": Rule("get", ADMIN_PAGE),
    "review:export-csv": Rule("get", ADMIN_PAGE),
    "review:dashboard": Rule("get", ADMIN_PAGE),
    "review:alert-acknowledge": Rule("post", (LOGIN, 404, 404, 404, 404, 302)),
    # Django's admin: a sample of its pages stands for all of them.
    "admin:coach_conversation_change": Rule("get", ADMIN_ONLY),
    "admin:audit_auditentry_changelist": Rule("get", ADMIN_ONLY),
}

# True: the socket is accepted; False: it is closed before accepting.
SOCKET_RULES: dict[str, tuple[bool, ...]] = {
    "ws/conversations/<uuid:conversation_id>/": (False, True, False, False, False, False),
    "ws/staff/escalations/<uuid:escalation_id>/": (False, False, False, False, True, True),
}


def url_names(patterns, namespace: str = "") -> list[str]:
    names = []
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue  # sampled in RULES
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names += url_names(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern):
            names.append(f"{namespace}{pattern.name}")
    return names


def test_every_url_has_a_rule():
    names = set(url_names(get_resolver().url_patterns))
    assert names - set(RULES) == set()


def test_every_socket_path_has_a_rule():
    assert {str(route.pattern) for route in websocket_urlpatterns} == set(SOCKET_RULES)


@dataclass
class World:
    visitors: dict[str, Any]
    ids: dict[str, Any]


@pytest.fixture
def world(family_alice, family_bob, counselor_carol, counselor_cole, admin_dan):
    """Alice's conversation with a pending approval and an escalation Carol holds.

    The approval row is made directly: every probe stops at the access check or at validation,
    so no graph needs to be waiting behind it, and the matrix stays fast.
    """
    conversation = conversation_start(family=family_alice)
    approval = Approval.objects.create(
        key=f"{conversation.id}:1:save_list",
        conversation=conversation,
        turn=1,
        kind="save_list",
        proposed={"colleges": []},
        summary="Shall I save these colleges to My list?",
        interrupt_id="unused",
        checkpoint_id="unused",
        expires_at=timezone.now() + timedelta(hours=1),
    )
    escalation = escalation_request(conversation=conversation)
    escalation_claim(escalation_id=escalation.id, counselor=counselor_carol)
    now = timezone.now()
    alert = Alert.objects.create(
        signal="escalation_rate",
        recent_value=0.5,
        baseline_value=0.1,
        threshold=0.1,
        recent_start=now,
        recent_end=now,
        baseline_start=now,
    )
    return World(
        visitors=dict(
            zip(
                VISITORS,
                (None, family_alice, family_bob, counselor_cole, counselor_carol, admin_dan),
                strict=True,
            )
        ),
        ids={
            "conversation_id": conversation.id,
            "escalation_id": escalation.id,
            "approval_id": approval.id,
            "object_id": conversation.id,
            "alert_id": alert.id,
        },
    )


def _url(name: str, ids: dict[str, Any]) -> str:
    """The URL of `name` for the world's objects (whichever ids its pattern takes)."""
    for kwargs in (
        {},
        {"conversation_id": ids["conversation_id"]},
        {"escalation_id": ids["escalation_id"]},
        {"conversation_id": ids["conversation_id"], "approval_id": ids["approval_id"]},
        {"object_id": ids["object_id"]},
        {"alert_id": ids["alert_id"]},
        {"unitid": 1},
    ):
        try:
            return reverse(name, kwargs=kwargs)
        except NoReverseMatch:
            continue
    raise AssertionError(f"cannot build a URL for {name}")


def _client(visitor, *, json_api: bool):
    client = Client()
    headers = {}
    if visitor is not None:
        if json_api:
            headers = {"Authorization": f"Bearer {token_issue(user=visitor)}"}
        else:
            client.force_login(visitor)
    return client, headers


# Read with a browser session (or none), not a token.
PAGES_UNDER_THE_API = {"api:openapi-json", "api-docs", "api:api-root"}

CASES = [(name, index) for name in RULES for index in range(len(VISITORS))]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "visitor_index"), CASES, ids=[f"{n}-{VISITORS[i]}" for n, i in CASES]
)
def test_access(world, name, visitor_index):
    rule = RULES[name]
    visitor = world.visitors[VISITORS[visitor_index]]
    url = _url(name, world.ids)
    is_api = url.startswith("/api/") and name not in PAGES_UNDER_THE_API
    client, headers = _client(visitor, json_api=is_api or name == "metrics")
    if rule.method == "get":
        response = client.get(url, headers=headers)
    elif is_api:
        body = json.dumps(rule.data or {})
        response = client.post(url, body, content_type="application/json", headers=headers)
    else:
        response = client.post(url, rule.data or {}, headers=headers)
    expected = rule.expected[visitor_index]
    if expected == LOGIN:
        assert (response.status_code, "login" in response.get("Location", "")) == (302, True)
    else:
        assert response.status_code == expected


SOCKET_CASES = [(path, index) for path in SOCKET_RULES for index in range(len(VISITORS))]


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("close_db_connections_after")
@pytest.mark.parametrize(
    ("route", "visitor_index"),
    SOCKET_CASES,
    ids=[f"{p.split('/')[1]}-{VISITORS[i]}" for p, i in SOCKET_CASES],
)
async def test_socket_access(world, route, visitor_index):
    visitor = world.visitors[VISITORS[visitor_index]]
    key = "conversation_id" if "conversation_id" in route else "escalation_id"
    path = route.replace(f"<uuid:{key}>", str(world.ids[key]))
    headers = [(b"origin", b"http://testserver")]
    if visitor is not None:
        client = Client()
        await database_sync_to_async(client.force_login)(visitor)
        headers.append((b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode()))
    socket = WebsocketCommunicator(application, "/" + path, headers=headers)
    connected, _ = await socket.connect(timeout=5)
    await socket.disconnect()
    assert connected == SOCKET_RULES[route][visitor_index]
