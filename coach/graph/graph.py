"""Wiring of the coach graph. Nodes live in `nodes`; this module only connects them."""

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph

from coach.graph import nodes
from coach.graph.state import CoachState


def build_coach_graph(checkpointer: BaseCheckpointSaver) -> CompiledStateGraph:
    builder = StateGraph(CoachState)
    builder.add_node("receive", nodes.receive)
    builder.add_node("respond", nodes.respond)
    builder.add_edge(START, "receive")
    builder.add_edge("receive", "respond")
    builder.add_edge("respond", END)
    return builder.compile(checkpointer=checkpointer)
