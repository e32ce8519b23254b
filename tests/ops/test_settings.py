"""Settings refuse a configuration that would fail under load, at start, naming the variables."""

import os
import subprocess
import sys

import pytest
from django.conf import settings

from tests.e2e.servers import REPO


def start_with(**variables: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "aviator.settings", **variables}
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.skipif(not settings.USES_POSTGRES, reason="the pool exists on PostgreSQL only")
def test_more_turn_threads_than_pooled_connections_is_refused():
    started = start_with(AVIATOR_TURN_WORKER_THREADS="12", AVIATOR_DB_POOL_SIZE="10")
    assert (started.returncode, "AVIATOR_TURN_WORKER_THREADS (12)" in started.stderr) == (1, True)


def test_turn_threads_below_the_pool_start():
    started = start_with(AVIATOR_TURN_WORKER_THREADS="8", AVIATOR_DB_POOL_SIZE="10")
    assert started.returncode == 0, started.stderr


@pytest.mark.skipif(not settings.USES_POSTGRES, reason="runs against PostgreSQL")
def test_postgresql_without_redis_is_refused():
    started = start_with(REDIS_URL="")
    assert (started.returncode, "REDIS_URL is not set" in started.stderr) == (1, True)


def test_langsmith_tracing_with_family_text_visible_is_refused():
    started = start_with(LANGSMITH_TRACING="true")
    assert (started.returncode, "LANGSMITH_HIDE_INPUTS=true" in started.stderr) == (1, True)


def test_langsmith_tracing_with_text_hidden_starts():
    started = start_with(
        LANGSMITH_TRACING="true", LANGSMITH_HIDE_INPUTS="true", LANGSMITH_HIDE_OUTPUTS="true"
    )
    assert started.returncode == 0, started.stderr
