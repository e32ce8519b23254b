"""Run one coach turn on a conversation's thread and report what the coach says and why."""

import threading
from dataclasses import dataclass
from typing import Any

from langgraph.graph.state import CompiledStateGraph

from coach.graph.checkpointer import get_checkpointer
from coach.graph.graph import build_coach_graph
from coach.graph.state import IncomingMessage
from coach.language import CONFIG_KEY, LanguageModel

_lock = threading.Lock()
_compiled: dict[int, CompiledStateGraph] = {}


@dataclass(frozen=True)
class TurnOutcome:
    turn: int
    text: str
    asks: list[str]
    in_reply_to: str | None
    phase: str
    profile: dict[str, Any]
    facts: dict[str, dict[str, Any]]
    changes: list[dict[str, Any]]
    trace: list[dict[str, Any]]
    decision: dict[str, Any] | None


def coach_graph() -> CompiledStateGraph:
    """The graph compiled once per checkpointer (so once per process)."""
    saver = get_checkpointer()
    with _lock:
        graph = _compiled.get(id(saver))
        if graph is None:
            _compiled.clear()
            graph = _compiled[id(saver)] = build_coach_graph(saver)
        return graph


def thread_config(conversation_id: str, language_model: LanguageModel | None = None) -> dict:
    configurable: dict[str, Any] = {"thread_id": conversation_id}
    if language_model is not None:
        configurable[CONFIG_KEY] = language_model
    return {"configurable": configurable}


def run_coach_turn(
    *,
    conversation_id: str,
    incoming: list[IncomingMessage],
    language_model: LanguageModel | None = None,
) -> TurnOutcome:
    """Answer `incoming` (the family messages not yet answered; empty for the greeting).

    If the checkpoint already holds a reply to the last of them (the process died after the graph
    finished but before the reply row was committed), that reply is returned without running the
    graph again, so the family never gets two different answers to one message.
    """
    graph = coach_graph()
    config = thread_config(conversation_id, language_model)
    expected_reply_to = incoming[-1]["message_id"] if incoming else None
    snapshot = graph.get_state(config)
    values = snapshot.values
    already_answered = (
        not snapshot.next
        and values.get("reply") is not None
        and values["reply"]["in_reply_to"] == expected_reply_to
    )
    if not already_answered:
        values = graph.invoke({"incoming": incoming}, config, durability="sync")
    reply = values["reply"]
    return TurnOutcome(
        turn=values["turn"],
        text=reply["text"],
        asks=list(reply["asks"]),
        in_reply_to=reply["in_reply_to"],
        phase=values["phase"],
        profile=dict(values["profile"]),
        facts=dict(values["facts"]),
        changes=list(values["changes"]),
        trace=list(values["trace"]),
        decision=values.get("decision"),
    )
