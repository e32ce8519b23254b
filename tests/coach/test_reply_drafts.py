"""The reply while a chat model writes it: drafts streamed token by token, within the checks."""

import uuid

import pytest
from channels.db import database_sync_to_async

from coach.graph import context
from coach.graph.runner import run_coach_turn
from coach.language.chat import acknowledgement_draft
from coach.language.offline import OfflineLanguageModel
from coach.services import conversation_start
from tests.coach.chat_fakes import StreamingFake, chat_model, reading
from tests.coach.test_websocket import open_socket, receive_until

ACKNOWLEDGED = reading(
    facts=[{"slot": "gpa", "value": 3.8}, {"slot": "states", "value": ["oh"]}],
    intents=[],
    declined=[],
    acknowledgement="Great, a 3.8 and Ohio.",
)
FAMILY_TEXT = "She has a 3.8, Ohio"


def test_a_draft_holds_back_a_number_still_being_written():
    assert acknowledgement_draft("Great, a 3.", FAMILY_TEXT) == "Great, a "


def test_a_draft_shows_a_number_the_family_said_once_it_is_complete():
    assert acknowledgement_draft("Great, a 3.8 and", FAMILY_TEXT) == "Great, a 3.8 and"


def test_a_draft_with_a_number_the_family_did_not_say_is_not_shown():
    assert acknowledgement_draft("That costs 45,000 a", FAMILY_TEXT) is None


def test_a_draft_holds_back_what_may_become_markup():
    assert acknowledgement_draft("See this!", FAMILY_TEXT) == "See this"


def test_a_draft_with_markup_is_not_shown():
    assert acknowledgement_draft("See ![x", FAMILY_TEXT) is None


def streamed_turn(model, text=FAMILY_TEXT):
    drafts: list[str] = []
    outcome = run_coach_turn(
        conversation_id=str(uuid.uuid4()),
        incoming=[{"message_id": str(uuid.uuid4()), "text": text}],
        language_model=model,
        on_draft=drafts.append,
    )
    return outcome, drafts


@pytest.mark.django_db
def test_the_acknowledgement_reaches_the_caller_token_by_token():
    model, _ = chat_model(ACKNOWLEDGED, fake_class=StreamingFake)
    _, drafts = streamed_turn(model)
    assert len(drafts) > 3 and all(
        later.startswith(earlier) for earlier, later in zip(drafts, drafts[1:], strict=False)
    )


@pytest.mark.django_db
def test_the_last_draft_is_the_acknowledgement_the_reply_stores():
    model, _ = chat_model(ACKNOWLEDGED, fake_class=StreamingFake)
    outcome, drafts = streamed_turn(model)
    assert outcome.reply["text"].startswith(drafts[-1]) and drafts[-1] == "Great, a 3.8 and Ohio."


@pytest.mark.django_db
def test_a_streamed_turn_stores_the_facts_the_model_read():
    model, _ = chat_model(ACKNOWLEDGED, fake_class=StreamingFake)
    outcome, _ = streamed_turn(model)
    assert (outcome.profile["gpa"], outcome.profile["states"]) == (3.8, ["OH"])


@pytest.mark.django_db
def test_no_draft_shows_a_number_the_family_did_not_say():
    invented = reading(
        facts=[{"slot": "gpa", "value": 3.8}],
        intents=[],
        declined=[],
        acknowledgement="Noted, and tuition there is about 45,000 a year.",
    )
    model, _ = chat_model(invented, fake_class=StreamingFake)
    _, drafts = streamed_turn(model)
    assert drafts and drafts[-1] == "" and not any("45" in draft for draft in drafts)


@pytest.mark.django_db
def test_the_offline_model_sends_no_drafts():
    _, drafts = streamed_turn(OfflineLanguageModel())
    assert drafts == []


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("close_db_connections_after")
async def test_the_chat_page_socket_hears_the_draft_before_the_reply(family_alice, monkeypatch):
    model, _ = chat_model(ACKNOWLEDGED, fake_class=StreamingFake)
    monkeypatch.setattr(context, "get_language_model", lambda: model)
    conversation = await database_sync_to_async(conversation_start)(family=family_alice)
    socket = await open_socket(conversation.id, family_alice)
    await socket.connect()
    await socket.send_json_to({"type": "message", "text": FAMILY_TEXT})
    draft = await receive_until(socket, "reply_draft")
    # The turn's last event: the socket's handler is done when it arrives.
    await receive_until(socket, "turn")
    await socket.disconnect()
    assert draft["text"]
