"""The embedded default's channel layer carries events between processes through the database.

Two layer instances share nothing but the database, exactly like the web process and the Celery
worker; one more test sends from a real separate OS process.
"""

import asyncio
import os
import subprocess
import sys

import pytest
from channels.db import database_sync_to_async
from django.conf import settings
from django.db import connection

from aviator.realtime.layer import DatabaseRelayChannelLayer
from aviator.realtime.models import RelayedEvent

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("close_db_connections_after"),
]

GROUP = "conversation.relay-test"


@pytest.fixture
async def web_layer():
    layer = DatabaseRelayChannelLayer(poll_interval=0.05)
    yield layer
    await layer.close()


async def subscribed_channel(layer: DatabaseRelayChannelLayer) -> str:
    channel = await layer.new_channel()
    await layer.group_add(GROUP, channel)
    return channel


async def test_an_event_sent_by_another_layer_instance_reaches_the_group(web_layer):
    channel = await subscribed_channel(web_layer)
    worker_layer = DatabaseRelayChannelLayer()
    await worker_layer.group_send(GROUP, {"type": "conversation.event", "event": {"n": 1}})
    message = await asyncio.wait_for(web_layer.receive(channel), timeout=5)
    assert message["event"] == {"n": 1}


async def test_events_arrive_in_the_order_they_were_sent(web_layer):
    channel = await subscribed_channel(web_layer)
    worker_layer = DatabaseRelayChannelLayer()
    for n in range(3):
        await worker_layer.group_send(GROUP, {"type": "conversation.event", "event": {"n": n}})
    received = [await asyncio.wait_for(web_layer.receive(channel), timeout=5) for _ in range(3)]
    assert [m["event"]["n"] for m in received] == [0, 1, 2]


async def test_events_stored_before_anyone_listened_are_not_replayed(web_layer):
    await DatabaseRelayChannelLayer().group_send(GROUP, {"type": "conversation.event", "event": {}})
    await subscribed_channel(web_layer)
    assert await web_layer.relay_pending() == 0


async def test_a_sender_without_listeners_only_stores_the_event():
    await DatabaseRelayChannelLayer().group_send(GROUP, {"type": "conversation.event", "event": {}})
    assert await RelayedEvent.objects.filter(group=GROUP).acount() == 1


def _send_from_another_process() -> None:
    db = connection.settings_dict
    if settings.USES_POSTGRES:
        database_url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    else:
        database_url = f"sqlite:///{db['NAME']}"
    script = (
        "import django; django.setup();"
        "from asgiref.sync import async_to_sync;"
        "from aviator.realtime.layer import DatabaseRelayChannelLayer;"
        f"async_to_sync(DatabaseRelayChannelLayer().group_send)('{GROUP}', "
        "{'type': 'conversation.event', 'event': {'from': 'worker'}})"
    )
    env = dict(os.environ, DATABASE_URL=database_url, DJANGO_SETTINGS_MODULE="aviator.settings")
    subprocess.run([sys.executable, "-c", script], env=env, check=True, timeout=60)


async def test_an_event_sent_by_a_separate_process_reaches_the_group(web_layer):
    channel = await subscribed_channel(web_layer)
    await database_sync_to_async(_send_from_another_process)()
    message = await asyncio.wait_for(web_layer.receive(channel), timeout=5)
    assert message["event"] == {"from": "worker"}
