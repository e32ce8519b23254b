"""JSON logs: one object a line, with the conversation and turn, never the family's words."""

import json
import logging
import re

import pytest

from aviator.logs import JsonFormatter, clear_log_context
from aviator.observability import tag_conversation
from coach.services import conversation_start, family_message_submit

SECRET = "her private words about money"


def record(message: str, **extra) -> logging.LogRecord:
    item = logging.LogRecord("coach", logging.INFO, __file__, 1, message, (), None)
    item.__dict__.update(extra)
    return item


def test_a_log_line_is_json_with_the_conversation_and_turn():
    tag_conversation("c-1", turn=3)
    line = json.loads(JsonFormatter().format(record("graph step", node="gate")))
    clear_log_context()
    assert (line["conversation"], line["turn"], line["node"], line["message"]) == (
        "c-1",
        3,
        "gate",
        "graph step",
    )


def test_a_cleared_context_leaves_no_stale_conversation():
    tag_conversation("c-1")
    clear_log_context()
    assert "conversation" not in json.loads(JsonFormatter().format(record("hello")))


@pytest.mark.django_db
def test_a_turn_logs_every_step_tagged_and_without_the_familys_text(family_alice, caplog):
    conversation = conversation_start(family=family_alice)
    caplog.clear()
    with caplog.at_level(logging.INFO):
        family_message_submit(conversation=conversation, text=f"Biology. {SECRET}")
    lines = [json.loads(JsonFormatter().format(item)) for item in caplog.records]
    steps = [line for line in lines if line["message"] == "graph step"]
    assert [step["node"] for step in steps] == ["guard", "extract", "gate", "ask"]
    assert all(step["conversation"] == str(conversation.id) for step in steps)
    assert SECRET not in json.dumps(lines)


def test_an_api_request_logs_the_role_of_who_is_acting(api_as, family_alice, caplog):
    with caplog.at_level(logging.INFO):
        api_as(family_alice).post("/api/v1/conversations/", {})
    steps = [
        json.loads(JsonFormatter().format(item))
        for item in caplog.records
        if item.getMessage() == "graph step"
    ]
    assert {step["user_role"] for step in steps} == {"family"}


def test_a_page_request_logs_the_role_of_who_is_acting(client, counselor_carol, caplog):
    from aviator.logs import log_context

    client.force_login(counselor_carol)
    client.get("/staff/")
    assert log_context.get()["user_role"] == "counselor"


class JsonLines(logging.Handler):
    """Formats each record as it is emitted (the log context is read then, as in production)."""

    def __init__(self):
        super().__init__(level=logging.INFO)
        self.setFormatter(JsonFormatter())
        self.lines: list[dict] = []

    def emit(self, record):
        self.lines.append(json.loads(self.format(record)))


@pytest.fixture
def json_lines():
    handler = JsonLines()
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield handler.lines
    root.removeHandler(handler)
    root.setLevel(level)


@pytest.mark.django_db
def test_a_response_names_its_request_id(client):
    assert re.fullmatch(r"[0-9a-f]{32}", client.get("/healthz")["X-Request-ID"])


@pytest.mark.django_db
def test_a_request_id_sent_by_a_proxy_is_kept(client):
    assert client.get("/healthz", HTTP_X_REQUEST_ID="lb-7f3a.2")["X-Request-ID"] == "lb-7f3a.2"


@pytest.mark.django_db
def test_an_unusable_request_id_is_replaced(client):
    sent = "two words\ninjected"
    assert client.get("/healthz", HTTP_X_REQUEST_ID=sent)["X-Request-ID"] != sent


@pytest.mark.django_db
def test_the_log_lines_of_a_request_carry_its_id(api_as, family_alice, json_lines):
    api_as(family_alice).post("/api/v1/conversations/", {}, headers={"X-Request-ID": "req-1"})
    steps = [line for line in json_lines if line["message"] == "graph step"]
    assert steps and {line["request_id"] for line in steps} == {"req-1"}


def test_a_turn_task_logs_the_request_that_enqueued_it(api_as, family_alice, worker, json_lines):
    api = api_as(family_alice)
    conversation = api.post("/api/v1/conversations/", {}).json()
    api.post(
        f"/api/v1/conversations/{conversation['id']}/messages/",
        {"text": "Biology."},
        headers={"X-Request-ID": "req-2"},
    )
    turn = [line for line in json_lines if line.get("task") == "coach.answer_conversation"]
    assert turn and {(line["request_id"], bool(line["task_id"])) for line in turn} == {
        ("req-2", True)
    }
