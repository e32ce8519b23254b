import pytest

from aviator.accounts.roles import Role
from coach.services import conversation_start, family_message_submit
from handoff.models import Escalation
from tests.conftest import _person


@pytest.fixture
def counselor_cole(db):
    return _person("cole@example.com", Role.COUNSELOR)


@pytest.fixture
def alice_conversation(family_alice, catalog):
    return conversation_start(family=family_alice)


@pytest.fixture
def escalated(alice_conversation) -> Escalation:
    family_message_submit(conversation=alice_conversation, text="Biology. GPA 3.5.")
    family_message_submit(
        conversation=alice_conversation, text="Can I talk to a counselor please? A real human."
    )
    return Escalation.objects.get(conversation=alice_conversation)
