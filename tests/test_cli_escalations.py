"""Operator commands for escalations: installation configure / check, jobs list / retry."""
from __future__ import annotations

import json

import pytest

from sidecar.jobs.worker import Worker
from tests.escalation_support import REFUND, escalate
from tests.fakes import FakeVendors
from tests.test_cli import _run


@pytest.fixture(scope="module")
def fake():
    with FakeVendors(tickets=[REFUND],
                     credentials={"jira": {"email": "bot@acme.example", "api_token": "good"}}) as vendors:
        yield vendors


def test_configure_sets_keys_and_never_prints_secrets(app, installation, database_url):
    result = _run(database_url, "installation", "configure", installation["id"],
                  "--set", "jira.url=https://acme.atlassian.net", "--set", "jira.api_token=ATATT-very-secret",
                  "--set", "jira.email=bot@acme.example", "--set", "jira.project=ESC")
    assert result.exit_code == 0, result.output
    view = json.loads(result.output.strip().splitlines()[-1])
    assert view["jira"]["live"] is True and view["jira"]["settings"]["api_token"] == {"set": True}
    assert "ATATT-very-secret" not in result.output
    removed = _run(database_url, "installation", "configure", installation["id"], "--unset", "jira.api_token")
    assert json.loads(removed.output.strip().splitlines()[-1])["jira"]["live"] is False


def test_configure_names_an_unknown_key(app, installation, database_url):
    result = _run(database_url, "installation", "configure", installation["id"], "--set", "jira.urll=https://x")
    assert result.exit_code != 0 and "jira.urll" in result.output and "unknown setting" in result.output
    result = _run(database_url, "installation", "configure", installation["id"], "--set", "no-equals-sign")
    assert result.exit_code != 0 and "KEY=VALUE" in result.output


def test_check_says_in_words_what_works(app, installation, database_url, fake):
    _run(database_url, "installation", "configure", installation["id"],
         "--set", f"jira.url={fake.jira_url}", "--set", "jira.email=bot@acme.example",
         "--set", "jira.api_token=good", "--set", "jira.project=ESC",
         "--set", f"slack.api_url={fake.slack_url}", "--set", "slack.bot_token=xoxb-1",
         "--set", f"zendesk.url={fake.zendesk_url}", "--set", "zendesk.email=agent@acme.example",
         "--set", "zendesk.api_token=zd-1")
    result = _run(database_url, "installation", "check", installation["id"])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert any(line.startswith("ok") and "Jira works" in line for line in lines)
    assert any(line.startswith("ok") and "Slack works" in line for line in lines)
    assert any(line.startswith("ok") and "Zendesk works" in line for line in lines)
    assert json.loads(lines[-1])["ok"] is True

    _run(database_url, "installation", "configure", installation["id"], "--set", "jira.api_token=wrong")
    result = _run(database_url, "installation", "check", installation["id"])
    assert result.exit_code == 1
    assert any(line.startswith("FAIL") and "Jira refused the credentials" in line
               for line in result.output.splitlines())
    assert "wrong" not in result.output.replace("wrong-", "")


def test_check_reports_unconfigured_systems_as_dry_run(app, installation, database_url):
    result = _run(database_url, "installation", "check", installation["id"])
    assert result.exit_code == 0
    assert "Jira is not configured" in result.output and "dry-run" in result.output


def test_jobs_list_dead_and_retry(app, client, installation, database_url, box):
    _run(database_url, "installation", "configure", installation["id"],
         "--set", "jira.url=http://127.0.0.1:9", "--set", "jira.email=bot@acme.example",
         "--set", "jira.api_token=t", "--set", "jira.project=ESC", "--set", "jobs.max_attempts=1")
    escalation_id = escalate(client, installation["api_token"]).get_json()["id"]
    # nothing listens on port 9: the job dies (the switch lets it try 127.0.0.1, as in testing_config)
    Worker(app.extensions["sidecar"].database, box=box, allow_private_urls=True).drain()

    result = _run(database_url, "jobs", "list", "--dead")
    dead = [json.loads(line) for line in result.output.strip().splitlines()]
    assert len(dead) == 1 and dead[0]["escalation_id"] == escalation_id
    assert "could not connect" in dead[0]["error"]

    retried = _run(database_url, "jobs", "retry", dead[0]["id"])
    assert json.loads(retried.output.strip().splitlines()[-1])["status"] == "queued"
    shown = client.get(f"/v1/escalations/{escalation_id}",
                       headers={"Authorization": f"Bearer {installation['api_token']}"}).get_json()
    assert shown["status"] == "pending" and shown["steps"][0]["status"] == "retrying"
    assert _run(database_url, "jobs", "retry", "job_missing").exit_code != 0
