"""Refit the needs-person model on the example tickets: `python -m sidecar.intelligence.semantic.refit`.

Run it after changing the rules (a new RULES_MODEL_VERSION), the layer (LAYER_VERSION, its example sentences or
glossaries) or the example tickets: the shipped model holds only for the findings it was fitted on
(needs_person.py), and a test fails until it is refitted. About seven minutes on two cores (6,700 tickets).
"""
from __future__ import annotations

import json
import sys
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.linear_model import LogisticRegression

from sidecar.intelligence.assessment import CATEGORIES
from sidecar.intelligence.learned import ESCALATION_SIGNALS, reference_time, train_escalation_model
from sidecar.intelligence.scoring import VALUE_SIGNALS, category_rows, combine_findings, ticket_findings
from sidecar.intelligence.semantic import needs_person
from sidecar.intelligence.semantic.layer import active_layer
from sidecar.intelligence.ticket import ticket_from_mapping

# Value is not a reason: the model reads the tier, ARR and renewal only through the rules' gated log-odds.
SIGNALS = tuple(name for name in ESCALATION_SIGNALS if name not in VALUE_SIGNALS)


def example_rows() -> list[dict[str, Any]]:
    """Every labelled example ticket, in file order."""
    return [json.loads(line) for path in needs_person.example_ticket_files()
            for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def fit(rows: Sequence[Mapping[str, Any]]) -> needs_person.NeedsPersonModel:
    """Fit the model on labelled history rows (each with `needs_human`), with this process's rules and layer."""
    tickets = [ticket_from_mapping(row, default_source="zendesk") for row in rows]
    labels = [bool(row["needs_human"]) for row in rows]
    found = [ticket_findings(ticket, now=reference_time(ticket)) for ticket in tickets]  # once: the costly part
    combined = [combine_findings(findings) for findings, _version in found]
    fitted_for = found[0][1]
    model = train_escalation_model(tickets, labels, C=needs_person.REGULARISATION,
                                   hashed=needs_person.HASHED_COLUMNS, signals=SIGNALS, combined=combined)
    heads = fit_category_heads(model.text_rows(tickets), [category_rows(c) for c in combined],
                               [set(row["categories"]) for row in rows])
    fitted = needs_person.NeedsPersonModel(model=model, fitted_for=fitted_for,
                                           tickets_digest=needs_person.tickets_digest(), heads=heads)
    # The findings the model reads, as rules_version() will name them once it is shipped (so that learned.py's
    # check for changed findings stays quiet).
    model.findings_version = f"{fitted_for}+{fitted.version}"
    return fitted


def fit_category_heads(text, rows: Sequence[list[list[float]]],
                       labels: Sequence[set[str]]) -> needs_person.CategoryHeads:
    """One class-balanced logistic regression per category over the text rows and that category's findings row."""
    coef, intercept = [], []
    for index, category in enumerate(CATEGORIES):
        y = np.asarray([category in wanted for wanted in labels], dtype=int)
        features = sparse.hstack([text, sparse.csr_matrix(np.asarray([r[index] for r in rows], dtype=float))]).tocsr()
        head = LogisticRegression(C=needs_person.CATEGORY_REGULARISATION, class_weight="balanced", solver="liblinear",
                                  max_iter=500, random_state=0)
        head.fit(features, y)
        coef.append(head.coef_[0])
        intercept.append(head.intercept_[0])
    return needs_person.CategoryHeads(coef=np.asarray(coef), intercept=np.asarray(intercept))


def main() -> int:
    """Refit on the example tickets and write the package's needs-person-model.npz."""
    if active_layer() is None:
        print("the semantic layer is off or unavailable: install the `embeddings` extra", file=sys.stderr)
        return 1
    rows = example_rows()
    fitted = fit(rows)
    needs_person.MODEL_FILE.write_bytes(fitted.to_bytes())
    needs_person.bundled_model.cache_clear()
    print(f"fitted {fitted.version} for {fitted.fitted_for} on {len(rows)} tickets -> {needs_person.MODEL_FILE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
