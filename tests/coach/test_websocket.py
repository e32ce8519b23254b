"""The family chat WebSocket: authentication, ownership, and a live message round trip."""

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client, override_settings

from aviator.asgi import application
from coach.models import Message
from coach.services import conversation_start

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("close_db_connections_after"),
]

ORIGIN = (b"origin", b"http://testserver")


def session_cookie(user) -> bytes:
    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}".encode()


async def open_socket(conversation_id, user=None, origin=ORIGIN) -> WebsocketCommunicator:
    headers = [origin]
    if user is not None:
        headers.append((b"cookie", await database_sync_to_async(session_cookie)(user)))
    return WebsocketCommunicator(
        application, f"/ws/conversations/{conversation_id}/", headers=headers
    )


@pytest.fixture
async def alice_conversation(family_alice):
    return await database_sync_to_async(conversation_start)(family=family_alice)


async def receive_until(socket: WebsocketCommunicator, event_type: str, role: str | None = None):
    """Read events until one of `event_type` (and, for messages, from `role`) arrives."""
    while True:
        event = await socket.receive_json_from(timeout=5)
        if event["type"] == event_type and (role is None or event["message"]["role"] == role):
            return event


async def test_it_closes_an_anonymous_socket(alice_conversation):
    socket = await open_socket(alice_conversation.id)
    connected, code = await socket.connect()
    assert (connected, code) == (False, 4401)


async def test_it_closes_a_socket_on_another_familys_conversation(alice_conversation, family_bob):
    socket = await open_socket(alice_conversation.id, family_bob)
    connected, code = await socket.connect()
    assert (connected, code) == (False, 4404)


async def test_it_refuses_a_foreign_origin(alice_conversation, family_alice):
    socket = await open_socket(
        alice_conversation.id, family_alice, origin=(b"origin", b"http://evil.example")
    )
    connected, _ = await socket.connect()
    assert connected is False


async def test_it_sends_the_state_on_connect(alice_conversation, family_alice):
    socket = await open_socket(alice_conversation.id, family_alice)
    await socket.connect()
    event = await socket.receive_json_from(timeout=5)
    await socket.disconnect()
    assert (event["type"], event["state"]["id"]) == ("state", str(alice_conversation.id))


async def test_a_family_message_comes_back_with_the_coachs_reply(alice_conversation, family_alice):
    socket = await open_socket(alice_conversation.id, family_alice)
    await socket.connect()
    await socket.receive_json_from(timeout=5)
    await socket.send_json_to({"type": "message", "text": "Hello coach"})
    echoed = await receive_until(socket, "message", "family")
    reply = await receive_until(socket, "message", "coach")
    await socket.disconnect()
    assert (echoed["message"]["text"], reply["message"]["asks"]) == ("Hello coach", ["major"])


async def test_a_turn_ends_with_a_state_event_holding_the_reply(alice_conversation, family_alice):
    socket = await open_socket(alice_conversation.id, family_alice)
    await socket.connect()
    await socket.receive_json_from(timeout=5)
    await socket.send_json_to({"type": "message", "text": "Hello coach"})
    state = await receive_until(socket, "state")
    await socket.disconnect()
    assert [m["role"] for m in state["state"]["messages"]] == ["coach", "family", "coach"]


async def test_it_rejects_an_empty_message_without_storing_it(alice_conversation, family_alice):
    socket = await open_socket(alice_conversation.id, family_alice)
    await socket.connect()
    await socket.receive_json_from(timeout=5)
    await socket.send_json_to({"type": "message", "text": "  "})
    event = await socket.receive_json_from(timeout=5)
    await socket.disconnect()
    assert event["error"]["code"] == "empty"
    assert await Message.objects.filter(role="family").acount() == 0


async def test_it_rejects_a_frame_that_is_not_json(alice_conversation, family_alice):
    socket = await open_socket(alice_conversation.id, family_alice)
    await socket.connect()
    await socket.receive_json_from(timeout=5)
    await socket.send_to(text_data="{not json")
    event = await socket.receive_json_from(timeout=5)
    await socket.disconnect()
    assert event["error"]["code"] == "invalid_json"


async def test_it_rejects_a_frame_of_the_wrong_shape(alice_conversation, family_alice):
    socket = await open_socket(alice_conversation.id, family_alice)
    await socket.connect()
    await socket.receive_json_from(timeout=5)
    await socket.send_json_to({"type": "shout", "text": "hi"})
    event = await socket.receive_json_from(timeout=5)
    await socket.disconnect()
    assert event["error"]["code"] == "invalid"


async def test_a_message_posted_through_the_api_reaches_an_open_socket(
    alice_conversation, family_alice, api_as
):
    socket = await open_socket(alice_conversation.id, family_alice)
    await socket.connect()
    await socket.receive_json_from(timeout=5)
    api = await database_sync_to_async(api_as)(family_alice)
    await database_sync_to_async(api.post)(
        f"/api/v1/conversations/{alice_conversation.id}/messages/", {"text": "Sent from the API"}
    )
    event = await receive_until(socket, "message", "family")
    await socket.disconnect()
    assert event["message"]["text"] == "Sent from the API"


async def test_a_failed_turn_tells_the_socket_the_message_is_saved(
    alice_conversation, family_alice, failing_gate
):
    socket = await open_socket(alice_conversation.id, family_alice)
    await socket.connect()
    await socket.receive_json_from(timeout=5)
    await socket.send_json_to({"type": "message", "text": "Hello"})
    event = await receive_until(socket, "error")
    await socket.disconnect()
    assert event["error"]["code"] == "turn_failed"


@override_settings(FAMILY_MESSAGES_PER_MINUTE=1)
async def test_a_message_over_the_quota_is_refused_on_the_socket(alice_conversation, family_alice):
    socket = await open_socket(alice_conversation.id, family_alice)
    await socket.connect()
    await socket.send_json_to({"type": "message", "text": "Biology."})
    await receive_until(socket, "message", role="coach")
    await socket.send_json_to({"type": "message", "text": "Too fast"})
    event = await receive_until(socket, "error")
    await socket.disconnect()
    assert (event["error"]["code"], await Message.objects.filter(text="Too fast").aexists()) == (
        "rate_limited",
        False,
    )


async def test_open_sockets_are_counted_for_the_metrics(alice_conversation, family_alice):
    from django.core.cache import cache

    from aviator.realtime.consumers import OPEN_SOCKETS_KEY

    socket = await open_socket(alice_conversation.id, family_alice)
    await socket.connect()
    while_open = await cache.aget(OPEN_SOCKETS_KEY)
    await socket.disconnect()
    assert (while_open, await cache.aget(OPEN_SOCKETS_KEY)) == (1, 0)
