"""The pieces of a customer's message the semantic layer reads: sentences, and clauses after a contrast.

A sentence is the unit a person quotes, so it is the unit of evidence. A contrast word starts a new
piece ("hope all is well, low priority, but since this morning the payment page fails for everyone"):
the politeness before it must not dilute what comes after. In a short message (a chat line, a short
ticket) a sentence is also read in its comma-separated clauses, since one line often holds two reasons
("checkout is down, get an engineer on the phone"); the layer counts a clause only inside a sentence
that itself reads as a reason, so a clause read out of its context ("thanks for getting the scanners back
online, ...") gives nothing.

Only the writer's own words are read: not quoted earlier mail, nor what follows a closing line ("Kind
regards,": a name, a title such as "Head of Legal", a company, an address) or starts a confidentiality
notice ("This email and any attachments are confidential and may be privileged" read as a legal threat).

Only prose is read. A line that starts with a quote marker, a bullet or markup starts a new piece, and a
piece whose tokens are mostly not words (a pasted log line, an HTML comment, a stack frame, a form's
"**Browser / Version**: 2.53.18") is not read at all: the model would read something into it (an HTML
comment naming a "public_url" came out as a security breach), and the rules already see its error codes.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from sidecar.intelligence.message import DATE_GOES_ON, NON_FINAL_ABBREVIATIONS, MessageView
from sidecar.intelligence.text.clean import body_end

MAX_PIECE_CHARS = 300  # a longer sentence is cut: the model reads about 128 word pieces anyway
MAX_PIECES_PER_MESSAGE = 12  # long messages are mostly quoted history, logs and signatures
MIN_PIECE_CHARS = 3
WHOLE_MESSAGE_CHARS = 400  # a message up to this long is also read whole (a chat line, a short ticket)

# Sentence ends, then contrast words of the seven languages the product reads, each after a comma or
# semicolon ("..., but", "...; pero").
# A line break ends a sentence before a blank line or a line that starts with a mark (quote ">", bullet,
# markup); before a letter it is a hard-wrapped line, and the sentence goes on. A number's dot before a lower-case
# word is a date or an ordinal ("am 25.11. an die Bank übergeben"), as in message.DATE_GOES_ON.
_SENTENCE_BREAK = re.compile(
    "".join(rf"(?<!\b{re.escape(word)})" for word in NON_FINAL_ABBREVIATIONS)  # "e.g." goes on (message.py)
    + rf"[.!?\n]+(?=\s|$)(?!(?<=\d\.)(?-i:{DATE_GOES_ON.pattern}))|\n(?=[ \t]*[^\w\s])|[;:]\s", re.IGNORECASE)
_CONTRAST_BREAK = re.compile(
    r",\s*(?=(?:but|however|although|though|yet|pero|aber|doch|mais|mas|ma|maar|lekin|par)\b)", re.IGNORECASE
)
_COMMA = re.compile(r",\s+")
MIN_CLAUSE_WORDS = 4  # both sides of a comma keep this many words, or the comma does not cut


_TOKEN_EDGES = "\"'`([{<>}])*_#.,;:!?¡¿«»“”‘’"
MIN_WORD_SHARE = 0.5  # a piece is prose when more than this share of its tokens are words


def is_word(token: str) -> bool:
    """True for a word in any script (letters and combining marks, inner apostrophes and hyphens), once
    surrounding punctuation and markup are stripped: "don't", "(urgent)", "**Description**", "नमस्ते"."""
    core = token.strip(_TOKEN_EDGES)
    if not core:
        return False
    has_letter = False
    for ch in core:
        kind = unicodedata.category(ch)
        if kind[0] == "L":
            has_letter = True
        elif kind[0] != "M" and ch not in "'’-":
            return False
    return has_letter


def is_prose(text: str) -> bool:
    """True when more than half of the text's whitespace-separated tokens are words (see is_word)."""
    tokens = text.split()
    return bool(tokens) and sum(map(is_word, tokens)) > MIN_WORD_SHARE * len(tokens)


@dataclass(frozen=True, slots=True)
class Piece:
    """One sentence or clause of one customer message, with where it sits (for quoting and damping)."""

    view: MessageView
    start: int
    end: int
    whole: bool = False  # the whole of a short message, read beside its sentences (see message_pieces)
    clause: bool = False  # one comma-separated clause of a sentence of a short message, read beside it

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
    while start < end and (text[start].isspace() or text[start] in ",;:->*•|#"):  # and quote markers, bullets
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, min(end, start + MAX_PIECE_CHARS)


def _clauses(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """A sentence cut at the commas that leave MIN_CLAUSE_WORDS words on both sides (one span if none)."""
    spans: list[tuple[int, int]] = []
    left = start
    for match in _COMMA.finditer(text, start, end):
        if (len(text[left:match.start()].split()) >= MIN_CLAUSE_WORDS
                and len(text[match.end():end].split()) >= MIN_CLAUSE_WORDS):
            spans.append((left, match.start()))
            left = match.end()
    spans.append((left, end))
    return spans


def _piece(view: MessageView, start: int, end: int, *, clause: bool = False) -> Piece | None:
    start, end = _trimmed(view.text, start, end)
    if end - start >= MIN_PIECE_CHARS and is_prose(view.text[start:end]):
        return Piece(view, start, end, clause=clause)
    return None


def message_pieces(view: MessageView) -> list[Piece]:
    """The sentences of a message, split again at a contrast word, at most MAX_PIECES_PER_MESSAGE; in a
    short message, each sentence's clauses beside it; and a short message of several sentences once more
    as a whole, since a reason is often spread over two ("Gentle nudge on this one: the report has shown
    zero revenue for three days.")."""
    sentences: list[Piece] = []
    end_of_body = body_end(view.text)  # not the signature, its title and company, or a confidentiality notice
    for sentence_start, sentence_end in _spans(view.text, _SENTENCE_BREAK, 0, end_of_body):
        for start, end in _spans(view.text, _CONTRAST_BREAK, sentence_start, sentence_end):
            piece = _piece(view, start, end)
            if piece is not None:
                sentences.append(piece)
                if len(sentences) == MAX_PIECES_PER_MESSAGE:
                    return sentences
    pieces = list(sentences)
    if end_of_body <= WHOLE_MESSAGE_CHARS:
        for sentence in sentences:
            spans = _clauses(view.text, sentence.start, sentence.end)
            if len(spans) > 1:
                pieces.extend(p for p in (_piece(view, a, b, clause=True) for a, b in spans) if p is not None)
    if len(sentences) > 1 and sentences[-1].end - sentences[0].start <= WHOLE_MESSAGE_CHARS:
        pieces.append(Piece(view, sentences[0].start, sentences[-1].end, whole=True))
    return pieces


def turned_by_contrast(piece: Piece) -> bool:
    """True when the piece's sentence goes on with a contrast ("the outage was fixed, but the site went down
    again"): what the piece says is what the rest of its sentence turns against."""
    return _CONTRAST_BREAK.match(piece.view.text, piece.end) is not None


def sentence_of(clause: Piece, pieces: list[Piece]) -> Piece | None:
    """The sentence piece a clause was cut from."""
    return next((p for p in pieces if not p.clause and not p.whole and p.view is clause.view
                 and p.start <= clause.start and clause.end <= p.end), None)
