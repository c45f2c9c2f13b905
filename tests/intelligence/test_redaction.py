"""Masking personal data before it leaves for Jira and Slack: what is masked, and what must stay readable."""
from __future__ import annotations

import pytest

from sidecar.intelligence.redaction import (
    Redactor,
    is_card_number,
    luhn_valid,
    validate_redaction_settings,
)

EVERYTHING = Redactor(emails=True, phones=True, cards=True)


# --- settings ----------------------------------------------------------------------------------------

def test_defaults_mask_cards_only():
    redactor = Redactor.from_settings(None)
    text = "Card 4242 4242 4242 4242, mail dana@northwind.example, call +44 20 7946 0958"
    assert redactor.redact(text) == (
        "Card [card ending 4242], mail dana@northwind.example, call +44 20 7946 0958"
    )


def test_settings_switch_each_detector():
    redactor = Redactor.from_settings({"emails": True, "phones": True, "cards": False})
    text = "Card 4242 4242 4242 4242, mail dana@northwind.example, call +44 20 7946 0958"
    assert redactor.redact(text) == "Card 4242 4242 4242 4242, mail [email], call [phone]"


def test_validate_returns_complete_settings():
    assert validate_redaction_settings({"emails": True}) == {
        "emails": True, "phones": False, "cards": True, "patterns": [],
    }
    assert validate_redaction_settings(None)["cards"] is True


@pytest.mark.parametrize(
    ("settings", "named"),
    [
        ({"email": True}, "email"),
        ({"phones": "yes"}, "phones"),
        ({"cards": 1}, "cards"),
        ({"patterns": "ACME-\\d+"}, "patterns"),
        ({"patterns": ["ok-\\d+", "(unclosed"]}, "(unclosed"),
        ({"patterns": ["x*"]}, "x*"),
        ({"patterns": [""]}, "patterns[0]"),
        ({"patterns": [42]}, "42"),
    ],
)
def test_bad_settings_name_the_key_or_pattern(settings, named):
    with pytest.raises(ValueError) as error:
        validate_redaction_settings(settings)
    assert named in str(error.value)


def test_bad_pattern_in_from_settings_raises():
    with pytest.raises(ValueError, match=r"\[a-"):
        Redactor.from_settings({"patterns": ["[a-"]})


def test_settings_must_be_an_object():
    with pytest.raises(ValueError):
        validate_redaction_settings(["emails"])


# --- operator patterns -------------------------------------------------------------------------------

def test_operator_patterns_are_masked():
    redactor = Redactor.from_settings({"patterns": [r"\bEMP-\d{5}\b", r"(?i)project\s+falcon"]})
    assert redactor.redact("Employee EMP-12345 on Project Falcon, not EMP-123") == (
        "Employee [redacted] on [redacted], not EMP-123"
    )


def test_inactive_redactor_changes_nothing():
    redactor = Redactor(emails=False, phones=False, cards=False)
    assert not redactor.active
    text = "4242 4242 4242 4242 dana@x.example +1 415 555 2671"
    assert redactor.redact(text) == text
    assert redactor.redact("") == ""
    assert redactor.redact(None) == ""


# --- emails ------------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("dana@northwind.example", "[email]"),
        ("Write to j.doe+billing@initech.co.uk.", "Write to [email]."),
        ("<mailto:ops@globex.example>", "<mailto:[email]>"),
        ("legal@initech.example, dpo@initech.example", "[email], [email]"),
    ],
)
def test_emails_are_masked(text, expected):
    assert EVERYTHING.redact(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "icon@2x.png",
        "logo@1.5x.svg",
        "ping @channel please",
        "user@localhost",
        "meet @ 10:30",
        "git tag v1.2@beta",
    ],
)
def test_email_lookalikes_stay(text):
    assert EVERYTHING.redact(text) == text


# --- phones ------------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "number",
    [
        "+44 20 7946 0958",
        "+1 (415) 555-2671",
        "+1-415-555-2671",
        "(415) 555-2671",
        "415-555-2671",
        "415.555.2671",
        "1-800-555-0199",
        "+49 (0)30 1234567",
        "+33 6 12 34 56 78",
        "+4915112345678",
        "0044 20 7946 0958",
        "020 7946 0958",
        "07700 900123",
        "06 12 34 56 78",
        "+41 44 668 18 00",
    ],
)
def test_phone_numbers_are_masked(number):
    assert EVERYTHING.redact(f"Call me on {number} today") == "Call me on [phone] today"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("my phone: 5551234567", "my phone: [phone]"),
        ("phone number is 4155552671.", "phone number is [phone]."),
        ("call me at 07700900123", "call me at [phone]"),
        ("WhatsApp +4915112345678", "WhatsApp [phone]"),
    ],
)
def test_undelimited_numbers_are_phones_when_the_text_says_so(text, expected):
    assert EVERYTHING.redact(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "charged on 2026-11-20",
        "at 09:12:30 UTC",
        "since 08:10 UTC",
        "on 03/11/2026",
        "on 20.11.2026",
        "on 03-11-2026",
        "on 1/2/2026",
        "invoice INV-20931 and INV-20932",
        "$4,800 each",
        "4 800 000 EUR",
        "1,234,567 users",
        "EUR 1.234.567,00",
        "version 10.4.22",
        "v2.3.1",
        "build 2024.11.20.1",
        "req_8f2a91c",
        "job 88213",
        "order 12345678",
        "order 0123-4567-89",
        "ticket #4155552671",
        "ref: 415-555-2671",
        "case 00123456",
        "1700000000000 ms",
        "SSN-like 123-45-6789",
        "ip 192.168.100.200",
        "uuid 123e4567-e89b-12d3-a456-426614174000",
        "pages 10-20 and 30-40",
        "between 2024 and 2025 2026",
        "0.5-1.25 seconds",
        "+15% growth in 2026",
        "reach 1000000 users",
        "we call 2093112 times a day",
        "ISO 27001 and SOC 2",
        "GET /v2/orders/1234567/items",
        "error 5001234",
    ],
)
def test_numbers_that_are_not_phones_stay(text):
    assert EVERYTHING.redact(text) == text


# --- cards -------------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("4242 4242 4242 4242", "[card ending 4242]"),
        ("4111-1111-1111-1111", "[card ending 1111]"),
        ("card 4242424242424242.", "card [card ending 4242]."),
        ("Amex 378282246310005 expired", "Amex [card ending 0005] expired"),
        ("MC 5555555555554444", "MC [card ending 4444]"),
        ("new Mastercard 2223003122003222", "new Mastercard [card ending 3222]"),
        ("Visa 13 digits 4222222222222", "Visa 13 digits [card ending 2222]"),
        ("UnionPay 6200000000000005 (19 max)", "UnionPay [card ending 0005] (19 max)"),
    ],
)
def test_card_numbers_are_masked_with_last_four(text, expected):
    assert Redactor().redact(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "4242 4242 4242 4241",  # fails Luhn
        "0000 0000 0000 0000",  # passes Luhn, not a card
        "order 4242424242424242x",
        "id-4242424242424242",
        "1234567890123",
        "7992739871300000",  # Luhn-valid, but no card scheme starts with 7
        "3.14159265358979323",
        "4242-4242 4242-4242",  # mixed separators: two numbers
        "4242 4242 4242",  # 12 digits
        "42424242424242424242",  # 20 digits
        "1700000000000",  # a millisecond timestamp
        "INV-4242424242424242",
    ],
)
def test_numbers_that_are_not_cards_stay(text):
    assert Redactor().redact(text) == text


def test_luhn():
    assert luhn_valid("79927398713")
    assert not luhn_valid("79927398710")
    assert is_card_number("4242424242424242")
    assert not is_card_number("4242424242424241")
    assert not is_card_number("4444444444444444")  # one repeated digit is a placeholder, not a card


def test_a_realistic_message():
    text = (
        "Hi, I'm Dana (dana@northwind.example, +1 415 555 2671). Our card 4242 4242 4242 4242 was charged "
        "twice on 2026-03-03 at 09:12 for invoice INV-20931 ($4,800). We're on v3.2.1, workspace ws_88213."
    )
    assert EVERYTHING.redact(text) == (
        "Hi, I'm Dana ([email], [phone]). Our card [card ending 4242] was charged "
        "twice on 2026-03-03 at 09:12 for invoice INV-20931 ($4,800). We're on v3.2.1, workspace ws_88213."
    )
