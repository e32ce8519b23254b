"""What a list says beyond its cards (DESIGN.md §5): what changed since the last one, and how it
measures against the default scope. Pure, on hand-made catalogs."""

from coach.catalog.list_review import explain_list_change, list_quality
from coach.catalog.ranking import rank_colleges
from coach.catalog.scope import DEFAULT_SCOPE
from tests.catalog.factories import college, profile

# Rice costs $31,200 a year to a family earning over $110k, $12,000 to one earning $48–75k.
RICE = college(
    10,
    name="Rice University",
    state="TX",
    net_price=25_000,
    net_price_by_income=(5_000, 8_000, 12_000, 20_000, 31_200),
)
EARNING_150K = profile(budget=18_000, income=150_000)
EARNING_60K = profile(budget=18_000, income=60_000)


def change(previous, slots, catalog, scope=DEFAULT_SCOPE):
    result = rank_colleges(slots, catalog, scope=scope)
    return explain_list_change(previous, result, slots, catalog, scope)


def test_a_college_that_left_over_the_budget_is_named_with_its_price_and_the_budget():
    catalog = [RICE, college(11, net_price=15_000)]

    text = change([10, 11], EARNING_150K, catalog)

    assert text == (
        "Rice University is no longer on the list: "
        "for incomes $110k+ its net price is $31,200, above your $18,000 budget."
    )


def test_the_colleges_that_came_in_are_named():
    catalog = [
        RICE,
        college(11, net_price=15_000),
        college(12, name="Kenyon-ish College", net_price=15_000),
    ]

    text = change([10, 11], EARNING_60K | {"states": ["OH"]}, catalog)

    assert text.endswith("New on the list: Kenyon-ish College.")


def test_a_college_that_left_for_the_states_names_the_familys_states():
    catalog = [RICE, college(11, net_price=15_000)]

    text = change([10, 11], EARNING_60K | {"states": ["OH", "MI"]}, catalog)

    assert text == (
        "Rice University is no longer on the list: "
        "it is in TX, outside the states you chose (MI, OH)."
    )


def test_a_college_that_left_the_scope_says_why():
    catalog = [college(1), college(2, name="Sinclair-ish College", predominant_degree=2)]

    text = change([1, 2], profile(), catalog)

    assert text == (
        "Sinclair-ish College is no longer on the list: it mainly awards associate degrees."
    )


def test_a_college_that_still_qualifies_was_replaced_by_better_fits():
    catalog = [college(unitid, completion_rate=0.5 + unitid / 100) for unitid in range(1, 14)]

    text = change([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], profile(), catalog)

    assert text == (
        "College 1 is no longer on the list: better fits took its place. "
        "New on the list: College 13."
    )


def test_at_most_three_departures_are_named_and_the_rest_counted():
    catalog = [college(unitid, state="MI") for unitid in range(1, 6)] + [college(9)]

    text = change([1, 2, 3, 4, 5, 9], profile(states=["OH"]), catalog)

    assert text.count("is no longer on the list") == 3
    assert text.endswith("2 more colleges left the list.")


def test_at_most_three_arrivals_are_named_and_the_rest_counted():
    catalog = [college(unitid) for unitid in range(1, 7)]

    text = change([99], profile(), catalog)

    assert text.endswith("New on the list: College 1, College 2, College 3 and 3 more.")


def test_an_unchanged_list_says_nothing():
    catalog = [college(1), college(2)]

    assert change([1, 2], profile(), catalog) == ""


def test_without_a_previous_list_nothing_is_said():
    assert change([], profile(), [college(1)]) == ""


# --- List quality ----------------------------------------------------------------------------


def quality_catalog():
    return [
        college(1),
        college(2, predominant_degree=2, completion_rate=0.3),
        college(3, control="private_for_profit", completion_rate=None),
        college(4, admission_rate=None),
        college(5, admission_rate=0.6),
    ]


def test_list_quality_counts_bachelors_completion_and_for_profit_colleges():
    items = [{"unitid": unitid, "fit": "match"} for unitid in (1, 2, 3)]

    counts = list_quality(items, quality_catalog())

    assert (counts["total"], counts["bachelors"], counts["completion_50"]) == (3, 2, 1)
    assert counts["for_profit"] == 1


def test_list_quality_counts_fit_labels_on_colleges_without_admission_data():
    items = [
        {"unitid": 4, "fit": "likely"},
        {"unitid": 4, "fit": "open_admission"},
        {"unitid": 5, "fit": "likely"},
    ]

    assert list_quality(items, quality_catalog())["fit_without_admission_data"] == 1


def test_list_quality_counts_colleges_the_catalog_does_not_know_apart():
    counts = list_quality([{"unitid": 1, "fit": "match"}, {"unitid": 404, "fit": "match"}], [])

    assert (counts["total"], counts["not_in_catalog"], counts["bachelors"]) == (2, 2, 0)
