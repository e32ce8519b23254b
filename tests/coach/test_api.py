"""The HTTP API v1 contract (DESIGN.md §7): shapes, status codes and who sees what."""

import uuid

import pytest

from aviator.jsonapi import ErrorOut
from coach.models import Message
from coach.schemas import ConversationListOut, ConversationStateOut

pytestmark = pytest.mark.django_db

CONVERSATIONS = "/api/v1/conversations/"


def messages_url(conversation_id) -> str:
    return f"{CONVERSATIONS}{conversation_id}/messages/"


@pytest.fixture
def alice_api(api_as, family_alice):
    return api_as(family_alice)


@pytest.fixture
def alice_conversation(alice_api) -> dict:
    return alice_api.post(CONVERSATIONS).json()


def assert_error(response, status: int, code: str) -> None:
    assert response.status_code == status
    assert ErrorOut.model_validate(response.json()).error.code == code


def test_it_starts_a_conversation_with_a_greeting_and_a_question(alice_api):
    response = alice_api.post(CONVERSATIONS)
    assert response.status_code == 201
    state = ConversationStateOut.model_validate(response.json())
    assert [m.role for m in state.messages] == ["coach"]
    assert state.messages[0].asks == ["major"]


def test_a_new_conversation_reports_every_required_topic_missing(alice_conversation):
    assert alice_conversation["missing"] == ["major", "academics", "budget", "location"]


def test_a_new_conversation_has_every_profile_slot_unknown(alice_conversation):
    assert set(alice_conversation["profile"]) == {
        "major",
        "gpa",
        "sat",
        "act",
        "test_optional",
        "budget",
        "states",
        "home_state",
        "income",
        "size",
        "setting",
    }
    assert all(value is None for value in alice_conversation["profile"].values())


def test_a_new_conversation_is_gathering_and_not_busy(alice_conversation):
    assert (alice_conversation["phase"], alice_conversation["busy"]) == ("gathering", False)


def test_it_answers_a_family_message_with_the_state_after_the_turn(alice_api, alice_conversation):
    response = alice_api.post(messages_url(alice_conversation["id"]), {"text": "Hello there"})
    assert response.status_code == 200
    state = ConversationStateOut.model_validate(response.json())
    assert [(m.role, m.text) for m in state.messages][1:2] == [("family", "Hello there")]
    assert [m.role for m in state.messages] == ["coach", "family", "coach"]


def test_family_messages_carry_no_asks(alice_api, alice_conversation):
    state = alice_api.post(messages_url(alice_conversation["id"]), {"text": "Hi"}).json()
    assert "asks" not in state["messages"][1]


def test_it_stores_the_text_verbatim(alice_api, alice_conversation):
    text = '  <b>Ohio</b> & "quotes"\nnew line  '
    alice_api.post(messages_url(alice_conversation["id"]), {"text": text})
    assert Message.objects.get(role="family").text == text


def test_it_lists_only_the_familys_own_conversations(api_as, family_alice, family_bob):
    alice, bob = api_as(family_alice), api_as(family_bob)
    own = alice.post(CONVERSATIONS).json()["id"]
    bob.post(CONVERSATIONS)
    listing = ConversationListOut.model_validate(alice.get(CONVERSATIONS).json())
    assert [c.id for c in listing.conversations] == [own]


def test_it_shows_a_conversation_to_its_family(alice_api, alice_conversation):
    response = alice_api.get(f"{CONVERSATIONS}{alice_conversation['id']}/")
    assert response.json() == alice_conversation


def test_it_hides_another_familys_conversation(api_as, family_bob, alice_conversation):
    response = api_as(family_bob).get(f"{CONVERSATIONS}{alice_conversation['id']}/")
    assert_error(response, 404, "not_found")


def test_it_refuses_posts_to_another_familys_conversation(api_as, family_bob, alice_conversation):
    response = api_as(family_bob).post(messages_url(alice_conversation["id"]), {"text": "hi"})
    assert_error(response, 404, "not_found")
    assert not Message.objects.filter(role="family").exists()


def test_it_answers_404_for_an_unknown_conversation(alice_api):
    assert_error(alice_api.post(messages_url(uuid.uuid4()), {"text": "hi"}), 404, "not_found")


@pytest.mark.parametrize("path", [CONVERSATIONS, f"{CONVERSATIONS}{uuid.uuid4()}/"])
def test_it_refuses_anonymous_requests(api_as, path):
    assert_error(api_as(None).get(path), 401, "unauthenticated")


def test_it_refuses_an_unknown_token(db):
    from tests.conftest import ApiClient

    assert_error(ApiClient("avt_not-a-real-token").get(CONVERSATIONS), 401, "unauthenticated")


def test_it_refuses_a_session_cookie_without_a_token(client, family_alice):
    client.force_login(family_alice)
    assert_error(client.get(CONVERSATIONS), 401, "unauthenticated")


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"text": ""}, "empty"),
        ({"text": "   \n"}, "empty"),
        ({"text": 42}, "invalid"),
        ({"text": None}, "invalid"),
        ({}, "invalid"),
        ({"text": "hi", "extra": 1}, "invalid"),
    ],
)
def test_it_rejects_a_bad_message_body(alice_api, alice_conversation, body, code):
    assert_error(alice_api.post(messages_url(alice_conversation["id"]), body), 400, code)


def test_it_rejects_malformed_json(alice_api, alice_conversation):
    response = alice_api.post(messages_url(alice_conversation["id"]), raw=b'{"text": ')
    assert_error(response, 400, "invalid_json")


def test_it_rejects_a_json_body_that_is_not_an_object(alice_api, alice_conversation):
    response = alice_api.post(messages_url(alice_conversation["id"]), raw=b'["hi"]')
    assert_error(response, 400, "invalid")


def test_a_missing_field_is_named_in_the_message(alice_api, alice_conversation):
    response = alice_api.post(messages_url(alice_conversation["id"]), {})
    assert response.json()["error"]["message"] == "text: Field required"


def test_an_empty_body_is_refused_where_the_operation_needs_one(alice_api, alice_conversation):
    response = alice_api.post(messages_url(alice_conversation["id"]), raw=b"")
    assert_error(response, 400, "invalid")


def test_a_conversation_starts_without_a_body(alice_api):
    assert alice_api.post(CONVERSATIONS, raw=b"").status_code == 201


def test_a_huge_body_is_refused_before_it_is_parsed(alice_api, alice_conversation, settings):
    garbage = b"{" * (settings.MESSAGE_MAX_CHARS * 8 + 1)
    response = alice_api.post(messages_url(alice_conversation["id"]), raw=garbage)
    assert_error(response, 413, "too_long")


def test_it_rejects_text_over_the_limit_with_413(alice_api, alice_conversation, settings):
    response = alice_api.post(
        messages_url(alice_conversation["id"]), {"text": "a" * (settings.MESSAGE_MAX_CHARS + 1)}
    )
    assert_error(response, 413, "too_long")


def test_it_accepts_text_at_the_limit(alice_api, alice_conversation, settings):
    response = alice_api.post(
        messages_url(alice_conversation["id"]), {"text": "a" * settings.MESSAGE_MAX_CHARS}
    )
    assert response.status_code == 200


def test_a_rejected_message_stores_nothing(alice_api, alice_conversation):
    alice_api.post(messages_url(alice_conversation["id"]), {"text": ""})
    assert Message.objects.count() == 1


def test_it_answers_405_for_a_wrong_method(alice_api, alice_conversation):
    response = alice_api.get(messages_url(alice_conversation["id"]))
    assert_error(response, 405, "method_not_allowed")
    assert response["Allow"] == "POST"


def test_a_405_names_every_method_the_address_takes(alice_api):
    response = alice_api.client.delete(CONVERSATIONS, headers=alice_api.headers)
    assert_error(response, 405, "method_not_allowed")
    assert response["Allow"] == "GET, POST"


def test_a_failed_turn_answers_503_and_keeps_the_message(
    alice_api, alice_conversation, failing_gate
):
    response = alice_api.post(messages_url(alice_conversation["id"]), {"text": "We live in Ohio"})
    assert_error(response, 503, "turn_failed")
    assert Message.objects.filter(role="family", text="We live in Ohio").exists()


def test_a_conversation_that_cannot_start_answers_503(alice_api, failing_gate):
    assert_error(alice_api.post(CONVERSATIONS), 503, "coach_unavailable")


EVERYTHING = "Biology, GPA 3.8, ACT 29, we can pay 24k a year, North Carolina."


@pytest.fixture
def alice_recommended(alice_api, alice_conversation, catalog, run_tools_in_process):
    alice_api.post(messages_url(alice_conversation["id"]), {"text": EVERYTHING})
    from coach.models import Conversation

    run_tools_in_process(Conversation.objects.get(pk=alice_conversation["id"]))
    return alice_api.get(f"{CONVERSATIONS}{alice_conversation['id']}/").json()


def test_a_turn_that_needs_the_catalog_answers_busy_and_recommending(
    alice_api, alice_conversation, catalog
):
    state = alice_api.post(messages_url(alice_conversation["id"]), {"text": EVERYTHING}).json()
    assert (state["phase"], state["busy"]) == ("recommending", True)


def test_recommendations_follow_the_contract(alice_recommended):
    state = ConversationStateOut.model_validate(alice_recommended)
    assert (state.phase, state.busy, 6 <= len(state.recommendations) <= 12) == (
        "recommended",
        False,
        True,
    )


def test_recommendations_respect_the_familys_hard_constraints(alice_recommended):
    assert all(
        college["state"] == "NC" and college["net_price"] <= 24000
        for college in alice_recommended["recommendations"]
    )


def test_recommendation_links_are_absolute_web_addresses(alice_recommended):
    assert all(
        college["url"].startswith(("https://", "http://")) or college["url"] == ""
        for college in alice_recommended["recommendations"]
    )


def test_a_json_body_is_read_whatever_content_type_the_client_sends(alice_api):
    response = alice_api.client.post(
        CONVERSATIONS,
        data=b"{}",
        content_type="application/x-www-form-urlencoded",
        headers=alice_api.headers,
    )
    assert response.status_code == 201
