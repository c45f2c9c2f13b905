"""Customer value (tier, ARR, renewal, churn threats) and conversation dynamics (reopens, waits, priority)."""
from __future__ import annotations

from datetime import timedelta

import pytest

from sidecar.intelligence.scoring import assess_ticket
from sidecar.intelligence.signals import message_findings

# What the rules find and quote, without the semantic layer (see conftest.rules_only).
pytestmark = pytest.mark.usefixtures("rules_only")


def by_name(assessment):
    return {s.name: s for s in assessment.signals}


def test_enterprise_tier_and_arr_are_named_with_their_values(make_ticket, now):
    # Value is shown beside a reason (here a crash); see test_categories_are_reasons.py for value alone.
    ticket = make_ticket("The report page crashes.", organization={"name": "Acme", "tier": "Enterprise", "arr": 250000})
    signals = by_name(assess_ticket(ticket, now=now))
    assert signals["premium_tier"].evidence == "organization.tier = Enterprise"
    assert signals["high_arr"].evidence == "organization.arr = 250000"


def test_arr_contribution_grows_with_log_arr(make_ticket, now):
    def arr_contribution(arr):
        ticket = make_ticket("We were charged twice this month.", organization={"arr": arr})
        signals = by_name(assess_ticket(ticket, now=now))
        return signals["high_arr"].contribution if "high_arr" in signals else 0.0

    assert arr_contribution(20_000) == 0.0  # under 25,000 a contract says nothing of value
    assert 0.0 < arr_contribution(40_000) < arr_contribution(400_000) < arr_contribution(3_000_000)
    # Log-scaled: each tenfold step adds the same amount (below the cap).
    tenfold = arr_contribution(400_000) - arr_contribution(40_000)
    assert arr_contribution(3_000_000) - arr_contribution(300_000) == pytest.approx(tenfold)


def test_renewal_soon_uses_now(make_ticket, now):
    reason = "We were charged twice this month."
    soon = make_ticket(reason, organization={"renewal_date": (now + timedelta(days=10)).date().isoformat()})
    later = make_ticket(reason, organization={"renewal_date": (now + timedelta(days=200)).date().isoformat()})
    assert "renewal_soon" in by_name(assess_ticket(soon, now=now))
    assert "in 10 days" in by_name(assess_ticket(soon, now=now))["renewal_soon"].evidence
    assert "renewal_soon" not in by_name(assess_ticket(later, now=now))


def test_free_tier_is_not_premium(make_ticket, now):
    assert "premium_tier" not in by_name(assess_ticket(make_ticket("Hi", organization={"tier": "Free"}), now=now))


@pytest.mark.parametrize(
    "text",
    [
        "If this is not fixed we will cancel our contract.",
        "We are evaluating alternatives.",
        "Honestly we are thinking about switching to a competitor.",
        "We won't renew in September.",
        "If this isn't fixed we will cancel and move to another tool.",
        "Honestly we're thinking about leaving.",
        "Your competitor offered us a better price.",
        "This is a dealbreaker for us.",
        "Our CEO is asking whether we should keep using you.",
        "This outage is making us reconsider our renewal.",
    ],
)
def test_churn_threats(assess, text):
    assessment = assess(text)
    assert "churn_threat" in by_name(assessment), text
    assert "high_value_customer" in {c.name for c in assessment.categories}


@pytest.mark.parametrize(
    "text",
    ["I'm thinking about switching the dashboard to dark mode.", "Our competitor offered a webinar last week.",
     "Is this bug a dealbreaker for the release?", "We are thinking of leaving early today."],
)
def test_churn_words_in_other_senses_do_not_count(assess, text):
    assert "churn_threat" not in by_name(assess(text)), text


def test_no_churn_when_negated(assess):
    assert "churn_threat" not in by_name(assess("We are not planning to switch to a competitor, we love the product."))


def test_reopens_priority_and_back_and_forth(make_ticket, now):
    comments = [("customer" if i % 2 == 0 else "agent", f"Message number {i} about the export.") for i in range(10)]
    ticket = make_ticket("Export broken", comments=comments, reopens=3, priority="urgent")
    signals = by_name(assess_ticket(ticket, now=now))
    assert signals["reopened"].evidence == "reopens = 3"
    assert signals["priority_high"].evidence == "priority = urgent"
    assert signals["long_back_and_forth"].evidence == "back-and-forth = 9 turns"


def test_low_priority_lowers_the_score(make_ticket, now):
    low = assess_ticket(make_ticket("The export is broken.", priority="low"), now=now)
    normal = assess_ticket(make_ticket("The export is broken.", priority="normal"), now=now)
    assert by_name(low)["priority_low"].contribution < 0
    assert low.score < normal.score


def test_waiting_customer_measured_from_their_unanswered_message(make_ticket, now):
    ticket = make_ticket(
        "Export broken",
        comments=[("customer", "Export broken."), ("agent", "Looking."), ("customer", "Any news?")],
        status="open",
    )
    waiting = by_name(assess_ticket(ticket, now=now))["customer_waiting"]
    assert "since comment 3" in waiting.evidence
    answered = make_ticket("Export broken", comments=[("customer", "Export broken."), ("agent", "Fixed.")])
    assert "customer_waiting" not in by_name(assess_ticket(answered, now=now))


def test_no_waiting_signal_on_solved_tickets(make_ticket, now):
    ticket = make_ticket("x", comments=[("customer", "Thanks!")], status="solved")
    assert "customer_waiting" not in by_name(assess_ticket(ticket, now=now))


def test_waiting_time_reads_in_hours_then_days():
    from sidecar.intelligence.signals.conversation import waited

    assert waited(5.54) == "5.5 h"
    assert waited(47.9) == "47.9 h"
    assert waited(167.6) == "7.0 days"


# Business is the plan below Enterprise most small and mid-sized companies buy: a paying customer like a Pro one,
# whose value shows in its ARR (rules-7); Premium, Gold and Priority name tiers above the standard.
@pytest.mark.parametrize(("tier", "high_value"), [("Business", False), ("Premium", True), ("Enterprise", True),
                                                  ("Gold", True), ("Pro", False), ("Growth", False), ("Free", False)])
def test_a_named_upper_plan_is_high_value_beside_a_sure_reason(make_ticket, now, tier, high_value):
    ticket = make_ticket("We were charged twice this month, please refund the second charge.",
                         organization={"name": "Acme", "tier": tier, "arr": 12000})
    categories = {c.name for c in assess_ticket(ticket, now=now).categories}
    assert "billing_refund" in categories
    assert ("high_value_customer" in categories) is high_value, (tier, categories)


def test_a_customer_saying_it_is_a_top_account_counts_beside_a_reason_not_alone(make_ticket, now):
    outage = make_ticket("We are one of your top 10 accounts by volume. Since 2am the platform is down for all our "
                         "users and every page returns a 500 error.")
    thanks = make_ticket("We are one of your largest customers and just wanted to say the new reports are great.")
    outage_categories = {c.name for c in assess_ticket(outage, now=now).categories}
    assert {"bug_incident", "high_value_customer"} <= outage_categories
    assert not assess_ticket(thanks, now=now).categories


@pytest.mark.parametrize("text", [
    "I will be recommending we do not renew in March if this is how incidents are handled.",
    "Wenn sich das nicht grundlegend ändert, werden wir zum Jahresende kündigen.",
    "Fix the exports this week, otherwise we cancel our subscription.",
])
def test_a_cancellation_under_a_condition_is_a_threat_to_leave_not_a_request(text):
    signals = {finding.signal for finding in message_findings("description", "customer", text)}
    assert "churn_threat" in signals
    assert "cancellation_request" not in signals


def test_a_polite_condition_still_asks_to_cancel():
    signals = {f.signal for f in message_findings("description", "customer", "Please cancel our plan if possible.")}
    assert "cancellation_request" in signals
