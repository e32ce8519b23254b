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
SLOT_TOPIC: dict[str, str] = {slot: topic for topic, slots in TOPIC_SLOTS.items() for slot in slots}
REQUIRED_TOPICS: tuple[str, ...] = ("major", "academics", "budget", "location")
OPTIONAL_TOPICS: tuple[str, ...] = ("home_state", "income", "size", "setting")


def empty_profile() -> dict[str, Any]:
    return dict.fromkeys(SLOTS)


def topic_is_known(profile: Mapping[str, Any], topic: str) -> bool:
    return any(profile.get(slot) is not None for slot in TOPIC_SLOTS[topic])


def missing_topics(profile: Mapping[str, Any]) -> list[str]:
    """The required topics still unknown, in the order the API reports them."""
    return [topic for topic in REQUIRED_TOPICS if not topic_is_known(profile, topic)]


MAJORS: frozenset[str] = frozenset(
    {
        "agriculture",
        "natural_resources",
        "architecture",
        "communication",
        "computer_science",
        "education",
        "engineering",
        "engineering_technology",
        "languages",
        "legal",
        "english",
        "liberal_arts",
        "biology",
        "mathematics",
        "interdisciplinary",
        "parks_recreation_fitness",
        "philosophy_religion",
        "physical_sciences",
        "psychology",
        "public_administration",
        "social_sciences",
        "visual_performing_arts",
        "health",
        "business",
        "history",
        "criminal_justice",
        "undecided",
    }
)
# The 50 states, DC and the territories the catalog covers.
STATE_CODES: frozenset[str] = frozenset(
    {
        "AL",
        "AK",
        "AZ",
        "AR",
        "CA",
        "CO",
        "CT",
        "DE",
        "DC",
        "FL",
        "GA",
        "HI",
        "ID",
        "IL",
        "IN",
        "IA",
        "KS",
        "KY",
        "LA",
        "ME",
        "MD",
        "MA",
        "MI",
        "MN",
        "MS",
        "MO",
        "MT",
        "NE",
        "NV",
        "NH",
        "NJ",
        "NM",
        "NY",
        "NC",
        "ND",
        "OH",
        "OK",
        "OR",
        "PA",
        "RI",
        "SC",
        "SD",
        "TN",
        "TX",
        "UT",
        "VT",
        "VA",
        "WA",
        "WV",
        "WI",
        "WY",
        "PR",
        "GU",
        "VI",
        "AS",
        "MP",
        "FM",
        "MH",
    }
)
SIZES = frozenset({"small", "medium", "large", "any"})
SETTINGS = frozenset({"city", "suburb", "town", "rural", "any"})


# A weighted average is usually about this much above the unweighted one (honors and AP courses
# add up to a point each).
WEIGHTED_GPA_GAP = 0.5


def unweighted_gpa(value: float, detail: Mapping[str, Any] | None = None) -> float:
    """The GPA on the unweighted 4.0 scale that the fit rules reason with (DESIGN.md §3).

    An unweighted value on the 4.0 scale is used as it is; an unweighted value on another scale S
    becomes 4 × value / S; a weighted value (marked weighted, or above 4.0 with no scale given)
    becomes value − 0.5. Never above 4.0.
    """
    detail = detail or {}
    scale = detail.get("scale")
    if detail.get("weighted") or (scale is None and value > 4.0):
        return round(max(0.0, min(4.0, value - WEIGHTED_GPA_GAP)), 2)
    if scale and scale != 4.0:
        return round(min(4.0, 4.0 * value / float(scale)), 2)
    return round(min(4.0, value), 2)


class SlotValueError(ValueError):
    """A value outside what the slot allows; `explanation` is said to the family."""

    def __init__(self, slot: str, explanation: str):
        super().__init__(f"{slot}: {explanation}")
        self.slot = slot
        self.explanation = explanation


def _number(slot: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise SlotValueError(slot, "must be a number")
    return value


def validate_slot_value(slot: str, value: Any) -> Any:
    """The canonical value for `slot`, or SlotValueError. The one rule book for every model."""
    match slot:
        case "major":
            if value not in MAJORS:
                raise SlotValueError(slot, f"{value!r} is not a field we know")
            return value
        case "gpa":
            gpa = _number(slot, value)
            if not 0 <= gpa <= 5:
                raise SlotValueError(slot, f"a GPA of {value:g} is outside the 0–5 scale")
            return round(float(gpa), 2)
        case "sat":
            sat = _number(slot, value)
            if sat != int(sat) or not 400 <= sat <= 1600:
                hint = " (2400 was the old scale)" if 1600 < sat <= 2400 else ""
                raise SlotValueError(slot, f"an SAT of {value:g} is outside 400–1600{hint}")
            return int(sat)
        case "act":
            act = _number(slot, value)
            if act != int(act) or not 1 <= act <= 36:
                raise SlotValueError(slot, f"an ACT of {value:g} is outside 1–36")
            return int(act)
        case "test_optional":
            if not isinstance(value, bool):
                raise SlotValueError(slot, "must be true or false")
            return value
        case "budget":
            if value == "any":
                return value
            budget = _number(slot, value)
            if not 0 <= budget <= 150_000:
                raise SlotValueError(slot, f"${value:,.0f} a year is not a budget we can use")
            return int(budget)
        case "income":
            income = _number(slot, value)
            if not 0 <= income <= 10_000_000:
                raise SlotValueError(slot, f"${value:,.0f} is not a household income we can use")
            return int(income)
        case "states":
            if value == "any":
                return value
            if not isinstance(value, list | tuple) or not value:
                raise SlotValueError(slot, "must be a list of state codes or 'any'")
            codes = [str(code).upper() for code in value]
            unknown = [code for code in codes if code not in STATE_CODES]
            if unknown:
                raise SlotValueError(slot, f"{', '.join(unknown)} is not a U.S. state code")
            return sorted(set(codes), key=codes.index)
        case "home_state":
            code = str(value).upper()
            if code not in STATE_CODES:
                raise SlotValueError(slot, f"{value!r} is not a U.S. state code")
            return code
        case "size":
            if value not in SIZES:
                raise SlotValueError(slot, f"{value!r} is not small, medium, large or any")
            return value
        case "setting":
            if value not in SETTINGS:
                raise SlotValueError(slot, f"{value!r} is not city, suburb, town, rural or any")
            return value
    raise SlotValueError(slot, "is not a profile slot")
