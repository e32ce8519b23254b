"""The handoff state machine: every allowed and refused transition."""

import threading

import pytest
from django.db import connection

from coach.models import FIRST_REPLY_SLA, Escalation, ProfileFact
from coach.presenters import conversation_state
from coach.services import family_message_submit
from handoff.services import (
    HandoffError,
    escalation_claim,
    escalation_note_add,
    escalation_reply,
    escalation_resolve,
)

pytestmark = pytest.mark.django_db


def refused(service, **arguments) -> tuple[int, str]:
    """The (status, code) with which `service(**arguments)` refuses."""
    with pytest.raises(HandoffError) as caught:
        service(**arguments)
    return caught.value.status, caught.value.code


def test_claiming_puts_a_human_in_charge(escalated, counselor_carol):
    escalation = escalation_claim(escalation_id=escalated.id, counselor=counselor_carol)
    assert (escalation.state, escalation.assigned_to) == ("human", counselor_carol)


def test_the_family_is_told_who_joined(escalated, counselor_carol):
    escalation_claim(escalation_id=escalated.id, counselor=counselor_carol)
    last = escalated.conversation.messages.order_by("-seq").first()
    assert last.text == "Carol from the counseling team has joined the conversation."


def test_claiming_a_claimed_escalation_is_refused(escalated, counselor_carol, counselor_cole):
    escalation_claim(escalation_id=escalated.id, counselor=counselor_carol)
    assert refused(escalation_claim, escalation_id=escalated.id, counselor=counselor_cole) == (
        409,
        "already_claimed",
    )


def test_the_assignee_replies_into_the_family_chat(escalated, counselor_carol):
    escalation_claim(escalation_id=escalated.id, counselor=counselor_carol)
    message = escalation_reply(
        escalation_id=escalated.id, counselor=counselor_carol, text="Hi, I'm Carol."
    )
    assert (message.role, message.conversation_id) == ("counselor", escalated.conversation_id)


def test_the_first_reply_stops_the_sla_clock(escalated, counselor_carol):
    escalation_claim(escalation_id=escalated.id, counselor=counselor_carol)
    escalation_reply(escalation_id=escalated.id, counselor=counselor_carol, text="Hi")
    escalated.refresh_from_db()
    assert escalated.first_human_reply_at is not None


def test_someone_else_cannot_reply(escalated, counselor_carol, counselor_cole):
    escalation_claim(escalation_id=escalated.id, counselor=counselor_carol)
    assert refused(
        escalation_reply, escalation_id=escalated.id, counselor=counselor_cole, text="Hi"
    ) == (403, "not_yours")


def test_an_empty_reply_is_refused(escalated, counselor_carol):
    escalation_claim(escalation_id=escalated.id, counselor=counselor_carol)
    assert refused(
        escalation_reply, escalation_id=escalated.id, counselor=counselor_carol, text=" "
    ) == (400, "empty")


def test_replying_to_a_closed_escalation_is_refused(escalated, counselor_carol):
    escalation_claim(escalation_id=escalated.id, counselor=counselor_carol)
    escalation_resolve(escalation_id=escalated.id, counselor=counselor_carol, handback=False)
    assert refused(
        escalation_reply, escalation_id=escalated.id, counselor=counselor_carol, text="Hi"
    ) == (409, "closed")


def test_someone_else_cannot_resolve(escalated, counselor_carol, counselor_cole):
    escalation_claim(escalation_id=escalated.id, counselor=counselor_carol)
    assert refused(
        escalation_resolve, escalation_id=escalated.id, counselor=counselor_cole, handback=True
    ) == (403, "not_yours")


def test_closing_closes_the_conversation(escalated, counselor_carol):
    escalation_claim(escalation_id=escalated.id, counselor=counselor_carol)
    escalation_resolve(escalation_id=escalated.id, counselor=counselor_carol, handback=False)
    escalated.conversation.refresh_from_db()
    assert escalated.conversation.phase == "closed"


def test_handing_back_lets_the_coach_answer_again(escalated, counselor_carol):
    escalation_claim(escalation_id=escalated.id, counselor=counselor_carol)
    escalation_resolve(escalation_id=escalated.id, counselor=counselor_carol, handback=True)
    conversation = escalated.conversation
    reply = family_message_submit(conversation=conversation, text="We can pay 20k a year").reply
    assert (reply.role, reply.asks) == ("coach", ["location"])


def test_handing_back_says_so(escalated, counselor_carol):
    escalation_claim(escalation_id=escalated.id, counselor=counselor_carol)
    escalation_resolve(escalation_id=escalated.id, counselor=counselor_carol, handback=True)
    last = escalated.conversation.messages.order_by("-seq").first()
    assert last.text.startswith("You're back with the coach")


def test_hand_back_facts_enter_the_ledger_as_staff(escalated, counselor_carol):
    escalation_claim(escalation_id=escalated.id, counselor=counselor_carol)
    escalation_resolve(
        escalation_id=escalated.id,
        counselor=counselor_carol,
        handback=True,
        staff_facts={"budget": 18000, "states": ["OH"]},
    )
    facts = ProfileFact.objects.filter(provenance="staff").values_list("slot", "value")
    assert sorted(facts) == [("budget", 18000), ("states", ["OH"])]


def test_after_a_hand_back_with_staff_facts_the_coach_does_not_ask_them(
    escalated, counselor_carol, run_tools_in_process
):
    escalation_claim(escalation_id=escalated.id, counselor=counselor_carol)
    escalation_resolve(
        escalation_id=escalated.id,
        counselor=counselor_carol,
        handback=True,
        staff_facts={"budget": 18000},
    )
    reply = family_message_submit(conversation=escalated.conversation, text="Thanks!").reply
    assert reply.asks == ["location"]


def test_an_invalid_staff_fact_is_refused_and_nothing_changes(escalated, counselor_carol):
    escalation_claim(escalation_id=escalated.id, counselor=counselor_carol)
    assert refused(
        escalation_resolve,
        escalation_id=escalated.id,
        counselor=counselor_carol,
        handback=True,
        staff_facts={"gpa": 9},
    ) == (400, "invalid_fact")
    escalated.refresh_from_db()
    assert escalated.state == "human"


def test_notes_need_the_escalation_claimed(escalated, counselor_cole):
    assert refused(
        escalation_note_add, escalation_id=escalated.id, counselor=counselor_cole, text="x"
    ) == (403, "not_yours")


def test_messages_during_the_human_phase_get_no_coach_reply(escalated, counselor_carol):
    escalation_claim(escalation_id=escalated.id, counselor=counselor_carol)
    result = family_message_submit(conversation=escalated.conversation, text="Thanks Carol")
    assert result.reply is None


@pytest.mark.django_db(transaction=True)
def test_two_counselors_claiming_at_once_give_exactly_one_winner(
    escalated, counselor_carol, counselor_cole
):
    outcomes: list[str] = []
    barrier = threading.Barrier(2)

    def claim(counselor):
        barrier.wait()
        try:
            escalation_claim(escalation_id=escalated.id, counselor=counselor)
            outcomes.append("won")
        except HandoffError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=claim, args=(c,)) for c in (counselor_carol, counselor_cole)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(outcomes) == ["refused", "won"]
    assert Escalation.objects.get().assigned_to in (counselor_carol, counselor_cole)


def test_the_family_state_says_when_a_counselor_is_due(escalated):
    state = conversation_state(escalated.conversation)
    expected = escalated.created + FIRST_REPLY_SLA[escalated.urgent]
    assert state["escalation"]["first_reply_due"] == expected.isoformat().replace("+00:00", "Z")
