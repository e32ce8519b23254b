"""Chaos: simulated families talk to the coach at once under injected faults, and every
invariant of DESIGN.md §9 holds afterwards. The full run (200 families) is in bench/."""

import io
import json

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from coach.chaos import INVARIANTS, chaos_run
from coach.graph.context import get_language_model

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

FAULTS = {
    "model_error": 0.3,
    "tool_error": 0.2,
    "tool_failure": 0.05,
    "db_drop": 0.1,
    "broker_down": 0.1,
}


@pytest.fixture
def personas():
    return json.loads((settings.BASE_DIR / "tests" / "data" / "personas.json").read_text())


@pytest.fixture
def faults(settings):
    settings.COACH_FAULTS = FAULTS
    get_language_model.cache_clear()
    yield FAULTS
    get_language_model.cache_clear()


@pytest.fixture
def report(worker, faults, personas):
    return chaos_run(personas, families=8, concurrency=4, faults=faults)


def test_every_invariant_holds_under_faults(report):
    assert {name: problems for name, problems in report.violations.items() if problems} == {}


def test_every_family_got_a_conversation(report):
    assert report.counts["conversations"] == 8


def test_the_faults_really_fired(report):
    assert report.counts["model fallbacks"] > 0


def test_the_report_covers_every_invariant(report):
    assert set(report.violations) == set(INVARIANTS)


def test_the_command_prints_each_invariant(worker, personas):
    out = io.StringIO()
    call_command("chaos_run", "--families", "2", "--concurrency", "2", "--no-worker", stdout=out)
    assert out.getvalue().count("held") == len(INVARIANTS)


def test_the_command_refuses_unknown_faults():
    with pytest.raises(CommandError, match="unknown fault"):
        call_command("chaos_run", "--faults", "disk_full=1")
