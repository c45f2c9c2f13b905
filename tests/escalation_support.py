"""Shared pieces of the escalation tests: demo tickets, the fake-vendor helpers, delivery until done."""
from __future__ import annotations

import copy
import json
from datetime import timedelta

from sqlalchemy import update

from sidecar.jobs.worker import Worker
from sidecar.store.models import Job, utcnow
from tests.conftest import FIXTURES, bearer

REFUND = json.loads((FIXTURES.parent.parent / "sidecar" / "demo" / "refund_ticket.json").read_text())["ticket"]
PASSWORD_RESET = {
    "id": "48214", "source": "zendesk", "subject": "Password reset link expired",
    "comments": [{"author": "customer", "body": "My reset link says expired. Can you send a new one?",
                  "public": True, "created_at": "2026-11-20T10:00:00Z"}],
    "requester": {"name": "Lee Wong", "email": "lee@globex.example"},
    "organization": {"name": "Globex", "tier": "business", "arr": 96000},
}

MANY = [{**copy.deepcopy(REFUND), "id": str(49000 + number)} for number in range(10)]


def configure(client, token, settings):
    response = client.patch("/v1/installation/connections", json={"settings": settings}, headers=bearer(token))
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def escalate(client, token, ticket=REFUND, **extra):
    headers = bearer(token)
    if "idempotency_key" in extra:
        headers["Idempotency-Key"] = extra.pop("idempotency_key")
    return client.post("/v1/escalations", json={"ticket": ticket, **extra}, headers=headers)


def deliver(database, box, *, rounds: int = 30) -> None:
    """Run the worker until nothing is due; retries waiting for a backoff are made due at once.

    Work scheduled for later on purpose (the acknowledgement check) stays where it is.
    """
    worker = Worker(database, box=box, worker_id="test-worker", allow_private_urls=True)  # fakes on 127.0.0.1
    for _ in range(rounds):
        worker.drain()
        with database.session() as session:
            retrying = (Job.status == "queued") & (Job.attempts > 0)
            waiting = session.query(Job).filter(retrying | (Job.status == "running")).count()
            if not waiting:
                return
            session.execute(update(Job).where(retrying).values(run_after=utcnow() - timedelta(seconds=1)))
    raise AssertionError("jobs still waiting after many rounds")


def holdings(fake):
    """What the fake vendors hold: Jira issues, Zendesk comments on the refund ticket, Slack messages."""
    state = fake.state()
    issues = list(state["jira"]["issues"].values())
    comments = state["zendesk"]["comments"][REFUND["id"]] if "comments" in state["zendesk"] else None
    return state, issues, comments


def zendesk_notes(fake, ticket_id=REFUND["id"]):
    return [r for r in fake.requests("zendesk")
            if r["method"] == "PUT" and r["path"] == f"/api/v2/tickets/{ticket_id}.json"
            and "comment" in (r["body"] or {}).get("ticket", {})]


def slack_posts(fake):
    return [r for r in fake.requests("slack") if r["path"] == "/chat.postMessage"]


def jira_creates(fake):
    return [r for r in fake.requests("jira") if r["method"] == "POST" and r["path"] == "/rest/api/3/issue"]


# The webhook secrets of a "hooked" installation (tests/api/conftest.py): every inbound system verifiable.
TEAM = "T04QKJ6RF5Y"
SECRETS = {"zendesk.webhook_secret": "zd-hook-secret", "jira.webhook_secret": "jira-hook-secret",
           "slack.signing_secret": "slack-signing-secret", "slack.team_id": TEAM}
