"""`conversation_locked` tells its holder where the transcript ends and what the coach waits for;
a writer that had to wait for the lock sees what the previous holder committed meanwhile."""

import threading
import time

import pytest
from django.db import connection, connections, transaction
from django.db.transaction import TransactionManagementError

from coach import turns
from coach.escalations import escalation_open
from coach.models import Approval, ApprovalKind, ApprovalStatus, Message, Role, ToolCall
from coach.services import family_message_store
from coach.transcript import conversation_locked, message_append

pytestmark = pytest.mark.django_db(transaction=True)


def _someone_waits_for_a_lock(deadline_seconds: float = 10) -> None:
    """Until another session waits on a lock (PostgreSQL shows it; SQLite cannot, so there the
    holder just gives the waiter a moment)."""
    if connection.vendor != "postgresql":
        time.sleep(0.3)
        return
    deadline = time.monotonic() + deadline_seconds
    with connections["default"].cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE wait_event_type = 'Lock' AND datname = current_database()"
            )
            if cursor.fetchone()[0]:
                return
            time.sleep(0.02)


@pytest.fixture
def seen_after_waiting(alice_conversation):
    """What a second writer finds once the first, holding the lock, appended a message and
    queued a tool call, and what the transcript held before."""
    before = alice_conversation.messages.count()
    holding = threading.Event()
    seen, errors = {}, []

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
                _someone_waits_for_a_lock()
        except BaseException as error:  # noqa: BLE001 - reported by the test
            errors.append(error)
        finally:
            holding.set()
            connections.close_all()

    def second() -> None:
        holding.wait(timeout=30)
        try:
            with transaction.atomic():
                seen["locked"] = conversation_locked(alice_conversation, for_a_turn=True)
        except BaseException as error:  # noqa: BLE001 - reported by the test
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    return before, seen["locked"]


def test_a_waiting_writer_appends_after_the_previous_holders_message(seen_after_waiting):
    before, locked = seen_after_waiting
    assert locked.last_seq == before + 1


def test_a_waiting_writer_sees_the_tool_call_queued_before_it(seen_after_waiting):
    _, locked = seen_after_waiting
    assert locked.tool_underway


def test_it_refuses_to_lock_outside_a_transaction(alice_conversation):
    with pytest.raises(TransactionManagementError):
        conversation_locked(alice_conversation)


@pytest.fixture
def locked(alice_conversation):
    with transaction.atomic():
        yield conversation_locked(alice_conversation)


def _relocked(conversation):
    return conversation_locked(conversation, for_a_turn=True)


def test_messages_are_appended_at_the_end_of_the_transcript(locked):
    before = list(Message.objects.filter(conversation=locked).values_list("seq", flat=True))
    first = message_append(locked, role=Role.FAMILY, text="One.")
    second = message_append(locked, role=Role.FAMILY, text="Two.")
    assert (first.seq, second.seq) == (max(before) + 1, max(before) + 2)


def test_a_new_family_message_is_not_yet_answered(locked):
    message = message_append(locked, role=Role.FAMILY, text="Biology.")
    assert _relocked(locked).answered_through < message.seq


def test_the_coachs_reply_answers_through_the_message_it_replies_to(locked):
    message = message_append(locked, role=Role.FAMILY, text="Biology.")
    message_append(locked, role=Role.COACH, text="Noted.", asks=[], reply_to=message)
    assert _relocked(locked).answered_through == message.seq


def test_a_counselors_message_answers_everything_before_it(locked):
    message_append(locked, role=Role.FAMILY, text="Biology.")
    counselor = message_append(locked, role=Role.COUNSELOR, text="I'm here.")
    assert _relocked(locked).answered_through == counselor.seq


def test_an_open_escalation_means_a_counselor_holds_the_conversation(locked):
    escalation_open(conversation=locked, reason="requested", urgent=False)
    assert _relocked(locked).counselor_holds


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
    assert _relocked(locked).approval_unfinished


def test_a_quiet_conversation_waits_for_nothing(locked):
    flags = _relocked(locked)
    assert (flags.tool_underway, flags.counselor_holds, flags.approval_unfinished) == (
        False,
        False,
        False,
    )


needs_row_locks = pytest.mark.skipif(
    "connection.vendor != 'postgresql'", reason="SQLite serializes every write transaction"
)


def _in_thread(work) -> threading.Thread:
    def run():
        try:
            work()
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


@needs_row_locks
def test_a_family_message_is_stored_while_a_turn_holds_the_conversation(alice_conversation):
    holding, stored = threading.Event(), threading.Event()
    released_after_the_store = []

    def turn():
        with transaction.atomic():
            conversation_locked(alice_conversation, for_a_turn=True)
            holding.set()
            released_after_the_store.append(stored.wait(timeout=20))

    holder = _in_thread(turn)
    holding.wait(timeout=10)
    _in_thread(
        lambda: (
            family_message_store(conversation=alice_conversation, text="Biology."),
            stored.set(),
        )
    ).join(timeout=30)
    holder.join(timeout=30)
    assert released_after_the_store == [True]


@needs_row_locks
def test_a_turn_appends_after_a_message_stored_while_it_ran(alice_conversation):
    holding, stored = threading.Event(), threading.Event()
    seqs = {}

    def turn():
        with transaction.atomic():
            locked = conversation_locked(alice_conversation, for_a_turn=True)
            holding.set()
            stored.wait(timeout=20)
            seqs["reply"] = message_append(locked, role=Role.COACH, text="Noted.", asks=[]).seq

    holder = _in_thread(turn)
    holding.wait(timeout=10)
    family = family_message_store(conversation=alice_conversation, text="Biology.")
    stored.set()
    holder.join(timeout=30)
    assert seqs["reply"] == family.seq + 1


def test_a_turn_does_not_mark_done_a_message_stored_while_it_ran(alice_conversation, monkeypatch):
    first = family_message_store(conversation=alice_conversation, text="Biology.")
    real_turn = turns.run_coach_turn
    arrived = []

    def turn_during_which_the_family_writes_again(**arguments):
        _in_thread(
            lambda: arrived.append(
                family_message_store(conversation=alice_conversation, text="And Ohio.")
            )
        ).join(timeout=30)
        return real_turn(**arguments)

    monkeypatch.setattr(turns, "run_coach_turn", turn_during_which_the_family_writes_again)
    turns.conversation_run_turn(conversation=alice_conversation)
    alice_conversation.refresh_from_db()
    assert first.seq <= alice_conversation.turns_done_through < arrived[0].seq
