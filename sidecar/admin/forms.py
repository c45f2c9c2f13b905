"""HTML form fields in and out of the shapes the API's schemas load, and refusals as sentences.

A form only gathers text: everything is then loaded through the same marshmallow schema the /v1 endpoint
uses, so the console accepts exactly what the API accepts and names problems with the same words.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from marshmallow import ValidationError
from werkzeug.datastructures import MultiDict

from sidecar.errors import ServiceError
from sidecar.services.directory import flatten_errors

_SEPARATORS = re.compile(r"[,\n]")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def problems(exc: ValidationError | ServiceError) -> list[str]:
    """What was wrong, one sentence per field."""
    if isinstance(exc, ValidationError):
        lines: list[str] = []
        flatten_errors("", exc.messages, lines)
        return lines
    details = exc.details if isinstance(exc.details, dict) else {}
    named = [f"{name}: {value}" for name, value in details.items() if isinstance(value, str) and name != "problems"]
    return [exc.message + (f" ({'; '.join(named)})" if named else "")]


def words(text: str | None) -> list[str]:
    """A comma- or line-separated field as a list (blanks dropped)."""
    return [part.strip() for part in _SEPARATORS.split(text or "") if part.strip()]


def _optional(text: str | None) -> str | None:
    return (text or "").strip() or None


def _number(text: str | None) -> Any:
    value = (text or "").strip()
    return int(value) if re.fullmatch(r"-?\d{1,9}", value) else value  # not a number: the schema says so


def team_data(form: MultiDict) -> dict[str, Any]:
    """TeamSchema's input from the team form."""
    return {"name": form.get("name", "").strip(), "description": form.get("description", "").strip(),
            "slack_channel": _optional(form.get("slack_channel")), "jira_project": _optional(form.get("jira_project")),
            "jira_component": _optional(form.get("jira_component")), "categories": form.getlist("categories"),
            "tags": words(form.get("tags")), "history_groups": words(form.get("history_groups"))}


def out_of_office_periods(text: str | None) -> list[dict[str, Any]]:
    """One period per line, `start end note` (a single date is that one day), as OutOfOfficeSchema loads them."""
    periods = []
    for line in (text or "").splitlines():
        parts = line.split(maxsplit=2)
        if parts:
            periods.append({"start": parts[0], "end": parts[1] if len(parts) > 1 else parts[0],
                            "note": parts[2] if len(parts) > 2 else None})
    return periods


def expert_data(form: MultiDict) -> dict[str, Any]:
    """ExpertSchema's input from the expert form."""
    return {"team_id": form.get("team_id", ""), "name": form.get("name", "").strip(),
            "email": form.get("email", "").strip(), "slack_user_id": _optional(form.get("slack_user_id")),
            "jira_account_id": _optional(form.get("jira_account_id")), "categories": form.getlist("categories"),
            "tags": words(form.get("tags")), "languages": words(form.get("languages")),
            "timezone": form.get("timezone", "").strip() or "UTC",
            "working_hours": {"days": form.getlist("days"), "start": form.get("start", "").strip(),
                              "end": form.get("end", "").strip()},
            "capacity": _number(form.get("capacity")),
            "out_of_office": out_of_office_periods(form.get("out_of_office")),
            "aliases": words(form.get("aliases")), "active": "active" in form}


def expert_form(expert: Any) -> dict[str, Any]:
    """An expert as the expert form shows it (lists joined, periods one per line)."""
    hours = expert.working_hours or {}
    periods = "\n".join(" ".join(str(p.get(key) or "") for key in ("start", "end", "note")).strip()
                        for p in expert.out_of_office or [])
    return {"id": expert.id, "team_id": expert.team_id, "name": expert.name, "email": expert.email,
            "slack_user_id": expert.slack_user_id or "", "jira_account_id": expert.jira_account_id or "",
            "categories": list(expert.categories or []), "tags": ", ".join(expert.tags or []),
            "languages": ", ".join(expert.languages or []), "timezone": expert.timezone or "UTC",
            "days": list(hours.get("days") or []), "start": hours.get("start", "09:00"),
            "end": hours.get("end", "17:00"), "capacity": expert.capacity, "out_of_office": periods,
            "aliases": ", ".join(expert.aliases or []), "active": expert.active}


def form_values(form: Mapping[str, Any]) -> dict[str, Any]:
    """A submitted form as the template shows it again after a refusal (lists kept as lists)."""
    values: dict[str, Any] = dict(form.items()) if not isinstance(form, MultiDict) else form.to_dict()
    if isinstance(form, MultiDict):
        values["categories"] = form.getlist("categories")
        values["days"] = form.getlist("days")
        values["active"] = "active" in form
    return values
