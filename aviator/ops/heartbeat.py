"""Liveness of the processes the web cannot see: Celery workers and beat each write a timestamp
every HEARTBEAT_SECONDS; `/healthz` and `/metrics` report how old the newest one is.

A worker writes from a bootstep timer (Celery's own extension point: it runs in the worker's
main process, so a worker that stopped serving stops beating); beat writes from its scheduler's
tick, so a beat whose loop is stuck stops beating too.
"""

import logging
import time
from datetime import timedelta

from celery import bootsteps
from celery.beat import PersistentScheduler
from django.db import close_old_connections, connections
from django.utils import timezone

logger = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 30
# Three missed beats: a worker busy with a long task still beats (the timer is its own thread).
STALE_AFTER = timedelta(seconds=3 * HEARTBEAT_SECONDS)
BEAT, WORKER = "beat", "worker"


def heartbeat_record(*, name: str, role: str, release_connections: bool = False) -> None:
    """Write `name`'s heartbeat. `release_connections`: close this process's connections and
    connection pool afterwards (a prefork worker's main process forks children, which must not
    inherit an open connection or a pool with its threads)."""
    from aviator.ops.models import Heartbeat

    close_old_connections()
    try:
        Heartbeat.objects.update_or_create(
            name=name, defaults={"role": role, "beat_at": timezone.now()}
        )
    except Exception:
        # A database that blinked costs one beat, never the process that beats.
        logger.warning("could not record the heartbeat of %s", name, exc_info=True)
    finally:
        if release_connections:
            for database in connections.all(initialized_only=True):
                database.close()
                if hasattr(database, "close_pool"):
                    database.close_pool()


def liveness(*, now=None) -> dict[str, str]:
    """{"worker": "ok" | "stale", "beat": "ok" | "stale"}: ok when one of that role beat within
    STALE_AFTER."""
    from aviator.ops.models import Heartbeat

    now = now or timezone.now()
    fresh = set(
        Heartbeat.objects.filter(beat_at__gte=now - STALE_AFTER).values_list("role", flat=True)
    )
    return {role: "ok" if role in fresh else "stale" for role in (WORKER, BEAT)}


class WorkerHeartbeat(bootsteps.StartStopStep):
    requires = ("celery.worker.components:Timer",)

    def __init__(self, worker, **kwargs):
        super().__init__(worker, **kwargs)
        self.timer_entry = None

    def start(self, worker):
        # A thread-pool worker's task threads share the process's connection pool: it stays. A
        # prefork worker's main process runs no task: it lets go of its connection each time.
        beat = {
            "name": f"{WORKER}:{worker.hostname}",
            "role": WORKER,
            "release_connections": "prefork" in getattr(worker.pool_cls, "__module__", ""),
        }
        heartbeat_record(**beat)
        self.timer_entry = worker.timer.call_repeatedly(
            HEARTBEAT_SECONDS, heartbeat_record, kwargs=beat
        )

    def stop(self, worker):
        if self.timer_entry is not None:
            self.timer_entry.cancel()


class HeartbeatScheduler(PersistentScheduler):
    """Celery's default scheduler, beating on its ticks."""

    def __init__(self, *args, **kwargs):
        import django
        from django.apps import apps

        if not apps.ready:  # beat, unlike a worker, does not set Django up on its own
            django.setup()
        self._last_beat = 0.0
        super().__init__(*args, **kwargs)

    def tick(self, *args, **kwargs):
        if time.monotonic() - self._last_beat >= HEARTBEAT_SECONDS:
            self._last_beat = time.monotonic()
            heartbeat_record(name=BEAT, role=BEAT)
        # Never sleep past the next beat.
        return min(super().tick(*args, **kwargs), HEARTBEAT_SECONDS)
