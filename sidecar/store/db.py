"""The database handle: engine, sessions, and SQLite tuning for the embedded default."""
from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.orm import Session, sessionmaker


def _ensure_sqlite_directory(url: str) -> None:
    database = make_url(url).database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)


def _tune_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):  # pragma: no cover - exercised by every SQLite test
        cursor = dbapi_connection.cursor()
        # WAL lets the web process read while the worker writes; NORMAL sync is durable across
        # process crashes, which is what a single-node sidecar needs.
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=5000")
        # Deleted rows are overwritten with zeros instead of lingering in free pages: an erasure
        # (POST /v1/erasures) must leave no byte of the person's data in the file.
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.close()


def make_engine(url: str, *, pool_size: int = 5) -> Engine:
    """An engine for DATABASE_URL, with pool settings suited to each backend (`pool_size`: PostgreSQL's kept ones)."""
    if url.startswith("sqlite"):
        _ensure_sqlite_directory(url)
        engine = create_engine(url, connect_args={"check_same_thread": False})
        _tune_sqlite(engine)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=pool_size, max_overflow=10)


class SqliteWriteLock:
    """Serialises SQLite write transactions across the threads and processes of one machine.

    SQLite allows one writer at a time, and a writer that finds the lock taken sleeps in growing steps
    (1, 2, 5, 10 ... 100 ms) before retrying, so under concurrent writes latency explodes. A flock on a
    file beside the database queues writers instead and wakes the next one as soon as the lock is free.
    flock is held per open file, so threads of one process also queue on a mutex first.
    """

    def __init__(self, database_path: str):
        self._path = database_path + ".writelock"
        self._mutex = threading.Lock()
        self._fd: int | None = None
        self._pid: int | None = None

    def _file(self) -> int:
        if self._fd is None or self._pid != os.getpid():  # a forked worker needs its own open file
            self._fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
            self._pid = os.getpid()
        return self._fd

    @contextmanager
    def __call__(self) -> Iterator[None]:
        with self._mutex:
            fd = self._file()
            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)


class Database:
    """One engine and its session factory, shared by the web app, the worker and the CLI."""

    def __init__(self, url: str, *, pool_size: int = 5):
        self.url = url
        self.engine = make_engine(url, pool_size=pool_size)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        database = make_url(url).database if url.startswith("sqlite") else None
        self._sqlite_write_lock = SqliteWriteLock(database) if database and database != ":memory:" else None

    def write_lock(self) -> AbstractContextManager[None]:
        """Hold around a short write transaction: queues SQLite writers; PostgreSQL needs nothing."""
        return self._sqlite_write_lock() if self._sqlite_write_lock else nullcontext()

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session that commits on success and rolls back on error."""
        session = self.sessions()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    @contextmanager
    def write_session(self) -> Iterator[Session]:
        """A session for one short write transaction, under the write lock (commit on success)."""
        with self.write_lock(), self.session() as session:
            yield session

    @contextmanager
    def write_connection(self) -> Iterator[Connection]:
        """A connection in one short write transaction, under the write lock (commit on success)."""
        with self.write_lock(), self.engine.begin() as connection:
            yield connection

    def is_reachable(self) -> bool:
        """True when a trivial query succeeds (readiness)."""
        try:
            with self.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            return True
        except Exception:  # any driver error means "not ready"; the probe reports, it does not raise
            return False

    def dispose(self) -> None:
        """Close pooled connections (after fork, at shutdown)."""
        self.engine.dispose()
