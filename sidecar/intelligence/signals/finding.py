"""What a signal detector reports: a named finding with a strength and the evidence behind it."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Iterable

from sidecar.intelligence.message import MessageView
from sidecar.intelligence.negation import is_hypothetical, is_negated, is_policy_question

HYPOTHETICAL_FACTOR = 0.4  # "if we ever needed a refund" counts, but far less than "refund me"
POLICY_QUESTION_FACTOR = 0.5  # "what is your refund policy?" is a question, not a demand


@dataclass(frozen=True, slots=True)
class Finding:
    """One piece of evidence for a signal: strength 0..1 (how sure / how strong), and where it was seen."""

    signal: str
    strength: float
    evidence: str
    category: str | None = None


def judged_strength(
    view: MessageView,
    start: int,
    end: int,
    base: float,
    *,
    hypothetical: float = HYPOTHETICAL_FACTOR,
    policy_question: float = POLICY_QUESTION_FACTOR,
) -> float:
    """The strength of a match after its context: 0 when negated, less when hypothetical or a policy question."""
    if is_negated(view, start, end):
        return 0.0
    strength = base
    if hypothetical != 1.0 and is_hypothetical(view, start, end):
        strength *= hypothetical
    if policy_question != 1.0 and is_policy_question(view, start, end):
        strength *= policy_question
    return strength


def strongest(findings: list[Finding]) -> list[Finding]:
    """Keep the strongest finding per signal name (a message says the same thing once)."""
    best: dict[str, Finding] = {}
    for finding in findings:
        kept = best.get(finding.signal)
        if kept is None or finding.strength > kept.strength:
            best[finding.signal] = finding
    return list(best.values())


Judge = Callable[[MessageView, "re.Match[str]", "PatternRule"], float]


def default_judge(view: MessageView, match: "re.Match[str]", rule: "PatternRule") -> float:
    """The rule's base strength, judged in the match's context."""
    return judged_strength(
        view,
        match.start(),
        match.end(),
        rule.base,
        hypothetical=rule.hypothetical,
        policy_question=rule.policy_question,
    )


class PatternRule:
    """A compiled pattern that, when it matches in context, reports a signal with a base strength.

    `anchors` are word starts of which at least one occurs in every match; a message is only searched
    with this rule when one of them is present (one fast pass finds them for all rules at once).
    """

    __slots__ = ("signal", "pattern", "base", "category", "anchors", "hypothetical", "policy_question",
                 "judge", "case_sensitive")

    def __init__(
        self,
        signal: str,
        pattern: str | re.Pattern[str],
        base: float,
        category: str | None = None,
        *,
        anchors: Iterable[str],
        hypothetical: float = HYPOTHETICAL_FACTOR,
        policy_question: float = POLICY_QUESTION_FACTOR,
        judge: Judge = default_judge,
        case_sensitive: bool = False,
    ) -> None:
        self.signal = signal
        self.pattern = pattern if isinstance(pattern, re.Pattern) else re.compile(pattern)
        self.base = base
        self.category = category
        self.anchors = tuple(a.lower() for a in anchors)
        self.hypothetical = hypothetical
        self.policy_question = policy_question
        self.judge = judge
        self.case_sensitive = case_sensitive

    def find(self, view: MessageView) -> list[Finding]:
        """Findings for every in-context match of this rule in the message (negated matches dropped)."""
        out: list[Finding] = []
        haystack = view.text if self.case_sensitive else view.lower
        for match in self.pattern.finditer(haystack):
            strength = self.judge(view, match, self)
            if strength > 0:
                out.append(Finding(self.signal, strength, view.evidence(match.start(), match.end()), self.category))
        return out


def rule_words(text: str) -> tuple[str, ...]:
    """Split a whitespace-separated anchor list."""
    return tuple(text.split())
