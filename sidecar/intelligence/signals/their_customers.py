"""A how-to question about the customer's own customer: the reason words name work the customer does in the product.

B2B customers use the product to serve their own customers, clients, tenants and employees, and their
questions about that work carry our reason words: "a customer of ours asked us for a copy of their data:
what's the quickest way to export it?", "one of my clients was overcharged on an invoice I sent: how do I
create a credit note?", "an employee asked us to delete their records, how do I remove them?". The privacy
request and the overcharge are real, but they are the customer's to handle, and what they ask us is how: a
first-line answer, not finance or legal. So in a message that asks how to do something and names someone the
customer serves, the money and paperwork findings (refund, billing error, cancellation, dispute, privacy
request, compliance paperwork, commercial request, a dispute read as a legal threat) count a quarter, as talk
about a matter that is over does.

Not when the message also says the product or we did it ("charged twice by your checkout", "you deleted"),
reports a fault of the product, a breach, a threat to leave or asks for a person: then the matter is ours.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from sidecar.intelligence.signals.finding import Finding
from sidecar.intelligence.signals.low_impact import HOW_TO_QUESTION
from sidecar.intelligence.ticket import Ticket

OWN_CUSTOMERS_FACTOR = 0.25  # as resolved talk (finding.RESOLVED_FACTOR): the words stay, the reason is not ours
_THEIR_WORK = frozenset({"refund_request", "billing_error", "cancellation_request", "chargeback_or_dispute",
                         "privacy_request", "compliance_paperwork", "commercial_request", "legal_threat"})
# A finding of these in the same message makes the matter ours whatever the question's form.
_OURS = frozenset({"bug_incident", "human_requested"})
_OURS_SIGNALS = frozenset({"security_breach", "security_vulnerability", "churn_threat",
                           "asks_for_escalation"})
REASON_STRENGTH = 0.5  # a finding this strong of _OURS is a reason of the message's own

# The people a B2B customer serves with the product, as one noun (singular or plural). Not plain "users": in B2B
# they are the customer's own seats ("a refund for the 5 users we removed").
_PEOPLE_NOUNS = ("customer client shopper buyer consumer cardholder tenant resident patient member guest subscriber "
                 "student learner parent driver candidate applicant donor merchant seller supplier vendor contact lead "
                 "contractor freelancer franchisee partner policyholder borrower athlete volunteer attendee traveler "
                 "traveller passenger owner landlord insured debtor recipient employee auditor accountant bookkeeper")
PEOPLE_THEY_SERVE = (r"(?:" + "|".join(f"{noun}s?" for noun in _PEOPLE_NOUNS.split())
                     + r"|end[- ]?users?|famil(?:y|ies)|staff\s+members?)")
# Someone the customer serves: "a customer of ours", "one of my clients", "our tenant", "an employee", "for them".
# Here "one of our users" is one too: beside a how-to, their user's data or refund is theirs to handle.
_SERVED = rf"(?:{PEOPLE_THEY_SERVE}|users?)"
THIRD_PARTY = re.compile(
    rf"\b(?:(?:a|an|one|some|two|three|several|few|many|certain)\s+(?:of\s+(?:our|my)\s+)?(?:\w+\s+)?{_SERVED}"
    rf"|(?:our|my)\s+(?:\w+\s+)?{_SERVED}|{_SERVED}\s+of\s+(?:ours|mine)"
    r"|(?:for|to|refund|credit|reimburse)\s+(?:them|him|her))\b",
    re.IGNORECASE,
)
# The product or we as the one who did it: then the matter is ours to put right.
VENDOR_DID_IT = re.compile(
    r"\b(?:by\s+(?:you|your)\b|you\s+(?:\w+\s+)?(?:charged|billed|invoiced|debited|deleted|lost|leaked|exposed"
    r"|shared|sent|overcharged|double[- ]charged)\b"
    r"|your\s+(?:\w+\s+)?(?:system|app|platform|software|checkout|integration|tool|portal|service|product|api"
    r"|update|release|billing)\s+(?:\w+\s+)?(?:charged|billed|invoiced|debited|deleted|lost|leaked|exposed|sent"
    r"|overcharged|double[- ]charged|calculated|computed|added|applied)\b)",
    re.IGNORECASE,
)
# A question asking the way to do something, anywhere in the message ("... data. What's the quickest way to export
# it?"); the how-to rule reads only a message that opens with one.
HOW_QUESTION = re.compile(
    r"(?:^|[.!?:;]\s+|\n)\W*(?:(?:and|so|but|also|then)\s+)?(?:how\s+(?:do|can|should|would|could|to|does)\b"
    r"|where\s+(?:do|can|should|would|is|are)\b|what(?:'s|\s+is|\s+are)\s+the\s+(?:\w+\s+)?(?:way|steps|process"
    r"|procedure|option)\b|is\s+there\s+(?:a|any)\s+(?:\w+\s+)?way\b|is\s+it\s+possible\b"
    r"|can\s+(?:i|we)\s+(?:\w+\s+)?(?:do|issue|create|export|delete|remove|erase|download|generate|send|refund"
    r"|cancel|credit|void|edit|change|pull|run|find)\b)[^?.!\n]*\?",
    re.IGNORECASE,
)


def _asks_how(findings: Sequence[Finding], where: str, text: str) -> bool:
    return HOW_QUESTION.search(text) is not None or any(
        f.signal == HOW_TO_QUESTION and f.strength > 0.0 and f.message() == where for f in findings)


def _ours(findings: Sequence[Finding], where: str) -> bool:
    return any(f.message() == where and f.strength >= REASON_STRENGTH
               and (f.category in _OURS or f.signal in _OURS_SIGNALS) for f in findings)


def their_customers_messages(ticket: Ticket, findings: Sequence[Finding]) -> set[str]:
    """The customer's messages that ask how to do something for someone they serve, with nothing of ours in them."""
    messages = set()
    for where, text in ticket.customer_messages():
        if where == "subject" or not _asks_how(findings, where, text) or _ours(findings, where):
            continue
        if THIRD_PARTY.search(text) and not VENDOR_DID_IT.search(text):
            messages.add(where)
    return messages


def for_their_customers(ticket: Ticket, findings: Sequence[Finding]) -> list[Finding]:
    """The findings with the money and paperwork reasons of such messages (and of the subject that labels the
    opening one) counted a quarter."""
    messages = their_customers_messages(ticket, findings)
    if not messages:
        return list(findings)
    if "description" in messages:
        messages.add("subject")
    return [replace(f, strength=f.strength * OWN_CUSTOMERS_FACTOR)
            if f.signal in _THEIR_WORK and f.message() in messages else f for f in findings]
