"""Timeline events as the summary reads them: ordered, cleaned, redacted, and searched from the newest."""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sidecar.intelligence.redaction import Redactor
from sidecar.intelligence.ticket import parse_datetime

EXPERT_SYSTEMS = frozenset({"jira", "slack"})
# Only what people wrote: the sidecar's own event lines ("Resolved in Jira (Fixed)") are not findings.
EXPERT_KINDS = frozenset({"comment"})
CUSTOMER_KINDS = frozenset({"customer_comment"})


def ordered_events(timeline: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The timeline as clean dicts (at parsed into `at_dt`), oldest first; unreadable times keep their place."""
    events: list[dict[str, Any]] = []
    for raw in timeline or ():
        if not isinstance(raw, Mapping):
            continue
        data = raw.get("data")
        try:
            at = parse_datetime(raw.get("at"))
        except (TypeError, ValueError):
            at = None
        events.append({
            "at": raw.get("at"),
            "at_dt": at,
            "system": str(raw.get("system") or ""),
            "kind": str(raw.get("kind") or ""),
            "actor": str(raw["actor"]).strip() if raw.get("actor") else None,
            "text": str(raw.get("text") or ""),
            "data": dict(data) if isinstance(data, Mapping) else {},
        })
    if all(e["at_dt"] is not None for e in events):
        events.sort(key=lambda e: e["at_dt"])  # stable: same-second events keep their order
    return events


def redact_timeline(timeline: Sequence[Mapping[str, Any]], redactor: Redactor) -> list[dict[str, Any]]:
    """A copy of the timeline with text, actor and every string in data passed through the redactor."""
    out = []
    for event in timeline or ():
        if not isinstance(event, Mapping):
            continue
        copy = dict(event)
        copy["text"] = redactor.redact(str(event.get("text") or ""))
        if event.get("actor"):
            copy["actor"] = redactor.redact(str(event["actor"]))
        copy["data"] = _redact_value(event.get("data") or {}, redactor)
        out.append(copy)
    return out


def _redact_value(value: Any, redactor: Redactor) -> Any:
    if isinstance(value, str):
        return redactor.redact(value)
    if isinstance(value, Mapping):
        return {k: _redact_value(v, redactor) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_redact_value(v, redactor) for v in value]
    return value


def is_expert_statement(event: Mapping[str, Any]) -> bool:
    """True for what an expert wrote (a Jira comment, a Slack thread reply), not the sidecar's own lines."""
    return event["system"] in EXPERT_SYSTEMS and event["kind"] in EXPERT_KINDS


def last_index(
    events: Sequence[Mapping[str, Any]], kinds: Iterable[str], *, systems: Iterable[str] | None = None
) -> int:
    """The index of the newest event of one of `kinds` (and `systems`, when given), or -1."""
    kinds = set(kinds)
    wanted = set(systems) if systems is not None else None
    for index in range(len(events) - 1, -1, -1):
        event = events[index]
        if event["kind"] in kinds and (wanted is None or event["system"] in wanted):
            return index
    return -1
