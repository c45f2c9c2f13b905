"""Is a matched phrase negated, hypothetical, or only a question? Checked in the clause around the match."""
from __future__ import annotations

import re

from sidecar.intelligence.message import MessageView

PREFIX_WINDOW = 48  # characters before a match that can still negate it ("we do not need a ...")

# Where a clause begins: a sentence end, a comma/semicolon, or a contrast word ("..., but refund me").
_CLAUSE_BREAK = re.compile(r"[.!?;:\n]|,\s|\b(?:but|however|although|though|yet|except|instead)\b")

# A negator right before the match (at most two words between): "no data was lost", "did not crash",
# "haven't been charged twice". Complaints that merely contain a negative word are excluded: "can't
# reach anyone", "not working", "never got my refund", "no one answers", "don't know how to ...".
_NEGATOR_WORD = (
    r"(?:no(?!\s+(?:one|body|response|reply|answer|way|idea|matter|sooner|help|luck|progress))"
    r"|not(?!\s+(?:only|just|able|sure|even|yet|working|loading|responding|opening|starting|syncing|saving|"
    r"sending|resolved|fixed|received|refunded|happy|satisfied|helpful|acceptable|ok|okay|good|fair)\b)"
    r"|never(?!\s+(?:got|received|heard|had|arrived|came|answered|responded|replied|resolved|fixed)\b)"
    r"|without|nothing|none|neither|nor|hardly|zero"
    r"|(?:do|does|did|is|was|are|were|have|has|had|would|should|wo|need|must|ai)(?:n'?t|n\u2019t)"
    r"(?!\s+(?:know|even|understand|seem|think|get|got|work|load|open|respond|answer|help|reply|receive|"
    r"see|hear|arrive|come|show|go|stop|start|fix|solve|resolve)\b))"
)
_NEGATOR_NEAR = re.compile(r"\b" + _NEGATOR_WORD + r"(?:\s+[\w'\u2019]+){0,2}[\s,]*$")

# A negated wish anywhere earlier in the clause: "we do not need a ...", "no need to ...".
_NEGATED_WISH = re.compile(
    r"(?:n'?t|n\u2019t|\bnot|\bnever|\bno\s+longer)\s+(?:\w+\s+)?(?:need|want|require|wish|ask|asking|request|"
    r"requesting|expect|expecting|plan|planning|intend|intending|looking\s+for|have\s+to|mean|care|interested)\b"
    r"|\bno\s+need\b|\brather\s+not\b|\bnever\s*mind\b|\bnevermind\b|\bwithout\b"
)

# After the match: "... is not needed", "... was not affected".
_POST_NEGATION = re.compile(
    r"^[\w\s'-]{0,20}?\b(?:is|was|are|were|be|been|isn'?t|wasn'?t|aren'?t|weren'?t)?\s*(?:not|n'?t|never)\s+"
    r"(?:needed|necessary|required|an?\s+(?:issue|problem|concern|option)|affected|impacted|lost|compromised|"
    r"breached|exposed|urgent|critical|important|happening|the\s+case|true)\b"
)

_HYPOTHETICAL = re.compile(
    r"\b(?:if|in\s+case|whether|what\s+if|suppose|supposing|hypothetically|in\s+the\s+event|"
    r"should\s+(?:we|i|you|it)\s+ever|would\s+(?:it|you|i|we)\s+be|would\s+there\s+be|"
    r"might|may\s+(?:need|want|have\s+to)|could\s+(?:we|i)\s+(?:ever|potentially|theoretically)|"
    r"for\s+future\s+reference|just\s+(?:curious|wondering)|in\s+the\s+future|one\s+day)\b"
)

_QUESTION_OPENER = re.compile(
    r"^\s*(?:what|what's|whats|how|is|are|do|does|can|could|would|will|where|when|which|who|may|should)\b"
)
_POLICY_WORDS = re.compile(
    r"\b(?:policy|policies|process|procedure|eligible|eligibility|allowed|possible|work|works|terms|rules|"
    r"how\s+long|timeline|timeframe|options?|conditions|guidelines|available|offer)\b"
)


def clause_bounds(view: MessageView, start: int, end: int) -> tuple[int, int]:
    """The start and end of the clause holding text[start:end]."""
    lower = view.lower
    window_start = max(0, start - 160)
    clause_start = window_start
    for match in _CLAUSE_BREAK.finditer(lower, window_start, start):
        clause_start = match.end()
    next_break = _CLAUSE_BREAK.search(lower, end, min(len(lower), end + 160))
    clause_end = next_break.start() if next_break else min(len(lower), end + 160)
    return clause_start, clause_end


def is_negated(view: MessageView, start: int, end: int) -> bool:
    """True when the clause negates the match ("we don't need a refund", "no data was lost")."""
    clause_start, clause_end = clause_bounds(view, start, end)
    prefix = view.lower[max(clause_start, start - PREFIX_WINDOW):start]
    if _NEGATOR_NEAR.search(prefix) or _NEGATED_WISH.search(prefix):
        return True
    return bool(_POST_NEGATION.match(view.lower, end, min(clause_end, end + 60)))


def is_hypothetical(view: MessageView, start: int, end: int) -> bool:
    """True when the match sits in an if/whether/might clause ("if we ever needed a refund")."""
    clause_start, _ = clause_bounds(view, start, end)
    sentence_start = max(view.lower.rfind(ch, 0, start) for ch in ".!?\n") + 1
    return bool(_HYPOTHETICAL.search(view.lower, max(sentence_start, clause_start - 80), start))


def sentence_of(view: MessageView, start: int, end: int) -> tuple[int, int]:
    """The bounds of the sentence holding the match (the end includes a closing '?' or '!')."""
    lower = view.lower
    left = max(lower.rfind(ch, 0, start) for ch in ".!?\n") + 1
    right_candidates = [i for i in (lower.find(ch, end) for ch in ".!?\n") if i != -1]
    right = min(right_candidates) + 1 if right_candidates else len(lower)
    return left, right


def is_question(view: MessageView, start: int, end: int) -> bool:
    """True when the sentence holding the match is a question."""
    left, right = sentence_of(view, start, end)
    sentence = view.lower[left:right]
    return sentence.rstrip().endswith("?") or bool(_QUESTION_OPENER.match(sentence))


def is_policy_question(view: MessageView, start: int, end: int) -> bool:
    """True for questions about how something works ("what is your refund policy?"), not demands."""
    if not is_question(view, start, end):
        return False
    left, right = sentence_of(view, start, end)
    return bool(_POLICY_WORDS.search(view.lower, left, right))
