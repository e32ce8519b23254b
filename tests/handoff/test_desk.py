"""The counselor desk: who and why in plain words, closing with a last line, and saying what
happened after a hand-back or a close."""

import pytest

from coach.models import Message
from handoff.services import escalation_claim

pytestmark = pytest.mark.django_db


@pytest.fixture
def carol(client, counselor_carol, escalated):
    client.force_login(counselor_carol)
    return client


@pytest.fixture
def claimed(carol, counselor_carol, escalated):
    escalation_claim(escalation_id=escalated.id, counselor=counselor_carol)
    return escalated


def resolve_url(escalation) -> str:
    return f"/staff/escalations/{escalation.id}/resolve/"


def test_the_escalation_heading_names_the_family_and_the_reason(carol, escalated, family_alice):
    page = carol.get(f"/staff/escalations/{escalated.id}/").content.decode()
    assert "<h1>Alice · Asked for a counselor</h1>" in page


def test_the_inbox_says_the_state_in_words(carol, escalated):
    page = carol.get("/staff/").content.decode()
    assert "Waiting for a counselor" in page and "waiting_for_human" not in page


def test_the_inbox_names_the_family(carol, escalated, family_alice):
    assert family_alice.email in carol.get("/staff/").content.decode()


def test_closing_without_a_closing_line_keeps_the_escalation_open(carol, claimed):
    carol.post(resolve_url(claimed), {"outcome": "close", "closing_line": "  "})
    claimed.refresh_from_db()
    assert claimed.state == "human"


def test_the_closing_line_reaches_the_family(carol, claimed):
    carol.post(resolve_url(claimed), {"outcome": "close", "closing_line": "Good luck, Alice!"})
    message = Message.objects.get(text="Good luck, Alice!")
    assert (message.role, message.conversation_id) == ("counselor", claimed.conversation_id)


def test_a_close_is_confirmed_to_the_counselor(carol, claimed):
    response = carol.post(
        resolve_url(claimed), {"outcome": "close", "closing_line": "Bye for now."}, follow=True
    )
    assert "Closed: Alice&#x27;s conversation is now read-only." in response.content.decode()


def test_a_hand_back_is_confirmed_to_the_counselor(carol, claimed):
    response = carol.post(resolve_url(claimed), {"outcome": "handback"}, follow=True)
    assert "Handed back: Alice is with the coach again." in response.content.decode()


def test_the_api_closes_with_a_closing_line(api_as, counselor_carol, claimed):
    api_as(counselor_carol).post(
        f"/api/v1/escalations/{claimed.id}/resolve/",
        {"handback": False, "closing_line": "All the best."},
    )
    assert Message.objects.filter(text="All the best.", role="counselor").exists()
