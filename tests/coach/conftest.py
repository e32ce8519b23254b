import pytest

from coach.graph import nodes, runner


class Boom(RuntimeError):
    pass


@pytest.fixture
def fresh_graph():
    """Drop the compiled graph so the next turn compiles from the (possibly patched) nodes."""
    runner._compiled.clear()
    yield
    runner._compiled.clear()


@pytest.fixture
def failing_gate(monkeypatch, fresh_graph):
    """Make the `gate` node raise, as a crash in the middle of the graph would."""

    def explode(state, config=None):
        raise Boom("the coach fell over")

    monkeypatch.setattr(nodes, "gate", explode)
    runner._compiled.clear()
    return monkeypatch
