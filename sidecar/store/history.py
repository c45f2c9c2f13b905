"""Ticket history: validated, idempotent upserts of history-format rows, import cursors, and reads.

A history row is one line of the history format (docs/architecture.md, "History format"), validated
and mapped in `history_rows.py`: `id` plus `subject` and/or `description`, and optional `comments`,
`group`, `assignee`, `status`, `priority`, `resolution`, `url`, `escalated`, `needs_human`,
`created_at`, `updated_at`, `resolved_at`, `kind` (`ticket` | `jira_issue`), `tags`, `duplicate_of`,
`organization`, `requester`... Unknown keys are kept. Each row becomes one `HistoryTicket`, keyed by
(installation, source, external id):

- the columns hold the fields routing and search query (group, assignee, status, times...);
- `search_text` is what full-text search indexes: subject, description and the customer's own
  comments, as plain text (HTML bodies are converted), capped at `SEARCH_TEXT_LIMIT` characters;
- `data` keeps the whole row, unknown keys included, plus a content hash under the reserved key
  `_hash` (a `_hash` key in the input is replaced).

Upserts are idempotent: a row whose content hash matches the stored one is counted `unchanged` and
not written at all (so search triggers do not re-index it), and a row older than the stored one
(its `updated_at` is earlier) never overwrites it, so a late or repeated import cannot roll a
ticket back. Writes are batched through the dialect's own INSERT ... ON CONFLICT DO UPDATE (SQLite
and PostgreSQL), compiled once: one executemany on SQLite, one COPY and INSERT ... SELECT on
PostgreSQL (`history_bulk.py`).
"""
from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import CursorResult, delete, func, or_, select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from sidecar.intelligence.ticket import Ticket, ticket_to_mapping
from sidecar.store.history_bulk import write_rows
from sidecar.store.history_rows import (  # noqa: F401 (the row names are imported from here too)
    FIELD_LIMITS,
    HASH_KEY,
    KINDS,
    MAPPING_VERSION,
    SEARCH_TEXT_LIMIT,
    HistoryRowError,
    PreparedHistoryRow,
    check_source,
    history_id,
    prepare_history_row,
    search_text,
)
from sidecar.store.models import HistoryEmbedding, HistoryTicket, ImportCursor, stored_utc, utcnow
from sidecar.store.vectors import invalidate as invalidate_vectors

if TYPE_CHECKING:
    from sidecar.store.db import Database

log = logging.getLogger(__name__)

BATCH_SIZE = 500  # rows per statement: well under SQLite's 32,766 bound parameters per IN list



@dataclass(frozen=True)
class UpsertCounts:
    """What an upsert did: rows inserted, rows updated, rows left as they were."""

    inserted: int = 0
    updated: int = 0
    unchanged: int = 0

    def __add__(self, other: UpsertCounts) -> UpsertCounts:
        return UpsertCounts(
            self.inserted + other.inserted, self.updated + other.updated, self.unchanged + other.unchanged
        )

    @property
    def total(self) -> int:
        """Rows seen."""
        return self.inserted + self.updated + self.unchanged


# --------------------------------------------------------------------------------------------------
# Writes


def upsert_history(
    session: Session,
    *,
    installation_id: str,
    rows: Iterable[Mapping[str, Any] | PreparedHistoryRow],
    source: str = "file",
) -> UpsertCounts:
    """Insert or update history rows for one installation; re-importing the same row changes nothing.

    `rows` are history-format mappings (validated here; the first invalid one raises
    HistoryRowError) or rows already prepared with `prepare_history_row` (then `source` is theirs).
    """
    prepared = [
        row if isinstance(row, PreparedHistoryRow) else prepare_history_row(row, source=source)
        for row in rows
    ]
    counts = UpsertCounts()
    if session.get_bind().dialect.name == "postgresql":
        # An import page need not wait for its WAL flush: after a crash the page's rows and its
        # cursor are lost together, and the import resumes (or re-reads the file) before them.
        session.execute(text("SET LOCAL synchronous_commit = off"))
    for start in range(0, len(prepared), BATCH_SIZE):
        counts += _upsert_batch(session, installation_id, prepared[start:start + BATCH_SIZE])
    return counts


def refresh_statistics(database: Database, *, vacuum: bool = False) -> None:
    """On PostgreSQL, ANALYZE the history tables so the planner knows how large an import made them; with
    `vacuum` (at the end of an import), VACUUM (ANALYZE) them.

    Autovacuum may be off or behind (it is off on this project's CI server): statistics taken while the
    table was small then make PostgreSQL plan look-ups and searches as if it still were. And until a VACUUM,
    the full-text index's new entries wait in its pending list, which every search reads whole (259 of the
    263 buffers a one-word count read at a million freshly imported tickets), and no page is marked all-visible:
    after VACUUM (9.5 s at a million tickets) similar search's p95 went 24-25 -> 19-21 ms. A failure (a role that
    does not own the tables) is logged, not raised: the import itself has succeeded.
    """
    if database.engine.dialect.name != "postgresql":
        return  # SQLite plans these look-ups by its indexes alone
    command = "VACUUM (ANALYZE)" if vacuum else "ANALYZE"
    try:
        # VACUUM cannot run inside a transaction block.
        with database.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text(f"{command} history_tickets"))
            connection.execute(text(f"{command} history_embeddings"))
    except SQLAlchemyError as exc:
        log.warning("could not refresh the history tables' statistics: %s", exc.__class__.__name__)


def record_ticket(session: Session, *, installation_id: str, ticket: Ticket) -> UpsertCounts:
    """Add (or refresh) a ticket seen live, by an assessment or a webhook, in the installation's history.

    The ticket's own fields replace the stored ones; what a live ticket does not carry (resolution,
    url, resolved_at, escalated, needs_human and other imported keys) is kept from the stored row.
    """
    row = ticket_to_mapping(ticket)
    stored = session.execute(
        select(HistoryTicket.data, HistoryTicket.updated_at).where(
            HistoryTicket.installation_id == installation_id,
            HistoryTicket.source == ticket.source,
            HistoryTicket.external_id == history_id(ticket.id),
        )
    ).first()
    existing = stored.data if stored is not None else None
    if existing:
        row = {**{k: v for k, v in existing.items() if k != HASH_KEY}, **row}
    # An assessment must not fail over bookkeeping: what a file import would refuse is made to fit.
    if not (row.get("subject") or "").strip() and not (row.get("description") or "").strip():
        row["subject"] = f"{ticket.source} ticket {ticket.id}"  # a live ticket may have no words yet
    for field, limit in FIELD_LIMITS.items():
        if field != "id" and isinstance(row.get(field), str) and len(row[field].strip()) > limit:
            row[field] = row[field].strip()[:limit]
    prepared = prepare_history_row(row, source=ticket.source)
    known = {}
    if stored is not None:  # already read above: no second look-up on the assessment path
        known[(prepared.source, prepared.external_id)] = ((existing or {}).get(HASH_KEY), stored_utc(stored.updated_at))
    return _upsert_batch(session, installation_id, [prepared], known=known)


def delete_history(session: Session, *, installation_id: str, source: str, external_ids: Iterable[str]) -> int:
    """Remove tickets from history (deleted in the help desk); returns how many rows went."""
    ids = sorted({str(i) for i in external_ids})
    removed = 0
    for start in range(0, len(ids), BATCH_SIZE):
        tickets = (
            HistoryTicket.installation_id == installation_id,
            HistoryTicket.source == source,
            HistoryTicket.external_id.in_(ids[start:start + BATCH_SIZE]),
        )
        # Their sentence embeddings too (explicitly: not only when the database enforces ON DELETE CASCADE).
        session.execute(delete(HistoryEmbedding).where(
            HistoryEmbedding.history_ticket_id.in_(select(HistoryTicket.id).where(*tickets))))
        # A DML statement: its result is a CursorResult, which SQLAlchemy's types do not say.
        result = cast(CursorResult[Any], session.execute(delete(HistoryTicket).where(*tickets)))
        removed += result.rowcount or 0
    if removed:
        invalidate_vectors(installation_id)
    return removed


def _upsert_batch(
    session: Session,
    installation_id: str,
    batch: Sequence[PreparedHistoryRow],
    *,
    known: dict[tuple[str, str], tuple[str | None, datetime | None]] | None = None,
) -> UpsertCounts:
    """Write one batch; `known` (stored hash and updated_at by key) skips the look-up when the caller has it."""
    if known is not None:
        return _write_batch(session, installation_id, batch, dict(known))
    known = {}
    for source in {row.source for row in batch}:
        ids = list({row.external_id for row in batch if row.source == source})
        for external_id, content_hash, updated_at in _stored_versions(session, installation_id, source, ids):
            known[(source, external_id)] = (content_hash, stored_utc(updated_at))
    return _write_batch(session, installation_id, batch, known)


def _stored_versions(session: Session, installation_id: str, source: str, ids: list[str]) -> Iterable[tuple[Any, ...]]:
    """(external id, content hash, updated_at) of the stored rows among `ids`."""
    if session.get_bind().dialect.name == "postgresql":
        # One unique-index probe per id, whatever the statistics say. Written as an IN list, PostgreSQL
        # chose to scan the installation's whole index range and filter it against the list whenever its
        # statistics (none before the first ANALYZE, stale while an import grows the table) put the
        # installation at a handful of rows: 0.35 s a batch at 200,000 rows, the reason an import's
        # database time grew with the table. A plain join was planned the same way (a hash join over the
        # whole range); LIMIT 1 (the key is unique) keeps the lateral subquery a probe per id. With
        # statistics that put the table at a few rows it can still cost the (installation_id, created_at)
        # index the same as the unique one and take it: imports refresh them (refresh_statistics).
        return session.execute(_POSTGRESQL_STORED, {"installation": installation_id, "source": source, "ids": ids})
    return session.execute(
        select(HistoryTicket.external_id, HistoryTicket.data[HASH_KEY].as_string(), HistoryTicket.updated_at)
        .where(
            HistoryTicket.installation_id == installation_id,
            HistoryTicket.source == source,
            HistoryTicket.external_id.in_(ids),
        )
    )


_POSTGRESQL_STORED = text(f"""
    SELECT stored.external_id, stored.data ->> '{HASH_KEY}', stored.updated_at
    FROM unnest(CAST(:ids AS text[])) AS wanted(external_id)
    CROSS JOIN LATERAL (
        SELECT external_id, data, updated_at FROM history_tickets
        WHERE installation_id = :installation AND source = :source AND external_id = wanted.external_id
        LIMIT 1
    ) AS stored
""")


def _write_batch(
    session: Session,
    installation_id: str,
    batch: Sequence[PreparedHistoryRow],
    known: dict[tuple[str, str], tuple[str | None, datetime | None]],
) -> UpsertCounts:
    inserted = updated = unchanged = 0
    pending: dict[tuple[str, str], PreparedHistoryRow] = {}
    now = utcnow()
    # Rows are classified in order, as if each were written before the next: a repeated id within
    # one batch counts like a repeat across batches, and only its last version is written (one
    # statement may not touch the same row twice on PostgreSQL).
    for row in batch:
        key = (row.source, row.external_id)
        previous = known.get(key)
        if previous is None:
            inserted += 1
        elif previous[0] == row.content_hash or _is_older(row.updated_at, previous[1]):
            unchanged += 1
            continue
        else:
            updated += 1
        known[key] = (row.content_hash, row.updated_at)
        pending[key] = row
    write_rows(session, list(pending.values()), installation_id=installation_id, now=now)
    return UpsertCounts(inserted, updated, unchanged)


def _is_older(new: datetime | None, stored: datetime | None) -> bool:
    return new is not None and stored is not None and new < stored


# --------------------------------------------------------------------------------------------------
# Import cursors


def get_cursor(session: Session, *, installation_id: str, source: str) -> dict[str, Any] | None:
    """Where the last import from `source` stopped, or None if it never ran."""
    row = session.get(ImportCursor, (installation_id, source))
    return dict(row.cursor) if row is not None and row.cursor is not None else None


def set_cursor(session: Session, *, installation_id: str, source: str, cursor: Mapping[str, Any]) -> None:
    """Store where an import from `source` stopped (in the caller's transaction)."""
    row = session.get(ImportCursor, (installation_id, source))
    if row is None:
        session.add(ImportCursor(installation_id=installation_id, source=source, cursor=dict(cursor),
                                 updated_at=utcnow()))
    else:
        row.cursor = dict(cursor)
        row.updated_at = utcnow()
    session.flush()


def clear_cursor(session: Session, *, installation_id: str, source: str) -> None:
    """Forget where imports from `source` stopped, so the next one starts afresh."""
    session.execute(
        delete(ImportCursor).where(ImportCursor.installation_id == installation_id, ImportCursor.source == source)
    )


# --------------------------------------------------------------------------------------------------
# Reads


def _scoped(statement, *, installation_id: str, kinds: Iterable[str] | None, sources: Iterable[str] | None):
    statement = statement.where(HistoryTicket.installation_id == installation_id)
    if kinds is not None:
        statement = statement.where(HistoryTicket.kind.in_(list(kinds)))
    if sources is not None:
        statement = statement.where(HistoryTicket.source.in_(list(sources)))
    return statement


def iter_history(
    session: Session,
    *,
    installation_id: str,
    kinds: Iterable[str] | None = None,
    sources: Iterable[str] | None = None,
    batch_size: int = 1000,
) -> Iterator[HistoryTicket]:
    """Every history row of one installation (optionally only some kinds/sources), oldest import first, streamed."""
    statement = _scoped(select(HistoryTicket), installation_id=installation_id, kinds=kinds, sources=sources)
    statement = statement.order_by(HistoryTicket.id).execution_options(yield_per=batch_size)
    yield from session.scalars(statement)


def count_history(
    session: Session,
    *,
    installation_id: str,
    kinds: Iterable[str] | None = None,
    sources: Iterable[str] | None = None,
) -> int:
    """How many history rows one installation has (optionally only some kinds/sources)."""
    statement = _scoped(select(func.count()).select_from(HistoryTicket), installation_id=installation_id,
                        kinds=kinds, sources=sources)
    return int(session.scalar(statement) or 0)


def count_unembedded(session: Session, *, installation_id: str, model: str) -> int:
    """How many history tickets of an installation have no vector from `model` for their current content."""
    content_hash = func.coalesce(HistoryTicket.data[HASH_KEY].as_string(), "")
    statement = (
        select(func.count()).select_from(HistoryTicket)
        .outerjoin(HistoryEmbedding, HistoryEmbedding.history_ticket_id == HistoryTicket.id)
        .where(HistoryTicket.installation_id == installation_id,
               or_(HistoryEmbedding.history_ticket_id.is_(None), HistoryEmbedding.model != model,
                   HistoryEmbedding.content_hash != content_hash))
    )
    return int(session.scalar(statement) or 0)


def get_history_ticket(
    session: Session, *, installation_id: str, source: str, external_id: str
) -> HistoryTicket | None:
    """One history row by its help-desk id, or None."""
    return session.scalar(
        select(HistoryTicket).where(
            HistoryTicket.installation_id == installation_id,
            HistoryTicket.source == source,
            HistoryTicket.external_id == str(external_id),
        )
    )
