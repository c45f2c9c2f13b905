"""Turn word lists into fast regular expressions: prefix-trie alternations and modest typo variants."""
from __future__ import annotations

import re
from typing import Iterable


def trie_alternation(phrases: Iterable[str]) -> str:
    """A regex alternation of literal phrases, factored by common prefix so matching stays fast."""
    # Python's `re` tries every branch of a flat alternation at every position; a trie tries one.
    root: dict = {}
    for phrase in phrases:
        if not phrase:
            continue
        node = root
        for char in phrase:
            node = node.setdefault(char, {})
        node[""] = {}
    return _emit(root) if root else "(?!)"


def _emit(node: dict) -> str:
    ends_here = "" in node
    branches = [re.escape(char) + _emit(child) for char, child in sorted(node.items()) if char != ""]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    if ends_here:
        # A shorter phrase ends here: everything after is optional.
        return "(?:" + body + ")?"
    return body


def typo_variants(word: str) -> set[str]:
    """Common one-slip misspellings of a word: swapped neighbours, and for long words a dropped letter."""
    variants = {word}
    for i in range(len(word) - 1):
        if word[i] != word[i + 1]:
            variants.add(word[:i] + word[i + 1] + word[i] + word[i + 2:])
    for i in range(1, len(word) + 1):
        # A held key types a letter twice ("talkk"); only doubling an existing letter.
        variants.add(word[:i] + word[i - 1] + word[i:])
    if len(word) >= 6:
        # Dropping the first letter makes a different word too often ("operator" -> "perator" is fine,
        # "agent" -> "gent" is not), so only inner and final letters are dropped.
        for i in range(1, len(word)):
            variants.add(word[:i] + word[i + 1:])
    return variants


def with_typos(words: Iterable[str], *, exclude: Iterable[str] = ()) -> list[str]:
    """The words plus their typo variants, minus variants that are real words we must not confuse."""
    excluded = set(exclude)
    out: set[str] = set()
    for word in words:
        out.add(word)
        if " " in word:
            continue
        out.update(v for v in typo_variants(word) if v not in excluded)
    return sorted(out)


def word_regex(phrases: Iterable[str], *, flags: int = 0) -> re.Pattern[str]:
    """A compiled regex matching any of the phrases as whole words."""
    return re.compile(r"\b" + trie_alternation(phrases) + r"\b", flags)
