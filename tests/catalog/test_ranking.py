"""The pure ranking (DESIGN.md §5) and the value-of-information check, on small hand-made catalogs.

No database: every catalog here is a handful of `CollegeRecord`s built by `college()`, whose
defaults are a private Ohio college in the default scope with a published average net price and an
engineering and a business program. Each test changes only the fields its behaviour is about.
"""

from collections import Counter

import pytest

from coach.catalog.ranking import RankingResult, rank_colleges
from coach.catalog.records import CollegeRecord, estimated_net_price, fit_label
from coach.catalog.scope import Scope
from coach.catalog.value_of_information import optional_topic_worth_asking
from tests.catalog.factories import NO_BRACKETS, college, profile, public


def ids(result: RankingResult) -> list[int]:
    return [recommendation.unitid for recommendation in result.recommendations]


def recommendation_of(result: RankingResult, unitid: int):
    return next(r for r in result.recommendations if r.unitid == unitid)


def fits(result: RankingResult) -> list[str]:
    return [recommendation.fit for recommendation in result.recommendations]


def fit_of(profile_slots: dict, **college_fields) -> str:
    return fit_label(college(1, **college_fields), profile(**profile_slots))[0]


REACH, MATCH, LIKELY = 0.10, 0.50, 0.90  # admission rates giving these fits with no academics


def ranked_colleges(first_id: int, count: int, rate: float | None, best: float = 0.9) -> list:
    """`count` colleges of one fit, each a little less good (lower completion) than the last."""
    return [
        college(first_id + i, admission_rate=rate, completion_rate=round(best - i / 100, 2))
        for i in range(count)
    ]


# --- Hard filters: states --------------------------------------------------------------------


def test_it_drops_colleges_outside_the_familys_states():
    catalog = [college(1, state="OH"), college(2, state="MI"), college(3, state="CA")]

    result = rank_colleges(profile(states=["OH", "MI"]), catalog)

    assert sorted(ids(result)) == [1, 2]
    assert result.qualifying == 2


def test_it_keeps_colleges_in_every_state_when_states_is_any():
    catalog = [college(1, state="OH"), college(2, state="MI"), college(3, state="CA")]

    assert sorted(ids(rank_colleges(profile(states="any"), catalog))) == [1, 2, 3]


# --- Hard filters: major ---------------------------------------------------------------------


def test_it_drops_colleges_that_award_no_degrees_in_the_major():
    catalog = [
        college(1, program_shares={"engineering": 0.01}),
        college(2, program_shares={"engineering": 0.0, "business": 0.5}),
        college(3, program_shares={"business": 0.5}),
    ]

    assert ids(rank_colleges(profile(major="engineering"), catalog)) == [1]


def test_an_undecided_major_filters_no_college():
    catalog = [
        college(1, program_shares={"engineering": 0.3}),
        college(2, program_shares={"business": 0.5}),
        college(3, program_shares={}),
    ]

    assert sorted(ids(rank_colleges(profile(major="undecided"), catalog))) == [1, 2, 3]


def test_criminal_justice_is_matched_on_the_criminal_justice_program_share():
    catalog = [
        college(1, program_shares={"criminal_justice": 0.1}),
        college(2, program_shares={"legal": 0.4, "public_administration": 0.2}),
    ]

    assert ids(rank_colleges(profile(major="criminal_justice"), catalog)) == [1]


# --- Hard filters: budget and prices ---------------------------------------------------------


def test_it_drops_colleges_whose_average_net_price_is_over_the_budget():
    catalog = [
        college(1, net_price=19_999),
        college(2, net_price=20_000),
        college(3, net_price=20_001),
    ]

    result = rank_colleges(profile(budget=20_000), catalog)

    assert sorted(ids(result)) == [1, 2]
    assert {r.net_price for r in result.recommendations} == {19_999, 20_000}


def test_a_budget_of_any_keeps_every_price():
    catalog = [college(1, net_price=5_000), college(2, net_price=80_000)]

    assert sorted(ids(rank_colleges(profile(budget="any"), catalog))) == [1, 2]


BRACKETS = (1_000, 2_000, 3_000, 4_000, 5_000)


@pytest.mark.parametrize(
    ("income", "price"),
    [
        (0, 1_000),
        (30_000, 1_000),
        (30_001, 2_000),
        (48_000, 2_000),
        (48_001, 3_000),
        (75_000, 3_000),
        (75_001, 4_000),
        (110_000, 4_000),
        (110_001, 5_000),
        (2_000_000, 5_000),
    ],
)
def test_a_known_income_uses_the_net_price_of_its_bracket(income, price):
    record = college(1, net_price=9_999, net_price_by_income=BRACKETS)

    assert estimated_net_price(record, profile(income=income))[0] == price
    assert rank_colleges(profile(income=income), [record]).recommendations[0].net_price == price


def test_the_income_bracket_price_decides_whether_a_college_is_affordable():
    record = college(
        1, net_price=30_000, net_price_by_income=(8_000, 12_000, 18_000, 25_000, 40_000)
    )

    assert ids(rank_colleges(profile(budget=15_000, income=40_000), [record])) == [1]
    assert ids(rank_colleges(profile(budget=15_000, income=60_000), [record])) == []
    assert ids(rank_colleges(profile(budget=15_000), [record])) == []


def test_without_an_income_the_average_net_price_is_used():
    record = college(1, net_price=22_000, net_price_by_income=BRACKETS)

    assert estimated_net_price(record, profile())[0] == 22_000


def test_it_falls_back_to_the_average_net_price_when_the_bracket_is_not_published():
    record = college(1, net_price=22_000, net_price_by_income=(1_000, None, 3_000, 4_000, 5_000))

    assert estimated_net_price(record, profile(income=40_000))[0] == 22_000


def test_a_public_college_outside_the_home_state_costs_the_out_of_state_tuition_difference():
    price, basis = estimated_net_price(public(1, "MI"), profile(home_state="OH"))

    assert price == 15_000 + 36_000 - 11_000
    assert "out-of-state" in basis


def test_the_out_of_state_difference_is_added_to_the_income_bracket_price():
    record = public(1, "MI", net_price_by_income=BRACKETS)

    assert estimated_net_price(record, profile(home_state="OH", income=40_000))[0] == 27_000


def test_a_public_college_in_the_home_state_costs_its_net_price():
    assert estimated_net_price(public(1, "OH"), profile(home_state="OH"))[0] == 15_000


@pytest.mark.parametrize("control", ["private_nonprofit", "private_for_profit"])
def test_a_private_college_costs_the_same_from_any_state(control):
    record = college(
        1,
        state="MI",
        control=control,
        tuition_in_state=30_000,
        tuition_out_of_state=45_000,
        net_price=15_000,
    )

    assert estimated_net_price(record, profile(home_state="OH"))[0] == 15_000


def test_no_out_of_state_difference_is_added_when_the_home_state_is_unknown():
    assert estimated_net_price(public(1, "MI"), profile(home_state=None))[0] == 15_000


def test_the_out_of_state_difference_can_put_a_public_college_over_the_budget():
    catalog = [public(1, "OH"), public(2, "MI")]

    assert ids(rank_colleges(profile(budget=20_000, home_state="OH"), catalog)) == [1]
    assert sorted(ids(rank_colleges(profile(budget=20_000), catalog))) == [1, 2]


def test_a_college_without_a_published_price_is_never_shown_under_a_numeric_budget():
    unpriced = college(1, net_price=None, net_price_by_income=NO_BRACKETS)

    assert ids(rank_colleges(profile(budget=1_000_000), [unpriced])) == []
    assert ids(rank_colleges(profile(budget=1_000_000, income=40_000), [unpriced])) == []


def test_a_college_without_a_published_price_is_shown_when_the_budget_is_any():
    unpriced = college(1, net_price=None, net_price_by_income=NO_BRACKETS)

    result = rank_colleges(profile(budget="any"), [unpriced])

    assert ids(result) == [1]
    assert result.recommendations[0].net_price is None
    assert not any("$" in reason for reason in result.recommendations[0].reasons)


def test_online_only_colleges_are_never_recommended():
    catalog = [college(1, online_only=True), college(2)]

    assert ids(rank_colleges(profile(), catalog)) == [2]


# --- Scope -----------------------------------------------------------------------------------

TWO_YEAR = Scope(two_year=True)
FOR_PROFIT = Scope(for_profit=True)


@pytest.mark.parametrize(
    "fields",
    [
        {"predominant_degree": 2},
        {"predominant_degree": 1},
        {"control": "private_for_profit"},
        {"completion_rate": 0.49},
        {"completion_rate": None},
    ],
    ids=["associate", "certificate", "for-profit", "49%-completion", "no-completion-rate"],
)
def test_the_default_scope_leaves_out(fields):
    assert ids(rank_colleges(profile(), [college(1), college(2, **fields)])) == [1]


def test_a_college_graduating_exactly_half_its_students_is_in_the_default_scope():
    assert ids(rank_colleges(profile(), [college(1, completion_rate=0.5)])) == [1]


def test_the_default_scope_has_no_scope_note():
    result = rank_colleges(profile(), [college(1)])

    assert result.scope_note == ""
    assert result.as_dict()["scope_note"] == ""


def test_the_two_year_scope_includes_two_year_colleges_whatever_their_completion_rate():
    catalog = [
        college(1),
        college(2, predominant_degree=2, completion_rate=0.2),
        college(3, predominant_degree=1, completion_rate=None),
    ]

    assert sorted(ids(rank_colleges(profile(), catalog, scope=TWO_YEAR))) == [1, 2, 3]


def test_the_two_year_scope_says_the_list_includes_two_year_colleges():
    catalog = [college(1), college(2, predominant_degree=2)]

    result = rank_colleges(profile(), catalog, scope=TWO_YEAR)

    assert result.scope_note == "As you asked, the list includes two-year colleges."
    assert result.as_dict()["scope_note"] == result.scope_note


def test_the_two_year_scope_still_leaves_out_for_profit_colleges():
    catalog = [college(1), college(2, predominant_degree=2, control="private_for_profit")]

    assert ids(rank_colleges(profile(), catalog, scope=TWO_YEAR)) == [1]


def test_the_for_profit_scope_includes_for_profit_colleges_and_says_so():
    catalog = [college(1), college(2, control="private_for_profit")]

    result = rank_colleges(profile(), catalog, scope=FOR_PROFIT)

    assert sorted(ids(result)) == [1, 2]
    assert result.scope_note == "As you asked, the list includes for-profit colleges."


def test_a_for_profit_bachelors_college_still_needs_half_its_students_to_graduate():
    catalog = [college(1), college(2, control="private_for_profit", completion_rate=0.3)]

    assert ids(rank_colleges(profile(), catalog, scope=FOR_PROFIT)) == [1]


def test_a_widened_scope_that_brings_no_college_in_says_so():
    catalog = [college(1), college(2, predominant_degree=2, state="MI")]

    result = rank_colleges(profile(states=["OH"]), catalog, scope=TWO_YEAR)

    assert result.scope_note == (
        "As you asked, two-year colleges were considered; none is among the best fits."
    )


def test_a_named_college_is_in_scope_whatever_it_is_and_the_list_says_so():
    named = college(
        2,
        name="DeVry-ish University",
        control="private_for_profit",
        predominant_degree=1,
        completion_rate=0.1,
    )

    result = rank_colleges(profile(), [college(1), named], scope=Scope(named=frozenset({2})))

    assert sorted(ids(result)) == [1, 2]
    assert result.scope_note == (
        "As you asked, the list includes the colleges you named: DeVry-ish University."
    )


def test_a_named_college_is_shown_even_when_better_fits_fill_the_list():
    catalog = [*ranked_colleges(100, 14, MATCH, best=0.99), college(7, completion_rate=0.5)]

    result = rank_colleges(profile(), catalog, scope=Scope(named=frozenset({7})))

    assert 7 in ids(result)
    assert len(ids(result)) == 12


def test_a_named_college_must_still_pass_the_hard_filters_and_the_note_says_why():
    catalog = [college(1), college(2, name="Faraway College", state="CA")]

    result = rank_colleges(profile(states=["OH"]), catalog, scope=Scope(named=frozenset({2})))

    assert ids(result) == [1]
    assert result.scope_note == (
        "Faraway College, which you named, is not on the list: "
        "it is in CA, outside the states you chose (OH)."
    )


def test_out_of_scope_colleges_never_fill_a_short_list():
    catalog = [college(1), *(college(unitid, predominant_degree=2) for unitid in range(10, 20))]

    result = rank_colleges(profile(), catalog)

    assert ids(result) == [1]
    assert result.qualifying == 1


def out_of_scope_catalog() -> list[CollegeRecord]:
    """One college in the default scope; four two-year, one for-profit, one at 30% completion."""
    return [
        college(1),
        *(college(unitid, predominant_degree=2) for unitid in range(10, 14)),
        college(20, control="private_for_profit"),
        college(30, completion_rate=0.3),
    ]


def test_a_short_list_says_how_many_colleges_a_wider_scope_would_add():
    result = rank_colleges(profile(), out_of_scope_catalog())

    assert [(r.constraint, r.adds) for r in result.relaxations] == [("scope", 6)]
    assert result.explanation == (
        "Only 1 college(s) meet every requirement. "
        "Including two-year, for-profit or lower-completion colleges would add 6."
    )


def test_a_wider_scope_is_suggested_only_for_what_the_family_has_not_yet_included():
    result = rank_colleges(profile(), out_of_scope_catalog(), scope=TWO_YEAR)

    assert result.explanation.endswith(
        "Including for-profit or lower-completion colleges would add 2."
    )


# --- Fit -------------------------------------------------------------------------------------


@pytest.mark.parametrize("rate", [0.001, 0.05, 0.149])
def test_a_college_admitting_under_15_percent_is_a_reach_even_for_a_perfect_student(rate):
    perfect = {"gpa": 4.0, "sat": 1600, "act": 36}

    assert fit_of(perfect, admission_rate=rate, sat_25=1200, sat_75=1400) == "reach"
    assert fit_of(perfect, admission_rate=rate) == "reach"


def test_a_college_admitting_exactly_15_percent_is_judged_on_scores():
    assert fit_of({"sat": 1600}, admission_rate=0.15, sat_25=1200, sat_75=1400) == "match"


@pytest.mark.parametrize(
    ("sat", "rate", "fit"),
    [
        (1500, 0.80, "likely"),  # above the 75th percentile
        (1400, 0.80, "likely"),  # at the 75th percentile
        (1400, None, "likely"),  # at the 75th, no admission rate published
        (1400, 0.50, "likely"),  # 50% is not "under 50%"
        (1500, 0.49, "match"),  # above the 75th at a college admitting under half
        (1400, 0.20, "match"),
        (1399, 0.80, "match"),  # between the 25th and the 75th
        (1200, 0.80, "match"),  # at the 25th percentile
        (1199, 0.80, "reach"),  # below the 25th percentile
        (1000, None, "reach"),  # scores are judged before the open-admission rule
    ],
)
def test_a_students_sat_against_the_colleges_sat_range(sat, rate, fit):
    assert fit_of({"sat": sat, "gpa": 3.9}, admission_rate=rate, sat_25=1200, sat_75=1400) == fit


@pytest.mark.parametrize(
    ("act", "fit"),
    [(30, "likely"), (29, "match"), (27, "match"), (26, "reach")],
)
def test_a_students_act_is_converted_to_sat(act, fit):
    # ACT 30 → 1370, 29 → 1340, 27 → 1280, 26 → 1240 (ACT/College Board concordance).
    assert fit_of({"act": act}, admission_rate=0.8, sat_25=1280, sat_75=1370) == fit


def test_the_better_of_a_students_sat_and_converted_act_counts():
    assert (
        fit_of({"sat": 1100, "act": 30}, admission_rate=0.8, sat_25=1280, sat_75=1370) == "likely"
    )


@pytest.mark.parametrize(
    ("sat", "fit"),
    [(1370, "likely"), (1369, "match"), (1210, "match"), (1209, "reach")],
)
def test_a_college_with_only_an_act_range_is_judged_on_its_converted_range(sat, fit):
    # ACT 25–30 → SAT 1210–1370.
    assert fit_of({"sat": sat}, admission_rate=0.8, act_25=25, act_75=30) == fit


@pytest.mark.parametrize(
    ("sat", "fit"),
    [(1300, "likely"), (1299, "match"), (1100, "match"), (1099, "reach")],
)
def test_a_college_with_only_an_sat_average_is_judged_on_the_average_plus_or_minus_100(sat, fit):
    assert fit_of({"sat": sat}, admission_rate=0.8, sat_avg=1200) == fit


def test_a_college_with_only_an_sat_average_admitting_under_half_is_at_best_a_match():
    assert fit_of({"sat": 1550}, admission_rate=0.3, sat_avg=1200) == "match"


@pytest.mark.parametrize(
    ("rate", "gpa", "fit"),
    [
        (0.90, 3.0, "likely"),
        (0.75, 3.0, "likely"),
        (0.90, 2.99, "match"),
        (0.74, 3.7, "likely"),
        (0.50, 3.7, "likely"),
        (0.60, 3.69, "match"),
        (0.60, 3.0, "match"),
        (0.60, 2.99, "reach"),
        (0.49, 3.6, "match"),
        (0.25, 3.6, "match"),
        (0.40, 3.59, "reach"),
        (0.24, 4.0, "reach"),
        (0.15, 4.0, "reach"),
        (0.60, 4.6, "likely"),  # a weighted GPA above 4.0 still counts
    ],
)
def test_without_scores_on_both_sides_fit_follows_admission_rate_and_gpa(rate, gpa, fit):
    assert fit_of({"gpa": gpa}, admission_rate=rate) == fit


def test_a_students_score_is_ignored_when_the_college_publishes_no_scores():
    assert fit_of({"sat": 1000, "gpa": 3.8}, admission_rate=0.6) == "likely"


def test_a_colleges_scores_are_ignored_when_the_student_has_none():
    student = {"gpa": 3.8, "test_optional": True}

    assert fit_of(student, admission_rate=0.6, sat_25=1400, sat_75=1550) == "likely"


@pytest.mark.parametrize(
    ("rate", "fit"),
    [
        (0.90, "likely"),
        (0.75, "likely"),
        (0.74, "match"),
        (0.40, "match"),
        (0.39, "reach"),
        (0.15, "reach"),
    ],
)
def test_with_no_academics_at_all_fit_follows_the_admission_rate(rate, fit):
    assert fit_of({}, admission_rate=rate, sat_25=1200, sat_75=1400) == fit


def test_the_fit_basis_quotes_the_colleges_values():
    assert fit_label(college(1, admission_rate=0.42), profile(gpa=3.8))[1] == (
        "admits 42% of applicants"
    )
    basis = fit_label(college(1, admission_rate=0.8, sat_25=1200, sat_75=1400), profile(sat=1300))
    assert basis[1] == "middle 50% SAT 1200–1400"


# --- Fit rests on data -----------------------------------------------------------------------


@pytest.mark.parametrize("student", [{"gpa": 1.5}, {"gpa": 4.0, "sat": 1600}, {}])
def test_a_college_with_no_admission_rate_and_no_scores_is_open_admission(student):
    assert fit_of(student, admission_rate=None) == "open_admission"


def test_an_open_admission_fit_says_nothing_was_published():
    assert fit_label(college(1, admission_rate=None), profile(gpa=3.0))[1] == (
        "no admission rate or test scores published (often open admission)"
    )


@pytest.mark.parametrize("student", [{"gpa": 4.0}, {"gpa": 2.0, "sat": 900}, {}])
def test_an_admission_rate_of_0_with_no_scores_is_no_data(student):
    assert fit_of(student, admission_rate=0.0) == "no_data"


@pytest.mark.parametrize(("sat", "fit"), [(1400, "likely"), (1300, "match"), (1100, "reach")])
def test_an_admission_rate_of_0_with_scores_is_judged_on_the_scores(sat, fit):
    assert fit_of({"sat": sat}, admission_rate=0.0, sat_25=1200, sat_75=1400) == fit


def test_a_score_range_with_no_rate_and_no_student_score_is_no_data():
    assert fit_of({"gpa": 3.9}, admission_rate=None, sat_25=1200, sat_75=1400) == "no_data"


def test_an_open_admission_college_on_the_list_is_labelled_open_admission_not_likely():
    result = rank_colleges(profile(gpa=3.9), [college(1, admission_rate=None)])

    assert fits(result) == ["open_admission"]
    assert "often open admission" in " ".join(result.recommendations[0].reasons)


# --- Balance ---------------------------------------------------------------------------------


def test_the_first_pass_takes_at_most_3_reaches_5_matches_and_4_likely_admits():
    catalog = (
        ranked_colleges(100, 6, REACH, best=0.99)
        + ranked_colleges(200, 6, MATCH, best=0.90)
        + ranked_colleges(300, 6, LIKELY, best=0.80)
    )

    result = rank_colleges(profile(), catalog)

    assert Counter(fits(result)) == {"reach": 3, "match": 5, "likely": 4}
    assert ids(result) == [100, 101, 102, 200, 201, 202, 203, 204, 300, 301, 302, 303]


def test_it_fills_up_to_12_with_the_best_of_the_rest_when_a_fit_runs_short():
    catalog = ranked_colleges(100, 10, REACH, best=0.99) + ranked_colleges(300, 2, LIKELY)

    result = rank_colleges(profile(), catalog)

    assert Counter(fits(result)) == {"reach": 10, "likely": 2}


def test_the_rest_are_filled_best_first():
    catalog = ranked_colleges(100, 12, REACH, best=0.99) + ranked_colleges(300, 2, LIKELY)

    result = rank_colleges(profile(), catalog)

    assert ids(result) == [*range(100, 110), 300, 301]


@pytest.mark.parametrize(("qualifying", "shown"), [(6, 6), (8, 8), (12, 12), (13, 12), (40, 12)])
def test_it_shows_6_to_12_colleges_when_enough_qualify(qualifying, shown):
    catalog = ranked_colleges(100, qualifying, MATCH)

    result = rank_colleges(profile(), catalog)

    assert len(result.recommendations) == shown
    assert result.qualifying == qualifying


def test_it_shows_every_college_when_fewer_than_6_qualify():
    result = rank_colleges(profile(), ranked_colleges(100, 4, MATCH))

    assert sorted(ids(result)) == [100, 101, 102, 103]


def test_the_list_is_ordered_reach_then_match_then_likely_best_first_within_each():
    catalog = (
        ranked_colleges(300, 3, LIKELY, best=0.99)
        + ranked_colleges(200, 3, MATCH, best=0.90)
        + ranked_colleges(100, 3, REACH, best=0.60)
    )

    result = rank_colleges(profile(), catalog)

    assert fits(result) == ["reach"] * 3 + ["match"] * 3 + ["likely"] * 3
    assert ids(result) == [100, 101, 102, 200, 201, 202, 300, 301, 302]
    scores = [r.score for r in result.recommendations]
    assert scores[:3] == sorted(scores[:3], reverse=True)


def open_admission_colleges(first_id: int, count: int, best: float = 0.99) -> list:
    return ranked_colleges(first_id, count, None, best=best)


def test_the_best_of_each_fit_is_included_even_when_it_scores_below_the_others():
    catalog = (
        ranked_colleges(200, 12, MATCH, best=0.99)
        + ranked_colleges(100, 2, REACH, best=0.60)
        + ranked_colleges(300, 2, LIKELY, best=0.60)
    )

    result = rank_colleges(profile(), catalog)

    assert {100, 300} <= set(ids(result))
    assert Counter(fits(result)) == {"reach": 2, "match": 8, "likely": 2}


def test_a_list_of_6_still_holds_one_reach_one_match_and_one_likely():
    catalog = (
        ranked_colleges(200, 10, MATCH, best=0.99)
        + ranked_colleges(100, 1, REACH, best=0.55)
        + ranked_colleges(300, 1, LIKELY, best=0.55)
    )

    result = rank_colleges(profile(), catalog, limit=6)

    assert fits(result) == ["reach", "match", "match", "match", "match", "likely"]


def test_open_admission_colleges_do_not_count_toward_the_balance():
    catalog = (
        open_admission_colleges(400, 12, best=0.99)
        + ranked_colleges(100, 3, REACH, best=0.60)
        + ranked_colleges(200, 5, MATCH, best=0.60)
        + ranked_colleges(300, 4, LIKELY, best=0.60)
    )

    result = rank_colleges(profile(), catalog)

    assert Counter(fits(result)) == {"reach": 3, "match": 5, "likely": 4}


def test_open_admission_colleges_fill_the_list_only_after_the_balanced_picks():
    catalog = (
        open_admission_colleges(400, 12, best=0.99)
        + ranked_colleges(100, 1, REACH, best=0.60)
        + ranked_colleges(300, 1, LIKELY, best=0.60)
    )

    result = rank_colleges(profile(), catalog)

    assert fits(result) == ["reach", "likely"] + ["open_admission"] * 10
    assert ids(result) == [100, 300, *range(400, 410)]


def test_data_backed_fits_fill_the_list_before_open_admission_colleges():
    catalog = open_admission_colleges(400, 12, best=0.99) + ranked_colleges(100, 10, REACH)

    result = rank_colleges(profile(), catalog)

    assert fits(result) == ["reach"] * 10 + ["open_admission"] * 2


def test_soft_preferences_order_but_do_not_filter():
    catalog = [
        college(1, locale=41, undergrad_size=30_000),
        college(2, locale=11, undergrad_size=2_000),
    ]

    result = rank_colleges(profile(setting="city", size="small"), catalog)

    assert ids(result) == [2, 1]


# --- Determinism -----------------------------------------------------------------------------


def mixed_catalog() -> list[CollegeRecord]:
    return [
        college(
            unitid,
            state=("OH", "MI", "IN")[unitid % 3],
            admission_rate=(REACH, MATCH, LIKELY, None)[unitid % 4],
            net_price=10_000 + 1_000 * (unitid % 7),
            completion_rate=0.5 + (unitid % 5) / 10,
        )
        for unitid in range(1, 41)
    ]


def test_the_same_profile_and_catalog_give_the_same_result():
    slots = profile(states=["OH", "MI"], budget=15_000, gpa=3.5)

    assert rank_colleges(slots, mixed_catalog()) == rank_colleges(slots, mixed_catalog())


def test_the_result_does_not_depend_on_the_catalogs_order():
    slots = profile(states=["OH", "MI"], budget=15_000, gpa=3.5)

    assert rank_colleges(slots, mixed_catalog()) == rank_colleges(slots, mixed_catalog()[::-1])


def test_equal_scores_are_ordered_by_unitid():
    catalog = [college(unitid) for unitid in (5, 3, 9, 1)]

    assert ids(rank_colleges(profile(), catalog)) == [1, 3, 5, 9]


def test_among_equally_good_colleges_the_lowest_unitids_make_the_cut():
    catalog = [college(unitid) for unitid in range(14, 0, -1)]

    assert ids(rank_colleges(profile(), catalog)) == list(range(1, 13))


# --- Reasons ---------------------------------------------------------------------------------


def test_the_reasons_quote_the_catalogs_values():
    record = college(
        1,
        net_price=12_345,
        admission_rate=0.42,
        completion_rate=0.67,
        median_earnings=55_000,
        undergrad_size=4_321,
        program_shares={"engineering": 0.25},
    )

    result = rank_colleges(profile(major="engineering", gpa=3.7), [record])
    text = " ".join(result.recommendations[0].reasons)

    assert "$12,345" in text
    assert "42%" in text
    assert "25% of degrees awarded are in engineering" in text
    assert "67%" in text
    assert "$55,000" in text
    assert "4,321" in text


def test_the_reasons_say_which_price_was_used():
    record = public(1, "MI", net_price_by_income=BRACKETS)

    result = rank_colleges(profile(income=40_000, home_state="OH"), [record])
    text = " ".join(result.recommendations[0].reasons)

    assert "$27,000" in text
    assert "$30–48k" in text
    assert "out-of-state" in text


def test_each_recommendation_carries_the_colleges_own_values():
    record = college(
        7, name="Kenyon-ish College", city="Gambier", net_price=18_000, admission_rate=0.33
    )

    shown = rank_colleges(profile(), [record]).recommendations[0]

    assert (shown.name, shown.city, shown.state, shown.url) == (
        "Kenyon-ish College",
        "Gambier",
        "OH",
        "https://college7.example.edu",
    )
    assert (shown.net_price, shown.admission_rate) == (18_000, 0.33)


# --- Explanations and relaxations ------------------------------------------------------------


def short_catalog() -> list[CollegeRecord]:
    """For an engineering family in OH with $20,000: 2 qualify; wider states would add 3, a
    bigger budget 4 and an open major 1."""
    return [
        college(1),
        college(2),
        *(college(unitid, state="MI") for unitid in (11, 12, 13)),
        *(college(unitid, net_price=35_000) for unitid in (21, 22, 23, 24)),
        college(31, program_shares={"business": 0.6}),
    ]


SHORT_PROFILE = profile(major="engineering", states=["OH"], budget=20_000)


def test_when_fewer_than_6_qualify_it_shows_them_and_says_how_many():
    result = rank_colleges(SHORT_PROFILE, short_catalog())

    assert sorted(ids(result)) == [1, 2]
    assert result.qualifying == 2
    assert result.explanation.startswith("Only 2 college(s) meet every requirement.")


def test_when_fewer_than_6_qualify_each_relaxation_says_how_many_colleges_it_would_add():
    result = rank_colleges(SHORT_PROFILE, short_catalog())

    assert [(r.constraint, r.adds) for r in result.relaxations] == [
        ("budget", 4),
        ("states", 3),
        ("major", 1),
    ]
    assert "raising the yearly budget would add 4" in result.explanation.lower()
    assert "considering colleges in any state would add 3" in result.explanation
    assert "keeping the major open would add 1" in result.explanation


def test_relaxations_are_sorted_by_how_many_colleges_they_add():
    result = rank_colleges(SHORT_PROFILE, short_catalog())

    explanation = result.explanation.lower()
    assert explanation.index("budget") < explanation.index("any state") < explanation.index("major")
    adds = [r.adds for r in result.relaxations]
    assert adds == sorted(adds, reverse=True)


def test_a_relaxation_that_adds_nothing_is_not_suggested():
    catalog = [college(1), college(2), college(3, state="MI")]

    result = rank_colleges(profile(states=["OH"], budget=20_000, major="engineering"), catalog)

    assert [r.constraint for r in result.relaxations] == ["states"]
    assert "budget" not in result.explanation
    assert "major" not in result.explanation


def test_constraints_the_family_left_open_are_not_suggested():
    catalog = [college(1), college(2, state="MI", net_price=50_000)]

    result = rank_colleges(profile(states="any", budget="any", major="undecided"), catalog)

    assert result.relaxations == ()


def test_enough_qualifying_colleges_need_no_relaxation():
    result = rank_colleges(profile(), ranked_colleges(100, 7, MATCH))

    assert result.relaxations == ()
    assert result.explanation.startswith("7 colleges meet every requirement")


def test_zero_results_give_a_clear_explanation():
    catalog = [college(1, state="MI", program_shares={"business": 0.5})]

    result = rank_colleges(profile(states=["OH"], major="engineering"), catalog)

    assert result.recommendations == ()
    assert result.qualifying == 0
    assert result.explanation.startswith("No college meets every requirement.")


def test_contradictory_constraints_give_zero_results_and_suggest_relaxing():
    catalog = [
        *(college(unitid, state="VT", net_price=18_000) for unitid in (1, 2, 3)),
        college(4, state="NH", net_price=900),
        college(5, state="ME", net_price=-2_000),
    ]

    result = rank_colleges(profile(states=["VT"], budget=1_000), catalog)

    assert result.recommendations == ()
    assert result.explanation == (
        "No college meets every requirement. "
        "Raising the yearly budget would add 3; considering colleges in any state would add 2."
    )


def test_raising_the_budget_does_not_claim_to_add_colleges_without_a_published_price():
    catalog = [college(1, net_price=10_000), college(2, net_price=None)]

    result = rank_colleges(profile(states=["OH"], budget=15_000), catalog)

    assert "budget" not in [r.constraint for r in result.relaxations]


def test_the_result_serializes_to_plain_data():
    result = rank_colleges(SHORT_PROFILE, short_catalog()).as_dict()

    assert result["qualifying"] == 2
    assert result["relaxations"][0] == {
        "constraint": "budget",
        "adds": 4,
        "suggestion": "raising the yearly budget",
    }
    assert set(result["recommendations"][0]) == {
        "unitid",
        "name",
        "city",
        "state",
        "fit",
        "net_price",
        "admission_rate",
        "reasons",
        "url",
    }


# --- Value of information --------------------------------------------------------------------


def flat_catalog() -> list[CollegeRecord]:
    """Ten private Ohio colleges, every income bracket at the same price, no size or locale."""
    return [
        college(unitid, net_price=20_000, net_price_by_income=(20_000,) * 5)
        for unitid in range(1, 11)
    ]


def income_catalog() -> list[CollegeRecord]:
    """Six colleges cheap below $110k of income and dear above it; six at $15,000 for all."""
    generous = (5_000, 5_000, 5_000, 5_000, 40_000)
    return [
        *(
            college(unitid, net_price=30_000, net_price_by_income=generous)
            for unitid in range(1, 7)
        ),
        *(
            college(unitid, net_price=15_000, net_price_by_income=(15_000,) * 5)
            for unitid in range(11, 17)
        ),
    ]


def home_state_catalog() -> list[CollegeRecord]:
    """Four publics in OH, four in MI (cheap in state only), two private OH colleges."""
    return [
        *(public(unitid, "OH", net_price=12_000) for unitid in range(1, 5)),
        *(public(unitid, "MI", net_price=12_000) for unitid in range(11, 15)),
        college(21, net_price=18_000),
        college(22, net_price=18_000),
    ]


def test_no_optional_question_is_worth_asking_when_no_answer_changes_the_list():
    slots = profile(states=["OH"], budget=25_000, gpa=3.5)

    assert optional_topic_worth_asking(slots, flat_catalog()) is None


def test_income_is_worth_asking_when_brackets_make_different_colleges_affordable():
    slots = profile(states=["OH"], budget=20_000, gpa=3.5)

    assert optional_topic_worth_asking(slots, income_catalog()) == "income"


def test_income_is_not_asked_when_the_budget_is_any():
    slots = profile(states=["OH"], budget="any", gpa=3.5)

    assert optional_topic_worth_asking(slots, income_catalog()) is None


def test_home_state_is_worth_asking_when_in_state_publics_are_in_play():
    slots = profile(states=["OH", "MI"], budget=20_000, gpa=3.5)

    assert optional_topic_worth_asking(slots, home_state_catalog()) == "home_state"


def test_home_state_is_not_asked_when_the_family_considers_any_state():
    slots = profile(states="any", budget=20_000, gpa=3.5)

    assert optional_topic_worth_asking(slots, home_state_catalog()) is None


@pytest.mark.parametrize(
    ("catalog", "known"),
    [
        (income_catalog(), {"income": 20_000}),
        (income_catalog(), {"income": 150_000}),
        (home_state_catalog(), {"home_state": "OH"}),
    ],
    ids=["income-low", "income-high", "home-state"],
)
def test_a_topic_already_known_is_never_asked_again(catalog, known):
    slots = profile(states=["OH", "MI"], budget=20_000, gpa=3.5) | known

    topic = optional_topic_worth_asking(slots, catalog)

    assert topic not in known
    assert topic is None


def taste_catalog() -> list[CollegeRecord]:
    """Six city colleges and six rural ones, otherwise alike."""
    return [college(unitid, locale=11) for unitid in range(1, 7)] + [
        college(unitid, locale=41) for unitid in range(11, 17)
    ]


def test_setting_is_worth_asking_when_it_reorders_the_top_of_the_list():
    slots = profile(states=["OH"], budget=25_000, gpa=3.5)

    assert optional_topic_worth_asking(slots, taste_catalog()) == "setting"


def test_a_known_setting_is_not_asked_again():
    slots = profile(states=["OH"], budget=25_000, gpa=3.5, setting="city")

    assert optional_topic_worth_asking(slots, taste_catalog()) is None


def test_price_questions_come_before_taste_questions():
    generous = (5_000, 5_000, 5_000, 5_000, 40_000)
    catalog = [
        *(
            college(u, locale=11, net_price=15_000, net_price_by_income=generous)
            for u in range(1, 7)
        ),
        *(
            college(u, locale=41, net_price=15_000, net_price_by_income=(15_000,) * 5)
            for u in range(11, 17)
        ),
    ]

    slots = profile(states=["OH"], budget=20_000, gpa=3.5)

    assert optional_topic_worth_asking(slots, catalog) == "income"
