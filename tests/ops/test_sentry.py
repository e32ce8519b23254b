"""Sentry: an unhandled error in a view, a consumer and a task each sends one event, tagged with
the conversation, and no family text leaves the machine."""

import json

import pytest
from channels.db import database_sync_to_async
from django.test import Client

from aviator.accounts.services import token_issue
from coach.services import conversation_start, family_message_submit
from coach.tools import TOOLS

SECRET = "my daughter's private words"


@pytest.fixture
def conversation(family_alice):
    return conversation_start(family=family_alice)


@pytest.mark.django_db
def test_an_error_in_a_view_sends_one_tagged_event(
    sentry_events, conversation, family_alice, monkeypatch
):
    def explode(*args, **kwargs):
        raise RuntimeError("presenter broke")

    monkeypatch.setattr("coach.api.conversation_state", explode)
    client = Client(raise_request_exception=False)
    response = client.post(
        f"/api/v1/conversations/{conversation.id}/messages/",
        data=json.dumps({"text": SECRET}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token_issue(user=family_alice)}"},
    )
    events = sentry_events.events()
    assert (response.status_code, len(events), events[0]["tags"]["conversation"]) == (
        500,
        1,
        str(conversation.id),
    )


@pytest.mark.django_db
def test_no_family_text_reaches_sentry(sentry_events, conversation, family_alice, monkeypatch):
    def explode(*args, **kwargs):
        raise RuntimeError("presenter broke")

    monkeypatch.setattr("coach.api.conversation_state", explode)
    Client(raise_request_exception=False).post(
        f"/api/v1/conversations/{conversation.id}/messages/",
        data=json.dumps({"text": SECRET}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token_issue(user=family_alice)}"},
    )
    assert SECRET not in json.dumps(sentry_events.events())


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("close_db_connections_after")
async def test_an_error_in_a_consumer_sends_one_tagged_event(
    sentry_events, family_alice, monkeypatch
):
    from tests.coach.test_websocket import open_socket

    conversation = await database_sync_to_async(conversation_start)(family=family_alice)

    def explode(**kwargs):
        raise RuntimeError("turn broke")

    monkeypatch.setattr("coach.consumers.family_message_take", explode)
    socket = await open_socket(conversation.id, family_alice)
    await socket.connect()
    await socket.receive_json_from(timeout=5)
    await socket.send_json_to({"type": "message", "text": SECRET})
    with pytest.raises(RuntimeError):
        await socket.receive_output(timeout=5)
    events = sentry_events.events()
    assert (len(events), events[0]["tags"]["conversation"]) == (1, str(conversation.id))


@pytest.mark.django_db
def test_an_error_in_a_task_sends_one_tagged_event(
    sentry_events, conversation, catalog, monkeypatch
):
    from coach.tasks import search_colleges

    def explode(payload):
        raise RuntimeError("search broke")

    monkeypatch.setitem(TOOLS, "search_colleges", explode)
    family_message_submit(
        conversation=conversation, text="Biology, GPA 3.8, ACT 29, we can pay 24k a year, NC."
    )
    tool_call = conversation.tool_calls.get()
    search_colleges.apply(args=[tool_call.pk])
    events = [e for e in sentry_events.events() if e.get("exception")]
    assert (len(events), events[0]["tags"]["conversation"], events[0]["tags"]["turn"]) == (
        1,
        str(conversation.id),
        str(tool_call.turn),
    )
