"""The context-sufficiency gate as a table of profile → decision, plus properties that must hold
for every profile (hypothesis)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coach.gate import GateHistory, TurnSignals, decide, sufficiency_score
from coach.profile import REQUIRED_TOPICS, empty_profile, topic_is_known

COMPLETE = {"major": "biology", "gpa": 3.8, "budget": 25000, "states": ["OH"]}
NO_SIGNALS = TurnSignals()
FRESH = GateHistory()


def profile(**slots):
    return empty_profile() | slots


@pytest.mark.parametrize(
    ("slots", "action", "topic"),
    [
        ({}, "ask", "major"),
        ({"major": "biology"}, "ask", "academics"),
        ({"major": "undecided"}, "ask", "academics"),
        ({"major": "biology", "test_optional": True}, "ask", "budget"),
        ({"major": "biology", "act": 29, "budget": "any"}, "ask", "location"),
        ({"gpa": 3.1, "budget": 1000, "states": "any"}, "ask", "major"),
        (COMPLETE, "recommend", None),
        (COMPLETE | {"major": "undecided", "states": "any", "budget": "any"}, "recommend", None),
        ({"major": "history", "sat": 1300, "budget": 30000, "states": ["VA"]}, "recommend", None),
    ],
)
def test_it_asks_the_first_unknown_required_topic_or_recommends(slots, action, topic):
    decision = decide(profile(**slots), FRESH, NO_SIGNALS)
    assert (decision.action, decision.topic) == (action, topic)


def test_it_recommends_without_assumptions_when_everything_is_known():
    assert decide(profile(**COMPLETE), FRESH, NO_SIGNALS).assumptions == {}


def test_a_crisis_escalates_urgently_even_with_a_complete_profile():
    decision = decide(profile(**COMPLETE), FRESH, TurnSignals(crisis=True))
    assert (decision.action, decision.escalation_reason, decision.urgent) == (
        "escalate",
        "crisis",
        True,
    )


def test_a_request_for_a_person_escalates():
    decision = decide(profile(), FRESH, TurnSignals(wants_human=True))
    assert (decision.action, decision.escalation_reason) == ("escalate", "requested")


def test_just_show_me_recommends_now_with_stated_assumptions():
    decision = decide(profile(major="psychology", gpa=3.1), FRESH, TurnSignals(just_show_me=True))
    assert (decision.action, sorted(decision.assumptions)) == ("recommend", ["budget", "location"])


def test_an_impossible_value_gets_one_clarifying_question():
    decision = decide(profile(), FRESH, TurnSignals(rejected_slots=("gpa",)))
    assert (decision.action, decision.topic, decision.clarification) == ("ask", "academics", True)


def test_a_slot_is_clarified_at_most_once():
    history = GateHistory(clarified_slots=frozenset({"gpa"}), failed_attempts={"academics": 1})
    decision = decide(profile(major="biology"), history, TurnSignals(rejected_slots=("gpa",)))
    assert decision.clarification is False


def test_an_impossible_value_for_a_known_topic_is_not_asked_again():
    decision = decide(profile(sat=1300), FRESH, TurnSignals(rejected_slots=("gpa",)))
    assert (decision.topic, decision.clarification) == ("major", False)


def test_two_failed_attempts_at_a_topic_assume_it_and_move_on():
    history = GateHistory(failed_attempts={"major": 2}, questions_asked=2)
    decision = decide(profile(), history, NO_SIGNALS)
    assert (decision.action, decision.topic, list(decision.assumptions)) == (
        "ask",
        "academics",
        ["major"],
    )


def test_a_declined_topic_is_assumed_not_asked_again():
    history = GateHistory(declined=frozenset({"budget"}))
    decision = decide(profile(major="biology", gpa=3.0), history, NO_SIGNALS)
    assert (decision.topic, list(decision.assumptions)) == ("location", ["budget"])


def test_when_every_missing_topic_is_assumed_it_recommends():
    history = GateHistory(declined=frozenset({"budget"}))
    decision = decide(profile(major="biology", gpa=3.0, states=["OH"]), history, NO_SIGNALS)
    assert (decision.action, list(decision.assumptions)) == ("recommend", ["budget"])


def test_the_coach_escalates_as_stuck_when_nothing_gets_through():
    history = GateHistory(failed_attempts=dict.fromkeys(REQUIRED_TOPICS, 2), questions_asked=6)
    decision = decide(profile(), history, NO_SIGNALS)
    assert (decision.action, decision.escalation_reason) == ("escalate", "stuck")


def test_a_spent_question_budget_recommends_with_assumptions_when_half_is_known():
    history = GateHistory(questions_asked=6)
    decision = decide(profile(major="biology", gpa=3.2), history, NO_SIGNALS)
    assert (decision.action, sorted(decision.assumptions)) == ("recommend", ["budget", "location"])


def test_a_spent_question_budget_escalates_when_little_is_known():
    decision = decide(profile(major="biology"), GateHistory(questions_asked=6), NO_SIGNALS)
    assert (decision.action, decision.escalation_reason) == ("escalate", "stuck")


def test_the_question_budget_is_configurable():
    decision = decide(
        profile(major="biology", gpa=3.2),
        GateHistory(questions_asked=2),
        NO_SIGNALS,
        question_budget=2,
    )
    assert decision.action == "recommend"


def test_an_optional_question_rides_with_the_recommendation_when_it_could_change_the_list():
    decision = decide(
        profile(**COMPLETE), FRESH, NO_SIGNALS, pick_optional_topic=lambda p: "income"
    )
    assert (decision.action, decision.follow_up) == ("recommend", "income")


def test_at_most_one_optional_question_is_ever_asked():
    history = GateHistory(optional_asked=True)
    decision = decide(
        profile(**COMPLETE), history, NO_SIGNALS, pick_optional_topic=lambda p: "income"
    )
    assert decision.follow_up is None


def test_no_optional_question_when_its_answer_would_not_change_the_list():
    decision = decide(profile(**COMPLETE), FRESH, NO_SIGNALS, pick_optional_topic=lambda p: None)
    assert decision.follow_up is None


def test_a_known_optional_topic_is_never_asked():
    decision = decide(
        profile(**COMPLETE, income=90000), FRESH, NO_SIGNALS, pick_optional_topic=lambda p: "income"
    )
    assert decision.follow_up is None


def test_every_decision_explains_itself():
    assert decide(profile(major="biology"), FRESH, NO_SIGNALS).reason.startswith("academics")


@pytest.mark.parametrize(
    ("slots", "score"), [({}, 0.0), ({"major": "biology"}, 0.25), (COMPLETE, 1.0)]
)
def test_the_sufficiency_score_is_the_share_of_required_topics_known(slots, score):
    assert sufficiency_score(profile(**slots)) == score


# --- Properties ---------------------------------------------------------------------------------

slot_values = {
    "major": st.sampled_from(["biology", "undecided", "business", "engineering"]),
    "gpa": st.floats(0, 5, allow_nan=False),
    "sat": st.integers(400, 1600),
    "act": st.integers(1, 36),
    "test_optional": st.booleans(),
    "budget": st.one_of(st.just("any"), st.integers(0, 100000)),
    "states": st.one_of(st.just("any"), st.lists(st.sampled_from(["OH", "NY", "CA"]), min_size=1)),
    "home_state": st.sampled_from(["OH", "TX"]),
    "income": st.integers(0, 400000),
    "size": st.sampled_from(["small", "medium", "large", "any"]),
    "setting": st.sampled_from(["city", "rural", "any"]),
}
profiles = st.fixed_dictionaries({}, optional=slot_values).map(
    lambda slots: empty_profile() | slots
)
histories = st.builds(
    GateHistory,
    questions_asked=st.integers(0, 10),
    failed_attempts=st.dictionaries(st.sampled_from(REQUIRED_TOPICS), st.integers(0, 3)),
    clarified_slots=st.frozensets(st.sampled_from(["gpa", "sat", "act", "budget"])),
    declined=st.frozensets(st.sampled_from(REQUIRED_TOPICS)),
    optional_asked=st.booleans(),
)
calm_signals = st.builds(
    TurnSignals,
    just_show_me=st.booleans(),
    rejected_slots=st.lists(st.sampled_from(["gpa", "sat", "act", "budget"]), max_size=2).map(
        tuple
    ),
)


@given(profiles, histories, calm_signals)
def test_a_profile_with_the_four_required_topics_always_recommends(profile_, history, signals):
    for topic, value in (("major", "biology"), ("gpa", 3.0), ("budget", 1), ("states", "any")):
        if not topic_is_known(
            profile_, {"gpa": "academics", "states": "location"}.get(topic, topic)
        ):
            profile_[topic] = value
    assert decide(profile_, history, signals).action == "recommend"


@given(profiles, histories, calm_signals)
def test_the_gate_never_asks_a_known_topic_except_to_clarify(profile_, history, signals):
    decision = decide(profile_, history, signals)
    if decision.action == "ask" and not decision.clarification:
        assert not topic_is_known(profile_, decision.topic)


@given(profiles, histories, calm_signals)
def test_the_gate_never_asks_past_the_question_budget(profile_, history, signals):
    decision = decide(profile_, history, signals, question_budget=6)
    if history.questions_asked >= 6:
        assert decision.action != "ask"


@given(profiles, histories, st.builds(TurnSignals, crisis=st.just(True)))
def test_a_crisis_always_escalates(profile_, history, signals):
    assert decide(profile_, history, signals).action == "escalate"


def test_declining_the_remaining_topics_recommends_instead_of_escalating():
    history = GateHistory(declined=frozenset({"budget", "location"}))
    decision = decide(profile(major="biology", gpa=3.0), history, NO_SIGNALS)
    assert (decision.action, sorted(decision.assumptions)) == ("recommend", ["budget", "location"])


def test_a_third_off_topic_or_manipulative_message_escalates():
    decision = decide(profile(), FRESH, TurnSignals(out_of_lane_strikes=3))
    assert (decision.action, decision.escalation_reason) == ("escalate", "out_of_lane")


def test_one_off_topic_message_only_gets_a_redirect():
    assert decide(profile(), FRESH, TurnSignals(out_of_lane_strikes=1)).action == "ask"


def test_a_required_fact_read_with_low_confidence_escalates():
    decision = decide(profile(**COMPLETE), FRESH, TurnSignals(unsure_slots=("budget",)))
    assert (decision.action, decision.escalation_reason) == ("escalate", "low_confidence")
