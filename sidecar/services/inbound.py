"""Accepting a verified webhook: remember its delivery id and queue its work, in one transaction.

The endpoint answers as soon as this commits; the worker does the rest (`inbound.event`). The same
delivery again (vendors retry, Slack says so in X-Slack-Retry-Num) finds its id taken and does nothing.
So does the same signed content under another delivery id: the id headers are not signed, so a captured
request replayed with a new one would otherwise be acted on again. Both are rows of webhook_deliveries
(the second with delivery_id "signed:<sha256>"), written in the event's transaction.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError

from sidecar.jobs.outbox import job_row
from sidecar.store.db import Database
from sidecar.store.models import Job, WebhookDelivery, utcnow

_DELIVERY = insert(WebhookDelivery.__table__)
_JOB = insert(Job.__table__)


def accept_event(database: Database, *, installation_id: str, system: str, delivery_id: str, kind: str,
                 data: dict[str, Any], occurred_at: str | None, signed_id: str | None = None) -> bool:
    """Store the delivery and its job; False when this delivery id or signed content was accepted before."""
    now = utcnow()
    keys = [delivery_id[:200]] + ([signed_id[:200]] if signed_id and signed_id != delivery_id else [])
    try:
        with database.write_connection() as connection:
            # Core statements: this is on the path a vendor waits on, and the ORM would double its cost.
            # Either key already taken breaks the unique constraint and rolls the whole delivery back.
            connection.execute(_DELIVERY, [{"installation_id": installation_id, "system": system, "delivery_id": key,
                                            "kind": kind, "received_at": now} for key in keys])
            connection.execute(_JOB, job_row(
                installation_id=installation_id, kind="inbound.event", now=now,
                payload={"system": system, "kind": kind, "data": data, "occurred_at": occurred_at,
                         "delivery_id": delivery_id}))
    except IntegrityError:
        return False
    return True
