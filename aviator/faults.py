"""Fault injection for chaos tests (`COACH_FAULTS`, DESIGN.md §8). Off unless configured.

`COACH_FAULTS=tool_error=0.2,tool_delay=3` makes 20% of tool runs fail with a transient error and
every tool run take 3 extra seconds. Faults fire at the real boundaries (the tool call, the model
call), so everything around them (retries, fallbacks, escalation) is exercised for real.
"""

import random
import time
from collections.abc import Mapping

# name -> (meaning, what its value is)
KNOWN_FAULTS: dict[str, str] = {
    "tool_error": "probability that a tool run raises a transient error",
    "tool_timeout": "probability that a tool run raises a timeout",
    "tool_failure": "probability that a tool run fails permanently",
    "tool_delay": "seconds added to every tool run",
}


class InjectedTransientFault(ConnectionError):
    """A fault that retrying may cure (it behaves like a dropped connection)."""


class InjectedPermanentFault(Exception):
    """A fault that retrying cannot cure."""


def parse_faults(spec: str) -> dict[str, float]:
    """`name=value,...` → {name: value}; ValueError naming what is wrong."""
    faults: dict[str, float] = {}
    for part in filter(None, (chunk.strip() for chunk in spec.split(","))):
        name, _, raw = part.partition("=")
        name = name.strip()
        if name not in KNOWN_FAULTS:
            raise ValueError(f"unknown fault {name!r}; known: {', '.join(KNOWN_FAULTS)}")
        try:
            value = float(raw)
        except ValueError:
            raise ValueError(f"fault {name} needs a number, not {raw!r}") from None
        if value < 0 or (name != "tool_delay" and value > 1):
            raise ValueError(f"fault {name}={raw} is out of range")
        faults[name] = value
    return faults


def inject_tool_faults(faults: Mapping[str, float], *, chance=random.random) -> None:
    """Apply the configured tool faults once (called at the start of every tool run)."""
    if faults.get("tool_delay"):
        time.sleep(faults["tool_delay"])
    if chance() < faults.get("tool_failure", 0):
        raise InjectedPermanentFault("injected permanent tool failure")
    if chance() < faults.get("tool_timeout", 0):
        raise TimeoutError("injected tool timeout")
    if chance() < faults.get("tool_error", 0):
        raise InjectedTransientFault("injected transient tool error")
