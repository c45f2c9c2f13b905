"""Proactive escalation: a new customer comment re-assesses the ticket; crossing the threshold acts once.

Policy per installation (`PUT /v1/settings/escalation` {"proactive": ...}): `suggest` (default: an
internal note with the reasons and the suggested expert, and the tag `escalation_suggested`), `auto`
(escalate, exactly as POST /v1/escalations does) or `off`. A crossing is the score going from below the
installation's escalate threshold to at or above it; the ticket's watch row remembers which side it is
on, so the same crossing never acts twice and a ticket that calms down and flares up again counts anew.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from sidecar.clients.errors import ApiError
from sidecar.clients.factory import helpdesk_client
from sidecar.domain import marker as echo_marker
from sidecar.intelligence.escalation_context import build_escalation_context
from sidecar.intelligence.redaction import Redactor
from sidecar.intelligence.scoring import resolve_policy
from sidecar.intelligence.ticket import Comment, Ticket, ticket_from_mapping
from sidecar.jobs.context import JobContext
from sidecar.jobs.escalation_delivery import installation_connections
from sidecar.jobs.outbox import enqueue
from sidecar.metrics.families import count_assessment
from sidecar.rendering.environment import template_environment
from sidecar.rendering.updates import render_suggestion_note
from sidecar.services.assessments import assess_and_store
from sidecar.services.connections import Connections
from sidecar.services.escalations import start_escalation, ticket_url
from sidecar.services.installations import installation_settings
from sidecar.services.lifecycle import find_open_escalation
from sidecar.services.scoring_settings import policy_from_overrides, scoring_overrides
from sidecar.store.models import (
    AssessmentRecord,
    Installation,
    TicketWatch,
    utcnow,
)

log = logging.getLogger(__name__)


def reassess_on_customer_comment(ctx: JobContext, *, source: str, data: dict[str, Any]) -> Callable | None:
    """Prepare the re-assessment of a ticket a customer just wrote on (fetching it outside any lock).

    Returns the step to run inside the event's transaction, or None when the event is not a customer
    comment or the installation's policy is off.
    """
    comment = data.get("comment") or {}
    if comment.get("author") != "customer" or not comment.get("body") or echo_marker.detect(comment.get("body")):
        return None
    with ctx.database.session() as session:
        installation = session.get(Installation, ctx.job.installation_id)
        if installation is None or installation.source != source:
            return None
        policy = installation_settings(installation).escalation.proactive
        if policy not in ("suggest", "auto"):
            return None
        stored = session.scalar(select(AssessmentRecord.ticket).where(
            AssessmentRecord.installation_id == installation.id, AssessmentRecord.ticket_source == source,
            AssessmentRecord.ticket_external_id == str(data["ticket_id"]))
            .order_by(AssessmentRecord.created_at.desc()).limit(1))
        session.expunge(installation)
    connections = installation_connections(ctx, installation)
    ticket = current_ticket(connections, installation, source=source, data=data, stored=stored,
                            allow_private=ctx.allow_private_urls)

    def apply(session: Session, installation: Installation) -> None:
        act_on_crossing(session, installation=installation, ticket=ticket, connections=connections, policy=policy,
                        templates_dir=ctx.templates_dir)

    return apply


def current_ticket(connections: Connections, installation: Installation, *, source: str, data: dict[str, Any],
                   stored: dict[str, Any] | None, allow_private: bool = False) -> Ticket:
    """The ticket as it is now: fetched from the help desk when connected, else the last one seen plus the
    new comment."""
    ticket_id = str(data["ticket_id"])
    comment = data["comment"]
    new = Comment(author="customer", body=comment["body"], public=bool(comment.get("public", True)),
                  created_at=utcnow())
    if connections.is_live(source):
        try:
            client = helpdesk_client(source, connections,
                                     settings=installation_settings(installation).helpdesk.to_mapping(),
                                     allow_private=allow_private)
            fetched = client.fetch_ticket(ticket_id)
            # The help desk's API can lag its own webhook by a moment: the comment that woke us counts.
            if not any(_same_text(c.body, new.body) for c in fetched.comments):
                fetched = replace(fetched, comments=(*fetched.comments, new))
            return fetched
        except (ApiError, ValueError) as exc:
            # The help desk is unreachable: assess from what the webhook and earlier assessments say.
            log.warning("re-assessing %s %s from the webhook: fetching the ticket failed (%s)", source, ticket_id,
                        type(exc).__name__)
    if stored:
        ticket = ticket_from_mapping(stored)
        if not any(_same_text(c.body, new.body) for c in ticket.comments):
            ticket = replace(ticket, comments=(*ticket.comments, new))
        return replace(ticket, status=data.get("status") or ticket.status)
    return Ticket(id=ticket_id, source=source, subject=data.get("subject") or "", comments=(new,),
                  status=data.get("status"), tags=tuple(data.get("tags") or ()))


def _same_text(a: str, b: str) -> bool:
    return " ".join((a or "").split()) == " ".join((b or "").split())


def act_on_crossing(session: Session, *, installation: Installation, ticket: Ticket, connections: Connections,
                    policy: str, templates_dir: str | None = None) -> str | None:
    """Assess (and store) the ticket; on a new crossing of the threshold suggest or escalate. Returns what it did."""
    record = assess_and_store(session, installation=installation, ticket=ticket)
    count_assessment(record.level, trigger="webhook")
    threshold = resolve_policy(policy_from_overrides(scoring_overrides(installation)))[2]
    key = (installation.id, ticket.source, ticket.id)
    watch = session.get(TicketWatch, key)
    if watch is None:
        watch = TicketWatch(installation_id=key[0], ticket_source=key[1], ticket_external_id=key[2],
                            above_threshold=False, last_score=0.0, crossings=0)
        session.add(watch)
    above = record.score >= threshold
    crossed = above and not watch.above_threshold
    watch.above_threshold, watch.last_score, watch.updated_at = above, record.score, utcnow()
    if not crossed:
        return None
    watch.crossings = (watch.crossings or 0) + 1
    if find_open_escalation(session, installation_id=installation.id, source=ticket.source,
                            ticket_id=ticket.id) is not None:
        return None  # already with an expert: the comment is synced to them instead
    if policy == "auto":
        reasons = "; ".join(s["evidence"] for s in record.result["signals"][:3])
        start_escalation(session, installation=installation, ticket=ticket, connections=connections,
                         note=f"Escalated automatically: the score reached {record.score:.2f} ({record.level}). "
                              f"{reasons}")
        return "escalated"
    _queue_suggestion(session, installation=installation, ticket=ticket, record=record, connections=connections,
                      crossing=watch.crossings, templates_dir=templates_dir)
    return "suggested"


def _queue_suggestion(session: Session, *, installation: Installation, ticket: Ticket, record: AssessmentRecord,
                      connections: Connections, crossing: int, templates_dir: str | None) -> None:
    result = record.result
    route = result.get("route") or {}
    marker = echo_marker.for_suggestion(ticket.source, ticket.id, crossing)
    context = build_escalation_context(
        ticket=ticket, assessment=result, route=route, similar=result.get("similar") or [], agent_note=None,
        ticket_url=ticket_url(connections, source=ticket.source, ticket_id=ticket.id), escalation_id="suggestion",
    ).redacted(Redactor.from_settings(installation_settings(installation).escalation.redaction.to_mapping()))
    # Several signals can quote the same sentence; an agent needs each piece of evidence once.
    reasons = list(dict.fromkeys(s["evidence"] for s in result.get("signals", [])))[:5]
    body = render_suggestion_note(context, score=record.score, level=record.level, reasons=reasons,
                                  team=route.get("team"), expert=route.get("expert"), marker=marker,
                                  env=template_environment(templates_dir))
    enqueue(session, installation_id=installation.id, kind="proactive.ticket_note",
            payload={"ticket_source": ticket.source, "ticket_id": ticket.id, "body": body, "marker": marker})
