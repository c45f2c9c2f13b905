"""Vendors slower than a job's lease: exactly one issue, one note, one Slack message per ticket.

Two ways a slow call could write twice: another worker takes the job over while the first still waits
for the vendor (prevented by renewing the lease while the call runs), and a worker whose lease did
lapse settles its late result anyway (prevented by fencing every settle with the lease token; the
discarded result is in the audit log).
"""
from __future__ import annotations

import threading
import time

from sidecar.jobs.worker import Worker
from sidecar.store.models import AuditEntry, Escalation, Job
from tests.escalation_support import (
    MANY,
    REFUND,
    deliver,
    escalate,
    jira_creates,
    slack_posts,
    zendesk_notes,
)

LEASE = 0.8


def _worker(database, box, name: str, **kwargs) -> Worker:
    return Worker(database, box=box, worker_id=name, lease_seconds=LEASE, allow_private_urls=True, **kwargs)


def _wait_for(condition, *, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


def _each_ticket_once(fake, tickets) -> None:
    assert len(jira_creates(fake)) == len(fake.state()["jira"]["issues"]) == len(tickets)
    assert len(slack_posts(fake)) == len(tickets)
    assert all(len(zendesk_notes(fake, ticket["id"])) == 1 for ticket in tickets)


def test_leases_are_renewed_while_slow_calls_run_so_nobody_takes_the_job_over(client, live, fake, database, box):
    tickets = MANY[:2]
    for ticket in tickets:
        escalate(client, live["api_token"], ticket=ticket)
    # The issue, the note and the Slack post answer a lease and a half late (the vendor did the work at once).
    for system, method, path in (("jira", "POST", r"^/rest/api/3/issue$"), ("zendesk", "PUT", r"^/api/v2/tickets/"),
                                 ("slack", "POST", r"^/chat.postMessage$")):
        fake.fail(system, method=method, path=path, status=None, delay=LEASE * 1.5, times=100)
    workers = [_worker(database, box, f"w{n}", claim_batch=2) for n in range(2)]
    threads = [threading.Thread(target=worker.drain) for worker in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    fake.clear_faults()
    deliver(database, box)
    _each_ticket_once(fake, tickets)
    with database.session() as session:
        assert {e.status for e in session.query(Escalation)} == {"delivered"}
        assert session.query(Job).filter(Job.attempts > 1).count() == 0  # no job was taken over
        assert session.query(AuditEntry).filter(AuditEntry.action == "late_result_discarded").count() == 0


def test_a_late_result_after_the_lease_passed_on_is_discarded_and_audited(client, live, fake, database, box):
    escalation_id = escalate(client, live["api_token"]).get_json()["id"]
    # Jira creates the issue at once but answers after three leases.
    fake.fail("jira", method="POST", path=r"^/rest/api/3/issue$", status=None, delay=LEASE * 3, times=1)
    slow = _worker(database, box, "slow", claim_batch=1)
    slow.leases.interval = 3600  # this worker's renewals stall (a paused process), so its lease lapses
    first = threading.Thread(target=slow.drain, kwargs={"max_jobs": 1})
    first.start()
    _wait_for(lambda: jira_creates(fake), seconds=10, what="the slow worker to ask Jira for the issue")
    time.sleep(LEASE * 1.3)
    # The lease has run out: another worker takes the job over as a retry, finds the issue, settles it.
    assert _worker(database, box, "fresh", claim_batch=1).drain(max_jobs=1) == 1
    first.join(30)
    deliver(database, box)

    _each_ticket_once(fake, [REFUND])
    with database.session() as session:
        escalation = session.get(Escalation, escalation_id)
        assert escalation.status == "delivered" and escalation.delivered_at is not None
        kinds = [job.kind for job in session.query(Job).filter(Job.escalation_id == escalation_id)]
        assert sorted(kinds) == sorted(["escalation.jira_issue", "escalation.jira_link", "escalation.ticket_note",
                                        "escalation.slack_message", "escalation.ack_check"])
        issue_job = session.query(Job).filter(Job.kind == "escalation.jira_issue").one()
        assert issue_job.attempts == 2
        discarded = session.query(AuditEntry).filter(AuditEntry.action == "late_result_discarded").one()
    assert (discarded.system, discarded.outcome, discarded.target, discarded.job_id) == (
        "outbox", "refused", issue_job.id, issue_job.id)
    assert "token" not in discarded.detail.lower()
