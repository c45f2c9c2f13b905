"""The past ticket both similar-incident searches return (full-text in search.py, embeddings in vectors.py)."""
from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from sqlalchemy import func

from sidecar.store.models import HistoryTicket

CANDIDATE_TEXT_CHARS = 2000  # what the re-ranker reads of each candidate


class Candidate(NamedTuple):
    """A past ticket or Jira issue that full-text search found for a query, with its FTS score."""

    # A named tuple, not a dataclass: a hundred are built per query and tuples build several times faster.
    id: int
    source: str
    external_id: str
    kind: str
    subject: str
    status: str | None
    resolution: str | None
    url: str | None
    assignee: str | None
    group_name: str | None
    created_at: datetime | None
    score: float  # higher is better; comparable only within one result list
    text: str = ""  # the start of search_text, for the re-ranker
    vector: bytes | None = None  # its stored embedding, when the search was asked for one (`vector_model`)


# The columns of a Candidate (score aside) and its text, in the order the named tuple takes them.
CANDIDATE_COLUMNS = (
    HistoryTicket.id,
    HistoryTicket.source,
    HistoryTicket.external_id,
    HistoryTicket.kind,
    HistoryTicket.subject,
    HistoryTicket.status,
    HistoryTicket.resolution,
    HistoryTicket.url,
    HistoryTicket.assignee,
    HistoryTicket.group_name,
    HistoryTicket.created_at,
)
CANDIDATE_TEXT = func.coalesce(func.substr(HistoryTicket.search_text, 1, CANDIDATE_TEXT_CHARS), "")
