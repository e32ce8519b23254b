"""Fault injection for chaos tests (`COACH_FAULTS`, DESIGN.md §8). Off unless configured.

`COACH_FAULTS=tool_error=0.2,tool_delay=3` makes 20% of tool runs fail with a transient error and
every tool run take 3 extra seconds. Faults fire at the real boundaries (the model call, the tool
run, the send to the broker, the database during a turn), so everything around them (retries,
fallbacks, resends, replays, escalation) is exercised for real.
"""

import random
import time
from collections.abc import Mapping

from django.db import OperationalError as DatabaseOperationalError
from kombu.exceptions import OperationalError as BrokerOperationalError

from aviator.envparse import named_numbers

# name -> (meaning, what its value is)
KNOWN_FAULTS: dict[str, str] = {
    "tool_error": "probability that a tool run raises a transient error",
    "tool_timeout": "probability that a tool run raises a timeout",
    "tool_failure": "probability that a tool run fails permanently",
    "tool_delay": "seconds added to every tool run",
    "model_error": "probability that a model call fails with a transient error",
    "model_timeout": "probability that a model call times out",
    "model_delay": "seconds added to every model call (a chat model's latency, offline)",
    "broker_down": "probability that sending a task to the broker fails",
    "db_drop": "probability that the database connection drops before a turn's reply is stored",
}


class InjectedTransientFault(ConnectionError):
    """A fault that retrying may cure (it behaves like a dropped connection)."""


class InjectedPermanentFault(Exception):
    """A fault that retrying cannot cure."""


def parse_faults(spec: str) -> dict[str, float]:
    """`name=value,...` → {name: value}; ValueError naming what is wrong."""
    faults = named_numbers(spec, known=KNOWN_FAULTS, kind="fault")
    for name, value in faults.items():
        if not value >= 0 or (not name.endswith("_delay") and value > 1):
            raise ValueError(f"fault {name}={value:g} is out of range")
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


def inject_model_faults(
    faults: Mapping[str, float], *, chance=random.random, sleep=time.sleep
) -> None:
    """Before a model call: the provider takes its time, then may time out or answer with a
    transient error. `model_delay` lets a load test show real-model latency offline."""
    if faults.get("model_delay"):
        sleep(faults["model_delay"])
    if chance() < faults.get("model_timeout", 0):
        raise TimeoutError("injected model timeout")
    if chance() < faults.get("model_error", 0):
        raise InjectedTransientFault("injected model error")


def inject_broker_faults(faults: Mapping[str, float], *, chance=random.random) -> None:
    """Before a task is sent: the broker cannot be reached."""
    if chance() < faults.get("broker_down", 0):
        raise BrokerOperationalError("injected broker outage")


def inject_database_faults(faults: Mapping[str, float], *, chance=random.random) -> None:
    """During a turn, after the graph ran and before its reply is stored: the connection drops."""
    if chance() < faults.get("db_drop", 0):
        raise DatabaseOperationalError("injected database connection drop")
