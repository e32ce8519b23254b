"""A worker killed in the middle of a tool call: the task is redelivered and completed once."""

import os
import signal
import subprocess
import time

import pytest
from django.conf import settings
from django.db import connection

from coach.services import conversation_start, family_message_submit
from tests.e2e.servers import PYTHON, REPO, child_environment

pytestmark = [pytest.mark.slow, pytest.mark.services, pytest.mark.django_db(transaction=True)]

EVERYTHING = "Biology, GPA 3.8, ACT 29, we can pay 24k a year, North Carolina."


def wait_until(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


def pool_children(pid: int) -> list[int]:
    found = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    return [int(child) for child in found.split()]


@pytest.fixture
def slow_worker(tmp_path):
    """A real prefork worker whose tool runs take 4 s (COACH_FAULTS), on the test database."""
    db = connection.settings_dict
    env = child_environment(
        tmp_path,
        DATABASE_URL=f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        REDIS_URL=settings.REDIS_URL,
        AVIATOR_TESTING="1",
        COACH_FAULTS="tool_delay=4",
    )
    log = (tmp_path / "worker.log").open("wb")
    worker = subprocess.Popen(
        [
            PYTHON,
            "-m",
            "celery",
            "-A",
            "aviator",
            "worker",
            "--pool=prefork",
            "--concurrency=1",
            "--loglevel=INFO",
        ],
        cwd=REPO,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    yield worker
    os.killpg(worker.pid, signal.SIGKILL)
    worker.wait(timeout=10)


def test_a_tool_call_survives_its_worker_process_being_killed(slow_worker, family_alice, catalog):
    conversation = conversation_start(family=family_alice)
    family_message_submit(conversation=conversation, text=EVERYTHING)
    search = conversation.tool_calls.get(tool="search_colleges")

    def running() -> bool:
        search.refresh_from_db()
        return search.status == "running"

    wait_until(running, 60, "the worker to start the search")
    for child in pool_children(slow_worker.pid):
        os.kill(child, signal.SIGKILL)

    def recommended() -> bool:
        conversation.refresh_from_db()
        return conversation.phase == "recommended"

    wait_until(recommended, 90, "the redelivered search to finish")
    search.refresh_from_db()
    replies = conversation.messages.filter(role="coach").count()
    assert (search.attempts, search.status, replies) == (2, "done", 2)
