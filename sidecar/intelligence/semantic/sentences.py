"""The pieces of a customer's message the semantic layer reads: sentences, and clauses after a contrast.

A sentence is the unit a person quotes, so it is the unit of evidence. A contrast word starts a new
piece ("hope all is well, low priority, but since this morning the payment page fails for everyone"):
the politeness before it must not dilute what comes after.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from sidecar.intelligence.message import MessageView

MAX_PIECE_CHARS = 300  # a longer sentence is cut: the model reads about 128 word pieces anyway
MAX_PIECES_PER_MESSAGE = 12  # long messages are mostly quoted history, logs and signatures
MIN_PIECE_CHARS = 3
WHOLE_MESSAGE_CHARS = 400  # a message up to this long is also read whole (a chat line, a short ticket)

# Sentence ends, then contrast words of the seven languages the product reads, each after a comma or
# semicolon ("..., but", "...; pero").
_SENTENCE_BREAK = re.compile(r"[.!?\n]+(?=\s|$)|[;:]\s")
_CONTRAST_BREAK = re.compile(
    r",\s*(?=(?:but|however|although|though|yet|pero|aber|doch|mais|mas|ma|maar|lekin|par)\b)", re.IGNORECASE
)


@dataclass(frozen=True, slots=True)
class Piece:
    """One sentence or clause of one customer message, with where it sits (for quoting and damping)."""

    view: MessageView
    start: int
    end: int
    whole: bool = False  # the whole of a short message, read beside its sentences (see message_pieces)

    @property
    def text(self) -> str:
        """The piece in the writer's words, whitespace collapsed."""
        return " ".join(self.view.text[self.start:self.end].split())

    def contains(self, where: str, start: int, end: int) -> bool:
        """True when a rule's match in message `where` at [start, end) lies inside this piece."""
        return where == self.view.where and self.start <= start and end <= self.end


def _spans(text: str, pattern: re.Pattern[str], start: int, end: int) -> list[tuple[int, int]]:
    spans, left = [], start
    for match in pattern.finditer(text, start, end):
        spans.append((left, match.start() if pattern is _CONTRAST_BREAK else match.end()))
        left = match.end()
    spans.append((left, end))
    return spans


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and (text[start].isspace() or text[start] in ",;:-"):
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, min(end, start + MAX_PIECE_CHARS)


def message_pieces(view: MessageView) -> list[Piece]:
    """The sentences of a message, split again at a contrast word, at most MAX_PIECES_PER_MESSAGE; and a
    short message of several sentences once more as a whole, since a reason is often spread over two
    ("Gentle nudge on this one: the report has shown zero revenue for three days.")."""
    pieces: list[Piece] = []
    for sentence_start, sentence_end in _spans(view.text, _SENTENCE_BREAK, 0, len(view.text)):
        for start, end in _spans(view.text, _CONTRAST_BREAK, sentence_start, sentence_end):
            start, end = _trimmed(view.text, start, end)
            if end - start >= MIN_PIECE_CHARS and any(ch.isalpha() for ch in view.text[start:end]):
                pieces.append(Piece(view, start, end))
                if len(pieces) == MAX_PIECES_PER_MESSAGE:
                    return pieces
    if len(pieces) > 1 and pieces[-1].end - pieces[0].start <= WHOLE_MESSAGE_CHARS:
        pieces.append(Piece(view, pieces[0].start, pieces[-1].end, whole=True))
    return pieces
