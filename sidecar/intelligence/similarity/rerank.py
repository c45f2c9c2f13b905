"""Re-ranking full-text candidates by how similar they really are to the ticket in front of the agent."""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

import numpy as np

from sidecar.intelligence.similarity.features import (
    char_ngram_hashes,
    tfidf_cosines,
    word_hashes,
)

TEXT_CHARS = 2000  # the start of a ticket says what it is about; pasted logs further down add noise and time
SUBJECT_WEIGHT = 0.5  # equal say for subject and text: no weight was fitted to the development data
CANDIDATE_POOL = 100  # full-text candidates to re-rank: 50 finds 93% of seamonkey's duplicates, 100 98%
# Embedding neighbours re-ranked beside them. The neighbours are the sharper signal: on seamonkey the
# nearest 30, 50 and 100 each hold every duplicate the full-text pool misses (recall@10 0.957 at all three,
# MRR 0.778 / 0.781 / 0.770), and half the neighbours make re-ranking a quarter cheaper at a million tickets.
NEAREST_POOL = 50
# With sentence embeddings the score is the plain mean of three cosines (text, subject, embedding):
# each has an equal say, as text and subject already do; nothing was fitted. Measured against it on
# seamonkey (2026-12-06): z-scored signals, reciprocal-rank fusion (of the signals, or of the full-text
# and embedding orders), BM25 for the text cosine, a subject-embedding signal, other weights. None moved
# more than a query or two of 46 without losing one from the top 10, so the plain mean stays.
EMBEDDING_WEIGHT = 1.0 / 3.0


class SearchCandidate(Protocol):
    """What the re-ranker reads of a candidate (sidecar.store.search.Candidate fits)."""

    subject: str
    text: str


C = TypeVar("C", bound=SearchCandidate)


@dataclass(frozen=True)
class Signals:
    """Per-candidate similarities to the query, each 0..1, in the candidates' order."""

    text: np.ndarray  # word TF-IDF cosine of the whole texts
    subject: np.ndarray  # character n-gram TF-IDF cosine of the subjects


def similarity_signals(
    query_text: str, candidates: Sequence[SearchCandidate], *, query_subject: str | None = None
) -> Signals:
    """The similarity of each candidate to the query, measured two ways (whole text, subject)."""
    if query_subject is None:
        query_subject = query_text.strip().split("\n", 1)[0]
    count = len(candidates) + 1  # row 0 is the query
    texts = [query_text[:TEXT_CHARS], *(candidate.text[:TEXT_CHARS] for candidate in candidates)]
    subjects = [query_subject, *(candidate.subject for candidate in candidates)]
    return Signals(
        text=tfidf_cosines(*word_hashes(texts), count),
        subject=tfidf_cosines(*char_ngram_hashes(subjects), count),
    )


def rerank(
    query_text: str,
    candidates: Sequence[C],
    *,
    query_subject: str | None = None,
    subject_weight: float = SUBJECT_WEIGHT,
    embedding: np.ndarray | None = None,
    embedding_weight: float = EMBEDDING_WEIGHT,
) -> list[tuple[C, float]]:
    """Candidates ordered by similarity to the query, best first, each with a score in 0..1.

    The score is a weighted mean of the word TF-IDF cosine of the whole texts and the character
    n-gram TF-IDF cosine of the subjects. When the query has no subject (or a candidate has none),
    the text similarity stands in for the missing one, so nobody is ranked down for a blank field.

    `embedding`, when given, holds each candidate's sentence-embedding cosine to the query (NaN for a
    candidate without a stored vector); it joins the mean with `embedding_weight`. A candidate without
    one keeps the mean of the other two, as a blank subject does.
    """
    if not candidates:
        return []
    if query_subject is None:
        query_subject = query_text.strip().split("\n", 1)[0]
    signals = similarity_signals(query_text, candidates, query_subject=query_subject)
    has_subject = np.fromiter((bool(_has_word(c.subject)) for c in candidates), dtype=bool, count=len(candidates))
    if not _has_word(query_subject):
        has_subject[:] = False
    subject = np.where(has_subject, signals.subject, signals.text)
    scores = (1.0 - subject_weight) * signals.text + subject_weight * subject
    if embedding is not None and len(candidates):
        cosines = np.asarray(embedding, dtype=np.float64)
        with np.errstate(invalid="ignore"):
            mixed = (1.0 - embedding_weight) * scores + embedding_weight * np.clip(cosines, 0.0, 1.0)
        scores = np.where(np.isnan(cosines), scores, mixed)
    # Stable: equal scores keep the full-text order.
    order = np.argsort(-scores, kind="stable")
    return [(candidates[i], float(scores[i])) for i in order]


_WORD = re.compile(r"[^\W_]")


def _has_word(text: str | None) -> bool:
    return text is not None and _WORD.search(text) is not None  # "" has no word either
