"""A ticket opened by a mail server's automatic reply: what its opening message says is nobody's request.

An out-of-office reply to the support side's own notice ("We are seeing a disruption affecting logins")
opens a ticket in many help desks, and its words (the notice quoted back, "for anything urgent contact
...") read as an outage, a security matter or a request for a person. Mail clients mark such replies in the
subject with a fixed prefix in the user's language ("Automatic reply:", "Out of Office:", "Réponse
automatique :", "Abwesenheitsnotiz:"), which says it more surely than any reading of the body; the
semantic layer reads the body (an `auto_reply` sentence silences its message) for replies without one.
"""
from __future__ import annotations

import re
from collections.abc import Sequence

from sidecar.intelligence.signals.finding import Finding
from sidecar.intelligence.ticket import Ticket

# The prefixes Outlook, Exchange, Gmail and common autoresponders put before the original subject, in the
# languages the product reads (English, German, French, Spanish, Portuguese, Italian, Dutch).
_AUTOMATIC_SUBJECT = re.compile(
    r"^\s*(?:(?:re|aw|fw|fwd|wg|tr|rv|r)\s*:\s*)*(?:"
    r"automatic\s+reply|auto(?:matic)?[-\s]?(?:reply|response|responder)|out\s+of\s+(?:the\s+)?office|ooo\b"
    r"|abwesenheitsnotiz|automatische\s+antwort|abwesend|nicht\s+im\s+büro"
    r"|réponse\s+automatique|absence\s+du\s+bureau|absent(?:e)?\s+du\s+bureau"
    r"|respuesta\s+automática|fuera\s+de\s+la\s+oficina"
    r"|resposta\s+automática|ausente\s+do\s+escritório|fora\s+do\s+escritório"
    r"|risposta\s+automatica|fuori\s+(?:sede|ufficio)"
    r"|automatisch\s+antwoord|afwezig(?:heid)?|niet\s+op\s+kantoor)\b",
    re.IGNORECASE,
)
_OPENING = frozenset({"subject", "description"})


def is_automatic_subject(subject: str | None) -> bool:
    """True when the subject carries a mail client's automatic-reply prefix."""
    return bool(subject) and _AUTOMATIC_SUBJECT.match(subject or "") is not None


def silence_auto_reply(ticket: Ticket, findings: Sequence[Finding]) -> list[Finding]:
    """The findings without those read in the opening message when the subject says it was sent automatically."""
    if not is_automatic_subject(ticket.subject):
        return list(findings)
    opening = set(_OPENING)
    first = ticket.comments[0] if ticket.comments else None
    if first is not None and first.body.strip() == (ticket.description or "").strip():
        opening.add("comment 1")  # Zendesk repeats the description as the first comment
    return [finding for finding in findings if finding.message() not in opening]
