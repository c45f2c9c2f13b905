"""The learned escalation model is calibrated on held-out folds: 0.8 means about 80% were escalated."""
from __future__ import annotations

import random

from sidecar.intelligence.evaluation import (
    backtest_escalation,
    calibration_table,
    format_backtest_table,
    score_metrics,
)
from sidecar.intelligence.learned import CalibratedEscalationModel, train_calibrated_escalation_model
from sidecar.intelligence.scoring import rules_version
from sidecar.intelligence.ticket import ticket_from_mapping
from tests.learned_escalation_support import ROUTINE, SEVERE, synthetic_history


def _noisy(count: int, seed: int):
    """Severe tickets were escalated 80% of the time, routine ones 10%: the best a model can say."""
    rng = random.Random(seed)
    tickets, labels = [], []
    for index in range(count):
        severe = rng.random() < 0.4
        text = rng.choice(SEVERE if severe else ROUTINE)
        tickets.append(ticket_from_mapping({"id": str(index), "subject": text, "description": f"case {index}"}))
        labels.append(rng.random() < (0.8 if severe else 0.1))
    return tickets, labels


def test_probabilities_match_the_escalation_rate_of_such_tickets():
    tickets, labels = _noisy(400, seed=1)
    model = train_calibrated_escalation_model(tickets, labels)
    assert isinstance(model, CalibratedEscalationModel) and model.method == "platt"
    test_tickets, test_labels = _noisy(300, seed=2)
    scores = model.predict_many(test_tickets)
    severe = [s for t, s in zip(test_tickets, scores, strict=True) if any(t.subject == x for x in SEVERE)]
    routine = [s for t, s in zip(test_tickets, scores, strict=True) if any(t.subject == x for x in ROUTINE)]
    assert abs(sum(severe) / len(severe) - 0.8) < 0.1
    assert abs(sum(routine) / len(routine) - 0.1) < 0.08
    # The uncalibrated, class-balanced regression says something else (that is why the calibrator exists).
    raw = model.raw_many(test_tickets)
    assert max(abs(r - s) for r, s in zip(raw, scores, strict=True)) > 0.05
    metrics = score_metrics(test_labels, scores, 0.6)
    assert metrics["brier"] < 0.2 and metrics["roc_auc"] > 0.8


def test_round_trip_keeps_the_calibrator():
    tickets, labels = _noisy(120, seed=3)
    model = train_calibrated_escalation_model(tickets, labels)
    loaded = CalibratedEscalationModel.from_bytes(model.to_bytes())
    assert loaded.version == model.version and loaded.version.startswith("esc-cal-")
    assert loaded.predict_many(tickets[:5]) == model.predict_many(tickets[:5])


def test_calibration_table_has_ten_bins():
    table = calibration_table([True, False, True, False], [0.95, 0.05, 1.0, 0.42])
    assert [row["bin"] for row in table][:2] == ["0.0-0.1", "0.1-0.2"] and len(table) == 10
    assert table[9] == {"bin": "0.9-1.0", "tickets": 2, "mean_score": 0.975, "escalated_rate": 1.0}
    assert table[4]["tickets"] == 1 and table[4]["escalated_rate"] == 0.0
    assert table[5] == {"bin": "0.5-0.6", "tickets": 0, "mean_score": None, "escalated_rate": None}


def test_backtest_trains_on_the_older_part_and_tests_on_the_newer():
    rows = synthetic_history(100, noise=0.05)
    tickets = [ticket_from_mapping(r) for r in rows]
    labels = [r["escalated"] for r in rows]
    result = backtest_escalation(tickets, labels, test_fraction=0.3)
    assert (result["train_rows"], result["test_rows"]) == (70, 30)
    assert result["rules"]["model"] == rules_version() and result["learned"]["model"].startswith("esc-cal-")
    assert result["escalate_threshold"] == 0.6
    for name in ("rules", "learned"):
        assert {"roc_auc", "pr_auc", "brier", "precision_at_threshold", "recall_at_threshold",
                "calibration"} <= set(result[name])
        assert sum(row["tickets"] for row in result[name]["calibration"]) == 30
    assert result["learned"]["roc_auc"] > 0.85
    assert result["warnings"] == []
    small = backtest_escalation(tickets[:40], labels[:40], test_fraction=0.5)
    assert len(small["warnings"]) == 2 and "fewer than the 20" in small["warnings"][0]
    assert "warning: the training part holds" in format_backtest_table("t", small)
