"""The rolling summary's record: where an escalation stands, as short lines and as its parts."""
from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sidecar.intelligence.text.clean import collapse, truncate

SOURCES = ("extractive", "llm")
FINDING_MAX = 200
MAX_FINDINGS = 3
PROBLEM_MAX = 200
STATUS_MAX = 120
NEXT_STEP_MAX = 200
OWNER_MAX = 120


@dataclass(frozen=True)
class RollingSummary:
    """Where an escalation stands, as 4-6 short lines (`text`) and as its parts."""

    problem: str
    findings: tuple[str, ...]
    status: str
    next_step: str
    owner: str | None
    text: str
    source: str  # extractive | llm

    @classmethod
    def compose(
        cls,
        *,
        problem: str,
        findings: Iterable[str],
        status: str,
        next_step: str,
        owner: str | None,
        source: str,
    ) -> RollingSummary:
        """Build a summary from its parts, each cleaned to one line and cut to its limit; `text` is derived."""
        if source not in SOURCES:
            raise ValueError(f"summary source must be one of {', '.join(SOURCES)}, not {source!r}")
        problem = truncate(collapse(problem), PROBLEM_MAX)
        cleaned = tuple(truncate(collapse(f), FINDING_MAX) for f in findings if collapse(f))[:MAX_FINDINGS]
        status = truncate(collapse(status), STATUS_MAX)
        next_step = truncate(collapse(next_step), NEXT_STEP_MAX)
        owner = truncate(collapse(owner), OWNER_MAX) or None if owner else None
        lines = [f"Problem: {problem or 'not stated'}",
                 f"Status: {status}" + (f"; owner: {owner}" if owner else "")]
        lines += [f"Finding: {finding}" for finding in cleaned] or ["Findings: nothing reported yet"]
        lines.append(f"Next step: {next_step}")
        return cls(problem=problem, findings=cleaned, status=status, next_step=next_step, owner=owner,
                   text="\n".join(lines), source=source)

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data (findings as a list), e.g. for the escalation row and templates."""
        data = dataclasses.asdict(self)
        data["findings"] = list(self.findings)
        return data
