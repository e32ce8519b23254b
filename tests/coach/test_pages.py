"""The family's conversation list and chat page."""

import uuid

import pytest
from django.utils.html import escape

from aviator.audit.models import AuditEntry
from coach.models import Conversation, SavedCollege
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


def test_the_chat_page_shows_the_recommendations_as_cards(alice_client, recommended):
    page = alice_client.get(f"/conversations/{recommended.id}/").content.decode()
    assert page.count('class="college-card') == len(recommended.shortlists.get().items)


def test_a_recommended_college_can_be_saved_to_my_list(alice_client, recommended):
    unitid = recommended.shortlists.get().items[0]["unitid"]
    alice_client.post(f"/conversations/{recommended.id}/saved/", {"unitid": unitid})
    assert SavedCollege.objects.filter(college_id=unitid).count() == 1


def test_saving_twice_keeps_one_entry(alice_client, recommended):
    unitid = recommended.shortlists.get().items[0]["unitid"]
    for _ in range(2):
        alice_client.post(f"/conversations/{recommended.id}/saved/", {"unitid": unitid})
    assert SavedCollege.objects.count() == 1


def test_a_college_not_on_the_list_cannot_be_saved(alice_client, recommended):
    response = alice_client.post(f"/conversations/{recommended.id}/saved/", {"unitid": 166027})
    assert (response.status_code, SavedCollege.objects.count()) == (302, 0)


def test_another_family_cannot_save_from_a_conversation(client, family_bob, recommended):
    client.force_login(family_bob)
    unitid = recommended.shortlists.get().items[0]["unitid"]
    response = client.post(f"/conversations/{recommended.id}/saved/", {"unitid": unitid})
    assert (response.status_code, SavedCollege.objects.count()) == (404, 0)


def test_my_list_shows_the_saved_colleges(alice_client, recommended):
    item = recommended.shortlists.get().items[0]
    alice_client.post(f"/conversations/{recommended.id}/saved/", {"unitid": item["unitid"]})
    assert item["name"] in alice_client.get("/my-list/").content.decode()


JSON = {"HTTP_ACCEPT": "application/json"}


def test_the_page_saving_with_fetch_gets_what_happened_as_json(alice_client, recommended):
    item = recommended.shortlists.get().items[0]
    response = alice_client.post(
        f"/conversations/{recommended.id}/saved/", {"unitid": item["unitid"]}, **JSON
    )
    assert response.json() == {"message": f"Saved {item['name']} to My list."}


def test_saving_a_college_not_on_the_list_with_fetch_is_a_json_error(alice_client, recommended):
    response = alice_client.post(
        f"/conversations/{recommended.id}/saved/", {"unitid": 166027}, **JSON
    )
    assert (response.status_code, response.json()["error"]["code"]) == (400, "not_recommended")


def test_a_saved_college_can_be_removed(alice_client, recommended):
    unitid = recommended.shortlists.get().items[0]["unitid"]
    alice_client.post(f"/conversations/{recommended.id}/saved/", {"unitid": unitid})
    alice_client.post(f"/my-list/{unitid}/remove/")
    assert not SavedCollege.objects.filter(college_id=unitid).exists()


def test_removing_a_saved_college_is_audited(alice_client, recommended, family_alice):
    unitid = recommended.shortlists.get().items[0]["unitid"]
    alice_client.post(f"/conversations/{recommended.id}/saved/", {"unitid": unitid})
    alice_client.post(f"/my-list/{unitid}/remove/")
    entry = AuditEntry.objects.get(action="college.removed")
    assert (entry.actor_id, entry.before) == (family_alice.id, {"unitid": unitid})


def test_removing_a_college_that_is_not_saved_says_so(alice_client, catalog):
    response = alice_client.post("/my-list/166027/remove/", **JSON)
    assert response.json() == {"message": "That college was not on My list."}


def test_one_family_cannot_remove_another_familys_saved_college(
    client, family_bob, recommended, family_alice
):
    unitid = recommended.shortlists.get().items[0]["unitid"]
    SavedCollege.objects.create(family=family_alice, college_id=unitid)
    client.force_login(family_bob)
    client.post(f"/my-list/{unitid}/remove/")
    assert SavedCollege.objects.filter(family=family_alice, college_id=unitid).exists()


def test_asking_for_a_counselor_with_fetch_gets_json(alice_client, family_alice):
    conversation = conversation_start(family=family_alice)
    response = alice_client.post(f"/conversations/{conversation.id}/handoff/", **JSON)
    assert response.json() == {"message": "A counselor has been asked."}


def test_an_approval_answer_that_is_neither_yes_nor_no_is_a_json_error(alice_client, family_alice):
    conversation = conversation_start(family=family_alice)
    response = alice_client.post(
        f"/conversations/{conversation.id}/approvals/{uuid.uuid4()}/", {"approve": "maybe"}, **JSON
    )
    assert (response.status_code, response.json()["error"]["code"]) == (400, "invalid")


def test_the_chat_page_has_a_conversation_log(alice_client, family_alice):
    conversation = conversation_start(family=family_alice)
    page = alice_client.get(f"/conversations/{conversation.id}/").content.decode()
    assert 'role="log"' in page


def test_a_save_button_names_its_college(alice_client, recommended):
    item = recommended.shortlists.get().items[0]
    page = alice_client.get(f"/conversations/{recommended.id}/").content.decode()
    assert f'Save<span class="visually-hidden"> {escape(item["name"])}</span> to my list' in page


def test_a_visitor_sees_what_aviator_is(client):
    page = client.get("/").content.decode()
    assert "<h1>Find colleges that fit your student" in page and "/accounts/signup/" in page


def test_a_logged_in_family_goes_from_the_front_door_to_its_conversations(alice_client):
    assert alice_client.get("/").url == "/conversations/"
