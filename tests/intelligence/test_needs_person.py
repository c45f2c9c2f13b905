"""The needs-person model: shipped for these rules and this layer, fitted on the example tickets, and what it
changes in an assessment (a third of the score, and through its category heads the categories; never the evidence)."""
from __future__ import annotations

import logging
from dataclasses import replace

import pytest

from sidecar.intelligence import scoring
from sidecar.intelligence.assessment import CATEGORIES, WHOLE_TICKET_SIGNAL, Signal
from sidecar.intelligence.scoring import assess_ticket, ticket_findings
from sidecar.intelligence.semantic import needs_person, refit, semantic_enabled

needs_layer = pytest.mark.skipif(not semantic_enabled(), reason="needs the embeddings extra (the bundled model)")

OUTAGE = "Since 9:00 none of our 400 warehouse staff can log in; every attempt ends in a 502 page."


def test_every_example_ticket_is_a_labelled_history_row():
    rows = refit.example_rows()
    assert len(rows) >= 2000
    assert len({row["id"] for row in rows}) == len(rows)
    for row in rows:
        assert set(row["categories"]) <= set(CATEGORIES), row["id"]
        assert row["needs_human"] is bool(row["categories"]), row["id"]
        assert row["subject"] or row["description"], row["id"]


def test_the_shipped_model_was_fitted_on_these_tickets():
    model = needs_person.bundled_model()
    assert model is not None
    assert model.tickets_digest == needs_person.tickets_digest(), "example tickets changed: refit the model"
    assert not set(model.model.signals) & scoring.VALUE_SIGNALS  # value is no reason


@needs_layer
def test_the_shipped_model_was_fitted_for_these_rules_and_this_layer(make_ticket, now, caplog):
    _findings, findings_version = ticket_findings(make_ticket(OUTAGE), now=now)
    model = needs_person.model_for(findings_version)
    assert model is not None, (
        "rules or layer changed: refit with python -m sidecar.intelligence.semantic.refit")
    with caplog.at_level(logging.WARNING):
        assessment = assess_ticket(make_ticket(OUTAGE), now=now)
    assert assessment.model_version == f"{findings_version}+{model.version}" == scoring.rules_version()
    assert "retrain" not in caplog.text  # the model's own findings check (learned.py) agrees


def test_the_rules_alone_score_without_it(make_ticket, now, monkeypatch):
    monkeypatch.setenv("SIDECAR_SEMANTIC", "off")
    assessment = assess_ticket(make_ticket(OUTAGE), now=now)
    assert assessment.model_version == scoring.rules_version() == scoring.RULES_MODEL_VERSION


class _Fixed:
    """A stand-in that reads every ticket the same way."""

    def __init__(self, probability: float, categories: dict[str, float] | None = None):
        self.version = "needs-test:0"
        self._reading = needs_person.Reading(needs_person=probability, categories=categories or {})

    def read(self, ticket, combined, category_rows) -> needs_person.Reading:
        assert len(category_rows()) == len(CATEGORIES)
        return self._reading

    def telling_sentence(self, ticket, category) -> str:
        return f"the sentence read as {category}"


@needs_layer
@pytest.mark.parametrize("probability", [0.1, 0.9])
def test_the_model_is_a_third_of_the_score_and_leaves_the_evidence(make_ticket, now, monkeypatch, probability):
    ticket = make_ticket(OUTAGE)
    monkeypatch.setattr(needs_person, "model_for", lambda version: None)
    rules_only = assess_ticket(ticket, now=now)
    monkeypatch.setattr(needs_person, "model_for", lambda version: _Fixed(probability))
    judged = assess_ticket(ticket, now=now)
    assert judged.score == pytest.approx((2 * rules_only.score + probability) / 3)
    assert "bug_incident" in {c.name for c in rules_only.categories}
    assert judged.categories == rules_only.categories  # a model without category heads leaves them to the rules
    assert judged.signals == rules_only.signals
    assert judged.model_version == f"{rules_only.model_version}+needs-test:0"


@needs_layer
def test_the_category_heads_choose_among_the_categories_with_evidence(make_ticket, now, monkeypatch):
    ticket = make_ticket(OUTAGE + " Please refund this month's fee.")
    monkeypatch.setattr(needs_person, "model_for", lambda version: None)
    rules_only = assess_ticket(ticket, now=now)
    assert {"bug_incident", "billing_refund"} <= {c.name for c in rules_only.categories}
    heads = {"bug_incident": 0.9, "billing_refund": 0.2, "compliance_security": 0.95, "human_requested": 0.3}
    monkeypatch.setattr(needs_person, "model_for", lambda version: _Fixed(0.9, heads))
    judged = assess_ticket(ticket, now=now)
    # billing is read unsure and left out. Compliance has no finding to quote; its head is sure, so it is reported,
    # with the sentence the head reads most strongly as its evidence (and no weight in the score).
    assert [(c.name, c.confidence) for c in judged.categories] == [("compliance_security", 0.95), ("bug_incident", 0.9)]
    assert judged.signals == (*rules_only.signals, Signal(name=WHOLE_TICKET_SIGNAL, contribution=0.0,
                                                          evidence="the sentence read as compliance_security",
                                                          category="compliance_security"))


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


def test_the_model_round_trips_through_its_bytes_and_refuses_others():
    shipped = needs_person.bundled_model()
    assert shipped is not None
    again = needs_person.NeedsPersonModel.from_bytes(needs_person.MODEL_FILE.read_bytes())
    assert (again.fitted_for, again.tickets_digest, again.version) == (
        shipped.fitted_for, shipped.tickets_digest, shipped.version)
    with pytest.raises(ValueError):
        needs_person.NeedsPersonModel.from_bytes(b"not a model")


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
    assert model.model.findings_version == f"{model.fitted_for}+{model.version}"
    again = needs_person.NeedsPersonModel.from_bytes(model.to_bytes())
    assert again.fitted_for == model.fitted_for


def _found(*findings):
    from sidecar.intelligence.signals.finding import Finding

    return {signal: (strength, Finding(signal, strength, category=category, where=where), 1)
            for signal, strength, category, where in findings}


def test_a_sure_head_needs_no_finding_but_a_matter_the_findings_left_settled_stays_settled():
    combined = _found(("refund_request", 0.8, "billing_refund", None), ("outage", 0.15, "bug_incident", None))
    heads = {"billing_refund": 0.7, "bug_incident": 0.9, "cross_team": 0.9, "compliance_security": 0.45}
    # cross_team has no finding at all: its head read the whole ticket and is sure. The outage's findings are below
    # the evidence floor (a settled matter's: the customer said it works), and the settlement stands. Compliance is
    # unsure.
    assert scoring.read_categories(heads, combined, category_threshold=0.5, escalates=True) == {
        "billing_refund": 0.7, "cross_team": 0.9}
    assert scoring.read_categories(heads, combined, category_threshold=0.95, escalates=False) == {}


def test_an_escalation_names_no_reason_that_has_neither_a_sure_head_nor_evidence():
    combined = _found(("outage", 0.15, "bug_incident", None))
    assert scoring.read_categories({"bug_incident": 0.45, "cross_team": 0.4}, combined, category_threshold=0.5,
                                   escalates=True) == {}


@needs_layer
def test_the_whole_ticket_evidence_is_the_sentence_its_head_reads_most_strongly(make_ticket):
    model = needs_person.bundled_model()
    assert model is not None
    ticket = make_ticket("Hi team, hope you all had a good weekend. Since this morning every invoice export fails "
                         "with a 500 error for all 40 of our accountants. Thanks a lot, Dana")
    assert model.telling_sentence(ticket, "bug_incident") == (
        'description: "Since this morning every invoice export fails with a 500 error for all 40 of our accountants." '
        "(the whole ticket reads as bug incident)")


def test_an_escalation_names_its_likeliest_evidenced_reason_when_no_head_is_sure():
    combined = _found(("refund_request", 0.6, "billing_refund", None),
                      ("engineering_request", 0.6, "cross_team", "description"))
    heads = {"billing_refund": 0.3, "cross_team": 0.45}
    assert scoring.read_categories(heads, combined, category_threshold=0.5, escalates=False) == {}
    assert scoring.read_categories(heads, combined, category_threshold=0.5, escalates=True) == {"cross_team": 0.45}


def test_the_rules_nearly_certain_category_stays_and_a_security_hole_gives_both_reasons():
    certain = _found(("outage", 0.98, "bug_incident", None))
    assert scoring.read_categories({"bug_incident": 0.04}, certain, category_threshold=0.5,
                                   escalates=False) == {"bug_incident": 0.04}
    by_layer = _found(("outage", 0.98, "bug_incident", "description"))  # the layer's reading: the heads decide
    assert scoring.read_categories({"bug_incident": 0.04}, by_layer, category_threshold=0.5, escalates=False) == {}
    hole = _found(("security_vulnerability", 0.85, "bug_incident", None))
    reported = scoring.read_categories({"bug_incident": 0.8, "compliance_security": 0.2}, hole,
                                       category_threshold=0.5, escalates=True)
    assert reported == {"bug_incident": 0.8, "compliance_security": 0.2}


def test_customer_value_alone_is_no_category_from_the_heads():
    combined = _found(("premium_tier", 1.0, "high_value_customer", None),
                      ("refund_request", 0.3, "billing_refund", None))
    heads = {"high_value_customer": 0.99, "billing_refund": 0.2}
    assert scoring.read_categories(heads, combined, category_threshold=0.5, escalates=False) == {}


def test_no_head_makes_a_customer_high_value_without_a_value_finding():
    heads = {"high_value_customer": 0.9, "cross_team": 0.8}
    # Only the heads read a reason (cross-team work), so gating left no value finding to name: an enterprise customer
    # is high-value beside it, a customer with no organisation, tier or ARR is not, whatever the words.
    assert scoring.read_categories(heads, {}, category_threshold=0.5, escalates=True, valued=True) == heads
    assert scoring.read_categories(heads, {}, category_threshold=0.5, escalates=True, valued=False) == {
        "cross_team": 0.8}


def test_an_enterprise_whose_reason_only_a_head_read_is_high_value(make_ticket, now, monkeypatch):
    monkeypatch.setattr(needs_person, "model_for", lambda version: _Fixed(0.9, {"cross_team": 0.8,
                                                                                "high_value_customer": 0.9}))
    text = "Could someone set up the quarterly export of our archive to our own storage bucket?"
    enterprise = assess_ticket(make_ticket(text, organization={"tier": "enterprise", "arr": 400000}), now=now)
    assert {c.name for c in enterprise.categories} == {"cross_team", "high_value_customer"}
    nobody = assess_ticket(make_ticket(text), now=now)
    assert {c.name for c in nobody.categories} == {"cross_team"}
