"""Similar-incident search, stage two: re-rank full-text candidates, and measure the whole search.

The product asks `sidecar.store.search.search_similar` for CANDIDATE_POOL candidates, then `rerank`
orders them by a mean of two TF-IDF cosines (whole text by words, subject by character n-grams).
"""
from sidecar.intelligence.similarity.evaluation import (
    duplicate_queries,
    evaluate_similar,
    format_similar_table,
    searchable_text,
)
from sidecar.intelligence.similarity.rerank import (
    CANDIDATE_POOL,
    SearchCandidate,
    Signals,
    rerank,
    similarity_signals,
)

__all__ = [
    "CANDIDATE_POOL",
    "SearchCandidate",
    "Signals",
    "duplicate_queries",
    "evaluate_similar",
    "format_similar_table",
    "rerank",
    "searchable_text",
    "similarity_signals",
]
