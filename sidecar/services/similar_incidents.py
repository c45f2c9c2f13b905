"""Similar past incidents for a ticket: candidates from history, re-ranked, with how each ended.

Candidates come two ways: full-text search (sidecar.store.search) and, when sentence embeddings are
available (SIDECAR_SIMILAR_EMBEDDINGS, sidecar.intelligence.similarity.embedding), the nearest stored
ticket vectors by cosine (sidecar.store.vectors). The union is re-ranked by the mean of the word and
subject TF-IDF cosines and the embedding cosine. `search_and_rank` is that whole path; `find_similar`
(the API) and `sidecar eval similar` both run it.
"""
from __future__ import annotations

import logging
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
from sqlalchemy.orm import Session

from sidecar.domain.records import SimilarIncident
from sidecar.intelligence.similarity import embedding as similar_embedding
from sidecar.intelligence.similarity.rerank import CANDIDATE_POOL, NEAREST_POOL, rerank
from sidecar.intelligence.ticket import Ticket
from sidecar.services.router_models import ticket_text
from sidecar.store.models import Installation
from sidecar.store.search import search_similar
from sidecar.store.vectors import (
    installation_matrix,
    nearest_candidates,
    nearest_cosines,
    stored_vectors,
)

MIN_SCORE = 0.05  # below this a "similar" incident is noise an agent would have to wade through
# Statuses (lower-cased) of Zendesk, Salesforce and Jira that mean the work is over.
RESOLVED_STATUSES = frozenset({"solved", "closed", "resolved", "done", "cancelled", "canceled", "won't do", "wont do"})


log = logging.getLogger(__name__)

# Encoding the query and scoring the stored vectors run on a thread of their own while the request's thread
# runs the full-text query: the transformer, numpy and the database driver all release the GIL, so the
# agent waits for the longer of the two rather than their sum (the CPU spent is the same). Threads start on
# first use, so a pre-forking server forks none. Four: one per request thread of a gunicorn gthread worker.
_NEAREST = ThreadPoolExecutor(max_workers=4, thread_name_prefix="similar-nearest")


@dataclass
class SimilarSearch:
    """One search: each stage's candidates (best first) and the final order with scores."""

    full_text: list[Any] = field(default_factory=list)
    nearest: list[Any] = field(default_factory=list)  # by embedding cosine; empty without embeddings
    ranked: list[tuple[Any, float]] = field(default_factory=list)


def search_and_rank(
    session: Session,
    *,
    installation_id: str,
    text: str,
    subject: str | None = None,
    exclude: tuple[str, str] | None = None,
    created_before: datetime | None = None,
    embedder: Any = None,
    pool: int | None = None,
) -> SimilarSearch:
    """`pool` full-text candidates plus up to NEAREST_POOL embedding neighbours, merged and re-ranked.

    `embedder` None means full-text candidates and TF-IDF re-ranking only. An embedder that fails
    (model missing, runtime error) is logged and search goes on without it.
    """
    pool = CANDIDATE_POOL if pool is None else pool
    neighbours = min(pool, NEAREST_POOL)
    found = SimilarSearch()
    model = similar_embedding.vector_key(embedder) if embedder is not None else ""
    nearest: Future[tuple[np.ndarray, dict[int, float]]] | None = None
    # Without stored vectors (none imported yet) the query is not encoded: the transformer costs tens of ms.
    matrix = installation_matrix(session, installation_id=installation_id, model=model) if embedder else None
    if matrix is not None and len(matrix.ids):
        nearest = _NEAREST.submit(_encode_and_score, embedder, text, matrix, neighbours, created_before)
    found.full_text = search_similar(session, installation_id=installation_id, text=text, limit=pool,
                                     exclude=exclude, created_before=created_before,
                                     vector_model=model if nearest is not None else None)
    query = None
    if nearest is not None:
        try:
            query, cosines = nearest.result()
        except Exception as exc:  # an assessment must not fail because a model cannot load
            log.warning("similar incidents: embeddings unavailable, full-text only (%s)", exc)
    if query is None:
        found.ranked = rerank(text, found.full_text, query_subject=subject)
        return found
    found.nearest = nearest_candidates(session, installation_id=installation_id, cosines=cosines, limit=neighbours,
                                       exclude=exclude, created_before=created_before)
    candidates = list(found.full_text)
    seen = {candidate.id for candidate in candidates}
    candidates += [candidate for candidate in found.nearest if candidate.id not in seen]
    vectors = stored_vectors(session, installation_id=installation_id, model=model,
                             ids=[candidate.id for candidate in candidates],
                             known={candidate.id: candidate.vector for candidate in found.full_text})
    if vectors.shape[1] == len(query):
        cosine_of = np.einsum("ij,j->i", vectors, query.astype(np.float32))  # einsum: no BLAS threads (see vectors.py)
        cosine_of = np.where(np.any(vectors != 0, axis=1), cosine_of, np.nan)  # no stored vector yet
    else:
        cosine_of = np.full(len(candidates), np.nan)
    found.ranked = rerank(text, candidates, query_subject=subject, embedding=cosine_of)
    return found


def _encode_and_score(embedder: Any, text: str, matrix: Any, pool: int,
                      created_before: datetime | None) -> tuple[np.ndarray, dict[int, float]]:
    query = similar_embedding.query_vector(embedder, text)
    return query, nearest_cosines(matrix, query, limit=pool, created_before=created_before)


def is_resolved(status: str | None, resolution: str | None) -> bool:
    """True when a past ticket or Jira issue is finished: it has a resolution or a closing status."""
    return bool(resolution) or (status or "").strip().lower() in RESOLVED_STATUSES


def find_similar(
    session: Session,
    *,
    installation: Installation,
    ticket: Ticket,
    limit: int = 5,
    history_key: tuple[str, str] | None = None,
) -> list[SimilarIncident]:
    """The top past tickets and Jira issues like this one, best first, each with score, status, resolution,
    link, solver.

    `history_key` is the ticket's own (source, id) in history when it differs from the Ticket's (an
    imported file row), so the ticket never lists itself.
    """
    text = ticket_text(ticket)
    if not text.strip():
        return []
    found = search_and_rank(session, installation_id=installation.id, text=text, subject=ticket.subject or None,
                            exclude=history_key or (ticket.source, ticket.id),
                            embedder=similar_embedding.similar_embedder())
    results = []
    for candidate, score in found.ranked[:limit]:
        if score < MIN_SCORE:
            break
        results.append(SimilarIncident(
            source=candidate.source,
            id=candidate.external_id,
            kind=candidate.kind,
            title=candidate.subject,
            status=candidate.status,
            resolution=candidate.resolution,
            url=candidate.url,
            # Only a finished incident was solved by someone; an open one is still being worked on.
            solved_by=candidate.assignee if is_resolved(candidate.status, candidate.resolution) else None,
            assignee=candidate.assignee,
            group_name=candidate.group_name,
            score=round(float(score), 4),
        ))
    return results
