"""`conversation_locked` tells its holder where the transcript ends and what the coach waits for;
a writer that had to wait for the lock sees what the previous holder committed meanwhile."""

import threading
import time

import pytest
from django.db import connections, transaction

from coach.models import Approval, ApprovalKind, ApprovalStatus, Role, ToolCall
from coach.transcript import conversation_locked, message_append
from handoff.opening import escalation_open

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def seen_after_waiting(alice_conversation):
    """What a second writer finds once the first, holding the lock, appended a message and
    queued a tool call."""
    holding = threading.Event()
    seen = {}

    def first() -> None:
        try:
            with transaction.atomic():
                locked = conversation_locked(alice_conversation)
                message_append(locked, role=Role.FAMILY, text="Biology, please.")
                ToolCall.objects.create(
                    key=f"{locked.id}:9:search",
                    conversation=locked,
                    turn=9,
                    tool="search",
                    interrupt_id="i",
                    payload={},
                )
                holding.set()
                # Time for the second writer to start waiting on the lock.
                time.sleep(0.3)
        finally:
            holding.set()
            connections.close_all()

    def second() -> None:
        holding.wait(timeout=30)
        try:
            with transaction.atomic():
                seen["locked"] = conversation_locked(alice_conversation)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return seen["locked"]


def test_a_waiting_writer_appends_after_the_previous_holders_message(seen_after_waiting):
    assert seen_after_waiting.last_seq == seen_after_waiting.messages.count()


def test_a_waiting_writer_sees_the_tool_call_queued_before_it(seen_after_waiting):
    assert seen_after_waiting.tool_underway


@pytest.fixture
def locked(alice_conversation):
    return conversation_locked(alice_conversation)


def test_messages_are_appended_one_after_another(locked):
    first = message_append(locked, role=Role.FAMILY, text="One.")
    second = message_append(locked, role=Role.FAMILY, text="Two.")
    assert (first.seq, second.seq) == (locked.last_seq - 1, locked.last_seq)


def test_a_new_family_message_is_not_yet_answered(locked):
    message = message_append(locked, role=Role.FAMILY, text="Biology.")
    assert conversation_locked(locked).answered_through < message.seq


def test_the_coachs_reply_answers_through_the_message_it_replies_to(locked):
    message = message_append(locked, role=Role.FAMILY, text="Biology.")
    message_append(locked, role=Role.COACH, text="Noted.", asks=[], reply_to=message)
    assert conversation_locked(locked).answered_through == message.seq


def test_a_counselors_message_answers_everything_before_it(locked):
    message_append(locked, role=Role.FAMILY, text="Biology.")
    counselor = message_append(locked, role=Role.COUNSELOR, text="I'm here.")
    assert conversation_locked(locked).answered_through == counselor.seq


def test_an_open_escalation_means_a_counselor_holds_the_conversation(locked):
    escalation_open(conversation=locked, reason="requested", urgent=False)
    assert conversation_locked(locked).counselor_holds


def test_a_decided_approval_not_yet_resumed_is_unfinished(locked):
    Approval.objects.create(
        key=f"{locked.id}:1:save_list",
        conversation=locked,
        turn=1,
        kind=ApprovalKind.SAVE_LIST,
        proposed={},
        summary="Save?",
        interrupt_id="i",
        checkpoint_id="c",
        status=ApprovalStatus.APPROVED,
        expires_at=locked.created,
    )
    assert conversation_locked(locked).approval_unfinished


def test_a_quiet_conversation_waits_for_nothing(locked):
    assert (locked.tool_underway, locked.counselor_holds, locked.approval_unfinished) == (
        False,
        False,
        False,
    )


def test_a_writer_that_only_appends_learns_where_the_transcript_ends(alice_conversation):
    locked = conversation_locked(alice_conversation, for_a_turn=False)
    assert locked.last_seq == alice_conversation.messages.count()
