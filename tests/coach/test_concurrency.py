"""Two messages from one family at the same moment: the turns take the conversation's lock one
after the other, so neither update of the profile is lost and each message is answered once."""

import threading

import pytest
from django.db import connections

from coach.models import DecisionTrace, Message
from coach.services import conversation_start, family_message_submit

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def sent_together(family_alice, catalog):
    conversation = conversation_start(family=family_alice)
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def send(text: str) -> None:
        try:
            start.wait()
            family_message_submit(conversation=conversation, text=text)
        except BaseException as error:  # noqa: BLE001 - reported by the test
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send, args=(text,)) for text in ("Biology.", "GPA 3.6.")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    conversation.refresh_from_db()
    return conversation


def test_neither_update_of_the_profile_is_lost(sent_together):
    assert (sent_together.profile["major"], sent_together.profile["gpa"]) == ("biology", 3.6)


def test_each_message_is_stored_once(sent_together):
    texts = Message.objects.filter(conversation=sent_together, role="family").values_list(
        "text", flat=True
    )
    assert sorted(texts) == ["Biology.", "GPA 3.6."]


def test_every_message_is_answered(sent_together):
    last_family = sent_together.messages.filter(role="family").order_by("-seq").first()
    assert sent_together.messages.filter(role="coach", reply_to=last_family).count() == 1


def test_the_turns_ran_one_after_the_other(sent_together):
    turns = list(
        DecisionTrace.objects.filter(conversation=sent_together, node="guard").values_list(
            "turn", flat=True
        )
    )
    assert sorted(turns) == list(range(1, len(turns) + 1))
