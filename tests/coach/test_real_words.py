"""Real families' words through the whole coach (issue 13): a post as the first message is taken
in without asking again, an answer belongs to the question just asked, a conflicting value is
confirmed before it replaces anything, and the list says what changed and why."""

import io
from pathlib import Path

import pytest
from django.core.management import call_command

from coach.models import ProfileFact, ToolCall

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parents[1] / "data"
POST = (
    "**Demographics**\n* Gender: F\n* Race/Ethnicity: Chinese\n* Residence: Rural MN\n"
    "* Income Bracket: 150-200k\n\n**Intended Major(s)**: Political Science, History\n\n"
    "**Academics**\n* GPA (UW/W): 3.86 UW / 4.08 W\n* Rank: 12/400\n\n"
    "**Standardized Testing**\n* SAT I: 1490 (720 RW, 770 M)\n\n"
    "**Decisions**\n* Ohio State: accepted\n* University of Michigan: rejected"
)
# Everything the gate needs, with a budget the family states outright.
READY = "Biology, GPA 3.8, ACT 29, we can pay 18k a year, schools in North Carolina."


def test_a_post_as_the_first_message_fills_the_profile_from_its_fields(conversation, say):
    say(conversation, POST)
    profile = conversation.profile
    assert (
        profile["major"],
        profile["gpa"],
        profile["sat"],
        profile["home_state"],
        150_000 <= profile["income"] <= 200_000,
    ) == ("social_sciences", 3.86, 1490, "MN", True)


def test_a_post_never_turns_demographics_or_decisions_into_facts(conversation, say):
    say(conversation, POST)
    assert (conversation.profile["states"], conversation.profile["size"]) == (None, None)


def test_after_a_post_the_coach_asks_only_what_the_post_left_open(conversation, say):
    reply = say(conversation, POST)
    assert reply.asks == ["budget"]


def test_the_reply_to_a_post_echoes_the_bracket_in_the_familys_terms(conversation, say):
    reply = say(conversation, POST)
    assert "household income of $150,000–$200,000" in reply.text


def test_the_other_majors_of_a_post_stay_in_the_ledger(conversation, say):
    say(conversation, POST)
    fact = ProfileFact.objects.get(conversation=conversation, slot="major")
    assert fact.detail == {"alternatives": ["history"]}


def test_an_income_answer_to_the_income_question_never_becomes_the_budget(conversation, say):
    first = say(conversation, READY)
    assert first.asks == ["income"]
    say(conversation, "Around $95,000 a year.")
    assert (conversation.profile["budget"], conversation.profile["income"]) == (18000, 95000)


@pytest.fixture
def amount_in_question(conversation, say):
    """A stated budget, then an unasked amount that may be a new budget or the income."""
    say(conversation, "Biology, GPA 3.8, ACT 29, we can pay 18k a year.")
    return say(conversation, "North Carolina. Also $95,000 a year.")


def test_an_unasked_amount_that_conflicts_with_the_budget_is_confirmed_not_stored(
    conversation, amount_in_question
):
    assert conversation.profile["budget"] == 18000
    assert "Is $95,000 your new yearly budget, or your household income?" in amount_in_question.text


def test_answering_the_confirmation_stores_the_amount_where_the_family_says(
    conversation, say, amount_in_question
):
    say(conversation, "That's our household income.")
    assert (conversation.profile["budget"], conversation.profile["income"]) == (18000, 95000)


def test_a_plain_correction_still_replaces_at_once(conversation, say):
    say(conversation, "Biology, GPA 3.8, ACT 29, we can pay 18k a year.")
    reply = say(conversation, "Sorry, her GPA is actually 3.6.")
    assert conversation.profile["gpa"] == 3.6
    assert "updated the GPA" in reply.text


def test_a_weighted_only_gpa_is_kept_as_stated_and_converted_for_the_search(conversation, say):
    say(conversation, "Nursing, 4.4 weighted GPA (no unweighted), ACT 25, 20k a year, Texas.")
    search = ToolCall.objects.get(conversation=conversation, tool="search_colleges")
    assert (conversation.profile["gpa"], search.payload["profile"]["gpa"]) == (4.4, 3.9)


def test_asking_for_community_colleges_widens_the_search_and_says_so(conversation, say):
    reply = say(conversation, READY + " She'd consider community colleges too.")
    search = ToolCall.objects.get(conversation=conversation, tool="search_colleges")
    assert search.payload["scope"]["two_year"] is True
    assert "two-year colleges" in reply.text


def test_a_list_for_a_family_who_asked_for_nothing_else_stays_in_the_default_scope(
    conversation, say
):
    say(conversation, READY)
    search = ToolCall.objects.get(conversation=conversation, tool="search_colleges")
    assert search.payload["scope"] == {"two_year": False, "for_profit": False, "named_names": []}


def test_when_new_facts_change_the_list_the_reply_says_what_came_in(conversation, say):
    say(conversation, READY)
    reply = say(conversation, "About 150k.")
    assert "New on the list" in reply.text or "no longer on the list" in reply.text


def test_the_real_style_posts_and_families_pass_the_evaluation(catalog):
    out = io.StringIO()
    call_command(
        "evaluate_coach", *(str(path) for path in sorted(DATA.glob("real_posts*.json"))), stdout=out
    )
    assert "wrong facts 0, re-asks 0" in out.getvalue().splitlines()[-1]


def test_the_location_question_offers_the_home_state_without_assuming_it(conversation, say):
    reply = say(conversation, "Biology, GPA 3.8, ACT 29, we can pay 18k a year. We live in Ohio.")
    assert reply.asks == ["location"] and "Staying in Ohio is one option" in reply.text
    assert conversation.profile["states"] is None


def test_a_no_to_the_confirmation_keeps_the_old_value(conversation, say, amount_in_question):
    say(conversation, "No, we can't pay that much.")
    assert (conversation.profile["budget"], conversation.profile["income"]) == (18000, None)


def test_answering_a_confirmation_is_not_a_failed_answer_to_the_question_asked(
    conversation, say, amount_in_question
):
    reply = say(conversation, "No.")
    assert "Let's move on" not in reply.text


def test_a_conflict_read_in_a_turn_that_asks_nothing_else_is_never_settled_unseen(
    conversation, say
):
    say(conversation, READY)
    say(conversation, "We can pay 95k a year. Save the list please.")
    say(conversation, "Sure, what about schools with good labs?")
    assert conversation.profile["budget"] == 18000
