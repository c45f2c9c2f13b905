"""Splitting text into sentences, and telling when two replies say the same thing."""
from __future__ import annotations

import re

from sidecar.intelligence.signals.looping import MIN_WORDS, REPLY_SIMILARITY
from sidecar.intelligence.text.clean import collapse, normalised

_ABBREVIATIONS = frozenset({
    "e.g", "i.e", "etc", "vs", "approx", "no", "nr", "mr", "mrs", "ms", "dr", "st", "inc", "ltd", "co", "corp",
    "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "fig", "ref", "dept",
    "est", "min", "max",
})
_SENTENCE_BREAK = re.compile(r"(?<=[.!?])[\"'\u201d)]?\s+(?=[\"'\u201c(\[]?[A-Z0-9])")


def sentences(text: str) -> list[str]:
    """Split text into sentences (line breaks always end one); abbreviations like 'e.g.' do not."""
    out: list[str] = []
    for line in text.split("\n"):
        line = collapse(line)
        if not line:
            continue
        pieces = _SENTENCE_BREAK.split(line)
        merged: list[str] = []
        for piece in pieces:
            if merged:
                last_word = merged[-1].rsplit(" ", 1)[-1].rstrip(".").lower()
                if last_word in _ABBREVIATIONS or (len(last_word) == 1 and last_word.isalpha()):
                    merged[-1] = f"{merged[-1]} {piece}"
                    continue
            merged.append(piece)
        out.extend(p.strip() for p in merged if p.strip())
    return out


def _words(text: str) -> frozenset[str]:
    return frozenset(re.findall(r"[a-z0-9']+", text.lower()))


def near_identical(a: str, b: str) -> bool:
    """True when two replies say the same thing (same test as the scorer's repeated-replies signal)."""
    if normalised(a) == normalised(b):
        return True
    wa, wb = _words(a), _words(b)
    if len(wa) < MIN_WORDS or len(wb) < MIN_WORDS:
        return False
    return len(wa & wb) / len(wa | wb) >= REPLY_SIMILARITY
