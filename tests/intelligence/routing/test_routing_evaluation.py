"""Routing metrics: computed by hand on a tiny set, then end to end on history-format rows."""
from __future__ import annotations

import pytest

from sidecar.intelligence.routing.evaluation import (
    evaluate_routing,
    format_routing_table,
    routing_metrics,
)


def test_metrics_by_hand():
    truth = ["billing", "billing", "legal", "legal", "sales", None, None]
    predicted = ["billing", None, "legal", "billing", "sales", None, "sales"]
    metrics = routing_metrics(truth, predicted)
    # In scope: 5 tickets, 3 routed right; the abstention on the second counts as wrong.
    assert metrics["accuracy"] == pytest.approx(3 / 5)
    assert metrics["abstain_rate"] == pytest.approx(1 / 5)
    # Out of scope: 2 tickets, the router abstained on 1.
    assert metrics["oos_recall"] == pytest.approx(1 / 2)
    # billing: tp 1, fp 1 (a legal ticket), fn 1 (the abstention) -> 2/(2+1+1) = 0.5
    # legal:   tp 1, fp 0, fn 1 -> 2/3;  sales: tp 1, fp 1 (an out-of-scope ticket), fn 0 -> 2/3
    assert metrics["macro_f1"] == pytest.approx((0.5 + 2 / 3 + 2 / 3) / 3)
    assert (metrics["test_in_scope"], metrics["test_out_of_scope"]) == (5, 2)
    assert (metrics["routed_correctly"], metrics["abstained_in_scope"], metrics["abstained_out_of_scope"]) == (3, 1, 1)


def test_oos_recall_is_none_without_out_of_scope_tickets():
    metrics = routing_metrics(["billing", "legal"], ["billing", "billing"])
    assert metrics["oos_recall"] is None
    assert metrics["accuracy"] == 0.5
    assert metrics["macro_f1"] == pytest.approx((2 / 3 + 0.0) / 2)


def test_metrics_need_one_prediction_per_ticket():
    with pytest.raises(ValueError):
        routing_metrics(["billing"], [])


TRAIN = [
    *({"id": f"b{i}", "subject": "Refund", "description": text, "group": "billing"} for i, text in enumerate([
        "charged twice please refund", "refund the duplicate payment", "invoice amount is wrong",
        "card was charged after cancelling", "need a refund for the annual plan", "wrong invoice total"])),
    *({"id": f"p{i}", "description": text, "group": "platform"} for i, text in enumerate([
        "dashboard shows 502 errors", "api is down with timeouts", "webhooks stopped after deploy",
        "500 error when exporting", "service outage nobody can log in", "sync job stuck and failing"])),
    *({"id": f"l{i}", "description": text, "group": "legal"} for i, text in enumerate([
        "delete my personal data under gdpr", "we need a signed dpa", "send the soc 2 report",
        "where is personal data stored for gdpr", "list of subprocessors for our privacy review",
        "data retention after contract termination"])),
    {"id": "x1", "description": "what is the capital of australia", "group": None},
]


def test_evaluate_routing_on_history_rows():
    test = [
        {"id": "t1", "description": "please refund the double charge on my card", "group": "billing"},
        {"id": "t2", "subject": "Outage", "description": "api timeouts and 502 errors", "group": "platform"},
        {"id": "t3", "description": "gdpr request: delete personal data", "group": "legal",
         "comments": [{"author": "customer", "body": "also send your dpa"}]},
        {"id": "t4", "description": "what's the weather in paris", "group": None},
    ]
    metrics = evaluate_routing(TRAIN, test)
    assert metrics["accuracy"] == 1.0 and metrics["abstain_rate"] == 0.0
    assert metrics["oos_recall"] == 1.0
    assert (metrics["groups"], metrics["train_rows"], metrics["train_out_of_scope"]) == (3, 19, 1)
    assert metrics["train_seconds"] >= 0 and metrics["model_version"].startswith("router-")
    table = format_routing_table(metrics)
    assert "accuracy" in table and "1.000" in table and "oos_recall" in table


def test_evaluate_routing_rejects_history_without_groups():
    with pytest.raises(ValueError, match="group"):
        evaluate_routing([{"id": "1", "description": "x", "group": None}], [{"id": "2", "description": "y"}])
    with pytest.raises(ValueError, match="group must be"):
        evaluate_routing([{"id": "1", "description": "x", "group": 7}], [{"id": "2", "description": "y"}])
