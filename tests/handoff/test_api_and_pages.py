"""The handoff's API endpoints and staff pages: who may do what."""

from datetime import timedelta

import pytest

from coach.models import Escalation
from coach.schemas import ConversationStateOut
from handoff.schemas import EscalationListOut, EscalationOut
from handoff.services import escalation_claim, escalations_notify_overdue

pytestmark = pytest.mark.django_db


def escalation_url(escalation, action="") -> str:
    return f"/api/v1/escalations/{escalation.id}/{action}"


def test_a_family_asks_for_a_person_through_the_api(api_as, family_alice, alice_conversation):
    response = api_as(family_alice).post(
        f"/api/v1/conversations/{alice_conversation.id}/handoff/", {"reason": "help"}
    )
    state = response.json()
    assert (response.status_code, state["phase"], state["escalation"]["reason"]) == (
        200,
        "escalated",
        "requested",
    )


def test_another_family_cannot_escalate_a_conversation(api_as, family_bob, alice_conversation):
    response = api_as(family_bob).post(
        f"/api/v1/conversations/{alice_conversation.id}/handoff/", {}
    )
    assert (response.status_code, Escalation.objects.count()) == (404, 0)


@pytest.mark.parametrize(
    ("who", "status"),
    [(None, 401), ("family_alice", 404), ("counselor_carol", 200), ("admin_dan", 200)],
)
def test_only_staff_see_the_inbox(request, api_as, escalated, who, status):
    user = request.getfixturevalue(who) if who else None
    assert api_as(user).get("/api/v1/escalations/").status_code == status


def test_the_inbox_lists_waiting_escalations_with_their_packet(api_as, counselor_carol, escalated):
    listing = api_as(counselor_carol).get("/api/v1/escalations/?queue=unassigned").json()
    assert [e["packet"]["reason"] for e in listing["escalations"]] == ["requested"]


def test_the_mine_queue_holds_what_the_counselor_claimed(
    api_as, counselor_carol, counselor_cole, escalated
):
    escalation_claim(escalation_id=escalated.id, counselor=counselor_carol)
    mine = api_as(counselor_carol).get("/api/v1/escalations/?queue=mine").json()["escalations"]
    theirs = api_as(counselor_cole).get("/api/v1/escalations/?queue=mine").json()["escalations"]
    assert (len(mine), len(theirs)) == (1, 0)


def test_claim_then_reply_through_the_api(api_as, counselor_carol, escalated):
    api = api_as(counselor_carol)
    claimed = api.post(escalation_url(escalated, "claim/")).json()
    replied = api.post(escalation_url(escalated, "reply/"), {"text": "Hi, I'm Carol"})
    assert (claimed["state"], replied.status_code) == ("human", 200)


def test_a_second_claim_answers_409(api_as, counselor_carol, counselor_cole, escalated):
    api_as(counselor_carol).post(escalation_url(escalated, "claim/"))
    response = api_as(counselor_cole).post(escalation_url(escalated, "claim/"))
    assert (response.status_code, response.json()["error"]["code"]) == (409, "already_claimed")


def test_resolving_someone_elses_escalation_answers_403(
    api_as, counselor_carol, admin_dan, escalated
):
    api_as(counselor_carol).post(escalation_url(escalated, "claim/"))
    response = api_as(admin_dan).post(escalation_url(escalated, "resolve/"), {"handback": True})
    assert response.status_code == 403


def test_an_empty_reply_answers_400(api_as, counselor_carol, escalated):
    api = api_as(counselor_carol)
    api.post(escalation_url(escalated, "claim/"))
    assert api.post(escalation_url(escalated, "reply/"), {"text": ""}).status_code == 400


def test_resolving_with_hand_back_through_the_api(api_as, counselor_carol, escalated):
    api = api_as(counselor_carol)
    api.post(escalation_url(escalated, "claim/"))
    resolved = api.post(
        escalation_url(escalated, "resolve/"), {"handback": True, "facts": {"budget": 20000}}
    ).json()
    escalated.conversation.refresh_from_db()
    assert (resolved["state"], escalated.conversation.profile["budget"]) == ("bot", 20000)


def test_a_family_cannot_reach_the_staff_pages(client, family_alice, escalated):
    client.force_login(family_alice)
    assert client.get("/staff/").status_code == 404


def test_a_counselor_sees_the_packet_but_not_the_transcript_before_claiming(
    client, counselor_carol, escalated
):
    client.force_login(counselor_carol)
    page = client.get(f"/staff/escalations/{escalated.id}/").content.decode()
    assert escalated.packet["summary"] in page and "Can I talk to a counselor" not in page


def test_after_claiming_the_counselor_reads_transcript_and_trace(
    client, counselor_carol, escalated
):
    client.force_login(counselor_carol)
    client.post(f"/staff/escalations/{escalated.id}/claim/")
    page = client.get(f"/staff/escalations/{escalated.id}/").content.decode()
    assert "Can I talk to a counselor" in page and "escalate(requested)" in page


def test_another_counselor_cannot_read_a_claimed_conversation(
    client, counselor_carol, counselor_cole, escalated
):
    escalation_claim(escalation_id=escalated.id, counselor=counselor_carol)
    client.force_login(counselor_cole)
    page = client.get(f"/staff/escalations/{escalated.id}/").content.decode()
    assert "· Carol ·" in page and "Can I talk to a counselor" not in page


def test_a_closed_escalation_is_hidden_from_other_counselors(
    client, counselor_carol, counselor_cole, escalated
):
    from handoff.services import escalation_resolve

    escalation_claim(escalation_id=escalated.id, counselor=counselor_carol)
    escalation_resolve(escalation_id=escalated.id, counselor=counselor_carol, handback=False)
    client.force_login(counselor_cole)
    assert client.get(f"/staff/escalations/{escalated.id}/").status_code == 404


def test_private_notes_never_reach_the_family(
    client, counselor_carol, escalated, api_as, family_alice
):
    client.force_login(counselor_carol)
    client.post(f"/staff/escalations/{escalated.id}/claim/")
    client.post(f"/staff/escalations/{escalated.id}/notes/", {"text": "Secret plan"})
    state = api_as(family_alice).get(f"/api/v1/conversations/{escalated.conversation_id}/").json()
    assert "Secret plan" not in str(state) and escalated.notes.count() == 1


def test_the_inbox_page_marks_overdue_escalations(client, counselor_carol, escalated):
    Escalation.objects.filter(pk=escalated.pk).update(
        created=escalated.created - timedelta(minutes=20)
    )
    client.force_login(counselor_carol)
    assert "overdue" in client.get("/staff/").content.decode()


def test_an_escalation_waiting_past_its_sla_is_emailed_once(counselor_carol, escalated, mailoutbox):
    later = escalated.created + timedelta(minutes=16)
    assert (escalations_notify_overdue(now=later), escalations_notify_overdue(now=later)) == (1, 0)
    assert len(mailoutbox) == 1


def test_an_escalation_within_its_sla_is_not_emailed(counselor_carol, escalated, mailoutbox):
    assert escalations_notify_overdue(now=escalated.created + timedelta(minutes=10)) == 0


def test_automatic_messages_do_not_reset_the_sla_clock(counselor_carol, escalated):
    from coach.services import family_message_submit

    created = escalated.created
    family_message_submit(conversation=escalated.conversation, text="Hello?")
    escalated.refresh_from_db()
    assert (escalated.created, escalated.first_human_reply_at) == (created, None)


def test_an_answered_escalation_unresolved_for_a_day_is_overdue(
    counselor_carol, escalated, mailoutbox
):
    from handoff.services import escalation_reply

    escalation_claim(escalation_id=escalated.id, counselor=counselor_carol)
    escalation_reply(escalation_id=escalated.id, counselor=counselor_carol, text="Hi")
    assert escalations_notify_overdue(now=escalated.created + timedelta(hours=2)) == 0
    assert escalations_notify_overdue(now=escalated.created + timedelta(hours=25)) == 1


def test_a_counselor_hands_back_with_facts_from_the_page(client, counselor_carol, escalated):
    client.force_login(counselor_carol)
    client.post(f"/staff/escalations/{escalated.id}/claim/")
    client.post(
        f"/staff/escalations/{escalated.id}/resolve/",
        {"outcome": "handback", "budget": "21000", "states": "oh, mi", "gpa": ""},
    )
    escalated.conversation.refresh_from_db()
    profile = escalated.conversation.profile
    assert (profile["budget"], profile["states"]) == (21000, ["OH", "MI"])


def test_an_invalid_fact_on_the_page_keeps_the_escalation_open(client, counselor_carol, escalated):
    client.force_login(counselor_carol)
    client.post(f"/staff/escalations/{escalated.id}/claim/")
    client.post(
        f"/staff/escalations/{escalated.id}/resolve/", {"outcome": "handback", "gpa": "lots"}
    )
    escalated.refresh_from_db()
    assert escalated.state == "human"


def test_the_inbox_answers_in_its_documented_shape(api_as, counselor_carol, escalated):
    listing = api_as(counselor_carol).get("/api/v1/escalations/").json()
    assert EscalationListOut.model_validate(listing).escalations[0].id == str(escalated.id)


def test_a_claim_answers_in_its_documented_shape(api_as, counselor_carol, escalated):
    claimed = api_as(counselor_carol).post(escalation_url(escalated, "claim/")).json()
    assert EscalationOut.model_validate(claimed).assigned_to == counselor_carol.email


def test_a_resolve_answers_in_its_documented_shape(api_as, counselor_carol, escalated):
    api = api_as(counselor_carol)
    api.post(escalation_url(escalated, "claim/"))
    resolved = api.post(escalation_url(escalated, "resolve/"), {"handback": False}).json()
    assert EscalationOut.model_validate(resolved).resolved_at is not None


def test_a_family_handoff_answers_in_its_documented_shape(api_as, family_alice, alice_conversation):
    state = (
        api_as(family_alice)
        .post(f"/api/v1/conversations/{alice_conversation.id}/handoff/", {})
        .json()
    )
    assert ConversationStateOut.model_validate(state).phase == "escalated"
