"""A customer message prepared for matching (lower-cased once) and the quoting of evidence from it."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

QUOTE_RADIUS = 60  # characters kept either side of a match; enough to read, short enough for a sidebar
_SENTENCE_ENDS = ".!?\n"
# Abbreviations whose dot never ends a sentence ("select several payments and refund them in one go, e.g. when we
# cancel a class" is one sentence), in the languages the product reads. The semantic layer's splitter uses them too.
NON_FINAL_ABBREVIATIONS = ("e.g", "i.e", "vs", "approx", "incl", "cf", "z.b", "bzw", "d.h", "p.ex", "p.ej", "bijv")
# After a number's dot, a sentence that goes on in lower case: a date or an ordinal ("am 25.11. an die Bank").
DATE_GOES_ON = re.compile(r"[ \t]+[a-zà-ÿ]")


def _ends_nothing(text: str, dot: int) -> bool:
    """True for a '.' inside a number or name ("6.4", "example.com"), closing an abbreviation ("e.g.") or a date
    or ordinal the sentence goes on after ("bis zum 25.11. an die Bank")."""
    if dot + 1 < len(text) and text[dot + 1].isalnum():
        return True
    if dot > 0 and text[dot - 1].isdigit() and DATE_GOES_ON.match(text, dot + 1):
        return True
    before = text[max(0, dot - 7):dot].lower()
    return any(before.endswith(word) and (len(before) == len(word) or not before[-len(word) - 1].isalnum())
               for word in NON_FINAL_ABBREVIATIONS)


def sentence_start(text: str, start: int) -> int:
    """Where the sentence holding text[start] begins: after the last '.', '!', '?' or line break before it.
    A '.' inside a number or name ("6.4", "$4.50", "example.com") or after "e.g" ends nothing."""
    stop = text.rfind(".", 0, start)
    while stop != -1 and _ends_nothing(text, stop):
        stop = text.rfind(".", 0, stop)
    return max(stop, text.rfind("!", 0, start), text.rfind("?", 0, start), text.rfind("\n", 0, start)) + 1


def sentence_end(text: str, end: int) -> int:
    """Where the sentence holding text[end - 1] ends, its closing mark included (see sentence_start)."""
    stop = text.find(".", end)
    while stop != -1 and _ends_nothing(text, stop):
        stop = text.find(".", stop + 1)
    ends = [i for i in (stop, text.find("!", end), text.find("?", end), text.find("\n", end)) if i != -1]
    return min(ends) + 1 if ends else len(text)


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
        left = max(sentence_start(text, start), start - QUOTE_RADIUS)
        right = min(sentence_end(text, end), end + QUOTE_RADIUS)
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
