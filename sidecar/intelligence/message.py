"""A customer message prepared for matching (lower-cased once) and the quoting of evidence from it."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

QUOTE_RADIUS = 60  # characters kept either side of a match; enough to read, short enough for a sidebar
_SENTENCE_ENDS = ".!?\n"


@dataclass(frozen=True, slots=True)
class MessageView:
    """Where a message sits (subject, description, comment N), who wrote it, and its text."""

    where: str
    author: str
    text: str
    lower: str

    @classmethod
    def of(cls, where: str, author: str, text: str) -> MessageView:
        """Prepare a message; the lower-cased copy keeps the original's character positions."""
        lower = text.lower()
        if len(lower) != len(text):
            # A few characters (e.g. U+0130) change length when lower-cased; quote from the
            # lower-cased copy then, so positions still line up.
            text = lower
        return cls(where=where, author=author, text=text, lower=lower)

    def label(self) -> str:
        """'comment 3 (customer)' for comments; 'subject' / 'description' as they are."""
        return f"{self.where} ({self.author})" if self.where.startswith("comment") else self.where

    def quote(self, start: int, end: int) -> str:
        """The sentence around text[start:end], trimmed to a readable length, in the writer's words."""
        text = self.text
        left = max(text.rfind(ch, 0, start) for ch in _SENTENCE_ENDS) + 1
        left = max(left, start - QUOTE_RADIUS)
        right_candidates = [i for i in (text.find(ch, end) for ch in _SENTENCE_ENDS) if i != -1]
        right = min(right_candidates) + 1 if right_candidates else len(text)
        right = min(right, end + QUOTE_RADIUS)
        if left > 0 and not text[left - 1].isspace() and text[left - 1] not in _SENTENCE_ENDS:
            # Started mid-word: move to the next word start.
            space = text.find(" ", left, start)
            left = space + 1 if space != -1 else left
        if right < len(text) and text[right - 1].isalnum():
            space = text.rfind(" ", end, right)
            right = space if space != -1 else right
        snippet = " ".join(text[left:right].split())
        prefix = "..." if left > 0 and text[left - 1] not in _SENTENCE_ENDS else ""
        suffix = "..." if right < len(text) and text[right - 1] not in _SENTENCE_ENDS else ""
        return prefix + snippet + suffix

    def evidence(self, start: int, end: int) -> str:
        """'comment 3 (customer): "...I want my money back..."'."""
        return _evidence(self, start, end)


@lru_cache(maxsize=16384)
def _evidence(view: MessageView, start: int, end: int) -> str:
    # Cached: a re-assessed ticket shows the same quotes again.
    return f'{view.label()}: "{view.quote(start, end)}"'
