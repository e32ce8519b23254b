"""Live events leave in the order they were published, and the publisher never waits on the
channel layer: a layer that is down loses live events, never a turn."""

import asyncio
import logging
import multiprocessing
import os

import pytest
from celery.signals import worker_process_shutdown
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.test import override_settings

from coach import events
from coach.events import conversation_group, publish_conversation_event
from coach.services import family_message_submit

pytestmark = pytest.mark.django_db(transaction=True)

EVENTS = 30
# Nothing listens on port 1: every send to this layer fails.
LAYER_DOWN = {
    "default": {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        "CONFIG": {"hosts": ["redis://127.0.0.1:1/0"]},
    }
}


def _publish_numbered(conversation_id) -> None:
    for number in range(EVENTS):
        publish_conversation_event(conversation_id, {"type": "state", "number": number})


@pytest.mark.usefixtures("close_db_connections_after")
async def test_events_arrive_in_the_order_they_were_published():
    layer = get_channel_layer()
    channel = await layer.new_channel()
    await layer.group_add(conversation_group("ordered"), channel)
    # From sync code in a thread of its own, as a request or a task publishes.
    await asyncio.to_thread(_publish_numbered, "ordered")
    received = [
        (await asyncio.wait_for(layer.receive(channel), timeout=30))["event"]["number"]
        for _ in range(EVENTS)
    ]
    assert received == list(range(EVENTS))


@pytest.fixture
def layer_down():
    with override_settings(CHANNEL_LAYERS=LAYER_DOWN):
        yield


def test_a_turn_is_answered_while_the_channel_layer_is_down(alice_conversation, layer_down):
    result = family_message_submit(conversation=alice_conversation, text="She wants biology.")
    assert result.reply is not None


@pytest.mark.usefixtures("close_db_connections_after")
async def test_an_event_the_layer_refuses_is_logged(layer_down, caplog):
    with caplog.at_level(logging.WARNING, logger="coach.events"):
        # As a request under the ASGI server publishes: through this test's own event loop.
        await database_sync_to_async(publish_conversation_event)("refused", {"type": "state"})
        for _ in range(200):
            if "conversation.refused" in caplog.text:
                break
            await asyncio.sleep(0.05)
    assert "a live event to conversation.refused was not sent" in caplog.text


def _publisher_runs_in_forked_child(reply) -> None:
    loop = events._publisher_loop()
    ran = asyncio.run_coroutine_threadsafe(asyncio.sleep(0, result="ran"), loop)
    reply.send(ran.result(timeout=10))


def test_a_forked_worker_publishes_from_a_loop_of_its_own():
    # As a prefork Celery worker does: the parent's publisher loop exists, its thread does not
    # cross the fork.
    events._publisher_loop()
    receiving, sending = multiprocessing.get_context("fork").Pipe(duplex=False)
    child = multiprocessing.get_context("fork").Process(
        target=_publisher_runs_in_forked_child, args=(sending,)
    )
    child.start()
    child.join(timeout=30)
    assert receiving.poll(0) and receiving.recv() == "ran"


def test_flushing_waits_until_the_events_published_have_left(layer_down, caplog):
    with caplog.at_level(logging.WARNING, logger="coach.events"):
        publish_conversation_event("flushed", {"type": "state"})
        flushed = events.flush_events()
    assert (flushed, "a live event to conversation.flushed was not sent" in caplog.text) == (
        True,
        True,
    )


def test_a_worker_process_sends_its_last_events_as_it_shuts_down(layer_down, caplog):
    with caplog.at_level(logging.WARNING, logger="coach.events"):
        publish_conversation_event("shutting-down", {"type": "state"})
        worker_process_shutdown.send(sender=None, pid=os.getpid(), exitcode=0)
        # No waiting here: the signal returned once the event had been handed to the layer.
        sent = "a live event to conversation.shutting-down was not sent" in caplog.text
    assert sent
