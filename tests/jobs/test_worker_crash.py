"""The worker process killed (SIGKILL) in the middle of creating the Jira issue, then started again.

Jira has created the issue but the worker dies before it hears the answer or records the key. The new
worker takes the job over when its lease runs out, finds the issue by its label, and finishes: one
issue, one note, one Slack message, and the escalation ends delivered.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import ENCRYPTION_KEY, bearer
from tests.escalation_support import (
    REFUND,
    configure,
    escalate,
    jira_creates,
    slack_posts,
    zendesk_notes,
)
from tests.fakes import FakeVendors

ROOT = Path(__file__).resolve().parents[2]


def start_worker(database_url: str) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": database_url, "SIDECAR_ENCRYPTION_KEY": ENCRYPTION_KEY,
           "SIDECAR_JOB_LEASE_SECONDS": "2", "SIDECAR_JOB_POLL_MS": "100", "LOG_LEVEL": "warning",
           "SIDECAR_ALLOW_PRIVATE_URLS": "true"}  # the fake vendors listen on http://127.0.0.1
    return subprocess.Popen([sys.executable, "-m", "sidecar.cli", "worker"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def wait_for(condition, *, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def fake():
    with FakeVendors(tickets=[REFUND]) as vendors:
        yield vendors


def test_a_worker_killed_mid_job_leaves_one_issue_one_note_one_message(client, installation, fake, database_url):
    token = installation["api_token"]
    configure(client, token, {
        "zendesk.url": fake.zendesk_url, "zendesk.email": "agent@acme.example", "zendesk.api_token": "zd-token",
        "jira.url": fake.jira_url, "jira.email": "bot@acme.example", "jira.api_token": "jira-token",
        "jira.project": "ESC", "slack.api_url": fake.slack_url, "slack.bot_token": "xoxb-token",
        "slack.default_channel": "C0SUPPORT",
    })
    # Jira creates the issue at once but answers only after 5 s: the worker is killed while it waits.
    fake.fail("jira", method="POST", path=r"^/rest/api/3/issue$", status=None, delay=5.0, times=1)
    escalation_id = escalate(client, token).get_json()["id"]

    first = start_worker(database_url)
    try:
        wait_for(lambda: jira_creates(fake), seconds=30, what="the worker to ask Jira for the issue")
        wait_for(lambda: fake.state()["jira"]["issues"], seconds=5, what="Jira to hold the issue")
        first.send_signal(signal.SIGKILL)
        first.wait(10)
    finally:
        if first.poll() is None:
            first.kill()
    shown = client.get(f"/v1/escalations/{escalation_id}", headers=bearer(token)).get_json()
    assert shown["jira"]["key"] is None and shown["status"] == "pending"  # nothing was recorded

    for _ in range(4):  # the agent, impatient, clicks again meanwhile
        assert escalate(client, token).status_code == 200

    second = start_worker(database_url)
    try:
        wait_for(lambda: client.get(f"/v1/escalations/{escalation_id}", headers=bearer(token))
                 .get_json()["status"] == "delivered", seconds=60, what="the escalation to be delivered")
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(10)

    shown = client.get(f"/v1/escalations/{escalation_id}", headers=bearer(token)).get_json()
    assert shown["jira"]["key"] == "ESC-1" and shown["steps"][0]["attempts"] == 2
    assert len(fake.state()["jira"]["issues"]) == 1
    assert (len(jira_creates(fake)), len(zendesk_notes(fake)), len(slack_posts(fake))) == (1, 1, 1)
