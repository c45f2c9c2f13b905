"""Salesforce history import: Cases page by page through nextRecordsUrl, faked at the HTTP layer."""
from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import responses
from click.testing import CliRunner

from sidecar.cli.imports import import_group
from sidecar.clients.salesforce import SalesforceClient
from sidecar.services.history import import_salesforce_history
from sidecar.services.installations import get_installation, set_credentials
from sidecar.store.history import count_history, get_cursor, get_history_ticket
from tests.clients.conftest import load_fixture
from tests.conftest import ENCRYPTION_KEY

INSTANCE = "https://acme.my.salesforce.com"
CREDENTIALS = {"instance_url": INSTANCE, "access_token": "00DHn0000000ABC!AQ4AQSecretAccessToken"}
QUERY = f"{INSTANCE}/services/data/v62.0/query/"
NEXT_PAGE = f"{INSTANCE}/services/data/v62.0/query/01gHn00000ExPoRtIAV-2"
MORE_COMMENTS = f"{INSTANCE}/services/data/v62.0/query/01gHn00000ChIlDIAV-200"
SINCE = datetime(2024, 5, 1, tzinfo=UTC)
CASE_A, CASE_B, CASE_C = "500Hn00001CaSeAIAV", "500Hn00001CaSeBIAV", "500Hn00001CaSeCIAV"


@pytest.fixture
def http() -> Iterator[responses.RequestsMock]:
    """The HTTP layer, faked: unregistered calls fail and every registered call must happen."""
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        yield mock


@pytest.fixture
def database(app):
    """The test database (tables are emptied after each test)."""
    return app.extensions["sidecar"].database


@pytest.fixture
def installation(make_installation) -> dict:
    """A Salesforce installation."""
    return make_installation("Globex Service", "salesforce")


def salesforce(name: str):
    return load_fixture("salesforce", name)


def cases_since(when: str, *, emails: bool = True, extra_field: str | None = None):
    """A matcher for the export SOQL: Cases modified since `when`, oldest change first."""

    def match(request):
        soql = request.params.get("q", "")
        checks = [
            " FROM Case WHERE " in soql,
            f"LastModifiedDate >= {when} ORDER BY LastModifiedDate ASC, Id ASC" in soql,
            "FROM CaseComments" in soql,
            ("FROM EmailMessages" in soql) == emails,
            extra_field is None or extra_field in soql,
        ]
        return all(checks), "" if all(checks) else f"unexpected SOQL: {soql!r}"

    return match


def register_export(http) -> None:
    """Page 1 (with one Case's extra page of comments), then page 2 through nextRecordsUrl."""
    http.get(QUERY, match=[cases_since("2024-05-01T00:00:00Z")], json=salesforce("cases_export_page1.json"))
    http.get(MORE_COMMENTS, json=salesforce("case_comments_more.json"))
    http.get(NEXT_PAGE, json=salesforce("cases_export_page2.json"))


def run(database, installation_id, **options):
    client = options.pop("client", None) or SalesforceClient(CREDENTIALS)
    return import_salesforce_history(database, installation_id=installation_id, client=client, **options)


def test_pages_are_followed_and_every_case_imported_once(http, database, installation):
    register_export(http)

    summary = run(database, installation["id"], since=SINCE)

    assert (summary.inserted, summary.updated, summary.unchanged, summary.skipped, summary.pages) == (3, 0, 0, 0, 2)
    with database.session() as session:
        assert count_history(session, installation_id=installation["id"], sources=["salesforce"]) == 3
        assert get_cursor(session, installation_id=installation["id"], source="salesforce") == {
            "last_modified": "2024-05-03T09:30:00+00:00", "since": SINCE.isoformat()}


def test_cases_map_to_rows_with_queue_owner_comments_and_account(http, database, installation):
    register_export(http)

    run(database, installation["id"], since=SINCE)

    with database.session() as session:
        def case(case_id):
            return get_history_ticket(session, installation_id=installation["id"], source="salesforce",
                                      external_id=case_id)

        refund = case(CASE_A)
        assert (refund.group_name, refund.assignee, refund.status, refund.priority) == (
            "Billing Queue", None, "closed", "high")
        assert refund.escalated is True
        assert refund.resolved_at.replace(tzinfo=UTC) == datetime(2024, 5, 1, 10, tzinfo=UTC)
        assert refund.resolution == "Refund issued for INV-2291; it shows in 3-5 days."
        assert refund.url == f"{INSTANCE}/lightning/r/Case/{CASE_A}/view"
        assert refund.data["organization"]["name"] == "Northwind Traders"
        assert refund.data["organization"]["tier"] == "Enterprise"
        assert refund.data["case_number"] == "00001101"
        # The first incoming email is the Description again, so the conversation starts after it.
        assert [(c["author"], c["public"]) for c in refund.data["comments"]] == [("agent", False), ("agent", True)]

        sso = case(CASE_B)
        assert (sso.group_name, sso.assignee, sso.resolution, sso.escalated) == (None, "Dana Owner", None, False)
        # The Case's second page of comments was followed: the customer's answer is searchable.
        assert [c["author"] for c in sso.data["comments"]] == ["agent", "customer"]
        assert "SAML response invalid" in sso.search_text


def test_a_rerun_starts_from_the_last_change_seen_and_adds_nothing(http, database, installation):
    register_export(http)
    run(database, installation["id"], since=SINCE)
    http.get(QUERY, match=[cases_since("2024-05-03T09:30:00Z")], json=salesforce("cases_export_rerun.json"))

    again = run(database, installation["id"])

    assert again.resumed
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 1)


def test_group_field_setting_names_the_team(http, database, installation):
    page = salesforce("cases_export_page2.json")
    page["records"][0]["Team__c"] = "Analytics"
    http.get(QUERY, match=[cases_since("2024-05-01T00:00:00Z", extra_field="Team__c")], json=page)

    run(database, installation["id"], since=SINCE, group_field="Team__c",
        client=SalesforceClient(CREDENTIALS, case_fields=["Team__c"]))

    with database.session() as session:
        row = get_history_ticket(session, installation_id=installation["id"], source="salesforce", external_id=CASE_C)
        assert row.group_name == "Analytics"


def test_orgs_without_email_to_case_export_comments_only(http, database, installation):
    http.get(QUERY, match=[cases_since("2024-05-01T00:00:00Z")], status=400,
             json=salesforce("error_unknown_relationship.json"))
    http.get(QUERY, match=[cases_since("2024-05-01T00:00:00Z", emails=False)],
             json=salesforce("cases_export_page2.json"))

    summary = run(database, installation["id"], since=SINCE)

    assert summary.inserted == 1


def test_cli_imports_a_salesforce_installation(http, app, database, database_url, installation, box):
    with database.session() as session:
        set_credentials(session, get_installation(session, installation["id"]), credentials=CREDENTIALS, box=box)
    register_export(http)
    env = {"DATABASE_URL": database_url, "SIDECAR_ENCRYPTION_KEY": ENCRYPTION_KEY, "LOG_LEVEL": "warning"}

    result = CliRunner().invoke(import_group, ["salesforce", "--installation", installation["id"],
                                               "--since", "2024-05-01T00:00:00Z"], env=env, catch_exceptions=False)

    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert (summary["source"], summary["inserted"], summary["pages"]) == ("salesforce", 3, 2)
    assert CREDENTIALS["access_token"] not in result.output
