"""Frustration: angry words, shouting and swearing, 'still'/'third time', urgency, and its trend."""
from __future__ import annotations

import pytest

from sidecar.intelligence.scoring import assess_ticket

# What the rules find and quote, without the semantic layer (see conftest.rules_only).
pytestmark = pytest.mark.usefixtures("rules_only")


def names(assessment):
    return {s.name for s in assessment.signals}


@pytest.mark.parametrize(
    "text",
    [
        "This is completely unacceptable.",
        "Honestly this is ridiculous, we pay for premium support.",
        "I am so frustrated with this product.",
        "Worst support experience I have ever had.",
        "You clearly don't understand what I'm asking.",
        "That's not what I asked.",
        "What a waste of my time.",
    ],
)
def test_frustrated_language(assess, text):
    assert "frustration_language" in names(assess(text)), text


@pytest.mark.parametrize(
    "text",
    [
        "I'm not frustrated, just curious how this works.",
        "No worries at all, thanks for the quick reply!",
        "The dashboard looks great after the redesign.",
    ],
)
def test_calm_or_negated_language_is_not_frustration(assess, text):
    assert "frustration_language" not in names(assess(text)), text


def test_shouting_counts_but_acronyms_do_not(assess):
    assert "shouting_or_profanity" in names(assess("WHY IS THIS STILL NOT WORKING"))
    assert "shouting_or_profanity" not in names(assess("Our SSO via SAML and the API keys for CSV export."))


def test_exclamation_runs_and_swearing(assess):
    assert "shouting_or_profanity" in names(assess("Fix it!!!"))
    assert "shouting_or_profanity" in names(assess("this damn export failed again"))


@pytest.mark.parametrize(
    "text",
    [
        "The import is still not working.",
        "This is the third time I'm reporting this.",
        "It happened again this morning.",
        "I've already explained this twice.",
        "Nobody has responded to my ticket.",
        "We have been waiting for 3 days now.",
    ],
)
def test_unresolved_or_recurring(assess, text):
    found = names(assess(text))
    assert found & {"unresolved_or_recurring", "customer_repeating_themselves"}, text


def test_urgency_and_its_negation(assess):
    assert "urgency_language" in names(assess("Urgent: we go live tomorrow and checkout fails."))
    calm = assess("Not urgent, whenever you get a chance.")
    assert "urgency_language" not in names(calm)
    assert "no_rush" in names(calm)


def test_rising_frustration_across_messages(make_ticket, now):
    ticket = make_ticket(
        "Hi, quick question about exports.",
        comments=[
            ("customer", "Hi, quick question about exports."),
            ("agent", "Sure, what do you need?"),
            ("customer", "The CSV export is missing columns."),
            ("agent", "Please try again."),
            ("customer", "Still broken. This is ridiculous!!"),
            ("agent", "We are looking into it."),
            ("customer", "THIS IS UNACCEPTABLE. Third time I am asking."),
        ],
    )
    assessment = assess_ticket(ticket, now=now)
    rising = next(s for s in assessment.signals if s.name == "frustration_rising")
    assert rising.contribution > 0.5
    assert "comment 7" in rising.evidence


def test_steady_calm_conversation_has_no_rising_signal(make_ticket, now):
    ticket = make_ticket(
        "Question about SSO",
        comments=[
            ("customer", "How do we enable SSO for our workspace?"),
            ("agent", "Go to Settings > Security."),
            ("customer", "Thanks, found it."),
        ],
    )
    assert "frustration_rising" not in names(assess_ticket(ticket, now=now))
