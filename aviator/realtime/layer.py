"""A channel layer for the embedded default that crosses process boundaries.

Channels' in-memory layer only reaches consumers in the process that sends, but a coach reply may
be produced by the Celery worker. Here every `group_send`, from whichever process, is written to
the `RelayedEvent` table; a process that has consumers (the web server) polls that table and hands
each new event to its local in-memory groups. Redis replaces all of this in production.
"""

import asyncio
import contextlib
import contextvars
import logging
import time
from datetime import timedelta

from channels.db import database_sync_to_async
from channels.layers import InMemoryChannelLayer
from django.utils import timezone

from aviator.realtime.models import RelayedEvent

logger = logging.getLogger(__name__)

POLL_INTERVAL_SECONDS = 0.2
# Events stay long enough for a slow poller to catch up, then are swept away.
RETENTION = timedelta(minutes=5)
SWEEP_INTERVAL_SECONDS = 60


class DatabaseRelayChannelLayer(InMemoryChannelLayer):
    def __init__(self, poll_interval: float = POLL_INTERVAL_SECONDS, **kwargs):
        super().__init__(**kwargs)
        self.poll_interval = poll_interval
        self._relay_task: asyncio.Task | None = None
        self._last_relayed_id: int | None = None

    async def group_send(self, group, message):
        assert isinstance(message, dict), "message is not a dict"
        self.require_valid_group_name(group)
        await database_sync_to_async(RelayedEvent.objects.create)(group=group, payload=message)

    async def group_add(self, group, channel):
        await super().group_add(group, channel)
        await self._ensure_relay_running()

    async def flush(self):
        await super().flush()
        await self._stop_relay()

    async def close(self):
        await self._stop_relay()

    async def _ensure_relay_running(self) -> None:
        task = self._relay_task
        if task is not None and not task.done() and task.get_loop() is asyncio.get_running_loop():
            return
        # Start after what is already stored: events sent before anyone listened are stale.
        self._last_relayed_id = await database_sync_to_async(_latest_event_id)()
        # In a context of its own: the relay outlives the request or socket that started it, and
        # must not send its database reads to that request's thread, which ends with it.
        self._relay_task = asyncio.create_task(self._relay_forever(), context=contextvars.Context())

    async def _stop_relay(self) -> None:
        if self._relay_task is not None:
            self._relay_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._relay_task
            self._relay_task = None

    async def _relay_forever(self) -> None:
        last_sweep = 0.0
        while True:
            try:
                await self.relay_pending()
                if time.monotonic() - last_sweep > SWEEP_INTERVAL_SECONDS:
                    await database_sync_to_async(_sweep_expired_events)()
                    last_sweep = time.monotonic()
            except asyncio.CancelledError:
                raise
            except Exception:
                # A locked or briefly unavailable database must not kill live delivery for good.
                logger.exception("relaying channel-layer events failed; retrying")
            await asyncio.sleep(self.poll_interval)

    async def relay_pending(self) -> int:
        """Hand every stored event newer than the last one relayed to the local groups."""
        events = await database_sync_to_async(_events_after)(self._last_relayed_id or 0)
        for event_id, group, payload in events:
            self._last_relayed_id = event_id
            await InMemoryChannelLayer.group_send(self, group, payload)
        return len(events)


def _latest_event_id() -> int:
    latest = RelayedEvent.objects.order_by("-id").values_list("id", flat=True).first()
    return latest or 0


def _sweep_expired_events() -> None:
    RelayedEvent.objects.filter(created__lt=timezone.now() - RETENTION).delete()


def _events_after(event_id: int) -> list[tuple[int, str, dict]]:
    return list(
        RelayedEvent.objects.filter(id__gt=event_id)
        .order_by("id")
        .values_list("id", "group", "payload")[:500]
    )
