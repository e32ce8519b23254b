"""Each node's entry in the turn's decision trace, with its latency (why did it ask that?)."""

import logging
import time
from collections.abc import Callable
from functools import wraps

from langchain_core.runnables import RunnableConfig

from coach.graph.state import CoachState, TraceEntry

logger = logging.getLogger(__name__)


def traced(node: Callable[..., dict]) -> Callable[..., dict]:
    """Append the node's own trace entry (with its latency) to this turn's trace."""

    @wraps(node)
    def run(state: CoachState, config: RunnableConfig | None = None) -> dict:
        started = time.perf_counter()
        update, entry = node(state, config)
        entry["latency_ms"] = round((time.perf_counter() - started) * 1000, 3)
        logger.info(
            "graph step",
            extra={
                "node": entry["node"],
                "decision": entry["decision"],
                "latency_ms": entry["latency_ms"],
            },
        )
        update["trace"] = [*(update.get("trace", state.get("trace")) or []), entry]
        return update

    return run


def trace_entry(
    node: str, decision: str, reason: str, *, score=None, before=None, after=None, **details
) -> TraceEntry:
    return {
        "node": node,
        "decision": decision,
        "reason": reason,
        "score": score,
        "slots_before": before or {},
        "slots_after": after or {},
        "latency_ms": 0.0,
        "details": details,
    }
