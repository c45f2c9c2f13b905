"""Accepting a verified webhook: remember its delivery id and queue its work, in one transaction.

The endpoint answers as soon as this commits; the worker does the rest (`inbound.event`). The same
delivery again (vendors retry, Slack says so in X-Slack-Retry-Num) finds its id taken and does nothing.
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
                 data: dict[str, Any], occurred_at: str | None) -> bool:
    """Store the delivery and its job; False when this delivery was accepted before (nothing is queued again)."""
    now = utcnow()
    try:
        with database.write_lock(), database.engine.begin() as connection:
            # Core statements: this is on the path a vendor waits on, and the ORM would double its cost.
            connection.execute(_DELIVERY, {"installation_id": installation_id, "system": system,
                                           "delivery_id": delivery_id[:200], "kind": kind, "received_at": now})
            connection.execute(_JOB, job_row(
                installation_id=installation_id, kind="inbound.event", now=now,
                payload={"system": system, "kind": kind, "data": data, "occurred_at": occurred_at,
                         "delivery_id": delivery_id}))
    except IntegrityError:
        return False
    return True
