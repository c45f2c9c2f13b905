"""A how-to question about the customer's own customer is work the customer does in the product, not ours."""
from __future__ import annotations

import pytest

from sidecar.intelligence.scoring import DEFAULT_ESCALATE_THRESHOLD, DEFAULT_WATCH_THRESHOLD
from sidecar.intelligence.signals.their_customers import HOW_QUESTION, THIRD_PARTY, VENDOR_DID_IT

THEIR_WORK = [
    "A customer of ours asked us for a copy of their data. What's the quickest way to export everything you hold "
    "on one contact?",
    "One of my clients was overcharged on an invoice I sent last week. How do I create a credit note for them?",
    "We need to refund a tenant who paid the March rent twice through the portal. Where do I do that?",
    "An employee has asked us to delete all their personal data. How do I remove an employee's records completely?",
    "Hi team, a client of mine disputes an invoice we issued in May. Is there a way to void it and reissue it?",
    "Our auditor wants to know how to pull the login history report for last quarter, where do I find it?",
]
OURS = [
    # our own money, asked as a how-to
    "We were charged twice this month. How do I get the second charge refunded?",
    # the vendor did it to their customers
    "Our customers were charged twice by your checkout yesterday, how do I refund them?",
    "Hi, one of our members cancelled but was still charged by your billing run. Can we get that reversed?",
]


@pytest.mark.parametrize("text", THEIR_WORK)
def test_a_how_to_about_serving_their_own_customer_gets_no_category(assess, text):
    assessment = assess(text, organization={"tier": "enterprise", "arr": 400000})
    assert not assessment.categories, assessment.signals
    assert assessment.score < DEFAULT_WATCH_THRESHOLD


@pytest.mark.parametrize("text", OURS)
def test_a_matter_of_ours_asked_as_a_how_to_still_escalates(assess, text):
    assessment = assess(text)
    assert "billing_refund" in [c.name for c in assessment.categories], assessment.signals
    assert assessment.score >= DEFAULT_ESCALATE_THRESHOLD


def test_a_fault_of_the_product_beside_the_how_to_keeps_its_reasons(assess):
    assessment = assess("One of our clients was charged twice and since this morning's update every invoice PDF "
                        "fails with a 500 error. How do I refund the client while you fix it?")
    # The outage is ours to fix. The refund is the customer's own to its client, the how-to it asks (needs-3's
    # category heads read it so, as the labelled example tickets do: needs_person.py, "The categories").
    assert "bug_incident" in [c.name for c in assessment.categories], assessment.signals
    assert assessment.score >= DEFAULT_ESCALATE_THRESHOLD


def test_a_later_message_is_judged_on_its_own(make_ticket, now):
    from sidecar.intelligence.scoring import assess_ticket
    ticket = make_ticket("How do I issue a partial refund to one of our shoppers?", comments=[
        ("customer", "How do I issue a partial refund to one of our shoppers?"),
        ("agent", "Open the order, choose Refund and enter the amount."),
        ("customer", "Did that, and your system refunded the shopper twice. We need the duplicate refund "
                     "reversed and our fees credited back to us."),
    ])
    assert "billing_refund" in [c.name for c in assess_ticket(ticket, now=now).categories]


@pytest.mark.parametrize("text", ["a customer of ours", "one of my clients", "an employee", "our tenants",
                                  "refund them", "two of our drivers", "members of ours"])
def test_someone_the_customer_serves(text):
    assert THIRD_PARTY.search(f"So {text} asked.")


@pytest.mark.parametrize("text", ["charged twice by your checkout", "you double-charged the card",
                                  "your billing run charged them", "by you"])
def test_the_vendor_as_the_one_who_did_it(text):
    assert VENDOR_DID_IT.search(text)


@pytest.mark.parametrize("text, asks", [
    ("It broke. What's the quickest way to export it?", True),
    ("Thanks. Is there a way to void it?", True),
    ("Where do I find the report?", True),
    ("Can we get that reversed?", False),
    ("How we got here is a long story.", False),
])
def test_a_question_asking_the_way(text, asks):
    assert (HOW_QUESTION.search(text) is not None) is asks


class TestRulesAlone:
    """The same decisions with the rules alone (no semantic layer)."""

    @pytest.fixture(autouse=True)
    def _rules(self, rules_only):
        yield

    @pytest.mark.parametrize("text", THEIR_WORK[1:3] + THEIR_WORK[4:5])
    def test_their_work(self, assess, text):
        assert not assess(text).categories

    @pytest.mark.parametrize("text", OURS[:2])
    def test_ours(self, assess, text):
        assert "billing_refund" in [c.name for c in assess(text).categories]
