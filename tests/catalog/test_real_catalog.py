"""The ranking on the real College Scorecard catalog (DESIGN.md §5), as the coach reads it.

Every recommendation must be a college of the catalog, with the catalog's own values: the tests
compare what the ranking says against the `College` rows loaded from `data/colleges.csv`.
"""

import pytest

from coach.catalog.college_names import resolve_college_names
from coach.catalog.list_review import list_quality
from coach.catalog.models import College
from coach.catalog.ranking import FIT_ORDER, rank_colleges
from coach.catalog.records import estimated_net_price, fit_label
from coach.catalog.scope import MIN_COMPLETION
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

    assert {"reach", "match", "likely"} <= set(fits)
    assert fits == sorted(fits, key=FIT_ORDER.__getitem__)
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


def in_default_scope():
    return College.objects.filter(
        online_only=False, predominant_degree=3, completion_rate__gte=MIN_COMPLETION
    ).exclude(control="private_for_profit")


def test_with_no_constraint_every_college_in_the_default_scope_qualifies():
    open_to_all = profile(major="undecided", budget="any", states="any")

    result = rank_colleges(open_to_all, catalog_records())

    assert result.qualifying == in_default_scope().count() > 900


def test_online_only_colleges_are_never_counted():
    open_to_all = profile(major="undecided", budget="any", states="any")

    result = rank_colleges(open_to_all, catalog_records())

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
    vermont = in_default_scope().filter(state="VT", net_price__isnull=False)
    assert constraints["budget"] == vermont.count()
    assert f"would add {constraints['budget']}" in result.explanation


def test_the_ranking_of_the_real_catalog_is_deterministic():
    first = rank_colleges(profile(**OHIO_ENGINEERING), catalog_records())
    again = rank_colleges(profile(**OHIO_ENGINEERING), tuple(reversed(catalog_records())))

    assert first == again


# --- Lists a counselor would sign -----------------------------------------------------------

REALISTIC_PROFILES = {
    "computer science, anywhere, $30k": dict(
        major="computer_science", gpa=3.7, sat=1310, budget=30_000, states="any"
    ),
    "business in Texas, $20k": dict(
        major="business", gpa=3.2, act=22, budget=20_000, states=["TX"]
    ),
    "undecided, anywhere, any budget": dict(major="undecided", gpa=3.4, budget="any", states="any"),
    "Ohio engineering, $25k": OHIO_ENGINEERING,
    "nursing in the Southeast, $15k, income known": dict(
        major="health", gpa=3.0, budget=15_000, states=["GA", "FL", "AL"], income=40_000
    ),
    "biology in North Carolina, $24k": dict(
        major="biology", gpa=3.8, act=29, budget=24_000, states=["NC"], home_state="NC"
    ),
    "psychology, California, test optional": dict(
        major="psychology", gpa=3.5, test_optional=True, budget=30_000, states=["CA"]
    ),
    "education, Midwest, low income": dict(
        major="education",
        gpa=2.8,
        budget=12_000,
        states=["IA", "MN", "WI"],
        income=25_000,
        home_state="IA",
    ),
    "history, New England, small": dict(
        major="history", gpa=3.9, sat=1450, budget="any", states=["MA", "VT", "ME"], size="small"
    ),
    "criminal justice, Pennsylvania, $18k": dict(
        major="criminal_justice", gpa=2.9, budget=18_000, states=["PA"], home_state="PA"
    ),
}


@pytest.mark.parametrize("slots", REALISTIC_PROFILES.values(), ids=REALISTIC_PROFILES.keys())
def test_realistic_lists_hold_only_bachelors_nonprofit_colleges_whose_fit_rests_on_data(slots):
    result = rank_colleges(profile(**slots), catalog_records())
    items = [recommendation.as_dict() for recommendation in result.recommendations]

    quality = list_quality(items, catalog_records())

    assert quality["total"] > 0
    assert quality["bachelors"] == quality["total"]
    assert quality["for_profit"] == 0
    assert quality["completion_50"] >= 0.9 * quality["total"]
    assert quality["fit_without_admission_data"] == 0
    assert quality["not_in_catalog"] == 0


def test_the_names_families_type_resolve_to_the_catalogs_colleges():
    typed = [
        "Ohio State",
        "UC Berkeley",
        "DeVry",
        "Miami Dade College",
        "University of Michigan",
        "Georgia Tech",
    ]

    unitids = resolve_college_names(typed, catalog_records())

    names = College.objects.in_bulk(unitids)
    assert [names[unitid].name for unitid in unitids] == [
        "Ohio State University-Main Campus",
        "University of California-Berkeley",
        "DeVry University-Illinois",
        "Miami Dade College",
        "University of Michigan-Ann Arbor",
        "Georgia Institute of Technology-Main Campus",
    ]
