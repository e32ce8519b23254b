"""Tool calls as Celery tasks, with a real worker consuming the real broker (Redis in CI)."""

import threading
import time
from datetime import timedelta

import pytest
from celery.signals import task_postrun
from django.db import OperationalError
from kombu.exceptions import OperationalError as KombuOperationalError

from aviator.celery import app as celery_app
from coach.models import Conversation, Message, ToolCall
from coach.services import conversation_start, family_message_submit
from coach.tool_calls import tool_calls_resend_stale
from coach.tools import TOOLS, PermanentToolError

pytestmark = pytest.mark.django_db(transaction=True)

EVERYTHING = "Biology, GPA 3.8, ACT 29, we can pay 24k a year, North Carolina."


@pytest.fixture
def conversation(family_alice, catalog):
    return conversation_start(family=family_alice)


def wait_until(condition, *, timeout: float = 30, what: str = "the worker") -> None:
    """Poll the database the worker writes until `condition()` holds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def wait_for_phase(conversation: Conversation, *phases: str) -> None:
    def reached() -> bool:
        conversation.refresh_from_db()
        return conversation.phase in phases

    wait_until(reached, what=f"phase {phases}")


@pytest.fixture
def tool_calls(monkeypatch):
    """Count the runs of the search tool; `script` makes the first runs raise."""
    runs: list[int] = []
    script: list[Exception] = []
    real_search = TOOLS["search_colleges"]

    def search(payload):
        runs.append(1)
        if script:
            raise script.pop(0)
        return real_search(payload)

    monkeypatch.setitem(TOOLS, "search_colleges", search)
    return runs, script


def coach_replies(conversation) -> list[Message]:
    return list(conversation.messages.filter(role="coach").order_by("seq"))


def test_the_search_runs_on_the_worker_and_the_reply_arrives(worker, conversation):
    family_message_submit(conversation=conversation, text=EVERYTHING)
    wait_for_phase(conversation, "recommended")
    assert (conversation.shortlists.count(), len(coach_replies(conversation))) == (1, 2)


def test_the_reply_answers_the_family_message_that_asked(worker, conversation):
    asked = family_message_submit(conversation=conversation, text=EVERYTHING).family_message
    wait_for_phase(conversation, "recommended")
    assert coach_replies(conversation)[-1].reply_to == asked


def test_a_turn_waiting_for_a_tool_is_busy_and_recommending(conversation):
    # No worker runs here: the tool call stays queued.
    family_message_submit(conversation=conversation, text=EVERYTHING)
    conversation.refresh_from_db()
    assert (conversation.phase, conversation.tool_calls.get().status) == ("recommending", "queued")


def test_a_transient_error_is_retried_and_then_succeeds(worker, conversation, tool_calls):
    runs, script = tool_calls
    script.append(OperationalError("server closed the connection unexpectedly"))
    family_message_submit(conversation=conversation, text=EVERYTHING)
    wait_for_phase(conversation, "recommended")
    search = conversation.tool_calls.get(tool="search_colleges")
    assert (len(runs), search.attempts, search.status) == (2, 2, "done")


def test_a_permanent_error_is_not_retried(worker, conversation, tool_calls):
    runs, script = tool_calls
    script.append(PermanentToolError("bad input"))
    family_message_submit(conversation=conversation, text=EVERYTHING)
    wait_for_phase(conversation, "escalated")
    assert (len(runs), conversation.tool_calls.get().status) == (1, "failed")


def test_a_permanent_error_tells_the_family_honestly(worker, conversation, tool_calls):
    tool_calls[1].append(PermanentToolError("bad input"))
    family_message_submit(conversation=conversation, text=EVERYTHING)
    wait_for_phase(conversation, "escalated")
    assert "couldn't search the college catalog" in coach_replies(conversation)[-1].text


def test_spent_retries_end_in_an_honest_escalation(worker, conversation, tool_calls, monkeypatch):
    from coach.tasks import search_colleges

    monkeypatch.setattr(search_colleges, "max_retries", 1)
    tool_calls[1].extend([TimeoutError("slow"), TimeoutError("slow again")])
    family_message_submit(conversation=conversation, text=EVERYTHING)
    wait_for_phase(conversation, "escalated")
    assert conversation.tool_calls.get().error.startswith("TimeoutError")


def test_a_duplicate_delivery_produces_one_reply(worker, conversation):
    family_message_submit(conversation=conversation, text=EVERYTHING)
    wait_for_phase(conversation, "recommended")
    search = conversation.tool_calls.get(tool="search_colleges")
    finished = threading.Event()

    def on_postrun(task_id=None, **kwargs):
        if task_id == search.key:
            finished.set()

    task_postrun.connect(on_postrun, weak=False)
    try:
        celery_app.send_task("coach.search_colleges", args=[search.pk], task_id=search.key)
        assert finished.wait(20)
    finally:
        task_postrun.disconnect(on_postrun)
    assert (len(coach_replies(conversation)), conversation.shortlists.count()) == (2, 1)


def test_messages_sent_while_the_tool_runs_are_answered_after_it(worker, conversation):
    family_message_submit(conversation=conversation, text=EVERYTHING)
    family_message_submit(conversation=conversation, text="Also, she'd like a small school.")
    wait_for_phase(conversation, "recommended")
    later = Message.objects.get(text="Also, she'd like a small school.")
    wait_until(lambda: Message.objects.filter(reply_to=later).exists(), what="the second reply")
    # Two searches (with their explanations): the first list, then the one for a small school.
    assert ToolCall.objects.filter(conversation=conversation, status="done").count() == 4


@pytest.fixture
def broker_down(monkeypatch):
    def refuse(*args, **kwargs):
        raise KombuOperationalError("Error 111 connecting to the broker. Connection refused.")

    monkeypatch.setattr(celery_app, "send_task", refuse)
    return monkeypatch


def test_a_turn_survives_the_broker_being_down(conversation, broker_down):
    result = family_message_submit(conversation=conversation, text=EVERYTHING)
    conversation.refresh_from_db()
    assert (result.family_message.text, conversation.phase) == (EVERYTHING, "recommending")


def test_the_family_is_told_the_search_will_take_a_moment(conversation, broker_down):
    family_message_submit(conversation=conversation, text=EVERYTHING)
    last = Message.objects.filter(conversation=conversation).order_by("-seq").first()
    assert (last.role, "taking a moment" in last.text) == ("system", True)


def test_an_injected_broker_outage_degrades_the_same_way(conversation, settings):
    settings.COACH_FAULTS = {"broker_down": 1.0}
    family_message_submit(conversation=conversation, text=EVERYTHING)
    conversation.refresh_from_db()
    tool_call = ToolCall.objects.get(conversation=conversation)
    assert (conversation.phase, tool_call.status) == ("recommending", "queued")


def test_a_tool_call_lost_while_the_broker_was_down_is_sent_again(
    worker, conversation, broker_down
):
    family_message_submit(conversation=conversation, text=EVERYTHING)
    broker_down.undo()
    assert tool_calls_resend_stale(older_than=timedelta(0)) == 1
    wait_for_phase(conversation, "recommended")


def test_a_fresh_tool_call_is_not_sent_twice(conversation, broker_down):
    family_message_submit(conversation=conversation, text=EVERYTHING)
    assert tool_calls_resend_stale(older_than=timedelta(minutes=2)) == 0


def test_a_resend_the_broker_refuses_waits_for_the_next_sweep(conversation, broker_down):
    family_message_submit(conversation=conversation, text=EVERYTHING)
    assert tool_calls_resend_stale(older_than=timedelta(0)) == 0
