"""Measure similar-incident search on history rows labelled with `duplicate_of` (`sidecar eval similar`).

A duplicate link says two tickets report the same problem. Trackers record it on either ticket
(Bugzilla marks whichever came second, or the less useful one, as the duplicate; in the seamonkey
file every link is recorded on both tickets and the ticket marked original is as often the later one
as the earlier), so links are read in both directions. Each ticket that has a duplicate created
before it is a query, searched the way an agent would meet it: only tickets created earlier are
candidates. Rows without `created_at` cannot be placed in time and take no part.

A hit is the direct duplicate link. Beside it, the same-group figures count any earlier ticket of the
query's duplicate group (tickets joined by links, directly or through others: A duplicates B, B
duplicates C, so C is the same problem as A): the bucket convention of the duplicate-detection
literature, and what an agent meeting A is as glad to find.

This module only counts: the searching is a function it is given. The product's own search over a
throw-away history database is `sidecar.services.similar_evaluation` (intelligence does no I/O).
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sidecar.intelligence.similarity.rerank import CANDIDATE_POOL, NEAREST_POOL, rerank

CUTOFFS = (1, 5, 10)


def _timestamp(value: Any) -> datetime | None:
    if value in (None, ""):
        return None
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"created_at {value!r} is not an ISO 8601 timestamp") from None
    # Stored and compared in UTC (SQLite keeps no offset, so mixed offsets would misorder).
    return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _ids(value: Any) -> list[str]:
    if value in (None, ""):
        return []
    if isinstance(value, (list, tuple, set)):
        return [str(item) for item in value]
    return [str(value)]


def _links(by_id: Mapping[str, Mapping[str, Any]]) -> dict[str, set[str]]:
    related: dict[str, set[str]] = {}
    for ticket_id, row in by_id.items():
        for other in _ids(row.get("duplicate_of")):
            if other in by_id and other != ticket_id:
                related.setdefault(ticket_id, set()).add(other)
                related.setdefault(other, set()).add(ticket_id)
    return related


def _group_of(start: str, related: Mapping[str, set[str]]) -> set[str]:
    seen, todo = {start}, [start]
    while todo:
        for other in related.get(todo.pop(), ()):
            if other not in seen:
                seen.add(other)
                todo.append(other)
    return seen - {start}


def duplicate_queries(rows: Sequence[Mapping[str, Any]]) -> list[tuple[Mapping[str, Any], set[str]]]:
    """Each row that has a duplicate created before it, with the ids of those earlier duplicates."""
    return [(row, direct) for row, direct, _group in duplicate_queries_with_groups(rows)]


def duplicate_queries_with_groups(
    rows: Sequence[Mapping[str, Any]],
) -> list[tuple[Mapping[str, Any], set[str], set[str]]]:
    """Each row that has a duplicate created before it, with the earlier direct duplicates and the earlier
    tickets of its whole duplicate group."""
    by_id = {str(row["id"]): row for row in rows}
    created = {ticket_id: _timestamp(row.get("created_at")) for ticket_id, row in by_id.items()}
    related = _links(by_id)
    queries = []
    for ticket_id, row in by_id.items():
        when = created[ticket_id]
        if when is None:
            continue
        cutoff = when  # narrowed: the default below is evaluated now

        def earlier(ids: Iterable[str], when: datetime = cutoff) -> set[str]:
            return {other for other in ids if (at := created[other]) is not None and at < when}

        direct = earlier(related.get(ticket_id, ()))
        if direct:
            queries.append((row, direct, earlier(_group_of(ticket_id, related))))
    return queries


def searchable_text(row: Mapping[str, Any]) -> str:
    """What search reads of a history-format row: subject, description and the customer's comments.

    The importer's rule (sidecar.store.history.search_text, which also strips HTML); used when a
    caller brings its own search function.
    """
    comments = [
        str(comment.get("body") or "")
        for comment in row.get("comments") or []
        if isinstance(comment, Mapping) and comment.get("author", "customer") == "customer"
    ]
    parts = [str(row.get("subject") or ""), str(row.get("description") or ""), *comments]
    return "\n".join(part for part in parts if part)


def _first_hit(ranked_ids: Sequence[str], relevant: set[str]) -> int | None:
    for position, ticket_id in enumerate(ranked_ids):
        if ticket_id in relevant:
            return position
    return None


def _summarise(positions: Sequence[int | None], prefix: str) -> dict[str, float]:
    count = len(positions)
    metrics = {
        f"{prefix}recall_at_{k}": sum(1 for p in positions if p is not None and p < k) / count for k in CUTOFFS
    }
    metrics[f"{prefix}mrr"] = sum(1.0 / (p + 1) for p in positions if p is not None) / count
    return metrics


def evaluate_similar(
    rows: Iterable[Mapping[str, Any]],
    *,
    search: Callable[..., Sequence[Any]],
    pool: int = CANDIDATE_POOL,
) -> dict[str, Any]:
    """Recall@1/5/10 and MRR of full-text candidates from `search`, alone and re-ranked, for tickets whose
    duplicate came earlier. `search` takes search_similar's keyword arguments (text, limit, exclude,
    created_before) and returns candidates with `external_id`, `subject` and `text`."""
    rows = checked_rows(rows)
    return _measure(similar_queries(rows), len(rows), search, pool,
                    {str(row["id"]): searchable_text(row) for row in rows})


def checked_rows(rows: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The rows as a list, each with an id."""
    rows = list(rows)
    for row in rows:
        if "id" not in row:
            raise ValueError("every row needs an 'id'")
    return rows


def similar_queries(rows: Sequence[Mapping[str, Any]]) -> list[tuple[Mapping[str, Any], set[str], set[str]]]:
    """The queries of a file (see duplicate_queries_with_groups), or a clear error when there are none."""
    queries = duplicate_queries_with_groups(rows)
    if not queries:
        raise ValueError("no ticket has a duplicate_of link to a ticket created before it; nothing to measure")
    return queries


def measure_product(
    queries: Sequence[tuple[Mapping[str, Any], set[str], set[str]]],
    tickets: int,
    search: Callable[..., Any],
    texts: Mapping[str, str],
    pool: int,
) -> dict[str, Any]:
    """The figures of the product's search (`search` returns its full-text, nearest and ranked lists) per
    query, beside each of its stages, and the product's order judged by duplicate group."""
    full_text: list[int | None] = []
    full_text_reranked: list[int | None] = []
    nearest: list[int | None] = []
    product: list[int | None] = []
    product_group: list[int | None] = []
    pooled: list[bool] = []
    for row, relevant, group in queries:
        text = texts[str(row["id"])]
        subject = str(row.get("subject") or "")
        found = search(text=text, subject=subject, exclude=("file", str(row["id"])),
                       created_before=_timestamp(row.get("created_at")))
        full_text.append(_first_hit([c.external_id for c in found.full_text], relevant))
        nearest.append(_first_hit([c.external_id for c in found.nearest], relevant))
        ranked = [c.external_id for c, _ in found.ranked]
        product.append(_first_hit(ranked, relevant))
        product_group.append(_first_hit(ranked, group))
        pooled.append(any(ticket_id in relevant for ticket_id in ranked))
        if found.nearest:
            alone = rerank(text, found.full_text, query_subject=subject)
            full_text_reranked.append(_first_hit([c.external_id for c, _ in alone], relevant))
        else:
            full_text_reranked.append(product[-1])
    return {
        "tickets": tickets,
        "queries": len(queries),
        "candidate_pool": pool,
        **_summarise(product, ""),
        **_summarise(product_group, "group_"),
        **_summarise(full_text, "full_text_"),
        **_summarise(full_text_reranked, "full_text_reranked_"),
        **_summarise(nearest, "embeddings_"),
        "found_in_pool": sum(pooled) / len(queries),
    }


def _measure(
    queries: Sequence[tuple[Mapping[str, Any], set[str], set[str]]],
    tickets: int,
    search: Callable[..., Sequence[Any]],
    pool: int,
    texts: Mapping[str, str],
) -> dict[str, Any]:
    full_text: list[int | None] = []
    reranked: list[int | None] = []
    for row, relevant, _group in queries:
        text = texts[str(row["id"])]
        candidates = search(
            text=text, limit=pool, exclude=("file", str(row["id"])), created_before=_timestamp(row.get("created_at"))
        )
        full_text.append(_first_hit([c.external_id for c in candidates], relevant))
        ranked = rerank(text, candidates, query_subject=str(row.get("subject") or ""))
        reranked.append(_first_hit([c.external_id for c, _ in ranked], relevant))
    return {
        "tickets": tickets,
        "queries": len(queries),
        "candidate_pool": pool,
        **_summarise(reranked, ""),
        **_summarise(full_text, "full_text_"),
        "found_in_pool": sum(1 for p in full_text if p is not None) / len(queries),
    }


def format_similar_table(metrics: Mapping[str, Any], title: str = "similar incidents") -> str:
    """A plain-text table: recall@1/5/10 and MRR of full-text search alone and re-ranked (and, when measured,
    of the embeddings alone and of the product's search: both candidate sets, re-ranked with embeddings)."""
    hybrid = "embeddings_mrr" in metrics and metrics.get("embedding_model")
    if hybrid:
        neighbours = min(metrics["candidate_pool"], NEAREST_POOL)
        heading = (f"{metrics['candidate_pool']} full-text and {neighbours} embedding "
                   f"({metrics['embedding_model']}) candidates re-ranked")
        columns = [("full-text", "full_text_"), ("embeddings", "embeddings_"),
                   ("ft+rerank", "full_text_reranked_"), ("product", "")]
    else:
        model = " (no embeddings)" if "embedding_model" in metrics else ""
        heading = f"{metrics['candidate_pool']} full-text candidates re-ranked{model}"
        columns = [("full-text", "full_text_"), ("re-ranked", "")]
    lines = [
        f"{title}: {metrics['queries']} queries over {metrics['tickets']} tickets, {heading}",
        f"{'metric':<12}" + "".join(f"{label:>12}" for label, _ in columns),
    ]
    for name in [f"recall_at_{k}" for k in CUTOFFS] + ["mrr"]:
        label = name.replace("recall_at_", "recall@")
        lines.append(f"{label:<12}" + "".join(f"{metrics[prefix + name]:>12.3f}" for _, prefix in columns))
    if hybrid:
        lines.append(f"{'in pool':<12}" + f"{'':>12}" * (len(columns) - 1) + f"{metrics['found_in_pool']:>12.3f}")
    else:
        lines.append(f"{'in pool':<12}{metrics['found_in_pool']:>12.3f}{'':>12}")
    if "group_mrr" in metrics:
        figures = ", ".join(f"@{k} {metrics[f'group_recall_at_{k}']:.3f}" for k in CUTOFFS)
        lines.append(f"same duplicate group counts (the product's order): recall {figures}, "
                     f"MRR {metrics['group_mrr']:.3f}")
    return "\n".join(lines)
