"""The escalation lifecycle: the one place an escalation and its steps change status.

    start -> pending --(every step settled)--> delivered --(Jira resolved)--> resolved
                 \\--(a step dead)--> failed --(operator retries the job)--> pending
    resolved --(Jira or the ticket reopened)--> delivered; acknowledge and reassign on the way

Jobs and webhooks decide *that* something happened (a step finished, Jira says done, a button was
pressed); the functions here decide what it does to the rows: status, timestamps, the open-ticket key,
who has it, and the timeline event that records it. All run in the caller's transaction except
`settle_step`, which is its own (it completes the job too, fenced by the job's lease), and
`record_affected`, which counts a joined ticket under the stored record's row lock.

The open-ticket key ("<source>:<ticket id>", `ticket_key`) is set while an escalation is open and
cleared once it is resolved; its unique constraint makes "one open escalation per ticket" hold under
races. A settled step is recorded with Core statements in one transaction with the job's completion
(`settle_step`), because it runs for every delivered step.
"""
from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import Update, bindparam, insert, null, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from sidecar.domain.statuses import SETTLED_STEP_STATUSES, EscalationStatus, StepStatus
from sidecar.intelligence.ticket import ticket_from_mapping
from sidecar.jobs.context import JobContext
from sidecar.jobs.outbox import enqueue, job_row
from sidecar.services.routing import next_expert
from sidecar.services.timeline import append_event
from sidecar.store.models import (
    Escalation,
    EscalationEvent,
    EscalationStep,
    JiraAffected,
    Job,
    stored_utc,
    utcnow,
)

# The steps of an escalation, in order. jira_issue runs first; the others need its key and then run
# side by side (each its own job, so Slack being down never holds up the ticket note).
STEPS: tuple[tuple[str, str], ...] = (
    ("jira_issue", "jira"),
    ("jira_link", "jira"),
    ("ticket_note", "helpdesk"),
    ("slack_message", "slack"),
)
JOB_KIND_PREFIX = "escalation."
FIRST_STEP = STEPS[0][0]
FOLLOW_UP_STEPS = tuple(name for name, _ in STEPS[1:])  # what the first step makes due
ACK_CHECK_KIND = "escalation.ack_check"
# What a settled step may record on its escalation: what it learnt, never a status (that follows from
# the steps, below).
DELIVERY_FIELDS = frozenset({"jira_key", "jira_id", "jira_url", "slack_channel", "slack_ts", "slack_permalink",
                             "summary"})


# --------------------------------------------------------------------------------------------------
# Which escalation a ticket has


def ticket_key(source: str, ticket_id: str) -> str:
    """"<source>:<ticket id>": a ticket across help desks (the open-ticket key, affected customers, audit)."""
    return f"{source}:{ticket_id}"


def find_open_escalation(session: Session, *, installation_id: str, source: str, ticket_id: str) -> Escalation | None:
    """The ticket's open escalation, if it has one."""
    return session.scalar(select(Escalation).where(
        Escalation.installation_id == installation_id, Escalation.open_ticket_key == ticket_key(source, ticket_id)))


def escalation_for_ticket(session: Session, *, installation_id: str, source: str, ticket_id: str) -> Escalation | None:
    """The escalation a help-desk event on the ticket is about: the open one, else the latest (to reopen it)."""
    found = find_open_escalation(session, installation_id=installation_id, source=source, ticket_id=ticket_id)
    if found is not None:
        return found
    return session.scalar(select(Escalation).where(
        Escalation.installation_id == installation_id, Escalation.ticket_source == source,
        Escalation.ticket_external_id == ticket_id).order_by(Escalation.created_at.desc()).limit(1))


# --------------------------------------------------------------------------------------------------
# Start


def new_escalation_id() -> str:
    """A public escalation id."""
    return "esc_" + secrets.token_hex(10)


def start(session: Session, *, installation_id: str, source: str, ticket_id: str, fields: dict[str, Any],
          max_attempts: int) -> Escalation:
    """Add a pending escalation, its planned steps and its first job, and flush.

    `fields` are the escalation's other columns (team, expert, context, mode...). The flush raises
    IntegrityError when the ticket already has an open escalation (or the idempotency key was used):
    the caller answers with that one.
    """
    now = utcnow()
    escalation = Escalation(id=new_escalation_id(), installation_id=installation_id, ticket_source=source,
                            ticket_external_id=ticket_id, open_ticket_key=ticket_key(source, ticket_id),
                            status=EscalationStatus.PENDING, created_at=now, updated_at=now, **fields)
    session.add(escalation)
    for position, (name, system) in enumerate(STEPS):
        session.add(EscalationStep(escalation_id=escalation.id, installation_id=installation_id, position=position,
                                   name=name, system=source if system == "helpdesk" else system,
                                   status=StepStatus.PLANNED, attempts=0, updated_at=now))
    enqueue(session, installation_id=installation_id, kind=JOB_KIND_PREFIX + FIRST_STEP,
            payload={"escalation_id": escalation.id, "step": FIRST_STEP}, escalation_id=escalation.id,
            max_attempts=max_attempts)
    session.flush()
    return escalation


# --------------------------------------------------------------------------------------------------
# Steps


def escalation_status_change(statuses: Iterable[str], *, now: datetime) -> dict[str, Any]:
    """The escalation's status from its steps' statuses: failed if one is dead, delivered when all settled."""
    seen = list(statuses)
    if any(status == StepStatus.DEAD for status in seen):
        return {"status": EscalationStatus.FAILED}
    if all(status in SETTLED_STEP_STATUSES for status in seen):
        return {"status": EscalationStatus.DELIVERED, "delivered_at": now}
    return {"status": EscalationStatus.PENDING}


STEPS_TABLE = EscalationStep.__table__
ESCALATIONS_TABLE = Escalation.__table__
# Built once: settle_step runs for every delivered step, and building a statement costs more than running it.
_SETTLE_STEP = update(STEPS_TABLE).where(STEPS_TABLE.c.id == bindparam("step_id")).values(
    status=bindparam("v_status"), attempts=bindparam("v_attempts"), error=null(), result=bindparam("v_result"),
    updated_at=bindparam("v_now"))
_SETTLE_STEP_WITH_REQUESTS = _SETTLE_STEP.values(requests=bindparam("v_requests"))
# Its parameter is not named after a column: in the PostgreSQL statement below it sits beside an UPDATE,
# which would take a parameter named escalation_id as one more column to set.
_OTHER_STEPS = select(STEPS_TABLE.c.status).where(STEPS_TABLE.c.escalation_id == bindparam("k_escalation"),
                                                  STEPS_TABLE.c.id != bindparam("step_id"))
# PostgreSQL: the step's update and the read of its siblings in one statement (one round trip, not two).
# It runs after the escalation's lock is held, so its snapshot has every step settled before; the step
# itself is left out of the read, as the UPDATE's own change is not visible inside the statement.
_SETTLE_AND_READ = {with_requests: _OTHER_STEPS.add_cte(statement.cte("settled"))
                    for with_requests, statement in ((False, _SETTLE_STEP), (True, _SETTLE_STEP_WITH_REQUESTS))}
_NEW_JOBS = insert(Job.__table__)
# The escalation's row lock, taken before its steps are read: two workers settling its last two steps
# at once are serialised, so the second reads the first's step as settled (PostgreSQL; SQLite renders no
# FOR UPDATE, its single writer already serialises).
_LOCK_ESCALATION = select(ESCALATIONS_TABLE.c.id).where(ESCALATIONS_TABLE.c.id == bindparam("escalation_id")) \
    .with_for_update()


@lru_cache(maxsize=32)
def _escalation_update(columns: tuple[str, ...]) -> Update:
    """UPDATE escalations SET <columns> for one escalation that is not resolved, built once per column set."""
    return (update(ESCALATIONS_TABLE)
            .where(ESCALATIONS_TABLE.c.id == bindparam("escalation_id"),
                   ESCALATIONS_TABLE.c.status != EscalationStatus.RESOLVED)
            .values({name: bindparam("v_" + name) for name in columns}))


def settle_step(
    ctx: JobContext,
    *,
    escalation: Any,
    step: Any,
    status: str,
    result: dict[str, Any] | None = None,
    requests: list[dict[str, Any]] | None = None,
    learnt: dict[str, Any] | None = None,
    follow_ups: tuple[str, ...] = (),
    scheduled: tuple[tuple[str, dict[str, Any], Any], ...] = (),
) -> None:
    """Record a finished step, what it learnt and the escalation's status; queue what it makes due; complete the job.

    One transaction, fenced by the job's lease: when this worker no longer holds it (a slow call outlived
    the lease and another worker took the job over), nothing is recorded or queued, and the audit log
    says the late result was discarded. `escalation` and `step` are the job's read-only snapshots;
    `learnt` holds DELIVERY_FIELDS only; `follow_ups` are step names, `scheduled` (kind, payload,
    run_after) jobs.
    """
    if learnt and not DELIVERY_FIELDS.issuperset(learnt):
        raise ValueError(f"a step records delivery fields only, not {sorted(set(learnt) - DELIVERY_FIELDS)}")
    now = utcnow()
    step_values = {"step_id": step.id, "v_status": status, "v_attempts": ctx.job.attempts, "v_result": result,
                   "v_now": now}
    if requests is not None:
        step_values["v_requests"] = requests
    with ctx.writing() as connection:
        # The job's completion comes first: it is the fence (and takes the job's row lock before the
        # escalation's, the one order every settle uses).
        if not ctx.finish(connection):
            return
        connection.execute(_LOCK_ESCALATION, {"escalation_id": escalation.id})
        others = _settle_and_read_others(connection, step_values, escalation_id=escalation.id)
        changes = {**(learnt or {}), "updated_at": now, **escalation_status_change([status, *others], now=now)}
        connection.execute(_escalation_update(tuple(sorted(changes))),
                           {"escalation_id": escalation.id, **{"v_" + k: v for k, v in changes.items()}})
        # The steps that waited for this one, due since the escalation was made: the queue is ordered by due
        # time, so in a burst each escalation is finished (its expert pinged) before later ones are started.
        due = min(stored_utc(escalation.created_at) or now, now)
        new_jobs = [(JOB_KIND_PREFIX + name, {"escalation_id": escalation.id, "step": name}, due)
                    for name in follow_ups]
        new_jobs += list(scheduled)  # later work it makes due (the acknowledgement check)
        if new_jobs:
            connection.execute(_NEW_JOBS, [
                job_row(installation_id=escalation.installation_id, kind=kind, payload=payload,
                        escalation_id=escalation.id, max_attempts=ctx.job.max_attempts, run_after=run_after, now=now)
                for kind, payload, run_after in new_jobs])


def _settle_and_read_others(connection: Any, step_values: dict[str, Any], *, escalation_id: str) -> list[str]:
    """Record the settled step; the statuses of the escalation's other steps (under its lock)."""
    with_requests = "v_requests" in step_values
    values = {**step_values, "k_escalation": escalation_id}
    if connection.dialect.name == "postgresql":
        return list(connection.execute(_SETTLE_AND_READ[with_requests], values).scalars())
    connection.execute(_SETTLE_STEP_WITH_REQUESTS if with_requests else _SETTLE_STEP, step_values)
    return list(connection.execute(_OTHER_STEPS, values).scalars())


def step_failed(session: Session, *, escalation_id: str, step_name: str, dead: bool, attempts: int,
                error: str | None) -> None:
    """A step's attempt failed: the step shows the error and `retrying` or `dead`; the escalation follows."""
    step = session.scalar(select(EscalationStep).where(EscalationStep.escalation_id == escalation_id,
                                                       EscalationStep.name == step_name))
    if step is None or step.status in SETTLED_STEP_STATUSES:
        return
    session.execute(_LOCK_ESCALATION, {"escalation_id": escalation_id})  # as settle_step: statuses read under it
    step.status = StepStatus.DEAD if dead else StepStatus.RETRYING
    step.attempts = attempts
    step.error = error
    step.updated_at = utcnow()
    escalation = session.get(Escalation, step.escalation_id)
    session.flush()
    if escalation is not None:
        _follow_steps(session, escalation)


def _follow_steps(session: Session, escalation: Escalation) -> None:
    """Set the escalation's status from its steps (a resolved one keeps its status)."""
    statuses = [s.status for s in session.scalars(
        select(EscalationStep).where(EscalationStep.escalation_id == escalation.id))]
    if escalation.status == EscalationStatus.RESOLVED:
        return
    change = escalation_status_change(statuses, now=utcnow())
    if change["status"] == EscalationStatus.DELIVERED and escalation.status == EscalationStatus.DELIVERED:
        return
    for name, value in change.items():
        setattr(escalation, name, value)


def reopen_step_for_retry(session: Session, job: Job) -> None:
    """When an operator retries a dead step's job, the step and its escalation show as in progress again."""
    step_name = (job.payload or {}).get("step")
    if not job.escalation_id or not step_name:
        return
    step = session.scalar(select(EscalationStep).where(EscalationStep.escalation_id == job.escalation_id,
                                                       EscalationStep.name == step_name))
    if step is not None and step.status == StepStatus.DEAD:
        step.status = StepStatus.RETRYING
        step.updated_at = utcnow()
    escalation = session.get(Escalation, job.escalation_id)
    if escalation is not None and escalation.status == EscalationStatus.FAILED:
        escalation.status = EscalationStatus.PENDING
        escalation.updated_at = utcnow()
    session.flush()


# --------------------------------------------------------------------------------------------------
# Joining an open Jira issue: the affected-customers record kept on the issue


def affected_entry(escalation: Any, account: Any) -> dict[str, Any]:
    """This escalation's entry in a Jira issue's affected customers: the ticket, its account and ARR."""
    return {"ticket": ticket_key(escalation.ticket_source, escalation.ticket_external_id),
            "account": account.name if account else None, "arr": account.arr if account else None,
            "escalation_id": escalation.id}


def affected_after_join(current: Any, entry: dict[str, Any]) -> dict[str, Any]:
    """The issue's affected-customers record with this ticket counted once: customers, count, total ARR."""
    customers = [c for c in (current or {}).get("customers", []) if isinstance(c, dict)]
    if not any(c.get("ticket") == entry["ticket"] for c in customers):
        customers.append(entry)
    accounts: dict[str, Any] = {}
    for customer in customers:  # one account with two tickets is one affected customer
        accounts.setdefault(customer.get("account") or customer["ticket"], customer.get("arr"))
    total_arr = sum(float(arr) for arr in accounts.values() if isinstance(arr, (int, float)))
    return {"customers": customers, "count": len(accounts), "total_arr": total_arr}


AFFECTED_TABLE = JiraAffected.__table__
_AFFECTED_ROW = (AFFECTED_TABLE.c.installation_id == bindparam("k_installation"),
                 AFFECTED_TABLE.c.jira_key == bindparam("k_jira_key"))
_LOCK_AFFECTED = select(AFFECTED_TABLE.c.record, AFFECTED_TABLE.c.version).where(*_AFFECTED_ROW).with_for_update()
_READ_AFFECTED = select(AFFECTED_TABLE.c.record, AFFECTED_TABLE.c.version).where(*_AFFECTED_ROW)
_WRITE_AFFECTED = update(AFFECTED_TABLE).where(*_AFFECTED_ROW).values(
    record=bindparam("v_record"), version=AFFECTED_TABLE.c.version + 1, updated_at=bindparam("v_now"))


def _insert_missing(dialect: str) -> postgresql.Insert | sqlite.Insert:
    """INSERT ... ON CONFLICT DO NOTHING for the issue's record, in the dialect's own words."""
    if dialect == "postgresql":
        return postgresql.insert(AFFECTED_TABLE).on_conflict_do_nothing()
    return sqlite.insert(AFFECTED_TABLE).on_conflict_do_nothing()


def record_affected(database: Any, *, installation_id: str, jira_key: str, current: Any,
                    entry: dict[str, Any]) -> tuple[dict[str, Any], int]:
    """Count this ticket on a joined Jira issue, under the record's row lock: (the record, its version).

    Two workers joining tickets to one issue at once are serialised on the stored record, so neither
    count is lost. `current` is the issue's property as Jira has it (customers counted before the
    sidecar kept the record, or by the issue's creator); the record keeps the union.
    """
    key = {"k_installation": installation_id, "k_jira_key": jira_key}
    now = utcnow()
    with database.write_connection() as connection:
        connection.execute(_insert_missing(connection.dialect.name), {
            "installation_id": installation_id, "jira_key": jira_key, "record": {}, "version": 0, "updated_at": now})
        stored, version = connection.execute(_LOCK_AFFECTED, key).one()
        known = [c for c in (stored or {}).get("customers", []) if isinstance(c, dict)]
        tickets = {c.get("ticket") for c in known}
        for customer in (current or {}).get("customers", []) if isinstance(current, dict) else []:
            if isinstance(customer, dict) and customer.get("ticket") not in tickets:
                known.append(customer)
        record = affected_after_join({"customers": known}, entry)
        connection.execute(_WRITE_AFFECTED, {**key, "v_record": record, "v_now": now})
    return record, version + 1


def affected_record(database: Any, *, installation_id: str, jira_key: str) -> tuple[dict[str, Any], int]:
    """The stored affected-customers record of a Jira issue and its version ({} and 0 when none)."""
    with database.engine.connect() as connection:
        row = connection.execute(_READ_AFFECTED, {"k_installation": installation_id, "k_jira_key": jira_key}).first()
    return (row.record, row.version) if row is not None else ({}, 0)


# --------------------------------------------------------------------------------------------------
# After the handoff: Jira's status, resolve, reopen, acknowledge, reassign


def seconds_since_created(escalation: Escalation, now: datetime) -> float:
    """Seconds from the escalation's creation to `now`: the stored time to acknowledge or to resolve."""
    created = stored_utc(escalation.created_at) or now
    return round((now - created).total_seconds(), 3)


def follow_jira_issue(session: Session, escalation: Escalation, *, resolved: bool, status: str | None,
                      previous: str | None, resolution: str | None, actor: str | None) -> EscalationEvent | None:
    """Apply a Jira issue update: resolve, reopen, or note a status change; None when nothing changed."""
    if resolved:
        event = resolve(session, escalation, resolution=resolution, status=status, actor=actor)
    elif escalation.status == EscalationStatus.RESOLVED:
        event = reopen(session, escalation, system="jira", actor=actor,
                       why=f"Reopened in Jira ({previous or 'resolved'} -> {status})")
    elif previous and status and previous != status:
        escalation.jira_status = status
        event = append_event(session, escalation=escalation, system="jira", kind="status_changed", actor=actor,
                             text=f"{escalation.jira_key} moved {previous} -> {status}",
                             data={"from": previous, "to": status})
    else:
        return None
    if event is not None:
        escalation.jira_status = status or escalation.jira_status
    return event


def resolve(session: Session, escalation: Escalation, *, resolution: str | None, status: str | None,
            actor: str | None) -> EscalationEvent | None:
    """Mark an escalation resolved (frees the ticket for a new escalation) and note it on the timeline."""
    if escalation.status == EscalationStatus.RESOLVED:
        return None
    now = utcnow()
    escalation.status = EscalationStatus.RESOLVED
    escalation.resolved_at = now
    escalation.resolve_seconds = seconds_since_created(escalation, now)
    escalation.resolution = resolution
    escalation.jira_status = status or escalation.jira_status
    escalation.open_ticket_key = None
    escalation.updated_at = now
    return append_event(session, escalation=escalation, system="jira", kind="resolved", actor=actor, at=now,
                        text=f"Resolved in Jira{f' ({resolution})' if resolution else ''}",
                        data={"resolution": resolution, "status": status})


def reopen(
    session: Session, escalation: Escalation, *, system: str, actor: str | None, why: str
) -> EscalationEvent | None:
    """Reopen a resolved escalation (unless the ticket has another open one) and note it on the timeline."""
    if escalation.status != EscalationStatus.RESOLVED:
        return None
    key = ticket_key(escalation.ticket_source, escalation.ticket_external_id)
    other = find_open_escalation(session, installation_id=escalation.installation_id,
                                 source=escalation.ticket_source, ticket_id=escalation.ticket_external_id)
    now = utcnow()
    escalation.status = EscalationStatus.DELIVERED
    escalation.resolved_at = None
    escalation.resolve_seconds = None
    escalation.reopened_count = (escalation.reopened_count or 0) + 1
    escalation.open_ticket_key = None if other is not None else key
    escalation.updated_at = now
    return append_event(session, escalation=escalation, system=system, kind="reopened", actor=actor, at=now,
                        text=why)


def acknowledge(session: Session, escalation: Escalation, *, who: str, user_id: str | None) -> EscalationEvent | None:
    """Record the first acknowledgement (who and when) and note it on the timeline."""
    if escalation.acknowledged_at is not None or escalation.status == EscalationStatus.RESOLVED:
        return None
    now = utcnow()
    escalation.acknowledged_by = who
    escalation.acknowledged_at = now
    escalation.ack_seconds = seconds_since_created(escalation, now)
    escalation.updated_at = now
    return append_event(session, escalation=escalation, system="slack", kind="acknowledged", actor=who, at=now,
                        text=f"Acknowledged by {who}", data={"user_id": user_id})


def ack_check(escalation_id: str, *, minutes: int, round_number: int = 1) -> tuple[str, dict[str, Any], datetime]:
    """(kind, payload, run_after) of the job that pings the next expert if nobody acknowledges in `minutes`."""
    return (ACK_CHECK_KIND, {"escalation_id": escalation_id, "round": round_number},
            utcnow() + timedelta(minutes=minutes))


def awaiting_acknowledgement(escalation: Escalation) -> bool:
    """True while nobody has acknowledged an escalation that is still open."""
    return escalation.acknowledged_at is None and escalation.status != EscalationStatus.RESOLVED


def reassign(session: Session, escalation: Escalation, *, actor: str | None, kind: str = "reassigned",
             minutes: int | None = None) -> EscalationEvent:
    """Hand the escalation to the next expert of its team (routing's ranking), or say the team channel has it."""
    team = escalation.team or {}
    current = (escalation.expert or {}).get("id")
    asked = [e for e in (escalation.pinged_experts or []) if e] + ([current] if current else [])
    nxt = _next_expert(session, escalation, team, exclude=asked)
    escalation.pinged_experts = list(dict.fromkeys(asked))
    previous = (escalation.expert or {}).get("name")
    if nxt is not None:
        escalation.expert = {**nxt, "team_id": team.get("id")}
        who = nxt["name"]
    else:
        who = f"the {team['name']} channel" if team.get("name") else "the team channel"
    escalation.updated_at = utcnow()
    if kind == "ack_timeout":
        text = f"Nobody acknowledged within {minutes} min; pinged {who}"
    else:
        text = f"Reassigned{f' from {previous}' if previous else ''} to {who}"
    return append_event(session, escalation=escalation, system="slack" if kind == "reassigned" else "sidecar",
                        kind=kind, actor=actor, text=text,
                        data={"expert": nxt, "team_channel": (team.get("slack_channel") if nxt is None else None),
                              "minutes": minutes})


def _next_expert(session: Session, escalation: Escalation, team: dict[str, Any],
                 exclude: list[str]) -> dict[str, Any] | None:
    if not team.get("id"):
        return None
    stored = escalation.context or {}
    categories = {c["name"]: c["confidence"] for c in (stored.get("assessment") or {}).get("categories", [])}
    found = next_expert(session, installation_id=escalation.installation_id, team_id=team["id"],
                        ticket=ticket_from_mapping(stored["ticket"]), categories=categories, exclude=exclude)
    return found.to_mapping() if found is not None else None


def store_summary(session: Session, escalation_id: str, summary: dict[str, Any]) -> None:
    """Keep the latest rolling summary on the escalation (the sidebar shows it)."""
    row = session.get(Escalation, escalation_id)
    if row is not None:
        row.summary = {**summary, "updated_at": utcnow().isoformat()}
