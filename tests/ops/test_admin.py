import pytest

pytestmark = pytest.mark.django_db

CHANGELISTS = [
    "/admin/coach/conversation/",
    "/admin/coach/profilefact/",
    "/admin/coach/toolcall/",
    "/admin/coach/shortlist/",
    "/admin/catalog/college/",
    "/admin/coach/escalation/",
    "/admin/accounts/apitoken/",
]


@pytest.mark.parametrize("path", CHANGELISTS)
def test_an_admin_can_browse_each_model(client, admin_dan, path):
    client.force_login(admin_dan)
    assert client.get(path).status_code == 200


def test_a_family_cannot_reach_the_admin(client, family_alice):
    client.force_login(family_alice)
    assert client.get("/admin/coach/conversation/").status_code == 302


def test_an_admin_sees_a_conversation_with_its_messages_and_trace(
    client, admin_dan, escalated_conversation
):
    client.force_login(admin_dan)
    page = client.get(
        f"/admin/coach/conversation/{escalated_conversation.id}/change/"
    ).content.decode()
    assert "Can I talk to a counselor" in page and "escalate(requested)" in page


@pytest.fixture
def escalated_conversation(family_alice):
    from coach.services import conversation_start, family_message_submit

    conversation = conversation_start(family=family_alice)
    family_message_submit(conversation=conversation, text="Can I talk to a counselor please?")
    return conversation
