"""The pattern tools behind the fast matcher: splitting alternatives keeps matches, gates are right."""
from __future__ import annotations

import re

import pytest

from sidecar.intelligence.lexicon import (
    gate_sets,
    regex_alternatives,
    trie_alternation,
    typo_variants,
)


@pytest.mark.parametrize(
    "pattern",
    [
        r"\b(?:refund\s+me|(?:want|need)\s+a\s+(?:full\s+)?refund|money\s+back)\b",
        r"\bcall\s+me\b(?!\s+crazy)|\b(?:give|gimme)\s+(?:me|us)\s+a\s+call\b",
        r"(?:^port\b|\bback-?port\w*)",
    ],
)
def test_alternatives_match_exactly_what_the_pattern_matches(pattern):
    texts = ["please refund me", "I want a full refund", "need a refund now", "money back!", "call me crazy",
             "call me at 5", "gimme a call", "port bug 123", "a backported fix", "nothing here"]
    whole = re.compile(pattern)
    parts = [re.compile(p) for p in regex_alternatives(pattern)]
    for text in texts:
        assert bool(whole.search(text)) == any(p.search(text) for p in parts), text


def test_trie_alternation_matches_every_word_and_nothing_else():
    words = ["refund", "refunds", "reimburse", "money back"]
    pattern = re.compile(r"\b(?:" + trie_alternation(words) + r")\b")
    assert all(pattern.fullmatch(w) for w in words)
    assert not pattern.search("refundable")


def test_typo_variants_are_modest():
    variants = typo_variants("agent")
    assert {"agnet", "agentt", "aegnt"} <= variants
    assert "gent" not in variants  # dropping the first letter makes other words


def test_gates_name_a_telling_required_word():
    best = gate_sets(r"is\s+there\s+(?:a|any)\s+(?:number|phone)\s+i\s+can\s+call", word_start=True)[0]
    assert best == [("number", True), ("phone", True)]
    assert gate_sets(r"(?:doesn'?t|does\s+not)\s+work(?:ing)?", word_start=True)[0] == [("work", False)]
