"""The profile vocabulary of DESIGN.md §3: slots, ask topics and what counts as known.

Pure data and functions, no Django: the gate, the graph and the API all read it.
"""

from collections.abc import Mapping
from typing import Any

SLOTS: tuple[str, ...] = (
    "major",
    "gpa",
    "sat",
    "act",
    "test_optional",
    "budget",
    "states",
    "home_state",
    "income",
    "size",
    "setting",
)

# Which slots each ask topic covers; a topic is known when any of its slots is.
TOPIC_SLOTS: dict[str, tuple[str, ...]] = {
    "major": ("major",),
    "academics": ("gpa", "sat", "act", "test_optional"),
    "budget": ("budget",),
    "location": ("states",),
    "home_state": ("home_state",),
    "income": ("income",),
    "size": ("size",),
    "setting": ("setting",),
}
REQUIRED_TOPICS: tuple[str, ...] = ("major", "academics", "budget", "location")
OPTIONAL_TOPICS: tuple[str, ...] = ("home_state", "income", "size", "setting")


def empty_profile() -> dict[str, Any]:
    return dict.fromkeys(SLOTS)


def topic_is_known(profile: Mapping[str, Any], topic: str) -> bool:
    return any(profile.get(slot) is not None for slot in TOPIC_SLOTS[topic])


def missing_topics(profile: Mapping[str, Any]) -> list[str]:
    """The required topics still unknown, in the order the API reports them."""
    return [topic for topic in REQUIRED_TOPICS if not topic_is_known(profile, topic)]
