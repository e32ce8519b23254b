import pytest
from celery import Celery

from aviator.ops import health
from coach.graph.checkpointer import checkpointer_close, get_checkpointer

pytestmark = pytest.mark.django_db


def test_it_reports_every_part_ok(client):
    response = client.get("/healthz")
    assert (response.status_code, response.json()) == (
        200,
        {"database": "ok", "broker": "ok", "checkpointer": "ok"},
    )


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
