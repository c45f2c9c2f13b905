"""The echo marker: the small tag that ends every ticket note and Jira comment the sidecar writes.

Webhooks bring the sidecar's own writes back to it; the marker is how it recognises them, so a round
trip ends after one hop (and how a retried write finds the note it already wrote). Its one form is
``[sidecar:<part>:<part>...]``: ``[sidecar:esc_123]`` for an escalation's note, ``[sidecar:esc_123:evt_9]``
for a write caused by one timeline event, ``[sidecar:suggest:zendesk:48213:2]`` for a proactive
suggestion. Slack posts need none: they are recognised as the bot's own.
"""
from __future__ import annotations

import re
from typing import Any, Literal

PREFIX = "[sidecar:"
# A line that is only a marker (ours, or the "[escalation ...]" tag people copy into a reply), which is
# no statement of anyone's.
_MARKER_LINE = re.compile(r"^\s*\[(?:sidecar|escalation)[:\s][^\]]*\]\s*$", re.IGNORECASE)


def make(*parts: object) -> str:
    """The marker naming one write: make("esc_123", "evt_9") -> '[sidecar:esc_123:evt_9]'."""
    return PREFIX + ":".join(str(part) for part in parts) + "]"


def for_escalation(escalation_id: str) -> str:
    """The marker of an escalation's own writes (its ticket note, its comment on a joined Jira issue)."""
    return make(escalation_id)


def for_event(escalation_id: str, event_id: str) -> str:
    """The marker of a write caused by one timeline event."""
    return make(escalation_id, event_id)


def for_suggestion(source: str, ticket_id: str, crossing: int) -> str:
    """The marker of the proactive suggestion note for one crossing of a ticket's threshold."""
    return make("suggest", source, ticket_id, crossing)


def detect(text: str | None) -> bool:
    """True for text the sidecar wrote itself (it must not be synced back)."""
    return PREFIX in (text or "")


def is_marker_line(line: str) -> bool:
    """True for a line that holds nothing but a marker."""
    return bool(_MARKER_LINE.match(line))


def append(text: str, marker: str | None) -> str:
    """The text with `marker` as its last line (kept once when already there; the text as is without one)."""
    if not marker or text.endswith(marker):
        return text
    return f"{text}\n{marker}"


def append_adf(document: dict[str, Any], marker: str, *,
               style: Literal["code", "subscript"] = "subscript") -> dict[str, Any]:
    """A copy of an ADF document with `marker` as its last paragraph, shown as `style`."""
    # In Jira a marker is a code span, or small subscript text at the foot of a comment.
    marks = [{"type": "code"}] if style == "code" else [{"type": "subsup", "attrs": {"type": "sub"}}]
    paragraph = {"type": "paragraph", "content": [{"type": "text", "text": marker, "marks": marks}]}
    return {**document, "content": [*(document.get("content") or []), paragraph]}
