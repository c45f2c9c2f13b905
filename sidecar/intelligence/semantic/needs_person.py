"""How likely a ticket needs a person, learned from labelled example tickets over what the rules and the layer found.

The rules weigh each signal by hand, and the semantic layer reads one sentence at a time; neither sees how its
findings sit together in a whole ticket: a bug named as what a credit is for, a reason word in a how-to question, a
second matter in a later reply, a long mail whose need is one sentence. This model does. It is a logistic
regression over about forty numbers per ticket (`ticket_features`: each category's confidence, from the rules and
from the layer, the categories the rules report, the layer's strongest reading of each kind of non-reason, how-to,
resolved and wish signals, the rules' score, conversation and language), fitted on the 2,050 example
tickets in `tickets/` (labelled with the categories and whether the ticket needs a person; written for this
product, see tickets/README.md) and shipped as its coefficients (needs-person-model.json).

Only with the semantic layer (below: the rules alone were tried).

It is a third of the assessment's score (SHARE_OF_SCORE; scoring.assess_ticket); the categories and their evidence
stay the rules' and the layer's. Why a third: the probability ranks B2B tickets better than the rules' weights, the
rules rank severity better. Measured 2026-12-07 with the 2,050 tickets (escalation ROC-AUC at shares 0 / 0.2 / 1/3 /
0.5 / 1): two sets of 200 B2B tickets helpers wrote for blind checks, 0.949 / 0.967 / 0.975 / 0.979 / 0.979 and
0.917 / 0.933 / 0.934 / 0.933 / 0.929; seamonkey's severity, P1-P3 0.850 / 0.853 / 0.852 / 0.848 / 0.816 and P1-P2
0.654 / 0.593 / 0.574 / 0.564 / 0.523; our own short-message set 0.991 / 0.992 / 0.992 / 0.992 / 0.990. A third
keeps most of the B2B gain and the issue tracker's P1-P3 ranking; its P1-P2 ranking pays (a minor bug needs a person
as much as a crash does, so the probability does not rank severity). An installation's weights (`PUT
/v1/settings/scoring`) still move two thirds of the score.

Tried and not kept (2026-12-07): the category gate, no category for a ticket the model gives below 0.4. It added
0.004 and 0.009 to the two blind sets' category micro-F1, and silenced a real outage: "One of our clients was
charged twice and since this morning's update every invoice PDF fails with a 500 error. How do I refund the client
while you fix it?" reads 0.33, because the model weighs a how-to question against the reasons beside it linearly and
its example tickets seldom ask the way beside a fault of ours. A head per category deciding which categories to
report (keep the rules' unless the model gives it below 0.25, add one the layer or rules found weakly above 0.75):
leave-one-file-out over the example tickets, category micro-F1 0.790 -> 0.799, a blind set 0.845 -> 0.865; but our
own set's bug_incident F1 fell below its 0.90 target (0.914 -> 0.899). Fitted on the rules alone (no `embeddings`
extra) the model ranked a blind B2B set better (0.784 -> 0.819) and seamonkey much worse (0.756 -> 0.701): without
meaning, the rules' findings say too little about a whole ticket to learn from, so the rules stay alone there.

The coefficients hold only for the rules and the layer they were fitted on: `fitted_for` names both, and a
process whose rules or layer differ (another sentence model, new examples, a rules change) does without the model
and logs why. After changing either, refit: `python -m sidecar.intelligence.semantic.refit` (about a minute),
and a test fails until you do.
"""
from __future__ import annotations

import hashlib
import json
import logging
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from sidecar.intelligence.assessment import CATEGORIES
from sidecar.intelligence.semantic import gloss
from sidecar.intelligence.semantic.examples import NOT_REASONS
from sidecar.intelligence.ticket import Ticket

log = logging.getLogger("sidecar.semantic")

TICKETS_DIRECTORY = Path(__file__).parent / "tickets"
MODEL_FILE = Path(__file__).parent / "needs-person-model.json"
MODEL_VERSION = "needs-1"
# Logistic regression C: chosen by leave-one-file-out over the four mail files written first (0.3 / 1 / 3 gave
# escalation ROC-AUC 0.960 / 0.961 / 0.960).
REGULARISATION = 0.3
SHARE_OF_SCORE = 1.0 / 3.0  # of the assessment's score; the rules' score is the rest (module docstring)
_SIGNALS_READ = ("how_to_question", "calm_or_resolved", "feature_request", "no_rush")


def feature_names() -> list[str]:
    """The names of ticket_features' numbers, in order."""
    names = [f"{kind}:{category}" for kind in ("confidence", "rules", "layer", "reported") for category in CATEGORIES]
    names += [f"reading:{group}" for group in NOT_REASONS]
    names += ["conversation", "other_language", "reasons", "surest_reason", "rules_score"]
    names += [f"signal:{name}" for name in _SIGNALS_READ]
    return names


def ticket_features(ticket: Ticket, confidences: Sequence[Mapping[str, float]], signals: Mapping[str, float],
                    readings: Mapping[str, float], reported: Sequence[str], rules_score: float) -> list[float]:
    """The numbers the model reads for a ticket: each category's confidence from all findings, the rules' and the
    layer's (`confidences`, in that order, from the findings gated as scored), the signals' strengths, the layer's
    strongest reading per group, and the categories the rules report with their score (default settings)."""
    confidence = confidences[0]
    x = [source.get(category, 0.0) for source in confidences for category in CATEGORIES]
    x += [1.0 if category in reported else 0.0 for category in CATEGORIES]
    x += [readings.get(group, 0.0) for group in NOT_REASONS]
    reasons = [confidence.get(category, 0.0) for category in CATEGORIES if category != "high_value_customer"]
    text = "\n".join(body for _where, body in ticket.customer_messages())
    x += [1.0 if ticket.comments else 0.0, 1.0 if gloss.guess(text) not in (None, "en") else 0.0,
          sum(1 for c in reasons if c >= 0.5) / 3, max(reasons), rules_score]
    # No tier or ARR of their own: a customer's value is not a reason (scoring.gate_by_reason), so the model sees it
    # only as the rules do, scaled by the reason strength (the high_value_customer confidence above).
    return [*x, *(signals.get(name, 0.0) for name in _SIGNALS_READ)]


@dataclass(frozen=True)
class NeedsPersonModel:
    """The fitted coefficients, what they were fitted for, and the digest of the tickets they were fitted on."""

    names: tuple[str, ...]
    coefficients: np.ndarray
    intercept: float
    fitted_for: str
    tickets_digest: str

    @property
    def version(self) -> str:
        """"needs-1:<digest of the example tickets>"."""
        return f"{MODEL_VERSION}:{self.tickets_digest[:8]}"

    def probability(self, features: Sequence[float]) -> float:
        """P(the ticket needs a person) for ticket_features' numbers."""
        z = self.intercept + float(np.dot(self.coefficients, np.asarray(features, dtype=np.float64)))
        return 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))

    def to_json(self) -> str:
        """The model as the JSON shipped in the package."""
        return json.dumps({"model": MODEL_VERSION, "fitted_for": self.fitted_for, "tickets": self.tickets_digest,
                           "intercept": self.intercept,
                           "coefficients": {n: round(float(c), 6) for n, c in zip(self.names, self.coefficients,
                                                                                    strict=True)}}, indent=1) + "\n"

    @classmethod
    def from_json(cls, text: str) -> NeedsPersonModel:
        """The model from its JSON (to_json)."""
        data = json.loads(text)
        names = tuple(data["coefficients"])
        return cls(names=names, coefficients=np.asarray([data["coefficients"][n] for n in names], dtype=np.float64),
                   intercept=float(data["intercept"]), fitted_for=data["fitted_for"], tickets_digest=data["tickets"])


def example_ticket_files() -> list[Path]:
    """The labelled example tickets' files, in a fixed order."""
    return sorted(TICKETS_DIRECTORY.glob("*.jsonl"))


def tickets_digest() -> str:
    """A digest of every example ticket file (names and bytes)."""
    digest = hashlib.sha256()
    for path in example_ticket_files():
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


@lru_cache(maxsize=1)
def bundled_model() -> NeedsPersonModel | None:
    """The shipped model, or None when it is missing or unreadable (logged; the rules' score and categories then)."""
    try:
        return NeedsPersonModel.from_json(MODEL_FILE.read_text(encoding="utf-8"))
    except (OSError, ValueError, KeyError) as exc:
        log.warning("needs-person model unavailable (%s): scoring without it", exc)
        return None


_MISMATCH_LOGGED: set[str] = set()


def model_for(findings_version: str) -> NeedsPersonModel | None:
    """The shipped model when it was fitted for these rules and this layer (`findings_version`, as
    scoring.ticket_findings names them), else None, logged once per version."""
    model = bundled_model()
    if model is None or model.fitted_for == findings_version:
        return model
    if findings_version not in _MISMATCH_LOGGED:
        _MISMATCH_LOGGED.add(findings_version)
        log.warning("the needs-person model was fitted for %s, the findings here are %s: scoring without it "
                    "(refit with python -m sidecar.intelligence.semantic.refit)",
                    model.fitted_for, findings_version)
    return None
