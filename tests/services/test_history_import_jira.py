"""Jira history import: resolved issues become jira_issue rows, token pagination, resume; faked at the HTTP layer."""
from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import responses
from click.testing import CliRunner
from responses import matchers

from sidecar.cli.imports import import_group
from sidecar.clients.errors import ApiUnavailable
from sidecar.clients.jira import HISTORY_FIELDS, JiraClient
from sidecar.errors import Conflict
from sidecar.services.history import import_jira_history, jira_client_for
from sidecar.services.installations import get_installation, set_credentials
from sidecar.store.history import count_history, get_cursor, get_history_ticket
from tests.clients.conftest import load_fixture
from tests.conftest import ENCRYPTION_KEY

SITE = "https://acme.atlassian.net"
SEARCH = f"{SITE}/rest/api/3/search/jql"
JIRA = {"base_url": SITE, "email": "escalations@acme.example", "api_token": "ATATT3xFfGF0-jira-s3cret-token"}
HELPDESK = {"subdomain": "acme", "email": "integration@acme.example", "api_token": "zd_token_5up3r53cr3t"}
JQL = "project in (ENG, OPS) AND updated >= -365d"


@pytest.fixture
def http() -> Iterator[responses.RequestsMock]:
    """The HTTP layer, faked: unregistered calls fail and every registered call must happen."""
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        yield mock


@pytest.fixture
def database(app):
    """The test database (tables are emptied after each test)."""
    return app.extensions["sidecar"].database


def page(http, token: str | None = None, **reply) -> None:
    query = {"jql": JQL, "fields": ",".join(HISTORY_FIELDS), "maxResults": "100"}
    if token:
        query["nextPageToken"] = token
    http.get(SEARCH, match=[matchers.query_param_matcher(query)], **reply)


def register_search(http) -> None:
    page(http, json=load_fixture("jira", "search_page1.json"))
    page(http, "CAEaAggD", json=load_fixture("jira", "search_page2.json"))


def run(database, installation_id, **options):
    return import_jira_history(database, installation_id=installation_id,
                               client=JiraClient(SITE, email=JIRA["email"], api_token=JIRA["api_token"]),
                               jql=JQL, **options)


def test_resolved_issues_from_every_page_become_jira_issue_rows(http, database, installation):
    register_search(http)

    summary = run(database, installation["id"])

    assert (summary.inserted, summary.ignored, summary.skipped, summary.pages) == (2, 1, 0, 2)
    with database.session() as session:
        assert count_history(session, installation_id=installation["id"], kinds=["jira_issue"]) == 2
        assert get_history_ticket(session, installation_id=installation["id"], source="jira",
                                  external_id="10046") is None  # unresolved ENG-4215


def test_resolution_status_assignee_and_link_are_mapped(http, database, installation):
    register_search(http)

    run(database, installation["id"])

    with database.session() as session:
        issue = get_history_ticket(session, installation_id=installation["id"], source="jira", external_id="10042")
        assert (issue.kind, issue.data["key"], issue.subject) == (
            "jira_issue", "ENG-4211", "Billing job charges customers twice when retried")
        # The comment written with the resolution, not the "Thanks!" that came after it.
        assert issue.resolution == ("Done\nFixed: the retry now checks the idempotency key before charging.\n"
                                    "Refunds issued for affected invoices.")
        assert (issue.status, issue.priority, issue.assignee) == ("done", "high", "Alex Kim")
        assert issue.url == "https://acme.atlassian.net/browse/ENG-4211"
        assert issue.resolved_at.replace(tzinfo=UTC) == datetime(2024, 5, 3, 16, 20, 11, tzinfo=UTC)
        assert issue.description.startswith("Customers on invoice run INV-2291 were charged twice.")
        assert "charged twice" in issue.search_text
        assert (issue.data["project"], issue.data["components"], issue.data["tags"]) == (
            "ENG", ["Billing API"], ["zendesk-1001", "billing"])

        wont_do = get_history_ticket(session, installation_id=installation["id"], source="jira", external_id="10090")
        assert (wont_do.resolution, wont_do.status, wont_do.assignee, wont_do.description) == (
            "Won't Do", "closed", "Rosa Diaz", "")


def test_a_second_run_changes_nothing(http, database, installation):
    register_search(http)
    run(database, installation["id"])
    register_search(http)

    again = run(database, installation["id"])

    assert (again.inserted, again.updated, again.unchanged, again.ignored) == (0, 0, 2, 1)


def test_an_interrupted_run_resumes_with_the_stored_page_token(http, database, installation):
    page(http, json=load_fixture("jira", "search_page1.json"))
    page(http, "CAEaAggD", status=503, json={"errorMessages": ["Service unavailable"]})
    with pytest.raises(ApiUnavailable):
        run(database, installation["id"])
    with database.session() as session:
        assert get_cursor(session, installation_id=installation["id"], source="jira") == {
            "jql": JQL, "next_page_token": "CAEaAggD"}

    page(http, "CAEaAggD", json=load_fixture("jira", "search_page2.json"))
    resumed = run(database, installation["id"])

    assert resumed.resumed and (resumed.inserted, resumed.pages) == (1, 1)


def test_jira_credentials_are_the_jira_connection_settings(app, database, installation, box):
    with database.session() as session:
        record = get_installation(session, installation["id"])
        set_credentials(session, record, credentials=HELPDESK, box=box)
        with pytest.raises(Conflict, match='"jira" object'):
            jira_client_for(record, box=box)
        set_credentials(session, record, credentials={**HELPDESK, "jira": {"base_url": SITE}}, box=box)
        with pytest.raises(Conflict, match="missing jira.email, jira.api_token"):
            jira_client_for(record, box=box)
        set_credentials(session, record, credentials={**HELPDESK, "jira": JIRA}, box=box)
        assert jira_client_for(record, box=box).base_url == SITE


def test_cli_imports_jira_and_prints_json_last(http, app, database, database_url, installation, box):
    with database.session() as session:
        set_credentials(session, get_installation(session, installation["id"]),
                        credentials={**HELPDESK, "jira": JIRA}, box=box)
    register_search(http)
    env = {"DATABASE_URL": database_url, "SIDECAR_ENCRYPTION_KEY": ENCRYPTION_KEY, "LOG_LEVEL": "warning"}

    result = CliRunner().invoke(import_group, ["jira", "--installation", installation["id"], "--jql", JQL],
                                env=env, catch_exceptions=False)

    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert (summary["source"], summary["inserted"], summary["ignored"]) == ("jira", 2, 1)
    assert "ignored 1" in result.stdout
    assert JIRA["api_token"] not in result.output
