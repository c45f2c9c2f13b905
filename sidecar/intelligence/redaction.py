"""Masking personal data in text the sidecar writes elsewhere (Jira, Slack, ticket notes).

An installation chooses what to mask (settings under ``redaction``):

- ``emails`` (default off): addresses become ``[email]``.
- ``phones`` (default off): phone numbers become ``[phone]``: international (``+44 20 7946 0958``,
  ``0049 30 1234567``), North American (``(415) 555-2671``, ``415.555.2671``), national numbers with a
  leading 0 in groups (``020 7946 0958``); a bare run of digits only right after a phone word
  ("phone:", "call me at"). At least 7 digits, at most 15; date shapes and numbers right after
  "order", "invoice", "ref" and the like are left alone.
- ``cards`` (default on): 13-19 digits, optionally grouped by spaces or dashes, that pass the Luhn check
  and start like a card scheme (see `is_card_number`) become ``[card ending 4242]``.
- ``patterns`` (default none): the operator's own regular expressions; every match becomes ``[redacted]``.

Emails and phones are off by default because the people reading an escalation usually need to reach the
customer; card numbers never help anyone and are on. The detectors prefer missing an odd format to
eating numbers engineers need: dates, times, amounts, versions, invoice and order ids stay readable.

Order of masking: operator patterns, then cards, emails, phones. Each placeholder is chosen so a
later detector cannot match inside it.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sidecar.domain.settings import RedactionSettings

EMAIL_PLACEHOLDER = "[email]"
PHONE_PLACEHOLDER = "[phone]"
PATTERN_PLACEHOLDER = "[redacted]"

DEFAULT_SETTINGS: dict[str, Any] = RedactionSettings().to_mapping()  # the defaults live in the domain
MAX_PATTERNS = 50
MAX_PATTERN_LENGTH = 500

# --- emails ------------------------------------------------------------------------------------------
_EMAIL = re.compile(
    r"(?<![\w.%+-])[A-Za-z0-9](?:[A-Za-z0-9._%+-]{0,63})@"
    r"(?P<domain>[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*"
    r"\.[A-Za-z]{2,24})(?![\w-])"
)
_RETINA_ASSET = re.compile(r"^\d(?:\.\d)?x\.", re.IGNORECASE)  # icon@2x.png is a file, not an address

# --- payment cards -----------------------------------------------------------------------------------
# 13-19 digits, optionally grouped by single spaces or dashes, not glued to a word, an id or a decimal.
_CARD = re.compile(r"(?<![\w.,/+-])\d(?:[ -]?\d){12,18}(?![\w-]|[.,/]\d)")

# --- phones ------------------------------------------------------------------------------------------
_SEP = r"[ .\-\u00a0]"
_INTERNATIONAL = (
    r"(?:\+|\b00)\d{1,3}"                      # +44, +1, 0049
    r"(?:" + _SEP + r"?\(0\))?"                 # the (0) trunk prefix some countries write
    r"(?:" + _SEP + r"?(?:\(\d{1,5}\)|\d{1,5})){1,6}"  # the rest, in groups
)
_NORTH_AMERICAN = r"(?:\b1" + _SEP + r")?(?:\(\d{3}\)" + _SEP + r"?|\b\d{3}" + _SEP + r")\d{3}" + _SEP + r"\d{4}"
_NATIONAL_TRUNK = r"(?:\(0\d{1,4}\)|\b0\d{1,4})(?:[ \-\u00a0]\d{2,8}){1,4}"  # 020 7946 0958, 06 12 34 56 78
_PHONE = re.compile(
    r"(?<![\w.,/$€£¥#-])(?:" + _INTERNATIONAL + "|" + _NORTH_AMERICAN + "|" + _NATIONAL_TRUNK + r")"
    r"(?![\w/]|[.,:-]\d)"
)
# An undelimited run of digits is a phone number only when the sentence says so.
_PHONE_CUE = re.compile(
    r"\b(?:(?:phone|telephone|tel|mobile|cell|cellphone|whatsapp|fax|sms)(?:\s*(?:number|no\.?|#))?"
    r"|(?:call|ring|text|reach|contact)\s+(?:me|us|him|her|them))(?:\s+(?:is|at|on))?\s*[:\-]?\s*"
    r"(?P<number>\+?\d{7,15})(?![\w.,/-]\d|\w)",
    re.IGNORECASE,
)
# A number right after "order", "invoice #", "ref:" is that thing's id, whatever its shape.
_ID_CONTEXT = re.compile(
    r"\b(?:order|invoice|inv|ticket|case|id|ref|reference|job|account|acct|transaction|txn|tracking|serial|sku|"
    r"po|booking|confirmation|build|version|ver|release|batch|lot|shipment|request|req|user|customer|item)s?"
    r"\s*(?:number|no\.?|num|id)?\s*[:#]?\s*$",
    re.IGNORECASE,
)
_DATE_SHAPE = re.compile(r"^(\d{1,4})[ .\-/](\d{1,2})[ .\-/](\d{1,4})$")
MIN_PHONE_DIGITS = 7
MAX_PHONE_DIGITS = 15  # E.164


@dataclass(frozen=True)
class Redactor:
    """Masks emails, phone numbers, card numbers and operator-defined patterns in free text."""

    emails: bool = False
    phones: bool = False
    cards: bool = True
    patterns: tuple[re.Pattern[str], ...] = ()

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any] | None) -> Redactor:
        """Build a redactor from an installation's redaction settings (see validate_redaction_settings)."""
        clean = validate_redaction_settings(settings)
        return cls(
            emails=clean["emails"],
            phones=clean["phones"],
            cards=clean["cards"],
            patterns=tuple(compile_pattern(p) for p in clean["patterns"]),
        )

    @property
    def active(self) -> bool:
        """True when the redactor masks anything at all."""
        return self.emails or self.phones or self.cards or bool(self.patterns)

    def redact(self, text: str | None) -> str:
        """The text with everything this redactor covers replaced by placeholders."""
        if not text:
            return text or ""
        for pattern in self.patterns:
            text = pattern.sub(PATTERN_PLACEHOLDER, text)
        if self.cards:
            text = _CARD.sub(_card_replacement, text)
        if self.emails:
            text = _EMAIL.sub(_email_replacement, text)
        if self.phones:
            text = _PHONE.sub(_phone_replacement, text)
            text = _PHONE_CUE.sub(_cued_phone_replacement, text)
        return text


def compile_pattern(pattern: Any) -> re.Pattern[str]:
    """Compile one operator pattern; ValueError names the pattern when it is unusable."""
    if not isinstance(pattern, str) or not pattern:
        raise ValueError(f"redaction pattern {pattern!r} must be a non-empty string")
    if len(pattern) > MAX_PATTERN_LENGTH:
        raise ValueError(f"redaction pattern {pattern[:40]!r}... is longer than {MAX_PATTERN_LENGTH} characters")
    try:
        compiled = re.compile(pattern)
    except re.error as exc:
        raise ValueError(f"redaction pattern {pattern!r} is not a valid regular expression: {exc}") from None
    if compiled.search("") is not None:
        # A pattern that matches nothing-at-all would put a placeholder between every character.
        raise ValueError(f"redaction pattern {pattern!r} matches the empty string")
    return compiled


def validate_redaction_settings(settings: Mapping[str, Any] | None) -> dict[str, Any]:
    """Check redaction settings and return them complete with defaults; ValueError names the bad key."""
    if settings is None:
        settings = {}
    # Settings problems are ValueErrors throughout: callers turn them into a 400 that names the key.
    if not isinstance(settings, Mapping):
        raise ValueError("redaction settings must be an object with emails, phones, cards, patterns")  # noqa: TRY004
    unknown = sorted(str(key) for key in settings if key not in DEFAULT_SETTINGS)
    if unknown:
        raise ValueError(f"unknown redaction setting(s): {', '.join(unknown)} (use emails, phones, cards, patterns)")
    clean: dict[str, Any] = {}
    for key in ("emails", "phones", "cards"):
        value = settings.get(key, DEFAULT_SETTINGS[key])
        if not isinstance(value, bool):
            raise ValueError(f"redaction setting {key} must be true or false, not {value!r}")  # noqa: TRY004
        clean[key] = value
    patterns = settings.get("patterns") or []
    if isinstance(patterns, str) or not isinstance(patterns, Iterable):
        raise ValueError("redaction setting patterns must be a list of regular expressions")  # noqa: TRY004
    patterns = list(patterns)
    if len(patterns) > MAX_PATTERNS:
        raise ValueError(f"redaction setting patterns holds {len(patterns)} patterns; at most {MAX_PATTERNS}")
    for index, pattern in enumerate(patterns):
        try:
            compile_pattern(pattern)
        except ValueError as exc:
            raise ValueError(f"redaction setting patterns[{index}]: {exc}") from None
    clean["patterns"] = patterns
    return clean


def luhn_valid(digits: str) -> bool:
    """True when a string of digits passes the Luhn checksum every payment card number carries."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = ord(char) - 48
        if position % 2:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def is_card_number(digits: str) -> bool:
    """True for 13-19 digits that pass Luhn and start like a payment card.

    Card numbers start with 2-6 (Mastercard 2/5, Amex/Diners/JCB 3, Visa 4, Discover/UnionPay/Maestro 6)
    or, for 15-digit UATP cards, 1. Requiring that keeps Luhn's one-in-ten accidental passes among long
    ids, timestamps and zero-filled numbers from being masked.
    """
    if not 13 <= len(digits) <= 19 or not digits.isdigit():
        return False
    if len(set(digits)) == 1:
        return False
    first = digits[0]
    if not ("2" <= first <= "6" or (first == "1" and len(digits) == 15)):
        return False
    return luhn_valid(digits)


def _card_replacement(match: re.Match[str]) -> str:
    raw = match.group(0)
    if "-" in raw and " " in raw:  # mixed separators: a list of numbers, not one card
        return raw
    digits = re.sub(r"\D", "", raw)
    if not is_card_number(digits):
        return raw
    return f"[card ending {digits[-4:]}]"


def _email_replacement(match: re.Match[str]) -> str:
    if _RETINA_ASSET.match(match.group("domain")):
        return match.group(0)
    return EMAIL_PLACEHOLDER


def _looks_like_date(candidate: str) -> bool:
    shape = _DATE_SHAPE.match(candidate.strip())
    if not shape:
        return False
    a, b, c = (int(part) for part in shape.groups())
    lengths = tuple(len(part) for part in shape.groups())
    if lengths[0] == 4:  # 2026-11-20
        return 1 <= b <= 12 and 1 <= c <= 31
    if lengths[2] in (2, 4):  # 20.11.2026, 11/20/26
        return (1 <= a <= 31 and 1 <= b <= 12) or (1 <= a <= 12 and 1 <= b <= 31)
    return False


def _phone_replacement(match: re.Match[str]) -> str:
    raw = match.group(0)
    digits = re.sub(r"\D", "", raw)
    if not MIN_PHONE_DIGITS <= len(digits) <= MAX_PHONE_DIGITS or _looks_like_date(raw):
        return raw
    if _ID_CONTEXT.search(match.string, max(0, match.start() - 30), match.start()):
        return raw
    return PHONE_PLACEHOLDER


def _cued_phone_replacement(match: re.Match[str]) -> str:
    start, end = match.span("number")
    whole_start = match.start()
    text = match.group(0)
    return text[: start - whole_start] + PHONE_PLACEHOLDER + text[end - whole_start:]
