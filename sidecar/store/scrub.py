"""After rows are deleted: make the database files forget them (erasure, retention, a deleted installation).

SQLite: every connection runs with `secure_delete=ON` (sidecar.store.db), so deleted cells and freed
pages are overwritten with zeros. Two places still hold old text afterwards, and this module clears them:

- the FTS5 index (`history_search`): a deleted row only adds a "delete" entry to a new segment; its
  words stay in the old segment until the segments are merged. 'optimize' merges them all into one,
  and the old segments' rows are deleted (and so zeroed).
- the write-ahead log: every page ever written since the last checkpoint, old versions included, is
  in the -wal file. `wal_checkpoint(TRUNCATE)` copies the current pages into the database file and
  empties the log.

PostgreSQL has no secure delete. A deleted row (tuple) stays in its page; VACUUM (which cannot run
inside a transaction, so it runs on an autocommit connection) makes it unreachable and its space free
for reuse, but leaves its bytes in the page until a new row overwrites them (measured on PostgreSQL 15:
a deleted, vacuumed row is still in the table's file). VACUUM FULL (`compact`) rewrites each table and
its indexes into new files and unlinks the old ones, so the live files no longer hold the row; it
holds an exclusive lock on each table while it rewrites it. Neither reaches WAL segments not yet
recycled, base backups, WAL archives or replicas' own files (see README, "Erasure and retention").
"""
from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from sidecar.store.db import Database
from sidecar.store.search import SEARCH_TABLE

log = logging.getLogger("sidecar.store")

CHECKPOINT_ATTEMPTS = 20  # a reader holding an old snapshot (the worker mid-query) blocks a TRUNCATE checkpoint
CHECKPOINT_PAUSE_SECONDS = 0.05
VACUUM_LOCK_TIMEOUT_SECONDS = 30
SNAPSHOT_WAIT_SECONDS = 10  # compact: how long to wait for older snapshots (an autovacuum ANALYZE, a long query)
SNAPSHOT_POLL_SECONDS = 0.1
# Sessions (autovacuum workers included) whose snapshot or transaction is older than `mark`: a row deleted
# before the mark may still be visible to them, so VACUUM FULL copies it into the new files. Sessions of other
# databases count too: measured on PostgreSQL 15, a transaction open in another database of the server made
# VACUUM FULL keep the deleted rows (tests/api/test_erasure.py).
_OLDER_SNAPSHOTS = text(
    "SELECT count(*) FROM pg_stat_activity WHERE pid <> pg_backend_pid()"
    " AND ((backend_xmin IS NOT NULL AND age(backend_xmin) >= age(CAST(:mark AS xid)))"
    " OR (backend_xid IS NOT NULL AND age(backend_xid) >= age(CAST(:mark AS xid))))")
_TABLE_NAME = frozenset("abcdefghijklmnopqrstuvwxyz_0123456789")


@dataclass
class ScrubReport:
    """What was done to the files after a deletion, for the API's answer and the audit log."""

    backend: str
    search_index_merged: bool = False
    wal_truncated: bool | None = None  # SQLite only; False: a reader kept the log busy (retry later)
    vacuumed: list[str] = field(default_factory=list)  # PostgreSQL only
    full: bool = False  # PostgreSQL: VACUUM FULL (the tables rewritten) rather than VACUUM
    vacuum_error: str | None = None  # PostgreSQL: why VACUUM did not run (the rows are deleted all the same)
    older_snapshots: int = 0  # PostgreSQL compact: sessions still older than the deletion when VACUUM FULL ran

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        if self.backend == "sqlite":
            return {"backend": "sqlite", "secure_delete": True, "search_index_merged": self.search_index_merged,
                    "wal_truncated": bool(self.wal_truncated)}
        answer: dict[str, Any] = {"backend": self.backend, "vacuumed": list(self.vacuumed), "vacuum_full": self.full}
        if self.vacuum_error:
            answer["vacuum_error"] = self.vacuum_error
        if self.older_snapshots:
            answer["older_snapshots"] = self.older_snapshots
            answer["note"] = (f"{self.older_snapshots} database session(s) older than the deletion were still open "
                              "when the tables were rewritten: the rows they could see stay in the files until the "
                              "next compact; compact again when they have finished")
        return answer


def scrub_after_delete(database: Database, *, tables: Iterable[str], history_changed: bool = True,
                       compact: bool = False) -> ScrubReport:
    """Purge deleted rows from the full-text index and the files: SQLite merges FTS5 and truncates the WAL,
    PostgreSQL vacuums.

    `compact` (PostgreSQL) runs VACUUM FULL instead, which rewrites the tables so that their files no
    longer hold the deleted rows; SQLite needs no such step (its deletes are secure already).
    """
    dialect = database.engine.dialect.name
    if dialect == "sqlite":
        report = ScrubReport(backend="sqlite")
        if history_changed:
            merge_search_index(database)
            report.search_index_merged = True
        report.wal_truncated = checkpoint_wal(database)
        return report
    if dialect == "postgresql":
        report = ScrubReport(backend="postgresql", full=compact)
        try:
            report.vacuumed, report.older_snapshots = vacuum_tables(database, tables, full=compact)
        except DBAPIError as exc:
            # The deletes are committed; a VACUUM that waited too long for a lock is reported, not raised:
            # autovacuum frees the space later, and the admin can compact again.
            log.warning("VACUUM after a deletion did not run: %s", type(exc.orig).__name__)
            report.vacuum_error = (f"VACUUM did not run ({type(exc.orig).__name__}); "
                                   "autovacuum will free the space later")
        return report
    return ScrubReport(backend=dialect)


def merge_search_index(database: Database) -> None:
    """SQLite: merge every FTS5 segment into one, so the words of deleted tickets leave the index's pages."""
    with database.write_connection() as connection:
        connection.execute(text(f"INSERT INTO {SEARCH_TABLE}({SEARCH_TABLE}) VALUES ('optimize')"))


def checkpoint_wal(database: Database) -> bool:
    """SQLite: copy the WAL into the database file and truncate it; False when readers kept it busy every time."""
    for attempt in range(CHECKPOINT_ATTEMPTS):
        # Under the write lock no writer adds frames between the checkpoint and the truncation.
        with database.write_lock(), database.engine.connect() as connection:
            busy, _frames, _copied = connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").one()
        if not busy:
            return True
        time.sleep(CHECKPOINT_PAUSE_SECONDS * (attempt + 1))
    log.warning("the SQLite write-ahead log could not be truncated: a reader held it; "
                "it empties at the next checkpoint")
    return False


def vacuum_tables(database: Database, tables: Iterable[str], *, full: bool = False) -> tuple[list[str], int]:
    """PostgreSQL: VACUUM (or VACUUM FULL) the tables outside any transaction.

    Returns the tables vacuumed and, for VACUUM FULL, how many older sessions were still open (see
    `wait_for_older_snapshots`).
    """
    names = sorted({name for name in tables if name and set(name) <= _TABLE_NAME})  # only our own table names
    if not names:
        return [], 0
    older = 0
    with database.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        # Never wait long behind another session's lock: the caller is an HTTP request or a daily job.
        connection.exec_driver_sql(f"SET lock_timeout = {int(VACUUM_LOCK_TIMEOUT_SECONDS * 1000)}")
        try:
            if full:
                older = wait_for_older_snapshots(connection)
            connection.exec_driver_sql(("VACUUM FULL " if full else "VACUUM ") + ", ".join(names))
        finally:
            connection.exec_driver_sql("RESET lock_timeout")
    return names, older


def wait_for_older_snapshots(connection: Any, *, seconds: float = SNAPSHOT_WAIT_SECONDS) -> int:
    """PostgreSQL: wait (bounded) until no other session holds a snapshot or transaction from before now.

    VACUUM FULL keeps every row some open snapshot can still see: an autovacuum ANALYZE or a long report
    running while the rows were deleted would keep their bytes in the rewritten files. Returns how many such
    sessions were still open when the wait ended (0: the rewrite drops every deleted row).
    """
    mark = connection.exec_driver_sql("SELECT pg_current_xact_id()::text").scalar()
    deadline = time.monotonic() + seconds
    while True:
        older = int(connection.execute(_OLDER_SNAPSHOTS, {"mark": mark}).scalar() or 0)
        if older == 0 or time.monotonic() >= deadline:
            if older:
                log.warning("VACUUM FULL after a deletion: %d session(s) still held an older snapshot", older)
            return older
        time.sleep(SNAPSHOT_POLL_SECONDS)
