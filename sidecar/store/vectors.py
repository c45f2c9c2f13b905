"""Stored sentence embeddings of history tickets, and nearest neighbours over them (similar incidents).

One row of `history_embeddings` per history ticket (migration 0007): the model's name, the content
hash the ticket had when it was embedded, and the vector as little-endian float16 (384 dimensions:
768 bytes a ticket; float16 moves no seamonkey figure against float32, see `sidecar eval similar`).
A ticket whose content changed, or that was embedded by another model, is picked up again by
`tickets_to_embed`; a deleted ticket takes its row with it (ON DELETE CASCADE).

Search reads an installation's newest vectors (at most SIDECAR_SIMILAR_VECTORS_MAX, default 50,000:
memory and time per query stay bounded whatever the history's size) once into one float32 matrix per
process and answers each query with one matrix-vector product (a few ms). The matrix is dropped when
this process writes vectors for the installation, and otherwise checked every CACHE_CHECK_SECONDS
against the count, max id and max embedded_at of the stored vectors in the id range it holds (read
from an index: 50,000 entries, not the installation's every vector), so vectors written or deleted by
another process (a CLI import, an erasure job) are seen within that time; when only new tickets were
embedded meanwhile, just those are read and appended (the oldest fall out).
Until then a ticket new to the matrix is still found by full-text search, and a ticket deleted
meanwhile is never returned: candidates are read back from history_tickets.
"""
from __future__ import annotations

import math
import os
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple

import numpy as np
from sqlalchemy import delete, func, insert, or_, select
from sqlalchemy.orm import Session

from sidecar.intelligence.similarity.embedding import embedding_text, vector_key
from sidecar.store.candidates import CANDIDATE_COLUMNS, CANDIDATE_TEXT, Candidate
from sidecar.store.models import HistoryEmbedding, HistoryTicket, stored_utc, utcnow
from sidecar.store.vector_index import CellIndex, build_index, candidate_rows, extend_index

VECTOR_DTYPE = np.dtype("<f2")  # float16: half the bytes of float32, same rankings (measured)
CACHE_CHECK_SECONDS = 30.0  # how long a cached matrix is trusted before a count confirms it
MAX_SETTING = "SIDECAR_SIMILAR_VECTORS_MAX"
# The newest vectors one installation's matrix holds: 50,000 x 384 float32 = 77 MB a process, and a
# product of ~5 ms on one core. Older tickets are still found by full-text search (and re-ranked with
# their stored vector); only their embedding-only neighbours are left out.
DEFAULT_MAX_INDEXED = 50_000
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
HASH_KEY = "_hash"  # sidecar.store.history.HASH_KEY (not imported: history imports this module)


class TicketToEmbed(NamedTuple):
    id: int
    content_hash: str
    text: str


def encode_vector(vector: np.ndarray) -> bytes:
    """A vector as stored: little-endian float16 bytes."""
    return np.asarray(vector, dtype=VECTOR_DTYPE).tobytes()


def decode_vectors(blobs: Sequence[bytes]) -> np.ndarray:
    """Stored vectors as one float32 matrix, a row each (all must have one length)."""
    if not blobs:
        return np.zeros((0, 0), dtype=np.float32)
    return np.frombuffer(b"".join(blobs), dtype=VECTOR_DTYPE).reshape(len(blobs), -1).astype(np.float32)


# --------------------------------------------------------------------------------------------------
# Writes


def tickets_to_embed(
    session: Session,
    *,
    installation_id: str,
    model: str,
    source: str | None = None,
    external_ids: Iterable[str] | None = None,
    after_id: int = 0,
    limit: int = 256,
    text_chars: int = 2000,
) -> list[TicketToEmbed]:
    """History tickets (in id order, after `after_id`) with no vector from `model` for their current content."""
    content_hash = HistoryTicket.data[HASH_KEY].as_string()
    statement = (
        select(HistoryTicket.id, func.coalesce(content_hash, ""),
               func.coalesce(func.substr(HistoryTicket.search_text, 1, text_chars), ""))
        .outerjoin(HistoryEmbedding, HistoryEmbedding.history_ticket_id == HistoryTicket.id)
        .where(
            HistoryTicket.installation_id == installation_id,
            HistoryTicket.id > after_id,
            or_(
                HistoryEmbedding.history_ticket_id.is_(None),
                HistoryEmbedding.model != model,
                HistoryEmbedding.content_hash != func.coalesce(content_hash, ""),
            ),
        )
        .order_by(HistoryTicket.id)
        .limit(limit)
    )
    if source is not None:
        statement = statement.where(HistoryTicket.source == source)
    if external_ids is not None:
        statement = statement.where(HistoryTicket.external_id.in_(sorted({str(i) for i in external_ids})))
    rows: Iterable[tuple[Any, ...]] = session.execute(statement)
    return [TicketToEmbed(*row) for row in rows]


def write_embeddings(
    session: Session, *, installation_id: str, model: str, rows: Sequence[tuple[int, str, np.ndarray]]
) -> int:
    """Store (history ticket id, content hash, vector) rows, replacing older vectors; returns how many were written.

    A ticket deleted since it was read is skipped.
    """
    if not rows:
        return 0
    ids = [row[0] for row in rows]
    present = set(session.scalars(select(HistoryTicket.id).where(
        HistoryTicket.installation_id == installation_id, HistoryTicket.id.in_(ids))))
    session.execute(delete(HistoryEmbedding).where(HistoryEmbedding.history_ticket_id.in_(ids)))
    now = utcnow()
    values = [
        {"history_ticket_id": ticket_id, "installation_id": installation_id, "model": model,
         "content_hash": content_hash, "vector": encode_vector(vector), "embedded_at": now}
        for ticket_id, content_hash, vector in rows if ticket_id in present
    ]
    if values:
        session.execute(insert(HistoryEmbedding), values)
    invalidate(installation_id)
    return len(values)


def count_embeddings(session: Session, *, installation_id: str, model: str | None = None) -> int:
    """How many vectors an installation has stored (of one model, if given)."""
    statement = select(func.count()).select_from(HistoryEmbedding).where(
        HistoryEmbedding.installation_id == installation_id)
    if model is not None:
        statement = statement.where(HistoryEmbedding.model == model)
    return int(session.scalar(statement) or 0)


# --------------------------------------------------------------------------------------------------
# The per-installation matrix


class _Matrix(NamedTuple):
    ids: np.ndarray  # history ticket ids, ascending
    created: np.ndarray  # created_at as POSIX seconds, NaN when unknown
    embedded: np.ndarray  # embedded_at as POSIX microseconds (int64: exact, compared with the database's)
    vectors: np.ndarray  # float32, one unit-length row per id
    complete: bool  # every stored vector of the installation is in it (none left out by the bound)
    cell_index: CellIndex | None  # approximate search over it; None: exact (a small matrix)

    def window(self) -> int:
        """The lowest ticket id whose vector the matrix answers for: all of them (0) when complete."""
        return 0 if self.complete or not len(self.ids) else int(self.ids[0])

    def stamp(self) -> tuple[int, int | None, int | None]:
        """(count, max id, max embedded_at) of the vectors it holds: what `_stamp` reads back when unchanged."""
        if not len(self.ids):
            return (0, None, None)
        return (len(self.ids), int(self.ids[-1]), int(self.embedded.max()))


def max_indexed() -> int:
    """How many vectors (the newest) one installation's matrix holds at most (SIDECAR_SIMILAR_VECTORS_MAX)."""
    value = os.environ.get(MAX_SETTING, "").strip()
    return max(int(value), 1) if value.isdigit() else DEFAULT_MAX_INDEXED


class _MatrixCache:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[tuple[str, str, str], tuple[_Matrix, float]] = {}

    def get(self, session: Session, installation_id: str, model: str) -> _Matrix:
        key = (str(session.get_bind().engine.url), installation_id, model)
        entry = self._entries.get(key)
        now = time.monotonic()
        if entry is not None and now < entry[1]:
            return entry[0]
        if entry is None:
            matrix = _load(session, installation_id, model)
        else:
            matrix = entry[0]
            stamp = _stamp(session, installation_id, model, matrix.window())
            if stamp != matrix.stamp():
                matrix = _appended(session, installation_id, model, matrix, stamp) or _load(
                    session, installation_id, model)
        with self._lock:
            self._entries[key] = (matrix, now + CACHE_CHECK_SECONDS)
        return matrix

    def invalidate(self, installation_id: str | None = None) -> None:
        with self._lock:
            for key in [k for k in self._entries if installation_id is None or k[1] == installation_id]:
                del self._entries[key]


def _stamp(session: Session, installation_id: str, model: str, window: int) -> tuple[int, int | None, int | None]:
    """(count, max id, max embedded_at) of the stored vectors with ids from `window` on.

    Read from the (installation_id, model, history_ticket_id, embedded_at) index over the ids a matrix
    holds (50,000 entries at most), not from every vector of the installation: a vector appended
    raises the max id, one re-embedded the max embedded_at, one deleted lowers the count.
    """
    count, max_id, embedded = session.execute(
        select(func.count(), func.max(HistoryEmbedding.history_ticket_id), func.max(HistoryEmbedding.embedded_at))
        .where(HistoryEmbedding.installation_id == installation_id, HistoryEmbedding.model == model,
               HistoryEmbedding.history_ticket_id >= window)
    ).one()
    return (int(count or 0), None if max_id is None else int(max_id), _microseconds(embedded))


def _rows(session: Session, installation_id: str, model: str, *conditions: Any, limit: int | None = None) -> list:
    """(id, created_at, embedded_at, vector) of stored vectors, newest id first."""
    statement = (
        select(HistoryEmbedding.history_ticket_id, HistoryTicket.created_at, HistoryEmbedding.embedded_at,
               HistoryEmbedding.vector)
        .join(HistoryTicket, HistoryTicket.id == HistoryEmbedding.history_ticket_id)
        .where(HistoryEmbedding.installation_id == installation_id, HistoryEmbedding.model == model, *conditions)
        .order_by(HistoryEmbedding.history_ticket_id.desc())
    )
    return list(session.execute(statement if limit is None else statement.limit(limit)).all())


def _matrix(rows: Sequence[Any], complete: bool, indexed: bool = True) -> _Matrix:
    rows = rows[::-1]  # ascending ids
    ids = np.fromiter((row[0] for row in rows), dtype=np.int64, count=len(rows))
    created = np.fromiter((_seconds(row[1]) for row in rows), dtype=np.float64, count=len(rows))
    embedded = np.fromiter((_microseconds(row[2]) or 0 for row in rows), dtype=np.int64, count=len(rows))
    matrix = decode_vectors([row[3] for row in rows])
    return _Matrix(ids, created, embedded, matrix, complete, build_index(matrix) if indexed else None)


def _load(session: Session, installation_id: str, model: str) -> _Matrix:
    # One row past the bound tells whether any vector was left out; the matrix's stamp is taken
    # from the rows read, so it describes exactly what the matrix holds.
    bound = max_indexed()
    rows = _rows(session, installation_id, model, limit=bound + 1)
    return _matrix(rows[:bound], complete=len(rows) <= bound)


def _appended(
    session: Session, installation_id: str, model: str, matrix: _Matrix, stamp: tuple[int, int | None, int | None]
) -> _Matrix | None:
    """The matrix with the vectors written since it was read, when those are only new tickets' (the
    common case: an import or backfill appends); None when anything else changed (a reload follows)."""
    old_count, old_max_id, old_embedded = matrix.stamp()
    if old_max_id is None or old_embedded is None or stamp[1] is None or stamp[2] is None:
        return None
    added = stamp[0] - old_count
    if added <= 0 or added > max_indexed():
        return None
    rows = _rows(session, installation_id, model, HistoryEmbedding.history_ticket_id >= matrix.window(),
                 HistoryEmbedding.embedded_at > _datetime(old_embedded), limit=added + 1)
    new = [row for row in rows if row[0] > old_max_id]
    # Anything but `added` new tickets (a re-embedded or deleted one among them) is not a pure append.
    if len(new) != added or len(rows) != added:
        return None
    fresh = _matrix(new, True, indexed=False)
    keep = max(len(matrix.ids) + added - max_indexed(), 0)  # the oldest rows fall out of the bound
    vectors = np.concatenate([matrix.vectors[keep:], fresh.vectors])
    old_index = matrix.cell_index
    index = extend_index(old_index, fresh.vectors, keep) if old_index is not None else build_index(vectors)
    return _Matrix(
        np.concatenate([matrix.ids[keep:], fresh.ids]), np.concatenate([matrix.created[keep:], fresh.created]),
        np.concatenate([matrix.embedded[keep:], fresh.embedded]), vectors, matrix.complete and keep == 0, index,
    )


def _microseconds(value: datetime | None) -> int | None:
    """A stored time as integer POSIX microseconds (exact, unlike float seconds)."""
    value = stored_utc(value)
    return None if value is None else (value - _EPOCH) // _MICROSECOND


def _datetime(microseconds: int) -> datetime:
    return _EPOCH + microseconds * _MICROSECOND


def _before(value: datetime | None, limit: datetime) -> bool:
    value = stored_utc(value)
    return value is not None and value < (stored_utc(limit) or limit)


def _seconds(value: datetime | None) -> float:
    value = stored_utc(value)
    return value.timestamp() if value is not None else math.nan


_matrices = _MatrixCache()


def invalidate(installation_id: str | None = None) -> None:
    """Forget this process's cached matrix of an installation (of every installation when None)."""
    _matrices.invalidate(installation_id)


def stored_vectors(session: Session, *, installation_id: str, model: str, ids: Sequence[int],
                   known: Mapping[int, bytes | None] | None = None) -> np.ndarray:
    """The stored vectors of these history tickets, a row each; a zero row for a ticket with none (yet).

    Tickets older than the matrix's bound are taken from `known` (their stored vectors, read with them by the
    search: None for a ticket with none), else read from the database.
    """
    matrix = _matrices.get(session, installation_id, model)
    ids_array = np.asarray(ids, dtype=np.int64)
    if not len(matrix.ids):
        return np.zeros((len(ids_array), 0), dtype=np.float32)
    positions = np.minimum(np.searchsorted(matrix.ids, ids_array), len(matrix.ids) - 1)
    found = matrix.ids[positions] == ids_array
    vectors = np.where(found[:, None], matrix.vectors[positions], 0.0).astype(np.float32)
    known = known or {}
    missing = [int(ticket_id) for ticket_id in ids_array[~found] if int(ticket_id) not in known]
    stored: dict[int, bytes] = {key: blob for key, blob in known.items() if blob is not None}
    if missing and not matrix.complete:
        # By primary key alone, model and installation checked here: with them in the WHERE clause
        # PostgreSQL without fresh statistics (a bulk import, autovacuum behind) took the
        # (installation_id, model) index and read every vector of the installation, 1.3 s a query at
        # 1M tickets, where the key reads the ~100 rows asked for.
        rows = session.execute(select(
            HistoryEmbedding.history_ticket_id, HistoryEmbedding.vector, HistoryEmbedding.model,
            HistoryEmbedding.installation_id,
        ).where(HistoryEmbedding.history_ticket_id.in_(missing))).all()
        stored.update((row[0], row[1]) for row in rows if row[2] == model and row[3] == installation_id)
    if stored and not matrix.complete:
        width = vectors.shape[1] * VECTOR_DTYPE.itemsize
        for index in np.flatnonzero(~found):
            blob = stored.get(int(ids_array[index]))
            if blob is not None and len(blob) == width:
                vectors[index] = decode_vectors([blob])[0]
    return vectors


def search_nearest(
    session: Session,
    *,
    installation_id: str,
    model: str,
    vector: np.ndarray,
    limit: int = 100,
    exclude: tuple[str, str] | None = None,
    created_before: datetime | None = None,
) -> list[Candidate]:
    """Past tickets of one installation nearest to `vector` by cosine, best first (score: the cosine)."""
    matrix = _matrices.get(session, installation_id, model)
    cosines = nearest_cosines(matrix, vector, limit=limit, created_before=created_before)
    return nearest_candidates(session, installation_id=installation_id, cosines=cosines, limit=limit,
                              exclude=exclude, created_before=created_before)


def installation_matrix(session: Session, *, installation_id: str, model: str) -> _Matrix:
    """This process's matrix of an installation's newest vectors (read or refreshed through `session`)."""
    return _matrices.get(session, installation_id, model)


def nearest_cosines(
    matrix: _Matrix, vector: np.ndarray, *, limit: int = 100, created_before: datetime | None = None
) -> dict[int, float]:
    """{history ticket id: cosine} of the matrix's vectors nearest to `vector`, a few more than `limit`.

    Numpy only, no database: it may run on another thread while the full-text query runs.
    """
    if limit <= 0 or not len(matrix.ids) or matrix.vectors.shape[1] != len(vector):
        return {}
    query = np.asarray(vector, dtype=np.float32)
    rows = candidate_rows(matrix.cell_index, query, len(matrix.ids))  # None: every row (exact)
    # einsum, not BLAS: OpenBLAS spreads a matrix-vector product over threads that then spin, which on
    # a two-core server running two web workers doubled a search's CPU time (measured at 1M tickets).
    if rows is None:
        rows = np.arange(len(matrix.ids))
        scores = np.einsum("ij,j->i", matrix.vectors, query)
    else:
        scores = np.einsum("ij,j->i", matrix.vectors[rows], query)
    if created_before is not None:
        with np.errstate(invalid="ignore"):  # NaN (no created_at) compares False: left out, as in SQL
            scores = np.where(matrix.created[rows] < _seconds(created_before), scores, -np.inf)
    # A few more than asked: the excluded ticket, or one deleted since the matrix was read, may be among them.
    wanted = min(limit + 8, len(scores))
    if not wanted:
        return {}
    top = np.argpartition(-scores, wanted - 1)[:wanted]
    top = top[np.isfinite(scores[top])]
    return {int(matrix.ids[rows[i]]): float(scores[i]) for i in top}


def nearest_candidates(
    session: Session,
    *,
    installation_id: str,
    cosines: dict[int, float],
    limit: int = 100,
    exclude: tuple[str, str] | None = None,
    created_before: datetime | None = None,
) -> list[Candidate]:
    """The tickets of `nearest_cosines`, read from the database, best first (score: the cosine)."""
    if not cosines:
        return []
    # By primary key alone, the filters applied here: with installation_id in the WHERE clause SQLite
    # prefers the (installation_id, created_at) index and reads the whole installation (100 ms at 100k).
    statement = select(*CANDIDATE_COLUMNS, CANDIDATE_TEXT, HistoryTicket.installation_id).where(
        HistoryTicket.id.in_(list(cosines)))
    found = []
    row: Any  # the candidate's columns, its text, its installation (mypy cannot slice a row of unknown length)
    for row in session.connection().execute(statement):
        if row[-1] != installation_id or (exclude is not None and (row.source, row.external_id) == (
                exclude[0], str(exclude[1]))):
            continue
        if created_before is not None and not _before(row.created_at, created_before):
            continue
        found.append(Candidate._make((*row[:-2], cosines[row[0]], row[-2], None)))  # the columns, score, text
    found.sort(key=lambda candidate: (-candidate.score, -candidate.id))
    return found[:limit]


EMBED_BATCH = 256  # tickets encoded at once; each batch is written in its own short transaction


def embed_history(
    database: Any,
    *,
    installation_id: str,
    embedder: Any,
    source: str | None = None,
    external_ids: Iterable[str] | None = None,
    batch: int = EMBED_BATCH,
    on_progress: Any = None,
) -> int:
    """Embed an installation's history tickets that have no current vector from `embedder`; returns how many.

    Tickets are read, encoded outside any transaction (the transformer takes 40-170 ms a ticket on
    two cores, by how busy they are) and written batch by batch, so no write lock is held while the model runs.
    `source`/`external_ids` limit it to some tickets (one import page).
    """
    model = vector_key(embedder)
    ids = None if external_ids is None else sorted({str(i) for i in external_ids})
    if ids is not None and not ids:
        return 0
    after = 0
    written = 0
    while True:
        with database.session() as session:
            todo = tickets_to_embed(session, installation_id=installation_id, model=model, source=source,
                                    external_ids=ids, after_id=after, limit=batch)
        if not todo:
            return written
        vectors = embedder.encode([embedding_text(ticket.text) for ticket in todo])
        with database.write_session() as session:
            written += write_embeddings(session, installation_id=installation_id, model=model, rows=[
                (ticket.id, ticket.content_hash, vector) for ticket, vector in zip(todo, vectors, strict=True)])
        after = todo[-1].id
        if on_progress is not None:
            on_progress(written)
