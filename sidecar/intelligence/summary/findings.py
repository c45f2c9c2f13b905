"""The findings: each expert statement's informative sentences, and the few worth showing."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sidecar.intelligence.summary.events import is_expert_statement
from sidecar.intelligence.summary.patterns import (
    FINDING_THRESHOLD,
    clean_statement,
    is_progress_only,
    sentence_score,
    statement_kinds,
)
from sidecar.intelligence.summary.rolling import FINDING_MAX, MAX_FINDINGS
from sidecar.intelligence.text.clean import truncate
from sidecar.intelligence.text.sentences import near_identical

_AGE_PENALTY = 0.35  # per newer expert statement: recent findings win ties
_COVER_BONUS = 1.0  # per kind of finding not yet shown: a cause and a fix beat two fixes


@dataclass(frozen=True)
class Candidate:
    """One expert statement as a possible finding: its informative text, how informative, and its kinds."""

    index: int  # position in the ordered timeline
    text: str
    score: float
    kinds: frozenset[str]


def find_candidates(events: Sequence[Mapping[str, Any]]) -> list[Candidate]:
    """One candidate per expert statement: its informative sentences (or, failing those, its progress line)."""
    out = []
    for index, event in enumerate(events):
        if not is_expert_statement(event):
            continue
        scored = [(s, sentence_score(s)) for s in clean_statement(event["text"], system=event["system"])]
        informative = [(i, s, score) for i, (s, score) in enumerate(scored) if score >= FINDING_THRESHOLD]
        if informative:
            chosen: list[tuple[int, str, float]] = []
            length = 0
            for item in sorted(informative, key=lambda x: -x[2]):
                extra = len(item[1]) + (1 if chosen else 0)
                if chosen and length + extra > FINDING_MAX:
                    continue
                chosen.append(item)
                length += extra
            chosen.sort()
            text = truncate(" ".join(s for _, s, _ in chosen), FINDING_MAX)
            kinds = frozenset().union(*(statement_kinds(s) for _, s, _ in chosen))
            out.append(Candidate(index, text, max(score for _, _, score in chosen), kinds))
            continue
        progress = [s for s, _ in scored if is_progress_only(s)]
        if progress:
            out.append(Candidate(index, truncate(progress[0], FINDING_MAX), 0.5, frozenset({"progress"})))
    return out


def pick_findings(candidates: Sequence[Candidate]) -> list[str]:
    """At most 3 findings, newest first: the most informative statements, recent ones and new kinds preferred."""
    informative = [c for c in candidates if c.score >= FINDING_THRESHOLD]
    if not informative:
        progress = [c for c in candidates if "progress" in c.kinds]
        return [progress[-1].text] if progress else []
    pool = list(informative)
    newest_first = sorted(pool, key=lambda c: -c.index)
    age = {id(c): rank for rank, c in enumerate(newest_first)}
    chosen: list[Candidate] = []
    covered: set[str] = set()
    while pool and len(chosen) < MAX_FINDINGS:
        best = max(pool, key=lambda c: (c.score - _AGE_PENALTY * age[id(c)] + _COVER_BONUS * len(c.kinds - covered),
                                        c.index))
        pool.remove(best)
        if any(near_identical(best.text, c.text) for c in chosen):
            continue
        chosen.append(best)
        covered |= best.kinds
    return [c.text for c in sorted(chosen, key=lambda c: -c.index)]
