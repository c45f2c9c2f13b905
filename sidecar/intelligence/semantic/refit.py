"""Refit the needs-person model on the example tickets: `python -m sidecar.intelligence.semantic.refit`.

Run it after changing the rules (a new RULES_MODEL_VERSION), the layer (LAYER_VERSION, its example sentences or
glossaries) or the example tickets: the shipped coefficients hold only for the findings they were fitted on
(needs_person.py), and a test fails until they are refitted. About a minute on two cores.
"""
from __future__ import annotations

import json
import sys
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from sklearn.linear_model import LogisticRegression

from sidecar.intelligence.learned import reference_time
from sidecar.intelligence.scoring import features_for
from sidecar.intelligence.semantic import needs_person
from sidecar.intelligence.semantic.layer import active_layer
from sidecar.intelligence.ticket import ticket_from_mapping


def example_rows() -> list[dict[str, Any]]:
    """Every labelled example ticket, in file order."""
    return [json.loads(line) for path in needs_person.example_ticket_files()
            for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def fit(rows: Sequence[Mapping[str, Any]]) -> needs_person.NeedsPersonModel:
    """Fit the model on labelled history rows (each with `needs_human`), with this process's rules and layer."""
    matrix, labels, version = [], [], ""
    for row in rows:
        ticket = ticket_from_mapping(row, default_source="zendesk")
        features, version = features_for(ticket, now=reference_time(ticket))
        matrix.append(features)
        labels.append(bool(row["needs_human"]))
    classifier = LogisticRegression(C=needs_person.REGULARISATION, max_iter=5000)
    classifier.fit(np.asarray(matrix), np.asarray(labels))
    return needs_person.NeedsPersonModel(
        names=tuple(needs_person.feature_names()), coefficients=classifier.coef_[0].astype(np.float64),
        intercept=float(classifier.intercept_[0]), fitted_for=version, tickets_digest=needs_person.tickets_digest())


def main() -> int:
    """Refit on the example tickets and write the package's needs-person-model.json."""
    if active_layer() is None:
        print("the semantic layer is off or unavailable: install the `embeddings` extra", file=sys.stderr)
        return 1
    rows = example_rows()
    model = fit(rows)
    needs_person.MODEL_FILE.write_text(model.to_json(), encoding="utf-8")
    needs_person.bundled_model.cache_clear()
    print(f"fitted {model.version} for {model.fitted_for} on {len(rows)} tickets -> {needs_person.MODEL_FILE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
