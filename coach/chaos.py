"""Chaos runs (DESIGN.md §9): simulated families talk to the coach through the HTTP API at the same
time, under injected faults, and afterwards the database is checked against the invariants every
run must keep, whatever failed along the way.

The families are the evaluation personas. Each gets its own account and token and answers what
the coach asks, as `coach.evaluation` does, but through the API a real client uses, so quotas,
validation, the 202 of a turn still queued, the 503 of a failed turn and the busy state of a tool
call are all on the path.
"""

import random
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.db import close_old_connections, connections
from django.test import Client

from aviator.accounts.services import token_issue, user_create
from aviator.roles import Role
from coach.evaluation import UNKNOWN_ANSWER, recommendation_violations
from coach.messages import conversations_answer_waiting
from coach.models import (
    TOOL_CALL_UNDERWAY,
    Conversation,
    DecisionTrace,
    Escalation,
    ProfileFact,
    Shortlist,
    ToolCall,
    ToolCallStatus,
)
from coach.tasks import STALE_AFTER, TOOL_TASK_OPTIONS, TRANSIENT_ERRORS
from coach.tool_calls import tool_calls_resend_stale

MAX_MESSAGES = 14
# A transient tool error is retried this many times in all before the call fails for good.
MAX_TOOL_ATTEMPTS = TOOL_TASK_OPTIONS["max_retries"] + 1
TRANSIENT_ERROR_NAMES = tuple(error.__name__ for error in TRANSIENT_ERRORS)
STILL_THERE = "Are you still there?"
# A tool call is finished, or has failed for good, within this (retries back off up to a minute);
# a run still waiting afterwards is a violation.
SETTLE_SECONDS = 180
# Longer than the resender's cadence plus a resent tool's run (see _wait_for_tool_calls).
QUIET_SECONDS = 3
# A family whose start meets an injected fault (a 503) tries again, as a person would; with a
# 10 % connection drop, three tries left about one 40-family run in eight with a family that
# gave up.
START_ATTEMPTS = 5


@dataclass
class FamilyRun:
    """What one simulated family did, as its client saw it."""

    conversation_id: str | None = None
    statuses: Counter = field(default_factory=Counter)
    # Messages the API took (200, or 503: stored though the coach could not answer).
    stored: int = 0
    error: str = ""


@dataclass
class ChaosReport:
    families: int
    faults: dict[str, float]
    seconds: float = 0.0
    statuses: Counter = field(default_factory=Counter)
    counts: Counter = field(default_factory=Counter)
    # Invariant name -> the conversations (and why) that broke it; empty lists mean it held.
    violations: dict[str, list[str]] = field(default_factory=dict)

    @property
    def held(self) -> bool:
        return not any(self.violations.values())


INVARIANTS = (
    "family messages stored exactly once",
    "every conversation ends in a valid state",
    "no duplicate coach replies or tool side effects",
    "recommendations within the catalog and the family's constraints",
    "transient faults retried until they cleared",
    "permanent faults escalated as tool failures",
    "every profile value has its ledger row",
)


def _next_text(persona: dict[str, Any], script: list[str], state: dict[str, Any]) -> str | None:
    """What the family says next: its script, then answers to what the coach asks; None: done."""
    if script:
        return script.pop(0)
    coach = [m for m in state["messages"] if m["role"] == "coach"]
    asks = coach[-1].get("asks", []) if coach else []
    if state["phase"] in ("escalated", "closed", "recommended") or not asks:
        return None
    return " ".join(persona.get("answers", {}).get(topic, UNKNOWN_ANSWER) for topic in asks)


def _settled(client: Client, headers: dict, conversation_id: str) -> dict:
    """The conversation's state once no tool call is running (or SETTLE_SECONDS passed)."""
    deadline = time.monotonic() + SETTLE_SECONDS
    while True:
        state = client.get(f"/api/v1/conversations/{conversation_id}/", headers=headers).json()
        if not state["busy"] or time.monotonic() > deadline:
            return state
        time.sleep(0.05)


def drive_family(persona: dict[str, Any], *, email: str, seed: int) -> FamilyRun:
    """One family's whole conversation through the API. Runs in its own thread."""
    run = FamilyRun()
    pace = random.Random(seed)
    try:
        family = user_create(email=email, password=None, role=Role.FAMILY)
        headers = {"Authorization": f"Bearer {token_issue(user=family)}"}
        client = Client()
        for _ in range(START_ATTEMPTS):
            response = client.post(
                "/api/v1/conversations/", "{}", "application/json", headers=headers
            )
            run.statuses[response.status_code] += 1
            if response.status_code == 201:
                break
        else:
            run.error = "could not start a conversation"
            return run
        run.conversation_id = response.json()["id"]
        url = f"/api/v1/conversations/{run.conversation_id}/messages/"
        script = [persona["opener"], *([persona["followup"]] if persona.get("followup") else [])]
        state = response.json()
        last_failed = False
        for _ in range(MAX_MESSAGES):
            text = STILL_THERE if last_failed else _next_text(persona, script, state)
            if text is None:
                break
            response = client.post(url, {"text": text}, "application/json", headers=headers)
            run.statuses[response.status_code] += 1
            # Stored: answered (200), still waiting for its turn (202), or its turn failed (503
            # turn_failed); a 503 for any other reason refused the message.
            failed = response.status_code == 503
            if response.status_code in (200, 202) or (
                failed and response.json()["error"]["code"] == "turn_failed"
            ):
                run.stored += 1
            last_failed = failed
            time.sleep(pace.uniform(0, 0.05))
            state = _settled(client, headers, run.conversation_id)
    except Exception as error:  # noqa: BLE001 - a crashed client is reported, not raised
        run.error = f"{type(error).__name__}: {error}"
    finally:
        connections.close_all()
    return run


def check_invariants(runs: list[FamilyRun]) -> tuple[dict[str, list[str]], Counter]:
    """The invariants of DESIGN.md §9 over the conversations of `runs`, from the database."""
    violations: dict[str, list[str]] = {name: [] for name in INVARIANTS}
    counts: Counter = Counter()
    for run in runs:
        if run.error:
            violations["every conversation ends in a valid state"].append(f"client: {run.error}")
        if run.conversation_id is None:
            continue
        conversation = Conversation.objects.get(pk=run.conversation_id)
        _check_conversation(conversation, run, violations, counts)
    return violations, counts


def unrecorded_profile_values(conversation) -> list[str]:
    """Profile values whose newest fact-ledger row holds something else (or nothing): a turn
    that changed the profile without writing its ledger."""
    newest: dict[str, Any] = {}
    for slot, value in (
        ProfileFact.objects.filter(conversation=conversation)
        .order_by("slot", "id")
        .values_list("slot", "value")
    ):
        newest[slot] = value
    return [
        f"{slot}={value!r} has no ledger row"
        for slot, value in conversation.profile.items()
        if value is not None and newest.get(slot) != value
    ]


def _check_conversation(conversation, run: FamilyRun, violations, counts: Counter) -> None:
    label = str(conversation.id)[:8]
    messages = list(conversation.messages.order_by("seq"))
    family = [m for m in messages if m.role == "family"]
    if len(family) != run.stored:
        violations["family messages stored exactly once"].append(
            f"{label}: the API took {run.stored}, the database holds {len(family)}"
        )
    escalation = Escalation.objects.filter(conversation=conversation).first()
    answered = {m.reply_to_id for m in messages if m.role == "coach" and m.reply_to_id}
    last_family = family[-1] if family else None
    waiting = ToolCall.objects.filter(
        conversation=conversation, status__in=TOOL_CALL_UNDERWAY
    ).exists()
    silent = (
        last_family is not None
        and escalation is None
        and not any(m.seq > last_family.seq and m.role == "coach" for m in messages)
    )
    if silent or waiting:
        why = "a tool call never finished" if waiting else "the last family message got no answer"
        violations["every conversation ends in a valid state"].append(f"{label}: {why}")
    per_turn = Counter(
        Shortlist.objects.filter(conversation=conversation).values_list("turn", flat=True)
    )
    coach_texts = [m.text for m in messages if m.role == "coach"]
    repeated = any(a == b for a, b in zip(coach_texts, coach_texts[1:], strict=False))
    if repeated or any(n > 1 for n in per_turn.values()):
        violations["no duplicate coach replies or tool side effects"].append(label)
    for problem in recommendation_violations(conversation):
        violations["recommendations within the catalog and the family's constraints"].append(
            f"{label}: {problem}"
        )
    for call in ToolCall.objects.filter(conversation=conversation):
        counts[f"tool calls {call.status}"] += 1
        counts["tool runs retried"] += max(call.attempts - 1, 0)
        if call.status != ToolCallStatus.FAILED:
            continue
        # The search is essential: without it there is no honest list, so a person takes over.
        # The explanation is not: the list is shown with its plain summary instead.
        essential = call.tool == "search_colleges"
        if essential and not (escalation and escalation.reason == "tool_failure"):
            violations["permanent faults escalated as tool failures"].append(
                f"{label}: {call.tool} failed, escalation {escalation and escalation.reason}"
            )
        gave_up_early = call.attempts < MAX_TOOL_ATTEMPTS
        if call.error.startswith(TRANSIENT_ERROR_NAMES) and gave_up_early:
            violations["transient faults retried until they cleared"].append(
                f"{label}: {call.tool} gave up after {call.attempts} attempts: {call.error}"
            )
    for problem in unrecorded_profile_values(conversation):
        violations["every profile value has its ledger row"].append(f"{label}: {problem}")
    counts["model fallbacks"] += DecisionTrace.objects.filter(
        conversation=conversation, node="extract", decision="fallback"
    ).count()
    counts["conversations"] += 1
    counts[f"ended {conversation.phase}"] += 1
    if escalation:
        counts[f"escalated: {escalation.reason}"] += 1
    counts["family messages"] += len(family)
    counts["coach replies"] += len(answered)


def chaos_run(
    personas: list[dict[str, Any]],
    *,
    families: int,
    concurrency: int,
    faults: dict[str, float],
    seed: int = 7,
) -> ChaosReport:
    """Drive `families` simulated families (cycling through `personas`) `concurrency` at a time.

    Faults are whatever `settings.COACH_FAULTS` holds while this runs (the caller sets them);
    `faults` is only reported. Tool calls are run by whatever worker consumes the broker.
    """
    report = ChaosReport(families=families, faults=faults)
    run_id = uuid.uuid4().hex[:8]
    started = time.monotonic()
    stop_resending = threading.Event()
    resender = threading.Thread(target=_resend_until, args=(stop_resending,), daemon=True)
    resender.start()
    try:
        with ThreadPoolExecutor(max_workers=concurrency) as pool:
            runs = list(
                pool.map(
                    lambda index: drive_family(
                        personas[index % len(personas)],
                        email=f"chaos-{run_id}-{index}@chaos.invalid",
                        seed=seed + index,
                    ),
                    range(families),
                )
            )
        _wait_for_tool_calls(runs)
    finally:
        stop_resending.set()
        resender.join()
    report.seconds = time.monotonic() - started
    close_old_connections()
    for run in runs:
        report.statuses.update(run.statuses)
    report.violations, report.counts = check_invariants(runs)
    return report


def _wait_for_tool_calls(runs: list[FamilyRun]) -> None:
    """Let tool calls still retrying (or waiting for a resend) finish before the checks: none
    open for QUIET_SECONDS in a row. A worker that has just finished one may queue the next (it
    answers the messages sent while the tool ran), a moment after the last one closed."""
    ids = [run.conversation_id for run in runs if run.conversation_id]
    deadline = time.monotonic() + SETTLE_SECONDS
    open_calls = ToolCall.objects.filter(conversation_id__in=ids, status__in=TOOL_CALL_UNDERWAY)
    quiet_since = None
    while time.monotonic() < deadline:
        if open_calls.exists():
            quiet_since = None
        elif quiet_since is None:
            quiet_since = time.monotonic()
        elif time.monotonic() - quiet_since >= QUIET_SECONDS:
            return
        time.sleep(0.2)


def _resend_until(stop: threading.Event) -> None:
    """What the beat jobs do, more often: tool calls and turns whose send was lost to a broker
    outage are sent again (a run must not wait for the beat's schedule)."""
    try:
        while not stop.wait(1.0):
            tool_calls_resend_stale(older_than=timedelta(seconds=2), running_older_than=STALE_AFTER)
            conversations_answer_waiting(older_than=timedelta(seconds=2), within=timedelta(hours=1))
    finally:
        connections.close_all()
