"""The turn worker killed (SIGKILL) in the middle of a family's turn, then started again; and the
web process killed while a family waits for its answer.

Real processes (uvicorn, a turn worker, beat) run on a PostgreSQL database of their own. To stop
the turn at a known point, the test holds a table lock that only the turn's second half needs:
the family message is committed by the web first and does not touch those tables, so the turn
is provably parked between "message stored" and "reply stored" when its worker is killed. No
fault injection or product hook is involved.

- Lock `langgraph.checkpoints`: the turn stops inside the graph, before its checkpoint is written.
- Lock `coach_decisiontrace`: the graph has finished and its checkpoint is durable, but the
  transaction storing the facts, the decision trace and the reply has not committed.

After the restart the turn comes back on its own (beat's sweep queues it again: the family does
not have to write again), is finished from its checkpoint, and stores what the whole turn made.
"""

import contextlib
import os
import signal
import subprocess
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
    REPO,
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
    """A migrated database with the catalog, a family's API token, and on it a web process, a
    turn worker and beat; the tests kill the web or the worker and start them again (each start
    logs to a file of its own)."""

    def __init__(self, env: dict[str, str], dsn: str, data_dir: Path):
        self.dsn, self.data_dir, self.starts = dsn, data_dir, 0
        port = free_port()
        command = [PYTHON, "-m", "uvicorn", "aviator.asgi:application"]
        command += ["--host", "127.0.0.1", "--port", str(port), "--no-access-log"]
        # A short wait: the request answers 202 while its turn is parked.
        env = {**env, "AVIATOR_TURN_WAIT_SECONDS": "2"}
        self.env = env
        self.web = ServerProcess(command, env, port, data_dir / "web-0.log")
        self.worker: subprocess.Popen | None = None
        self.beat: subprocess.Popen | None = None
        self.token = ""

    def start_web(self) -> None:
        self.starts += 1
        self.web.log_path = self.data_dir / f"web-{self.starts}.log"
        self.web.start(timeout=60)

    def kill_web(self) -> None:
        """SIGKILL, as the kernel's OOM killer or a lost node would: no handler runs."""
        self.web.process.kill()
        self.web.process.wait(timeout=10)

    def start_worker(self) -> None:
        self.starts += 1
        command = [PYTHON, "-m", "celery", "-A", "aviator", "worker", "-Q", "turns,celery"]
        command += ["--pool=threads", "--concurrency=2", "--loglevel=INFO"]
        log_name = f"worker-{self.starts}.log"
        self.worker = self._start(command, log_name)
        # A cold start (a fresh checkout compiling its modules) can take a while; a turn queued
        # before the worker is ready would only be parked later.
        log = self.data_dir / log_name
        wait_until(lambda: " ready." in log.read_text(errors="replace"), 90, "the worker")

    def kill_worker(self) -> None:
        if self.worker.poll() is None:
            os.killpg(self.worker.pid, signal.SIGKILL)
        self.worker.wait(timeout=10)

    def start_beat(self) -> None:
        command = [PYTHON, "-m", "celery", "-A", "aviator", "beat", "--loglevel=INFO"]
        command += ["--schedule", str(self.data_dir / "beat-schedule")]
        self.beat = self._start(command, "beat.log")

    def _start(self, command: list[str], log_name: str) -> subprocess.Popen:
        return subprocess.Popen(
            command,
            cwd=REPO,
            env=self.env,
            stdout=(self.data_dir / log_name).open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def stop(self) -> None:
        self.web.stop()
        for process in (self.worker, self.beat):
            if process is not None and process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)

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
        site.start_web()
        site.start_beat()
        yield site
        site.stop()


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


def other_backends_of_workers(watcher: psycopg.Connection) -> int:
    """Sessions other than ours in the middle of something (the web's and beat's idle pooled
    connections do not count): a dead worker's last one ends once PostgreSQL sees its client
    gone."""
    return watcher.execute(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
        " AND backend_type = 'client backend' AND pid <> pg_backend_pid()"
        " AND state IN ('active', 'idle in transaction', 'idle in transaction (aborted)')"
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
    state_after_the_crash: dict[str, Any]
    first_response: httpx.Response
    # The first message's turn, come back on its own after the worker's restart.
    recovered: Transcript
    continued: Transcript


# Beat sweeps every 5 s for turns left waiting 10 s; the restart takes a few seconds more.
RECOVERY_SECONDS = 40


@pytest.fixture(scope="module")
def crash_and_continue(crash_site):
    """Run (once per kill point) a conversation whose first turn is killed with its worker,
    then restart the worker, wait for that turn to come back, and send the next message."""
    stories: dict[str, CrashStory] = {}

    def run(parked_at: str) -> CrashStory:
        if parked_at not in stories:
            stories[parked_at] = _crash_and_continue(crash_site, parked_at)
        return stories[parked_at]

    return run


def _crash_and_continue(site: CrashSite, parked_at: str) -> CrashStory:
    site.start_worker()
    try:
        return _crash_the_worker_and_continue(site, parked_at)
    finally:
        # Never leave a worker behind: it would answer the next story's parked turn.
        site.kill_worker()


def _crash_the_worker_and_continue(site: CrashSite, parked_at: str) -> CrashStory:
    with site.api() as api:
        conversation_id = api.post("/conversations/", json={}).json()["id"]
    with psycopg.connect(site.dsn, autocommit=True) as watcher:
        with table_locked_for_writes(site.dsn, parked_at), site.api() as api:
            first_response = api.post(
                f"/conversations/{conversation_id}/messages/", json={"text": FIRST}
            )
            wait_until(
                lambda: backends_waiting_to_write(watcher, parked_at) == 1,
                20,
                f"the turn to wait for its write to {parked_at}",
            )
            site.kill_worker()
        # Once the lock is gone, the dead process's sessions finish what they were blocked on and
        # are ended by PostgreSQL (their client is gone); only then is the crash complete.
        wait_until(lambda: other_backends_of_workers(watcher) == 0, 20, "the dead worker")
        after_the_crash = Transcript.read(watcher, conversation_id)
        with site.api() as api:
            state_after_the_crash = api.get(f"/conversations/{conversation_id}/").json()

        site.start_worker()
        wait_until(
            lambda: Transcript.read(watcher, conversation_id).texts("coach")[1:],
            RECOVERY_SECONDS,
            "the killed turn to come back",
        )
        recovered = Transcript.read(watcher, conversation_id)
        with site.api() as api:
            response = api.post(
                f"/conversations/{conversation_id}/messages/", json={"text": SECOND}
            )
            assert response.status_code == 200, response.text
        continued = Transcript.read(watcher, conversation_id)
    return CrashStory(
        after_the_crash,
        state_after_the_crash,
        first_response,
        recovered,
        continued,
    )


@pytest.mark.parametrize("parked_at", [BEFORE_THE_CHECKPOINT, AFTER_THE_CHECKPOINT])
def test_a_parked_turn_answers_202_busy(crash_and_continue, parked_at):
    response = crash_and_continue(parked_at).first_response
    assert (response.status_code, response.json()["busy"]) == (202, True)


@pytest.mark.parametrize("parked_at", [BEFORE_THE_CHECKPOINT, AFTER_THE_CHECKPOINT])
def test_a_killed_turn_keeps_the_family_message_and_stores_no_reply(crash_and_continue, parked_at):
    story = crash_and_continue(parked_at)

    assert [m["role"] for m in story.after_the_crash.messages] == ["coach", "family"]
    assert story.after_the_crash.texts("family") == [FIRST]
    assert story.state_after_the_crash["busy"] is True


@pytest.mark.parametrize("parked_at", [BEFORE_THE_CHECKPOINT, AFTER_THE_CHECKPOINT])
def test_a_killed_turn_comes_back_on_its_own_and_answers_once(crash_and_continue, parked_at):
    recovered = crash_and_continue(parked_at).recovered

    _, first, reply = recovered.messages
    assert (first["text"], reply["role"], reply["reply_to_seq"]) == (FIRST, "coach", first["seq"])


@pytest.mark.parametrize("parked_at", [BEFORE_THE_CHECKPOINT, AFTER_THE_CHECKPOINT])
def test_the_next_message_is_answered_after_the_recovered_turn(crash_and_continue, parked_at):
    continued = crash_and_continue(parked_at).continued

    roles = [m["role"] for m in continued.messages]
    assert roles == ["coach", "family", "coach", "family", "coach"]
    _, first, first_reply, second, second_reply = continued.messages
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


@pytest.fixture
def running_worker(crash_site):
    crash_site.start_worker()
    yield crash_site
    crash_site.kill_worker()


def test_a_web_process_killed_while_a_family_waits_does_not_cost_the_answer(running_worker):
    site = running_worker
    with site.api() as api:
        conversation_id = api.post("/conversations/", json={}).json()["id"]
    with (
        psycopg.connect(site.dsn, autocommit=True) as watcher,
        ThreadPoolExecutor(max_workers=1) as sender,
    ):
        with table_locked_for_writes(site.dsn, AFTER_THE_CHECKPOINT), site.api() as api:
            request = sender.submit(
                api.post, f"/conversations/{conversation_id}/messages/", json={"text": FIRST}
            )
            wait_until(
                lambda: backends_waiting_to_write(watcher, AFTER_THE_CHECKPOINT) == 1,
                20,
                "the turn to wait for its write",
            )
            site.kill_web()
            request.exception(timeout=10)
        # The turn ran on the worker, not in the web: it finishes with nobody waiting.
        wait_until(
            lambda: Transcript.read(watcher, conversation_id).texts("coach")[1:],
            20,
            "the worker to answer",
        )
        site.start_web()
        assert Transcript.read(watcher, conversation_id).texts("family") == [FIRST]
