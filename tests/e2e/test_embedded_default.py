"""`make run` with no environment: the app a newcomer gets, as real processes."""

import json
import time

import httpx
import pytest
from websockets.sync.client import connect

pytestmark = pytest.mark.slow

EVERYTHING = "Biology, GPA 3.8, ACT 29, we can pay 24k a year, North Carolina."


def login_cookie(base_url: str, email: str, password: str) -> str:
    with httpx.Client(base_url=base_url) as browser:
        csrf = browser.get("/accounts/login/").cookies["csrftoken"]
        browser.post(
            "/accounts/login/",
            data={"username": email, "password": password, "csrfmiddlewaretoken": csrf},
        )
        return f"sessionid={browser.cookies['sessionid']}"


def test_it_reports_healthy_with_no_services(embedded_app):
    assert {
        part: state
        for part, state in httpx.get(f"{embedded_app.base_url}/healthz").json().items()
        if part in ("database", "broker", "checkpointer")
    } == {"database": "ok", "broker": "ok", "checkpointer": "ok"}


def test_its_worker_and_beat_report_their_heartbeats(embedded_app):
    # They beat as they start, which may be a moment after the web answers.
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        report = httpx.get(f"{embedded_app.base_url}/healthz").json()
        if (report["worker"], report["beat"]) == ("ok", "ok"):
            break
        time.sleep(1)
    assert (report["worker"], report["beat"]) == ("ok", "ok")


def test_a_message_posted_through_the_api_gets_a_coach_reply(embedded_app):
    token = embedded_app.manage("issue_token", "family@demo.aviator", "--role", "family")
    with httpx.Client(
        base_url=f"{embedded_app.base_url}/api/v1", headers={"Authorization": f"Bearer {token}"}
    ) as api:
        conversation = api.post("/conversations/", json={}).json()
        state = api.post(
            f"/conversations/{conversation['id']}/messages/", json={"text": "Hi!"}
        ).json()
    assert [m["role"] for m in state["messages"]] == ["coach", "family", "coach"]


def test_a_reply_reaches_an_open_chat_socket_live(embedded_app):
    token = embedded_app.manage("issue_token", "family@demo.aviator", "--role", "family")
    base = embedded_app.base_url
    headers = {"Authorization": f"Bearer {token}"}
    conversation = httpx.post(f"{base}/api/v1/conversations/", json={}, headers=headers).json()
    cookie = login_cookie(base, "family@demo.aviator", "fly-family-demo")
    url = f"ws://127.0.0.1:{embedded_app.port}/ws/conversations/{conversation['id']}/"
    with connect(
        url, additional_headers={"Cookie": cookie, "Origin": base}, open_timeout=10
    ) as socket:
        assert json.loads(socket.recv(timeout=10))["type"] == "state"
        httpx.post(
            f"{base}/api/v1/conversations/{conversation['id']}/messages/",
            json={"text": "Live?"},
            headers=headers,
        )
        roles = []
        while "coach" not in roles:
            event = json.loads(socket.recv(timeout=10))
            if event["type"] == "message":
                roles.append(event["message"]["role"])
    assert roles == ["family", "coach"]


def test_recommendations_arrive_from_the_worker_with_no_services(embedded_app):
    token = embedded_app.manage("issue_token", "family@demo.aviator", "--role", "family")
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=f"{embedded_app.base_url}/api/v1", headers=headers) as api:
        conversation = api.post("/conversations/", json={}).json()
        url = f"/conversations/{conversation['id']}/"
        state = api.post(f"{url}messages/", json={"text": EVERYTHING}).json()
        # The answer comes once the turn is done; the search may have finished by then too.
        assert state["phase"] in ("recommending", "recommended")
        deadline = time.monotonic() + 60
        while state["phase"] == "recommending" and time.monotonic() < deadline:
            time.sleep(0.3)
            state = api.get(url).json()
    assert (state["phase"], state["busy"], len(state["recommendations"]) >= 6) == (
        "recommended",
        False,
        True,
    )
