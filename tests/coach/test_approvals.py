"""Gated writes: the coach proposes saving or sending the list, or replacing a confirmed fact, and
nothing durable happens until the family approves — then exactly once."""

from datetime import timedelta

import pytest
from django.utils import timezone

from aviator.audit.models import AuditEntry
from coach import approvals
from coach.approvals import ApprovalError, approvals_sweep, list_email_deliver
from coach.models import Approval, ApprovalStatus, ProfileFact, Role, SavedCollege, ToolCall
from coach.presenters import conversation_state
from coach.services import approval_decide, escalation_request, family_message_submit
from handoff.services import escalation_claim, escalation_resolve

pytestmark = pytest.mark.django_db


@pytest.fixture
def say(run_tools_in_process):
    def send(conversation, text):
        family_message_submit(conversation=conversation, text=text)
        run_tools_in_process(conversation)
        return conversation_state(conversation)

    return send


@pytest.fixture
def save_proposed(recommended, say) -> Approval:
    say(recommended, "Please save this list to My list.")
    return Approval.objects.get(conversation=recommended)


def decide(approval: Approval, approve: bool) -> Approval:
    return approval_decide(
        conversation=approval.conversation,
        approval_id=approval.id,
        approve=approve,
        family=approval.conversation.family,
    )


def last_coach_text(conversation) -> str:
    return conversation.messages.filter(role=Role.COACH).order_by("-seq").first().text


def test_asking_to_save_the_list_proposes_it(recommended, say):
    state = say(recommended, "Please save this list to My list.")
    assert (state["pending_approval"]["kind"], state["pending_approval"]["summary"]) == (
        "save_list",
        last_coach_text(recommended),
    )


def test_nothing_is_saved_before_the_family_approves(save_proposed):
    assert SavedCollege.objects.count() == 0


def test_the_proposal_lists_the_colleges_shown(save_proposed, recommended):
    shown = [item["unitid"] for item in recommended.shortlists.get().items]
    assert [c["unitid"] for c in save_proposed.proposed["colleges"]] == shown


def test_approving_saves_every_college_on_the_list(save_proposed):
    decide(save_proposed, True)
    assert SavedCollege.objects.count() == len(save_proposed.proposed["colleges"])


def test_approving_ends_with_the_coach_saying_it_is_done(save_proposed, recommended):
    decide(save_proposed, True)
    assert last_coach_text(recommended).startswith("Done: the")


def test_an_approved_request_is_no_longer_pending(save_proposed, recommended):
    decide(save_proposed, True)
    assert conversation_state(recommended)["pending_approval"] is None


def test_approving_twice_saves_once(save_proposed, recommended):
    decide(save_proposed, True)
    messages = recommended.messages.count()
    decide(save_proposed, True)
    assert (SavedCollege.objects.count(), recommended.messages.count()) == (
        len(save_proposed.proposed["colleges"]),
        messages,
    )


def test_declining_changes_nothing(save_proposed, recommended):
    decide(save_proposed, False)
    assert (SavedCollege.objects.count(), last_coach_text(recommended)) == (
        0,
        "No problem, I didn't save anything.",
    )


def test_declining_after_approving_is_refused(save_proposed):
    decide(save_proposed, True)
    with pytest.raises(ApprovalError) as refused:
        decide(save_proposed, False)
    assert refused.value.status == 409


def test_the_write_happens_once_when_the_process_dies_between_decision_and_write(
    save_proposed, monkeypatch
):
    real_resume = approvals.resume_coach_turn

    def dies_once(**kwargs):
        monkeypatch.setattr(approvals, "resume_coach_turn", real_resume)
        raise ConnectionError("process died")

    monkeypatch.setattr(approvals, "resume_coach_turn", dies_once)
    decide(save_proposed, True)
    assert SavedCollege.objects.count() == 0  # the write rolled back with the failed resumption
    decide(save_proposed, True)
    approvals_sweep(now=timezone.now() + timedelta(minutes=5))
    assert SavedCollege.objects.count() == len(save_proposed.proposed["colleges"])


def test_the_sweep_finishes_a_decision_whose_process_died(save_proposed, monkeypatch):
    def dies(**kwargs):
        raise ConnectionError("process died")

    monkeypatch.setattr(approvals, "resume_coach_turn", dies)
    decide(save_proposed, True)
    monkeypatch.undo()
    approvals_sweep(now=timezone.now() + timedelta(minutes=5))
    save_proposed.refresh_from_db()
    assert (save_proposed.resumed_at is not None, SavedCollege.objects.count()) == (
        True,
        len(save_proposed.proposed["colleges"]),
    )


def test_an_unanswered_proposal_expires_with_nothing_written(save_proposed, recommended):
    approvals_sweep(now=save_proposed.expires_at + timedelta(seconds=1))
    save_proposed.refresh_from_db()
    assert (save_proposed.status, SavedCollege.objects.count()) == ("expired", 0)


def test_the_family_hears_that_the_proposal_expired(save_proposed, recommended):
    approvals_sweep(now=save_proposed.expires_at + timedelta(seconds=1))
    assert "expired" in last_coach_text(recommended)


def test_approving_after_expiry_is_refused_and_writes_nothing(save_proposed):
    Approval.objects.filter(pk=save_proposed.pk).update(expires_at=timezone.now())
    with pytest.raises(ApprovalError) as refused:
        decide(save_proposed, True)
    assert (refused.value.code, SavedCollege.objects.count()) == ("expired", 0)


def test_the_coach_answers_normally_after_an_expired_proposal(save_proposed, recommended, say):
    approvals_sweep(now=save_proposed.expires_at + timedelta(seconds=1))
    say(recommended, "What about big schools?")
    assert recommended.messages.filter(role=Role.COACH).order_by("-seq").first().reply_to_id


def test_writing_something_else_drops_the_proposal(save_proposed, recommended, say):
    say(recommended, "Actually, we prefer a large school.")
    save_proposed.refresh_from_db()
    assert (save_proposed.status, SavedCollege.objects.count()) == ("superseded", 0)


def test_the_new_message_is_answered_after_a_dropped_proposal(save_proposed, recommended, say):
    say(recommended, "Actually, we prefer a large school.")
    family_message = recommended.messages.filter(role=Role.FAMILY).order_by("-seq").first()
    assert recommended.messages.filter(role=Role.COACH, reply_to=family_message).exists()


def test_asking_to_save_before_any_list_proposes_nothing(family_alice, catalog, say):
    from coach.services import conversation_start

    conversation = conversation_start(family=family_alice)
    state = say(conversation, "Save the list please.")
    assert (state["pending_approval"], "no list to save" in last_coach_text(conversation)) == (
        None,
        True,
    )


def test_deciding_is_audited_as_the_family(save_proposed):
    decide(save_proposed, True)
    entry = AuditEntry.objects.get(action="approval.approved")
    assert (entry.actor_email, entry.after["kind"]) == ("alice@example.com", "save_list")


def test_colleges_saved_by_approval_are_audited_as_the_coach(save_proposed):
    decide(save_proposed, True)
    roles = set(
        AuditEntry.objects.filter(action="college.saved").values_list("actor_role", flat=True)
    )
    assert roles == {"coach"}


# --- e-mail ---------------------------------------------------------------------------------


@pytest.fixture
def email_proposed(recommended, say) -> Approval:
    say(recommended, "Can you email me this list?")
    return Approval.objects.get(conversation=recommended)


def test_asking_for_the_list_by_email_proposes_sending_it(email_proposed):
    assert email_proposed.kind == "send_email"


def test_an_approved_email_is_delivered_once(email_proposed, mailoutbox):
    decide(email_proposed, True)
    list_email_deliver(approval_id=email_proposed.id)
    list_email_deliver(approval_id=email_proposed.id)
    assert [message.to for message in mailoutbox] == [["alice@example.com"]]


def test_the_email_lists_the_colleges(email_proposed, mailoutbox):
    decide(email_proposed, True)
    list_email_deliver(approval_id=email_proposed.id)
    first = email_proposed.proposed["colleges"][0]["name"]
    assert first in mailoutbox[0].body


def test_a_declined_email_is_never_sent(email_proposed, mailoutbox):
    decide(email_proposed, False)
    list_email_deliver(approval_id=email_proposed.id)
    assert mailoutbox == []


# --- confirmed facts ------------------------------------------------------------------------


@pytest.fixture
def list_saved(save_proposed, recommended):
    decide(save_proposed, True)
    return recommended


def test_changing_a_confirmed_fact_asks_first(list_saved, say):
    state = say(list_saved, "Actually our budget is 40k a year.")
    assert (state["pending_approval"]["kind"], state["profile"]["budget"]) == (
        "fact_overwrite",
        24000,
    )


def test_an_approved_change_replaces_the_confirmed_fact(list_saved, say, run_tools_in_process):
    say(list_saved, "Actually our budget is 40k a year.")
    decide(Approval.objects.get(kind="fact_overwrite"), True)
    run_tools_in_process(list_saved)
    assert conversation_state(list_saved)["profile"]["budget"] == 40000


def test_an_approved_change_is_kept_in_the_fact_history(list_saved, say):
    say(list_saved, "Actually our budget is 40k a year.")
    decide(Approval.objects.get(kind="fact_overwrite"), True)
    fact = ProfileFact.objects.filter(slot="budget").latest("id")
    assert (fact.previous_value, fact.value) == (24000, 40000)


def test_an_approved_change_goes_on_to_a_new_search(list_saved, say):
    say(list_saved, "Actually our budget is 40k a year.")
    decide(Approval.objects.get(kind="fact_overwrite"), True)
    assert ToolCall.objects.filter(tool="search_colleges", status="queued").exists()


def test_a_declined_change_keeps_the_confirmed_fact(list_saved, say, run_tools_in_process):
    say(list_saved, "Actually our budget is 40k a year.")
    decide(Approval.objects.get(kind="fact_overwrite"), False)
    run_tools_in_process(list_saved)
    assert (
        conversation_state(list_saved)["profile"]["budget"],
        "I'll keep up to $24,000 a year" in last_coach_text(list_saved),
    ) == (24000, True)


def test_an_unconfirmed_fact_changes_without_asking(recommended, say):
    state = say(recommended, "Actually our budget is 40k a year.")
    assert (state["pending_approval"], state["profile"]["budget"]) == (None, 40000)


def test_a_counselor_entered_fact_is_confirmed(recommended, say, counselor_carol):
    escalation = escalation_request(conversation=recommended)
    escalation_claim(escalation_id=escalation.id, counselor=counselor_carol)
    escalation_resolve(
        escalation_id=escalation.id,
        counselor=counselor_carol,
        handback=True,
        staff_facts={"budget": 30000},
    )
    state = say(recommended, "Our budget is 40k a year.")
    assert state["pending_approval"]["proposed"] == [
        {"slot": "budget", "before": 30000, "after": 40000}
    ]


def test_only_one_approval_is_pending_at_a_time(save_proposed):
    assert Approval.objects.filter(status=ApprovalStatus.PENDING).count() == 1


# --- API and chat page -----------------------------------------------------------------------


def approval_url(approval: Approval) -> str:
    return f"/api/v1/conversations/{approval.conversation_id}/approvals/{approval.id}/"


def test_the_api_approves_and_answers_with_the_state(api_as, family_alice, save_proposed):
    response = api_as(family_alice).post(approval_url(save_proposed), {"approve": True})
    assert (response.status_code, response.json()["pending_approval"]) == (200, None)


def test_the_api_hides_another_familys_approval(api_as, family_bob, save_proposed):
    response = api_as(family_bob).post(approval_url(save_proposed), {"approve": True})
    assert (response.status_code, SavedCollege.objects.count()) == (404, 0)


def test_the_api_rejects_a_decision_that_is_not_a_boolean(api_as, family_alice, save_proposed):
    response = api_as(family_alice).post(approval_url(save_proposed), {"approve": "maybe"})
    assert response.status_code == 400


def test_the_api_says_409_when_the_decision_changes(api_as, family_alice, save_proposed):
    client = api_as(family_alice)
    client.post(approval_url(save_proposed), {"approve": False})
    response = client.post(approval_url(save_proposed), {"approve": True})
    assert (response.status_code, response.json()["error"]["code"]) == (409, "already_decided")


def test_the_chat_page_offers_approve_and_decline(client, family_alice, save_proposed):
    client.force_login(family_alice)
    page = client.get(f"/conversations/{save_proposed.conversation_id}/").content.decode()
    assert 'value="yes" class="approve"' in page


def test_the_chat_page_approves_with_a_form_post(client, family_alice, save_proposed):
    client.force_login(family_alice)
    client.post(
        f"/conversations/{save_proposed.conversation_id}/approvals/{save_proposed.id}/",
        {"approve": "yes"},
    )
    assert SavedCollege.objects.count() == len(save_proposed.proposed["colleges"])


def test_the_chat_page_needs_an_explicit_answer(client, family_alice, save_proposed):
    client.force_login(family_alice)
    client.post(f"/conversations/{save_proposed.conversation_id}/approvals/{save_proposed.id}/")
    save_proposed.refresh_from_db()
    assert save_proposed.status == "pending"


# --- the coach is away while a counselor has the conversation -------------------------------


@pytest.fixture
def handed_to_a_counselor(save_proposed, recommended, counselor_carol):
    escalation = escalation_request(conversation=recommended)
    escalation_claim(escalation_id=escalation.id, counselor=counselor_carol)
    return save_proposed


def test_an_approval_cannot_be_decided_while_a_counselor_has_the_conversation(
    handed_to_a_counselor,
):
    with pytest.raises(ApprovalError) as refused:
        decide(handed_to_a_counselor, True)
    assert (refused.value.code, SavedCollege.objects.count()) == ("coach_away", 0)


def test_the_sweep_does_not_expire_into_a_counselors_conversation(
    handed_to_a_counselor, recommended
):
    approvals_sweep(now=handed_to_a_counselor.expires_at + timedelta(seconds=1))
    recommended.refresh_from_db()
    assert (recommended.phase, last_coach_text(recommended).startswith("That request")) == (
        "escalated",
        False,
    )


def test_no_approval_is_offered_while_a_counselor_has_the_conversation(
    handed_to_a_counselor, recommended
):
    recommended.refresh_from_db()
    assert conversation_state(recommended)["pending_approval"] is None


def test_a_message_sent_while_a_decision_was_unfinished_is_answered(
    save_proposed, recommended, say, monkeypatch
):
    def dies(**kwargs):
        raise ConnectionError("process died")

    monkeypatch.setattr(approvals, "resume_coach_turn", dies)
    decide(save_proposed, True)
    monkeypatch.undo()
    say(recommended, "Also, what about Virginia?")
    family_message = recommended.messages.filter(role="family").order_by("-seq").first()
    assert (
        SavedCollege.objects.count(),
        recommended.messages.filter(role="coach", reply_to=family_message).exists(),
    ) == (len(save_proposed.proposed["colleges"]), True)


def test_one_approval_that_cannot_finish_does_not_stop_the_sweep(
    save_proposed, recommended, family_bob, catalog, run_tools_in_process, monkeypatch
):
    from coach.services import conversation_start

    other = conversation_start(family=family_bob)
    family_message_submit(
        conversation=other, text="Biology, GPA 3.8, ACT 29, 24k a year, North Carolina."
    )
    run_tools_in_process(other)
    family_message_submit(conversation=other, text="Please save this list to My list.")
    real_resume = approvals.resume_coach_turn

    def fails_for_alice(**kwargs):
        if kwargs["conversation_id"] == str(recommended.id):
            raise ConnectionError("alice's resume keeps failing")
        return real_resume(**kwargs)

    monkeypatch.setattr(approvals, "resume_coach_turn", fails_for_alice)
    later = timezone.now() + timedelta(days=2)
    approvals_sweep(now=later)
    assert Approval.objects.get(conversation=other).resumed_at is not None


def test_a_confirmed_inferred_fact_is_not_replaced_by_a_guess():
    from coach.language.base import ExtractedFact
    from coach.ledger import hold_confirmed_overwrites

    facts = {"home_state": {"value": "OH", "provenance": "inferred", "confirmed": True}}
    guess = ExtractedFact("home_state", "PA", 0.6, "inferred")
    assert hold_confirmed_overwrites(facts, (guess,)) == ((), ())


def test_an_email_whose_delivery_task_was_lost_is_sent_again_by_the_sweep(
    email_proposed, monkeypatch, django_capture_on_commit_callbacks
):
    from aviator.celery import app as celery_app

    sent: list[str] = []

    def broker_down(name, args=None, **kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(celery_app, "send_task", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        decide(email_proposed, True)
    monkeypatch.setattr(celery_app, "send_task", lambda name, args=None, **kw: sent.append(name))
    approvals_sweep(now=timezone.now() + timedelta(minutes=5))
    assert sent == ["coach.deliver_list_email"]
