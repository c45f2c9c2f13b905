"""`sidecar eval similar` through the product's own search: a throw-away history, searched the product's way.

The rows go through the importer's mapping (`prepare_history_row`) into a throw-away SQLite database
migrated like the product's (FTS5 and its triggers); every ticket is embedded and stored as an import
stores it (when embeddings are available, as the product decides: SIDECAR_SIMILAR_EMBEDDINGS); each query
runs the product's `search_and_rank` (full-text candidates plus embedding neighbours, re-ranked). Reported
beside the product's order: the full-text order alone, the embedding order alone, and the re-ranked
full-text candidates without embeddings (the product without the `embeddings` extra). Seamonkey's 1,076
tickets take about 2 seconds without embeddings; with the transformer, embedding every ticket takes most
of the time (one to three minutes on two busy cores).
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sidecar.intelligence.similarity.embedding import similar_embedder
from sidecar.intelligence.similarity.evaluation import checked_rows, measure_product, similar_queries
from sidecar.intelligence.similarity.rerank import CANDIDATE_POOL
from sidecar.services.similar_incidents import search_and_rank
from sidecar.store.history import prepare_history_row
from sidecar.store.search import scratch_history


def evaluate_product_search(rows: Iterable[Mapping[str, Any]], *, pool: int = CANDIDATE_POOL,
                            embeddings: str | None = None) -> dict[str, Any]:
    """Recall@1/5/10 and MRR of the product's similar-incident search on rows with `duplicate_of` links,
    with embeddings as `embeddings` (a SIDECAR_SIMILAR_EMBEDDINGS value; None reads the variable)."""
    rows = checked_rows(rows)
    queries = similar_queries(rows)
    tickets = [dict(prepare_history_row(row, source="file").columns) for row in rows]
    texts = {ticket["external_id"]: ticket["search_text"] for ticket in tickets}
    embedder = similar_embedder(embeddings)
    with scratch_history(tickets, embedder=embedder) as (session, installation_id):
        def product(*, text: str, subject: str, **arguments: Any) -> Any:
            return search_and_rank(session, installation_id=installation_id, text=text, subject=subject,
                                   embedder=embedder, pool=pool, **arguments)

        metrics = measure_product(queries, len(rows), product, texts, pool)
    metrics["embedding_model"] = embedder.name if embedder is not None else None
    if embedder is None:  # the product is full-text search re-ranked; nothing else to report
        metrics = {k: v for k, v in metrics.items() if not k.startswith(("embeddings_", "full_text_reranked_"))}
    return metrics
