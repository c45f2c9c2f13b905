"""What a signal detector reports: a named finding with a strength and the evidence behind it."""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sidecar.intelligence.lexicon import gate_sets, regex_alternatives
from sidecar.intelligence.message import MessageView
from sidecar.intelligence.negation import (
    is_hypothetical,
    is_negated,
    is_policy_question,
    is_resolved_talk,
    sentence_of,
)

HYPOTHETICAL_FACTOR = 0.4  # "if we ever needed a refund" counts, but far less than "refund me"
POLICY_QUESTION_FACTOR = 0.5  # "what is your refund policy?" is a question, not a demand
# "Thanks for fixing the outage last week" names an incident that is over: it counts a quarter.
RESOLVED_FACTOR = 0.25
RESOLVABLE_CATEGORIES = frozenset({"bug_incident", "billing_refund", "compliance_security", "cross_team"})


@dataclass(frozen=True, slots=True)
class Finding:
    """One piece of evidence for a signal: strength 0..1 (how sure / how strong), and where it was seen.

    Message findings keep (view, start, end) and quote lazily: only the strongest finding per signal is
    shown, so most quotes would never be read.
    """

    signal: str
    strength: float
    evidence: str = ""
    category: str | None = None
    span: tuple[MessageView, int, int] | None = None
    where: str | None = None  # the message a finding without a span was read in (a semantic reading's)

    @property
    def read_by_layer(self) -> bool:
        """True for the semantic layer's reading of a sentence: it keeps its message, not a span of matched words."""
        return self.span is None and self.where is not None

    def message(self) -> str | None:
        """The message the finding was read in ("description", "comment 3"); None for the ticket's own facts."""
        return self.span[0].where if self.span is not None else self.where

    def describe(self) -> str:
        """The evidence as a person reads it: 'comment 3 (customer): "...refund me..."' or 'reopens = 3'."""
        if self.span is not None:
            view, start, end = self.span
            return view.evidence(start, end)
        return self.evidence


def judged_strength(
    view: MessageView,
    start: int,
    end: int,
    base: float,
    *,
    hypothetical: float = HYPOTHETICAL_FACTOR,
    policy_question: float = POLICY_QUESTION_FACTOR,
    resolved: float = 1.0,
    sentence: tuple[int, int] | None = None,
) -> float:
    """The strength of a match after its context: 0 when negated, less when hypothetical or a policy question."""
    if is_negated(view, start, end):
        return 0.0
    strength = base
    if hypothetical != 1.0 or policy_question != 1.0 or resolved != 1.0:
        sentence = sentence or sentence_of(view, start, end)
        if resolved != 1.0 and is_resolved_talk(view, start, end, sentence=sentence):
            strength *= resolved
        if hypothetical != 1.0 and is_hypothetical(view, start, end, sentence=sentence):
            strength *= hypothetical
        if policy_question != 1.0 and is_policy_question(view, start, end, sentence=sentence):
            strength *= policy_question
    return strength


Judge = Callable[[MessageView, "re.Match[str]", "PatternRule"], float]
# What a judge returns for words that are not what its rule means at all ("we want to invite our entire
# team" is no reach of a failure). Unlike 0.0 (the rule's meaning, negated or set aside: "I don't want a
# refund"), it leaves no finding behind, so the semantic layer may still read the sentence.
NOT_MEANT = -1.0


def default_judge(view: MessageView, match: re.Match[str], rule: PatternRule) -> float:
    """The rule's base strength, judged in the match's context."""
    return judged_strength(
        view,
        match.start(),
        match.end(),
        rule.base,
        hypothetical=rule.hypothetical,
        policy_question=rule.policy_question,
        resolved=rule.resolved,
    )


_MAX_JUDGED = 2  # matches judged per rule and message; the first full-strength one ends the search


class Alternative:
    """One alternative of a rule's pattern, and the word a message must contain for it to run."""

    __slots__ = ("gates", "pattern", "word_start")

    def __init__(self, source: str, flags: int) -> None:
        word_start = source.startswith(r"\b")
        body = source[2:] if word_start else source
        # Sets of gate keys ("refund" = that whole word, "refund*" = a word starting so); a message
        # must contain a key of every set for the alternative to be worth running. Most telling first.
        self.gates = tuple(
            frozenset(word if whole else word + "*" for word, whole in words)
            for words in gate_sets(body, word_start=word_start)
        )
        # Python's `re` skips quickly to candidate positions only when a pattern starts with literal
        # text (or one of a few characters); a leading \b disables that (measured 7x slower), so it is
        # dropped then and checked in Python instead.
        self.word_start = word_start and _has_fast_prefix(body, flags)
        self.pattern = re.compile(body if self.word_start else source, flags)


def _has_fast_prefix(body: str, flags: int) -> bool:
    try:
        from re import (  # type: ignore[attr-defined]  # internal, without stubs; a surprise means "keep the \b"
            _compiler,
            _parser,
        )

        parsed = _parser.parse(body, flags)
        if _compiler._get_literal_prefix(parsed, flags)[0]:
            return True
        charset = _compiler._get_charset_prefix(parsed, flags)
        return charset is not None and len(charset) <= 6
    except (ImportError, AttributeError, TypeError, ValueError, IndexError, re.error):
        return False


class PatternRule:
    """A pattern that, when it matches in context, reports a signal with a base strength.

    The pattern is split into literal-led alternatives (lexicon.regex_alternatives); each runs only on
    messages containing its first word. Alternatives that do not start with a literal word are kept
    together and run when one of the rule's `anchors` (word starts every such match contains) occurs.
    """

    __slots__ = (
        "alternatives",
        "anchors",
        "base",
        "case_sensitive",
        "category",
        "hypothetical",
        "judge",
        "policy_question",
        "residual",
        "resolved",
        "signal",
        "source",
        "whole",
    )

    def __init__(
        self,
        signal: str,
        pattern: str | re.Pattern[str],
        base: float,
        category: str | None = None,
        *,
        anchors: Iterable[str] = (),
        hypothetical: float = HYPOTHETICAL_FACTOR,
        policy_question: float = POLICY_QUESTION_FACTOR,
        resolved: float | None = None,
        judge: Judge = default_judge,
        case_sensitive: bool = False,
        max_alternatives: int = 64,
        tail: str | None = None,
    ) -> None:
        self.signal = signal
        source = pattern.pattern if isinstance(pattern, re.Pattern) else pattern
        self.source = source
        self.base = base
        self.category = category
        self.anchors = tuple(a.lower() for a in anchors)
        self.hypothetical = hypothetical
        self.policy_question = policy_question
        # A reason for an expert (a rule with a category) counts less in talk about something already over;
        # customer value and the human-request rules keep theirs unless they say otherwise.
        self.resolved = resolved if resolved is not None else (
            RESOLVED_FACTOR if category in RESOLVABLE_CATEGORIES else 1.0)
        self.judge = judge
        self.case_sensitive = case_sensitive
        # With a tail, only the head is split (small patterns compile fast); a head match is confirmed
        # by matching head + tail, compiled once, at the same position.
        self.whole = re.compile(source + tail) if tail else None
        gated: list[Alternative] = []
        rest: list[str] = []
        for alt in regex_alternatives(source, limit=max_alternatives):
            alternative = Alternative(alt, 0)
            if alternative.gates:
                gated.append(alternative)
            else:
                rest.append(alt)
        self.alternatives = tuple(gated)
        self.residual = re.compile("|".join(f"(?:{alt})" for alt in rest)) if rest else None
        if self.residual is not None and not self.anchors:
            raise ValueError(f"{signal}: alternatives without a leading word need anchors: {rest[:2]}")

    def find(
        self, view: MessageView, start: int, end: int, which: Iterable[int]
    ) -> Finding | None:
        """The strongest in-context match among the chosen alternatives (-1 = the residual pattern)."""
        haystack = view.text if self.case_sensitive else view.lower
        best: re.Match[str] | None = None
        best_strength = 0.0
        judged = 0
        ruled_out: re.Match[str] | None = None
        for index in which:
            if index < 0:
                if self.residual is None:  # cannot happen: the prefilter names the residual only when there is one
                    raise RuntimeError("no residual pattern to search")
                pattern, word_start = self.residual, False
            else:
                alternative = self.alternatives[index]
                pattern, word_start = alternative.pattern, alternative.word_start
            # search() rather than finditer(): most alternatives do not match, and a failed search is
            # the cheapest way to find that out.
            match = pattern.search(haystack, start, end)
            while match is not None:
                at = match.start()
                resume = max(match.end(), at + 1)
                if word_start and at > 0 and (haystack[at - 1].isalnum() or haystack[at - 1] == "_"):
                    match = pattern.search(haystack, at + 1, end)
                    continue
                if self.whole is not None:
                    match = self.whole.match(haystack, at, end)
                    if match is None:
                        match = pattern.search(haystack, resume, end)
                        continue
                strength = self.judge(view, match, self)
                judged += 1
                if strength == 0.0 and ruled_out is None:
                    ruled_out = match
                if strength > best_strength:
                    best, best_strength = match, strength
                    if strength >= self.base:
                        return Finding(self.signal, strength, category=self.category,
                                       span=(view, match.start(), match.end()))
                if judged >= _MAX_JUDGED:
                    break
                match = pattern.search(haystack, resume, end)
        if best is None:
            if ruled_out is None:
                return None
            # The phrase is there but its context rules it out ("I don't want to talk to a manager"): a
            # finding of strength 0 that weighs nothing, so that the semantic layer, which reads meaning
            # and not negation, does not report what the rules have read and set aside.
            return Finding(self.signal, 0.0, category=self.category, span=(view, ruled_out.start(), ruled_out.end()))
        return Finding(self.signal, best_strength, category=self.category, span=(view, best.start(), best.end()))


def rule_words(text: str) -> tuple[str, ...]:
    """Split a whitespace-separated anchor list."""
    return tuple(text.split())
