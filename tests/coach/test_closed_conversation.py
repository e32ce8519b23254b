"""A closed conversation is read-only: messages are refused and nothing is stored."""

import pytest

from coach.models import Message
from coach.services import ConversationClosed, family_message_store
from handoff.services import escalation_claim, escalation_resolve

pytestmark = pytest.mark.django_db


@pytest.fixture
def closed(escalated, counselor_carol):
    escalation_claim(escalation_id=escalated.id, counselor=counselor_carol)
    escalation_resolve(escalation_id=escalated.id, counselor=counselor_carol, handback=False)
    return escalated.conversation


def test_a_message_to_a_closed_conversation_is_refused(closed):
    with pytest.raises(ConversationClosed):
        family_message_store(conversation=closed, text="One more question")


def test_a_refused_message_is_not_stored(closed):
    with pytest.raises(ConversationClosed):
        family_message_store(conversation=closed, text="One more question")
    assert not Message.objects.filter(text="One more question").exists()


def test_the_api_answers_409_closed(closed, api_as, family_alice):
    response = api_as(family_alice).post(
        f"/api/v1/conversations/{closed.id}/messages/", {"text": "One more question"}
    )
    assert (response.status_code, response.json()["error"]["code"]) == (409, "closed")


def test_the_chat_page_of_a_closed_conversation_has_no_composer(closed, client, family_alice):
    client.force_login(family_alice)
    page = client.get(f"/conversations/{closed.id}/").content.decode()
    assert '<form id="composer" autocomplete="off" hidden>' in page


def test_the_chat_page_of_a_closed_conversation_offers_a_new_one(closed, client, family_alice):
    client.force_login(family_alice)
    page = client.get(f"/conversations/{closed.id}/").content.decode()
    assert 'id="closed-note"' in page and 'id="closed-note" hidden' not in page


def test_asking_for_a_counselor_on_a_closed_conversation_is_a_json_error(
    closed, client, family_alice
):
    client.force_login(family_alice)
    response = client.post(f"/conversations/{closed.id}/handoff/", HTTP_ACCEPT="application/json")
    assert (response.status_code, response.json()["error"]["code"]) == (409, "closed")
