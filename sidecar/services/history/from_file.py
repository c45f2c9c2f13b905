"""Import a history-format JSONL file (docs/architecture.md, "History format") into an installation's history."""
from __future__ import annotations

import json
import os
from collections.abc import Callable, Generator, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import closing, nullcontext
from pathlib import Path

from sidecar.services.history.runner import (
    ImportSummary,
    check_installation,
    embed_imported,
    write_page,
)
from sidecar.store.db import Database
from sidecar.store.history import (
    BATCH_SIZE,
    HistoryRowError,
    PreparedHistoryRow,
    check_source,
    prepare_history_row,
    refresh_statistics,
)

FILE_SOURCE = "file"
# Rows per transaction: fewer, larger commits (and full-text segments) than BATCH_SIZE, while the
# SQLite write lock is held for a fraction of a second per page.
PAGE_ROWS = 4 * BATCH_SIZE
# PostgreSQL's statistics are refreshed this often during an import (100,000 rows), and at its end: each
# ANALYZE samples the table (well under a second at a million rows).
STATISTICS_EVERY_PAGES = 50
_FileLine = tuple[int, int, PreparedHistoryRow | None, str | None]


def import_history_file(
    database: Database,
    *,
    installation_id: str,
    path: str | os.PathLike[str],
    source: str = FILE_SOURCE,
    batch_size: int = PAGE_ROWS,
    on_progress: Callable[[int], None] | None = None,
    on_rejected: Callable[[str], None] | None = None,
) -> ImportSummary:
    """Import a JSONL history file; each bad line is reported (on_rejected), counted and skipped.

    Rows are keyed by (`source`, `id`), so importing the same file again changes nothing, and an
    edited file updates only the rows that changed. `on_progress` receives the bytes read so far
    after each batch is written. Embeddings are computed at the end, for every ticket still without
    one, unless more than EMBED_AT_IMPORT are (then `sidecar history embed` does it; see embed_imported).
    """
    check_source(source)
    check_installation(database, installation_id)
    summary = ImportSummary(source=source, installation_id=installation_id)
    name = Path(path).name

    def reject(number: int, reason: str) -> None:
        message = f"{name}:{number}: {reason}"
        summary.reject(message)
        if on_rejected:
            on_rejected(message)

    def write(rows: list[PreparedHistoryRow]) -> None:
        write_page(database, installation_id=installation_id, source=source, rows=rows, summary=summary,
                   embed=False)

    # On PostgreSQL a page is written on a second thread while this one parses the next: this process's
    # JSON and validation overlap the database server's upsert and indexing, on two cores instead of
    # taking turns. One page in flight, pages in file order. Not on SQLite: its work runs in this process,
    # and the two threads' contention for the GIL cost 12% more CPU for no shorter import (measured).
    # closing: the file is closed even if a write fails.
    overlap = database.engine.dialect.name == "postgresql"
    with closing(_file_lines(path, source)) as lines, \
            (ThreadPoolExecutor(max_workers=1, thread_name_prefix="history-import") if overlap
             else _InlineWriter()) as writer:
        in_flight: tuple[Future[None], int] | None = None
        for rows, read in _pages(lines, batch_size, reject):
            if in_flight is not None:
                _written(in_flight, summary, on_progress)
            in_flight = (writer.submit(write, rows), read) if rows else None
            if not rows and on_progress:
                on_progress(read)
            if summary.pages and summary.pages % STATISTICS_EVERY_PAGES == 0 and in_flight is not None:
                refresh_statistics(database)  # the look-ups of the pages to come are planned for the table's size
        if in_flight is not None:
            _written(in_flight, summary, on_progress)
    refresh_statistics(database, vacuum=True)  # the import is over: its index entries merged, its pages visible
    embed_imported(database, installation_id=installation_id, summary=summary)
    return summary.finish()


class _InlineWriter(nullcontext["_InlineWriter"]):
    """An executor that runs each page's write as it is submitted, in the calling thread."""

    def __init__(self) -> None:
        super().__init__(self)

    def submit(self, write: Callable[[list[PreparedHistoryRow]], None], rows: list[PreparedHistoryRow]
               ) -> Future[None]:
        """Write now; the returned future holds the outcome, as a pool's would."""
        future: Future[None] = Future()
        try:
            write(rows)
        except Exception as exc:
            future.set_exception(exc)
        else:
            future.set_result(None)
        return future


def _written(in_flight: tuple[Future[None], int], summary: ImportSummary,
             on_progress: Callable[[int], None] | None) -> None:
    """Wait for the page in flight (its error raised here) and report it."""
    future, read = in_flight
    future.result()
    summary.pages += 1
    if on_progress:
        on_progress(read)


def _pages(lines: Iterable[_FileLine], batch_size: int, reject: Callable[[int, str], None]
           ) -> Iterator[tuple[list[PreparedHistoryRow], int]]:
    """(up to batch_size prepared rows, bytes read so far) per page; a last, possibly empty, page at the end."""
    batch: list[PreparedHistoryRow] = []
    done = 0
    for number, done, row, problem in lines:
        if problem is not None:
            reject(number, problem)
        elif row is not None:
            batch.append(row)
            if len(batch) >= batch_size:
                yield batch, done
                batch = []
    yield batch, done


def _file_lines(path: str | os.PathLike[str], source: str) -> Generator[_FileLine, None, None]:
    """(line number, bytes read so far, the line's row or None, why it was refused or None) for each line."""
    # Read as bytes: byte counts drive the progress bar, and json.loads decodes UTF-8 itself (a
    # leading BOM included), so a line that is not UTF-8 is reported as such instead of stopping the import.
    done = 0
    with open(path, "rb") as handle:
        for number, line in enumerate(handle, start=1):
            done += len(line)
            row, problem = _prepared_line(line, source) if line.strip() else (None, None)
            yield number, done, row, problem


def _prepared_line(line: bytes, source: str) -> tuple[PreparedHistoryRow | None, str | None]:
    """(the line's prepared row, None), or (None, why the line is refused)."""
    try:
        row = json.loads(line)
    except UnicodeDecodeError:
        return None, "not UTF-8 text"
    except json.JSONDecodeError as exc:
        return None, f"not valid JSON: {exc.msg} (column {exc.colno})"
    try:
        return prepare_history_row(row, source=source), None
    except HistoryRowError as exc:
        return None, str(exc)
