"""The lifecycle under concurrent workers: the last two steps settled at once, joined tickets counted at once.

On PostgreSQL (SIDECAR_TEST_DATABASE_URL set) the writers really overlap and the row locks do the work;
on SQLite the write lock serialises them and the same assertions hold.
"""
from __future__ import annotations

import threading
from types import SimpleNamespace

import pytest
from sqlalchemy import select, update

from sidecar.domain.statuses import EscalationStatus, StepStatus
from sidecar.jobs import outbox
from sidecar.jobs.context import JobContext
from sidecar.services import lifecycle
from sidecar.store.models import Escalation, EscalationStep

ROUNDS = 8


@pytest.fixture
def database(app):
    return app.extensions["sidecar"].database


def _together(functions) -> None:
    """Run the functions in threads released at the same moment; re-raise the first error."""
    barrier = threading.Barrier(len(functions))
    errors: list[BaseException] = []

    def run(function):
        barrier.wait()
        try:
            function()
        except BaseException as exc:  # noqa: BLE001 - reported below, in the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(function,)) for function in functions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    if errors:
        raise errors[0]


def _escalation_with_two_steps_left(database, installation_id: str, ticket_id: str):
    """An escalation whose issue and link are done, and the held jobs of its note and Slack steps."""
    with database.session() as session:
        escalation = lifecycle.start(session, installation_id=installation_id, source="zendesk", ticket_id=ticket_id,
                                     fields={"context": {"ticket": {"id": ticket_id}}}, max_attempts=3)
        escalation_id, created_at = escalation.id, escalation.created_at
        session.execute(update(EscalationStep).where(EscalationStep.escalation_id == escalation_id,
                                                     EscalationStep.position < 2).values(status=StepStatus.DONE))
        session.execute(outbox.JOBS.delete().where(outbox.JOBS.c.escalation_id == escalation_id))
        for name in ("ticket_note", "slack_message"):
            outbox.enqueue(session, installation_id=installation_id, kind="escalation." + name,
                           payload={"escalation_id": escalation_id, "step": name}, escalation_id=escalation_id)
        steps = {s.name: SimpleNamespace(id=s.id) for s in session.scalars(
            select(EscalationStep).where(EscalationStep.escalation_id == escalation_id))}
    jobs = outbox.claim_batch(database, worker_id=f"w-{ticket_id}", limit=2)
    snapshot = SimpleNamespace(id=escalation_id, installation_id=installation_id, created_at=created_at)
    return snapshot, steps, jobs


def test_the_last_two_steps_settled_at_once_leave_the_escalation_delivered(database, installation, box):
    for round_number in range(ROUNDS):
        escalation, steps, jobs = _escalation_with_two_steps_left(database, installation["id"], f"7{round_number}")
        assert len(jobs) == 2
        settles = [
            lambda job=job, step=steps[job.payload["step"]], escalation=escalation: lifecycle.settle_step(
                JobContext(database, box, job), escalation=escalation, step=step, status=StepStatus.DONE)
            for job in jobs]
        _together(settles)
        with database.session() as session:
            row = session.get(Escalation, escalation.id)
            assert (row.status, row.delivered_at is not None) == (EscalationStatus.DELIVERED, True), round_number


def test_tickets_joined_to_one_issue_at_once_are_all_counted(database, installation):
    key = "ESC-77"
    seeded = {"customers": [{"ticket": "zendesk:1", "account": "Origin", "arr": 1000}], "count": 1,
              "total_arr": 1000}
    entries = [{"ticket": f"zendesk:{n}", "account": f"Account {n}", "arr": 10, "escalation_id": f"esc_{n}"}
               for n in range(2, 10)]
    _together([lambda entry=entry: lifecycle.record_affected(database, installation_id=installation["id"],
                                                             jira_key=key, current=seeded, entry=entry)
               for entry in entries])
    record, version = lifecycle.affected_record(database, installation_id=installation["id"], jira_key=key)
    assert (record["count"], record["total_arr"], version) == (9, 1080.0, 8)
    # The same ticket joined again is counted once.
    again, _ = lifecycle.record_affected(database, installation_id=installation["id"], jira_key=key, current=None,
                                         entry=entries[0])
    assert again["count"] == 9
