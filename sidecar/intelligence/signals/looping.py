"""A conversation going in circles: near-identical bot/agent replies, a customer repeating themselves."""
from __future__ import annotations

import re

from sidecar.intelligence.message import MessageView
from sidecar.intelligence.signals.finding import Finding, PatternRule, rule_words
from sidecar.intelligence.ticket import Ticket

REPEATED_REPLIES = "repeated_replies"
CUSTOMER_REPEATING = "customer_repeating_themselves"

REPLY_SIMILARITY = 0.8  # word-set Jaccard at which two replies say the same thing
CUSTOMER_SIMILARITY = 0.6  # customers rephrase a little when they repeat themselves
MIN_WORDS = 4  # "Thanks!" twice is not a loop

_ALREADY_SAID = (
    r"\b(?:as\s+i\s+(?:said|mentioned|stated|explained|wrote|told\s+you)|like\s+i\s+(?:said|told\s+you)|"
    r"(?:i|we)(?:'ve|\s+have)?\s+(?:already|repeatedly|just)\s+(?:told|explained|sent|said|provided|tried|answered|"
    r"mentioned|given|done|described|shared|attached|reset|cleared|restarted|reinstalled)|"
    r"(?:please\s+)?(?:read|re-?read)\s+my\s+(?:previous\s+|last\s+|original\s+|first\s+)?(?:message|email|ticket|reply|"
    r"comment|question)|i\s+(?:just\s+)?(?:said|told\s+you)\s+(?:that|this)|(?:same|identical)\s+(?:answer|reply|"
    r"response|message|email)\s+(?:again|as\s+before)|you\s+(?:keep|kept)\s+(?:asking|sending|saying|telling|"
    r"giving|repeating)|going\s+(?:round|around)\s+in\s+circles|(?:stop|quit)\s+(?:asking|sending)\s+(?:me\s+)?the\s+same)\b"
)

RULES: tuple[PatternRule, ...] = (
    PatternRule(CUSTOMER_REPEATING, _ALREADY_SAID, 0.6, policy_question=1.0,
                anchors=rule_words("as like i we read re-read reread same identical you going stop quit")),
)

_WORDS = re.compile(r"[a-z0-9']+")


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def _near_duplicates(items: list[tuple[int, str, frozenset[str]]], threshold: float) -> list[tuple[int, int]]:
    pairs: list[tuple[int, int]] = []
    for i in range(len(items)):
        for j in range(i + 1, len(items)):
            if _jaccard(items[i][2], items[j][2]) >= threshold:
                pairs.append((items[i][0], items[j][0]))
    return pairs


def detect_ticket(ticket: Ticket) -> list[Finding]:
    """Near-identical public replies from bots/agents, and customer comments that repeat an earlier one."""
    replies: list[tuple[int, str, frozenset[str]]] = []
    customer: list[tuple[int, str, frozenset[str]]] = []
    for index, comment in enumerate(ticket.comments, start=1):
        if not comment.public or not comment.body:
            continue
        words = frozenset(_WORDS.findall(comment.body.lower()))
        if len(words) < MIN_WORDS:
            continue
        target = customer if comment.author == "customer" else replies
        target.append((index, comment.author, words))
    # Long threads are capped so the pairwise check stays cheap; recent comments matter most.
    replies, customer = replies[-12:], customer[-12:]
    out: list[Finding] = []
    reply_pairs = _near_duplicates(replies, REPLY_SIMILARITY)
    if reply_pairs:
        first, second = reply_pairs[-1]
        author = ticket.comments[second - 1].author
        view = MessageView.of(f"comment {second}", author, ticket.comments[second - 1].body)
        strength = min(1.0, 0.6 + 0.2 * (len(reply_pairs) - 1))
        out.append(Finding(
            REPEATED_REPLIES,
            strength,
            f"comments {first} and {second} ({author}) are near-identical: \"{view.quote(0, min(len(view.text), 40))}\"",
        ))
    customer_pairs = _near_duplicates(customer, CUSTOMER_SIMILARITY)
    if customer_pairs:
        first, second = customer_pairs[-1]
        view = MessageView.of(f"comment {second}", "customer", ticket.comments[second - 1].body)
        out.append(Finding(
            CUSTOMER_REPEATING,
            min(1.0, 0.6 + 0.2 * (len(customer_pairs) - 1)),
            f"comments {first} and {second} (customer) repeat the same message: "
            f"\"{view.quote(0, min(len(view.text), 40))}\"",
        ))
    return out
