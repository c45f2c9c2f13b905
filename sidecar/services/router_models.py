"""Learned routers per installation: train from history, store versioned, load the active one."""
from __future__ import annotations

import logging
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from sidecar.domain.statuses import FeedbackRating
from sidecar.errors import Conflict
from sidecar.intelligence.routing.embeddings import EmbeddingsUnavailable, embedding_model_for
from sidecar.intelligence.routing.learned_router import RouterModel  # scikit-learn loads on first use
from sidecar.intelligence.routing.training import train_router
from sidecar.intelligence.semantic import active_layer
from sidecar.intelligence.ticket import Ticket, ticket_from_mapping
from sidecar.store.db import Database
from sidecar.store.models import AssessmentFeedback, AssessmentRecord, HistoryTicket, LearnedModel, Team

log = logging.getLogger("sidecar.routing")
ROUTER_KIND = "router"
MIN_TRAINING_TICKETS = 20


M = TypeVar("M")  # the kind of model a cache holds


class _ModelCache(Generic[M]):
    """Loaded models by row id. Rows are immutable once written, so a hit can never be stale."""

    def __init__(self, size: int = 16) -> None:
        self._size = size
        self._models: OrderedDict[str, M] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, model_id: str, load: Callable[[], M]) -> M:
        with self._lock:
            if model_id in self._models:
                self._models.move_to_end(model_id)
                return self._models[model_id]
        model = load()
        with self._lock:
            self._models[model_id] = model
            while len(self._models) > self._size:
                self._models.popitem(last=False)
        return model


_cache: _ModelCache[RouterModel] = _ModelCache()


def ticket_text(ticket: Ticket) -> str:
    """The text a router reads: subject, description and what the customer wrote."""
    return "\n".join(text for _, text in ticket.customer_messages())


@dataclass(frozen=True)
class ActiveRouter:
    """The installation's active router, answering in the terms routing needs."""

    model: RouterModel
    version: str

    def decide(self, ticket: Ticket) -> tuple[dict[str, float] | None, bool]:
        """(history group, lower-cased -> probability, abstained?) for this ticket, from one pass of the model
        (with embeddings a pass is most of a route's cost). (None, False) when the model cannot run here:
        it was trained with embeddings this process cannot load; routing goes on without it."""
        try:
            decision = self.model.route(ticket_text(ticket))
        except EmbeddingsUnavailable as exc:
            log.warning("router %s cannot run here: %s; routing without it until it can (or retrain)",
                        self.version, exc)
            return None, False
        return {group.lower(): p for group, p in decision.ranked}, decision.abstained


_ACTIVE_ROUTER = select(LearnedModel.id, LearnedModel.version).where(
    LearnedModel.installation_id == bindparam("installation_id"), LearnedModel.kind == ROUTER_KIND,
    LearnedModel.active.is_(True),
)  # built once: asked on every routing decision


def active_router(session: Session, *, installation_id: str) -> ActiveRouter | None:
    """The installation's active router, or None if it never trained one."""
    row = session.connection().execute(_ACTIVE_ROUTER, {"installation_id": installation_id}).first()
    if row is None:
        return None
    model_id, version = row

    def load() -> RouterModel:
        payload = session.scalar(select(LearnedModel.payload).where(LearnedModel.id == model_id))
        if payload is None:
            raise LookupError(f"router {model_id} has no stored model")
        return RouterModel.from_bytes(payload)

    return ActiveRouter(model=_cache.get(model_id, load), version=version)


def warm_active_routers(database: Database, *, limit: int = 16) -> int:
    """Load the newest active routers into this process's cache and route one text with each, so the first
    real request does not wait for them (with the transformer: under a second to load the ONNX model)."""
    with database.session() as session:
        rows = session.execute(select(LearnedModel.id, LearnedModel.installation_id)
                               .where(LearnedModel.kind == ROUTER_KIND, LearnedModel.active.is_(True))
                               .order_by(LearnedModel.created_at.desc()).limit(limit)).all()
        for _, installation_id in rows:
            router = active_router(session, installation_id=installation_id)
            if router is not None:
                router.decide(ticket_from_mapping({"id": "warm-up", "subject": "warm-up"}))
    return len(rows)


def start_router_warm_up(database: Database) -> threading.Thread:
    """Load the assessment's semantic layer, then warm_active_routers, in a daemon thread (web processes call
    it as they start; failures are logged)."""

    def run() -> None:
        try:
            # The first process on a machine fits the layer (about 15 s, then cached on disk); later ones
            # load it in a fraction of a second. Either way not on the first sidebar request.
            active_layer()
            warm_active_routers(database)
        except Exception:  # a warm-up must never take the process down: routers also load on first use
            log.warning("router warm-up failed; routers load on first use", exc_info=True)

    thread = threading.Thread(target=run, name="router-warm-up", daemon=True)
    thread.start()
    return thread


TicketKey = tuple[str, str]  # (source, id)


def feedback_labels(
    session: Session, *, installation_id: str
) -> tuple[dict[TicketKey, str], set[tuple[TicketKey, str]]]:
    """Agents' ratings as routing labels: ({(source, id): group} confirmed right, {((source, id), group)} rated wrong).

    An assessment rated right confirms the team it routed to (the team's first history group, else its
    name, is the label); rated wrong, that team is not learnt for the ticket. The newest rating wins.
    """
    rows: Iterable[tuple[Any, ...]] = session.execute(
        select(AssessmentFeedback.rating, AssessmentRecord.ticket_source, AssessmentRecord.ticket_external_id,
               AssessmentRecord.result)
        .join(AssessmentRecord, AssessmentRecord.id == AssessmentFeedback.assessment_id)
        .where(AssessmentFeedback.installation_id == installation_id)
        .order_by(AssessmentFeedback.created_at))
    teams = {team.id: team for team in session.scalars(select(Team).where(Team.installation_id == installation_id))}
    confirmed: dict[TicketKey, str] = {}
    refuted: set[tuple[TicketKey, str]] = set()
    for rating, source, ticket_id, result in rows:
        team_id = (((result or {}).get("route") or {}).get("team") or {}).get("id")
        team = teams.get(team_id) if team_id is not None else None
        if team is None:
            continue
        label = (team.history_groups or [team.name])[0]
        key = (source, ticket_id)
        if rating == FeedbackRating.RIGHT:
            confirmed[key] = label
            refuted.discard((key, label))
        else:
            refuted.add((key, label))
            confirmed.pop(key, None)
    return confirmed, refuted


def train_installation_router(session: Session, *, installation_id: str, embeddings: str = "off") -> dict[str, Any]:
    """Train a router on the installation's ticket history (the group that handled each), store it, make it active.

    embeddings is a SIDECAR_ROUTER_EMBEDDINGS value (see routing.embeddings): auto, off, or a model.
    """
    texts: list[str] = []
    groups: list[str | None] = []
    rows: Iterable[tuple[Any, ...]] = session.execute(
        select(HistoryTicket.data, HistoryTicket.group_name).where(
            HistoryTicket.installation_id == installation_id, HistoryTicket.kind == "ticket"
        )
    )
    confirmed, refuted = feedback_labels(session, installation_id=installation_id)
    confirmed_at_start = dict(confirmed)
    for data, group in rows:
        ticket = ticket_from_mapping({**data, "id": str(data.get("id", "?"))})
        key = (ticket.source, ticket.id)
        if group and (key, group) in refuted:
            group = None  # an agent said the sidecar's team for this ticket was wrong: do not learn it
        if not group and key in confirmed:
            group = confirmed.pop(key)  # an agent confirmed the routed team: a label the history lacked
        text = ticket_text(ticket)
        if text.strip():
            texts.append(text)
            groups.append(group)
    labelled = sum(1 for g in groups if g)
    if labelled < MIN_TRAINING_TICKETS:
        raise Conflict(
            f"only {labelled} history tickets have a group; import at least {MIN_TRAINING_TICKETS} "
            "(sidecar import ...) before training",
            code="not_enough_history",
        )
    embedding_model = embedding_model_for(embeddings, tickets=len(texts))
    started = time.perf_counter()
    model = train_router(texts, groups, embedding_model=embedding_model)
    seconds = time.perf_counter() - started
    session.execute(
        update(LearnedModel)
        .where(LearnedModel.installation_id == installation_id, LearnedModel.kind == ROUTER_KIND)
        .values(active=False)
    )
    metrics = {"tickets": len(texts), "labelled": labelled, "groups": len(set(g for g in groups if g)),
               "train_seconds": round(seconds, 2), "embedding_model": embedding_model,
               "feedback": {"confirmed": len(confirmed_at_start), "refuted": len(refuted)}}
    row = LearnedModel(id="mdl_" + secrets.token_hex(8), installation_id=installation_id, kind=ROUTER_KIND,
                       version=model.version, payload=model.to_bytes(), metrics=metrics, active=True)
    session.add(row)
    session.flush()
    return {"id": row.id, "version": model.version, **metrics}
