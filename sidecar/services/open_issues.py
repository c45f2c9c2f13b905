"""Which Jira issues are open: the suggestion to join one, and the guard on joining a resolved one.

Two places know an issue's state. The history holds imported Jira issues with their status and
resolution. The escalations hold the issues the sidecar created (or joined) itself, open until Jira
says they are resolved; their tickets are in the history too (every escalated ticket is recorded), so
a similar past *ticket* with an open escalation points at that escalation's open issue.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import or_, select, tuple_
from sqlalchemy.orm import Session

from sidecar.domain.records import SimilarIncident
from sidecar.domain.statuses import EscalationStatus
from sidecar.errors import Conflict
from sidecar.services.similar_incidents import is_resolved
from sidecar.store.models import Escalation, HistoryTicket

SUGGESTION_MIN_SCORE = 0.35  # below this an "open issue about the same problem" is a guess, not a suggestion
JOIN_WHY = "an open Jira issue about the same problem; escalate with link_to to join it"


def open_issue_suggestion(similar: Sequence[SimilarIncident],
                          open_escalations: dict[tuple[str, str], Escalation] | None = None) -> dict[str, Any] | None:
    """The most similar Jira issue that is still open: an imported one, or one a similar ticket's escalation has."""
    for item in similar:
        if (item.score or 0) < SUGGESTION_MIN_SCORE:
            continue
        if item.kind == "jira_issue" and not is_resolved(item.status, item.resolution):
            return {"key": item.id, "title": item.title, "url": item.url, "status": item.status, "score": item.score,
                    "why": JOIN_WHY}
        escalation = (open_escalations or {}).get((item.source, item.id))
        if item.kind != "jira_issue" and escalation is not None:
            return {"key": escalation.jira_key, "title": item.title, "url": escalation.jira_url,
                    "status": escalation.jira_status, "score": item.score, "escalation_id": escalation.id,
                    "why": JOIN_WHY + f" (the sidecar opened it for {item.source} ticket {item.id})"}
    return None


def open_escalations_of(session: Session, *, installation_id: str,
                        similar: Sequence[SimilarIncident]) -> dict[tuple[str, str], Escalation]:
    """The open escalations (with a Jira issue) of the similar tickets, by (source, ticket id)."""
    keys = [(item.source, item.id) for item in similar
            if item.kind != "jira_issue" and (item.score or 0) >= SUGGESTION_MIN_SCORE]
    if not keys:
        return {}
    rows = session.scalars(select(Escalation).where(
        Escalation.installation_id == installation_id, Escalation.jira_key.is_not(None),
        Escalation.status != EscalationStatus.RESOLVED,
        tuple_(Escalation.ticket_source, Escalation.ticket_external_id).in_(keys)))
    return {(row.ticket_source, row.ticket_external_id): row for row in rows}


def jira_issue_resolved(session: Session, *, installation_id: str, key: str) -> bool:
    """True when the sidecar knows this Jira issue is resolved: its escalations all are, or the history says so."""
    statuses = set(session.scalars(select(Escalation.status).where(
        Escalation.installation_id == installation_id, Escalation.jira_key == key)))
    if statuses:
        return statuses == {EscalationStatus.RESOLVED}
    # An imported issue is stored under its numeric id, with its key in its browse URL.
    rows = session.execute(select(HistoryTicket.status, HistoryTicket.resolution, HistoryTicket.data).where(
        HistoryTicket.installation_id == installation_id, HistoryTicket.kind == "jira_issue",
        or_(HistoryTicket.external_id == key, HistoryTicket.url.like(f"%/browse/{key}")))).all()
    known = [row for row in rows if (row.data or {}).get("key", key) == key]
    return bool(known) and all(is_resolved(row.status, row.resolution) for row in known)


def check_link_to(session: Session, *, installation_id: str, key: str | None, link_resolved: bool) -> None:
    """Refuse (409 `issue_resolved`) to join a Jira issue known to be resolved, unless the request means it."""
    if not key or link_resolved or not jira_issue_resolved(session, installation_id=installation_id, key=key):
        return
    raise Conflict(f"{key} is resolved: a new customer joining it would wait on an issue nobody is working on. "
                   "Escalate without link_to for a new issue, or send \"link_resolved\": true to join it anyway",
                   code="issue_resolved", details={"link_to": key})
