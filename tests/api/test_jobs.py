"""GET /v1/jobs and POST /v1/jobs/<id>/retry: the console's queue page as an API (admin only, audited)."""
from __future__ import annotations

from datetime import timedelta

import pytest

from sidecar.jobs.outbox import enqueue
from sidecar.services.credentials import create_token
from sidecar.store.models import AuditEntry, Installation, Job, utcnow
from tests.conftest import bearer


@pytest.fixture
def jobs(app, installation):
    """One job of each state: queued, retrying (backoff ahead), dead, done; their ids by state."""
    database = app.extensions["sidecar"].database
    ids = {}
    with database.session() as session:
        for state, (status, attempts, delay) in {"queued": ("queued", 0, 0), "retrying": ("queued", 2, 300),
                                                 "dead": ("dead", 8, 0), "done": ("done", 1, 0)}.items():
            job = enqueue(session, installation_id=installation["id"], kind=f"escalation.{state}", payload={},
                          run_after=utcnow() + timedelta(seconds=delay))
            job.status, job.attempts = status, attempts
            job.last_error = "Jira answered 503" if attempts else None
            ids[state] = job.id
    return ids


def test_jobs_are_listed_by_state_with_their_errors(client, installation, jobs):
    answer = client.get("/v1/jobs", headers=bearer(installation["api_token"]))
    assert answer.status_code == 200
    assert {item["id"]: item["state"] for item in answer.get_json()["items"]} == {v: k for k, v in jobs.items()}
    retrying = client.get("/v1/jobs?state=retrying", headers=bearer(installation["api_token"])).get_json()
    assert [item["id"] for item in retrying["items"]] == [jobs["retrying"]]
    assert retrying["items"][0]["last_error"] == "Jira answered 503" and retrying["next_offset"] is None


def test_jobs_are_paged_by_offset(client, installation, jobs):
    first = client.get("/v1/jobs?limit=3", headers=bearer(installation["api_token"])).get_json()
    assert len(first["items"]) == 3 and first["next_offset"] == 3
    rest = client.get("/v1/jobs?limit=3&offset=3", headers=bearer(installation["api_token"])).get_json()
    assert len(rest["items"]) == 1 and rest["next_offset"] is None


def test_a_bad_state_is_a_422_naming_it(client, installation):
    answer = client.get("/v1/jobs?state=exploded", headers=bearer(installation["api_token"]))
    assert answer.status_code == 422 and "state" in answer.get_json()["error"]["details"]


def test_a_dead_job_is_retried_and_audited(client, app, installation, jobs):
    answer = client.post(f"/v1/jobs/{jobs['dead']}/retry", headers=bearer(installation["api_token"]))
    assert answer.status_code == 200 and answer.get_json()["state"] == "queued"
    with app.extensions["sidecar"].database.session() as session:
        assert session.get(Job, jobs["dead"]).status == "queued"
        entry = session.query(AuditEntry).filter_by(job_id=jobs["dead"]).one()
        assert entry.action == "job.retry" and "the API (installation token)" in entry.detail


def test_a_done_job_cannot_be_retried(client, installation, jobs):
    answer = client.post(f"/v1/jobs/{jobs['done']}/retry", headers=bearer(installation["api_token"]))
    assert answer.status_code == 409 and answer.get_json()["error"]["code"] == "job_not_retryable"


def test_another_installations_job_is_not_found(client, make_installation, jobs):
    other = make_installation(name="Other")
    answer = client.post(f"/v1/jobs/{jobs['dead']}/retry", headers=bearer(other["api_token"]))
    assert answer.status_code == 404
    assert client.get("/v1/jobs", headers=bearer(other["api_token"])).get_json()["items"] == []


def test_the_queue_is_admin_only(client, app, installation, jobs):
    with app.extensions["sidecar"].database.session() as session:
        agent = create_token(session, installation=session.get(Installation, installation["id"]), scope="agent")
    assert client.get("/v1/jobs", headers=bearer(agent.token)).status_code == 403
    assert client.post(f"/v1/jobs/{jobs['dead']}/retry", headers=bearer(agent.token)).status_code == 403
