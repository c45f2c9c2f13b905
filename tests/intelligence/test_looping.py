"""A conversation in circles: the same bot/agent reply again, or the customer repeating themselves."""
from __future__ import annotations

import pytest

from sidecar.intelligence.scoring import assess_ticket

# What the rules find and quote, without the semantic layer (see conftest.rules_only).
pytestmark = pytest.mark.usefixtures("rules_only")

CANNED = "Thanks for reaching out! Please try clearing your cache and cookies, then log in again."


def names(assessment):
    return {s.name for s in assessment.signals}


def test_near_identical_bot_replies_are_a_loop(make_ticket, now):
    ticket = make_ticket(
        "Login fails",
        comments=[
            ("customer", "I can't log in since this morning."),
            ("bot", CANNED),
            ("customer", "I did that, still can't log in."),
            ("bot", CANNED.replace("Thanks", "Thank you")),
        ],
    )
    assessment = assess_ticket(ticket, now=now)
    loop = next(s for s in assessment.signals if s.name == "repeated_replies")
    assert loop.evidence.startswith("comments 2 and 4 (bot) are near-identical")


def test_different_replies_are_not_a_loop(make_ticket, now):
    ticket = make_ticket(
        "Login fails",
        comments=[
            ("customer", "I can't log in since this morning."),
            ("agent", "Which browser are you using, and do you see an error code?"),
            ("customer", "Chrome, error 1042."),
            ("agent", "Thanks - that code means your SSO certificate expired; we have renewed it."),
        ],
    )
    assert "repeated_replies" not in names(assess_ticket(ticket, now=now))


def test_customer_repeating_the_same_message(make_ticket, now):
    message = "Our invoices for May show the wrong VAT number, please correct them."
    ticket = make_ticket(
        message,
        comments=[("customer", message), ("agent", "Looking into it."), ("customer", message + " Again:")],
    )
    assert "customer_repeating_themselves" in names(assess_ticket(ticket, now=now))


@pytest.mark.parametrize(
    "text", ["As I said before, the webhook never fires.", "This is going in circles.", "I've already sent the logs."]
)
def test_customer_says_they_are_repeating_themselves(assess, text):
    assert "customer_repeating_themselves" in names(assess(text)), text
