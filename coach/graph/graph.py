"""Wiring of the coach graph: guard → extract → [confirm_overwrite] → gate → ask | search → present
| tool_failed | escalate, or extract → propose_write when the family asks to save or send the list.
The nodes live in modules by role (reading, writes, deciding, recommending, handing_over); this
module only connects them.

Each node returns a partial state update and has no side effects: everything the outside world
must learn (ledger changes, decision traces, the reply) travels in the state, and the service
writes it after the turn. Nodes also time themselves for the decision trace (`tracing`).
"""

from typing import Literal

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph

from coach.graph import deciding, handing_over, reading, recommending, writes
from coach.graph.state import CoachState, approval_of, decision_of, shortlist_of
from coach.language.base import Intent

WRITE_INTENTS = {Intent.SAVE_LIST, Intent.EMAIL_LIST}


def route_after_extract(state: CoachState) -> Literal["confirm_overwrite", "propose_write", "gate"]:
    """Approvals first: a confirmed fact the family changed, or a list they want kept or sent
    (only with a list to act on, and never past a safety signal, which the gate must see)."""
    if state["held"]:
        return "confirm_overwrite"
    wants_write = WRITE_INTENTS & set(state["interpretation"]["intents"])
    if wants_write and state["recommended"] and not state["signals"]:
        return "propose_write"
    return "gate"


def route_after_confirm(state: CoachState) -> Literal["gate", "__end__"]:
    # Superseded by a newer family message: that message's turn answers instead.
    return "__end__" if approval_of(state)["decision"] == "superseded" else "gate"  # END


def route_after_gate(state: CoachState) -> Literal["ask", "search", "escalate"]:
    action = decision_of(state)["action"]
    return "search" if action == "recommend" else action


def route_after_search(state: CoachState) -> Literal["present", "tool_failed"]:
    return "tool_failed" if "error" in shortlist_of(state) else "present"


def build_coach_graph(checkpointer: BaseCheckpointSaver) -> CompiledStateGraph:
    builder = StateGraph(CoachState)
    builder.add_node("guard", reading.guard)
    builder.add_node("extract", reading.extract)
    builder.add_node("confirm_overwrite", writes.confirm_overwrite)
    builder.add_node("propose_write", writes.propose_write)
    builder.add_node("gate", deciding.gate)
    builder.add_node("ask", deciding.ask)
    builder.add_node("search", recommending.search)
    builder.add_node("present", recommending.present)
    builder.add_node("tool_failed", handing_over.tool_failed)
    builder.add_node("escalate", handing_over.escalate)
    builder.add_edge(START, "guard")
    builder.add_edge("guard", "extract")
    builder.add_conditional_edges(
        "extract", route_after_extract, ["confirm_overwrite", "propose_write", "gate"]
    )
    builder.add_conditional_edges("confirm_overwrite", route_after_confirm, ["gate", END])
    builder.add_conditional_edges("gate", route_after_gate, ["ask", "search", "escalate"])
    builder.add_conditional_edges("search", route_after_search, ["present", "tool_failed"])
    for final in ("ask", "present", "tool_failed", "escalate", "propose_write"):
        builder.add_edge(final, END)
    return builder.compile(checkpointer=checkpointer)
