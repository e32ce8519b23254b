"""Wiring of the coach graph. Nodes live in `nodes`; this module only connects them."""

from typing import Literal

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph

from coach.graph import nodes
from coach.graph.state import CoachState


def route_after_gate(state: CoachState) -> Literal["ask", "recommend", "escalate"]:
    return state["decision"]["action"]


def build_coach_graph(checkpointer: BaseCheckpointSaver) -> CompiledStateGraph:
    builder = StateGraph(CoachState)
    builder.add_node("guard", nodes.guard)
    builder.add_node("extract", nodes.extract)
    builder.add_node("gate", nodes.gate)
    builder.add_node("ask", nodes.ask)
    builder.add_node("recommend", nodes.recommend)
    builder.add_node("escalate", nodes.escalate)
    builder.add_edge(START, "guard")
    builder.add_edge("guard", "extract")
    builder.add_edge("extract", "gate")
    builder.add_conditional_edges("gate", route_after_gate, ["ask", "recommend", "escalate"])
    for final in ("ask", "recommend", "escalate"):
        builder.add_edge(final, END)
    return builder.compile(checkpointer=checkpointer)
