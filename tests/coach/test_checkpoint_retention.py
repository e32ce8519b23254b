"""Checkpoint retention: old threads keep only their newest checkpoint and still work; threads
someone may still look at keep their whole history; recent threads are not touched."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from aviator.ops.retention import CheckpointPruneReport, checkpoints_prune
from coach import approvals
from coach.approvals import approvals_sweep
from coach.graph.checkpointer import get_checkpointer
from coach.graph.runner import coach_graph, thread_config
from coach.models import (
    Approval,
    ApprovalStatus,
    Conversation,
    Role,
    ToolCall,
    ToolCallStatus,
)
from coach.services import approval_decide, conversation_start, family_message_submit
from review.models import TranscriptLabel, Verdict

pytestmark = pytest.mark.django_db

# Past any grace period: every checkpoint written by the test is "old" at this time.
A_YEAR_FROM_NOW = timezone.now() + timedelta(days=365)


def prune(conversation: Conversation, **options) -> CheckpointPruneReport:
    """Prune this conversation's thread only: other tests' threads share the checkpoint tables."""
    options.setdefault("now", A_YEAR_FROM_NOW)
    return checkpoints_prune(thread_ids=[str(conversation.id)], **options)


def checkpoint_ids(conversation: Conversation) -> list[str]:
    config = thread_config(str(conversation.id))
    return [
        item.config["configurable"]["checkpoint_id"] for item in get_checkpointer().list(config)
    ]


def graph_values(conversation: Conversation) -> dict:
    return coach_graph().get_state(thread_config(str(conversation.id))).values


def label(conversation: Conversation, verdict: Verdict) -> None:
    TranscriptLabel.objects.create(conversation=conversation, verdict=verdict)


def test_older_checkpoints_of_an_old_thread_are_removed(recommended):
    prune(recommended)
    assert len(checkpoint_ids(recommended)) == 1


def test_the_newest_checkpoint_is_kept(recommended):
    newest = checkpoint_ids(recommended)[0]
    prune(recommended)
    assert checkpoint_ids(recommended) == [newest]


def test_the_state_reads_the_same_after_pruning(recommended):
    before = graph_values(recommended)
    prune(recommended)
    assert graph_values(recommended) == before


def test_the_report_counts_what_was_removed(recommended):
    before = len(checkpoint_ids(recommended))
    report = prune(recommended)
    assert (report.threads_pruned, report.rows_removed["checkpoints"]) == (1, before - 1)


def test_the_coach_answers_the_next_message_after_pruning(recommended, run_tools_in_process):
    prune(recommended)
    # A new state means a new search: the reply comes once the tool has run.
    result = family_message_submit(conversation=recommended, text="What about Virginia?")
    run_tools_in_process(recommended)
    reply = recommended.messages.filter(role=Role.COACH).order_by("-seq").first()
    assert reply.reply_to == result.family_message


def test_the_transcript_and_profile_continue_after_pruning(recommended, run_tools_in_process):
    before = graph_values(recommended)
    prune(recommended)
    family_message_submit(conversation=recommended, text="What about Virginia?")
    run_tools_in_process(recommended)
    after = graph_values(recommended)
    assert after["transcript"][: len(before["transcript"])] == before["transcript"]
    assert after["profile"]["major"] == before["profile"]["major"]


def test_an_escalated_conversation_keeps_all_its_checkpoints(escalated):
    conversation = escalated.conversation
    before = checkpoint_ids(conversation)
    report = prune(conversation)
    assert (checkpoint_ids(conversation), report.threads_protected) == (before, 1)


def test_a_conversation_labelled_bad_keeps_all_its_checkpoints(recommended):
    label(recommended, Verdict.BAD_RECOMMENDATION)
    before = checkpoint_ids(recommended)
    prune(recommended)
    assert checkpoint_ids(recommended) == before


def test_a_conversation_labelled_good_is_pruned(recommended):
    label(recommended, Verdict.GOOD)
    prune(recommended)
    assert len(checkpoint_ids(recommended)) == 1


def test_a_conversation_awaiting_approval_keeps_all_its_checkpoints(recommended):
    family_message_submit(conversation=recommended, text="Please save this list to My list.")
    assert Approval.objects.get(conversation=recommended).status == ApprovalStatus.PENDING
    before = checkpoint_ids(recommended)
    prune(recommended)
    assert checkpoint_ids(recommended) == before


def test_a_paused_thread_resumes_after_pruning(recommended, monkeypatch):
    """The interrupt a thread waits on lives in its newest checkpoint's pending writes: an
    approval decided by a process that died before resuming is finished by the sweep."""
    family_message_submit(conversation=recommended, text="Please save this list to My list.")
    approval = Approval.objects.get(conversation=recommended)

    def dies(**kwargs):
        raise ConnectionError("process died")

    monkeypatch.setattr(approvals, "resume_coach_turn", dies)
    approval_decide(
        conversation=recommended, approval_id=approval.id, approve=True, family=recommended.family
    )
    monkeypatch.undo()
    assert prune(recommended).threads_pruned == 1
    approvals_sweep(now=timezone.now() + timedelta(minutes=5))
    reply = recommended.messages.filter(role=Role.COACH).order_by("-seq").first()
    assert reply.text.startswith("Done: the")


def test_a_conversation_waiting_for_a_tool_keeps_all_its_checkpoints(family_alice, catalog):
    conversation = conversation_start(family=family_alice)
    family_message_submit(
        conversation=conversation, text="Biology, GPA 3.8, ACT 29, 24k a year, North Carolina."
    )
    assert ToolCall.objects.get(conversation=conversation).status == ToolCallStatus.QUEUED
    before = checkpoint_ids(conversation)
    prune(conversation)
    assert checkpoint_ids(conversation) == before


def test_a_recent_thread_is_untouched(recommended):
    before = checkpoint_ids(recommended)
    report = prune(recommended, now=timezone.now())
    assert (checkpoint_ids(recommended), report.threads_recent) == (before, 1)


def test_the_checkpoints_of_a_deleted_conversation_are_removed(recommended):
    conversation_id = recommended.id
    recommended.delete()
    report = checkpoints_prune(now=A_YEAR_FROM_NOW, thread_ids=[str(conversation_id)])
    assert report.threads_removed == 1
    assert checkpoint_ids(Conversation(id=conversation_id)) == []


def test_a_dry_run_removes_nothing(recommended):
    before = checkpoint_ids(recommended)
    prune(recommended, dry_run=True)
    assert checkpoint_ids(recommended) == before


def test_a_dry_run_reports_what_a_real_run_removes(recommended):
    planned = prune(recommended, dry_run=True)
    done = prune(recommended)
    assert (planned.rows_removed, planned.threads_pruned) == (
        done.rows_removed,
        done.threads_pruned,
    )


def test_the_command_prints_what_a_dry_run_would_remove(recommended, settings):
    # Without a grace period the checkpoints just written are old enough to prune.
    settings.CHECKPOINT_PRUNE_AFTER_HOURS = 0
    before = checkpoint_ids(recommended)
    out = StringIO()
    call_command("prune_checkpoints", "--dry-run", stdout=out)
    printed = out.getvalue()
    report = checkpoints_prune(dry_run=True)
    assert f"checkpoints: would remove {report.rows_removed['checkpoints']} rows" in printed
    assert "Dry run: nothing was removed." in printed
    assert checkpoint_ids(recommended) == before
