"""The ranking on the real College Scorecard catalog (DESIGN.md §5), as the coach reads it.

Every recommendation must be a college of the catalog, with the catalog's own values: the tests
compare what the ranking says against the `College` rows loaded from `data/colleges.csv`.
"""

import pytest

from coach.catalog.models import College
from coach.catalog.ranking import estimated_net_price, fit_label, rank_colleges
from coach.catalog.selectors import catalog_records
from coach.profile import empty_profile

pytestmark = pytest.mark.usefixtures("catalog")

HARVARD = 166027
OHIO_ENGINEERING = {
    "major": "engineering",
    "gpa": 3.6,
    "sat": 1300,
    "budget": 25_000,
    "states": ["OH", "MI", "IN"],
}


def profile(**slots) -> dict:
    return empty_profile() | slots


def rows_of(result) -> dict[int, College]:
    return College.objects.in_bulk([r.unitid for r in result.recommendations])


def test_the_selector_returns_every_college_of_the_catalog():
    records = catalog_records()

    assert len(records) == College.objects.count() > 2000
    assert len({record.unitid for record in records}) == len(records)


def test_an_ohio_engineering_family_gets_6_to_12_colleges_in_its_states():
    result = rank_colleges(profile(**OHIO_ENGINEERING), catalog_records())

    assert 6 <= len(result.recommendations) <= 12
    assert {r.state for r in result.recommendations} <= {"OH", "MI", "IN"}


def test_an_ohio_engineering_family_gets_only_colleges_within_its_budget():
    result = rank_colleges(profile(**OHIO_ENGINEERING), catalog_records())
    colleges = rows_of(result)

    for recommendation in result.recommendations:
        assert recommendation.net_price is not None
        assert recommendation.net_price <= 25_000
        assert colleges[recommendation.unitid].net_price == recommendation.net_price


def test_an_ohio_engineering_family_gets_only_colleges_awarding_engineering_degrees():
    result = rank_colleges(profile(**OHIO_ENGINEERING), catalog_records())

    for college in rows_of(result).values():
        assert college.program_shares.get("engineering", 0) > 0, college.name


def test_an_ohio_engineering_family_gets_a_mix_of_fits_in_order():
    result = rank_colleges(profile(**OHIO_ENGINEERING), catalog_records())
    fits = [r.fit for r in result.recommendations]

    assert len(set(fits)) >= 2
    order = {"reach": 0, "match": 1, "likely": 2}
    assert fits == sorted(fits, key=order.__getitem__)
    assert fits.count("reach") <= 3


def test_every_recommendation_is_a_catalog_college_with_the_catalogs_values():
    result = rank_colleges(profile(**OHIO_ENGINEERING), catalog_records())
    colleges = rows_of(result)

    assert len(colleges) == len(result.recommendations)
    for recommendation in result.recommendations:
        college = colleges[recommendation.unitid]
        assert (recommendation.name, recommendation.city, recommendation.state) == (
            college.name,
            college.city,
            college.state,
        )
        assert recommendation.admission_rate == college.admission_rate
        assert recommendation.net_price == college.net_price
        assert recommendation.url == college.url


def test_the_reasons_quote_the_catalogs_price():
    result = rank_colleges(profile(**OHIO_ENGINEERING), catalog_records())

    for recommendation in result.recommendations:
        assert f"${recommendation.net_price:,}/yr" in recommendation.reasons[0]


def test_a_family_earning_40000_sees_the_30_to_48k_price_of_each_college():
    slots = profile(**OHIO_ENGINEERING, income=40_000)

    result = rank_colleges(slots, catalog_records())
    colleges = rows_of(result)

    assert 6 <= len(result.recommendations) <= 12
    for recommendation in result.recommendations:
        college = colleges[recommendation.unitid]
        expected = college.net_price_30_48k
        if expected is None:
            expected = college.net_price
        assert recommendation.net_price == expected, college.name
        assert recommendation.net_price <= 25_000
        if college.net_price_30_48k is not None:
            assert "$30–48k" in recommendation.reasons[0]


def test_a_public_college_outside_the_home_state_costs_the_out_of_state_difference():
    michigan = College.objects.get(unitid=170976)  # University of Michigan-Ann Arbor
    record = next(r for r in catalog_records() if r.unitid == michigan.unitid)

    in_state = estimated_net_price(record, profile(home_state="MI"))[0]
    from_ohio = estimated_net_price(record, profile(home_state="OH"))[0]

    assert in_state == michigan.net_price
    assert from_ohio - in_state == michigan.tuition_out_of_state - michigan.tuition_in_state


def test_harvard_is_a_reach_for_a_1600_sat_student():
    harvard = next(record for record in catalog_records() if record.unitid == HARVARD)

    fit, basis = fit_label(harvard, profile(sat=1600, act=36, gpa=4.0))

    assert harvard.name == "Harvard University"
    assert fit == "reach"
    assert "3%" in basis


def test_every_college_admitting_under_15_percent_is_a_reach_even_for_a_perfect_student():
    perfect = profile(sat=1600, gpa=4.0, states=["MA", "CA", "NY"], budget="any", major="undecided")

    result = rank_colleges(perfect, catalog_records())

    for recommendation in result.recommendations:
        if recommendation.admission_rate is not None and recommendation.admission_rate < 0.15:
            assert recommendation.fit == "reach", recommendation.name


def test_a_criminal_justice_student_gets_colleges_with_a_law_enforcement_program():
    slots = profile(major="criminal_justice", gpa=3.2, budget=20_000, states=["TX"])

    result = rank_colleges(slots, catalog_records())

    assert 6 <= len(result.recommendations) <= 12
    for college in rows_of(result).values():
        assert college.program_shares.get("criminal_justice", 0) > 0, college.name


def test_online_only_colleges_are_never_counted():
    open_to_all = profile(major="undecided", budget="any", states="any")

    result = rank_colleges(open_to_all, catalog_records())

    assert result.qualifying == College.objects.filter(online_only=False).count()
    online = set(College.objects.filter(online_only=True).values_list("unitid", flat=True))
    assert online
    assert not online & {r.unitid for r in result.recommendations}


def test_a_vermont_family_with_1000_dollars_gets_an_explanation_and_suggestions():
    slots = profile(major="undecided", gpa=3.6, sat=1300, budget=1_000, states=["VT"])

    result = rank_colleges(slots, catalog_records())

    assert result.recommendations == ()
    assert result.qualifying == 0
    assert result.explanation.startswith("No college meets every requirement.")
    constraints = {r.constraint: r.adds for r in result.relaxations}
    assert set(constraints) == {"budget", "states"}
    vermont = College.objects.filter(state="VT", online_only=False, net_price__isnull=False)
    assert constraints["budget"] == vermont.count()
    assert f"would add {constraints['budget']}" in result.explanation


def test_the_ranking_of_the_real_catalog_is_deterministic():
    first = rank_colleges(profile(**OHIO_ENGINEERING), catalog_records())
    again = rank_colleges(profile(**OHIO_ENGINEERING), tuple(reversed(catalog_records())))

    assert first == again
