"""Shaping help-desk data into our Ticket: conversation order, repeated opening message, HTML, loose values."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime
from html.parser import HTMLParser
from typing import Any

from sidecar.intelligence.ticket import Comment, parse_date

_EARLIEST = datetime.min.replace(tzinfo=UTC)


def in_time_order(comments: Iterable[Comment]) -> list[Comment]:
    """Comments sorted by creation time (stable; undated ones keep their place at the end)."""
    return sorted(comments, key=lambda c: (c.created_at is None, c.created_at or _EARLIEST))


def without_repeated_description(description: str, comments: Iterable[Comment]) -> tuple[Comment, ...]:
    """Drop the opening message when it is the ticket description again.

    Zendesk's `description` *is* the first comment, and Email-to-Case copies the first email into the
    Case Description. `Ticket.customer_messages()` reads both the description and the comments, so
    keeping the copy would count the customer's opening words twice.
    """
    comments = tuple(comments)
    if comments and description and _squash(comments[0].body) == _squash(description):
        return comments[1:]
    return comments


def html_to_text(html: str | None) -> str:
    """Plain text of an HTML body (tags dropped, block elements on their own lines)."""
    if not html:
        return ""
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.parts).splitlines())
    return "\n".join(line for line in lines if line)


def number_or_none(value: Any) -> float | None:
    """A number from a field value (int, float, or text such as "250,000"); None when it is not one."""
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        return float(value.replace(",", "").strip()) if isinstance(value, str) else float(value)
    except (TypeError, ValueError):
        return None


def date_or_none(value: Any) -> date | None:
    """A date from a field value (ISO date or timestamp); None when it is not one."""
    try:
        return parse_date(value)
    except (TypeError, ValueError):
        return None


def _squash(text: str | None) -> str:
    return " ".join((text or "").split())


class _TextExtractor(HTMLParser):
    _BLOCKS = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote"}
    _SKIP = {"script", "style", "head"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIP:
            self._skipping += 1
        elif tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP:
            self._skipping = max(0, self._skipping - 1)
        elif tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)
