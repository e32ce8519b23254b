"""Load test: families planning college with the coach, through the HTTP API and the chat socket.

    .venv/bin/python bench/load.py --users 50      # starts the app, makes the families, runs this

By hand, against an app that is already running (the pool comes from `bench/load.py families`):

    AVIATOR_LOAD_FAMILIES=families.json .venv/bin/locust -f locustfile.py --headless \\
        --host http://127.0.0.1:8000 -u 10 -r 2 -t 60s

Each simulated user is one family of the pool: a bearer token for the API and a session cookie for
the chat socket, which authenticates like the browser. The pool is made before the run, because a
login hashes the password on purpose (~0.4 s of CPU) and the login page allows one address 10
tries a minute: logging 200 families in from one address would measure the login, not the coach.

A family starts a conversation (`POST /api/v1/conversations/`), opens its socket, answers the
coach's questions with a persona's lines from tests/data/personas.json (the opener, then whatever
each reply `asks`), and waits on the socket for the recommendations the worker delivers. It then
answers one follow-up question, reads the list for a while and starts over. Half the families
send their messages through the API, the other half over the socket as the chat page does.
Stats (`--csv`), one line each:

- `POST /api/v1/conversations/[id]/messages/`: a coach turn through the API;
- `WS message → state`: a coach turn through the socket, until the state after it arrives;
- `WS recommendations`: from sending the answer that completes the profile to the cards arriving;
- `WS /ws/conversations/[id]/ open`: the handshake and the first state frame;
- `WS API reply after a busy answer`: from sending a message through the API to the coach's
  reply, when the API answered before it (202, or a tool still running).

Failures: any answer but the expected 2xx (a 429 too), an error frame, a timeout, a dropped
socket, or a conversation that never gets its recommendations.

One more user asks `GET /healthz` every second, as a load balancer would: its latency shows
whether the web process ever waits on a turn.

Families pause `AVIATOR_LOAD_THINK` seconds between messages (`min,max`, default `4,8`), which also
keeps each family under its quota of 20 messages a minute: the quotas stay as in production.
"""

import contextlib
import itertools
import json
import os
import random
import time
from pathlib import Path

import gevent
import gevent.queue
import websocket
from locust import between, constant, events, task
from locust.contrib.fasthttp import FastHttpUser

PERSONAS_PATH = Path(__file__).resolve().parent / "tests" / "data" / "personas.json"
# Scripted families who end with recommendations. Those asking for a counselor are left out: the
# coach then stays silent and the run would measure an idle conversation.
PERSONAS = [
    persona
    for persona in json.loads(PERSONAS_PATH.read_text())
    if not persona.get("expect", {}).get("escalate")
]
UNKNOWN_ANSWER = "I'm not sure."
# The evaluation's cap (coach/evaluation.py): a conversation still gathering after this many
# messages counts as a failure to recommend.
MAX_FAMILY_MESSAGES = 14
RECOMMENDATIONS_TIMEOUT_SECONDS = 30
SOCKET_OPEN_TIMEOUT_SECONDS = 10
TURN_TIMEOUT_SECONDS = 30

CONVERSATIONS = "/api/v1/conversations/"
MESSAGES_NAME = "/api/v1/conversations/[id]/messages/"
SOCKET_NAME = "/ws/conversations/[id]/"
SOCKET_TURN_NAME = "message → state"
API_REPLY_AFTER_BUSY = "API reply after a busy answer"


def _think_range() -> tuple[float, float]:
    low, _, high = os.environ.get("AVIATOR_LOAD_THINK", "4,8").partition(",")
    return float(low), float(high or low)


def _family_pool() -> list[dict]:
    path = os.environ.get("AVIATOR_LOAD_FAMILIES")
    if not path:
        raise SystemExit(
            "Set AVIATOR_LOAD_FAMILIES to a pool made by `bench/load.py families` "
            "(bench/load.py does it for you)."
        )
    return json.loads(Path(path).read_text())


FAMILIES: list[dict] = []
_next_family = itertools.count()


@events.init.add_listener
def _load_families(environment, **kwargs):
    FAMILIES.extend(_family_pool())


class NoRecommendations(Exception):
    pass


class FamilyUser(FastHttpUser):
    # Between conversations: the family reads its list before starting over.
    wait_time = between(5, 15)
    connection_timeout = 10
    network_timeout = 30

    def on_start(self):
        index = next(_next_family)
        if index >= len(FAMILIES):
            raise LookupError(
                f"{len(FAMILIES)} families in the pool, and user {index + 1} wants one"
            )
        family = FAMILIES[index]
        self.api_headers = {"Authorization": f"Bearer {family['token']}"}
        self.cookie = family["cookie"]
        # Every family walks the personas from its own starting point, so a run mixes them.
        self.personas = itertools.cycle(
            PERSONAS[index % len(PERSONAS) :] + PERSONAS[: index % len(PERSONAS)]
        )
        self.think = _think_range()
        # Every other family chats in the browser, whose page sends messages over the socket;
        # the others use the API.
        self.chats_in_browser = index % 2 == 1
        self.socket: ChatSocket | None = None

    def on_stop(self):
        self._close_socket()

    @task
    def plan_college(self):
        persona = next(self.personas)
        state = self._post(CONVERSATIONS, {}, name=CONVERSATIONS, expect=201)
        if state is None:
            return
        try:
            self.socket = self._open_socket(state["id"])
        except Exception:
            return  # Counted as a failed socket open; the family starts over.
        try:
            self._converse(persona, state)
        finally:
            self._close_socket()

    def _converse(self, persona: dict, state: dict) -> None:
        script = [persona["opener"]] + ([persona["followup"]] if persona.get("followup") else [])
        answers = persona.get("answers", {})
        url = f"{CONVERSATIONS}{state['id']}/messages/"
        recommended = False
        for _ in range(MAX_FAMILY_MESSAGES):
            if script:
                text = script.pop(0)
            else:
                asks = _last_asks(state)
                if not asks or state["phase"] in ("escalated", "closed"):
                    return
                text = " ".join(answers.get(topic, UNKNOWN_ANSWER) for topic in asks)
            self._think()
            sent = time.perf_counter()
            state = self._socket_turn(text) if self.chats_in_browser else self._api_turn(url, text)
            if state is None:
                return
            if recommended:
                # The follow-up answer after the list: the conversation is done.
                return
            if state["phase"] in ("recommending", "recommended") or state["recommendations"]:
                state = self._await_recommendations(state, sent)
                if state is None:
                    return
                recommended = True
        if not recommended:
            self._report(
                "recommendations",
                time.perf_counter(),
                NoRecommendations(f"still gathering after {MAX_FAMILY_MESSAGES} messages"),
            )

    def _think(self) -> None:
        gevent.sleep(random.uniform(*self.think))

    def _api_turn(self, url: str, text: str) -> dict | None:
        """A turn through the API: the state after it. An answer that comes back busy before the
        coach's reply (a 202: the turn outlasted the server's wait; or a 200 while a tool still
        runs) is not a failure: the family reads the state until the reply is there, and that
        whole wait is reported as `API reply after a busy answer`."""
        started = time.perf_counter()
        state = self._post(url, {"text": text}, name=MESSAGES_NAME, expect=(200, 202))
        if state is None or not state.get("busy") or state["messages"][-1]["role"] != "family":
            return state
        path = url.removesuffix("messages/")
        deadline = started + TURN_TIMEOUT_SECONDS
        while time.perf_counter() < deadline:
            gevent.sleep(0.5)
            state = self._get(path)
            if state is not None and state["messages"][-1]["role"] != "family":
                self._report(API_REPLY_AFTER_BUSY, started, None)
                return state
        self._report(API_REPLY_AFTER_BUSY, started, TimeoutError("no reply within 30 s"))
        return None

    def _get(self, path: str) -> dict | None:
        response = self.client.get(path, headers=self.api_headers, name=f"{CONVERSATIONS}[id]/")
        return response.json() if response.status_code == 200 else None

    def _post(
        self, path: str, body: dict, *, name: str, expect: int | tuple[int, ...] = 200
    ) -> dict | None:
        with self.client.post(
            path, json=body, headers=self.api_headers, name=name, catch_response=True
        ) as response:
            if response.status_code not in (expect if isinstance(expect, tuple) else (expect,)):
                response.failure(f"{response.status_code}: {(response.text or '')[:200]}")
                if response.status_code == 429:
                    # Told to slow down: do, so that one refusal does not become a burst of them.
                    gevent.sleep(float(response.headers.get("Retry-After") or 5))
                return None
            try:
                return response.json()
            except ValueError as error:
                response.failure(f"not JSON: {error}")
                return None

    def _socket_turn(self, text: str) -> dict | None:
        """Send a message as the chat page does and wait for the state after the coach's turn."""
        started = time.perf_counter()
        deadline = time.monotonic() + TURN_TIMEOUT_SECONDS
        try:
            self.socket.send({"type": "message", "text": text})
            while True:
                try:
                    frame = self.socket.next_frame(timeout=max(0, deadline - time.monotonic()))
                except TimeoutError:
                    raise TimeoutError(f"no reply within {TURN_TIMEOUT_SECONDS} s") from None
                if frame.get("type") == "error":
                    raise RuntimeError(f"socket error: {frame['error']}")
                if frame.get("type") == "state":
                    break
        except Exception as error:
            self._report(SOCKET_TURN_NAME, started, error)
            return None
        self._report(SOCKET_TURN_NAME, started, None)
        return frame["state"]

    def _open_socket(self, conversation_id: str) -> "ChatSocket":
        url = self.host.replace("http", "ws", 1) + f"/ws/conversations/{conversation_id}/"
        started = time.perf_counter()
        try:
            socket = ChatSocket(url, cookie=self.cookie)
            # The consumer greets every new socket with the conversation's state.
            first = socket.next_frame(timeout=SOCKET_OPEN_TIMEOUT_SECONDS)
            if first.get("type") != "state":
                raise RuntimeError(f"the socket opened with {first.get('type')!r}, not the state")
        except Exception as error:
            self._report(f"{SOCKET_NAME} open", started, error)
            raise
        self._report(f"{SOCKET_NAME} open", started, None)
        return socket

    def _await_recommendations(self, state: dict, sent: float) -> dict | None:
        """Read the socket until a state with recommendations arrives (the worker's tool calls
        finished); `sent` is when the answer that completed the profile went out."""
        deadline = time.monotonic() + RECOMMENDATIONS_TIMEOUT_SECONDS
        try:
            while not state["recommendations"]:
                try:
                    frame = self.socket.next_frame(timeout=max(0, deadline - time.monotonic()))
                except TimeoutError:
                    raise TimeoutError(
                        f"no recommendations within {RECOMMENDATIONS_TIMEOUT_SECONDS} s"
                    ) from None
                if frame.get("type") == "error":
                    raise RuntimeError(f"socket error: {frame['error']}")
                if frame.get("type") == "state":
                    state = frame["state"]
                    if state["phase"] == "escalated":
                        raise NoRecommendations("escalated instead of recommending")
        except Exception as error:
            self._report("recommendations", sent, error)
            return None
        self._report("recommendations", sent, None)
        return state

    def _report(self, name: str, started: float, error: Exception | None) -> None:
        self.environment.events.request.fire(
            request_type="WS",
            name=name,
            response_time=(time.perf_counter() - started) * 1000,
            response_length=0,
            exception=error,
            context={},
        )

    def _close_socket(self) -> None:
        if self.socket is not None:
            self.socket.close()
            self.socket = None


class ChatSocket:
    """A conversation's socket, read all the time as a browser reads it: frames queue up until
    the family looks, and the server's keep-alive pings are answered at once (uvicorn drops a
    socket whose ping goes unanswered for 20 s, which a family thinking between answers would
    otherwise cause)."""

    def __init__(self, url: str, *, cookie: str):
        # enable_multithread: the reader greenlet answers pings while the family sends.
        self.socket = websocket.create_connection(
            url, timeout=SOCKET_OPEN_TIMEOUT_SECONDS, cookie=cookie, enable_multithread=True
        )
        self.socket.settimeout(None)
        self.frames: gevent.queue.Queue = gevent.queue.Queue()
        self.reader = gevent.spawn(self._read)

    def _read(self) -> None:
        try:
            while True:
                self.frames.put(json.loads(self.socket.recv()))
        except Exception as error:
            self.frames.put(error)

    def send(self, frame: dict) -> None:
        self.socket.send(json.dumps(frame))

    def next_frame(self, *, timeout: float) -> dict:
        """The next frame from the server; TimeoutError if none comes within `timeout` seconds,
        and the reader's error if the socket broke."""
        try:
            frame = self.frames.get(timeout=timeout)
        except gevent.queue.Empty:
            raise TimeoutError("nothing arrived on the socket in time") from None
        if isinstance(frame, Exception):
            self.frames.put(frame)
            raise frame
        return frame

    def close(self) -> None:
        self.reader.kill(block=False)
        # Closing a socket the server already dropped may raise; it is gone either way.
        with contextlib.suppress(Exception):
            self.socket.close()


def _last_asks(state: dict) -> list[str]:
    for message in reversed(state["messages"]):
        if message["role"] == "coach":
            return list(message.get("asks") or [])
    return []


class HealthProbe(FastHttpUser):
    """A load balancer's probe: one, whatever the number of families."""

    fixed_count = 1
    wait_time = constant(1)

    @task
    def probe(self):
        self.client.get("/healthz", name="/healthz")
