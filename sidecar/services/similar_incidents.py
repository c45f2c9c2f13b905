"""Similar past incidents for a ticket: full-text candidates from history, re-ranked, with how each ended."""
from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from sidecar.intelligence.ticket import Ticket
from sidecar.services.router_models import ticket_text
from sidecar.store.models import Installation

MIN_SCORE = 0.05  # below this a "similar" incident is noise an agent would have to wade through
# Statuses (lower-cased) of Zendesk, Salesforce and Jira that mean the work is over.
RESOLVED_STATUSES = frozenset({"solved", "closed", "resolved", "done", "cancelled", "canceled", "won't do", "wont do"})


def is_resolved(status: str | None, resolution: str | None) -> bool:
    """True when a past ticket or Jira issue is finished: it has a resolution or a closing status."""
    return bool(resolution) or (status or "").strip().lower() in RESOLVED_STATUSES


def find_similar(
    session: Session,
    *,
    installation: Installation,
    ticket: Ticket,
    limit: int = 5,
    history_key: tuple[str, str] | None = None,
) -> list[dict[str, Any]]:
    """The top past tickets and Jira issues like this one, best first, each with score, status, resolution, link, solver.

    `history_key` is the ticket's own (source, id) in history when it differs from the Ticket's (an
    imported file row), so the ticket never lists itself.
    """
    from sidecar.intelligence.similarity.rerank import CANDIDATE_POOL, rerank
    from sidecar.store.search import search_similar

    text = ticket_text(ticket)
    if not text.strip():
        return []
    candidates = search_similar(session, installation_id=installation.id, text=text, limit=CANDIDATE_POOL,
                                exclude=history_key or (ticket.source, ticket.id))
    results = []
    for candidate, score in rerank(text, candidates, query_subject=ticket.subject or None)[:limit]:
        if score < MIN_SCORE:
            break
        results.append({
            "source": candidate.source,
            "id": candidate.external_id,
            "kind": candidate.kind,
            "title": candidate.subject,
            "status": candidate.status,
            "resolution": candidate.resolution,
            "url": candidate.url,
            # Only a finished incident was solved by someone; an open one is still being worked on.
            "solved_by": candidate.assignee if is_resolved(candidate.status, candidate.resolution) else None,
            "assignee": candidate.assignee,
            "group_name": candidate.group_name,
            "score": round(float(score), 4),
        })
    return results
