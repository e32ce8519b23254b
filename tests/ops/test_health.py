from datetime import timedelta

import pytest
from celery import Celery
from django.db import connection
from django.utils import timezone

from aviator.ops import health
from aviator.ops.heartbeat import STALE_AFTER, WORKER, heartbeat_record
from aviator.ops.models import Heartbeat
from coach.graph.checkpointer import checkpointer_close, get_checkpointer

pytestmark = pytest.mark.django_db


def beating(*roles: str, seconds_ago: float = 0) -> None:
    for role in roles:
        Heartbeat.objects.create(
            name=role if role == "beat" else f"worker:{role}@host",
            role=role,
            beat_at=timezone.now() - timedelta(seconds=seconds_ago),
        )


def test_it_reports_every_part_ok(client):
    beating("worker", "beat")
    response = client.get("/healthz")
    assert (response.status_code, response.json()) == (
        200,
        {"database": "ok", "broker": "ok", "checkpointer": "ok", "worker": "ok", "beat": "ok"},
    )


def test_a_worker_without_a_recent_heartbeat_is_stale(client):
    beating("worker", seconds_ago=STALE_AFTER.total_seconds() + 1)
    assert client.get("/healthz").json()["worker"] == "stale"


def test_beat_never_seen_is_stale(client):
    beating("worker")
    assert client.get("/healthz").json()["beat"] == "stale"


def test_stale_workers_do_not_take_the_web_out_of_service(client):
    assert client.get("/healthz").status_code == 200


@pytest.mark.services
def test_it_answers_503_naming_an_unreachable_broker(client, monkeypatch):
    # Port 9 (discard) has no Redis behind it on these machines. A separate app, so the real
    # one's connection pools never see the bad address.
    monkeypatch.setattr(health, "celery_app", Celery(broker="redis://127.0.0.1:9/0"))
    response = client.get("/healthz")
    assert (response.status_code, response.json()["broker"], response.json()["database"]) == (
        503,
        "error: OperationalError",
        "ok",
    )


def test_it_answers_503_naming_a_closed_checkpointer(client):
    get_checkpointer().conn.close()
    try:
        response = client.get("/healthz")
    finally:
        checkpointer_close()
    assert (response.status_code, response.json()["checkpointer"].startswith("error")) == (
        503,
        True,
    )


@pytest.mark.django_db(transaction=True)
def test_a_prefork_workers_heartbeat_leaves_no_connection_for_its_children(db):
    heartbeat_record(name="worker:tools@host", role="worker", release_connections=True)
    assert connection.connection is None


@pytest.mark.django_db(transaction=True)
def test_the_heartbeat_is_written_before_the_connection_is_released(db):
    heartbeat_record(name="worker:tools@host", role="worker", release_connections=True)
    assert Heartbeat.objects.filter(role="worker").count() == 1


def test_a_started_worker_beats_through_its_bootstep(worker):
    assert Heartbeat.objects.filter(role=WORKER).exists()
