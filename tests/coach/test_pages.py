"""The family's conversation list and chat page."""

import pytest

from coach.models import Conversation
from coach.services import conversation_start, family_message_submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice_client(client, family_alice):
    client.force_login(family_alice)
    return client


def test_an_anonymous_visitor_is_sent_to_log_in(client):
    assert client.get("/conversations/").url.startswith("/accounts/login/")


def test_starting_a_conversation_opens_its_chat_page(alice_client, family_alice):
    response = alice_client.post("/conversations/")
    conversation = Conversation.objects.get(family=family_alice)
    assert response.url == f"/conversations/{conversation.id}/"


def test_the_chat_page_shows_the_full_history(alice_client, family_alice):
    conversation = conversation_start(family=family_alice)
    family_message_submit(conversation=conversation, text="We are from Ohio")
    page = alice_client.get(f"/conversations/{conversation.id}/").content.decode()
    assert "We are from Ohio" in page and page.count('class="message coach"') == 2


def test_the_chat_page_escapes_what_the_family_typed(alice_client, family_alice):
    conversation = conversation_start(family=family_alice)
    family_message_submit(conversation=conversation, text="<script>alert(1)</script>")
    page = alice_client.get(f"/conversations/{conversation.id}/").content.decode()
    assert (
        "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    )


def test_another_familys_chat_page_is_not_found(client, family_bob, family_alice):
    conversation = conversation_start(family=family_alice)
    client.force_login(family_bob)
    assert client.get(f"/conversations/{conversation.id}/").status_code == 404


def test_the_list_shows_only_the_familys_conversations(alice_client, family_alice, family_bob):
    own = conversation_start(family=family_alice)
    other = conversation_start(family=family_bob)
    page = alice_client.get("/conversations/").content.decode()
    assert str(own.id) in page and str(other.id) not in page


def test_the_list_page_runs_a_fixed_number_of_queries(
    alice_client, family_alice, django_assert_max_num_queries
):
    for _ in range(5):
        conversation_start(family=family_alice)
    with django_assert_max_num_queries(6):
        alice_client.get("/conversations/")
