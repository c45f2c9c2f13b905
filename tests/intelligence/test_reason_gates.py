"""Two ways the score follows the reason rather than the tone (issue 14).

Patience ("no rush", "low priority") lowers only a ticket without a reason of its own: beside a real
problem it is politeness. A reported reason an agent has no authority to settle (money, law and security,
another team's work, a person asked for, a defect in the product) lifts the score into the "high" band by
itself; a bug's severity still ranks it within and above the band, and a cosmetic flaw gets no floor.
These run on the rules alone, so they test the scoring, not the semantic layer's reading. All sentences
here were written for these tests.
"""
from __future__ import annotations

import pytest

from sidecar.intelligence.assessment import ScoringPolicy
from sidecar.intelligence.scoring import (
    AUTHORITY_BAND,
    DEFAULT_ESCALATE_THRESHOLD,
    DEFAULT_WATCH_THRESHOLD,
    assess_ticket,
)

pytestmark = pytest.mark.usefixtures("rules_only")


def signal(assessment, name):
    return next((s for s in assessment.signals if s.name == name), None)


def test_patience_lowers_a_ticket_without_a_reason(assess):
    calm = assess("No rush at all: could you tell me where the invoice history page lives?")
    assert signal(calm, "no_rush") is not None
    assert signal(calm, "no_rush").contribution < 0
    assert calm.score < 0.10  # below an empty ticket's baseline


def test_patience_beside_an_outage_does_not_lower_it(assess):
    text = "Our whole team has been locked out since this morning, the login page is down for everyone."
    plain = assess(text)
    polite = assess("No rush at all, sorry to bother you. " + text)
    assert plain.recommendation == "escalate"
    assert polite.recommendation == "escalate"
    assert polite.score >= plain.score - 0.05
    no_rush = signal(polite, "no_rush")
    assert no_rush is None or abs(no_rush.contribution) < 0.3


def test_resolved_talk_still_lowers_with_its_own_signal(assess):
    resolved = assess("That fixed it, thanks. You can close this ticket.")
    assert signal(resolved, "calm_or_resolved") is not None
    assert signal(resolved, "no_rush") is None
    assert resolved.recommendation == "none"


@pytest.mark.parametrize("text, category", [
    ("Please refund the second charge of $480 on this month's card statement.", "billing_refund"),
    ("Under GDPR, delete every record you hold about me and confirm in writing.", "compliance_security"),
    ("I want to speak to a human being, not another automated answer.", "human_requested"),
    ("Since yesterday's update the CSV import fails with an error for every file.", "bug_incident"),
])
def test_a_reported_authority_reason_escalates_on_its_own(assess, text, category):
    assessment = assess(text)
    assert category in [c.name for c in assessment.categories]
    assert assessment.score >= DEFAULT_ESCALATE_THRESHOLD
    assert assessment.recommendation == "escalate"


def test_the_floor_stays_inside_the_high_band_without_severity(assess):
    assessment = assess("Could your engineering team raise our API rate limit to 200 requests a second?")
    assert "cross_team" in [c.name for c in assessment.categories]
    low, high = AUTHORITY_BAND
    assert low <= assessment.score <= high
    assert assessment.level == "high"


def test_a_bug_is_still_ranked_by_its_severity(assess):
    minor = assess("The export button is a bit misaligned on the reports page.")
    failing = assess("Since yesterday's update the CSV import fails with an error for every file.")
    outage = assess("Checkout is down for every one of our customers since the 9:00 release.")
    assert minor.score < DEFAULT_WATCH_THRESHOLD  # cosmetic: no floor
    assert DEFAULT_ESCALATE_THRESHOLD <= failing.score < outage.score
    assert outage.recommendation == "escalate"


def test_a_cosmetic_flaw_gets_no_floor_even_when_read_as_a_bug(make_ticket, now):
    from sidecar.intelligence.scoring import authority_floor, combine_findings
    from sidecar.intelligence.signals.finding import Finding

    bug = Finding("malfunction", 0.9, evidence="x", category="bug_incident")
    cosmetic = Finding("cosmetic_or_docs", 0.7, evidence="y")
    assert authority_floor(combine_findings([bug]), 0.5) >= AUTHORITY_BAND[0]
    assert authority_floor(combine_findings([bug, cosmetic]), 0.5) == 0.0


def test_the_floor_follows_the_installation_category_threshold(make_ticket, now):
    ticket = make_ticket("Could your engineering team raise our API rate limit to 200 requests a second?")
    default = assess_ticket(ticket, now=now)
    strict = assess_ticket(ticket, now=now, policy=ScoringPolicy(category_threshold=0.99))
    assert default.recommendation == "escalate"
    assert strict.categories == ()
    assert strict.score < DEFAULT_ESCALATE_THRESHOLD
