"""Fault injection (COACH_FAULTS): parsed strictly, and fired at the real boundaries."""

import pytest
from django.db import OperationalError as DatabaseOperationalError
from kombu.exceptions import OperationalError as BrokerOperationalError

from aviator.faults import (
    inject_broker_faults,
    inject_database_faults,
    inject_model_faults,
    parse_faults,
)
from coach.language.faulty import FaultInjectingModel
from coach.language.offline import OfflineLanguageModel


def test_faults_are_parsed():
    assert parse_faults("model_error=0.3, tool_error=0.2,tool_delay=3") == {
        "model_error": 0.3,
        "tool_error": 0.2,
        "tool_delay": 3.0,
    }


@pytest.mark.parametrize(
    ("spec", "complaint"),
    [
        ("disk_full=0.1", "unknown fault"),
        ("model_error=lots", "needs a number"),
        ("db_drop=2", "out of range"),
    ],
)
def test_a_bad_fault_is_refused(spec, complaint):
    with pytest.raises(ValueError, match=complaint):
        parse_faults(spec)


def always():
    return 0.0


def never():
    return 1.0


def test_a_model_timeout_fires():
    with pytest.raises(TimeoutError):
        inject_model_faults({"model_timeout": 0.5}, chance=always)


def test_a_model_delay_holds_every_model_call_for_its_seconds():
    slept = []
    inject_model_faults({"model_delay": 1.5}, chance=never, sleep=slept.append)
    assert slept == [1.5]


def test_a_model_delay_may_be_longer_than_a_second():
    assert parse_faults("model_delay=1.5") == {"model_delay": 1.5}


def test_a_broker_outage_looks_like_the_brokers_own_error():
    with pytest.raises(BrokerOperationalError):
        inject_broker_faults({"broker_down": 0.5}, chance=always)


def test_a_database_drop_looks_like_the_databases_own_error():
    with pytest.raises(DatabaseOperationalError):
        inject_database_faults({"db_drop": 0.5}, chance=always)


def test_no_configured_fault_fires_nothing():
    inject_model_faults({}, chance=always)
    inject_broker_faults({}, chance=always)
    inject_database_faults({}, chance=always)


def test_an_injected_model_fault_falls_back_to_the_offline_rules(settings):
    settings.COACH_FAULTS = {"model_error": 1.0}
    reading = FaultInjectingModel(OfflineLanguageModel()).interpret(
        "Biology, GPA 3.5", asked=[], profile={}
    )
    assert (reading.fallback_reason.startswith("InjectedTransientFault"), len(reading.facts)) == (
        True,
        2,
    )


def test_without_faults_the_model_answers_itself(settings):
    settings.COACH_FAULTS = {}
    reading = FaultInjectingModel(OfflineLanguageModel()).interpret("Biology", asked=[], profile={})
    assert reading.fallback_reason is None
