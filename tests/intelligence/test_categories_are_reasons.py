"""Categories are reasons (issue 14, point 2).

A customer's value (tier, ARR, renewal soon) raises the score of a ticket that has a reason for an
expert, and `high_value_customer` is reported only beside another reason or a churn threat. A thank-you
for something already fixed, an out-of-office reply, a feature wish or a solved password reset gets no
category and a low score, whoever sends it. All sentences here were written for these tests.
"""
from __future__ import annotations

import pytest

from sidecar.intelligence.message import MessageView
from sidecar.intelligence.negation import is_resolved_talk
from sidecar.intelligence.scoring import DEFAULT_WATCH_THRESHOLD, assess_ticket

ENTERPRISE = {"name": "Halvorsen Freight", "tier": "Enterprise", "arr": 1_400_000, "renewal_date": "2024-06-21"}
BUSINESS = {"name": "Lumen Dental Group", "tier": "Business", "arr": 180_000}
FREE = {"name": "Solo Maker", "tier": "Free"}


def categories(assessment):
    return [c.name for c in assessment.categories]


def signal_names(assessment):
    return {s.name for s in assessment.signals}


NOTHING_TO_DO = {
    "thanks for a past incident": (
        "Quick note to thank your engineers for resolving the outage on our tracking portal last Thursday. "
        "Everything has behaved since then and we need nothing further."
    ),
    "thanks, fixed and working again": "The sync errors we reported were fixed on Monday and the importer is working "
                                       "smoothly. Thank you!",
    "out of office": (
        "Automatic reply: I am away on annual leave until 24 June and reading mail only occasionally. "
        "For anything urgent, please reach Tomasz in our operations team."
    ),
    "feature wish": "It would be lovely if the shift planner could export straight to our calendar app someday.",
    "feature wish 2": "Suggestion from our admins: please add a way to pin favourite reports to the home screen.",
    "solved password reset": "The reset link worked and I have set a new password, I can sign in again. Cheers!",
    "solved password reset 2": "Never mind my earlier message about the locked login, I figured it out.",
}


@pytest.mark.parametrize("org", [ENTERPRISE, BUSINESS], ids=["enterprise", "business"])
@pytest.mark.parametrize("text", list(NOTHING_TO_DO.values()), ids=list(NOTHING_TO_DO))
def test_nothing_to_do_gets_no_category_and_a_low_score_from_a_valuable_customer(make_ticket, now, org, text):
    assessment = assess_ticket(make_ticket(text, organization=org), now=now)
    assert categories(assessment) == [], text
    assert assessment.score < DEFAULT_WATCH_THRESHOLD, (text, assessment.score)
    assert assessment.recommendation == "none"


def test_value_alone_adds_nothing_to_the_score(make_ticket, now):
    text = "Where do I change the logo on our invoices?"
    rich = assess_ticket(make_ticket(text, organization=ENTERPRISE), now=now)
    free = assess_ticket(make_ticket(text, organization=FREE), now=now)
    assert rich.score == pytest.approx(free.score)
    assert not signal_names(rich) & {"premium_tier", "high_arr", "renewal_soon"}


def test_enterprise_outage_escalates_with_value_beside_the_incident(make_ticket, now):
    text = "Our warehouse scanners cannot reach the API, the service has been down since 6am for every depot."
    rich = assess_ticket(make_ticket(text, organization=ENTERPRISE), now=now)
    free = assess_ticket(make_ticket(text, organization=FREE), now=now)
    assert rich.recommendation == "escalate"
    assert set(categories(rich)) == {"bug_incident", "high_value_customer"}
    assert categories(free) == ["bug_incident"]
    assert {"premium_tier", "high_arr", "renewal_soon"} <= signal_names(rich)
    # Value amplifies a reason: the same outage from the enterprise customer scores higher ...
    assert rich.score > free.score
    # ... while the same customer's thanks once it is over is no reason at all.
    over = "Thanks for getting the scanners back online this morning, the service has been fine since."
    after = assess_ticket(make_ticket(over, organization=ENTERPRISE), now=now)
    assert categories(after) == [] and after.score < DEFAULT_WATCH_THRESHOLD


def test_value_amplifies_a_weaker_reason_and_nothing_else(make_ticket, now):
    def gain(text):
        rich = assess_ticket(make_ticket(text, organization=ENTERPRISE), now=now)
        free = assess_ticket(make_ticket(text, organization=FREE), now=now)
        return rich, rich.score - free.score

    billing, billing_gain = gain("We were charged twice for the May invoice, please refund one of them.")
    assert set(categories(billing)) == {"billing_refund", "high_value_customer"}
    assert billing_gain > 0.1
    wish, wish_gain = gain("A colour picker for the chart legend would be a nice touch one day.")
    assert categories(wish) == [] and wish_gain == pytest.approx(0.0)


def test_enterprise_churn_threat_keeps_high_value_customer(make_ticket, now):
    text = "Frankly, our leadership is now evaluating other vendors for next year."
    assessment = assess_ticket(make_ticket(text, organization=ENTERPRISE), now=now)
    assert categories(assessment) == ["high_value_customer"]
    assert "churn_threat" in signal_names(assessment)
    assert assessment.score >= 0.6
    # The same customer's auto-reply carries no category: value is named only beside a reason.
    away = "Auto-reply: I am travelling this week with patchy connection and will answer on my return."
    assert categories(assess_ticket(make_ticket(away, organization=ENTERPRISE), now=now)) == []


@pytest.mark.parametrize(
    ("going_on", "over"),
    [
        ("Thanks for the update earlier, however the booking site is still down for all our branches.",
         "Thanks for sorting out the booking site outage for our branches yesterday."),
        ("You said the outage was fixed, but the booking site went down again an hour ago.",
         "The booking site outage was fixed an hour ago and it is running smoothly."),
        ("The booking site has been offline since noon and nothing has been fixed.",
         "The booking site was offline at noon and has been restored."),
        ("Grateful for the fast reply, the booking site is down for all our branches.",
         "Grateful that you restored the booking site so fast after the outage."),
    ],
)
def test_an_incident_that_goes_on_escalates_and_the_same_incident_over_does_not(make_ticket, now, going_on, over):
    live = assess_ticket(make_ticket(going_on, organization=BUSINESS), now=now)
    assert "bug_incident" in categories(live), going_on
    assert live.recommendation == "escalate", (going_on, live.score)
    past = assess_ticket(make_ticket(over, organization=BUSINESS), now=now)
    assert categories(past) == [], over
    assert past.score < DEFAULT_WATCH_THRESHOLD, (over, past.score)


@pytest.mark.parametrize(
    ("text", "phrase", "resolved"),
    [
        ("Thanks a lot for fixing the outage yesterday.", "outage", True),
        ("We appreciate you restoring the lost files so quickly.", "lost files", True),
        ("The portal was unreachable at 9 and is back online now.", "unreachable", True),
        ("The outage was resolved, but it came back this afternoon.", "outage", False),
        ("The portal is down and nobody has fixed it yet.", "down", False),
        ("Thanks for looking into it; the portal is down for everyone.", "down", False),
    ],
)
def test_resolved_talk_is_read_in_the_clause(text, phrase, resolved):
    view = MessageView.of("description", "customer", text)
    start = view.lower.index(phrase)
    assert is_resolved_talk(view, start, start + len(phrase)) is resolved


@pytest.mark.parametrize(
    "text",
    [
        "Has the outage on the booking site been resolved yet?",
        "We'd appreciate a refund for the double charge.",
        "Thanks in advance for refunding the double charge.",
        "The booking site outage must be fixed before our launch tomorrow.",
    ],
)
def test_asking_for_a_fix_is_not_talk_of_a_fix(text):
    view = MessageView.of("description", "customer", text)
    phrase = "outage" if "outage" in text else "refund"
    start = view.lower.index(phrase)
    assert is_resolved_talk(view, start, start + len(phrase)) is False


def test_a_second_reason_read_unsurely_by_the_layer_alone_is_not_reported():
    from sidecar.intelligence.scoring import SURE_SECOND_READING, SURE_SECOND_REASON, unsure_second_reasons_left_out
    from sidecar.intelligence.signals.finding import Finding

    view = MessageView.of("description", "customer", "The export fails for all of us. 35 of our 60 engineers wait.")
    outage = Finding("outage", 0.9, category="bug_incident", span=(view, 4, 30))
    read = Finding("engineering_request", 0.6, category="cross_team", where="description")  # the layer's reading
    combined = {"outage": (0.9, outage, 1), "engineering_request": (0.6, read, 1)}
    confidences = {"bug_incident": 0.9, "cross_team": 0.6, "high_value_customer": 0.7}
    assert unsure_second_reasons_left_out(confidences, combined) == {"bug_incident": 0.9, "high_value_customer": 0.7}
    # Read surely, or by a rule too, or as the ticket's main reason, it stays.
    sure = {**confidences, "cross_team": SURE_SECOND_READING}
    assert "cross_team" in unsure_second_reasons_left_out(sure, combined)
    ruled = {**combined, "commercial_request": (0.5, Finding("commercial_request", 0.5, category="cross_team",
                                                                span=(view, 0, 3)), 1)}
    assert "cross_team" in unsure_second_reasons_left_out({**confidences, "cross_team": SURE_SECOND_REASON}, ruled)
    alone = {"engineering_request": (0.6, read, 1)}
    assert unsure_second_reasons_left_out({"cross_team": 0.6}, alone) == {"cross_team": 0.6}


def test_the_second_reason_of_a_paired_reading_stays_with_the_first():
    # Data shown to a stranger is a security incident and a defect at once (semantic.examples.ALSO_REASONS).
    from sidecar.intelligence.scoring import unsure_second_reasons_left_out
    from sidecar.intelligence.signals.finding import Finding

    breach = Finding("security_breach", 0.7, category="compliance_security", where="description")
    defect = Finding("security_vulnerability", 0.65, category="bug_incident", where="description")
    combined = {"security_breach": (0.7, breach, 1), "security_vulnerability": (0.65, defect, 1)}
    confidences = {"compliance_security": 0.7, "bug_incident": 0.65}
    assert unsure_second_reasons_left_out(confidences, combined) == confidences


@pytest.mark.parametrize("semantic", ["on", "off"])
def test_a_hole_in_the_products_security_is_a_defect_and_a_security_matter(make_ticket, now, monkeypatch, semantic):
    from sidecar.intelligence.semantic import reset_layer

    monkeypatch.setenv("SIDECAR_SEMANTIC", semantic)
    reset_layer()
    try:
        text = ("Found a stored XSS: the note field on the public booking page runs any script a visitor types into "
                "it, for everyone who opens the booking afterwards.")
        assessment = assess_ticket(make_ticket(text), now=now)
    finally:
        monkeypatch.undo()
        reset_layer()
    assert {"bug_incident", "compliance_security"} <= set(categories(assessment)), assessment.signals
    assert [s.name for s in assessment.signals].count("security_vulnerability") == 1  # the score counts it once


def test_a_second_reason_less_sure_than_a_first_is_not_reported():
    # Found by a rule, too: most tickets bring one matter (scoring.SURE_SECOND_REASON).
    from sidecar.intelligence.scoring import SURE_SECOND_REASON, unsure_second_reasons_left_out
    from sidecar.intelligence.signals.finding import Finding

    view = MessageView.of("description", "customer", "The export fails for all of us. I've attached our order form.")
    outage = Finding("outage", 0.9, category="bug_incident", span=(view, 4, 30))
    paper = Finding("commercial_request", 0.6, category="cross_team", span=(view, 33, 60))
    combined = {"outage": (0.9, outage, 1), "commercial_request": (0.6, paper, 1)}
    assert unsure_second_reasons_left_out({"bug_incident": 0.9, "cross_team": 0.6}, combined) == {"bug_incident": 0.9}
    sure = {"bug_incident": 0.9, "cross_team": SURE_SECOND_REASON}
    assert unsure_second_reasons_left_out(sure, combined) == sure
