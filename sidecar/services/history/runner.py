"""What every history import shares: pages written with their resume point, and the summary it prints."""
from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sidecar.intelligence.similarity import embedding as similar_embedding
from sidecar.intelligence.ticket import Ticket
from sidecar.services.installations import get_installation
from sidecar.store.db import Database
from sidecar.store.history import (
    HistoryRowError,
    PreparedHistoryRow,
    UpsertCounts,
    count_unembedded,
    delete_history,
    prepare_history_row,
    set_cursor,
    upsert_history,
)
from sidecar.store.models import Installation
from sidecar.store.vectors import embed_history

log = logging.getLogger(__name__)

REPORTED_ERRORS = 20  # rejected-row messages kept in the summary (all of them go to on_rejected)
# Tickets an import embeds with the transformer before it returns (tens of ms each on two cores: minutes
# at this bound). Beyond it the import leaves them to `sidecar history embed`, and search answers from
# full text meanwhile: at a million tickets the transformer takes many hours.
EMBED_AT_IMPORT = 10_000


@dataclass
class ImportPage:
    """One unit of an import: rows to upsert, ids to delete, and where to resume after it.

    The rows, deletions and cursor are written in one transaction, so an interrupted import
    resumes exactly after the last page it finished.
    """

    rows: Sequence[Mapping[str, Any]] = field(default_factory=list)
    cursor: Mapping[str, Any] | None = None
    deleted: list[str] = field(default_factory=list)
    ignored: int = 0  # records deliberately left out (e.g. unresolved Jira issues)
    rejected: list[str] = field(default_factory=list)  # records that could not be mapped, with why


@dataclass
class ImportSummary:
    """Counts and timing of one import run, printed by the CLI and returned to callers."""

    source: str
    installation_id: str
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    deleted: int = 0
    ignored: int = 0
    pages: int = 0
    seconds: float = 0.0
    resumed: bool = False
    errors: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)
    _started: float = field(default_factory=time.perf_counter, repr=False)

    @property
    def tickets(self) -> int:
        """Rows imported, whatever the outcome (inserted + updated + unchanged)."""
        return self.inserted + self.updated + self.unchanged

    @property
    def tickets_per_second(self) -> float:
        """Import speed over the whole run."""
        return round(self.tickets / self.seconds, 1) if self.seconds > 0 else 0.0

    def add(self, counts: UpsertCounts) -> None:
        """Count what one upsert did."""
        self.inserted += counts.inserted
        self.updated += counts.updated
        self.unchanged += counts.unchanged

    def reject(self, message: str) -> None:
        """Count a row that was reported and skipped."""
        self.skipped += 1
        if len(self.errors) < REPORTED_ERRORS:
            self.errors.append(message)

    def finish(self) -> ImportSummary:
        """Stop the clock."""
        self.seconds = round(time.perf_counter() - self._started, 3)
        return self

    def as_dict(self) -> dict[str, Any]:
        """The JSON the CLI prints last."""
        return {
            "source": self.source,
            "installation": self.installation_id,
            "inserted": self.inserted,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "skipped": self.skipped,
            "deleted": self.deleted,
            "ignored": self.ignored,
            "tickets": self.tickets,
            "pages": self.pages,
            "resumed": self.resumed,
            "seconds": self.seconds,
            "tickets_per_second": self.tickets_per_second,
            **self.extra,
            "errors": list(self.errors),
        }

    def describe(self) -> str:
        """One readable line for people."""
        text = (f"{self.source}: {self.tickets} tickets in {self.seconds:.1f}s "
                f"({self.tickets_per_second:g}/s): inserted {self.inserted}, updated {self.updated}, "
                f"unchanged {self.unchanged}, skipped {self.skipped}")
        if self.deleted:
            text += f", deleted {self.deleted}"
        if self.ignored:
            text += f", ignored {self.ignored}"
        return text


def check_installation(database: Database, installation_id: str) -> None:
    """Raise NotFound unless the installation exists (before any vendor is called)."""
    with database.session() as session:
        get_installation(session, installation_id)


def load_installation(database: Database, installation_id: str) -> Installation:
    """The installation (detached, attributes loaded), or NotFound."""
    with database.session() as session:
        installation = get_installation(session, installation_id)
        session.expunge(installation)
    return installation


def prepare_rows(
    rows: Iterable[Mapping[str, Any]],
    *,
    source: str,
    summary: ImportSummary,
    on_rejected: Callable[[str], None] | None = None,
) -> list[PreparedHistoryRow]:
    """Validate rows from a vendor; a row that fails is reported and skipped, never silently dropped."""
    prepared = []
    for row in rows:
        try:
            prepared.append(prepare_history_row(row, source=source))
        except HistoryRowError as exc:
            message = f"{source} record {row.get('id')!r}: {exc}"
            log.warning("history import: %s", message)
            summary.reject(message)
            if on_rejected:
                on_rejected(message)
    return prepared


def write_page(
    database: Database,
    *,
    installation_id: str,
    source: str,
    rows: list[PreparedHistoryRow],
    summary: ImportSummary,
    deleted: Iterable[str] = (),
    cursor: Mapping[str, Any] | None = None,
    embed: bool = True,
) -> None:
    """Upsert one page of prepared rows, apply deletions and store the cursor, in one transaction.

    With `embed`, the page's new and changed tickets are embedded right after (see embed_imported).
    """
    deleted = list(deleted)
    with database.write_session() as session:
        counts = upsert_history(session, installation_id=installation_id, rows=rows, source=source)
        removed = delete_history(session, installation_id=installation_id, source=source,
                                 external_ids=deleted) if deleted else 0
        if cursor is not None:
            set_cursor(session, installation_id=installation_id, source=source, cursor=cursor)
    summary.add(counts)
    summary.deleted += removed
    if embed:
        embed_imported(database, installation_id=installation_id, summary=summary, source=source,
                       external_ids=[row.external_id for row in rows])


def embed_imported(
    database: Database,
    *,
    installation_id: str,
    summary: ImportSummary,
    source: str | None = None,
    external_ids: Iterable[str] | None = None,
    most: int | None = None,
) -> None:
    """Store sentence embeddings of imported tickets for similar-incident search; never fails the import.

    With `external_ids`, only those tickets (one page; unchanged ones already embedded cost one
    query); without, every ticket of the installation still missing a current vector: tickets
    imported before migration 0007, recorded live by assessments, or embedded by another model.
    When more than `most` (default EMBED_AT_IMPORT) of those are missing, none is embedded here: the
    summary says how many wait for `sidecar history embed` (`embeddings_pending`). Nothing happens
    when embeddings are off or not installed (SIDECAR_SIMILAR_EMBEDDINGS).
    """
    if "embeddings_error" in summary.extra:
        return
    embedder = similar_embedding.similar_embedder()  # looked up on the module: tests replace it there
    if embedder is None:
        return
    most = EMBED_AT_IMPORT if most is None else most
    if external_ids is None:
        with database.session() as session:
            pending = count_unembedded(session, installation_id=installation_id,
                                       model=similar_embedding.vector_key(embedder))
        if pending > most:
            summary.extra["embeddings_pending"] = pending
            log.warning("history import: %d tickets have no embedding yet; similar search uses full text for "
                        "them until `sidecar history embed --installation %s` runs", pending, installation_id)
            return
    try:
        embedded = embed_history(database, installation_id=installation_id, embedder=embedder, source=source,
                                 external_ids=external_ids)
    except Exception as exc:  # a missing model or runtime error: search falls back to full-text
        log.warning("history import: embeddings not stored (%s); similar search uses full text for these "
                    "tickets until `sidecar history embed` runs", exc)
        summary.extra["embeddings_error"] = str(exc)
        return
    summary.extra["embedded"] = summary.extra.get("embedded", 0) + embedded


def run_pages(
    database: Database,
    *,
    installation_id: str,
    source: str,
    pages: Iterable[ImportPage],
    summary: ImportSummary,
    on_page: Callable[[ImportSummary], None] | None = None,
    on_rejected: Callable[[str], None] | None = None,
) -> ImportSummary:
    """Write each page as it arrives (rows, deletions and cursor together) and keep the summary."""
    for page in pages:
        for message in page.rejected:
            summary.reject(message)
            if on_rejected:
                on_rejected(message)
        summary.ignored += page.ignored
        prepared = prepare_rows(page.rows, source=source, summary=summary, on_rejected=on_rejected)
        write_page(database, installation_id=installation_id, source=source, rows=prepared,
                   summary=summary, deleted=page.deleted, cursor=page.cursor)
        summary.pages += 1
        summary.finish()
        if on_page:
            on_page(summary)
    embed_imported(database, installation_id=installation_id, summary=summary)
    return summary.finish()


def last_agent_reply(ticket: Ticket) -> str | None:
    """The last public reply an agent wrote: on a solved ticket, usually how it was solved."""
    for comment in reversed(ticket.comments):
        if comment.author == "agent" and comment.public and comment.body.strip():
            return comment.body.strip()
    return None
