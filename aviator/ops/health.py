"""Health of the parts a turn needs: the database, the broker and the checkpoint store, and
whether a Celery worker and beat are alive (their heartbeats)."""

import logging
from collections.abc import Callable

from django.db import connection
from django.http import JsonResponse
from django.views.decorators.http import require_GET

from aviator.celery import app as celery_app
from aviator.ops.heartbeat import liveness
from coach.graph.checkpointer import checkpointer_ping

logger = logging.getLogger(__name__)


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _broker() -> None:
    with celery_app.connection_for_write() as broker:
        broker.ensure_connection(max_retries=1, timeout=2)


CHECKS: dict[str, Callable[[], None]] = {
    "database": _database,
    "broker": _broker,
    "checkpointer": checkpointer_ping,
}


def health_report() -> dict[str, str]:
    report = {}
    for name, check in CHECKS.items():
        try:
            check()
            report[name] = "ok"
        except Exception as error:
            logger.warning("health check %s failed: %s", name, error)
            report[name] = f"error: {type(error).__name__}"
    return report


@require_GET
def healthz(request):
    """503 when this web process cannot serve (its database, broker or checkpoints fail); the
    workers' and beat's liveness is reported beside, without failing the web: a load balancer
    must not take the web away because a worker is down (alert on it instead)."""
    report = health_report()
    healthy = all(value == "ok" for value in report.values())
    if report["database"] == "ok":
        report |= liveness()
    return JsonResponse(report, status=200 if healthy else 503)
