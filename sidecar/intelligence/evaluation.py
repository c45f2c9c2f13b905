"""Measure the scorer on labelled history rows: hand-off detection (needs_human) and escalation (escalated).

Rows are history-format dicts (docs/architecture.md, "History format"). Rows without the label are skipped and
counted. With `train_rows`, a model is learned on them first and the test rows are scored by it.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sidecar.domain.statuses import Recommendation
from sidecar.intelligence.assessment import CATEGORIES, ScoringPolicy
from sidecar.intelligence.learned import (
    reference_time,
    train_calibrated_escalation_model,
    train_escalation_model,
    train_handoff_model,
)
from sidecar.intelligence.scoring import (
    DEFAULT_CATEGORY_THRESHOLD,
    DEFAULT_ESCALATE_THRESHOLD,
    assess_ticket,
    resolve_policy,
    rules_version,
)
from sidecar.intelligence.ticket import Ticket, ticket_from_mapping

HUMAN_REQUESTED = "human_requested"
LEARNED_THRESHOLD = 0.5  # a learned model's probability is calibrated by training; 0.5 is its decision point
_ALL_CATEGORIES = ScoringPolicy(category_threshold=0.0)  # report every category, however unsure


def _labelled(rows: Iterable[Mapping[str, Any]], label: str) -> tuple[list[Ticket], list[bool], int]:
    tickets: list[Ticket] = []
    labels: list[bool] = []
    skipped = 0
    for row in rows:
        value = row.get(label)
        if value is None:
            skipped += 1
            continue
        if not isinstance(value, bool):
            raise ValueError(f"row {row.get('id')!r}: {label} must be true or false, got {value!r}")
        tickets.append(ticket_from_mapping(row, default_source="zendesk"))
        labels.append(value)
    return tickets, labels, skipped


def human_request_score(ticket: Ticket) -> float:
    """The rules' raw confidence that the customer asks for a human (0 when nothing points to it)."""
    assessment = assess_ticket(ticket, policy=_ALL_CATEGORIES, now=reference_time(ticket))
    for category in assessment.categories:
        if category.name == HUMAN_REQUESTED:
            return category.confidence
    return 0.0


def _binary_counts(labels: Sequence[bool], predicted: Sequence[bool]) -> dict[str, int]:
    tp = sum(1 for y, p in zip(labels, predicted, strict=True) if y and p)
    fp = sum(1 for y, p in zip(labels, predicted, strict=True) if p and not y)
    fn = sum(1 for y, p in zip(labels, predicted, strict=True) if y and not p)
    return {"tp": tp, "fp": fp, "fn": fn, "tn": len(labels) - tp - fp - fn}


def _precision_recall_f1(counts: Mapping[str, int]) -> tuple[float, float, float]:
    tp, fp, fn = counts["tp"], counts["fp"], counts["fn"]
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def _check_classes(labels: Sequence[bool], label: str) -> None:
    if not labels:
        raise ValueError(f"no rows carry a {label!r} label")
    if all(labels) or not any(labels):
        raise ValueError(f"every labelled row has {label} = {labels[0]}; both classes are needed to measure")


def evaluate_handoff(
    test_rows: Iterable[Mapping[str, Any]], train_rows: Iterable[Mapping[str, Any]] | None = None
) -> dict[str, Any]:
    """Precision, recall, F1 and PR-AUC of human-request detection on rows labelled `needs_human`."""
    from sklearn.metrics import average_precision_score

    tickets, labels, skipped = _labelled(test_rows, "needs_human")
    _check_classes(labels, "needs_human")
    if train_rows is not None:
        train_tickets, train_labels, _ = _labelled(train_rows, "needs_human")
        model = train_handoff_model(train_tickets, train_labels)
        scores = model.predict_many(tickets)
        threshold, version = LEARNED_THRESHOLD, model.version
    else:
        scores = [human_request_score(t) for t in tickets]
        threshold, version = DEFAULT_CATEGORY_THRESHOLD, rules_version()
    predicted = [score >= threshold for score in scores]
    counts = _binary_counts(labels, predicted)
    precision, recall, f1 = _precision_recall_f1(counts)
    return {
        "model": version,
        "rows": len(labels),
        "skipped": skipped,
        "positives": sum(labels),
        "predicted_positive": sum(predicted),
        **counts,
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "pr_auc": float(average_precision_score(labels, scores)),
    }


def evaluate_categories(test_rows: Iterable[Mapping[str, Any]], *,
                        policy: ScoringPolicy | None = None) -> dict[str, Any]:
    """Per category precision, recall and F1 of the reported categories against each row's `categories`
    list, their micro-F1, and F1 of the escalate recommendation against `needs_human`."""
    rows = [row for row in test_rows if isinstance(row.get("categories"), list)]
    if not rows:
        raise ValueError("no rows carry a 'categories' list")
    unknown = sorted({c for row in rows for c in row["categories"]} - set(CATEGORIES))
    if unknown:
        raise ValueError(f"unknown categories in the labels: {', '.join(unknown)}")
    counts = {name: {"tp": 0, "fp": 0, "fn": 0} for name in CATEGORIES}
    escalate_labels: list[bool] = []
    escalate_predicted: list[bool] = []
    misses: list[dict[str, Any]] = []
    for row in rows:
        ticket = ticket_from_mapping(row, default_source="zendesk")
        assessment = assess_ticket(ticket, policy=policy, now=reference_time(ticket))
        found = {c.name for c in assessment.categories}
        wanted = set(row["categories"])
        for name in CATEGORIES:
            if name in found and name in wanted:
                counts[name]["tp"] += 1
            elif name in found:
                counts[name]["fp"] += 1
            elif name in wanted:
                counts[name]["fn"] += 1
        if isinstance(row.get("needs_human"), bool):
            escalate_labels.append(row["needs_human"])
            escalate_predicted.append(assessment.recommendation == Recommendation.ESCALATE)
        if found != wanted:
            misses.append({"id": row.get("id"), "expected": sorted(wanted), "found": sorted(found)})
    per_category = {}
    for name, c in counts.items():
        precision, recall, f1 = _precision_recall_f1(c)
        per_category[name] = {"support": c["tp"] + c["fn"], "precision": precision, "recall": recall, "f1": f1}
    total = {key: sum(c[key] for c in counts.values()) for key in ("tp", "fp", "fn")}
    result: dict[str, Any] = {"rows": len(rows), "model": rules_version(),
                              "micro_f1": _precision_recall_f1(total)[2], "categories": per_category}
    if escalate_labels:
        precision, recall, f1 = _precision_recall_f1(_binary_counts(escalate_labels, escalate_predicted))
        result["needs_human"] = {"rows": len(escalate_labels), "positives": sum(escalate_labels),
                                 "precision": precision, "recall": recall, "f1": f1}
    result["mismatched_rows"] = len(misses)
    result["mismatches"] = misses
    return result


def format_categories_table(title: str, result: Mapping[str, Any]) -> str:
    """Per category support, precision, recall and F1; then micro-F1 and the escalate-vs-needs_human line."""
    lines = [title, f"{'category':<22} {'support':>7} {'precision':>9} {'recall':>7} {'f1':>6}"]
    for name, m in result["categories"].items():
        lines.append(f"{name:<22} {m['support']:>7} {m['precision']:>9.3f} {m['recall']:>7.3f} {m['f1']:>6.3f}")
    lines.append(f"{'micro':<22} {'':>7} {'':>9} {'':>7} {result['micro_f1']:>6.3f}")
    human = result.get("needs_human")
    if human:
        lines.append(f"{'escalate/needs_human':<22} {human['positives']:>7} {human['precision']:>9.3f} "
                     f"{human['recall']:>7.3f} {human['f1']:>6.3f}")
    lines.append(f"{result['mismatched_rows']} of {result['rows']} rows differ in some category ({result['model']})")
    return "\n".join(lines)


def evaluate_escalation(
    test_rows: Iterable[Mapping[str, Any]], train_rows: Iterable[Mapping[str, Any]] | None = None
) -> dict[str, Any]:
    """ROC-AUC and PR-AUC of the escalation score on rows labelled `escalated`."""
    from sklearn.metrics import average_precision_score, roc_auc_score

    tickets, labels, skipped = _labelled(test_rows, "escalated")
    _check_classes(labels, "escalated")
    if train_rows is not None:
        train_tickets, train_labels, _ = _labelled(train_rows, "escalated")
        _check_classes(train_labels, "escalated")
        model = train_escalation_model(train_tickets, train_labels)
        scores = model.predict_many(tickets)
        version = model.version
    else:
        scores = [assess_ticket(t, now=reference_time(t)).score for t in tickets]
        version = rules_version()
    predicted = [score >= DEFAULT_ESCALATE_THRESHOLD for score in scores]
    counts = _binary_counts(labels, predicted)
    precision, recall, _ = _precision_recall_f1(counts)
    return {
        "model": version,
        "rows": len(labels),
        "skipped": skipped,
        "positives": sum(labels),
        "negatives": len(labels) - sum(labels),
        "roc_auc": float(roc_auc_score(labels, scores)),
        "pr_auc": float(average_precision_score(labels, scores)),
        "escalate_precision": precision,
        "escalate_recall": recall,
    }


def format_metrics_table(title: str, metrics: Mapping[str, Any]) -> str:
    """A plain-text two-column table of metrics, floats to three decimals."""
    def show(value: Any) -> str:
        if value is None:
            return "-"
        if isinstance(value, bool):
            return "yes" if value else "no"
        if isinstance(value, float):
            return f"{value:.3f}"
        return str(value)

    rows = [(str(name), show(value)) for name, value in metrics.items()]
    name_width = max([len("metric")] + [len(name) for name, _ in rows])
    value_width = max([len("value")] + [len(value) for _, value in rows])
    lines = [title, "=" * max(len(title), name_width + value_width + 3)]
    lines.append(f"{'metric'.ljust(name_width)}   {'value'.rjust(value_width)}")
    lines.append(f"{'-' * name_width}   {'-' * value_width}")
    lines.extend(f"{name.ljust(name_width)}   {value.rjust(value_width)}" for name, value in rows)
    return "\n".join(lines)


def calibration_table(labels: Sequence[bool], scores: Sequence[float], bins: int = 10) -> list[dict[str, Any]]:
    """Ten equal-width score bins: how many tickets, their mean score and the share that were escalated."""
    table = []
    for index in range(bins):
        low, high = index / bins, (index + 1) / bins
        members = [(y, s) for y, s in zip(labels, scores, strict=True)
                   if low <= s < high or (index == bins - 1 and s == 1.0)]
        table.append({
            "bin": f"{low:.1f}-{high:.1f}",
            "tickets": len(members),
            "mean_score": sum(s for _, s in members) / len(members) if members else None,
            "escalated_rate": sum(1 for y, _ in members if y) / len(members) if members else None,
        })
    return table


def score_metrics(labels: Sequence[bool], scores: Sequence[float], threshold: float) -> dict[str, Any]:
    """ROC-AUC, PR-AUC, Brier score, precision and recall at `threshold`, and the calibration table."""
    from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score

    predicted = [score >= threshold for score in scores]
    precision, recall, _ = _precision_recall_f1(_binary_counts(labels, predicted))
    return {
        "roc_auc": float(roc_auc_score(labels, scores)),
        "pr_auc": float(average_precision_score(labels, scores)),
        "brier": float(brier_score_loss([int(y) for y in labels], scores)),
        "precision_at_threshold": precision,
        "recall_at_threshold": recall,
        "predicted_escalate": sum(predicted),
        "calibration": calibration_table(labels, scores),
    }


def backtest_escalation(tickets: Sequence[Ticket], labels: Sequence[bool], *, policy: ScoringPolicy | None = None,
                        test_fraction: float = 0.3, min_per_class: int = 20) -> dict[str, Any]:
    """Rules vs a calibrated learned model on tickets ordered oldest first: train on the older part, test on
    the newer (`test_fraction` of the rows), both scored at the policy's escalate threshold. A training part
    with fewer than `min_per_class` tickets of a class (what `sidecar train` requires) is measured but warned
    about."""
    if len(tickets) != len(labels):
        raise ValueError(f"{len(tickets)} tickets but {len(labels)} labels")
    cut = len(tickets) - max(1, round(len(tickets) * test_fraction))
    train_tickets, train_labels = list(tickets[:cut]), [bool(v) for v in labels[:cut]]
    test_tickets, test_labels = list(tickets[cut:]), [bool(v) for v in labels[cut:]]
    _check_classes(train_labels, "escalated (older, training part)")
    _check_classes(test_labels, "escalated (newer, test part)")
    threshold = resolve_policy(policy)[2]
    rules_scores = [assess_ticket(t, policy=policy, now=reference_time(t)).score for t in test_tickets]
    model = train_calibrated_escalation_model(train_tickets, train_labels)
    learned_scores = model.predict_many(test_tickets)
    warnings = []
    for name, count in (("escalated", sum(train_labels)), ("not escalated", len(train_labels) - sum(train_labels))):
        if count < min_per_class:
            warnings.append(f"the training part holds {count} {name} tickets, fewer than the {min_per_class} "
                            "`sidecar train` requires: the learned figures are less reliable than they look")
    return {
        "warnings": warnings,
        "train_rows": len(train_tickets),
        "train_positives": sum(train_labels),
        "test_rows": len(test_tickets),
        "test_positives": sum(test_labels),
        "escalate_threshold": threshold,
        "calibration_method": model.method,
        "rules": {"model": rules_version(), **score_metrics(test_labels, rules_scores, threshold)},
        "learned": {"model": model.version, **score_metrics(test_labels, learned_scores, threshold)},
    }


def format_backtest_table(title: str, result: Mapping[str, Any]) -> str:
    """Rules and learned side by side, then each one's calibration table."""
    def show(value: Any) -> str:
        if value is None:
            return "-"
        return f"{value:.3f}" if isinstance(value, float) else str(value)

    names = ["model", "roc_auc", "pr_auc", "brier", "precision_at_threshold", "recall_at_threshold",
             "predicted_escalate"]
    width = max(len(n) for n in names)
    rules, learned = result["rules"], result["learned"]
    col = max(12, len(str(rules["model"])), len(str(learned["model"])))
    lines = [title, f"train {result['train_rows']} older tickets ({result['train_positives']} escalated), "
                    f"test {result['test_rows']} newer ({result['test_positives']} escalated); escalate threshold "
                    f"{result['escalate_threshold']:.2f}; calibration {result['calibration_method']}", ""]
    lines.append(f"{'metric'.ljust(width)}   {'rules'.rjust(col)}   {'learned'.rjust(col)}")
    lines.append(f"{'-' * width}   {'-' * col}   {'-' * col}")
    for name in names:
        lines.append(f"{name.ljust(width)}   {show(rules[name]).rjust(col)}   {show(learned[name]).rjust(col)}")
    lines.append("")
    lines.append("calibration (test tickets per score bin: count, mean score, share escalated)")
    lines.append(f"{'bin':<9} {'rules n':>7} {'score':>6} {'esc':>6}   {'learned n':>9} {'score':>6} {'esc':>6}")
    for r, lrn in zip(rules["calibration"], learned["calibration"], strict=True):
        lines.append(f"{r['bin']:<9} {r['tickets']:>7} {show(r['mean_score']):>6} {show(r['escalated_rate']):>6}   "
                     f"{lrn['tickets']:>9} {show(lrn['mean_score']):>6} {show(lrn['escalated_rate']):>6}")
    lines.extend(f"warning: {w}" for w in result.get("warnings", []))
    return "\n".join(lines)
