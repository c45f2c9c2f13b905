"""Zendesk writes as planned requests: built without credentials, so a dry run records exactly what
`ZendeskClient` would send (`add_note`: plan_internal_note, `update_fields`: plan_ticket_update,
`add_tags`: plan_add_tags)."""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from sidecar.clients.plans import PlannedRequest


def plan_internal_note(
    ticket_id: str | int,
    *,
    body: str,
    custom_fields: Mapping[int | str, Any] | None = None,
    tags: Iterable[str] | None = None,
) -> PlannedRequest:
    """PUT /api/v2/tickets/{id}.json: a private comment ("public": false), custom fields, and tags to add.

    Tags go in `additional_tags`, which adds them and keeps the ticket's others (`tags` would replace
    them all), so the whole write-back is one ticket update.
    """
    if not str(body or "").strip():
        raise ValueError("an internal note needs a body")
    ticket: dict[str, Any] = {"comment": {"body": body, "public": False}}
    if custom_fields:
        ticket["custom_fields"] = [
            {"id": _field_id(field_id), "value": value} for field_id, value in custom_fields.items()
        ]
    if tags:
        ticket["additional_tags"] = plan_add_tags(ticket_id, tags).json["tags"]
    return PlannedRequest("PUT", f"/api/v2/tickets/{ticket_number(ticket_id)}.json", json={"ticket": ticket})


def plan_ticket_update(
    ticket_id: str | int,
    *,
    custom_fields: Mapping[int | str, Any] | None = None,
    tags: Iterable[str] | None = None,
) -> PlannedRequest:
    """PUT /api/v2/tickets/{id}.json with custom fields and tags to add, and no comment."""
    ticket: dict[str, Any] = {}
    if custom_fields:
        ticket["custom_fields"] = [
            {"id": _field_id(field_id), "value": value} for field_id, value in custom_fields.items()
        ]
    if tags:
        ticket["additional_tags"] = plan_add_tags(ticket_id, tags).json["tags"]
    if not ticket:
        raise ValueError("a ticket update needs custom fields or tags")
    return PlannedRequest("PUT", f"/api/v2/tickets/{ticket_number(ticket_id)}.json", json={"ticket": ticket})


def plan_add_tags(ticket_id: str | int, tags: Iterable[str]) -> PlannedRequest:
    """PUT /api/v2/tickets/{id}/tags.json {"tags": [...]}: PUT adds to the ticket's tags (POST replaces them)."""
    if isinstance(tags, str):
        raise TypeError("tags are a list of strings, not one string")
    names = [str(tag).strip() for tag in tags]
    if not names or any(not name or any(char.isspace() for char in name) for name in names):
        raise ValueError("Zendesk tags are non-empty words without spaces, e.g. 'escalated-eng-42'")
    return PlannedRequest(
        "PUT", f"/api/v2/tickets/{ticket_number(ticket_id)}/tags.json", json={"tags": list(dict.fromkeys(names))}
    )


def _field_id(value: Any) -> int:
    text = str(value).strip()
    if not re.fullmatch(r"[0-9]{1,19}", text) or int(text) < 1:
        raise ValueError(f"Zendesk custom field ids are positive whole numbers, got {text[:40]!r}")
    return int(text)


def ticket_number(ticket_id: str | int) -> int:
    """The ticket id as the positive whole number Zendesk paths take (ValueError otherwise)."""
    text = str(ticket_id).strip()
    if not re.fullmatch(r"[0-9]{1,19}", text) or int(text) < 1:
        raise ValueError(f"Zendesk ticket id must be a positive whole number, got {text[:40]!r}")
    return int(text)
