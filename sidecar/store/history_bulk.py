"""History upserts as one driver-level executemany: the statement compiled once per dialect, values bound as is.

`sidecar.store.history` decides which rows to write; this module writes them. Through the ORM or a
Core statement, SQLAlchemy processes every value of every row on each execution (and serialises
`data` to JSON a second time): at a million imported rows that was a third of the write time. Here
the INSERT ... ON CONFLICT DO UPDATE is compiled once per dialect, each column's own bind processor
(SQLite's timestamp text, for one) is looked up once, and `data` goes in as the JSON text the
content hash was computed from (cast to jsonb on PostgreSQL).
"""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple

from sqlalchemy import Text, bindparam, cast, func, literal_column, or_
from sqlalchemy.dialects.postgresql import JSONB
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
    compiled = _compiled(session.get_bind().dialect)
    fixed = {"installation_id": installation_id, "imported_at": now}
    values = [_values(row, fixed, compiled.processors) for row in rows]
    params: list[Any] = values if compiled.order is None else [
        tuple(value[name] for name in compiled.order) for value in values]
    session.connection().exec_driver_sql(compiled.sql, params)


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
    statement = upsert_statement(dialect.name, data_as_text=True)
    compiled = statement.compile(dialect=dialect, column_keys=list(WRITE_COLUMNS))
    table = HistoryTicket.__table__
    processors: dict[str, Callable[[Any], Any]] = {}
    for column in WRITE_COLUMNS:
        if column == "data":
            continue  # bound as JSON text (see upsert_statement)
        process = table.c[column].type.dialect_impl(dialect).bind_processor(dialect)
        if process is not None:
            processors[column] = process
    order = tuple(compiled.positiontup or ()) if compiled.positional else None
    return _Compiled(compiled.string, order, processors)


def upsert_statement(dialect: str, *, data_as_text: bool = False) -> Any:
    """The history upsert for `dialect`: a changed, not older row replaces the stored one; others are left alone."""
    insert: Callable[..., Any]  # either dialect's insert (both build an ON CONFLICT statement)
    if dialect == "postgresql":
        insert = postgresql_insert
    elif dialect == "sqlite":
        insert = sqlite_insert
    else:  # pragma: no cover - DATABASE_URL accepts only these two
        raise RuntimeError(f"history upserts support SQLite and PostgreSQL, not {dialect}")
    table = HistoryTicket.__table__
    statement = insert(table)
    if data_as_text:
        text = bindparam("data", type_=Text)
        statement = statement.values(data=cast(text, JSONB) if dialect == "postgresql" else text)
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
