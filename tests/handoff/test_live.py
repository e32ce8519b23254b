"""Live handoff over WebSockets: the counselor's reply reaches the family; the family's messages
reach the counselor, and the coach stays out of it."""

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from aviator.asgi import application
from coach.models import Conversation
from coach.services import family_message_submit
from handoff.services import escalation_claim, escalation_reply
from tests.coach.test_websocket import ORIGIN, open_socket, receive_until, session_cookie

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("close_db_connections_after"),
]


async def staff_socket(escalation, user) -> WebsocketCommunicator:
    cookie = await database_sync_to_async(session_cookie)(user)
    return WebsocketCommunicator(
        application,
        f"/ws/staff/escalations/{escalation.id}/",
        headers=[ORIGIN, (b"cookie", cookie)],
    )


async def test_a_counselor_reply_reaches_the_family_live(escalated, family_alice, counselor_carol):
    await database_sync_to_async(escalation_claim)(
        escalation_id=escalated.id, counselor=counselor_carol
    )
    family = await open_socket(escalated.conversation_id, family_alice)
    await family.connect()
    await family.receive_json_from(timeout=5)
    await database_sync_to_async(escalation_reply)(
        escalation_id=escalated.id, counselor=counselor_carol, text="Hi, I'm Carol."
    )
    event = await receive_until(family, "message", "counselor")
    await family.disconnect()
    assert event["message"]["text"] == "Hi, I'm Carol."


async def test_family_messages_reach_the_counselor_and_not_the_coach(escalated, counselor_carol):
    await database_sync_to_async(escalation_claim)(
        escalation_id=escalated.id, counselor=counselor_carol
    )
    staff = await staff_socket(escalated, counselor_carol)
    connected, _ = await staff.connect()
    await staff.receive_json_from(timeout=5)
    conversation = await Conversation.objects.aget(pk=escalated.conversation_id)
    result = await database_sync_to_async(family_message_submit)(
        conversation=conversation, text="Thank you!"
    )
    event = await receive_until(staff, "message", "family")
    await staff.disconnect()
    assert (connected, event["message"]["text"], result.reply) == (True, "Thank you!", None)


async def test_the_counselor_replies_over_the_socket(escalated, counselor_carol):
    await database_sync_to_async(escalation_claim)(
        escalation_id=escalated.id, counselor=counselor_carol
    )
    staff = await staff_socket(escalated, counselor_carol)
    await staff.connect()
    await staff.receive_json_from(timeout=5)
    await staff.send_json_to({"type": "reply", "text": "Let's look at budgets."})
    event = await receive_until(staff, "message", "counselor")
    await staff.disconnect()
    assert event["message"]["text"] == "Let's look at budgets."


async def test_a_counselor_who_has_not_claimed_cannot_listen(escalated, counselor_carol):
    staff = await staff_socket(escalated, counselor_carol)
    connected, code = await staff.connect()
    assert (connected, code) == (False, 4404)


async def test_a_family_cannot_open_the_staff_socket(escalated, family_alice):
    staff = await staff_socket(escalated, family_alice)
    connected, code = await staff.connect()
    assert (connected, code) == (False, 4404)
