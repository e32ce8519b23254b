"""Templated phrasing for the coach's replies: acknowledge, then ask one thing (or recommend)."""

from collections.abc import Iterable
from typing import Any

from coach.graph import prompts
from coach.profile import SLOTS

SLOT_LABELS: dict[str, str] = {
    "major": "major",
    "gpa": "GPA",
    "sat": "SAT",
    "act": "ACT",
    "test_optional": "test scores",
    "budget": "budget",
    "states": "places",
    "home_state": "home state",
    "income": "income",
    "size": "size",
    "setting": "setting",
}


MAJOR_LABELS: dict[str, str] = {
    "visual_performing_arts": "visual and performing arts",
    "health": "health professions (nursing, pre-health)",
    "parks_recreation_fitness": "recreation and fitness studies",
    "philosophy_religion": "philosophy and religion",
    "natural_resources": "environmental and natural resources",
    "languages": "foreign languages",
}


def describe_value(slot: str, value: Any) -> str:
    """A slot value as a person would say it."""
    if value == "any":
        return {"budget": "no budget limit", "states": "anywhere"}.get(slot, "no preference")
    match slot:
        case "major":
            if value == "undecided":
                return "undecided on a major"
            return "studying " + MAJOR_LABELS.get(value, value.replace("_", " "))
        case "gpa":
            return f"a {value:g} GPA"
        case "sat":
            return f"SAT {value}"
        case "act":
            return f"ACT {value}"
        case "test_optional":
            return "no test scores" if value else "test scores to come"
        case "budget":
            return f"up to ${value:,} a year"
        case "income":
            return f"household income of about ${value:,}"
        case "states":
            return "in " + _join(value, "or")
        case "home_state":
            return f"living in {value}"
        case "size":
            return f"a {value} school"
        case "setting":
            return f"a {value} setting"
    return str(value)


def _join(items: Iterable[str], word: str = "and") -> str:
    items = list(items)
    if len(items) <= 2:
        return f" {word} ".join(items)
    return ", ".join(items[:-1]) + f", {word} {items[-1]}"


def acknowledgement(changes: list[dict[str, Any]]) -> str:
    """'Got it: ...' for what this turn added, and an explicit note for each correction."""
    changes = sorted(changes, key=lambda change: SLOTS.index(change["slot"]))
    added = [describe_value(c["slot"], c["after"]) for c in changes if c["kind"] == "added"]
    corrected = [
        f"updated the {SLOT_LABELS[c['slot']]} to {describe_value(c['slot'], c['after'])} "
        f"(was {describe_value(c['slot'], c['before'])})"
        for c in changes
        if c["kind"] == "corrected"
    ]
    parts = []
    if added:
        parts.append(f"Got it: {_join(added)}.")
    if corrected:
        parts.append(f"I've {_join(corrected)}.")
    return " ".join(parts)


def question(topic: str) -> str:
    return prompts.QUESTIONS[topic]


def assumptions_sentence(
    assumptions: dict[str, str], *, template: str = prompts.RECOMMEND_ASSUMING
) -> str:
    if not assumptions:
        return ""
    return template.format(assumptions=_join(assumptions.values()))
