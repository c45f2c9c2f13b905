"""Turn word lists into fast regular expressions: prefix-trie alternations and modest typo variants."""
from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any


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


def _structure(source: str, start: int = 0) -> Iterator[tuple[int, str, int]]:
    """Yield (index, character, group depth after it) for each character of a regex source from start that
    stands outside escapes and character classes (where '(', ')' and '|' mean nothing)."""
    depth = 0
    i = start
    in_class = False
    while i < len(source):
        ch = source[i]
        if ch == "\\":
            i += 2
            continue
        if in_class:
            if ch == "]":
                in_class = False
        elif ch == "[":
            in_class = True
            if source[i + 1:i + 2] == "^":
                i += 1
            if source[i + 1:i + 2] == "]":
                i += 1
        else:
            depth += {"(": 1, ")": -1}.get(ch, 0)
            yield i, ch, depth
        i += 1


def _group_end(source: str, start: int) -> int:
    """Index just past the group that opens at source[start] == '('."""
    for i, ch, depth in _structure(source, start):
        if ch == ")" and depth == 0:
            return i + 1
    raise ValueError(f"unbalanced group in {source[:60]!r}")


def _split_top_level(source: str) -> list[str]:
    """Split a regex source on its top-level '|'."""
    parts: list[str] = []
    last = 0
    for i, ch, depth in _structure(source):
        if ch == "|" and depth == 0:
            parts.append(source[last:i])
            last = i + 1
    parts.append(source[last:])
    return parts


_QUANTIFIER_START = "?*+{"


def regex_alternatives(source: str, *, limit: int = 64) -> list[str]:
    """Rewrite a pattern as alternatives with the same matches, leading non-capturing groups distributed.

    `\\b(?:refund me|(?:want|need) a refund)\\b` becomes `\\brefund me\\b`, `\\bwant a refund\\b`,
    `\\bneed a refund\\b`: each starts with literal text, which Python's `re` can scan for quickly and
    which names the word a message must contain for the alternative to be worth running.
    """
    pending = _split_top_level(source)
    done: list[str] = []
    while pending:
        alt = pending.pop(0)
        lead = r"\b" if alt.startswith(r"\b") else ""
        body = alt[len(lead):]
        if body.startswith("(?:") and len(done) + len(pending) < limit:
            end = _group_end(body, 0)
            rest = body[end:]
            if not rest or rest[0] not in _QUANTIFIER_START:
                inner = _split_top_level(body[3:end - 1])
                if len(done) + len(pending) + len(inner) <= limit:
                    pending[0:0] = [lead + part + rest for part in inner]
                    continue
        done.append(alt)
    return done


# Words too common to tell messages apart; a gate is only one of them when nothing better is required.
STOP_WORDS = frozenset(
    ["a", "an", "the", "i", "you", "u", "is", "it", "to", "of", "and", "in", "on", "for", "my", "our", "your", "this",
     "that", "can", "do", "does", "did", "not", "no", "be", "we", "me", "us", "are", "was", "were", "with", "at",
     "by", "or", "have", "has", "had", "will", "would", "could", "should", "just", "please", "so", "if", "get", "as",
     "from", "they", "he", "she", "them", "its", "what", "how", "who", "why", "when", "where", "which", "there",
     "here", "all", "any", "some"]
)
_WORD_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789&*-")
_MAX_GATES = 48  # more alternative first words than this and the gate is not worth it


def _constants():
    from re import (
        _constants,  # internal: callers fall back to "no gate" on any surprise
    )

    return _constants


def _is_space(op: object, av: Any) -> bool:
    C = _constants()
    if op is C.IN:
        return all(
            (o is C.CATEGORY and a is C.CATEGORY_SPACE) or (o is C.LITERAL and chr(a) in " ,\t\n") for o, a in av
        )
    if op is C.LITERAL:
        return chr(av) in " \t\n"
    if op in (C.MAX_REPEAT, C.MIN_REPEAT) and av[0] >= 1:
        inner = list(av[2])
        return len(inner) == 1 and _is_space(*inner[0])
    return False


def _lead_words(items: list, prefix: str = "") -> list[tuple[str, bool]] | None:
    """The words a match of `items` can start with: [(word, whole word?)], None when unknown."""
    C = _constants()
    word = prefix
    for index, (op, av) in enumerate(items):
        if op is C.LITERAL and chr(av) in _WORD_CHARS:
            word += chr(av)
            continue
        if op is C.BRANCH:
            out: list[tuple[str, bool]] = []
            for alternative in av[1]:
                sub = _lead_words(list(alternative) + items[index + 1:], word)
                if sub is None or len(out) + len(sub) > _MAX_GATES:
                    return None
                out.extend(sub)
            return out
        if not word:
            return None
        exact = _is_space(op, av) or (op is C.AT and av is C.AT_BOUNDARY)
        return [(word, exact)]
    return [(word, False)] if word else None


def required_words(source: str, *, word_start: bool) -> list[list[tuple[str, bool]]]:
    r"""Word sets every match of `source` contains one of, each word with True when it is a whole word.

    `is\s+there\s+a\s+(?:phone|number)` gives [[("is", True)], [("there", True)], [("a", True)],
    [("phone", False), ("number", False)]]: any match contains "is", "there", "a", and "phone" or "number"
    at a word start. Words inside optional parts are not required and are not listed.
    """
    from re import _parser  # type: ignore[attr-defined]  # re's internal parser has no stubs

    C = _constants()
    items = list(_parser.parse(source, 0))
    found: list[list[tuple[str, bool]]] = []
    clean = word_start  # are we at the start of a word?
    for index, (op, av) in enumerate(items):
        if clean and (op is C.BRANCH or (op is C.LITERAL and chr(av) in _WORD_CHARS)):
            words = _lead_words(items[index:])
            if words:
                found.append(words)
        if op is C.LITERAL and chr(av) in _WORD_CHARS:
            clean = False
        elif _is_space(op, av):
            clean = True
        elif op in (C.MAX_REPEAT, C.MIN_REPEAT) and av[0] == 0:
            inner = list(av[2])
            clean = clean and bool(inner) and _is_space(*inner[-1])
        elif op is C.AT:
            clean = av in (C.AT_BOUNDARY, C.AT_BEGINNING, C.AT_BEGINNING_STRING)
        elif op in (C.ASSERT, C.ASSERT_NOT):
            continue
        else:
            clean = False
    return found


def _gate_quality(words: list[tuple[str, bool]]) -> tuple[int, int]:
    """How well a word set tells messages apart: judged by its weakest word."""
    def quality(word: str) -> tuple[int, int]:
        if len(word) >= 3 and word not in STOP_WORDS:
            return (2, len(word))
        if word in STOP_WORDS:
            return (1, len(word))
        return (0, len(word))

    return min(quality(word) for word, _ in words)


def gate_sets(source: str, *, word_start: bool) -> list[list[tuple[str, bool]]]:
    """Every required word set of `source`, the most telling first; [] when none is known."""
    try:
        candidates = required_words(source, word_start=word_start)
    except (ImportError, AttributeError, TypeError, ValueError, IndexError, RecursionError, re.error):
        return []
    candidates = [c for c in candidates if c]
    candidates.sort(key=_gate_quality, reverse=True)
    return candidates
