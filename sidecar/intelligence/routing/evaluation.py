"""Measure the learned router on history-format rows: learn from one set, route another.

Rows are history-format dicts (docs/architecture.md, "History format"); `group` null means the ticket belongs to
no known team (out of scope). Scoring follows the out-of-scope intent benchmarks (CLINC150):
- accuracy: share of in-scope test tickets routed to their group; an abstention counts as wrong;
- macro_f1: mean F1 over the in-scope groups of the test set; an abstention is a miss for the true group
  (not a false positive for any), and an out-of-scope ticket routed to a group is that group's false positive;
- abstain_rate: share of in-scope test tickets the router abstained on;
- oos_recall: share of out-of-scope test tickets it abstained on (None when the test set has none).
"""
from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sidecar.intelligence.evaluation import format_metrics_table
from sidecar.intelligence.routing.learned_router import ticket_text
from sidecar.intelligence.routing.training import train_router
from sidecar.intelligence.ticket import ticket_from_mapping


def _texts_and_groups(rows: Iterable[Mapping[str, Any]]) -> tuple[list[str], list[str | None]]:
    texts: list[str] = []
    groups: list[str | None] = []
    for row in rows:
        group = row.get("group")
        if group is not None and not isinstance(group, str):
            raise ValueError(f"row {row.get('id')!r}: group must be a string or null, got {group!r}")
        texts.append(ticket_text(ticket_from_mapping(row)))
        groups.append(group.strip() or None if isinstance(group, str) else None)
    return texts, groups


def routing_metrics(truth: Sequence[str | None], predicted: Sequence[str | None]) -> dict[str, Any]:
    """Accuracy, macro-F1, abstain rate and OOS recall of predictions (None = abstained / out of scope)."""
    if len(truth) != len(predicted):
        raise ValueError(f"{len(truth)} true groups but {len(predicted)} predictions")
    in_scope = [(t, p) for t, p in zip(truth, predicted, strict=True) if t is not None]
    out_of_scope = [p for t, p in zip(truth, predicted, strict=True) if t is None]
    correct = sum(1 for t, p in in_scope if p == t)
    abstained = sum(1 for _, p in in_scope if p is None)
    f1s = []
    for group in sorted({t for t, _ in in_scope}):
        tp = sum(1 for t, p in in_scope if t == group and p == group)
        fp = sum(1 for t, p in zip(truth, predicted, strict=True) if p == group and t != group)
        fn = sum(1 for t, p in in_scope if t == group and p != group)
        f1s.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    oos_abstained = sum(1 for p in out_of_scope if p is None)
    return {
        "accuracy": correct / len(in_scope) if in_scope else None,
        "macro_f1": sum(f1s) / len(f1s) if f1s else None,
        "abstain_rate": abstained / len(in_scope) if in_scope else None,
        "oos_recall": oos_abstained / len(out_of_scope) if out_of_scope else None,
        "test_in_scope": len(in_scope),
        "test_out_of_scope": len(out_of_scope),
        "routed_correctly": correct,
        "abstained_in_scope": abstained,
        "abstained_out_of_scope": oos_abstained,
    }


def evaluate_routing(
    train_rows: Iterable[Mapping[str, Any]], test_rows: Iterable[Mapping[str, Any]], **train_options: Any
) -> dict[str, Any]:
    """Train a router on train_rows, route test_rows: accuracy, macro-F1, abstain rate, OOS recall, counts, timing."""
    train_texts, train_groups = _texts_and_groups(train_rows)
    test_texts, test_groups = _texts_and_groups(test_rows)
    if not any(g is not None for g in train_groups):
        raise ValueError("no training row has a group")
    if not test_texts:
        raise ValueError("no test rows")
    started = time.perf_counter()
    model = train_router(train_texts, train_groups, **train_options)
    train_seconds = time.perf_counter() - started
    started = time.perf_counter()
    decisions = model.predict_many(test_texts)
    route_seconds = time.perf_counter() - started
    metrics = routing_metrics(test_groups, [d.group for d in decisions])
    known = set(model.groups)
    return {
        **metrics,
        "groups": len(known),
        "train_rows": len(train_texts),
        "train_out_of_scope": sum(1 for g in train_groups if g is None),
        "test_unseen_group": sum(1 for g in test_groups if g is not None and g not in known),
        "train_seconds": round(train_seconds, 2),
        "route_ms_per_ticket": round(1000 * route_seconds / len(test_texts), 3),
        "model_version": model.version,
        "embedding_model": model.settings.get("embedding_model"),
    }


def format_routing_table(metrics: Mapping[str, Any]) -> str:
    """A plain-text two-column table of routing metrics, rates to three decimals."""
    return format_metrics_table("Routing (learned router)", metrics)
