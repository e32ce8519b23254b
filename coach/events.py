"""Live events to a conversation's open chat pages, through the channel layer.

The same function serves the web process and the Celery worker; the layer configured in settings
carries the event across processes (Redis, or the database relay of the embedded default).

Publishing does not wait for the layer. Events are handed to an event loop that sends them one
at a time, in the order they were published: a request or a task never waits on Redis, and a
layer that fails cannot fail a turn that is already stored. A live event lost that way costs a
page nothing it cannot recover: a page reads the whole state whenever its socket (re)connects.
"""

import asyncio
import atexit
import contextlib
import contextvars
import logging
import os
import threading
from collections import deque
from typing import Any
from weakref import WeakKeyDictionary

from asgiref.sync import SyncToAsync
from celery.signals import worker_process_shutdown
from channels import DEFAULT_CHANNEL_LAYER
from channels.layers import channel_layers, get_channel_layer

from aviator.asyncdb import database_call

logger = logging.getLogger(__name__)

_publisher: asyncio.AbstractEventLoop | None = None
_publisher_pid: int | None = None
_publisher_lock = threading.Lock()
# Per event loop, the events waiting to be sent; each loop's entry is used on its own thread only.
_outboxes: "WeakKeyDictionary[asyncio.AbstractEventLoop, _Outbox]" = WeakKeyDictionary()


def conversation_group(conversation_id) -> str:
    return f"conversation.{conversation_id}"


def publish_conversation_event(conversation_id, event: dict[str, Any]) -> None:
    """Send `event` to every socket watching the conversation. Call after commit (sync code).

    Returns at once; the event leaves after those published before it by this process.
    """
    item = (conversation_group(conversation_id), {"type": "conversation.event", "event": event})
    server_loop = _server_loop()
    if server_loop is not None:
        # Sync code under the ASGI server: its loop already holds the layer's connections (and
        # the database relay of the embedded default needs that loop's thread).
        try:
            server_loop.call_soon_threadsafe(_enqueue, item, context=contextvars.Context())
            return
        except RuntimeError:
            pass  # that loop is closed: publish from this process's own loop instead
    _publisher_loop().call_soon_threadsafe(_enqueue, item, context=contextvars.Context())


def flush_events(timeout: float = 5) -> bool:
    """Wait until the events this process published from sync code so far have been sent (or
    given up on), at most `timeout` seconds; whether they all were. At exit, so that a worker or
    a command does not drop the events it published last."""
    loop = _live_publisher()
    if loop is None:
        return True
    try:
        asyncio.run_coroutine_threadsafe(_sent(), loop).result(timeout)
    except TimeoutError:
        return False
    return True


async def _sent() -> None:
    # Scheduled after every `_enqueue` already handed to the loop, so their sender exists.
    outbox = _outboxes.get(asyncio.get_running_loop())
    if outbox is not None and outbox.sender is not None:
        await asyncio.wait([outbox.sender])


atexit.register(flush_events)


@worker_process_shutdown.connect
def _send_the_last_live_events(**kwargs) -> None:
    # A prefork child leaves through os._exit, which skips the atexit flush.
    flush_events()


def _server_loop() -> asyncio.AbstractEventLoop | None:
    """The ASGI server's loop when this thread runs sync code on its behalf (as asgiref sees it)."""
    if getattr(SyncToAsync.threadlocal, "main_event_loop_pid", None) != os.getpid():
        return None
    return getattr(SyncToAsync.threadlocal, "main_event_loop", None)


def _publisher_loop() -> asyncio.AbstractEventLoop:
    """One event loop per process, in a thread of its own, for publishing from sync code.

    The Redis layer keeps its connections per event loop: a new loop for every event would mean
    new connections for every event.
    """
    global _publisher, _publisher_pid
    with _publisher_lock:
        loop = _live_publisher()
        if loop is None:
            loop = asyncio.new_event_loop()
            threading.Thread(target=loop.run_forever, name="event-publisher", daemon=True).start()
            _publisher, _publisher_pid = loop, os.getpid()
        return loop


def _live_publisher() -> asyncio.AbstractEventLoop | None:
    """This process's publisher loop if it has one running. A forked child (a prefork Celery
    worker) inherits the parent's loop but not the thread running it."""
    if _publisher is None or _publisher.is_closed() or _publisher_pid != os.getpid():
        return None
    return _publisher


class _Outbox:
    def __init__(self) -> None:
        self.waiting: deque[tuple[str, dict]] = deque()
        self.sender: asyncio.Task | None = None


def _enqueue(item: tuple[str, dict]) -> None:
    """On the loop: queue the event; start a sender unless one is already at work.

    Runs in a context of its own, not the publisher's: the sender must not inherit a request's
    or asgiref's context (asgiref would take a layer's database write for a deadlock).
    """
    loop = asyncio.get_running_loop()
    outbox = _outboxes.setdefault(loop, _Outbox())
    outbox.waiting.append(item)
    if outbox.sender is None:
        outbox.sender = loop.create_task(_send_in_order(outbox))


async def _send_in_order(outbox: _Outbox) -> None:
    layer = get_channel_layer()
    try:
        while outbox.waiting:
            group, message = outbox.waiting[0]
            try:
                await layer.group_send(group, message)
            except Exception:
                logger.warning("a live event to %s was not sent", group, exc_info=True)
            outbox.waiting.popleft()
    finally:
        outbox.sender = None


class TurnWatch:
    """Waits, on the event loop, for a conversation's turn to be done: holds no thread and no
    database connection while it waits (DESIGN.md §7). Enter it before the message is stored,
    so the turn's events cannot come before the watch is listening.

    `is_done()` (sync, run in a thread) reads the truth from the database; the events only say
    when to read it again. A lost event costs at most `RECHECK_SECONDS` of waiting.
    """

    RECHECK_SECONDS = 1.0

    def __init__(self, conversation_id) -> None:
        self.group = conversation_group(conversation_id)
        self.layer = _watch_layer()
        self.channel: str | None = None

    async def __aenter__(self) -> "TurnWatch":
        try:
            self.channel = await self.layer.new_channel()
            await self.layer.group_add(self.group, self.channel)
        except Exception:
            # No live events (the layer is down): the watch reads the database now and then.
            logger.warning("a turn watch on %s has no live events", self.group, exc_info=True)
            self.channel = None
        return self

    async def __aexit__(self, *exc_info) -> None:
        if self.channel is not None:
            with contextlib.suppress(Exception):
                await self.layer.group_discard(self.group, self.channel)

    async def until_done(self, is_done, *, timeout: float) -> str:
        """Whether the turn is "done", "failed" (the worker gave up on it) or still "waiting"
        when `timeout` seconds have passed."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            if await database_call(is_done)():
                return "done"
            remaining = deadline - loop.time()
            if remaining <= 0:
                return "waiting"
            if await self._next_event(min(remaining, self.RECHECK_SECONDS)) == "turn_failed":
                return "failed"

    async def _next_event(self, seconds: float) -> str | None:
        """Wait up to `seconds` for the turn's end: "turn" or "turn_failed"; None otherwise."""
        if self.channel is None:
            await asyncio.sleep(seconds)
            return None
        try:
            async with asyncio.timeout(seconds):
                while True:
                    event = (await self.layer.receive(self.channel)).get("event") or {}
                    if event.get("type") == "turn":
                        return "turn"
                    if event.get("type") == "error" and event["error"]["code"] == "turn_failed":
                        return "turn_failed"
        except TimeoutError:
            return None
        except Exception:
            logger.warning("a turn watch on %s lost its live events", self.group, exc_info=True)
            self.channel = None
            return None


# Per event loop, the layer the watches receive on: a layer receives on one loop only. The server
# has one loop per process, so one layer; a test client starts a loop per request.
_watch_layers: "WeakKeyDictionary[asyncio.AbstractEventLoop, Any]" = WeakKeyDictionary()


def _watch_layer():
    loop = asyncio.get_running_loop()
    layer = _watch_layers.get(loop)
    if layer is None:
        layer = _watch_layers[loop] = channel_layers.make_backend(DEFAULT_CHANNEL_LAYER)
    return layer
