"""Per-family quotas and per-address throttles answer 429 with a clear message and keep nothing."""

from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from aviator.ratelimit import RateLimited
from coach.models import Conversation, Message
from coach.quotas import message_quota_check
from coach.services import conversation_start

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice_chatting(family_alice, catalog):
    return conversation_start(family=family_alice)


def send(api, conversation, text="Biology."):
    return api.post(f"/api/v1/conversations/{conversation.id}/messages/", {"text": text})


@override_settings(FAMILY_MESSAGES_PER_MINUTE=2)
def test_a_family_over_its_message_quota_gets_429(api_as, family_alice, alice_chatting):
    api = api_as(family_alice)
    send(api, alice_chatting)
    send(api, alice_chatting)
    response = send(api, alice_chatting)
    assert (response.status_code, response.json()["error"]["code"]) == (429, "rate_limited")


@override_settings(FAMILY_MESSAGES_PER_MINUTE=1)
def test_the_429_says_when_to_retry(api_as, family_alice, alice_chatting):
    api = api_as(family_alice)
    send(api, alice_chatting)
    response = send(api, alice_chatting)
    assert 0 < int(response["Retry-After"]) <= 60


@override_settings(FAMILY_MESSAGES_PER_MINUTE=1)
def test_a_refused_message_is_not_stored(api_as, family_alice, alice_chatting):
    api = api_as(family_alice)
    send(api, alice_chatting)
    send(api, alice_chatting, "Second message")
    assert not Message.objects.filter(text="Second message").exists()


@override_settings(FAMILY_MESSAGES_PER_MINUTE=1)
def test_one_family_does_not_spend_anothers_quota(api_as, family_alice, family_bob, catalog):
    send(api_as(family_alice), conversation_start(family=family_alice))
    response = send(api_as(family_bob), conversation_start(family=family_bob))
    assert response.status_code == 200


@override_settings(FAMILY_CONVERSATIONS_PER_DAY=1)
def test_a_family_over_its_daily_conversations_gets_429(api_as, family_alice, catalog):
    api = api_as(family_alice)
    api.post("/api/v1/conversations/", {})
    response = api.post("/api/v1/conversations/", {})
    assert (response.status_code, Conversation.objects.count()) == (429, 1)


@override_settings(FAMILY_CONVERSATIONS_PER_DAY=1)
def test_the_page_refuses_a_conversation_over_the_quota(client, family_alice, catalog):
    client.force_login(family_alice)
    client.post("/conversations/")
    response = client.post("/conversations/")
    assert (response.status_code, "conversations a day" in response.content.decode()) == (
        429,
        True,
    )


@override_settings(FAMILY_CONVERSATIONS_PER_DAY=1)
def test_staff_are_not_held_to_family_quotas(api_as, counselor_carol, catalog):
    api = api_as(counselor_carol)
    api.post("/api/v1/conversations/", {})
    assert api.post("/api/v1/conversations/", {}).status_code == 201


@override_settings(LOGIN_ATTEMPTS_PER_MINUTE=2)
def test_too_many_logins_from_one_address_get_429(client, family_alice):
    for _ in range(2):
        client.post("/accounts/login/", {"username": "alice@example.com", "password": "wrong"})
    response = client.post("/accounts/login/", {"username": "alice@example.com", "password": "x"})
    assert (response.status_code, "Too many attempts" in response.content.decode()) == (429, True)


@override_settings(LOGIN_ATTEMPTS_PER_MINUTE=1)
def test_another_address_can_still_log_in(client, family_alice):
    client.post("/accounts/login/", {"username": "alice@example.com", "password": "wrong"})
    response = client.post(
        "/accounts/login/",
        {"username": "alice@example.com", "password": "a-Long-enough-pass-42"},
        REMOTE_ADDR="10.0.0.9",
    )
    assert response.status_code == 302


@override_settings(SIGNUPS_PER_HOUR=1)
def test_too_many_signups_from_one_address_get_429(client):
    password = "a-Long-enough-pass-42"
    form = {"email": "new@example.com", "password": password, "password_again": password}
    client.post("/accounts/signup/", form)
    client.logout()
    response = client.post("/accounts/signup/", form | {"email": "other@example.com"})
    assert response.status_code == 429


def test_viewing_the_login_page_is_never_limited(client):
    with override_settings(LOGIN_ATTEMPTS_PER_MINUTE=1):
        statuses = {client.get("/accounts/login/").status_code for _ in range(5)}
    assert statuses == {200}


@override_settings(FAMILY_MESSAGES_PER_MINUTE=2)
def test_the_wait_ends_when_the_oldest_message_counted_leaves_the_minute(
    family_alice, alice_chatting
):
    now = timezone.now()
    for seq, seconds_ago in enumerate((50, 30, 10), start=100):
        Message.objects.create(
            conversation=alice_chatting,
            seq=seq,
            role="family",
            text="Biology.",
            created=now - timedelta(seconds=seconds_ago),
        )
    with pytest.raises(RateLimited) as refused:
        message_quota_check(user=family_alice, now=now)
    assert refused.value.retry_after == 30
