"""The LangGraph checkpointer: where a conversation's working state survives crashes.

PostgreSQL (its own `langgraph` schema in Django's database) with services, a SQLite file of its
own in the embedded default. One saver per process, created lazily so that forked Celery workers
never share a parent's connections.
"""

import os
import sqlite3
import threading

from django.conf import settings
from django.db import connections
from langgraph.checkpoint.base import BaseCheckpointSaver

_lock = threading.Lock()
_saver: BaseCheckpointSaver | None = None
_saver_pid: int | None = None


def _postgres_conninfo() -> str:
    from psycopg.conninfo import make_conninfo

    # Read at call time, not import time: under pytest-django the NAME is the test database's.
    db = connections["default"].settings_dict
    params = {
        "dbname": db["NAME"],
        "user": db.get("USER") or None,
        "password": db.get("PASSWORD") or None,
        "host": db.get("HOST") or None,
        "port": str(db["PORT"]) if db.get("PORT") else None,
        "options": f"-csearch_path={settings.CHECKPOINT_SCHEMA}",
    }
    return make_conninfo(**{key: value for key, value in params.items() if value is not None})


def _build_saver() -> BaseCheckpointSaver:
    if settings.USES_POSTGRES:
        from langgraph.checkpoint.postgres import PostgresSaver
        from psycopg import Connection
        from psycopg.rows import DictRow, dict_row
        from psycopg_pool import ConnectionPool

        pool: ConnectionPool[Connection[DictRow]] = ConnectionPool(
            conninfo=_postgres_conninfo(),
            min_size=1,
            # As many as Django's own pool: a turn worker's threads each hold one of both.
            max_size=settings.DB_POOL_SIZE,
            max_idle=300,
            check=ConnectionPool.check_connection,
            kwargs={"autocommit": True, "prepare_threshold": 0, "row_factory": dict_row},
            open=True,
        )
        return PostgresSaver(pool)
    from langgraph.checkpoint.sqlite import SqliteSaver

    connection = sqlite3.connect(
        settings.CHECKPOINT_SQLITE_PATH, check_same_thread=False, timeout=20
    )
    return SqliteSaver(connection)


def get_checkpointer() -> BaseCheckpointSaver:
    global _saver, _saver_pid
    with _lock:
        if _saver is None or _saver_pid != os.getpid():
            _saver = _build_saver()
            _saver_pid = os.getpid()
        return _saver


def checkpointer_setup() -> None:
    """Create the checkpoint tables. Idempotent; run by a migration and safe to run again."""
    saver = get_checkpointer()
    if settings.USES_POSTGRES:
        with saver.conn.connection() as connection:
            connection.execute(f'CREATE SCHEMA IF NOT EXISTS "{settings.CHECKPOINT_SCHEMA}"')
    saver.setup()


def checkpointer_ping() -> None:
    """Raise if the checkpoint store cannot be read."""
    saver = get_checkpointer()
    if settings.USES_POSTGRES:
        with saver.conn.connection() as connection:
            connection.execute("SELECT 1 FROM checkpoints LIMIT 1")
    else:
        saver.setup()
        with saver.lock:
            saver.conn.execute("SELECT 1 FROM checkpoints LIMIT 1")


def checkpointer_close() -> None:
    """Close this process's saver (tests close it before their database is dropped)."""
    global _saver, _saver_pid
    with _lock:
        if _saver is not None and _saver_pid == os.getpid():
            # A psycopg pool or a sqlite3 connection: both close the same way.
            _saver.conn.close()
        _saver = None
        _saver_pid = None
