"""The audit log: one append-only entry per durable write and per staff view of a transcript."""

import pytest
from django.db import connection, transaction
from django.db.utils import ProgrammingError

from aviator.accounts.services import token_issue, tokens_revoke
from aviator.audit.models import AppendOnlyError, AuditEntry
from coach.models import ProfileFact
from coach.saved_colleges import college_save
from coach.services import escalation_request
from handoff.services import escalation_claim, escalation_note_add, escalation_resolve

pytestmark = pytest.mark.django_db


def entries(action: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=action))


def test_an_entry_cannot_be_changed(family_alice):
    entry = AuditEntry.objects.filter(action="user.created").first()
    entry.action = "forged"
    with pytest.raises(AppendOnlyError):
        entry.save()


def test_an_entry_cannot_be_deleted(family_alice):
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.first().delete()


def test_entries_cannot_be_updated_in_bulk(family_alice):
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.update(action="forged")


@pytest.mark.services
def test_the_database_refuses_a_raw_update(family_alice):
    with (
        pytest.raises(ProgrammingError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE audit_auditentry SET action = 'forged'")


def test_each_fact_the_coach_stores_is_logged_with_before_and_after(recommended):
    logged = {tuple(entry.before) for entry in AuditEntry.objects.filter(action="fact.changed")}
    assert {("major",), ("gpa",), ("act",), ("budget",), ("states",)} <= logged


def test_each_fact_entry_names_the_fact_row_it_logs(recommended):
    facts = ProfileFact.objects.filter(conversation=recommended).values_list("pk", flat=True)
    assert {entry.object_id for entry in entries("fact.changed")} == {str(pk) for pk in facts}


def test_a_fact_change_is_logged_as_the_coach(recommended):
    assert {entry.actor_role for entry in entries("fact.changed")} == {"coach"}


def test_a_shortlist_is_logged_with_its_colleges(recommended):
    (entry,) = entries("shortlist.created")
    assert entry.after["unitids"] == [item["unitid"] for item in recommended.shortlists.get().items]


def test_saving_a_college_is_logged_as_the_family(family_alice, recommended):
    unitid = recommended.shortlists.get().items[0]["unitid"]
    college_save(family=family_alice, conversation=recommended, unitid=unitid)
    (entry,) = entries("college.saved")
    assert (entry.actor_email, entry.actor_role, entry.after) == (
        "alice@example.com",
        "family",
        {"unitid": unitid},
    )


def test_saving_the_same_college_twice_is_logged_once(family_alice, recommended):
    unitid = recommended.shortlists.get().items[0]["unitid"]
    for _ in range(2):
        college_save(family=family_alice, conversation=recommended, unitid=unitid)
    assert len(entries("college.saved")) == 1


def test_the_button_for_a_person_is_logged_as_the_family(family_alice, alice_conversation):
    escalation_request(conversation=alice_conversation)
    (entry,) = entries("escalation.opened")
    assert (entry.actor_role, entry.after["reason"]) == ("family", "requested")


def test_an_escalation_the_coach_opens_is_logged_as_the_coach(escalated):
    (entry,) = entries("escalation.opened")
    assert entry.actor_role == "coach"


def test_a_claim_is_logged_with_the_state_change(escalated, counselor_carol):
    escalation_claim(escalation_id=escalated.id, counselor=counselor_carol)
    (entry,) = entries("escalation.claimed")
    assert (entry.actor_email, entry.before, entry.after) == (
        "carol@example.com",
        {"state": "waiting_for_human"},
        {"state": "human"},
    )


def test_a_private_note_is_logged_without_its_text(escalated, counselor_carol):
    escalation_claim(escalation_id=escalated.id, counselor=counselor_carol)
    escalation_note_add(escalation_id=escalated.id, counselor=counselor_carol, text="secret")
    (entry,) = entries("note.added")
    assert "secret" not in str(entry.after)


def test_facts_a_counselor_enters_are_logged_as_the_counselor(escalated, counselor_carol):
    escalation_claim(escalation_id=escalated.id, counselor=counselor_carol)
    escalation_resolve(
        escalation_id=escalated.id,
        counselor=counselor_carol,
        handback=True,
        staff_facts={"budget": 30000},
    )
    (entry,) = [e for e in entries("fact.changed") if e.actor_role == "counselor"]
    assert entry.after == {"budget": 30000, "provenance": "staff"}


def test_resolving_is_logged(escalated, counselor_carol):
    escalation_claim(escalation_id=escalated.id, counselor=counselor_carol)
    escalation_resolve(escalation_id=escalated.id, counselor=counselor_carol, handback=False)
    (entry,) = entries("escalation.resolved")
    assert entry.after == {"state": "closed"}


def test_issuing_and_revoking_tokens_is_logged(family_alice):
    token_issue(user=family_alice)
    tokens_revoke(user=family_alice)
    assert (len(entries("token.issued")), entries("tokens.revoked")[0].after["revoked"]) == (1, 1)


def test_the_assignee_opening_the_transcript_is_logged(client, escalated, counselor_carol):
    escalation_claim(escalation_id=escalated.id, counselor=counselor_carol)
    client.force_login(counselor_carol)
    client.get(f"/staff/escalations/{escalated.id}/")
    (entry,) = entries("transcript.viewed")
    assert (entry.actor_email, str(entry.conversation_id), entry.after) == (
        "carol@example.com",
        str(escalated.conversation_id),
        {"via": "escalation_page"},
    )


def test_a_counselor_seeing_only_the_packet_is_not_a_transcript_view(
    client, escalated, counselor_carol
):
    client.force_login(counselor_carol)
    client.get(f"/staff/escalations/{escalated.id}/")
    assert entries("transcript.viewed") == []


def test_an_admin_opening_a_conversation_in_the_admin_is_logged(client, admin_dan, recommended):
    client.force_login(admin_dan)
    client.get(f"/admin/coach/conversation/{recommended.id}/change/")
    (entry,) = entries("transcript.viewed")
    assert (entry.actor_role, entry.after) == ("admin", {"via": "admin"})


def test_admins_can_filter_the_log(client, admin_dan, escalated, counselor_carol):
    escalation_claim(escalation_id=escalated.id, counselor=counselor_carol)
    client.force_login(admin_dan)
    response = client.get("/admin/audit/auditentry/?actor_role__exact=counselor")
    assert [entry.action for entry in response.context["cl"].result_list] == ["escalation.claimed"]


def test_counselors_cannot_read_the_log(client, counselor_carol):
    client.force_login(counselor_carol)
    assert client.get("/admin/audit/auditentry/").status_code == 403
