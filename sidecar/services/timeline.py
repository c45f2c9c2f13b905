"""An escalation's timeline: every Jira, Slack, help-desk and sidecar event, in order."""
from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from sidecar.store.models import Escalation, EscalationEvent, stored_iso, utcnow


def new_event_id() -> str:
    """A public event id."""
    return "evt_" + secrets.token_hex(8)


def append_event(
    session: Session,
    *,
    escalation: Escalation,
    system: str,
    kind: str,
    text: str = "",
    actor: str | None = None,
    data: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> EscalationEvent:
    """Add one event to the escalation's timeline (in the caller's transaction)."""
    event = EscalationEvent(id=new_event_id(), escalation_id=escalation.id, installation_id=escalation.installation_id,
                            at=at or utcnow(), system=system, kind=kind, actor=actor, text=text or "",
                            data=data or {})
    session.add(event)
    return event


def event_to_dict(event: EscalationEvent) -> dict[str, Any]:
    """The API (and template) form of a timeline event."""
    return {"id": event.id, "at": stored_iso(event.at), "system": event.system, "kind": event.kind,
            "actor": event.actor, "text": event.text, "data": event.data or {}}


def events_of(session: Session, escalation_id: str) -> list[EscalationEvent]:
    """The escalation's events, oldest first (the API dumps them through TimelineEventSchema)."""
    return list(session.scalars(select(EscalationEvent).where(EscalationEvent.escalation_id == escalation_id)
                                .order_by(EscalationEvent.at, EscalationEvent.id)))


def timeline_of(session: Session, escalation_id: str) -> list[dict[str, Any]]:
    """The escalation's events, oldest first, in the form templates read."""
    return [event_to_dict(event) for event in events_of(session, escalation_id)]
