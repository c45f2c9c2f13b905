"""An installation's escalation settings: what is masked before Jira and Slack, and how priority is set."""
from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from sidecar.domain.settings import (
    ESCALATION_KEYS,
    PROACTIVE_POLICIES,
    EscalationSettings,
    RedactionSettings,
)
from sidecar.errors import InvalidInput
from sidecar.intelligence.escalation_context import (
    DEFAULT_PRIORITY_MAPPING,
    jira_priority,
)
from sidecar.intelligence.redaction import validate_redaction_settings
from sidecar.services.audit import record_admin_change
from sidecar.services.installations import installation_settings, save_settings
from sidecar.store.models import Installation


def settings_view(settings: EscalationSettings) -> dict[str, Any]:
    """The settings as the API shows them: the priority mapping merged with its defaults."""
    view = settings.to_mapping()
    return {**view, "jira_priority": {**DEFAULT_PRIORITY_MAPPING, **view["jira_priority"]}}


def escalation_settings(installation: Installation) -> dict[str, Any]:
    """The settings in effect: redaction (cards masked by default) and the Jira priority mapping."""
    return settings_view(installation_settings(installation).escalation)


def _redaction(value: Any) -> RedactionSettings:
    try:
        return RedactionSettings.from_mapping(validate_redaction_settings(value or {}))
    except ValueError as exc:
        raise InvalidInput(str(exc), details={"redaction": str(exc)}) from None


def _jira_priority(mapping: Any) -> dict[str, Any]:
    mapping = mapping or {}
    try:
        if not isinstance(mapping, dict):
            raise ValueError("jira_priority must be an object such as {\"Highest\": 0.9}")
        jira_priority(0.5, None, mapping)  # checks the mapping's keys and order
    except ValueError as exc:
        raise InvalidInput(str(exc), details={"jira_priority": str(exc)}) from None
    return mapping


def _ack_minutes(minutes: object) -> int:
    if isinstance(minutes, bool) or not isinstance(minutes, int) or not 1 <= minutes <= 7 * 24 * 60:
        raise InvalidInput("ack_minutes must be a whole number of minutes from 1 to 10080",
                           details={"ack_minutes": minutes})
    return minutes


def _proactive(policy: Any) -> str:
    if policy not in PROACTIVE_POLICIES:
        raise InvalidInput(f"proactive must be one of {', '.join(PROACTIVE_POLICIES)}", details={"proactive": policy})
    chosen: str = policy  # one of PROACTIVE_POLICIES
    return chosen


def _sync_customer_comments(value: Any) -> bool:
    if not isinstance(value, bool):
        raise InvalidInput("sync_customer_comments must be true or false", details={"sync_customer_comments": value})
    return value


_CHECKS = {"redaction": _redaction, "jira_priority": _jira_priority, "ack_minutes": _ack_minutes,
           "proactive": _proactive, "sync_customer_comments": _sync_customer_comments}


def update_escalation_settings(
    session: Session, *, installation: Installation, changes: dict[str, Any]
) -> dict[str, Any]:
    """Change redaction and/or the priority mapping after checking them; errors name the bad key."""
    unknown = sorted(set(changes) - set(ESCALATION_KEYS))
    if unknown:
        raise InvalidInput(f"unknown setting(s): {', '.join(unknown)}; known: {', '.join(ESCALATION_KEYS)}",
                           details={key: "unknown" for key in unknown})
    checked = {key: _CHECKS[key](changes[key]) for key in ESCALATION_KEYS if key in changes}
    settings = installation_settings(installation).updated(**checked)
    save_settings(session, installation, settings)
    record_admin_change(session, installation_id=installation.id, action="settings.escalation", target="escalation",
                        detail="changed: " + ", ".join(sorted(changes)))
    return settings_view(settings.escalation)
