"""A conversation going in circles: near-identical bot/agent replies, a customer repeating themselves."""
from __future__ import annotations

import re
from functools import lru_cache

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
    r"(?:please\s+)?(?:read|re-?read)\s+my\s+(?:previous\s+|last\s+|original\s+|first\s+)?(?:message|email|ticket"
    r"|reply|"
    r"comment|question)|i\s+(?:just\s+)?(?:said|told\s+you)\s+(?:that|this)|(?:same|identical)\s+(?:answer|reply|"
    r"response|message|email)\s+(?:again|as\s+before)|you\s+(?:keep|kept)\s+(?:asking|sending|saying|telling|"
    r"giving|repeating)|going\s+(?:round\s+|around\s+)?in\s+circles|(?:same|identical)\s+(?:canned\s+)?(?:answer"
    r"|reply|response)|(?:stop|quit)\s+(?:asking"
    r"|sending)\s+(?:me\s+)?the\s+same)\b"
)

RULES: tuple[PatternRule, ...] = (
    PatternRule(CUSTOMER_REPEATING, _ALREADY_SAID, 0.6, policy_question=1.0,
                anchors=rule_words("as like i we read re-read reread same identical you going stop quit")),
)

_WORDS = re.compile(r"[a-z0-9']+")


@lru_cache(maxsize=16384)
def _word_set(body: str) -> frozenset[str]:
    # Cached: a ticket is re-assessed with the same comments many times.
    return frozenset(_WORDS.findall(body.lower()))


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
    numbered = tuple(
        (index, c.author, c.body) for index, c in enumerate(ticket.comments, start=1) if c.public and c.body
    )
    return list(_loops(numbered)) if len(numbered) >= 2 else []


@lru_cache(maxsize=4096)
def _loops(numbered: tuple[tuple[int, str, str], ...]) -> tuple[Finding, ...]:
    # Cached on the conversation itself: re-assessing the same ticket repeats the pairwise comparisons.
    replies: list[tuple[int, str, frozenset[str]]] = []
    customer: list[tuple[int, str, frozenset[str]]] = []
    bodies = {index: (author, body) for index, author, body in numbered}
    for index, author, body in numbered:
        words = _word_set(body)
        if len(words) < MIN_WORDS:
            continue
        target = customer if author == "customer" else replies
        target.append((index, author, words))
    # Long threads are capped so the pairwise check stays cheap; recent comments matter most.
    replies, customer = replies[-12:], customer[-12:]
    out: list[Finding] = []
    reply_pairs = _near_duplicates(replies, REPLY_SIMILARITY)
    if reply_pairs:
        first, second = reply_pairs[-1]
        author, body = bodies[second]
        view = MessageView.of(f"comment {second}", author, body)
        strength = min(1.0, 0.6 + 0.2 * (len(reply_pairs) - 1))
        out.append(Finding(
            REPEATED_REPLIES,
            strength,
            f"comments {first} and {second} ({author}) are near-identical: "
            f"\"{view.quote(0, min(len(view.text), 40))}\"",
        ))
    customer_pairs = _near_duplicates(customer, CUSTOMER_SIMILARITY)
    if customer_pairs:
        first, second = customer_pairs[-1]
        view = MessageView.of(f"comment {second}", "customer", bodies[second][1])
        out.append(Finding(
            CUSTOMER_REPEATING,
            min(1.0, 0.6 + 0.2 * (len(customer_pairs) - 1)),
            f"comments {first} and {second} (customer) repeat the same message: "
            f"\"{view.quote(0, min(len(view.text), 40))}\"",
        ))
    return tuple(out)


def clear_cache() -> None:
    """Forget cached word sets and loop findings."""
    _word_set.cache_clear()
    _loops.cache_clear()
