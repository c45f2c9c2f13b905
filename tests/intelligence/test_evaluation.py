"""Evaluation on tiny hand-made sets, where every number can be checked by hand."""
from __future__ import annotations

import pytest

from sidecar.intelligence.evaluation import (
    evaluate_escalation,
    evaluate_handoff,
    format_metrics_table,
)
from sidecar.intelligence.scoring import rules_version

HANDOFF_ROWS = [
    {"id": "1", "description": "can i talk to a real person", "needs_human": True},
    {"id": "2", "description": "agent pls", "needs_human": True},
    {"id": "3", "description": "what's your phone number?", "needs_human": True},
    {"id": "4", "description": "my card has not arrived yet", "needs_human": True},  # a miss: no request
    {"id": "5", "description": "how do I reset my password?", "needs_human": False},
    {"id": "6", "description": "the agent said it is fixed", "needs_human": False},
    {"id": "7", "description": "where can I see my invoices?", "needs_human": False},
    {"id": "8", "description": "no label on this one"},
]


def test_handoff_metrics_without_training():
    metrics = evaluate_handoff(HANDOFF_ROWS)
    assert (metrics["rows"], metrics["skipped"], metrics["positives"]) == (7, 1, 4)
    assert (metrics["tp"], metrics["fp"], metrics["fn"], metrics["tn"]) == (3, 0, 1, 3)
    assert metrics["precision"] == pytest.approx(1.0)
    assert metrics["recall"] == pytest.approx(0.75)
    assert metrics["f1"] == pytest.approx(2 * 0.75 / 1.75)
    # The three detected requests rank first, so average precision is at least 3/4.
    assert 0.75 <= metrics["pr_auc"] <= 1.0
    assert metrics["model"] == rules_version()


def test_handoff_with_training_rows_reports_the_learned_version():
    train = [
        {"id": f"p{i}", "description": text, "needs_human": True}
        for i, text in enumerate(["talk to a human", "agent please", "operator", "real person", "call me"])
    ] + [
        {"id": f"n{i}", "description": text, "needs_human": False}
        for i, text in enumerate(["reset password", "invoice copy", "card arrival", "change address", "export csv"])
    ]
    metrics = evaluate_handoff(HANDOFF_ROWS, train_rows=train)
    assert metrics["model"].startswith("handoff-lr-")
    assert metrics["rows"] == 7


ESCALATION_ROWS = [
    {"id": "a", "subject": "Site down", "description": "Production is down for all users, 503 errors.",
     "escalated": True},
    {"id": "b", "description": "We lost all our data after the migration.", "escalated": True},
    {"id": "c", "description": "The app crashes on startup since the update.", "escalated": True},
    {"id": "d", "description": "Typo in the footer.", "escalated": False},
    {"id": "e", "description": "Feature request: would be nice to have dark mode.", "escalated": False},
    {"id": "f", "description": "How do I change my avatar?", "escalated": False},
    {"id": "g", "description": "unlabelled"},
]


def test_escalation_metrics_on_a_clearly_separable_set():
    metrics = evaluate_escalation(ESCALATION_ROWS)
    assert (metrics["rows"], metrics["skipped"], metrics["positives"], metrics["negatives"]) == (6, 1, 3, 3)
    assert metrics["roc_auc"] == pytest.approx(1.0)
    assert metrics["pr_auc"] == pytest.approx(1.0)


def test_escalation_needs_labels_and_both_classes():
    with pytest.raises(ValueError, match="escalated"):
        evaluate_escalation([{"id": "x", "description": "hi"}])
    with pytest.raises(ValueError, match="both classes"):
        evaluate_escalation([{"id": "x", "description": "hi", "escalated": True}])


def test_non_boolean_label_is_rejected():
    with pytest.raises(ValueError, match="true or false"):
        evaluate_escalation([{"id": "x", "description": "hi", "escalated": "yes"}])


def test_metrics_table_is_readable():
    table = format_metrics_table("Hand-off (rules)", {"precision": 0.91234, "rows": 12, "model": "rules-1", "x": None})
    lines = table.splitlines()
    assert lines[0] == "Hand-off (rules)"
    assert any(line.startswith("precision") and line.endswith("0.912") for line in lines)
    assert any(line.startswith("rows") and line.endswith("12") for line in lines)
    assert any(line.startswith("x") and line.endswith("-") for line in lines)
