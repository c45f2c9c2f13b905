"""What the agent or bot already did or suggested, from their replies and the agent's note."""
from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sidecar.intelligence.text.clean import clean_block, truncate
from sidecar.intelligence.text.cues import (
    ACTION_CUES,
    GREETING,
    is_pleasantry,
    strip_pleasantries,
)
from sidecar.intelligence.text.sentences import near_identical, sentences
from sidecar.intelligence.ticket import Comment

TRIED_MAX = 240


@dataclass(frozen=True)
class TriedItem:
    """Something the agent or bot already did or suggested."""

    by: str  # agent | bot | agent note
    text: str
    at: datetime | None = None
    public: bool = True
    repeats: int = 1


def what_was_tried(comments: Sequence[Comment], agent_note: str | None) -> tuple[TriedItem, ...]:
    """What the agent or bot already did or suggested: agent sentences that say so, bot replies the
    customer wrote back after (they did not settle it), and the same sentences from the agent's note."""
    items: list[TriedItem] = []
    customer_after = [False] * len(comments)
    seen_customer = False
    for index in range(len(comments) - 1, -1, -1):
        customer_after[index] = seen_customer
        if comments[index].author == "customer":
            seen_customer = True
    last_bot: int | None = None
    for index, comment in enumerate(comments):
        body = clean_block(comment.body)
        if not body:
            continue
        if comment.author == "bot":
            if not customer_after[index]:
                continue
            text = _condense_reply(body)
            if not text:
                continue
            if last_bot is not None and near_identical(items[last_bot].text, text):
                items[last_bot] = dataclasses.replace(items[last_bot], repeats=items[last_bot].repeats + 1)
                continue
            items.append(TriedItem(by="bot", text=text, at=comment.created_at, public=comment.public))
            last_bot = len(items) - 1
        elif comment.author == "agent":
            text = _action_sentences(body)
            if text:
                items.append(TriedItem(by="agent", text=text, at=comment.created_at, public=comment.public))
    if agent_note:
        text = _action_sentences(agent_note)
        if text:
            items.append(TriedItem(by="agent note", text=text, public=False))
    return tuple(items)


def _action_sentences(text: str) -> str:
    kept = []
    for sentence in sentences(text):
        sentence = strip_pleasantries(GREETING.sub("", sentence, count=1))
        if sentence and ACTION_CUES.search(sentence):
            kept.append(sentence)
    return truncate(" ".join(kept), TRIED_MAX)


def _condense_reply(text: str) -> str:
    kept = []
    for sentence in sentences(text):
        sentence = strip_pleasantries(GREETING.sub("", sentence, count=1))
        if sentence and not is_pleasantry(sentence):
            kept.append(sentence)
        if len(kept) == 2:
            break
    return truncate(" ".join(kept), TRIED_MAX)
