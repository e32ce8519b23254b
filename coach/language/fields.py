"""The labelled fields of a post ("GPA: 3.8 UW", "Location: NYC", "Income: ~$130k"), each read by
what its label says it holds."""

import re

from coach.language.academics import read_gpa_field, read_scores
from coach.language.found import FoundFacts
from coach.language.majors import read_majors
from coach.language.money_facts import read_money
from coach.language.place_mentions import place_mentions
from coach.language.places import read_places


def _read_location_field(reading: FoundFacts, value: str, home_field: bool) -> None:
    """A "Location:" field: one state in a post without a residence is where the student
    lives; several places, a region or "no preference" say where they would study."""
    lowered = value.lower()
    mentions = place_mentions(value, lowered, field_value=True)
    if re.search(r"\b(?:no preference|anywhere|any|doesn't matter|don't care|open)\b", lowered):
        reading.offer("states", "any", value)
    elif len({code for m in mentions for code in m.codes}) == 1 and not home_field:
        reading.offer("home_state", mentions[0].codes[0], value)  # "Location: NYC (Queens)"
    elif mentions:
        places = read_places(
            value, lowered, asked={"location"}, home_known=None, self_description=False
        )
        if places.wanted:
            reading.offer("states", list(places.wanted), value)


def _read_home_field(reading: FoundFacts, value: str) -> None:
    mentions = [m for m in place_mentions(value, value.lower(), field_value=True)]
    singles = [m for m in mentions if len(m.codes) == 1]
    if singles:
        reading.offer("home_state", singles[0].codes[0], value)


def read_field(
    reading: FoundFacts,
    kind: str,
    label: str,
    value: str,
    asked: set[str],
    *,
    home_field: bool = False,
) -> None:
    lowered = value.lower()
    match kind:
        case "home" | "school":
            _read_home_field(reading, value)
        case "location":
            _read_location_field(reading, value, home_field)
        case "demographics":
            _read_home_field(reading, value)
            read_money(reading, lowered, asked | {"income"})
        case "income":
            read_money(reading, lowered, asked, only="income")
        case "budget":
            read_money(reading, lowered, asked, only="budget")
        case "major":
            majors = read_majors(lowered, strict=False)
            if majors:
                others = {"alternatives": majors[1:]} if majors[1:] else None
                reading.offer("major", majors[0], value, detail=others)
        case "gpa":
            reading.offer_gpa(read_gpa_field(lowered, label=label))
        case "scores":
            for score in read_scores(f"{label}: {lowered}"):
                reading.offer(score.slot, score.value, score.raw)
