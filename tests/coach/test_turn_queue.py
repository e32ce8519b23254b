"""Turns off the request path (DESIGN.md §2, §7): the web stores a family's message and a worker
answers it from the `turns` queue; the API waits for the turn without holding a thread, answers
202 when it takes too long, and refuses new messages when the queue is full."""

import pytest
from django.db import OperationalError
from psycopg_pool import PoolTimeout

from aviator.celery import app as celery_app
from aviator.jsonapi import error_answer
from coach.messages import TURN_QUEUE, turn_dispatch, turn_queue_depth
from coach.models import Conversation, Message
from coach.services import conversation_start, family_message_store
from coach.tasks import answer_conversation

CONVERSATIONS = "/api/v1/conversations/"


def messages_url(conversation_id) -> str:
    return f"{CONVERSATIONS}{conversation_id}/messages/"


def _purge_turn_queue() -> None:
    with celery_app.connection_for_write() as connection:
        connection.default_channel.queue_purge(TURN_QUEUE)


@pytest.fixture
def no_worker(settings):
    """Turns really go to the broker, and no worker takes them: they wait in the queue."""
    settings.TURNS_INLINE = False
    _purge_turn_queue()
    yield
    _purge_turn_queue()


@pytest.fixture
def alice_api(api_as, family_alice):
    return api_as(family_alice)


@pytest.fixture
def started(family_alice, catalog) -> Conversation:
    return conversation_start(family=family_alice)


def coach_replies(conversation) -> int:
    return Message.objects.filter(conversation=conversation, role="coach").count()


@pytest.mark.django_db
def test_a_turn_task_delivered_twice_answers_the_message_once(started):
    family_message_store(conversation=started, text="Biology.")
    answer_conversation.apply(args=[str(started.id)])
    answer_conversation.apply(args=[str(started.id)])
    assert coach_replies(started) == 2  # the greeting and one answer


@pytest.mark.django_db
def test_a_stored_message_makes_the_conversation_busy_until_its_turn(alice_api, started):
    family_message_store(conversation=started, text="Biology.")
    assert alice_api.get(f"{CONVERSATIONS}{started.id}/").json()["busy"] is True


@pytest.mark.django_db
def test_the_turn_leaves_the_conversation_not_busy(alice_api, started):
    family_message_store(conversation=started, text="Biology.")
    answer_conversation.apply(args=[str(started.id)])
    assert alice_api.get(f"{CONVERSATIONS}{started.id}/").json()["busy"] is False


@pytest.mark.django_db
@pytest.mark.services
def test_a_turn_longer_than_the_wait_answers_202_busy(alice_api, started, no_worker, settings):
    settings.TURN_WAIT_SECONDS = 0.2
    response = alice_api.post(messages_url(started.id), {"text": "Biology."})
    assert (response.status_code, response.json()["busy"]) == (202, True)


@pytest.mark.django_db
@pytest.mark.services
def test_a_202_keeps_the_message_for_its_turn(alice_api, started, no_worker, settings):
    settings.TURN_WAIT_SECONDS = 0.2
    alice_api.post(messages_url(started.id), {"text": "Biology."})
    answer_conversation.apply(args=[str(started.id)])
    assert Message.objects.get(role="coach", reply_to__text="Biology.")


@pytest.mark.django_db
@pytest.mark.services
def test_the_queue_depth_counts_turns_waiting(started, no_worker):
    turn_dispatch(conversation_id=started.id)
    turn_dispatch(conversation_id=started.id)
    assert turn_queue_depth() == 2


@pytest.mark.django_db
@pytest.mark.services
def test_a_full_turn_queue_refuses_a_message_with_retry_after(
    alice_api, started, no_worker, settings
):
    settings.TURN_QUEUE_LIMIT = 1
    turn_dispatch(conversation_id=started.id)
    response = alice_api.post(messages_url(started.id), {"text": "Biology."})
    assert (response.status_code, response.json()["error"]["code"]) == (503, "overloaded")
    assert int(response["Retry-After"]) > 0


@pytest.mark.django_db
@pytest.mark.services
def test_a_refused_message_is_not_stored(alice_api, started, no_worker, settings):
    settings.TURN_QUEUE_LIMIT = 1
    turn_dispatch(conversation_id=started.id)
    alice_api.post(messages_url(started.id), {"text": "Biology."})
    assert not Message.objects.filter(role="family").exists()


@pytest.mark.django_db
@pytest.mark.services
def test_a_queue_one_below_the_limit_still_takes_the_message(
    alice_api, started, no_worker, settings
):
    settings.TURN_QUEUE_LIMIT = 2
    settings.TURN_WAIT_SECONDS = 0.2
    turn_dispatch(conversation_id=started.id)
    response = alice_api.post(messages_url(started.id), {"text": "Biology."})
    assert response.status_code == 202


@pytest.mark.services
def test_the_worker_answers_the_apis_message(api_as, worker, family_alice):
    api = api_as(family_alice)
    conversation = api.post(CONVERSATIONS).json()
    response = api.post(messages_url(conversation["id"]), {"text": "Biology, GPA 3.5."})
    assert response.status_code == 200
    assert response.json()["messages"][-1]["role"] == "coach"


def test_an_exhausted_connection_pool_answers_503_with_retry_after():
    error = OperationalError("couldn't get a connection after 10.00 sec")
    error.__cause__ = PoolTimeout("couldn't get a connection after 10.00 sec")
    response = error_answer(error)
    assert (response.status_code, response["Retry-After"]) == (503, "5")


def test_other_database_errors_are_not_taken_for_overload():
    with pytest.raises(OperationalError):
        error_answer(OperationalError("server closed the connection unexpectedly"))


class UnreachableLayer:
    """A channel layer whose server is down."""

    async def new_channel(self):
        raise ConnectionError("the channel layer is down")

    async def group_discard(self, group, channel):
        raise ConnectionError("the channel layer is down")


@pytest.fixture
def channel_layer_down(monkeypatch):
    monkeypatch.setattr("coach.events._watch_layer", UnreachableLayer)


@pytest.mark.django_db
def test_a_message_is_answered_while_the_channel_layer_is_down(
    alice_api, started, channel_layer_down
):
    response = alice_api.post(messages_url(started.id), {"text": "Biology."})
    assert (response.status_code, response.json()["messages"][-1]["role"]) == (200, "coach")


@pytest.mark.django_db
@pytest.mark.services
def test_without_live_events_the_wait_still_ends_in_202(
    alice_api, started, no_worker, channel_layer_down, settings
):
    settings.TURN_WAIT_SECONDS = 0.3
    response = alice_api.post(messages_url(started.id), {"text": "Biology."})
    assert response.status_code == 202
