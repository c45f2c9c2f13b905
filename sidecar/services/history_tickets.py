"""Read tickets back from the installation's history as Tickets."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from sidecar.errors import NotFound
from sidecar.intelligence.ticket import Ticket, ticket_from_mapping
from sidecar.store.models import HistoryTicket, Installation


def ticket_from_history(session: Session, *, installation: Installation, source: str, external_id: str) -> Ticket:
    """The stored ticket (assessed or imported) as a Ticket, or NotFound."""
    row = session.scalar(
        select(HistoryTicket).where(
            HistoryTicket.installation_id == installation.id,
            HistoryTicket.source == source,
            HistoryTicket.external_id == external_id,
        )
    )
    if row is None:
        raise NotFound(f"no {source} ticket {external_id!r} in this installation's history; "
                       "assess or import it first")
    data = {**(row.data or {}), "id": row.external_id, "subject": row.subject, "description": row.description}
    data["source"] = source if source in ("zendesk", "salesforce") else installation.source
    try:
        return ticket_from_mapping(data)
    except (TypeError, ValueError, KeyError):
        # Imported rows keep unknown and odd fields; similarity needs only the words.
        return ticket_from_mapping({k: data[k] for k in ("id", "source", "subject", "description")})
