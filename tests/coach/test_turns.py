"""Turns survive failures: the family's message is kept, nothing is answered twice, and a thread
resumes from its checkpoint in a fresh graph instance."""

import pytest

from coach.graph import checkpointer, runner
from coach.models import Conversation, DecisionTrace, Message, ProfileFact
from coach.services import conversation_start, family_message_submit
from coach.turns import TurnFailed, conversation_run_turn
from tests.coach.conftest import Boom

pytestmark = pytest.mark.django_db


@pytest.fixture
def conversation(family_alice) -> Conversation:
    return conversation_start(family=family_alice)


def graph_values(conversation: Conversation) -> dict:
    config = {"configurable": {"thread_id": str(conversation.id)}}
    return runner.coach_graph().get_state(config).values


def transcript(conversation: Conversation) -> list[tuple[str, str]]:
    return [(m.role, m.text) for m in conversation.messages.order_by("seq")]


def test_a_failed_turn_keeps_the_family_message(conversation, failing_gate):
    with pytest.raises(TurnFailed):
        family_message_submit(conversation=conversation, text="We live in Ohio")
    assert transcript(conversation)[-1] == ("family", "We live in Ohio")


def test_a_failed_turn_stores_no_coach_reply(conversation, failing_gate):
    with pytest.raises(TurnFailed):
        family_message_submit(conversation=conversation, text="We live in Ohio")
    assert conversation.messages.filter(role="coach").count() == 1


def test_each_message_after_a_failed_turn_is_answered_once(conversation, failing_gate):
    """The cut turn is finished from its checkpoint and answers its own message; the next
    message gets an answer of its own."""
    with pytest.raises(TurnFailed):
        family_message_submit(conversation=conversation, text="We live in Ohio")
    failing_gate.undo()
    runner._compiled.clear()
    family_message_submit(conversation=conversation, text="Are you there?")
    answered = [
        m.reply_to.text for m in conversation.messages.filter(role="coach").exclude(reply_to=None)
    ]
    assert answered == ["We live in Ohio", "Are you there?"]


def test_a_turn_cut_between_graph_steps_stores_its_facts_in_the_ledger(conversation, failing_gate):
    with pytest.raises(TurnFailed):
        family_message_submit(conversation=conversation, text="Biology, GPA 3.5")
    failing_gate.undo()
    runner._compiled.clear()
    family_message_submit(conversation=conversation, text="Are you there?")
    conversation.refresh_from_db()
    ledger = dict(
        ProfileFact.objects.filter(conversation=conversation).values_list("slot", "value")
    )
    assert (conversation.profile["major"], ledger) == ("biology", {"major": "biology", "gpa": 3.5})


def test_the_reply_after_a_failed_turn_answers_the_latest_message(conversation, failing_gate):
    with pytest.raises(TurnFailed):
        family_message_submit(conversation=conversation, text="We live in Ohio")
    failing_gate.undo()
    runner._compiled.clear()
    result = family_message_submit(conversation=conversation, text="Are you there?")
    assert result.reply.reply_to == result.family_message


def test_the_checkpoint_records_each_family_message_once_after_a_failed_turn(
    conversation, failing_gate
):
    with pytest.raises(TurnFailed):
        family_message_submit(conversation=conversation, text="We live in Ohio")
    failing_gate.undo()
    runner._compiled.clear()
    family_message_submit(conversation=conversation, text="Are you there?")
    family_entries = [
        e["text"] for e in graph_values(conversation)["transcript"] if e["role"] == "family"
    ]
    assert family_entries == ["We live in Ohio", "Are you there?"]


def test_a_reply_lost_after_the_checkpoint_is_stored_without_rerunning_the_graph(
    conversation, monkeypatch
):
    """The process dies after the graph finished but before the reply row was committed."""
    original_save = Conversation.save

    def die_once(self, *args, **kwargs):
        monkeypatch.setattr(Conversation, "save", original_save)
        raise Boom("killed before commit")

    monkeypatch.setattr(Conversation, "save", die_once)
    with pytest.raises(TurnFailed):
        family_message_submit(conversation=conversation, text="Hello")
    turns_before = graph_values(conversation)["turn"]
    from coach.turns import conversation_run_turn

    conversation_run_turn(conversation=conversation)
    assert (
        graph_values(conversation)["turn"],
        conversation.messages.filter(role="coach").count(),
    ) == (
        turns_before,
        2,
    )


def test_a_fresh_graph_instance_resumes_the_thread_from_its_checkpoint(conversation, fresh_graph):
    family_message_submit(conversation=conversation, text="First")
    # A new process would build a new saver (new connections) and compile the graph again.
    checkpointer.checkpointer_close()
    runner._compiled.clear()
    family_message_submit(conversation=conversation, text="Second")
    values = graph_values(conversation)
    assert (values["turn"], [e["text"] for e in values["transcript"] if e["role"] == "family"]) == (
        3,
        ["First", "Second"],
    )


def test_a_conversation_whose_greeting_fails_is_not_kept(family_alice, failing_gate):
    with pytest.raises(TurnFailed):
        conversation_start(family=family_alice)
    assert not Conversation.objects.exists()


def test_a_turn_with_nothing_unanswered_does_nothing(conversation):
    from coach.turns import conversation_run_turn

    assert conversation_run_turn(conversation=conversation) is None
    assert Message.objects.count() == 1


@pytest.fixture
def lost_turn(family_alice, catalog, settings):
    """A conversation whose answer to "Biology." was checkpointed, then lost with the database
    connection before it was stored."""
    conversation = conversation_start(family=family_alice)
    settings.COACH_FAULTS = {"db_drop": 1.0}
    with pytest.raises(TurnFailed):
        family_message_submit(conversation=conversation, text="Biology.")
    settings.COACH_FAULTS = {}
    return conversation


def test_a_reply_lost_to_a_connection_drop_is_replayed_not_rerun(lost_turn):
    conversation = lost_turn
    conversation_run_turn(conversation=conversation)
    replied = conversation.messages.filter(role="coach", reply_to__isnull=False).count()
    turns_run = DecisionTrace.objects.filter(conversation=conversation, node="guard").count()
    assert (replied, turns_run) == (1, 2)


def test_a_lost_turn_is_stored_before_the_next_message_is_answered(lost_turn):
    conversation = lost_turn
    family_message_submit(conversation=conversation, text="GPA 3.6.")
    answered = list(
        conversation.messages.filter(role="coach", reply_to__isnull=False)
        .order_by("seq")
        .values_list("reply_to__text", flat=True)
    )
    assert answered == ["Biology.", "GPA 3.6."]


def test_a_lost_turn_keeps_its_facts(lost_turn):
    from coach.models import ProfileFact

    conversation = lost_turn
    family_message_submit(conversation=conversation, text="GPA 3.6.")
    assert sorted(ProfileFact.objects.values_list("slot", flat=True)) == ["gpa", "major"]


def test_a_message_left_waiting_by_a_crash_is_answered_by_the_sweep(lost_turn):
    from datetime import timedelta

    from coach.messages import conversations_answer_waiting

    conversation = lost_turn
    answered = conversations_answer_waiting(older_than=timedelta(0), within=timedelta(days=1))
    replied = conversation.messages.filter(role="coach", reply_to__text="Biology.").exists()
    assert (answered, replied) == (1, True)


def test_the_sweep_leaves_answered_conversations_alone(family_alice, catalog):
    from datetime import timedelta

    from coach.messages import conversations_answer_waiting

    conversation = conversation_start(family=family_alice)
    family_message_submit(conversation=conversation, text="Biology.")
    assert conversations_answer_waiting(older_than=timedelta(0), within=timedelta(days=1)) == 0
