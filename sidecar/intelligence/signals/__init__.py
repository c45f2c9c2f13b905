"""Signal detectors, one module per family, and the one pass that runs the message rules they declare.

Message rules declare anchor words (word starts that every match contains). A message is split into
words once, each distinct word is looked up once (cached), and only rules whose anchors occur are run,
sentence by sentence in long messages. That keeps scoring a ticket cheap (see the README's numbers).
"""
from __future__ import annotations

import re
from datetime import datetime
from functools import lru_cache

from sidecar.intelligence.lexicon import STOP_WORDS
from sidecar.intelligence.message import MessageView
from sidecar.intelligence.signals import (
    billing,
    compliance,
    conversation,
    cross_team,
    customer_value,
    frustration,
    human_request,
    incident,
    looping,
    low_impact,
    other_languages,
)
from sidecar.intelligence.signals.finding import Finding, PatternRule
from sidecar.intelligence.text.clean import body_end
from sidecar.intelligence.ticket import Ticket

MESSAGE_RULES: tuple[PatternRule, ...] = (
    human_request.RULES
    + frustration.RULES
    + looping.RULES
    + incident.RULES
    + billing.RULES
    + compliance.RULES
    + cross_team.RULES
    + customer_value.RULES
    + low_impact.RULES
    + other_languages.RULES
)


# A unit is one alternative of one rule, packed in an int (sets of ints are cheap): rule index * 1024 +
# alternative index + 1, where alternative index -1 is the rule's residual pattern.
Unit = int
_ALT_SLOTS = 1024


def _gate_tables(rules: tuple[PatternRule, ...]) -> dict[Unit, tuple[frozenset[str], ...]]:
    """Each unit's gate sets (sets of keys; a message must hold a key of each), most telling first."""
    gates: dict[Unit, tuple[frozenset[str], ...]] = {}
    for rule_index, rule in enumerate(rules):
        if len(rule.alternatives) >= _ALT_SLOTS - 1:
            raise ValueError(f"{rule.signal}: too many alternatives")
        for alt_index, alternative in enumerate(rule.alternatives):
            gates[rule_index * _ALT_SLOTS + alt_index + 1] = alternative.gates
        if rule.residual is not None:
            gates[rule_index * _ALT_SLOTS] = (frozenset(anchor + "*" for anchor in rule.anchors),)
    return gates


def _is_telling(key: str) -> bool:
    word = key.rstrip("*")
    return len(word) >= 4 and word not in STOP_WORDS


_GATES = _gate_tables(MESSAGE_RULES)
_OPENED_BY: dict[str, frozenset[Unit]] = {}
for _unit, _sets in _GATES.items():
    for _key in _sets[0]:
        _OPENED_BY[_key] = _OPENED_BY.get(_key, frozenset()) | {_unit}
_ALL_KEYS = {key for sets in _GATES.values() for words in sets for key in words}
_WORD_KEYS = frozenset(k for k in _ALL_KEYS if not k.endswith("*"))
_PREFIX_KEYS = frozenset(k[:-1] for k in _ALL_KEYS if k.endswith("*"))
_PREFIX_LENGTHS = sorted({len(key) for key in _PREFIX_KEYS})
# Units opened by a common or short word ("the", "a*") must also find their next required word in
# the message before they run; units opened by a telling word run directly.
_SECOND_LOOK: dict[Unit, frozenset[str]] = {
    unit: sets[1] for unit, sets in _GATES.items() if len(sets) > 1 and not all(_is_telling(k) for k in sets[0])
}
_NEEDS_SECOND_LOOK = frozenset(_SECOND_LOOK)
_TOKEN_PARTS = re.compile(r"[^\w'*&.\[-]+")
_NO_KEYS: frozenset[str] = frozenset()
_NO_UNITS: frozenset[Unit] = frozenset()


@lru_cache(maxsize=65536)
def _keys_for_token(token: str) -> frozenset[str]:
    # Words repeat across messages ("the", "refund,", "dashboard."), so the look-ups behind each
    # distinct word are done once.
    keys: set[str] = set()
    for part in _TOKEN_PARTS.split(token):
        for candidate in {part, part.strip(".'-*")}:
            if candidate in _WORD_KEYS:
                keys.add(candidate)
            for length in _PREFIX_LENGTHS:
                if length > len(candidate):
                    break
                if candidate[:length] in _PREFIX_KEYS:
                    keys.add(candidate[:length] + "*")
    return frozenset(keys) if keys else _NO_KEYS


@lru_cache(maxsize=65536)
def _units_for_token(token: str) -> frozenset[Unit]:
    units: set[Unit] = set()
    for key in _keys_for_token(token):
        units |= _OPENED_BY.get(key, _NO_UNITS)
    return frozenset(units) if units else _NO_UNITS


def units_for(lower: str) -> dict[int, list[int]]:
    """The rule alternatives worth running on this (lower-cased) text: rule index -> alternative indexes."""
    tokens = lower.split()
    if not tokens:
        return {}
    candidates = _NO_UNITS.union(*map(_units_for_token, tokens))
    doubtful = candidates & _NEEDS_SECOND_LOOK
    if doubtful:
        present = _NO_KEYS.union(*map(_keys_for_token, tokens))
        candidates = candidates - {unit for unit in doubtful if present.isdisjoint(_SECOND_LOOK[unit])}
    wanted: dict[int, list[int]] = {}
    for unit in sorted(candidates):
        rule_index, slot = divmod(unit, _ALT_SLOTS)
        chosen = wanted.get(rule_index)
        if chosen is None:
            wanted[rule_index] = [slot - 1]
        else:
            chosen.append(slot - 1)
    return wanted


_SENTENCE_END = re.compile(r"[.!?\n]+(?=\s|$)")
_WINDOW = 160  # messages longer than this are searched sentence by sentence, each rule only where anchored


def _windows(lower: str) -> list[tuple[int, int]]:
    if len(lower) <= _WINDOW:
        return [(0, len(lower))]
    windows: list[tuple[int, int]] = []
    start = 0
    for match in _SENTENCE_END.finditer(lower):
        if match.end() - start >= 60:
            windows.append((start, match.end()))
            start = match.end()
    if start < len(lower):
        windows.append((start, len(lower)))
    return windows


@lru_cache(maxsize=16384)
def _message_findings(where: str, author: str, text: str) -> tuple[Finding, ...]:
    # Cached because re-assessing a ticket (sidebar re-opened, customer wrote again) sees the same
    # earlier messages; findings depend only on (where, author, text).
    view = MessageView.of(where, author, text)
    best: dict[int, Finding] = {}
    for start, end in _windows(view.lower):
        for index, which in units_for(view.lower[start:end]).items():
            rule = MESSAGE_RULES[index]
            kept = best.get(index)
            if kept is not None and kept.strength >= rule.base:
                continue
            finding = rule.find(view, start, end, which)
            if finding is not None and (kept is None or finding.strength > kept.strength):
                best[index] = finding
    found = customer_value.threats_not_requests(view, list(best.values()))
    found.extend(human_request.detect_short_request(view, found))
    found.extend(frustration.detect_shouting(view))
    return tuple(found)


def message_findings(where: str, author: str, text: str) -> tuple[Finding, ...]:
    """Every message-level finding in one customer message (subject, description or comment)."""
    return _message_findings(where, author, text)


def _trend_level(findings: tuple[Finding, ...]) -> float:
    remaining = 1.0
    for finding in findings:
        if finding.signal in frustration.TREND_SIGNALS:
            remaining *= 1.0 - finding.strength
    return 1.0 - remaining


@lru_cache(maxsize=4096)
def _conversation_findings(messages: tuple[tuple[str, str], ...]) -> tuple[Finding, ...]:
    # Cached on the customer's words as a whole: a ticket re-assessed without a new message costs a
    # dictionary look-up here.
    found: list[Finding] = []
    trend: list[tuple[str, float]] = []
    seen: set[str] = set()
    opening_level = -1.0
    for where, text in messages:
        # Zendesk repeats the description as the first comment; count the words once.
        key = text.strip()
        if key in seen:
            continue
        seen.add(key)
        findings = _message_findings(where, "customer", text)
        found.extend(findings)
        level = _trend_level(findings)
        if where in ("subject", "description"):
            # Subject and description are one opening message for the trend.
            opening_level = max(opening_level, level)
        else:
            trend.append((where, level))
    if opening_level >= 0:
        trend.insert(0, ("opening", opening_level))
    rising = frustration.rising_frustration(trend)
    if rising is not None:
        found.append(rising)
    return tuple(found)


def detect_signals(ticket: Ticket, *, now: datetime | None) -> list[Finding]:
    """Every finding for a ticket: the customer's messages, the conversation, and the organisation."""
    # The writer's own words only, as the semantic layer reads them: not the quoted earlier mail, the signature
    # ("Head of Legal") or the confidentiality notice ("may be attorney-client privileged") below them.
    own = tuple((where, text[:body_end(text)]) for where, text in ticket.customer_messages())
    found = list(_conversation_findings(tuple(message for message in own if message[1].strip())))
    found.extend(looping.detect_ticket(ticket))
    found.extend(conversation.detect_ticket(ticket, now))
    found.extend(customer_value.detect_ticket(ticket, now))
    return found


def clear_caches() -> None:
    """Forget every cached finding (benchmarks use this to measure cold assessments)."""
    _message_findings.cache_clear()
    _conversation_findings.cache_clear()
    body_end.cache_clear()
    looping.clear_cache()


__all__ = ["MESSAGE_RULES", "Finding", "clear_caches", "detect_signals", "message_findings", "units_for"]
