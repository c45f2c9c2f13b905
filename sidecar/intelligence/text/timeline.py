"""The conversation as a condensed timeline: one entry per message, repeated replies folded together."""
from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sidecar.intelligence.text.clean import capitalise, clean_block, collapse, truncate
from sidecar.intelligence.text.cues import GREETING, is_pleasantry
from sidecar.intelligence.text.sentences import near_identical, sentences
from sidecar.intelligence.ticket import Comment, Ticket

TIMELINE_TEXT_MAX = 160
TIMELINE_MAX_ENTRIES = 30  # the first few and the most recent; the middle is counted, not shown
TIMELINE_HEAD = 5


@dataclass(frozen=True)
class TimelineEntry:
    """One message of the conversation, condensed; near-identical repeats are folded into it."""

    at: datetime | None
    author: str  # customer | agent | bot | system (the "N messages not shown" marker)
    public: bool
    text: str
    repeats: int = 1
    last_at: datetime | None = None


def build_timeline(ticket: Ticket) -> tuple[TimelineEntry, ...]:
    """The conversation, one condensed entry per message; a bot/agent reply that repeats that role's
    previous reply is folded into it ('repeated 2x')."""
    comments: Sequence[Comment] = ticket.comments
    if not comments and ticket.description.strip():
        comments = (Comment(author="customer", body=ticket.description, public=True, created_at=ticket.created_at),)
    entries: list[TimelineEntry] = []
    last_reply: dict[str, int] = {}  # role -> index in entries of that role's last reply
    for comment in comments:
        text = truncate(_condense_message(comment.body), TIMELINE_TEXT_MAX)
        if not text:
            continue
        role = comment.author
        if role in ("bot", "agent") and role in last_reply:
            index = last_reply[role]
            previous = entries[index]
            if previous.public == comment.public and near_identical(previous.text, text):
                entries[index] = dataclasses.replace(previous, repeats=previous.repeats + 1,
                                                     last_at=comment.created_at or previous.last_at)
                continue
        entries.append(TimelineEntry(at=comment.created_at, author=role, public=comment.public, text=text))
        if role in ("bot", "agent"):
            last_reply[role] = len(entries) - 1
    if len(entries) > TIMELINE_MAX_ENTRIES:
        tail = TIMELINE_MAX_ENTRIES - TIMELINE_HEAD - 1
        hidden = len(entries) - TIMELINE_HEAD - tail
        marker = TimelineEntry(at=None, author="system", public=False, text=f"{hidden} more messages not shown")
        entries = [*entries[:TIMELINE_HEAD], marker, *entries[-tail:]]
    return tuple(entries)


def _condense_message(body: str) -> str:
    """A message on one line without its greeting and opening pleasantries ('Thanks for reaching out!')."""
    kept: list[str] = []
    for sentence in sentences(clean_block(body) or body):
        if not kept:
            sentence = GREETING.sub("", sentence, count=1).strip()
            if not sentence or is_pleasantry(sentence):
                continue
            sentence = capitalise(sentence)
        kept.append(sentence)
    return " ".join(kept) or collapse(body)
