"""Which catalog colleges a family means by the names they typed. Pure, on a hand-made catalog
whose names are spelled as the College Scorecard spells them."""

import pytest

from coach.catalog.college_names import resolve_college_names
from tests.catalog.factories import college

CATALOG = (
    college(204796, name="Ohio State University-Main Campus"),
    college(204671, name="Ohio State University-Lima Campus", main_campus=False),
    college(204680, name="Ohio State University-Mansfield Campus", main_campus=False),
    college(110635, name="University of California-Berkeley", undergrad_size=32_000),
    college(110662, name="University of California-Los Angeles", undergrad_size=33_000),
    college(110680, name="University of California-San Diego", undergrad_size=33_000),
    college(482477, name="DeVry University-Illinois"),
    college(482574, name="DeVry University-Ohio", main_campus=False),
    college(482635, name="DeVry University-Texas", main_campus=False),
    college(135717, name="Miami Dade College"),
    college(170976, name="University of Michigan-Ann Arbor", undergrad_size=33_488),
    college(171137, name="University of Michigan-Dearborn", undergrad_size=5_882),
    college(171146, name="University of Michigan-Flint", undergrad_size=4_157),
    college(139755, name="Georgia Institute of Technology-Main Campus"),
    college(164988, name="Boston University", undergrad_size=18_000),
    college(164924, name="Boston College", undergrad_size=9_500),
    college(174066, name="St Olaf College"),
)


def resolved(*names: str) -> tuple[int, ...]:
    return resolve_college_names(names, CATALOG)


@pytest.mark.parametrize(
    ("typed", "unitid"),
    [
        ("Ohio State", 204796),
        ("UC Berkeley", 110635),
        ("DeVry", 482477),
        ("Miami Dade College", 135717),
        ("University of Michigan", 170976),
        ("Georgia Tech", 139755),
    ],
)
def test_a_name_as_a_family_types_it_resolves_to_the_college_it_means(typed, unitid):
    assert resolved(typed) == (unitid,)


@pytest.mark.parametrize("typed", ["ohio state university", "OHIO STATE!", "  Ohio   State. "])
def test_case_punctuation_and_spacing_do_not_matter(typed):
    assert resolved(typed) == (204796,)


def test_a_main_campus_suffix_may_be_typed_or_left_out():
    assert resolved("Ohio State University-Main Campus") == resolved("Ohio State University")


def test_saint_and_st_are_the_same():
    assert resolved("Saint Olaf College") == resolved("St. Olaf") == (174066,)


def test_a_branch_campus_named_in_full_resolves_to_that_campus():
    assert resolved("Ohio State University-Lima Campus") == (204671,)


def test_a_system_without_a_clear_flagship_resolves_to_nothing():
    assert resolved("University of California") == ()


def test_a_name_two_different_colleges_answer_to_resolves_to_nothing():
    assert resolved("Boston") == ()


def test_a_name_no_college_answers_to_resolves_to_nothing():
    assert resolved("Hogwarts") == ()


def test_several_names_resolve_in_order_without_repeats():
    assert resolved("Georgia Tech", "Hogwarts", "ohio state", "Ohio State") == (139755, 204796)
