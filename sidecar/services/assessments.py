"""Assess a ticket, store the answer, and read stored answers back, always within one installation."""
from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from sidecar.errors import Conflict, NotFound
from sidecar.intelligence.assessment import Assessment
from sidecar.intelligence.scoring import assess_ticket
from sidecar.intelligence.ticket import Ticket, ticket_from_mapping, ticket_to_mapping
from sidecar.jobs.history_recording import queue_recording
from sidecar.services.escalation_models import active_escalation_model
from sidecar.services.helpdesk_tickets import fetch_ticket
from sidecar.services.routing import route_ticket
from sidecar.services.scoring_settings import policy_from_overrides, scoring_models, scoring_overrides
from sidecar.services.similar_incidents import find_similar
from sidecar.store.crypto import SecretBox
from sidecar.store.history import record_ticket
from sidecar.store.models import AssessmentFeedback, AssessmentRecord, Installation, utcnow


def assessment_to_dict(assessment: Assessment) -> dict[str, Any]:
    """The stored/returned form of an assessment's findings."""
    return {
        "score": round(assessment.score, 4),
        "level": assessment.level,
        "recommendation": assessment.recommendation,
        "categories": [{"name": c.name, "confidence": round(c.confidence, 4)} for c in assessment.categories],
        "signals": [
            {
                "name": s.name,
                "contribution": round(s.contribution, 4),
                "evidence": s.evidence,
                "category": s.category,
            }
            for s in assessment.signals
        ],
        "model_version": assessment.model_version,
    }


_INSERT_ASSESSMENT = insert(AssessmentRecord.__table__)


def score_ticket(
    session: Session, *, installation: Installation, ticket: Ticket, now: datetime | None = None
) -> tuple[Assessment, dict[str, Any] | None]:
    """The assessment by the model the scoring settings choose, and the shadow model's score (or None).

    Signals, evidence and categories always come from the rules; with `model: learned` only the score (and
    so level and recommendation) comes from the installation's escalation model, loaded once per process.
    A `learned` setting with no model stored (it cannot normally happen: the settings refuse it) scores by
    the rules.
    """
    overrides = scoring_overrides(installation)
    policy = policy_from_overrides(overrides)
    model_name, shadow_name = scoring_models(overrides)
    learned = None
    if "learned" in (model_name, shadow_name):
        learned = active_escalation_model(session, installation_id=installation.id)
    assessment = assess_ticket(ticket, policy=policy, model=learned if model_name == "learned" else None, now=now)
    shadow = None
    if shadow_name == "learned" and learned is not None:
        shadow = {"model_version": learned.version, "score": round(float(learned.predict_proba(ticket)), 4)}
    elif shadow_name == "rules" and model_name == "learned" and learned is not None:
        rules = assess_ticket(ticket, policy=policy, now=now)
        shadow = {"model_version": rules.model_version, "score": round(rules.score, 4)}
    return assessment, shadow


def assess(
    session: Session, *, installation: Installation, ticket: Ticket, now: datetime | None = None
) -> dict[str, Any]:
    """Score a ticket, route it and find similar incidents: the whole answer, read-only (no lock needed)."""
    assessment, shadow = score_ticket(session, installation=installation, ticket=ticket, now=now)
    result = assessment_to_dict(assessment)
    if shadow is not None:
        result["shadow"] = shadow
    similar = find_similar(session, installation=installation, ticket=ticket)
    route = route_ticket(session, installation=installation, ticket=ticket, assessment=assessment, similar=similar,
                         now=now)
    result["route"] = route.to_mapping()
    result["similar"] = [incident.to_mapping() for incident in similar]
    return result


def store_assessment(
    session: Session, *, installation: Installation, ticket: Ticket, result: dict[str, Any],
    now: datetime | None = None, record_now: bool = False,
) -> AssessmentRecord:
    """Store an answer made by `assess` with a new id, and add the ticket to the history (the writes).

    The ticket joins the history as it arrives, so routing and search learn from today's work too: on the
    request path through a queued `history.record` job (the outbox worker indexes many per transaction),
    or at once with `record_now` (a caller that is a job already).
    """
    if record_now:
        record_ticket(session, installation_id=installation.id, ticket=ticket)
    values = {
        "id": "asm_" + secrets.token_hex(10),
        "installation_id": installation.id,
        "ticket_source": ticket.source,
        "ticket_external_id": ticket.id,
        "score": result["score"],
        "level": result["level"],
        "recommendation": result["recommendation"],
        "model_version": result["model_version"],
        "result": result,
        "ticket": ticket_to_mapping(ticket),
        "created_at": now or utcnow(),
    }
    # A Core INSERT: this is the hot path of every assessment, and the ORM unit of work costs
    # several times the statement itself. The returned object is transient (not in the session).
    connection = session.connection()
    connection.execute(_INSERT_ASSESSMENT, [values])
    if not record_now:
        queue_recording(connection, installation_id=installation.id, source=ticket.source, ticket_id=ticket.id)
    return AssessmentRecord(**values)


def assess_and_store(
    session: Session, *, installation: Installation, ticket: Ticket, now: datetime | None = None
) -> AssessmentRecord:
    """Score, route and find similar incidents for a ticket, and store the whole answer with an id."""
    result = assess(session, installation=installation, ticket=ticket, now=now)
    return store_assessment(session, installation=installation, ticket=ticket, result=result, now=now,
                            record_now=True)


def resolve_ticket(
    *,
    installation: Installation,
    payload: dict[str, Any],
    box: SecretBox,
    fetch: Callable[..., Ticket] = fetch_ticket,
) -> Ticket:
    """Turn an assessment request into a Ticket: take the given ticket, or fetch the referenced one."""
    if "ticket" in payload:
        data = dict(payload["ticket"])
        data.setdefault("source", installation.source)
        if data["source"] != installation.source:
            # Well-formed, but not this installation's help desk: the state decides, so 409.
            raise Conflict(
                f"this installation is a {installation.source} installation; ticket.source is {data['source']}",
                code="source_mismatch", details={"ticket.source": data["source"]},
            )
        return ticket_from_mapping(data)
    ref = payload["ticket_ref"]
    if ref["source"] != installation.source:
        raise Conflict(
            f"this installation is a {installation.source} installation; ticket_ref.source is {ref['source']}",
            code="source_mismatch", details={"ticket_ref.source": ref["source"]},
        )
    return fetch(installation=installation, ticket_id=ref["id"], box=box)


def get_assessment(session: Session, *, installation: Installation, assessment_id: str) -> AssessmentRecord:
    """A stored assessment of this installation; another installation's id is simply not found."""
    record = session.scalar(
        select(AssessmentRecord).where(
            AssessmentRecord.id == assessment_id, AssessmentRecord.installation_id == installation.id
        )
    )
    if record is None:
        raise NotFound(f"no assessment {assessment_id!r}")
    return record


def list_assessments(
    session: Session,
    *,
    installation: Installation,
    source: str | None = None,
    ticket_id: str | None = None,
    limit: int = 50,
) -> list[AssessmentRecord]:
    """This installation's assessments, newest first, optionally for one ticket."""
    query = select(AssessmentRecord).where(AssessmentRecord.installation_id == installation.id)
    if source:
        query = query.where(AssessmentRecord.ticket_source == source)
    if ticket_id:
        query = query.where(AssessmentRecord.ticket_external_id == ticket_id)
    query = query.order_by(AssessmentRecord.created_at.desc(), AssessmentRecord.id).limit(limit)
    return list(session.scalars(query))


def record_feedback(session: Session, *, installation: Installation, assessment_id: str, rating: str, note: str = "",
                    agent: str | None = None) -> AssessmentFeedback:
    """Store an agent's rating of one of this installation's assessments."""
    get_assessment(session, installation=installation, assessment_id=assessment_id)  # NotFound across tenants
    feedback = AssessmentFeedback(installation_id=installation.id, assessment_id=assessment_id, rating=rating,
                                  note=note or "", agent=agent, created_at=utcnow())
    session.add(feedback)
    session.flush()
    return feedback
