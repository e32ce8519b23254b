"""The coach's search and explanation tools (coach/tools.py) on the real catalog: the payload the
graph sends, the scope the family widened, and what the reply says about it."""

import pytest

from coach.catalog.models import College
from coach.profile import empty_profile
from coach.tools import PermanentToolError, explain_shortlist, search_colleges

pytestmark = pytest.mark.usefixtures("catalog")

MIAMI_DADE = 135717  # Miami Dade College: mainly associate degrees
FLORIDA_NURSING = {"major": "health", "gpa": 3.1, "budget": 15_000, "states": ["FL"]}


def search(**payload) -> dict:
    return search_colleges({"profile": empty_profile() | FLORIDA_NURSING} | payload)


def unitids(found: dict) -> list[int]:
    return [item["unitid"] for item in found["recommendations"]]


def test_without_a_scope_the_search_keeps_to_bachelors_colleges():
    found = search()

    degrees = College.objects.filter(unitid__in=unitids(found)).values_list(
        "predominant_degree", flat=True
    )
    assert set(degrees) == {3}
    assert (found["scope_note"], found["changes"]) == ("", "")


def test_a_two_year_scope_brings_two_year_colleges_in_and_says_so():
    found = search(scope={"two_year": True})

    degrees = College.objects.filter(unitid__in=unitids(found)).values_list(
        "predominant_degree", flat=True
    )
    assert {1, 2} & set(degrees)
    assert found["scope_note"] == "As you asked, the list includes two-year colleges."


def test_a_college_named_as_the_family_typed_it_is_on_the_list():
    found = search(scope={"named_names": ["miami dade college"]})

    assert MIAMI_DADE in unitids(found)
    assert "the colleges you named: Miami Dade College" in found["scope_note"]


def test_a_college_named_by_unitid_is_on_the_list():
    assert MIAMI_DADE in unitids(search(scope={"named": [MIAMI_DADE]}))


def test_a_name_no_college_answers_to_is_reported():
    found = search(scope={"named_names": ["Hogwarts", "Miami Dade College"]})

    assert found["unmatched_names"] == ["Hogwarts"]


def test_the_search_says_what_left_and_what_came_in_since_the_previous_list():
    before = search()
    cheaper = empty_profile() | FLORIDA_NURSING | {"budget": 9_000}

    after = search_colleges({"profile": cheaper, "previous": unitids(before)})

    assert "is no longer on the list:" in after["changes"]
    assert "above your $9,000 budget" in after["changes"]


@pytest.mark.parametrize(
    "payload",
    [
        {"scope": ["two_year"]},
        {"scope": {"two_year": "yes"}},
        {"scope": {"two_year": 1}},
        {"scope": {"named": ["Ohio State"]}},
        {"scope": {"named_names": [204796]}},
        {"scope": {"two_years": True}},
        {"previous": "204796"},
        {"previous": [204796.5]},
        {"profile": {"favourite_colour": "blue"}},
        {"profile": "engineering"},
    ],
)
def test_a_malformed_payload_is_a_permanent_error(payload):
    with pytest.raises(PermanentToolError):
        search_colleges({"profile": empty_profile() | FLORIDA_NURSING} | payload)


# --- explain_shortlist -----------------------------------------------------------------------


def test_the_explanation_starts_with_what_changed():
    before = search()
    cheaper = empty_profile() | FLORIDA_NURSING | {"budget": 9_000}
    after = search_colleges({"profile": cheaper, "previous": unitids(before)})

    text = explain_shortlist({"shortlist": after})["text"]

    assert text.startswith(after["changes"])


def test_the_explanation_says_the_scope_was_widened():
    found = search(scope={"two_year": True})

    text = explain_shortlist({"shortlist": found})["text"]

    assert "As you asked, the list includes two-year colleges." in text


def test_the_explanation_says_which_names_were_not_found():
    found = search(scope={"named_names": ["Hogwarts"]})

    assert (
        "I couldn't find “Hogwarts” in the college catalog."
        in (explain_shortlist({"shortlist": found})["text"])
    )


def test_the_explanation_counts_colleges_without_admission_data_apart():
    shortlist = {
        "recommendations": [{"fit": "match"}, {"fit": "open_admission"}, {"fit": "no_data"}],
        "explanation": "Only 3 college(s) meet every requirement.",
        "relaxations": [],
    }

    text = explain_shortlist({"shortlist": shortlist})["text"]

    assert "(1 match, 2 without published admission data)" in text
