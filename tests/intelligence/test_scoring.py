"""The score, level, recommendation and categories, and how a policy changes them."""
from __future__ import annotations

import math
from datetime import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sidecar.intelligence.assessment import (
    CATEGORIES,
    LEVELS,
    RECOMMENDATIONS,
    ScoringPolicy,
)
from sidecar.intelligence.scoring import (
    DEFAULT_CATEGORY_THRESHOLD,
    DEFAULT_ESCALATE_THRESHOLD,
    DEFAULT_LEVEL_THRESHOLDS,
    DEFAULT_WATCH_THRESHOLD,
    DEFAULT_WEIGHTS,
    RULES_MODEL_VERSION,
    assess_ticket,
)

# What the rules find and quote, without the semantic layer (see conftest.rules_only).
pytestmark = pytest.mark.usefixtures("rules_only")

REFUND = "You charged our card twice in May. I want a refund for the duplicate charge."


def test_defaults_are_documented_and_consistent():
    assert DEFAULT_WEIGHTS["baseline"] < 0
    assert DEFAULT_WATCH_THRESHOLD < DEFAULT_ESCALATE_THRESHOLD
    assert DEFAULT_LEVEL_THRESHOLDS["medium"] < DEFAULT_LEVEL_THRESHOLDS["high"] < DEFAULT_LEVEL_THRESHOLDS["critical"]
    assert DEFAULT_CATEGORY_THRESHOLD == 0.5


def test_empty_ticket_scores_the_baseline(assess):
    assessment = assess("")
    assert assessment.score == pytest.approx(1 / (1 + math.exp(-DEFAULT_WEIGHTS["baseline"])))
    assert (assessment.level, assessment.recommendation, assessment.signals) == ("low", "none", ())
    assert assessment.model_version == RULES_MODEL_VERSION


def test_score_is_logistic_of_baseline_plus_contributions(assess):
    assessment = assess(REFUND)
    logit = DEFAULT_WEIGHTS["baseline"] + sum(s.contribution for s in assessment.signals)
    assert assessment.score == pytest.approx(1 / (1 + math.exp(-logit)))


def test_signals_are_sorted_by_size_and_carry_evidence(assess):
    assessment = assess(REFUND, subject="Duplicate charge", priority="high")
    sizes = [abs(s.contribution) for s in assessment.signals]
    assert sizes == sorted(sizes, reverse=True)
    evidence = {s.name: s.evidence for s in assessment.signals}
    assert evidence["priority_high"] == "priority = high"
    assert evidence["refund_request"].startswith('description: "')
    assert "I want a refund" in evidence["refund_request"]
    assert all(c.name in CATEGORIES and 0 < c.confidence <= 1 for c in assessment.categories)


def test_policy_weight_override_changes_contribution_and_score(make_ticket, now):
    ticket = make_ticket(REFUND)
    default = assess_ticket(ticket, now=now)
    louder = assess_ticket(ticket, policy=ScoringPolicy(weights={"refund_request": 4.0}), now=now)
    off = assess_ticket(ticket, policy=ScoringPolicy(weights={"refund_request": 0.0}), now=now)
    contribution = {s.name: s.contribution for s in louder.signals}["refund_request"]
    assert contribution == pytest.approx(4.0 / DEFAULT_WEIGHTS["refund_request"] *
                                         {s.name: s.contribution for s in default.signals}["refund_request"])
    assert louder.score > default.score > off.score
    assert "refund_request" not in {s.name for s in off.signals}
    # Categories describe the ticket; they do not depend on weights.
    assert {c.name for c in off.categories} == {c.name for c in default.categories}


def test_policy_thresholds_change_level_and_recommendation(make_ticket, now):
    ticket = make_ticket("The export fails with an error.")
    default = assess_ticket(ticket, now=now)
    assert default.recommendation == "none"
    strict = ScoringPolicy(
        escalate_threshold=0.05, watch_threshold=0.01, level_thresholds={"medium": 0.01, "high": 0.02, "critical": 0.05}
    )
    tuned = assess_ticket(ticket, policy=strict, now=now)
    assert tuned.score == default.score
    assert (tuned.level, tuned.recommendation) == ("critical", "escalate")


def test_category_threshold_override(make_ticket, now):
    ticket = make_ticket("What is your refund policy?")
    assert assess_ticket(ticket, now=now).categories == ()
    loose = assess_ticket(ticket, policy=ScoringPolicy(category_threshold=0.1), now=now)
    assert [c.name for c in loose.categories] == ["billing_refund"]


@pytest.mark.parametrize(
    "policy",
    [
        ScoringPolicy(weights={"no_such_signal": 1.0}),
        ScoringPolicy(level_thresholds={"severe": 0.9}),
        ScoringPolicy(level_thresholds={"medium": 0.8, "high": 0.5}),
        ScoringPolicy(escalate_threshold=1.5),
        ScoringPolicy(escalate_threshold=0.3, watch_threshold=0.5),
    ],
)
def test_bad_policies_are_rejected_with_a_message(make_ticket, now, policy):
    with pytest.raises(ValueError):
        assess_ticket(make_ticket("hi"), policy=policy, now=now)


class FixedModel:
    version = "esc-test-1"

    def predict_proba(self, ticket):
        return 0.9


def test_a_learned_model_sets_the_score_but_rules_still_explain(make_ticket, now):
    ticket = make_ticket("How do I reset my password?")
    assessment = assess_ticket(ticket, model=FixedModel(), now=now)
    assert assessment.score == 0.9
    assert (assessment.level, assessment.recommendation, assessment.model_version) == ("critical", "escalate",
                                                                                       "esc-test-1")
    assert {s.name for s in assessment.signals} == {"how_to_question"}


def test_naive_now_is_taken_as_utc(make_ticket):
    ticket = make_ticket("hello, our dashboard is down", organization={"renewal_date": "2024-06-10"})
    aware = assess_ticket(ticket, now=datetime(2024, 6, 3, 12))
    assert "renewal_soon" in {s.name for s in aware.signals}


def test_assessment_is_deterministic(make_ticket, now):
    ticket = make_ticket(REFUND, comments=[("customer", REFUND), ("agent", "Checking."), ("customer", "Any news??")])
    assert assess_ticket(ticket, now=now) == assess_ticket(ticket, now=now)


_messages = st.lists(
    st.tuples(st.sampled_from(["customer", "agent", "bot"]), st.text(max_size=200)), max_size=6
)


@settings(max_examples=60, deadline=None)
@given(description=st.text(max_size=300), comments=_messages, reopens=st.integers(0, 20))
def test_any_ticket_gets_a_well_formed_assessment(make_ticket, now, description, comments, reopens):
    assessment = assess_ticket(make_ticket(description, comments=comments, reopens=reopens), now=now)
    assert 0.0 <= assessment.score <= 1.0
    assert assessment.level in LEVELS
    assert assessment.recommendation in RECOMMENDATIONS
    assert all(c.confidence >= DEFAULT_CATEGORY_THRESHOLD for c in assessment.categories)
    assert all(s.evidence for s in assessment.signals)
