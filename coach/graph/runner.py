"""Run one coach turn on a conversation's thread, or resume it with a tool's result."""

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from langchain_core.runnables import RunnableConfig
from langgraph.graph.state import CompiledStateGraph
from langgraph.types import Command, Interrupt, StateSnapshot

from coach.graph.checkpointer import get_checkpointer
from coach.graph.context import LANGUAGE_MODEL, OPTIONAL_TOPIC_PICKER, language_model_from_config
from coach.graph.drafts import ReplyDrafts
from coach.graph.graph import build_coach_graph
from coach.graph.state import IncomingMessage
from coach.language.base import ExtractedFact, LanguageModel
from coach.ledger import ledger_apply, profile_of
from coach.profile import validate_slot_value

_lock = threading.Lock()
_compiled: dict[int, CompiledStateGraph] = {}


@dataclass(frozen=True)
class PendingTool:
    interrupt_id: str
    tool: str
    payload: dict[str, Any]


@dataclass(frozen=True)
class PendingApproval:
    interrupt_id: str
    checkpoint_id: str
    kind: str
    proposed: Any
    text: str


@dataclass(frozen=True)
class TurnOutcome:
    turn: int
    phase: str
    profile: dict[str, Any]
    changes: list[dict[str, Any]]
    trace: list[dict[str, Any]]
    # The reply (the turn is finished; None if it ended silently), or what the graph waits for:
    # a tool, or the family's approval of a write.
    reply: dict[str, Any] | None
    pending_tool: PendingTool | None
    pending_approval: PendingApproval | None
    shortlist: dict[str, Any] | None
    escalation: dict[str, Any] | None
    # Fact changes made after an approval (a confirmed fact the family chose to replace).
    approved_changes: list[dict[str, Any]]
    # The family message this turn answers (the last it read; None for the greeting).
    in_reply_to: str | None


def coach_graph() -> CompiledStateGraph:
    """The graph compiled once per checkpointer (so once per process)."""
    saver = get_checkpointer()
    with _lock:
        graph = _compiled.get(id(saver))
        if graph is None:
            _compiled.clear()
            graph = _compiled[id(saver)] = build_coach_graph(saver)
        return graph


def thread_config(
    conversation_id: str, *, language_model: LanguageModel | None = None, optional_topic_picker=None
) -> RunnableConfig:
    configurable: dict[str, Any] = {"thread_id": conversation_id}
    if language_model is not None:
        configurable[LANGUAGE_MODEL] = language_model
    if optional_topic_picker is not None:
        configurable[OPTIONAL_TOPIC_PICKER] = optional_topic_picker
    return {"configurable": configurable}


def _outcome(snapshot: StateSnapshot) -> TurnOutcome:
    """The outcome as the thread's checkpoint holds it."""
    interrupt = snapshot.interrupts[0] if snapshot.interrupts else None
    return _outcome_of(
        snapshot.values, interrupt, checkpoint_id=snapshot.config["configurable"]["checkpoint_id"]
    )


def _outcome_of(
    values: dict[str, Any], interrupt: Interrupt | None, *, checkpoint_id: str | None
) -> TurnOutcome:
    pending_tool = pending_approval = None
    if interrupt is not None:
        payload = dict(interrupt.value)
        if "approval" in payload:
            # A run paused at an approval is read back from its checkpoint (`_outcome`).
            assert checkpoint_id is not None, "an approval without the checkpoint it waits at"
            pending_approval = PendingApproval(
                interrupt.id,
                checkpoint_id,
                payload["approval"],
                payload["proposed"],
                payload["text"],
            )
        else:
            pending_tool = PendingTool(interrupt.id, payload.pop("tool"), payload)
    paused = interrupt is not None
    return TurnOutcome(
        turn=values["turn"],
        phase=values["phase"],
        profile=dict(values["profile"]),
        changes=list(values["changes"]),
        trace=list(values["trace"]),
        reply=None if paused else values["reply"],
        pending_tool=pending_tool,
        pending_approval=pending_approval,
        shortlist=values.get("shortlist"),
        escalation=None if paused else values.get("escalation"),
        approved_changes=list(values.get("approved_changes") or []),
        in_reply_to=(values.get("incoming") or [{}])[-1].get("message_id"),
    )


def _run(
    graph: CompiledStateGraph,
    graph_input: Any,
    config: RunnableConfig,
    drafts: ReplyDrafts | None = None,
) -> TurnOutcome:
    """Run the graph and return its outcome: a finished turn's from the run's final values, as
    the checkpoint now holds them, without reading the checkpoint back. A paused one (for a tool
    or an approval; rarer) is read back, for the checkpoint an approval waits at.

    With `drafts`, the run streams the chat model's tokens (LangGraph's message streaming) to it
    as they are written."""
    if drafts is None:
        output = graph.invoke(graph_input, config, durability="sync", version="v2")
        values, interrupts = output.value, output.interrupts
    else:
        values, interrupts = None, ()
        for part in graph.stream(
            graph_input,
            config,
            durability="sync",
            stream_mode=["values", "messages"],
            version="v2",
        ):
            if part["type"] == "messages":
                drafts.feed(*part["data"])
            elif part["type"] == "values":
                values, interrupts = part["data"], (*interrupts, *part["interrupts"])
    if interrupts:
        return _outcome(graph.get_state(config))
    return _outcome_of(values, None, checkpoint_id=None)


def run_coach_turn(
    *,
    conversation_id: str,
    incoming: list[IncomingMessage],
    language_model: LanguageModel | None = None,
    optional_topic_picker=None,
    on_draft: Callable[[str], None] | None = None,
) -> TurnOutcome:
    """Answer `incoming` (the family messages not yet answered; empty for the greeting).

    `on_draft` hears the reply's words while a chat model writes them (see `drafts`); a model
    that writes no words of its own (the offline rules) sends the reply whole, as always.

    If the checkpoint holds a turn the caller never stored (the process died after the graph ran
    but before its reply, tool call or approval was committed), that turn's outcome is returned
    without running the graph: the caller stores it, then asks again for what remains. So the
    family never gets two different answers to one message, and no fact or trace is lost.

    A turn cut between graph steps (the process died mid-turn) is finished from its checkpoint,
    never run afresh on top of the partial one: a fresh run would find the facts already in the
    graph's state and write no ledger rows, no audit entries and no trace for them. Its outcome
    answers the message it was answering; the caller stores it and asks again for the rest.
    """
    graph = coach_graph()
    config = thread_config(
        conversation_id, language_model=language_model, optional_topic_picker=optional_topic_picker
    )
    snapshot = graph.get_state(config)
    if _holds_an_unstored_turn(snapshot, incoming):
        return _outcome(snapshot)
    drafts = None
    if on_draft is not None and language_model_from_config(config).writes_text:
        drafts = ReplyDrafts([message["text"] for message in incoming], on_draft)
    if snapshot.next:
        return _run(graph, None, config, drafts)
    return _run(graph, {"incoming": incoming}, config, drafts)


def _holds_an_unstored_turn(snapshot, incoming: list[IncomingMessage]) -> bool:
    """The callers store every turn they run, and resume every pause they record; so a paused
    thread here, or a finished one whose reply answers a message still unanswered, was cut off
    before its outcome was stored."""
    if snapshot.interrupts:
        return True
    reply = snapshot.values.get("reply")
    if snapshot.next or reply is None:
        return False
    if not incoming:
        return reply["in_reply_to"] is None  # the greeting
    return reply["in_reply_to"] in {message["message_id"] for message in incoming}


def resume_coach_turn(
    *, conversation_id: str, interrupt_id: str, result: dict[str, Any], language_model=None
) -> TurnOutcome:
    """Resume the thread paused at `interrupt_id` with a tool's result or an approval's outcome.

    Safe to repeat: if that interrupt is no longer pending (it was already resumed), the graph is
    left alone and the current outcome is returned.
    """
    graph = coach_graph()
    config = thread_config(conversation_id, language_model=language_model)
    snapshot = graph.get_state(config)
    if interrupt_id not in {interrupt.id for interrupt in snapshot.interrupts}:
        return _outcome(snapshot)
    return _run(graph, Command(resume={interrupt_id: result}), config)


def hand_back_to_coach(
    *, conversation_id: str, phase: str, staff_facts: dict[str, Any]
) -> TurnOutcome:
    """After a counselor: set the phase and add their facts (provenance `staff`) to the ledger.

    Validated like any other fact; written as if the `ask` node had run, so the thread is left
    finished and the next family message starts a fresh turn.
    """
    graph = coach_graph()
    config = thread_config(conversation_id)
    values = graph.get_state(config).values
    extracted = tuple(
        ExtractedFact(slot, validate_slot_value(slot, value), 1.0, "staff")
        for slot, value in staff_facts.items()
    )
    facts, changes = ledger_apply(
        values.get("facts") or {}, extracted, source_message_id=None, turn=values.get("turn", 0)
    )
    graph.update_state(
        config,
        {
            "phase": phase,
            "facts": facts,
            "profile": profile_of(facts),
            "changes": [change.as_dict() for change in changes],
            "asked": [],
        },
        as_node="ask",
    )
    return _outcome(graph.get_state(config))
