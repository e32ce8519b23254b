"""Checkpoint retention: the checkpoint tables keep what a conversation needs, not its whole past.

LangGraph writes a checkpoint per graph step, so a conversation of a few dozen turns leaves
hundreds of rows behind, and nothing ever removes them. Resuming a thread and reading its state
need only the newest checkpoint of each namespace, the blobs its channel versions point at
(PostgreSQL shares those across checkpoints) and its pending writes (where an interrupt and its
resume value live). Everything older is history, kept only while someone may still look at it:
an open escalation, a pending approval, a tool call in flight, or a transcript labelled anything
but good (under review). Threads whose newest checkpoint is inside the grace period
(`CHECKPOINT_PRUNE_AFTER_HOURS`) are left alone, so a conversation in progress is never touched.

This module decides *which* threads to prune (the app's rules above); LangGraph does the
deleting where it can. On PostgreSQL that is `PostgresSaver.prune(strategy="keep_latest")` and
`delete_thread`: their SQL follows LangGraph's schema, so a schema change in LangGraph cannot
silently break retention (LangGraph refuses threads with a `DeltaChannel` itself). The SQLite
saver has no `prune` (it raises NotImplementedError in langgraph-checkpoint-sqlite 3.1), so the
embedded default prunes its two tables with the SQL below, with the same rules as LangGraph's:
only checkpoints older than the newest are deleted, with the writes that belong to them, so rows a
concurrent run is committing are never in the deleted set. That holds for the coach graph because
it has no `DeltaChannel` and its checkpoints are format v4: a change to the graph must revisit it.
"""

import logging
import sqlite3
import uuid
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Exists, OuterRef
from django.utils import timezone
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.base.id import UUID as CheckpointUUID

from coach.graph.checkpointer import get_checkpointer
from coach.models import (
    OPEN_STATES,
    TOOL_CALL_UNDERWAY,
    Approval,
    ApprovalStatus,
    Conversation,
    Escalation,
    ToolCall,
)
from review.models import TranscriptLabel, Verdict

logger = logging.getLogger(__name__)

# UUIDv6 timestamps count 100-nanosecond intervals from the start of the Gregorian calendar.
_GREGORIAN_EPOCH = datetime(1582, 10, 15, tzinfo=UTC)
# Conversation ids per ORM query (well under SQLite's limit on bound parameters).
_ID_CHUNK = 500


@dataclass
class CheckpointPruneReport:
    """What one pass removed, or with `dry_run` would remove. Every examined thread is counted
    in exactly one of recent, protected, pruned, removed or (the remainder) already minimal."""

    dry_run: bool
    threads_examined: int = 0
    # The newest checkpoint is inside the grace period: the conversation may be in progress.
    threads_recent: int = 0
    # Kept whole: an open escalation, a pending approval, a tool call in flight, or under review.
    threads_protected: int = 0
    # Older checkpoints removed, the newest kept.
    threads_pruned: int = 0
    # The conversation no longer exists: every row of the thread removed.
    threads_removed: int = 0
    rows_removed: dict[str, int] = field(default_factory=dict)
    # The threads pruned or removed, for operators who want to see which.
    thread_ids: list[str] = field(default_factory=list)

    @property
    def total_rows_removed(self) -> int:
        return sum(self.rows_removed.values())


def checkpoint_created_at(checkpoint_id: str) -> datetime:
    """When a checkpoint was written. LangGraph ids are UUIDv6, ordered by the time inside them:
    reading it there saves deserialising checkpoints (SQLite stores them as msgpack blobs)."""
    ticks = CheckpointUUID(checkpoint_id).time
    return _GREGORIAN_EPOCH + timedelta(microseconds=ticks // 10)


class _CheckpointTables:
    """The checkpoint tables of one saver, pruned with plain SQL.

    Each removal is a (table, predicate) pair run as `DELETE`, or as `SELECT count(*)` in a dry
    run: the same predicates in the same order, so a dry run reports what a real run removes.
    Rows come back as tuples on both backends. Subclasses give the SQL and the transactions.
    """

    tables: tuple[str, ...]
    # Per (thread, namespace, head): the rows older than the head. Order matters: writes and
    # blobs are found through the older checkpoints, so the checkpoints themselves go last.
    prune_predicates: tuple[tuple[str, str], ...]
    # Per thread: every row.
    remove_predicates: tuple[tuple[str, str], ...]
    # The kept head no longer points at a parent that is gone (as `PostgresSaver.prune` does).
    unlink_parent_sql: str
    threads_sql: str
    heads_sql: str

    def __init__(self, saver: BaseCheckpointSaver):
        self.saver = saver

    @contextmanager
    def transaction(self, *, write: bool) -> Iterator[Any]:
        raise NotImplementedError

    def newest_checkpoints(self) -> dict[str, str]:
        """The newest checkpoint id of every thread, by thread id."""
        with self.transaction(write=False) as cursor:
            cursor.execute(self.threads_sql)
            return dict(cursor.fetchall())

    def prune_thread(self, thread_id: str, *, dry_run: bool) -> dict[str, int]:
        """Remove all but the newest checkpoint of each of the thread's namespaces."""
        removed = dict.fromkeys(self.tables, 0)
        with self.transaction(write=not dry_run) as cursor:
            cursor.execute(self.heads_sql, {"thread": thread_id})
            for namespace, head in cursor.fetchall():
                params = {"thread": thread_id, "namespace": namespace, "head": head}
                for table, predicate in self.prune_predicates:
                    removed[table] += self._remove(cursor, table, predicate, params, dry_run)
                if not dry_run:
                    cursor.execute(self.unlink_parent_sql, params)
        return removed

    def remove_thread(self, thread_id: str, *, dry_run: bool) -> dict[str, int]:
        """Remove every row of the thread."""
        removed = dict.fromkeys(self.tables, 0)
        with self.transaction(write=not dry_run) as cursor:
            for table, predicate in self.remove_predicates:
                params = {"thread": thread_id}
                removed[table] += self._remove(cursor, table, predicate, params, dry_run)
        return removed

    @staticmethod
    def _remove(cursor, table: str, predicate: str, params: dict, dry_run: bool) -> int:
        # Table names and predicates are constants of this module; values are bound parameters.
        if dry_run:
            cursor.execute(f"SELECT count(*) FROM {table} WHERE {predicate}", params)
            return cursor.fetchone()[0]
        cursor.execute(f"DELETE FROM {table} WHERE {predicate}", params)
        return cursor.rowcount


class _PostgresCheckpoints:
    """langgraph-checkpoint-postgres, pruned through its own API. Reading which threads exist,
    how old their newest checkpoint is and how many checkpoints they hold is the only SQL here
    (LangGraph has no call for it); the count is what the report shows, since LangGraph's prune
    reports nothing (its blobs and writes go with the checkpoints, uncounted). The connection's
    search_path is the checkpoint schema (see `coach.graph.checkpointer`)."""

    tables = ("checkpoints",)

    def __init__(self, saver: BaseCheckpointSaver):
        self.saver = saver

    def _read(self, sql: str, params: dict) -> list[tuple]:
        from psycopg.rows import tuple_row

        with (
            self.saver.conn.connection() as connection,
            connection.cursor(row_factory=tuple_row) as cursor,
        ):
            cursor.execute(sql, params)
            return cursor.fetchall()

    def newest_checkpoints(self) -> dict[str, str]:
        return dict(
            self._read(
                "SELECT thread_id, max(checkpoint_id) FROM checkpoints GROUP BY thread_id", {}
            )
        )

    def _older_than_each_head(self, thread_id: str) -> int:
        ((count,),) = self._read(
            """SELECT count(*) FROM checkpoints c WHERE thread_id = %(thread)s
               AND checkpoint_id < (SELECT max(checkpoint_id) FROM checkpoints h
                                    WHERE h.thread_id = c.thread_id
                                    AND h.checkpoint_ns = c.checkpoint_ns)""",
            {"thread": thread_id},
        )
        return count

    def prune_thread(self, thread_id: str, *, dry_run: bool) -> dict[str, int]:
        removed = self._older_than_each_head(thread_id)
        if removed and not dry_run:
            self.saver.prune([thread_id], strategy="keep_latest")
        return {"checkpoints": removed}

    def remove_thread(self, thread_id: str, *, dry_run: bool) -> dict[str, int]:
        ((count,),) = self._read(
            "SELECT count(*) FROM checkpoints WHERE thread_id = %(thread)s", {"thread": thread_id}
        )
        if not dry_run:
            self.saver.delete_thread(thread_id)
        return {"checkpoints": count}


class _SqliteCheckpointTables(_CheckpointTables):
    """langgraph-checkpoint-sqlite: `checkpoints` (channel values inline in the serialised
    checkpoint, so no blob table) and `writes` per checkpoint."""

    tables = ("checkpoints", "writes")
    prune_predicates = (
        (
            "writes",
            "thread_id = :thread AND checkpoint_ns = :namespace AND checkpoint_id IN ("
            "SELECT checkpoint_id FROM checkpoints WHERE thread_id = :thread "
            "AND checkpoint_ns = :namespace AND checkpoint_id < :head)",
        ),
        (
            "checkpoints",
            "thread_id = :thread AND checkpoint_ns = :namespace AND checkpoint_id < :head",
        ),
    )
    remove_predicates = tuple((table, "thread_id = :thread") for table in tables)
    unlink_parent_sql = """
        UPDATE checkpoints SET parent_checkpoint_id = NULL
        WHERE thread_id = :thread AND checkpoint_ns = :namespace AND checkpoint_id = :head
        AND parent_checkpoint_id IS NOT NULL
    """
    threads_sql = "SELECT thread_id, max(checkpoint_id) FROM checkpoints GROUP BY thread_id"
    heads_sql = """
        SELECT checkpoint_ns, max(checkpoint_id) FROM checkpoints
        WHERE thread_id = :thread GROUP BY checkpoint_ns
    """

    @contextmanager
    def transaction(self, *, write: bool) -> Iterator[Any]:
        connection: sqlite3.Connection = self.saver.conn
        # The saver's lock serialises this process's use of the connection; IMMEDIATE takes the
        # file's write lock up front, so the web and worker processes wait rather than interleave.
        with self.saver.lock:
            self.saver.setup()
            cursor = connection.cursor()
            try:
                cursor.execute("BEGIN IMMEDIATE" if write else "BEGIN")
                yield cursor
                connection.commit()
            except BaseException:
                connection.rollback()
                raise
            finally:
                cursor.close()


def _checkpoint_tables(saver: BaseCheckpointSaver) -> "_PostgresCheckpoints | _CheckpointTables":
    if settings.USES_POSTGRES:
        return _PostgresCheckpoints(saver)
    return _SqliteCheckpointTables(saver)


def _conversation_protection(thread_ids: Collection[str]) -> dict[str, bool]:
    """For the threads that belong to an existing conversation: whether its whole checkpoint
    history must be kept. Threads missing from the result have no conversation."""
    conversation_ids = []
    for thread_id in thread_ids:
        try:
            conversation_ids.append(uuid.UUID(thread_id))
        except ValueError:
            continue
    under_watch = (
        Exists(Escalation.objects.filter(conversation=OuterRef("pk"), state__in=OPEN_STATES))
        | Exists(
            Approval.objects.filter(conversation=OuterRef("pk"), status=ApprovalStatus.PENDING)
        )
        | Exists(
            ToolCall.objects.filter(
                conversation=OuterRef("pk"),
                status__in=TOOL_CALL_UNDERWAY,
            )
        )
        | Exists(
            TranscriptLabel.objects.filter(conversation=OuterRef("pk")).exclude(
                verdict=Verdict.GOOD
            )
        )
    )
    protection: dict[str, bool] = {}
    for start in range(0, len(conversation_ids), _ID_CHUNK):
        rows = (
            Conversation.objects.filter(id__in=conversation_ids[start : start + _ID_CHUNK])
            .annotate(protected=under_watch)
            .values_list("id", "protected")
        )
        protection.update((str(conversation_id), protected) for conversation_id, protected in rows)
    return protection


def checkpoints_prune(
    *,
    now: datetime | None = None,
    dry_run: bool = False,
    thread_ids: Collection[str] | None = None,
) -> CheckpointPruneReport:
    """Prune the configured checkpointer's tables; `thread_ids` limits the pass to those threads.

    Each thread is pruned in a transaction of its own: a failure part-way leaves the threads
    before it pruned and the rest untouched, and the next run picks up where this one stopped.
    `now` is injectable so tests can age checkpoints without waiting.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(hours=settings.CHECKPOINT_PRUNE_AFTER_HOURS)
    tables = _checkpoint_tables(get_checkpointer())
    report = CheckpointPruneReport(dry_run=dry_run, rows_removed=dict.fromkeys(tables.tables, 0))

    newest = tables.newest_checkpoints()
    if thread_ids is not None:
        wanted = {str(thread_id) for thread_id in thread_ids}
        newest = {thread: head for thread, head in newest.items() if thread in wanted}
    report.threads_examined = len(newest)
    old_threads = sorted(
        thread for thread, head in newest.items() if checkpoint_created_at(head) <= cutoff
    )
    report.threads_recent = report.threads_examined - len(old_threads)
    protection = _conversation_protection(old_threads)

    for thread_id in old_threads:
        if protection.get(thread_id):
            report.threads_protected += 1
            continue
        if thread_id in protection:
            removed = tables.prune_thread(thread_id, dry_run=dry_run)
            if any(removed.values()):
                report.threads_pruned += 1
        else:
            # The conversation was deleted (the grace period above already covered the moment
            # between a first turn's checkpoint and its conversation's commit).
            removed = tables.remove_thread(thread_id, dry_run=dry_run)
            report.threads_removed += 1
        if any(removed.values()):
            report.thread_ids.append(thread_id)
        for table, count in removed.items():
            report.rows_removed[table] += count

    logger.info(
        "checkpoint retention%s: %d threads examined, %d pruned, %d removed, %d protected, "
        "%d recent; rows %s",
        " (dry run)" if dry_run else "",
        report.threads_examined,
        report.threads_pruned,
        report.threads_removed,
        report.threads_protected,
        report.threads_recent,
        report.rows_removed,
    )
    return report
