import pytest

from coach.graph import deciding, runner
from coach.services import conversation_start, family_message_submit


@pytest.fixture
def conversation(family_alice, catalog):
    return conversation_start(family=family_alice)


@pytest.fixture
def say(run_tools_in_process):
    """Send a family message, let the tools it needs run, and return the coach's reply."""

    def send(conversation, text: str):
        family_message_submit(conversation=conversation, text=text)
        run_tools_in_process(conversation)
        return conversation.messages.filter(role="coach").order_by("-seq").first()

    return send


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

    monkeypatch.setattr(deciding, "gate", explode)
    runner._compiled.clear()
    return monkeypatch
