"""The audit log of outbound writes, read back per installation (the worker writes it)."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from sidecar.domain.statuses import AuditOutcome
from sidecar.store.models import AuditEntry, utcnow


def record_audit(session: Session, *, installation_id: str, system: str, action: str, target: str, outcome: str,
                 detail: str = "", escalation_id: str | None = None, job_id: str | None = None) -> None:
    """Add one audit entry in the caller's transaction (the worker batches its own; see jobs/worker.py)."""
    session.add(AuditEntry(installation_id=installation_id, at=utcnow(), system=system, action=action,
                           target=target[:200], outcome=outcome, detail=detail, escalation_id=escalation_id,
                           job_id=job_id))


def record_admin_change(session: Session, *, installation_id: str, action: str, target: str,
                        detail: str = "") -> None:
    """Audit an admin's change to the installation's set-up (directory, rules, settings, connections), whichever
    door it came through (API, console, CLI); `detail` names what changed, never a secret's value."""
    record_audit(session, installation_id=installation_id, system="sidecar", action=action, target=target,
                 outcome=AuditOutcome.OK, detail=detail)


def list_audit(session: Session, *, installation_id: str, limit: int = 100, escalation_id: str | None = None,
               system: str | None = None, outcome: str | None = None, before: int | None = None) -> list[AuditEntry]:
    """The installation's newest audit entries (AuditListSchema dumps them); `before` is the id to page on from."""
    query = select(AuditEntry).where(AuditEntry.installation_id == installation_id)
    if escalation_id:
        query = query.where(AuditEntry.escalation_id == escalation_id)
    if system:
        query = query.where(AuditEntry.system == system)
    if outcome:
        query = query.where(AuditEntry.outcome == outcome)
    if before is not None:
        query = query.where(AuditEntry.id < before)
    rows = session.scalars(query.order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit))
    return list(rows)

