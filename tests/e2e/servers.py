"""Real Aviator processes for end-to-end tests: started, waited for, and always stopped."""

import contextlib
import itertools
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx
import psycopg
import pytest
import redis
from django.conf import settings
from django.db import connection

REPO = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
# Variables that would switch a child out of the mode a test asks for.
MODE_VARIABLES = (
    "DATABASE_URL",
    "REDIS_URL",
    "AVIATOR_TESTING",
    "DJANGO_SETTINGS_MODULE",
    "SECRET_KEY",
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def child_environment(data_dir: Path, **overrides: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in MODE_VARIABLES}
    env["AVIATOR_DATA_DIR"] = str(data_dir)
    env.update(overrides)
    return env


class ServerProcess:
    """A process group (e.g. `make run`) serving Aviator on `port`, logging to `log_path`."""

    def __init__(self, command: list[str], env: dict[str, str], port: int, log_path: Path):
        self.command, self.env, self.port, self.log_path = command, env, port, log_path
        self.base_url = f"http://127.0.0.1:{port}"
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 180) -> "ServerProcess":
        log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            self.command,
            cwd=REPO,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.command} exited early:\n{self.log()}")
            try:
                if httpx.get(f"{self.base_url}/healthz", timeout=2).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        self.stop()
        raise RuntimeError(f"{self.command} was not healthy within {timeout}s:\n{self.log()}")

    def manage(self, *args: str) -> str:
        result = subprocess.run(
            [PYTHON, "manage.py", *args],
            cwd=REPO,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        return result.stdout.strip()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-5000:]

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGINT)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)


@dataclass(frozen=True)
class OwnDatabase:
    url: str  # for DATABASE_URL
    dsn: str  # for psycopg


@contextlib.contextmanager
def own_database() -> Iterator[OwnDatabase]:
    """A PostgreSQL database for a set of real processes, next to the test database, dropped
    afterwards (processes cannot see the test's own transactions)."""
    if not (settings.USES_POSTGRES and not settings.EMBEDDED):
        pytest.skip("needs PostgreSQL and Redis")
    db = connection.settings_dict
    name = f"aviator_e2e_{uuid.uuid4().hex[:8]}"
    server = f"host={db['HOST']} port={db['PORT']} user={db['USER']}"
    with psycopg.connect(f"{server} dbname=postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield OwnDatabase(
            url=f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{name}",
            dsn=f"{server} dbname={name}",
        )
    finally:
        with psycopg.connect(f"{server} dbname=postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# The Redis databases the apps started by the tests use in turn: the three below the test
# session's own (13, 12 and 11 for the default 15).
E2E_REDIS_DATABASES = 3
_app_count = itertools.count()


def own_redis_url() -> str:
    """A Redis database apart from the test session's, for a set of real processes: every app
    uses the same queue names, and a worker of one test's app must never take the tasks of the
    session's or of the app before it."""
    parts = urlsplit(settings.REDIS_URL)
    session_database = int(parts.path.strip("/") or 0)
    number = (session_database - 1 - next(_app_count) % E2E_REDIS_DATABASES) % 16
    url = urlunsplit(parts._replace(path=f"/{number}"))
    # A new app starts on an empty database: queues, rate-limit counters and events left by an
    # earlier run on this machine (or another checkout's) are not its own.
    redis.Redis.from_url(url).flushdb()
    return url


def services_environment(data_dir: Path, database: OwnDatabase) -> dict[str, str]:
    """Production settings on the real services, but over plain http on localhost."""
    return child_environment(
        data_dir,
        DATABASE_URL=database.url,
        REDIS_URL=own_redis_url(),
        SECRET_KEY="e2e-only-secret-key",
        AVIATOR_HTTPS="false",  # no TLS proxy in front
    )
