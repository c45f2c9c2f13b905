"""Accepting a verified webhook: remember its delivery id and queue its work, in one transaction.

The endpoint answers as soon as this commits; the worker does the rest (`inbound.event`). The same
delivery again (vendors retry, Slack says so in X-Slack-Retry-Num) finds its id taken and does nothing.
So does the same signed content under another delivery id: the id headers are not signed, so a captured
request replayed with a new one would otherwise be acted on again. Both are rows of webhook_deliveries
(the second with delivery_id "signed:<sha256>"), written in the event's transaction.

Nothing is dropped without a word: the worker records what became of each delivery (`record_outcome`:
acted, or ignored with the reason), an event type the sidecar does not handle is kept as ignored at
receipt (`keep_ignored`), and `list_inbound` shows them to an admin (GET /v1/inbound?status=ignored).
Bad signatures are not kept: anyone can send those.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sidecar.domain.statuses import InboundStatus
from sidecar.jobs.outbox import job_row
from sidecar.store.db import Database
from sidecar.store.models import Job, WebhookDelivery, utcnow

SIGNED_PREFIX = "signed:"  # the dedupe rows of signed content: not deliveries of their own

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
                                            "kind": kind, "received_at": now, "status": InboundStatus.QUEUED,
                                            "about": event_about(data)} for key in keys])
            connection.execute(_JOB, job_row(
                installation_id=installation_id, kind="inbound.event", now=now,
                payload={"system": system, "kind": kind, "data": data, "occurred_at": occurred_at,
                         "delivery_id": delivery_id}))
    except IntegrityError:
        return False
    return True


def event_about(data: Mapping[str, Any]) -> str | None:
    """What an event concerns, in ids only (never anyone's words): the Jira issue, ticket, Slack thread or
    escalation."""
    if data.get("issue_key") or data.get("issue_id"):
        return f"jira {data.get('issue_key') or data.get('issue_id')}"
    if data.get("ticket_id"):
        return f"ticket {data['ticket_id']}"
    if data.get("action_id"):
        return f"{data['action_id']} on {data.get('value') or '?'}"
    if data.get("channel"):
        return f"slack {data['channel']} thread {data.get('thread_ts') or data.get('ts') or '?'}"[:200]
    return None


def keep_ignored(database: Database, *, installation_id: str, system: str, delivery_id: str, kind: str,
                 reason: str) -> None:
    """Keep a verified delivery the sidecar does not act on at all (an event type it does not handle), with why."""
    now = utcnow()
    try:
        with database.write_connection() as connection:
            connection.execute(_DELIVERY, [{"installation_id": installation_id, "system": system,
                                            "delivery_id": delivery_id[:200], "kind": kind[:60], "received_at": now,
                                            "status": InboundStatus.IGNORED, "reason": reason, "handled_at": now}])
    except IntegrityError:
        return  # the same delivery again: kept once


def record_outcome(session: Session, *, installation_id: str, system: str, delivery_id: str,
                   reason: str | None) -> None:
    """What became of a delivery the worker applied: acted (reason None) or ignored with the reason."""
    session.execute(update(WebhookDelivery).where(
        WebhookDelivery.installation_id == installation_id, WebhookDelivery.system == system,
        WebhookDelivery.delivery_id == delivery_id[:200]).values(
        status=InboundStatus.ACTED if reason is None else InboundStatus.IGNORED, reason=reason,
        handled_at=utcnow()))


def list_inbound(session: Session, *, installation_id: str, status: str | None = None, system: str | None = None,
                 kind: str | None = None, before: int | None = None, limit: int = 50) -> list[WebhookDelivery]:
    """The installation's inbound deliveries, newest first, filtered; `before` is the id to page on from."""
    query = select(WebhookDelivery).where(WebhookDelivery.installation_id == installation_id,
                                          WebhookDelivery.delivery_id.not_like(SIGNED_PREFIX + "%"))
    if status:
        query = query.where(WebhookDelivery.status == status)
    if system:
        query = query.where(WebhookDelivery.system == system)
    if kind:
        query = query.where(WebhookDelivery.kind == kind)
    if before is not None:
        query = query.where(WebhookDelivery.id < before)
    return list(session.scalars(query.order_by(WebhookDelivery.id.desc()).limit(limit)))
