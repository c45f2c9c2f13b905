"""The audit log of outbound writes, read back per installation (the worker writes it)."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from sidecar.store.models import AuditEntry, stored_iso, utcnow


def record_audit(session: Session, *, installation_id: str, system: str, action: str, target: str, outcome: str,
                 detail: str = "", escalation_id: str | None = None, job_id: str | None = None) -> None:
    """Add one audit entry in the caller's transaction (the worker batches its own; see jobs/worker.py)."""
    session.add(AuditEntry(installation_id=installation_id, at=utcnow(), system=system, action=action,
                           target=target[:200], outcome=outcome, detail=detail, escalation_id=escalation_id,
                           job_id=job_id))


def list_audit(session: Session, *, installation_id: str, limit: int = 100,
               escalation_id: str | None = None) -> list[dict[str, Any]]:
    """The installation's newest audit entries as JSON-ready dicts."""
    query = select(AuditEntry).where(AuditEntry.installation_id == installation_id)
    if escalation_id:
        query = query.where(AuditEntry.escalation_id == escalation_id)
    rows = session.scalars(query.order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit))
    return [audit_to_dict(row) for row in rows]


def audit_to_dict(entry: AuditEntry) -> dict[str, Any]:
    """One audit entry in the API's shape."""
    return {"at": stored_iso(entry.at), "system": entry.system, "action": entry.action, "target": entry.target,
            "outcome": entry.outcome, "detail": entry.detail, "escalation_id": entry.escalation_id,
            "job_id": entry.job_id}
