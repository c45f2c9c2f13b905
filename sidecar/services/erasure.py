"""Erasure: remove one requester's data from an installation, or remove a whole installation.

A requester's own tickets (the tickets whose requester is the e-mail address) are deleted with
everything kept about them: the history row (and so its full-text entry), every stored assessment
and its feedback, escalations with their timeline and steps, outbox jobs and the proactive watch
row. Rows about other tickets that merely mention the address keep their place with the address
replaced by `[erased]`, and the "similar incidents" that other assessments and escalations list are
cleaned of the deleted tickets (their titles are the requester's words).

The sidecar cannot reach what it already wrote elsewhere: the answer lists the Jira issues, Slack
messages and help-desk tickets that mention the person, so an admin can erase them there.

After the rows go, the files are made to forget them (sidecar.store.scrub): secure delete, a merged
full-text index and a truncated write-ahead log on SQLite; VACUUM on PostgreSQL.
"""
from __future__ import annotations

import json
import re
import secrets
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import JSON, String, Text, cast, delete, func, or_, select
from sqlalchemy.orm import Session

from sidecar.domain.statuses import AuditOutcome, JobStatus, StepStatus
from sidecar.errors import InvalidInput, NotFound
from sidecar.intelligence.similarity.embedding import forget_query_vectors
from sidecar.services.audit import record_audit
from sidecar.store.db import Database
from sidecar.store.models import (
    AssessmentFeedback,
    AssessmentRecord,
    AuditEntry,
    Base,
    Escalation,
    EscalationEvent,
    EscalationStep,
    HistoryEmbedding,
    HistoryTicket,
    Installation,
    Job,
    LearnedModel,
    TicketWatch,
    WebhookDelivery,
)
from sidecar.store.scrub import scrub_after_delete
from sidecar.store.vectors import invalidate as invalidate_vectors

REDACTED = "[erased]"
MAX_EMAIL_LENGTH = 254
# Deliberately loose (one @, a dot in the domain, no spaces): the point is to refuse what cannot be
# an address, not to second-guess what a help desk accepted.
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_BATCH = 500

# Where an installation keeps what its customers wrote (the directory, models and settings are the
# installation's own data, not its customers').
CUSTOMER_TABLES: tuple[type[Base], ...] = (
    HistoryTicket, AssessmentRecord, AssessmentFeedback, Escalation, EscalationEvent, EscalationStep, Job,
    AuditEntry, WebhookDelivery, TicketWatch,
)
# Sentence embeddings hold no words to redact, but are derived from the ticket: deleted with it, counted.
KINDS = tuple(model.__tablename__ for model in CUSTOMER_TABLES) + (HistoryEmbedding.__tablename__,)

TicketKey = tuple[str, str]  # (source, external id)
# A model whose JSON column lists similar tickets: (model, column, read the JSON, write it back).
_SimilarLists = tuple[
    type[AssessmentRecord] | type[Escalation], Any, Callable[[Any], Any], Callable[[Any, dict[str, Any]], None]
]


@dataclass
class ErasureReport:
    """What an erasure did: rows deleted and rows redacted per table, what it cannot reach, what the files saw."""

    id: str
    erased: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    redacted: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    jira_issues: set[str] = field(default_factory=set)
    slack_messages: set[str] = field(default_factory=set)
    helpdesk_tickets: set[TicketKey] = field(default_factory=set)
    tickets: int = 0
    learned_models: int = 0
    storage: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """The API's answer (it never holds the address itself)."""
        return {
            "id": self.id,
            "tickets": self.tickets,
            "erased": dict(self.erased),
            "redacted": dict(self.redacted),
            "not_reachable": {
                "jira_issues": sorted(self.jira_issues),
                "slack_messages": sorted(self.slack_messages),
                "helpdesk_tickets": [{"source": source, "id": ticket_id}
                                     for source, ticket_id in sorted(self.helpdesk_tickets)],
            },
            "learned_models": {
                "count": self.learned_models,
                "note": "trained routers keep word statistics of the tickets they learned from; "
                        "run `sidecar train` to replace them" if self.learned_models else None,
            },
            "storage": self.storage,
        }


def normalise_email(value: Any) -> str:
    """The address to erase, trimmed and lower-cased; InvalidInput naming requester_email when it is not one."""
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput("requester_email is required: the e-mail address of the person to erase",
                           details={"requester_email": ["Missing data for required field."]})
    email = value.strip().lower()
    if len(email) > MAX_EMAIL_LENGTH or not _EMAIL.match(email):
        raise InvalidInput("requester_email must be an e-mail address",
                           details={"requester_email": ["Not a valid email address."]})
    return email


def erase_requester(database: Database, *, installation_id: str, email: str, compact: bool = False) -> ErasureReport:
    """Delete the requester's tickets and everything about them, redact the address elsewhere, scrub the files.

    `compact`: on PostgreSQL, VACUUM FULL the touched tables (see sidecar.store.scrub).
    """
    email = normalise_email(email)
    report = ErasureReport(id="era_" + secrets.token_hex(8))
    with database.write_session() as session:
        if session.get(Installation, installation_id) is None:
            raise NotFound(f"no installation {installation_id!r}")
        eraser = _Eraser(session, installation_id, email, report)
        eraser.run()
        record_audit(
            session, installation_id=installation_id, system="sidecar", action="erasure",
            target=f"erasure {report.id}", outcome=AuditOutcome.OK,
            # Never the address: the admin who asked keeps the link between the person and this id.
            detail=json.dumps({"requester": "erased", "tickets": report.tickets,
                               "erased": {k: v for k, v in report.erased.items() if v},
                               "redacted": {k: v for k, v in report.redacted.items() if v}}),
        )
        touched = eraser.touched_tables()
    history_changed = bool(report.erased["history_tickets"] or report.redacted["history_tickets"])
    if report.tickets:
        forget_query_vectors()  # this process's; the others' expire within ten minutes (similarity/embedding.py)
    report.storage = scrub_after_delete(database, tables=touched, history_changed=history_changed,
                                        compact=compact).as_dict()
    return report


# --------------------------------------------------------------------------------------------------
# The work of one erasure


class _Eraser:
    """One erasure inside one transaction (the caller holds the write lock and commits)."""

    def __init__(self, session: Session, installation_id: str, email: str, report: ErasureReport):
        self.session = session
        self.installation_id = installation_id
        self.email = email
        self.report = report
        self.pattern = re.compile(re.escape(email), re.IGNORECASE)
        dialect = session.get_bind().dialect.name
        # SQLite stores JSON with non-ASCII characters escaped and lower() folds ASCII only: for such an
        # address every row is read and matched here instead of narrowing in SQL first.
        self.prefilter = email.isascii() or dialect == "postgresql"

    # --- finding ------------------------------------------------------------------------------

    def mentioning(self, model: type[Base]) -> Iterator[Any]:
        """The installation's rows of `model` with the address in any text or JSON column (case-insensitive)."""
        columns = _text_columns(model)
        if not columns:  # nothing in it can hold text (the watch rows: keys and scores)
            return
        query = select(model).where(model.__table__.c.installation_id == self.installation_id)
        if self.prefilter:
            like = "%" + _like_escape(self.email) + "%"
            query = query.where(or_(*(func.lower(cast(column, Text)).like(like, escape="\\")
                                      for column in columns)))
        for row in self.session.scalars(query.execution_options(yield_per=_BATCH)):
            if any(self.mentions(getattr(row, column.key)) for column in columns):
                yield row

    def mentions(self, value: Any) -> bool:
        """True when the address occurs anywhere in a string or JSON value (keys included)."""
        if isinstance(value, str):
            return bool(self.pattern.search(value))
        if isinstance(value, dict):
            return any(self.mentions(k) or self.mentions(v) for k, v in value.items())
        if isinstance(value, list):
            return any(self.mentions(v) for v in value)
        return False

    def requested(self, requester: Any) -> bool:
        """True when a ticket's requester (an object with email, or a bare address) is this person."""
        if isinstance(requester, dict):
            requester = requester.get("email")
        return isinstance(requester, str) and requester.strip().lower() == self.email

    def owned_tickets(self) -> set[TicketKey]:
        """The tickets this person requested, as history, assessments, escalations and webhook events know them."""
        keys: set[TicketKey] = set()
        for row in self.mentioning(HistoryTicket):
            if self.requested((row.data or {}).get("requester")):
                keys.add((row.source, row.external_id))
        for row in self.mentioning(AssessmentRecord):
            if self.requested((row.ticket or {}).get("requester")):
                keys.add((row.ticket_source, row.ticket_external_id))
        for row in self.mentioning(Escalation):
            if self.requested(((row.context or {}).get("ticket") or {}).get("requester")):
                keys.add((row.ticket_source, row.ticket_external_id))
        for row in self.mentioning(Job):
            key = _job_ticket(row)
            data = (row.payload or {}).get("data") or {}
            if key is not None and self.requested(data.get("requester")):
                keys.add(key)
        self.session.expunge_all()  # only keys leave this step; the deletes below work on fresh rows
        return keys

    # --- the whole erasure --------------------------------------------------------------------

    def run(self) -> None:
        """Delete the person's tickets, then redact the address wherever it is still mentioned."""
        owned = self.owned_tickets()
        self.report.tickets = len(owned)
        escalations = self._escalations_of(owned)
        self._note_unreachable(escalations, owned)
        self._delete_owned(owned, [escalation.id for escalation in escalations])
        self._forget_similar(owned)
        self._redact_mentions()
        self._count_models()

    def touched_tables(self) -> set[str]:
        """Tables with a deleted or changed row (what PostgreSQL should vacuum)."""
        return {kind for kind in KINDS if self.report.erased[kind] or self.report.redacted[kind]}

    def _escalations_of(self, owned: set[TicketKey]) -> list[Escalation]:
        rows: dict[str, Escalation] = {}
        for source, ticket_id in owned:
            for escalation in self.session.scalars(select(Escalation).where(
                    Escalation.installation_id == self.installation_id, Escalation.ticket_source == source,
                    Escalation.ticket_external_id == ticket_id)):
                rows[escalation.id] = escalation
        return list(rows.values())

    def _note_unreachable(self, owned_escalations: list[Escalation], owned: set[TicketKey]) -> None:
        """Jira issues, Slack messages and help-desk notes already written about the person: listed for the admin."""
        escalations = {e.id: e for e in owned_escalations}
        escalations.update({e.id: e for e in self.mentioning(Escalation)})
        for escalation in escalations.values():
            steps = {step.name: step.status for step in self.session.scalars(
                select(EscalationStep).where(EscalationStep.escalation_id == escalation.id))}
            # Dry-run steps wrote nothing anywhere: only what was really sent is listed.
            if steps.get("jira_issue") == StepStatus.DONE:
                for key in (escalation.jira_key, escalation.link_to):
                    if key:
                        self.report.jira_issues.add(key)
            if steps.get("slack_message") == StepStatus.DONE and escalation.slack_ts:
                self.report.slack_messages.add(escalation.slack_permalink
                                               or f"{escalation.slack_channel}/p{escalation.slack_ts.replace('.', '')}")
            if steps.get("ticket_note") == StepStatus.DONE:
                self.report.helpdesk_tickets.add((escalation.ticket_source, escalation.ticket_external_id))
        for job in self.session.scalars(select(Job).where(
                Job.installation_id == self.installation_id, Job.kind == "proactive.ticket_note",
                Job.status == JobStatus.DONE)):
            ticket_key = _job_ticket(job)
            if ticket_key is None:  # no ticket to name in the report (a None here broke its sorting)
                continue
            if ticket_key in owned or self.mentions(job.payload):
                self.report.helpdesk_tickets.add(ticket_key)

    def _delete_owned(self, owned: set[TicketKey], escalation_ids: list[str]) -> None:
        session, installation_id, erased = self.session, self.installation_id, self.report.erased
        for source, ticket_id in sorted(owned):
            assessment_ids = list(session.scalars(select(AssessmentRecord.id).where(
                AssessmentRecord.installation_id == installation_id, AssessmentRecord.ticket_source == source,
                AssessmentRecord.ticket_external_id == ticket_id)))
            for chunk in _chunks(assessment_ids):
                erased["assessment_feedback"] += _count(session.execute(
                    delete(AssessmentFeedback).where(AssessmentFeedback.assessment_id.in_(chunk))))
                erased["assessments"] += _count(session.execute(
                    delete(AssessmentRecord).where(AssessmentRecord.id.in_(chunk))))
            erased["ticket_watch"] += _count(session.execute(delete(TicketWatch).where(
                TicketWatch.installation_id == installation_id, TicketWatch.ticket_source == source,
                TicketWatch.ticket_external_id == ticket_id)))
            # The full-text entry goes with the row (the delete trigger on SQLite, the row itself on PostgreSQL);
            # its sentence embedding explicitly (counted, and its table scrubbed, whatever ON DELETE CASCADE does).
            ticket = (HistoryTicket.installation_id == installation_id, HistoryTicket.source == source,
                      HistoryTicket.external_id == ticket_id)
            erased["history_embeddings"] += _count(session.execute(delete(HistoryEmbedding).where(
                HistoryEmbedding.history_ticket_id.in_(select(HistoryTicket.id).where(*ticket)))))
            erased["history_tickets"] += _count(session.execute(delete(HistoryTicket).where(*ticket)))
        if erased["history_embeddings"]:
            invalidate_vectors(installation_id)  # this process's cached matrix; others re-check within 30 s
        # Jobs about the tickets: their payloads carry the person's words. A job a worker holds right
        # now is deleted too; the worker then finds it gone and drops it (its lease is "lost").
        job_ids: set[str] = set()
        for chunk in _chunks(escalation_ids):
            job_ids.update(session.scalars(select(Job.id).where(Job.escalation_id.in_(chunk))))
        for _, ticket_id in sorted(owned):
            candidates = select(Job).where(Job.installation_id == installation_id,
                                           cast(Job.payload, Text).like(_quoted_like(ticket_id), escape="\\"))
            job_ids.update(job.id for job in session.scalars(candidates) if _job_ticket(job) in owned)
        session.expunge_all()
        for chunk in _chunks(sorted(job_ids)):
            erased["jobs"] += _count(session.execute(delete(Job).where(Job.id.in_(chunk))))
        for chunk in _chunks(escalation_ids):
            erased["escalation_events"] += _count(session.execute(
                delete(EscalationEvent).where(EscalationEvent.escalation_id.in_(chunk))))
            erased["escalation_steps"] += _count(session.execute(
                delete(EscalationStep).where(EscalationStep.escalation_id.in_(chunk))))
            erased["escalations"] += _count(session.execute(delete(Escalation).where(Escalation.id.in_(chunk))))
        session.flush()
        session.expunge_all()

    def _forget_similar(self, owned: set[TicketKey]) -> None:
        """Drop the deleted tickets from the similar-incident lists of other assessments and escalations."""
        if not owned:
            return
        ids = {ticket_id for _, ticket_id in owned}
        targets: tuple[_SimilarLists, ...] = (
            (AssessmentRecord, AssessmentRecord.result, lambda row: row.result, _set_result),
            (Escalation, Escalation.context, lambda row: row.context, _set_context),
        )
        for model, column, getter, setter in targets:
            query = select(model).where(model.installation_id == self.installation_id)
            narrowing = [cast(column, Text).like(_quoted_like(ticket_id), escape="\\") for ticket_id in ids]
            for row in self.session.scalars(query.where(or_(*narrowing))):
                value = dict(getter(row) or {})
                similar = value.get("similar")
                if not isinstance(similar, list):
                    continue
                kept = [item for item in similar
                        if not (isinstance(item, dict) and (item.get("source"), str(item.get("id"))) in owned)]
                if len(kept) != len(similar):
                    value["similar"] = kept
                    setter(row, value)
                    self.report.redacted[model.__tablename__] += 1
        self.session.flush()

    def _redact_mentions(self) -> None:
        """Replace the address with [erased] in every remaining row that mentions it."""
        for model in CUSTOMER_TABLES:
            changed = 0
            for row in list(self.mentioning(model)):
                for column in _text_columns(model):
                    value = getattr(row, column.key)
                    if self.mentions(value):
                        setattr(row, column.key, _fit(self.redact(value), column))
                changed += 1
            self.report.redacted[model.__tablename__] += changed
            self.session.flush()

    def redact(self, value: Any) -> Any:
        """The value with every occurrence of the address replaced (in strings, JSON keys and values)."""
        if isinstance(value, str):
            return self.pattern.sub(REDACTED, value)
        if isinstance(value, dict):
            return {self.redact(k): self.redact(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.redact(v) for v in value]
        return value

    def _count_models(self) -> None:
        self.report.learned_models = self.session.scalar(select(func.count()).select_from(LearnedModel).where(
            LearnedModel.installation_id == self.installation_id)) or 0


def _set_result(row: AssessmentRecord, value: dict[str, Any]) -> None:
    row.result = value  # a new object: JSON columns track assignment


def _set_context(row: Escalation, value: dict[str, Any]) -> None:
    row.context = value


def _text_columns(model: type[Base]) -> list[Any]:
    """Columns that can hold customer text: strings and JSON, not keys (ids never carry an address)."""
    return [column for column in model.__table__.columns
            if isinstance(column.type, (String, JSON)) and not column.primary_key and not column.foreign_keys
            and column.key != "installation_id"]


def _fit(value: Any, column: Any) -> Any:
    length = getattr(column.type, "length", None)
    if isinstance(value, str) and length and len(value) > length:
        return value[:length]
    return value


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _quoted_like(ticket_id: str) -> str:
    """A LIKE pattern for the id as a JSON string ("101"), so a short id does not match every number."""
    return '%"' + _like_escape(ticket_id) + '"%'


def _job_ticket(job: Job) -> TicketKey | None:
    """The ticket an outbox job is about, when its payload names one (webhook events, proactive notes)."""
    payload = job.payload or {}
    if payload.get("ticket_source") and payload.get("ticket_id"):
        return str(payload["ticket_source"]), str(payload["ticket_id"])
    data = payload["data"] if isinstance(payload.get("data"), dict) else {}
    kind = str(payload.get("kind") or "")
    source = kind.split(".", 1)[0]
    if source in ("zendesk", "salesforce") and data.get("ticket_id"):
        return source, str(data["ticket_id"])
    return None


def _chunks(values: list[Any], size: int = _BATCH) -> Iterable[list[Any]]:
    for start in range(0, len(values), size):
        yield values[start:start + size]


def _count(result: Any) -> int:
    return max(result.rowcount or 0, 0)


# --------------------------------------------------------------------------------------------------
# A whole installation


def delete_installation(database: Database, *, installation_id: str, compact: bool = False) -> dict[str, Any]:
    """Delete an installation and every row of it (its tokens stop working); returns counts per table and the scrub."""
    deleted: dict[str, int] = {}
    tables = [table for table in reversed(Base.metadata.sorted_tables)
              if "installation_id" in table.c and table.name != Installation.__tablename__]
    with database.write_session() as session:
        if session.get(Installation, installation_id) is None:
            raise NotFound(f"no installation {installation_id!r}")
        session.expunge_all()
        # Children before parents, every table explicitly: the counts are exact and nothing depends on
        # whether the database enforces ON DELETE CASCADE (SQLite only does with foreign_keys on).
        for table in tables:
            deleted[table.name] = _count(session.execute(
                table.delete().where(table.c.installation_id == installation_id)))
        deleted[Installation.__tablename__] = _count(session.execute(
            delete(Installation).where(Installation.id == installation_id)))
    invalidate_vectors(installation_id)
    touched = {name for name, count in deleted.items() if count}
    storage = scrub_after_delete(database, tables=touched, history_changed=bool(deleted.get("history_tickets")),
                                 compact=compact)
    return {"id": installation_id, "deleted": deleted, "storage": storage.as_dict()}
