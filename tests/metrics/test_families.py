"""After some traffic every family has samples that grew: requests, assessments, escalations, jobs, deliveries,
webhooks (accepted, rejected, ignored at receipt and in the worker) and the acknowledgement SLA."""
from __future__ import annotations

import json
import time
from datetime import timedelta

import pytest
from sqlalchemy import update

from sidecar.clients.errors import ApiError
from sidecar.jobs.context import JobContext
from sidecar.jobs.outbox import ClaimedJob
from sidecar.store.models import Escalation, utcnow
from sidecar.webhooks.verification import sign_zendesk
from tests.conftest import FIXTURES, bearer
from tests.escalation_support import PASSWORD_RESET, configure, deliver, escalate
from tests.metrics.conftest import scrape, value


def _zendesk(client, installation, name: str, *, secret: str = "zd-hook-secret"):
    raw = json.dumps(json.loads((FIXTURES / "zendesk" / f"{name}.json").read_text())).encode()
    headers = sign_zendesk(raw, secret, time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))
    return client.post(f"/webhooks/zendesk/{installation['id']}", data=raw, headers=headers)


def test_every_family_grows_with_traffic(app, metrics_client, installation, box):
    database = app.extensions["sidecar"].database
    token = installation["api_token"]
    configure(metrics_client, token, {"zendesk.webhook_secret": "zd-hook-secret"})
    before = scrape(metrics_client)

    assessed = metrics_client.post("/v1/assessments", json={"ticket": PASSWORD_RESET}, headers=bearer(token))
    assert assessed.status_code == 201
    assert metrics_client.get(f"/v1/assessments/{assessed.get_json()['id']}", headers=bearer(token)).status_code == 200
    assert escalate(metrics_client, token).status_code == 202
    assert _zendesk(metrics_client, installation, "webhook_comment_added_angry").status_code == 200
    assert _zendesk(metrics_client, installation, "webhook_unknown_event").status_code == 200
    assert _zendesk(metrics_client, installation, "webhook_ticket_solved", secret="not-the-secret").status_code == 401
    waiting = scrape(metrics_client)
    deliver(database, box)  # the escalation's dry-run steps and the inbound event
    with database.write_session() as session:  # nobody acknowledged it for two hours
        session.execute(update(Escalation).values(created_at=utcnow() - timedelta(hours=2)))
    after = scrape(metrics_client)

    def grew(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert grew("sidecar_http_requests_total", method="POST", route="/v1/assessments", status="201") == 1
    assert grew("sidecar_http_requests_total", route="/v1/assessments/<assessment_id>", status="200") == 1
    assert grew("sidecar_http_request_duration_seconds_count", route="/webhooks/zendesk/<installation_id>") == 3
    assert grew("sidecar_http_request_duration_seconds_sum", route="/v1/assessments") > 0
    assert grew("sidecar_assessments_total", trigger="api") == 1
    assert grew("sidecar_delivery_attempts_total", mode="dry_run") >= 2  # the Jira issue, the ticket note at least
    for outcome in ("accepted", "rejected", "ignored"):
        assert grew("sidecar_webhook_deliveries_total", source="zendesk", stage="receipt", outcome=outcome) == 1
    worked = grew("sidecar_webhook_deliveries_total", source="zendesk", stage="worker")
    assert worked == 1  # the accepted comment: acted on (re-assessed) or ignored, once
    assert value(after, "sidecar_escalations", status="delivered") + value(after, "sidecar_escalations",
                                                                           status="failed") == 1
    assert value(waiting, "sidecar_outbox_jobs", kind="inbound.event", status="queued") == 1
    assert value(waiting, "sidecar_outbox_jobs", status="queued") >= 2  # the escalation's first steps too
    assert value(after, "sidecar_outbox_jobs") == 0  # all done: done jobs are not counted
    assert value(after, "sidecar_escalations_ack_overdue") == 1
    assert not any(installation["id"] in dict(labels).get("route", "") for _, labels in after)


def test_a_failed_vendor_call_counts_as_a_live_attempt_and_a_failure(metrics_client, box):
    ctx = JobContext(database=None, box=box, job=ClaimedJob(  # type: ignore[arg-type] - no database is touched
        id="job_1", installation_id="inst", kind="escalation.deliver", payload={}, attempts=1, max_attempts=8,
        escalation_id=None, worker_id="test"))
    before = scrape(metrics_client)

    def refuse():
        raise ApiError("Slack said no", 403)

    with pytest.raises(ApiError):
        ctx.call("slack", "post_message", "C1", refuse)
    ctx.call("slack", "post_message", "C1", lambda: {"ok": True})
    after = scrape(metrics_client)
    assert value(after, "sidecar_delivery_attempts_total", system="slack", mode="live") - value(
        before, "sidecar_delivery_attempts_total", system="slack", mode="live") == 2
    assert value(after, "sidecar_delivery_failures_total", system="slack") - value(
        before, "sidecar_delivery_failures_total", system="slack") == 1
