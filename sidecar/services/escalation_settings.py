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

KEYS = ("redaction", "jira_priority", "ack_minutes", "proactive", "sync_customer_comments")
DEFAULTS = {"ack_minutes": 30, "proactive": "suggest", "sync_customer_comments": True}
PROACTIVE_POLICIES = ("off", "suggest", "auto")


def escalation_settings(installation: Installation) -> dict[str, Any]:
    """The settings in effect: redaction (cards masked by default) and the Jira priority mapping."""
    stored = installation.settings or {}
    return {
        "redaction": validate_redaction_settings(stored.get("redaction") or {}),
        "jira_priority": {**DEFAULT_PRIORITY_MAPPING, **(stored.get("jira_priority") or {})},
        **{name: stored.get(name, default) for name, default in DEFAULTS.items()},
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
    if "ack_minutes" in changes:
        minutes = changes["ack_minutes"]
        if isinstance(minutes, bool) or not isinstance(minutes, int) or not 1 <= minutes <= 7 * 24 * 60:
            raise InvalidInput("ack_minutes must be a whole number of minutes from 1 to 10080",
                               details={"ack_minutes": minutes})
        settings["ack_minutes"] = minutes
    if "proactive" in changes:
        if changes["proactive"] not in PROACTIVE_POLICIES:
            raise InvalidInput(f"proactive must be one of {', '.join(PROACTIVE_POLICIES)}",
                               details={"proactive": changes["proactive"]})
        settings["proactive"] = changes["proactive"]
    if "sync_customer_comments" in changes:
        if not isinstance(changes["sync_customer_comments"], bool):
            raise InvalidInput("sync_customer_comments must be true or false",
                               details={"sync_customer_comments": changes["sync_customer_comments"]})
        settings["sync_customer_comments"] = changes["sync_customer_comments"]
    installation.settings = settings  # a new object: JSON columns track assignment
    session.flush()
    return escalation_settings(installation)
