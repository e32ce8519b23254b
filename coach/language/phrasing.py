"""Templated phrasing for the coach's replies: acknowledge, then ask one thing (or recommend)."""

import re
from collections.abc import Iterable, Mapping
from typing import Any

from coach.language import prompts
from coach.language.base import ExtractedFact
from coach.language.money import BUDGET_CUES, INCOME_CUES
from coach.language.vocabulary import STATE_NAMES
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


# "OH" → "Ohio", for questions a person reads.
STATE_LABELS: dict[str, str] = {
    code: name.title() for name, code in STATE_NAMES.items() if not name.startswith("washington ")
}
STATE_LABELS["DC"] = "Washington, D.C."

MAJOR_LABELS: dict[str, str] = {
    "visual_performing_arts": "visual and performing arts",
    "health": "health professions (nursing, pre-health)",
    "parks_recreation_fitness": "recreation and fitness studies",
    "philosophy_religion": "philosophy and religion",
    "natural_resources": "environmental and natural resources",
    "languages": "foreign languages",
}


def _income_bracket(detail: Mapping[str, Any]) -> str | None:
    if "words" in detail:
        return f"a {detail['words']} household"
    low, high = detail.get("low"), detail.get("high")
    if low is not None and high is not None:
        return f"household income of ${low:,}–${high:,}"
    if high is not None:
        return f"household income under ${high:,}"
    if low is not None:
        return f"household income of ${low:,} or more"
    return None


def describe_value(slot: str, value: Any, detail: Mapping[str, Any] | None = None) -> str:
    """A slot value as a person would say it, in the family's own terms when `detail` keeps them
    (an income bracket, a weighted GPA, the other majors named)."""
    detail = detail or {}
    if slot == "income" and (bracket := _income_bracket(detail)):
        return bracket
    if slot == "budget" and detail.get("low") is not None and detail.get("high") is not None:
        return f"up to ${detail['low']:,}–${detail['high']:,} a year"
    if slot == "gpa" and (detail.get("weighted") or detail.get("scale")):
        kind = "weighted " if detail.get("weighted") else ""
        scale = f" (on a {detail['scale']:g}-point scale)" if detail.get("scale") else ""
        return f"a {value:g} {kind}GPA{scale}"
    if slot == "major" and detail.get("alternatives"):
        # Short labels inside the parentheses: "(maybe health professions)".
        others = _join(
            [
                MAJOR_LABELS.get(m, m.replace("_", " ")).split(" (")[0]
                for m in detail["alternatives"]
            ],
            "or",
        )
        return f"{describe_value(slot, value)} (maybe {others})"
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


def plain_value(slot: str, value: Any) -> str:
    """A slot value for a reader scanning a table (reviewers, counselors): words for keys and
    codes, dollars for money, "—" when unknown."""
    if value is None:
        return "—"
    if value == "any":
        return {"budget": "no limit", "states": "anywhere"}.get(slot, "no preference")
    match slot:
        case "major":
            return MAJOR_LABELS.get(value, value.replace("_", " "))
        case "gpa":
            return f"{value:g}"
        case "budget":
            return f"${value:,} a year"
        case "income":
            return f"${value:,} a year"
        case "states":
            return ", ".join(value)
        case "test_optional":
            return "applying test-optional" if value else "has scores"
    return str(value)


def _join(items: Iterable[str], word: str = "and") -> str:
    items = list(items)
    if len(items) <= 2:
        return f" {word} ".join(items)
    return ", ".join(items[:-1]) + f", {word} {items[-1]}"


def acknowledgement(changes: list[dict[str, Any]]) -> str:
    """'Got it: ...' for what this turn added, and an explicit note for each correction."""
    changes = sorted(changes, key=lambda change: SLOTS.index(change["slot"]))
    added = [
        describe_value(c["slot"], c["after"], c.get("detail"))
        for c in changes
        if c["kind"] == "added"
    ]
    corrected = [
        f"updated the {SLOT_LABELS[c['slot']]} to "
        f"{describe_value(c['slot'], c['after'], c.get('detail'))} "
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


def question(topic: str, profile: Mapping[str, Any] | None = None) -> str:
    """The question for `topic`. Where the student lives is the first suggestion for where they
    might study, never an answer in its place."""
    home = (profile or {}).get("home_state")
    if topic == "location" and home:
        return prompts.LOCATION_WITH_HOME.format(home=STATE_LABELS.get(home, home))
    return prompts.QUESTIONS[topic]


def assumptions_sentence(
    assumptions: dict[str, str], *, template: str = prompts.RECOMMEND_ASSUMING
) -> str:
    if not assumptions:
        return ""
    return template.format(assumptions=_join(assumptions.values()))


def confirmation_question(conflict: Mapping[str, Any]) -> str:
    """One short question about a value that conflicts with what the family said before."""
    slot, value, before = conflict["slot"], conflict["value"], conflict["before"]
    kept = describe_value(slot, before)
    if conflict.get("alternative"):
        return prompts.CONFIRM_AMOUNT.format(
            amount=f"${value:,}",
            slot=prompts.AMOUNT_NAMES[slot],
            alternative=prompts.AMOUNT_NAMES[conflict["alternative"]],
            kept=kept,
        )
    if slot == "home_state":  # "change the home state to Ohio", not "to living in OH"
        after, kept = STATE_LABELS.get(value, value), STATE_LABELS.get(before, before)
    else:
        after = describe_value(slot, value)
    return prompts.CONFIRM_CHANGE.format(label=SLOT_LABELS[slot], after=after, kept=kept)


_NAMES_AMOUNT = {"income": INCOME_CUES, "budget": BUDGET_CUES}
_YES = r"\b(yes|yeah|yep|yup|correct|right|sure|please do|change it|update it|that's it|new)\b"
_NO = r"\b(no|nope|keep|don't|do not|wrong|mistake|typo|can't|cannot)\b"
# "It is not our income, it is the budget": a slot named after "not" is the one it is not.
_NOT_THIS = r"\b(?:not|isn't|is not|n't)\s+(?:\w+\s+){0,2}$"


def confirmation_answers(
    waiting: Iterable[Mapping[str, Any]], text: str
) -> tuple[ExtractedFact, ...]:
    """The facts a reply to the coach's confirmation settles: the value for the slot asked about
    ("yes"), for the other slot it may have meant ("that's our income", "it's not our income, it's
    the budget": the slot named last, not negated), or nothing ("no, we can't pay that much")."""
    lowered = text.lower()
    settled = []
    for conflict in waiting:
        named = sorted(
            (match.start(), slot)
            for slot in filter(None, (conflict["slot"], conflict.get("alternative")))
            for match in re.finditer(_NAMES_AMOUNT.get(slot, r"(?!)"), lowered)
            if not re.search(_NOT_THIS, lowered[: match.start()])
        )
        refused = re.search(_NO, lowered)
        if (
            conflict.get("alternative")
            and named
            and not (refused and named[-1][1] == conflict["slot"])
        ):
            slot = named[-1][1]
        elif re.search(_YES, lowered) and not refused:
            slot = conflict["slot"]
        else:
            continue
        settled.append(
            ExtractedFact(
                slot, conflict["value"], conflict["confidence"], "stated", conflict["detail"]
            )
        )
    return tuple(settled)
