"""Learned escalation models per installation: labels from the stored history, train, store versioned, load.

Labels (decided here, written down in the README):
- a history row's `escalated` (imported, true or false) is the base label;
- a ticket escalated through the sidecar (a row in `escalations`, any status) counts as escalated;
- agents' feedback on an assessment overrides both (the newest rating of the ticket wins): `right`
  confirms what the assessment recommended (escalate -> escalated, otherwise not), `wrong` says the
  opposite (a `wrong` on a score at or above the installation's escalate threshold -> not escalated,
  on a lower score -> escalated).
Tickets with none of these carry no label and are not learnt from.
"""
from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from sidecar.domain.settings import ScoringSettings
from sidecar.domain.statuses import FeedbackRating
from sidecar.errors import Conflict
from sidecar.intelligence.assessment import ScoringPolicy
from sidecar.intelligence.learned import CalibratedEscalationModel, train_calibrated_escalation_model
from sidecar.intelligence.scoring import resolve_policy
from sidecar.intelligence.ticket import Ticket, ticket_from_mapping
from sidecar.services.installations import installation_settings
from sidecar.services.router_models import _ModelCache
from sidecar.store.models import (
    AssessmentFeedback,
    AssessmentRecord,
    Escalation,
    HistoryTicket,
    Installation,
    LearnedModel,
)

log = logging.getLogger("sidecar.scoring")
ESCALATION_KIND = "escalation"
MIN_PER_CLASS = 20  # fewer escalated (or not escalated) tickets than this: nothing to learn from, nothing stored

_cache: _ModelCache[CalibratedEscalationModel] = _ModelCache()


@dataclass(frozen=True)
class LabelledTicket:
    ticket: Ticket
    escalated: bool
    at: datetime  # when the ticket was opened (or last seen): what a time split orders by
    source: str  # "history", "escalation" or "feedback": where the label came from


def _escalate_threshold(installation_id: str, session: Session) -> float:
    # The settings are read here rather than through services.scoring_settings, which imports this module
    # (to refuse `model: learned` before a model is trained).
    installation = session.get(Installation, installation_id)
    overrides = installation_settings(installation).scoring if installation is not None else ScoringSettings()
    return resolve_policy(ScoringPolicy.from_settings(overrides))[2]


def feedback_escalation_labels(session: Session, *, installation_id: str) -> dict[tuple[str, str], bool]:
    """{(source, ticket id): escalated} from agents' ratings, the newest rating of a ticket winning."""
    threshold = _escalate_threshold(installation_id, session)
    rows = session.execute(
        select(AssessmentFeedback.rating, AssessmentRecord.ticket_source, AssessmentRecord.ticket_external_id,
               AssessmentRecord.score)
        .join(AssessmentRecord, AssessmentRecord.id == AssessmentFeedback.assessment_id)
        .where(AssessmentFeedback.installation_id == installation_id)
        .order_by(AssessmentFeedback.created_at, AssessmentFeedback.id))
    labels: dict[tuple[str, str], bool] = {}
    for rating, source, ticket_id, score in rows:
        high = float(score) >= threshold
        labels[(source, ticket_id)] = high if rating == FeedbackRating.RIGHT else not high
    return labels


def escalated_through_sidecar(session: Session, *, installation_id: str) -> set[tuple[str, str]]:
    """(source, ticket id) of every ticket escalated through the sidecar."""
    rows = session.execute(select(Escalation.ticket_source, Escalation.ticket_external_id)
                           .where(Escalation.installation_id == installation_id))
    return {(source, ticket_id) for source, ticket_id in rows}


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _aware(value: datetime | None) -> datetime:
    if value is None:
        return _EPOCH
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def labelled_history(session: Session, *, installation_id: str) -> list[LabelledTicket]:
    """The installation's history tickets that carry an escalation label, oldest first."""
    feedback = feedback_escalation_labels(session, installation_id=installation_id)
    escalated = escalated_through_sidecar(session, installation_id=installation_id)
    rows: Iterable[tuple[Any, ...]] = session.execute(
        select(HistoryTicket.data, HistoryTicket.source, HistoryTicket.external_id, HistoryTicket.escalated,
               HistoryTicket.created_at, HistoryTicket.updated_at)
        .where(HistoryTicket.installation_id == installation_id, HistoryTicket.kind == "ticket"))
    out: list[LabelledTicket] = []
    for data, source, external_id, stored_label, created_at, updated_at in rows:
        key = (source, external_id)
        if key in feedback:
            label, origin = feedback[key], "feedback"
        elif key in escalated:
            label, origin = True, "escalation"
        elif stored_label is not None:
            label, origin = bool(stored_label), "history"
        else:
            continue
        ticket = ticket_from_mapping({**data, "id": str(data.get("id", external_id))}, default_source=source)
        out.append(LabelledTicket(ticket=ticket, escalated=label, at=_aware(created_at or updated_at), source=origin))
    out.sort(key=lambda item: (item.at, item.ticket.id))
    return out


def check_enough(labels: list[bool], *, minimum: int = MIN_PER_CLASS, what: str = "history") -> None:
    """A 409 naming the counts when either class has fewer than `minimum` tickets."""
    positives = sum(1 for v in labels if v)
    negatives = len(labels) - positives
    if positives < minimum or negatives < minimum:
        raise Conflict(
            f"the {what} has {positives} escalated and {negatives} not-escalated labelled tickets; the escalation "
            f"model needs at least {minimum} of each (import history with `escalated`, or rate assessments)",
            code="not_enough_labels", details={"escalated": positives, "not_escalated": negatives,
                                               "minimum_per_class": minimum})


def train_installation_escalation(session: Session, *, installation_id: str) -> dict[str, Any]:
    """Fit, calibrate and store a new version of the installation's escalation model (stored active, but only
    used when the scoring settings say `model: learned` or `shadow: learned`)."""
    items = labelled_history(session, installation_id=installation_id)
    labels = [item.escalated for item in items]
    check_enough(labels)
    started = time.perf_counter()
    model = train_calibrated_escalation_model([item.ticket for item in items], labels)
    seconds = time.perf_counter() - started
    session.execute(update(LearnedModel)
                    .where(LearnedModel.installation_id == installation_id, LearnedModel.kind == ESCALATION_KIND)
                    .values(active=False))
    sources: dict[str, int] = {}
    for item in items:
        sources[item.source] = sources.get(item.source, 0) + 1
    metrics = {"tickets": len(items), "escalated": sum(labels), "not_escalated": len(labels) - sum(labels),
               "label_sources": sources, "calibration": model.method, "train_seconds": round(seconds, 2)}
    row = LearnedModel(id="mdl_" + secrets.token_hex(8), installation_id=installation_id, kind=ESCALATION_KIND,
                       version=model.version, payload=model.to_bytes(), metrics=metrics, active=True)
    session.add(row)
    session.flush()
    return {"id": row.id, "version": model.version, **metrics}


_ACTIVE_ESCALATION = select(LearnedModel.id, LearnedModel.version).where(
    LearnedModel.installation_id == bindparam("installation_id"), LearnedModel.kind == ESCALATION_KIND,
    LearnedModel.active.is_(True),
)


def active_escalation_model(session: Session, *, installation_id: str) -> CalibratedEscalationModel | None:
    """The installation's newest escalation model, unpickled once per process (cached by row id), or None."""
    row = session.connection().execute(_ACTIVE_ESCALATION, {"installation_id": installation_id}).first()
    if row is None:
        return None
    model_id = row[0]

    def load() -> CalibratedEscalationModel:
        payload = session.scalar(select(LearnedModel.payload).where(LearnedModel.id == model_id))
        if payload is None:
            raise LookupError(f"escalation model {model_id} has no stored model")
        return CalibratedEscalationModel.from_bytes(payload)

    return _cache.get(model_id, load)


def has_escalation_model(session: Session, *, installation_id: str) -> bool:
    """Whether `sidecar train` has stored an escalation model for this installation."""
    return session.connection().execute(_ACTIVE_ESCALATION, {"installation_id": installation_id}).first() is not None
