"""The chat-model path of the language layer, driven by LangChain's fake chat models."""

import uuid

import pytest
from langchain_core.messages import AIMessage

from coach.graph.runner import run_coach_turn
from coach.language.chat import is_transient
from tests.coach.chat_fakes import ProviderError, chat_model, reading

VALID = reading(
    facts=[{"slot": "gpa", "value": 3.8}, {"slot": "states", "value": ["oh"]}],
    intents=[],
    declined=[],
    acknowledgement="Great, a 3.8 and Ohio.",
)


def test_valid_output_becomes_facts():
    model, _ = chat_model(VALID)
    interpretation = model.interpret("She has a 3.8, Ohio", asked=["budget"], profile={})
    assert {fact.slot: fact.value for fact in interpretation.facts} == {
        "gpa": 3.8,
        "states": ["OH"],
    }


def test_valid_output_keeps_the_models_acknowledgement():
    model, _ = chat_model(VALID)
    interpretation = model.interpret("She has a 3.8, Ohio", asked=[], profile={})
    assert interpretation.acknowledgement == "Great, a 3.8 and Ohio."


def test_valid_output_is_not_a_fallback():
    model, _ = chat_model(VALID)
    interpretation = model.interpret("She has a 3.8, Ohio", asked=[], profile={})
    assert (interpretation.fallback_reason, interpretation.model) == (None, "fake:model")


def test_output_that_is_not_json_falls_back_to_the_offline_rules():
    model, _ = chat_model(AIMessage(content="Sure! The GPA is 3.8 {oops"))
    interpretation = model.interpret("GPA 3.8", asked=[], profile={})
    assert {fact.slot: fact.value for fact in interpretation.facts} == {"gpa": 3.8}
    assert interpretation.fallback_reason.startswith("ModelUnavailable: unparseable output")


def test_a_value_outside_the_slot_rules_falls_back_to_the_offline_rules():
    model, _ = chat_model(reading(facts=[{"slot": "gpa", "value": 9.5}]))
    interpretation = model.interpret("GPA 3.8", asked=[], profile={})
    assert ([f.value for f in interpretation.facts], interpretation.fallback_reason[:14]) == (
        [3.8],
        "SlotValueError",
    )


def test_an_unknown_slot_falls_back_to_the_offline_rules():
    model, _ = chat_model(reading(facts=[{"slot": "favourite_color", "value": "blue"}]))
    interpretation = model.interpret("GPA 3.8", asked=[], profile={})
    assert interpretation.fallback_reason is not None


def test_a_timeout_is_retried_a_bounded_number_of_times_then_falls_back():
    model, fake = chat_model(0.5, timeout_seconds=0.05, max_attempts=2)
    interpretation = model.interpret("SAT 1300", asked=[], profile={})
    assert (len(fake.calls), [f.value for f in interpretation.facts]) == (2, [1300])
    assert "attempts failed" in interpretation.fallback_reason


def test_a_rate_limit_is_retried_and_then_succeeds():
    model, fake = chat_model(ProviderError(429), VALID)
    interpretation = model.interpret("She has a 3.8, Ohio", asked=[], profile={})
    assert (len(fake.calls), interpretation.fallback_reason) == (2, None)


def test_rate_limits_past_the_attempt_budget_fall_back():
    model, fake = chat_model(ProviderError(429), max_attempts=3)
    interpretation = model.interpret("ACT 30", asked=[], profile={})
    assert (len(fake.calls), [f.value for f in interpretation.facts]) == (3, [30])


def test_a_permanent_provider_error_is_not_retried():
    model, fake = chat_model(ProviderError(400))
    model.interpret("ACT 30", asked=[], profile={})
    assert len(fake.calls) == 1


def test_an_acknowledgement_with_markup_is_dropped():
    model, _ = chat_model(reading(facts=[], intents=["greeting"], acknowledgement="<img src=x>"))
    assert model.interpret("hi", asked=[], profile={}).acknowledgement is None


def test_an_empty_reading_counts_as_unparsed():
    model, _ = chat_model(reading(facts=[], intents=[], declined=[]))
    assert "unparsed" in model.interpret("hmm", asked=["major"], profile={}).intents


@pytest.mark.parametrize(
    ("error", "transient"),
    [
        (TimeoutError(), True),
        (ProviderError(429), True),
        (ProviderError(503), True),
        (ProviderError(401), False),
        (ValueError("bad"), False),
    ],
)
def test_it_classifies_provider_errors(error, transient):
    assert is_transient(error) is transient


@pytest.mark.django_db
def test_a_graph_turn_with_a_chat_model_traces_the_model_and_its_fallback():
    model, _ = chat_model(AIMessage(content="not json"))
    outcome = run_coach_turn(
        conversation_id=str(uuid.uuid4()),
        incoming=[{"message_id": str(uuid.uuid4()), "text": "Nursing, GPA 3.5"}],
        language_model=model,
    )
    extract = next(entry for entry in outcome.trace if entry["node"] == "extract")
    assert (extract["details"]["model"], extract["decision"], outcome.profile["major"]) == (
        "fake:model",
        "fallback",
        "health",
    )


@pytest.mark.django_db
def test_a_graph_turn_with_a_chat_model_uses_its_facts():
    model, _ = chat_model(VALID)
    outcome = run_coach_turn(
        conversation_id=str(uuid.uuid4()),
        incoming=[{"message_id": str(uuid.uuid4()), "text": "3.8, Ohio"}],
        language_model=model,
    )
    assert (outcome.profile["gpa"], outcome.profile["states"], outcome.reply["text"][:22]) == (
        3.8,
        ["OH"],
        "Great, a 3.8 and Ohio.",
    )


def test_the_tokens_the_provider_reports_are_kept():
    with_usage = reading(facts=[{"slot": "gpa", "value": 3.8}], intents=[], declined=[])
    with_usage.usage_metadata = {"input_tokens": 90, "output_tokens": 30, "total_tokens": 120}
    model, _ = chat_model(with_usage)
    assert model.interpret("GPA 3.8", asked=[], profile={}).tokens == 120


def test_retried_calls_are_counted():
    model, _ = chat_model(ProviderError(503), VALID)
    assert model.interpret("She has a 3.8, Ohio", asked=[], profile={}).retries == 1


@pytest.mark.django_db
def test_the_extract_step_traces_tokens_retries_and_the_error_class():
    model, _ = chat_model(ProviderError(429), ProviderError(429), ProviderError(400))
    outcome = run_coach_turn(
        conversation_id=str(uuid.uuid4()),
        incoming=[{"message_id": str(uuid.uuid4()), "text": "Nursing, GPA 3.5"}],
        language_model=model,
    )
    details = next(entry for entry in outcome.trace if entry["node"] == "extract")["details"]
    assert (details["tokens"], details["error_classes"]) == (None, ["ModelUnavailable"])


def test_an_acknowledgement_quoting_a_number_the_family_did_not_say_is_dropped():
    invented = reading(
        facts=[{"slot": "gpa", "value": 3.8}],
        intents=[],
        declined=[],
        acknowledgement="A 3.8 is great; Ohio State costs $12,000.",
    )
    model, _ = chat_model(invented)
    assert model.interpret("GPA 3.8", asked=[], profile={}).acknowledgement is None


def test_an_acknowledgement_quoting_the_familys_numbers_is_kept():
    model, _ = chat_model(VALID)
    text = "She has a 3.8 and likes Ohio"
    assert model.interpret(text, asked=[], profile={}).acknowledgement == "Great, a 3.8 and Ohio."
