"""The needs-person model: shipped for these rules and this layer, fitted on the example tickets, and what it
changes in an assessment (a third of the score, nothing else)."""
from __future__ import annotations

import json
import logging
from dataclasses import replace

import numpy as np
import pytest

from sidecar.intelligence import scoring
from sidecar.intelligence.assessment import CATEGORIES
from sidecar.intelligence.scoring import assess_ticket, combine_findings, gate_by_reason, ticket_findings
from sidecar.intelligence.semantic import needs_person, refit, semantic_enabled

needs_layer = pytest.mark.skipif(not semantic_enabled(), reason="needs the embeddings extra (the bundled model)")

OUTAGE = "Since 9:00 none of our 400 warehouse staff can log in; every attempt ends in a 502 page."


def test_every_example_ticket_is_a_labelled_history_row():
    rows = [json.loads(line) for path in needs_person.example_ticket_files()
            for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(rows) >= 1500
    assert len({row["id"] for row in rows}) == len(rows)
    for row in rows:
        assert set(row["categories"]) <= set(CATEGORIES), row["id"]
        assert row["needs_human"] is bool(row["categories"]), row["id"]
        assert row["subject"] or row["description"], row["id"]


def test_the_shipped_model_was_fitted_on_these_tickets_with_these_features():
    model = needs_person.bundled_model()
    assert model is not None
    assert model.tickets_digest == needs_person.tickets_digest(), "example tickets changed: refit the model"
    assert list(model.names) == needs_person.feature_names()


def test_the_rules_alone_score_without_it(make_ticket, now, monkeypatch):
    monkeypatch.setenv("SIDECAR_SEMANTIC", "off")
    assessment = assess_ticket(make_ticket(OUTAGE), now=now)
    assert assessment.model_version == scoring.rules_version() == scoring.RULES_MODEL_VERSION


@needs_layer
def test_the_shipped_model_was_fitted_for_these_rules_and_this_layer(make_ticket, now):
    _findings, findings_version = ticket_findings(make_ticket(OUTAGE), now=now)
    model = needs_person.model_for(findings_version)
    assert model is not None, (
        "rules or layer changed: refit with python -m sidecar.intelligence.semantic.refit")
    assessment = assess_ticket(make_ticket(OUTAGE), now=now)
    assert assessment.model_version == f"{findings_version}+{model.version}"


@needs_layer
def test_features_are_named_and_bounded(make_ticket, now):
    ticket = make_ticket(OUTAGE, organization={"tier": "Enterprise", "arr": 250_000})
    findings, _version = ticket_findings(ticket, now=now)
    features = scoring.needs_person_features(ticket, gate_by_reason(combine_findings(findings)))
    assert len(features) == len(needs_person.feature_names())
    named = dict(zip(needs_person.feature_names(), features, strict=True))
    assert named["confidence:bug_incident"] > 0.5 and named["reported:bug_incident"] == 1.0
    assert named["confidence:high_value_customer"] > 0.5  # value beside a reason, as the rules gate it
    assert all(0.0 <= value <= 1.0 for value in features)


def _fixed(probability: float) -> needs_person.NeedsPersonModel:
    """A model that gives every ticket `probability` (no coefficients, its intercept the log-odds)."""
    shipped = needs_person.bundled_model()
    assert shipped is not None
    return replace(shipped, coefficients=np.zeros(len(shipped.names)),
                   intercept=float(np.log(probability / (1.0 - probability))))


@needs_layer
@pytest.mark.parametrize("probability", [0.1, 0.9])
def test_the_model_is_a_third_of_the_score_and_leaves_categories_and_evidence(make_ticket, now, monkeypatch,
                                                                              probability):
    ticket = make_ticket(OUTAGE)
    monkeypatch.setattr(needs_person, "model_for", lambda version: None)
    rules_only = assess_ticket(ticket, now=now)
    monkeypatch.setattr(needs_person, "model_for", lambda version: _fixed(probability))
    judged = assess_ticket(ticket, now=now)
    assert judged.score == pytest.approx((2 * rules_only.score + probability) / 3)
    assert "bug_incident" in {c.name for c in rules_only.categories}
    assert judged.categories == rules_only.categories
    assert judged.signals == rules_only.signals


@needs_layer
def test_a_model_fitted_for_other_findings_is_not_used_and_says_why(make_ticket, now, monkeypatch, caplog):
    shipped = needs_person.bundled_model()
    assert shipped is not None
    monkeypatch.setattr(needs_person, "bundled_model", lambda: replace(shipped, fitted_for="rules-0+semantic-0:x"))
    monkeypatch.setattr(needs_person, "_MISMATCH_LOGGED", set())
    with caplog.at_level(logging.WARNING, logger="sidecar.semantic"):
        assessment = assess_ticket(make_ticket(OUTAGE), now=now)
    assert "+needs-" not in assessment.model_version
    assert "was fitted for rules-0+semantic-0:x, the findings here are rules-13+semantic-" in caplog.text


def test_the_model_round_trips_through_its_json():
    shipped = needs_person.bundled_model()
    assert shipped is not None
    again = needs_person.NeedsPersonModel.from_json(shipped.to_json())
    features = [0.5] * len(shipped.names)
    assert again.probability(features) == pytest.approx(shipped.probability(features), abs=1e-5)
    assert again.version == shipped.version and again.fitted_for == shipped.fitted_for


@needs_layer
def test_a_how_to_question_naming_an_outage_scores_below_the_outage_itself(make_ticket, now):
    asked = assess_ticket(make_ticket("Where in the admin area can I see the history of past outages and "
                                      "their durations? Our auditors want a list for the year."), now=now)
    reported = assess_ticket(make_ticket(OUTAGE), now=now)
    assert asked.score < scoring.DEFAULT_ESCALATE_THRESHOLD <= reported.score
    assert "bug_incident" in {c.name for c in reported.categories}


@needs_layer
def test_refitting_reads_labelled_rows_with_this_process_findings():
    rows = refit.example_rows()[::25]  # every 25th ticket: both labels, a few seconds
    assert {row["needs_human"] for row in rows} == {True, False}
    model = refit.fit(rows)
    assert model.fitted_for == needs_person.bundled_model().fitted_for
    assert model.tickets_digest == needs_person.tickets_digest()
    assert len(model.coefficients) == len(needs_person.feature_names())
