"""Retention: the per-installation window, the daily purge job, `sidecar retention purge`."""
from __future__ import annotations

import json
from datetime import timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select, text, update

from sidecar.cli import main
from sidecar.jobs.worker import Worker
from sidecar.services.inbound import accept_event
from sidecar.services.retention import PURGE_JOB_KIND, purge_installation
from sidecar.store.models import (
    AssessmentFeedback,
    AssessmentRecord,
    AuditEntry,
    Escalation,
    EscalationEvent,
    EscalationStep,
    HistoryTicket,
    Job,
    TicketWatch,
    WebhookDelivery,
    stored_utc,
    utcnow,
)
from tests.conftest import ENCRYPTION_KEY, bearer
from tests.escalation_support import escalate


def ticket(ticket_id: str, words: str) -> dict:
    return {"id": ticket_id, "subject": words, "requester": {"email": f"c{ticket_id}@example.com"},
            "comments": [{"author": "customer", "body": f"{words}. Please help, I want a refund."}]}


@pytest.fixture
def database(app):
    return app.extensions["sidecar"].database


def _count(database, model, installation_id):
    with database.session() as session:
        return session.scalar(select(func.count()).select_from(model).where(model.installation_id == installation_id))


def _age(database, model, column, days: int, **where) -> None:
    """Make rows look `days` old."""
    with database.session() as session:
        statement = update(model).values({column: utcnow() - timedelta(days=days)})
        for name, value in where.items():
            statement = statement.where(getattr(model, name) == value)
        session.execute(statement)


def _put(client, token, body):
    return client.put("/v1/settings/retention", json=body, headers=bearer(token))


def _purge_jobs(database, installation_id):
    with database.session() as session:
        return session.scalars(select(Job).where(Job.installation_id == installation_id, Job.kind == PURGE_JOB_KIND)
                               .order_by(Job.created_at)).all()


# --------------------------------------------------------------------------------------------------
# The setting


def test_retention_is_kept_forever_until_an_admin_sets_days(client, installation, database):
    token = installation["api_token"]
    assert client.get("/v1/settings/retention", headers=bearer(token)).get_json() == {"days": None}

    assert _put(client, token, {"days": 30}).get_json() == {"days": 30}
    assert client.get("/v1/settings/retention", headers=bearer(token)).get_json() == {"days": 30}
    jobs = _purge_jobs(database, installation["id"])
    assert len(jobs) == 1 and jobs[0].status == "queued"  # the first purge runs at once

    assert _put(client, token, {"days": 90}).status_code == 200
    assert len(_purge_jobs(database, installation["id"])) == 1  # still one purge in the queue, not two

    assert _put(client, token, {"days": None}).get_json() == {"days": None}
    assert client.get("/v1/settings/retention", headers=bearer(token)).get_json() == {"days": None}


@pytest.mark.parametrize("body", [{}, {"days": 0}, {"days": -5}, {"days": "30"}, {"days": 1.5}, {"days": True},
                                  {"days": 36_501}])
def test_a_bad_window_is_422_naming_days(client, installation, body):
    response = _put(client, installation["api_token"], body)
    assert response.status_code == 422, response.get_json()
    assert "days" in response.get_json()["error"]["details"]


# --------------------------------------------------------------------------------------------------
# The purge


def _old_and_new_data(client, database, installation):
    """Two of everything: one 100 days old, one from today (and an old escalation that is still open)."""
    token, installation_id = installation["api_token"], installation["id"]
    for ticket_id, words in (("old", "Ancient grommet failure"), ("new", "Fresh sprocket failure")):
        assessed = client.post("/v1/assessments", json={"ticket": ticket(ticket_id, words)}, headers=bearer(token))
        assert assessed.status_code == 201
        client.post(f"/v1/assessments/{assessed.get_json()['id']}/feedback", json={"rating": "right"},
                    headers=bearer(token))
        escalated = escalate(client, token, ticket(ticket_id, words))
        assert escalated.status_code == 202
        assert accept_event(database, installation_id=installation_id, system="zendesk", delivery_id=f"d-{ticket_id}",
                            kind="zendesk.ticket_event", data={"ticket_id": ticket_id}, occurred_at=None)
    open_old = escalate(client, token, ticket("open-old", "Old but still open")).get_json()["id"]
    with database.session() as session:
        session.add(TicketWatch(installation_id=installation_id, ticket_source="zendesk", ticket_external_id="old",
                                above_threshold=True, last_score=0.9, crossings=1, updated_at=utcnow()))
        session.add(AuditEntry(installation_id=installation_id, system="jira", action="create_issue", target="X-1",
                               outcome="ok", at=utcnow()))
        session.add(AuditEntry(installation_id=installation_id, system="jira", action="create_issue", target="X-2",
                               outcome="ok", at=utcnow()))
        session.execute(update(Escalation).where(Escalation.installation_id == installation_id)
                        .values(status="resolved", open_ticket_key=None, resolved_at=utcnow()))
        session.execute(update(Escalation).where(Escalation.id == open_old).values(status="delivered"))
        session.execute(update(Job).where(Job.installation_id == installation_id, Job.kind != PURGE_JOB_KIND)
                        .values(status="done", finished_at=utcnow()))
    old = 100
    _age(database, HistoryTicket, "updated_at", old, external_id="old")
    _age(database, HistoryTicket, "created_at", old, external_id="old")
    _age(database, AssessmentRecord, "created_at", old, ticket_external_id="old")
    with database.session() as session:
        session.execute(update(AssessmentFeedback).values(created_at=utcnow() - timedelta(days=old)).where(
            AssessmentFeedback.assessment_id.in_(select(AssessmentRecord.id).where(
                AssessmentRecord.ticket_external_id == "old"))))
    _age(database, Escalation, "resolved_at", old, ticket_external_id="old")
    _age(database, Escalation, "created_at", old, id=open_old)
    _age(database, Escalation, "updated_at", old, id=open_old)
    _age(database, WebhookDelivery, "received_at", old, delivery_id="d-old")
    _age(database, TicketWatch, "updated_at", old, ticket_external_id="old")
    _age(database, AuditEntry, "at", old, target="X-1")
    with database.session() as session:
        old_jobs = [job.id for job in session.scalars(select(Job).where(Job.installation_id == installation_id))
                    if (job.payload or {}).get("data", {}).get("ticket_id") == "old"
                    or job.escalation_id in session.scalars(select(Escalation.id).where(
                        Escalation.ticket_external_id == "old")).all()]
    for job_id in old_jobs:
        _age(database, Job, "finished_at", old, id=job_id)
    # One old job still waiting: work in progress is never purged.
    with database.session() as session:
        session.execute(update(Job).where(Job.id == old_jobs[0]).values(status="queued", run_after=utcnow()
                                                                        + timedelta(days=365)))
    return open_old


def test_the_purge_job_deletes_what_is_older_than_the_window_and_queues_tomorrows(client, installation, database,
                                                                                   box):
    installation_id = installation["id"]
    open_old = _old_and_new_data(client, database, installation)
    with database.session() as session:
        old_row = session.scalar(select(HistoryTicket.id).where(HistoryTicket.external_id == "old"))
    assert _put(client, installation["api_token"], {"days": 30}).status_code == 200

    ran = Worker(database, box=box, worker_id="retention-test").drain()

    assert ran == 1  # the purge; everything else is done or scheduled a year out
    with database.session() as session:
        assert sorted(session.scalars(select(HistoryTicket.external_id).where(
            HistoryTicket.installation_id == installation_id))) == ["new", "open-old"]
        assert session.scalars(select(AssessmentRecord.ticket_external_id).where(
            AssessmentRecord.installation_id == installation_id)).all() == ["new"]
        assert sorted(session.scalars(select(Escalation.ticket_external_id).where(
            Escalation.installation_id == installation_id))) == ["new", "open-old"]
        assert session.get(Escalation, open_old) is not None  # open: never purged
        assert session.scalars(select(WebhookDelivery.delivery_id).where(
            WebhookDelivery.installation_id == installation_id, WebhookDelivery.delivery_id.like("d-%"))).all() \
            == ["d-new"]
        assert session.scalars(select(TicketWatch).where(TicketWatch.installation_id == installation_id)).all() == []
        assert session.scalars(select(AuditEntry.target).where(AuditEntry.installation_id == installation_id,
                                                               AuditEntry.system == "jira")).all() == ["X-2"]
        assert session.scalar(select(func.count()).select_from(EscalationEvent).where(
            EscalationEvent.escalation_id.notin_(select(Escalation.id)))) == 0
        assert session.scalar(select(func.count()).select_from(EscalationStep).where(
            EscalationStep.escalation_id.notin_(select(Escalation.id)))) == 0
        assert session.scalar(select(func.count()).select_from(AssessmentFeedback).where(
            AssessmentFeedback.installation_id == installation_id)) == 1
        waiting = session.scalars(select(Job).where(Job.installation_id == installation_id,
                                                    Job.kind != PURGE_JOB_KIND, Job.status == "queued")).all()
        assert len(waiting) == 1  # the old job still waiting is kept
        purge = session.scalar(select(AuditEntry).where(AuditEntry.installation_id == installation_id,
                                                        AuditEntry.action == "retention_purge"))
        assert json.loads(purge.detail)["history_tickets"] == 1 and json.loads(purge.detail)["escalations"] == 1
        if database.engine.dialect.name == "sqlite":
            assert session.execute(text("SELECT count(*) FROM history_search WHERE rowid = :id"),
                                   {"id": old_row}).scalar() == 0
            assert session.execute(text("SELECT rowid FROM history_search WHERE history_search MATCH 'grommet'")
                                   ).all() == []
    jobs = _purge_jobs(database, installation_id)
    assert [job.status for job in jobs] == ["done", "queued"]
    delay = stored_utc(jobs[1].run_after) - utcnow()
    assert timedelta(hours=23) < delay <= timedelta(days=1)


def test_an_installation_without_a_window_keeps_everything(client, installation, database):
    _old_and_new_data(client, database, installation)
    before = _count(database, HistoryTicket, installation["id"]), _count(database, AssessmentRecord, installation["id"])

    report = purge_installation(database, installation_id=installation["id"])

    assert report.days is None and report.deleted == {}
    assert (_count(database, HistoryTicket, installation["id"]),
            _count(database, AssessmentRecord, installation["id"])) == before


def test_a_window_removed_stops_the_daily_chain(client, installation, database, box):
    token = installation["api_token"]
    _put(client, token, {"days": 30})
    _put(client, token, {"days": None})

    Worker(database, box=box, worker_id="retention-test").drain()

    assert [job.status for job in _purge_jobs(database, installation["id"])] == ["done"]


def test_a_purge_that_dies_still_queues_tomorrows(client, installation, database, box, monkeypatch):
    import sidecar.jobs.retention as retention_job

    def broken(*_args, **_kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(retention_job, "purge_installation", broken)
    _put(client, installation["api_token"], {"days": 30})
    with database.session() as session:
        session.execute(update(Job).where(Job.kind == PURGE_JOB_KIND).values(max_attempts=1))

    Worker(database, box=box, worker_id="retention-test").drain()

    assert [job.status for job in _purge_jobs(database, installation["id"])] == ["dead", "queued"]


def test_one_installations_window_does_not_touch_another(client, installation, make_installation, database):
    other = make_installation(name="Other")
    _old_and_new_data(client, database, other)
    _put(client, installation["api_token"], {"days": 1})
    before = _count(database, HistoryTicket, other["id"])

    purge_installation(database, installation_id=installation["id"])

    assert _count(database, HistoryTicket, other["id"]) == before == 3


# --------------------------------------------------------------------------------------------------
# The command


def _run(database_url, *args):
    env = {"DATABASE_URL": database_url, "SIDECAR_ENCRYPTION_KEY": ENCRYPTION_KEY, "LOG_LEVEL": "warning"}
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def test_sidecar_retention_purge_runs_the_purge_now(client, installation, make_installation, database, database_url):
    _old_and_new_data(client, database, installation)
    keeps = make_installation(name="Keeps everything")
    _put(client, installation["api_token"], {"days": 30})

    result = _run(database_url, "retention", "purge", "--installation", installation["id"])

    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["installation_id"] == installation["id"] and report["days"] == 30
    assert report["deleted"]["history_tickets"] == 1 and report["deleted"]["assessments"] == 1
    assert _count(database, HistoryTicket, installation["id"]) == 2  # "new" and "open-old" (escalated today)

    everyone = _run(database_url, "retention", "purge")
    assert everyone.exit_code == 0, everyone.output
    lines = [json.loads(line) for line in everyone.stdout.strip().splitlines()]
    assert [line["installation_id"] for line in lines] == [installation["id"]]  # only installations with a window
    assert keeps["id"] not in everyone.stdout

    unknown = _run(database_url, "retention", "purge", "--installation", "inst_nope")
    assert unknown.exit_code != 0 and "no installation" in unknown.output
