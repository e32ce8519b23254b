"""The web process killed (SIGKILL) in the middle of a family's turn, then started again.

A real uvicorn process (the web process alone, without `serve`'s worker and beat) runs on a
PostgreSQL database of its own. To stop the turn at a known point, the test holds a table lock
that only the turn's second half needs: the family message is committed first and does not touch
those tables, so the request is provably parked between "message stored" and "reply stored" when
the process is killed. No fault injection or product hook is involved.

- Lock `langgraph.checkpoints`: the turn stops inside the graph, before its checkpoint is written.
- Lock `coach_decisiontrace`: the graph has finished and its checkpoint is durable, but the
  transaction storing the facts, the decision trace and the reply has not committed.
"""

import contextlib
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest

from tests.e2e.servers import (
    PYTHON,
    ServerProcess,
    free_port,
    own_database,
    services_environment,
)

pytestmark = [pytest.mark.slow, pytest.mark.services]

FIRST = "She wants to study biology."
SECOND = "GPA 3.6."
# Where the turn is parked when its web process is killed: the table whose write it waits for.
BEFORE_THE_CHECKPOINT = "langgraph.checkpoints"
AFTER_THE_CHECKPOINT = "coach_decisiontrace"


def wait_until(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


class CrashSite:
    """A migrated database with the catalog, a family's API token, and a web process on it that
    the tests kill and start again (each start logs to a file of its own)."""

    def __init__(self, env: dict[str, str], dsn: str, data_dir: Path):
        self.dsn, self.data_dir, self.starts = dsn, data_dir, 0
        port = free_port()
        command = [PYTHON, "-m", "uvicorn", "aviator.asgi:application"]
        command += ["--host", "127.0.0.1", "--port", str(port), "--no-access-log"]
        self.web = ServerProcess(command, env, port, data_dir / "web-0.log")
        self.token = ""

    def start_web(self) -> None:
        self.starts += 1
        self.web.log_path = self.data_dir / f"web-{self.starts}.log"
        self.web.start(timeout=60)

    def kill_web(self) -> None:
        """SIGKILL, as the kernel's OOM killer or a lost node would: no handler runs."""
        self.web.process.kill()
        self.web.process.wait(timeout=10)

    def api(self) -> httpx.Client:
        return httpx.Client(
            base_url=f"{self.web.base_url}/api/v1",
            headers={"Authorization": f"Bearer {self.token}"},
            timeout=30,
        )


@pytest.fixture(scope="module")
def crash_site(tmp_path_factory, django_db_setup):
    with own_database() as database:
        data_dir = tmp_path_factory.mktemp("web-crash")
        site = CrashSite(services_environment(data_dir, database), database.dsn, data_dir)
        site.web.manage("migrate", "--no-input")
        site.web.manage("import_catalog")
        site.token = site.web.manage(
            "issue_token", "family-alice@example.com", "--role", "family", "--create"
        )
        yield site
        site.web.stop()


@contextlib.contextmanager
def table_locked_for_writes(dsn: str, table: str):
    """Hold a lock that lets others read `table` but makes every write to it wait."""
    with psycopg.connect(dsn) as holder:
        holder.execute(f"LOCK TABLE {table} IN EXCLUSIVE MODE")
        yield
        holder.rollback()


def backends_waiting_to_write(watcher: psycopg.Connection, table: str) -> int:
    return watcher.execute(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
        " AND wait_event_type = 'Lock' AND query ILIKE %s",
        (f"%INSERT INTO%{table.rpartition('.')[2]}%",),
    ).fetchone()[0]


def other_backends(watcher: psycopg.Connection) -> int:
    return watcher.execute(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
        " AND backend_type = 'client backend' AND pid <> pg_backend_pid()"
    ).fetchone()[0]


@dataclass
class Transcript:
    """What the database holds about one conversation."""

    messages: list[dict[str, Any]]
    facts: dict[str, Any]
    trace_turns: list[int]
    profile: dict[str, Any]
    phase: str
    open_tool_calls: int

    @classmethod
    def read(cls, watcher: psycopg.Connection, conversation_id: str) -> "Transcript":
        rows = watcher.execute(
            "SELECT m.id, m.seq, m.role, m.text, r.seq FROM coach_message m"
            " LEFT JOIN coach_message r ON r.id = m.reply_to_id"
            " WHERE m.conversation_id = %s ORDER BY m.seq",
            (conversation_id,),
        ).fetchall()
        messages = [
            {"id": row[0], "seq": row[1], "role": row[2], "text": row[3], "reply_to_seq": row[4]}
            for row in rows
        ]
        facts = dict(
            watcher.execute(
                "SELECT slot, source_message_id FROM coach_profilefact"
                " WHERE conversation_id = %s ORDER BY id",
                (conversation_id,),
            ).fetchall()
        )
        trace_turns = [
            row[0]
            for row in watcher.execute(
                "SELECT DISTINCT turn FROM coach_decisiontrace WHERE conversation_id = %s"
                " ORDER BY turn",
                (conversation_id,),
            ).fetchall()
        ]
        profile, phase = watcher.execute(
            "SELECT profile, phase FROM coach_conversation WHERE id = %s", (conversation_id,)
        ).fetchone()
        open_tool_calls = watcher.execute(
            "SELECT count(*) FROM coach_toolcall WHERE conversation_id = %s"
            " AND status IN ('queued', 'running')",
            (conversation_id,),
        ).fetchone()[0]
        return cls(messages, facts, trace_turns, profile, phase, open_tool_calls)

    def texts(self, role: str) -> list[str]:
        return [message["text"] for message in self.messages if message["role"] == role]


@dataclass
class CrashStory:
    after_the_crash: Transcript
    continued: Transcript
    state_after_restart: dict[str, Any]
    failed_request: BaseException | None


@pytest.fixture(scope="module")
def crash_and_continue(crash_site):
    """Run (once per kill point) a conversation whose first turn is killed with its web process,
    then restart the web process and send the next message."""
    stories: dict[str, CrashStory] = {}

    def run(parked_at: str) -> CrashStory:
        if parked_at not in stories:
            stories[parked_at] = _crash_and_continue(crash_site, parked_at)
        return stories[parked_at]

    return run


def _crash_and_continue(site: CrashSite, parked_at: str) -> CrashStory:
    site.start_web()
    with site.api() as api:
        conversation_id = api.post("/conversations/", json={}).json()["id"]
    with (
        psycopg.connect(site.dsn, autocommit=True) as watcher,
        ThreadPoolExecutor(max_workers=1) as sender,
    ):
        with table_locked_for_writes(site.dsn, parked_at), site.api() as api:
            request = sender.submit(
                api.post, f"/conversations/{conversation_id}/messages/", json={"text": FIRST}
            )
            wait_until(
                lambda: backends_waiting_to_write(watcher, parked_at) == 1,
                20,
                f"the turn to wait for its write to {parked_at}",
            )
            assert Transcript.read(watcher, conversation_id).texts("family") == [FIRST], (
                "the family message is committed before the turn runs"
            )
            site.kill_web()
            failed_request = request.exception(timeout=10)
        # Once the lock is gone, the dead process's sessions finish what they were blocked on and
        # are ended by PostgreSQL (their client is gone); only then is the crash complete.
        wait_until(lambda: other_backends(watcher) == 0, 20, "the dead web process's sessions")
        after_the_crash = Transcript.read(watcher, conversation_id)

        site.start_web()
        with site.api() as api:
            state_after_restart = api.get(f"/conversations/{conversation_id}/").json()
            response = api.post(
                f"/conversations/{conversation_id}/messages/", json={"text": SECOND}
            )
            assert response.status_code == 200, response.text
        continued = Transcript.read(watcher, conversation_id)
    site.web.stop()
    return CrashStory(after_the_crash, continued, state_after_restart, failed_request)


@pytest.mark.parametrize("parked_at", [BEFORE_THE_CHECKPOINT, AFTER_THE_CHECKPOINT])
def test_a_killed_turn_keeps_the_family_message_and_stores_no_reply(crash_and_continue, parked_at):
    story = crash_and_continue(parked_at)

    assert isinstance(story.failed_request, httpx.TransportError)
    assert [m["role"] for m in story.after_the_crash.messages] == ["coach", "family"]
    assert story.after_the_crash.texts("family") == [FIRST]
    assert [m["role"] for m in story.state_after_restart["messages"]] == ["coach", "family"]
    assert story.state_after_restart["busy"] is False


def test_a_turn_killed_before_its_checkpoint_is_finished_then_the_next_is_answered(
    crash_and_continue,
):
    continued = crash_and_continue(BEFORE_THE_CHECKPOINT).continued

    # The graph was cut inside that turn: it is finished from its checkpoint (never run afresh
    # on top of the partial run), so the first message gets its own reply, then the second.
    roles = [m["role"] for m in continued.messages]
    assert roles == ["coach", "family", "family", "coach", "coach"]
    assert continued.texts("family") == [FIRST, SECOND]
    _, first, second, first_reply, second_reply = continued.messages
    assert (first_reply["reply_to_seq"], second_reply["reply_to_seq"]) == (
        first["seq"],
        second["seq"],
    )
    assert (continued.phase, continued.open_tool_calls) == ("gathering", 0)
    assert (continued.profile["major"], continued.profile["gpa"]) == ("biology", 3.6)


def test_a_turn_killed_after_its_checkpoint_is_stored_then_the_next_is_answered(
    crash_and_continue,
):
    continued = crash_and_continue(AFTER_THE_CHECKPOINT).continued

    # The graph had answered the first message: that reply is stored as it was, then the second
    # message gets its own. Each family message is answered exactly once.
    roles = [m["role"] for m in continued.messages]
    assert roles == ["coach", "family", "family", "coach", "coach"]
    assert continued.texts("family") == [FIRST, SECOND]
    _, first, second, first_reply, second_reply = continued.messages
    assert (first_reply["reply_to_seq"], second_reply["reply_to_seq"]) == (
        first["seq"],
        second["seq"],
    )
    assert (continued.phase, continued.open_tool_calls) == ("gathering", 0)
    assert (continued.profile["major"], continued.profile["gpa"]) == ("biology", 3.6)


@pytest.mark.parametrize("parked_at", [BEFORE_THE_CHECKPOINT, AFTER_THE_CHECKPOINT])
def test_the_facts_and_trace_of_a_killed_turn_are_kept(crash_and_continue, parked_at):
    continued = crash_and_continue(parked_at).continued
    first, second = (m for m in continued.messages if m["role"] == "family")

    assert continued.facts == {"major": first["id"], "gpa": second["id"]}
    assert continued.trace_turns == list(range(1, max(continued.trace_turns) + 1))
