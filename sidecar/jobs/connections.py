"""The database connections one busy worker keeps between its jobs: one to read, one to write.

On PostgreSQL every checkout from the pool pings the server first (pool_pre_ping) and every
transaction costs a BEGIN and a COMMIT or ROLLBACK, each a round trip. A worker delivering a burst
runs a load and a settle per job, so it keeps its two connections while jobs keep coming and gives
them back as soon as none is due (an idle worker holds nothing, and the first checkout after a pause
is pinged as usual). Reads run in autocommit, one round trip for a one-statement read; writes run in
one transaction each, under the database's write lock, exactly as `Database.write_connection`.

A statement that fails gives the connection back to the pool (which rolls back, or drops it when the
server went away), so the next job starts on a sound one. Used by the worker's thread only.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.engine import Connection

from sidecar.store.db import Database


class HeldConnections:
    """A reading (autocommit) and a writing connection, kept until `release`."""

    def __init__(self, database: Database) -> None:
        self.database = database
        self._reader: Connection | None = None
        self._writer: Connection | None = None

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        """A connection for a read outside any transaction (autocommit: no BEGIN, no ROLLBACK)."""
        if self._reader is None:
            self._reader = self.database.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        try:
            yield self._reader
        except BaseException:
            self._drop_reader()
            raise

    @contextmanager
    def writing(self) -> Iterator[Connection]:
        """A connection in one short write transaction, under the write lock (commit on success)."""
        if self._writer is None:
            self._writer = self.database.engine.connect()
        connection = self._writer
        try:
            with self.database.write_lock(), connection.begin():
                yield connection
        except BaseException:
            self._drop_writer()
            raise

    def _drop_reader(self) -> None:
        reader, self._reader = self._reader, None
        if reader is not None:
            reader.close()

    def _drop_writer(self) -> None:
        writer, self._writer = self._writer, None
        if writer is not None:
            writer.close()

    def release(self) -> None:
        """Give both connections back to the pool (the worker is idle or stopping)."""
        self._drop_reader()
        self._drop_writer()
