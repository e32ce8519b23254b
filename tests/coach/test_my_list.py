"""My list: saved colleges as they were recommended, removing, and the side-by-side compare."""

from datetime import UTC, datetime

import pytest

from coach.catalog.models import College
from coach.my_list import CompareError, SavedCard, cards_to_compare, comparison_rows


def card(unitid=1, **college) -> SavedCard:
    fields = {"name": f"College {unitid}", "city": "Durham", "state": "NC"} | college
    return SavedCard(
        college=College(unitid=unitid, **fields),
        saved_at=datetime(2026, 12, 1, tzinfo=UTC),
        net_price_for_family=14000,
        fit="open_admission",
        reasons=("Offers biology",),
        conversation_id=None,
    )


def row(label, cards):
    return dict(comparison_rows(cards))[label]


def test_the_comparison_shows_the_familys_net_price():
    assert row("Net price for you, per year", [card()]) == ["$14,000"]


def test_the_comparison_adds_math_and_reading_for_the_sat_range():
    college = card(sat_math_25=600, sat_read_25=610, sat_math_75=700, sat_read_75=720)
    assert row("SAT, middle 50%", [college]) == ["1210–1420"]


def test_a_missing_number_shows_as_a_dash():
    assert row("Graduate within 6 years", [card(completion_rate=None)]) == ["—"]


def test_the_fit_reads_as_words():
    assert row("Fit", [card()]) == ["open admission"]


def test_more_than_four_colleges_cannot_be_compared():
    cards = [card(unitid) for unitid in range(1, 6)]
    with pytest.raises(CompareError, match="up to 4"):
        cards_to_compare(cards, [str(unitid) for unitid in range(1, 6)])


def test_only_saved_colleges_can_be_compared():
    with pytest.raises(CompareError, match="Only colleges on your list"):
        cards_to_compare([card(1)], ["1", "2"])


def test_nothing_chosen_is_refused():
    with pytest.raises(CompareError):
        cards_to_compare([card(1)], [])


def test_the_chosen_colleges_keep_the_lists_order():
    cards = [card(3), card(1), card(2)]
    assert [c.college.unitid for c in cards_to_compare(cards, ["2", "3"])] == [3, 2]


@pytest.fixture
def saved(client, family_alice, recommended):
    client.force_login(family_alice)
    items = recommended.shortlists.get().items[:2]
    for item in items:
        client.post(f"/conversations/{recommended.id}/saved/", {"unitid": item["unitid"]})
    return items


@pytest.mark.django_db
def test_my_list_shows_the_price_the_coach_found_for_the_family(client, saved):
    page = client.get("/my-list/").content.decode()
    assert f"About ${saved[0]['net_price']:,}/yr for you" in page


@pytest.mark.django_db
def test_my_list_shows_why_the_coach_suggested_each_college(client, saved):
    page = client.get("/my-list/").content.decode()
    assert saved[0]["reasons"][0] in page


@pytest.mark.django_db
def test_the_compare_page_puts_the_chosen_colleges_side_by_side(client, saved):
    query = "&".join(f"unitid={item['unitid']}" for item in saved)
    page = client.get(f"/my-list/compare/?{query}").content.decode()
    assert page.count('<th scope="col">') == 2


@pytest.mark.django_db
def test_comparing_a_college_not_on_the_list_goes_back_with_a_message(client, saved):
    response = client.get("/my-list/compare/?unitid=166027", follow=True)
    assert "Only colleges on your list can be compared." in response.content.decode()
