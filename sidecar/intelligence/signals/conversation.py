"""How the conversation is going: reopens, back-and-forth, a customer left waiting, and the ticket's priority."""
from __future__ import annotations

import math
import re
from datetime import datetime

from sidecar.intelligence.signals.finding import Finding
from sidecar.intelligence.ticket import Ticket

REOPENED = "reopened"
LONG_BACK_AND_FORTH = "long_back_and_forth"
CUSTOMER_WAITING = "customer_waiting"
PRIORITY_HIGH = "priority_high"
PRIORITY_LOW = "priority_low"

WAIT_FLOOR_HOURS = 2.0  # under two hours without a reply is normal service
WAIT_FULL_HOURS = 72.0  # three days without a reply is as bad as it gets
BACK_AND_FORTH_FLOOR = 3  # a question, an answer and a follow-up are normal
BACK_AND_FORTH_FULL = 10

_CLOSED_STATUSES = frozenset(
    {"solved", "closed", "resolved", "pending", "hold", "on-hold", "on_hold", "waiting on customer"}
)
_PRIORITY_FIELDS = re.compile(r"priority|severity|sev\b|impact|urgency")

# Priority names across Zendesk, Salesforce, Jira and Bugzilla, mapped to (signal, strength).
_PRIORITY_SCALE: dict[str, tuple[str, float]] = {
    **{name: (PRIORITY_HIGH, 1.0) for name in (
        "urgent", "critical", "blocker", "emergency", "highest", "p0", "p1", "sev0", "sev1", "sev-0", "sev-1", "s0",
        "s1", "severity 1", "severity1", "1 - critical", "1-critical", "showstopper")},
    **{name: (PRIORITY_HIGH, 0.6) for name in (
        "high", "major", "p2", "sev2", "sev-2", "s2", "severity 2", "severity2", "2 - high", "2-high", "important")},
    **{name: (PRIORITY_LOW, 0.6) for name in ("low", "p4", "minor", "sev4", "s4", "4 - low", "4-low")},
    **{name: (PRIORITY_LOW, 1.0) for name in (
        "lowest", "p5", "trivial", "enhancement", "sev5", "s5", "wishlist", "nice to have", "cosmetic")},
}


def _priority_findings(ticket: Ticket) -> list[Finding]:
    candidates: list[tuple[str, str]] = []
    if ticket.priority:
        candidates.append(("priority", str(ticket.priority)))
    for key, value in ticket.custom_fields.items():
        if isinstance(value, (str, int)) and _PRIORITY_FIELDS.search(str(key).lower()):
            candidates.append((f"custom_fields.{key}", str(value)))
    best: dict[str, Finding] = {}
    for field, value in candidates:
        hit = _PRIORITY_SCALE.get(value.strip().lower())
        if hit is None:
            continue
        signal, strength = hit
        if signal not in best or strength > best[signal].strength:
            best[signal] = Finding(signal, strength, f"{field} = {value}")
    return list(best.values())


def _reopened(ticket: Ticket) -> Finding | None:
    if ticket.reopens <= 0:
        return None
    return Finding(REOPENED, min(1.0, ticket.reopens / 3), f"reopens = {ticket.reopens}")


def _back_and_forth(ticket: Ticket) -> Finding | None:
    turns = 0
    previous: bool | None = None
    for comment in ticket.comments:
        if not comment.public:
            continue
        from_customer = comment.author == "customer"
        if previous is not None and from_customer != previous:
            turns += 1
        previous = from_customer
    if turns <= BACK_AND_FORTH_FLOOR:
        return None
    strength = min(1.0, (turns - BACK_AND_FORTH_FLOOR) / (BACK_AND_FORTH_FULL - BACK_AND_FORTH_FLOOR))
    return Finding(LONG_BACK_AND_FORTH, strength, f"back-and-forth = {turns} turns")


def _waiting(ticket: Ticket, now: datetime | None) -> Finding | None:
    if now is None or (ticket.status or "").strip().lower() in _CLOSED_STATUSES:
        return None
    waiting_since: datetime | None = None
    where = ""
    for index, comment in enumerate(ticket.comments, start=1):
        if not comment.public:
            continue
        if comment.author == "customer":
            if waiting_since is None:
                waiting_since, where = comment.created_at, f"comment {index}"
        else:
            waiting_since = None
    if not ticket.comments and ticket.created_at is not None:
        waiting_since, where = ticket.created_at, "ticket.created_at"
    if waiting_since is None:
        return None
    hours = (now - waiting_since).total_seconds() / 3600
    if hours <= WAIT_FLOOR_HOURS:
        return None
    strength = min(1.0, math.log(hours / WAIT_FLOOR_HOURS) / math.log(WAIT_FULL_HOURS / WAIT_FLOOR_HOURS))
    return Finding(CUSTOMER_WAITING, strength, f"customer waiting {waited(hours)} without a reply (since {where})")


def waited(hours: float) -> str:
    """A waiting time as an agent says it: hours up to two days ("5.5 h"), then days ("7.0 days")."""
    return f"{hours:.1f} h" if hours < 48 else f"{hours / 24:.1f} days"


def detect_ticket(ticket: Ticket, now: datetime | None) -> list[Finding]:
    """Priority, reopen, back-and-forth and waiting-time findings."""
    found = _priority_findings(ticket)
    for finding in (_reopened(ticket), _back_and_forth(ticket), _waiting(ticket, now)):
        if finding is not None:
            found.append(finding)
    return found
