"""An installation's escalation settings: what is masked before Jira and Slack, and how priority is set."""
from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from sidecar.errors import InvalidInput
from sidecar.intelligence.escalation_context import (
    DEFAULT_PRIORITY_MAPPING,
    jira_priority,
)
from sidecar.intelligence.redaction import validate_redaction_settings
from sidecar.store.models import Installation

KEYS = ("redaction", "jira_priority")


def escalation_settings(installation: Installation) -> dict[str, Any]:
    """The settings in effect: redaction (cards masked by default) and the Jira priority mapping."""
    stored = installation.settings or {}
    return {
        "redaction": validate_redaction_settings(stored.get("redaction") or {}),
        "jira_priority": {**DEFAULT_PRIORITY_MAPPING, **(stored.get("jira_priority") or {})},
    }


def update_escalation_settings(session: Session, *, installation: Installation, changes: dict[str, Any]) -> dict[str, Any]:
    """Change redaction and/or the priority mapping after checking them; errors name the bad key."""
    unknown = sorted(set(changes) - set(KEYS))
    if unknown:
        raise InvalidInput(f"unknown setting(s): {', '.join(unknown)}; known: {', '.join(KEYS)}",
                           details={key: "unknown" for key in unknown})
    settings = dict(installation.settings or {})
    if "redaction" in changes:
        try:
            settings["redaction"] = validate_redaction_settings(changes["redaction"] or {})
        except ValueError as exc:
            raise InvalidInput(str(exc), details={"redaction": str(exc)}) from None
    if "jira_priority" in changes:
        mapping = changes["jira_priority"] or {}
        try:
            if not isinstance(mapping, dict):
                raise ValueError("jira_priority must be an object such as {\"Highest\": 0.9}")
            jira_priority(0.5, None, mapping)  # checks the mapping's keys and order
        except ValueError as exc:
            raise InvalidInput(str(exc), details={"jira_priority": str(exc)}) from None
        settings["jira_priority"] = mapping
    installation.settings = settings  # a new object: JSON columns track assignment
    session.flush()
    return escalation_settings(installation)
