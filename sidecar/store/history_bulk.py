"""History upserts per batch: one driver-level executemany on SQLite, COPY and one INSERT ... SELECT on PostgreSQL.

`sidecar.store.history` decides which rows to write; this module writes them. Through the ORM or a
Core statement, SQLAlchemy processes every value of every row on each execution (and serialises
`data` to JSON a second time): at a million imported rows that was a third of the write time. Here
the INSERT ... ON CONFLICT DO UPDATE is compiled once per dialect, each column's own bind processor
(SQLite's timestamp text, for one) is looked up once, and `data` goes in as the JSON text the
content hash was computed from (parsed into jsonb once, by COPY, on PostgreSQL).
"""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple

from sqlalchemy import Text, bindparam, func, literal_column, or_, select
from sqlalchemy import column as sql_column
from sqlalchemy import table as sql_table
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session

from sidecar.store.history_rows import HASH_KEY, PreparedHistoryRow
from sidecar.store.models import HistoryTicket

WRITE_COLUMNS = (
    "installation_id", "source", "external_id", "kind", "subject", "description", "search_text",
    "group_name", "assignee", "status", "resolution", "priority", "url", "escalated", "needs_human",
    "created_at", "updated_at", "resolved_at", "data", "imported_at",
)
UPDATE_COLUMNS = tuple(c for c in WRITE_COLUMNS if c not in ("installation_id", "source", "external_id"))


class _Compiled(NamedTuple):
    sql: str
    order: tuple[str, ...] | None  # parameter names in order for a positional driver, None for named
    processors: dict[str, Callable[[Any], Any]]


_COMPILED: dict[tuple[str, str, str], _Compiled] = {}  # by dialect, driver and paramstyle: compiled once


def write_rows(session: Session, rows: Sequence[PreparedHistoryRow], *, installation_id: str, now: Any) -> None:
    """INSERT ... ON CONFLICT DO UPDATE these rows (one version per key) in the session's transaction."""
    if not rows:
        return
    dialect = session.get_bind().dialect
    if dialect.name == "postgresql":
        _copy_and_upsert(session, rows, installation_id=installation_id, now=now)
        return
    compiled = _compiled(dialect)  # SQLite: the one other dialect DATABASE_URL accepts
    fixed = {"installation_id": installation_id, "imported_at": now}
    values = [_values(row, fixed, compiled.processors) for row in rows]
    params: list[Any] = values if compiled.order is None else [
        tuple(value[name] for name in compiled.order) for value in values]
    session.connection().exec_driver_sql(compiled.sql, params)


# PostgreSQL: the rows are COPied into a temporary table and upserted from it by one INSERT ... SELECT.
# An executemany runs the upsert once per row (a Bind and an executor start-up each, in the backend,
# and psycopg's per-row work here); COPY streams them, and the statement runs once per batch.
_STAGE = "history_import_stage"


def _copy_and_upsert(session: Session, rows: Sequence[PreparedHistoryRow], *, installation_id: str, now: Any) -> None:
    cursor = session.connection().connection.driver_connection.cursor()  # type: ignore[union-attr]
    create, copy_sql, upsert = _postgresql_statements()
    cursor.execute(create)
    with cursor.copy(copy_sql) as copy:
        for row in rows:
            values = {**row.columns, "installation_id": installation_id, "imported_at": now, "data": row.data_json}
            copy.write_row(tuple(values[name] for name in WRITE_COLUMNS))
    cursor.execute(upsert)


_POSTGRESQL_STATEMENTS: tuple[str, str, str] | None = None


def _postgresql_statements() -> tuple[str, str, str]:
    """(create the staging table, COPY into it, move its rows into history_tickets): built once."""
    global _POSTGRESQL_STATEMENTS
    if _POSTGRESQL_STATEMENTS is None:
        dialect = postgresql.dialect()
        table = HistoryTicket.__table__
        # The history columns' own types (JSONB for data: the text is parsed once, by COPY).
        columns = ", ".join(f"{name} {table.c[name].type.dialect_impl(dialect).compile(dialect=dialect)}"
                            for name in WRITE_COLUMNS)
        # Emptied by the statement that reads it (below); ON COMMIT DELETE ROWS in case a batch fails half-way.
        create = f"CREATE TEMPORARY TABLE IF NOT EXISTS {_STAGE} ({columns}) ON COMMIT DELETE ROWS"
        copy_sql = f"COPY {_STAGE} ({', '.join(WRITE_COLUMNS)}) FROM STDIN"
        staged = sql_table("staged", *(sql_column(name) for name in WRITE_COLUMNS))
        insert = postgresql_insert(table).from_select(list(WRITE_COLUMNS), select(*staged.c))
        upsert = str(on_conflict(insert, "postgresql").compile(dialect=dialect))
        _POSTGRESQL_STATEMENTS = (
            create, copy_sql, f"WITH staged AS (DELETE FROM {_STAGE} RETURNING *) {upsert}")
    return _POSTGRESQL_STATEMENTS


def _values(row: PreparedHistoryRow, fixed: Mapping[str, Any], processors: Mapping[str, Callable[[Any], Any]]
            ) -> dict[str, Any]:
    values = {**row.columns, **fixed, "data": row.data_json}
    for name, process in processors.items():
        if values[name] is not None:
            values[name] = process(values[name])
    return values


def _compiled(dialect: Dialect) -> _Compiled:
    key = (dialect.name, dialect.driver, dialect.paramstyle)
    found = _COMPILED.get(key)
    if found is None:
        found = _COMPILED[key] = _compile(dialect)
    return found


def _compile(dialect: Dialect) -> _Compiled:
    # `data` is bound as the JSON text that was hashed, not through the JSON type's serialiser.
    statement = sqlite_insert(HistoryTicket.__table__).values(data=bindparam("data", type_=Text))
    compiled = on_conflict(statement, dialect.name).compile(dialect=dialect, column_keys=list(WRITE_COLUMNS))
    table = HistoryTicket.__table__
    processors: dict[str, Callable[[Any], Any]] = {}
    for column in WRITE_COLUMNS:
        if column == "data":
            continue  # bound as JSON text (above)
        process = table.c[column].type.dialect_impl(dialect).bind_processor(dialect)
        if process is not None:
            processors[column] = process
    order = tuple(compiled.positiontup or ()) if compiled.positional else None
    return _Compiled(compiled.string, order, processors)


def on_conflict(statement: Any, dialect: str) -> Any:
    """`statement` (either dialect's INSERT) completed with the history upsert's ON CONFLICT DO UPDATE.

    A changed, not older row replaces the stored one; others are left alone.
    """
    table = HistoryTicket.__table__
    excluded = statement.excluded
    # The same rules as the caller's classification, enforced again in the database in case another
    # writer (a webhook, a second import) changed the row in between.
    changed = _stored_hash(dialect, table.c.data).is_distinct_from(_stored_hash(dialect, excluded.data))
    not_older = or_(
        table.c.updated_at.is_(None), excluded.updated_at.is_(None), excluded.updated_at >= table.c.updated_at
    )
    return statement.on_conflict_do_update(
        index_elements=["installation_id", "source", "external_id"],
        set_={name: excluded[name] for name in UPDATE_COLUMNS},
        where=changed & not_older,
    )


def _stored_hash(dialect: str, data: Any) -> Any:
    # Written out rather than data[HASH_KEY]: that binds the JSON path as a parameter, and this
    # statement is compiled once and run with the row values alone.
    if dialect == "postgresql":
        return data.op("->>")(literal_column(f"'{HASH_KEY}'"))
    return func.json_extract(data, literal_column(f"'$.{HASH_KEY}'"))
