"""Zendesk history import through the incremental export, faked at the HTTP layer (zenpy and requests run for real).

The acceptance test: three export pages with a 429 (Retry-After) in between import every ticket
exactly once, and a re-run from the stored cursor imports nothing new.
"""
from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import responses
from click.testing import CliRunner
from responses import matchers

from sidecar.cli.imports import import_group
from sidecar.clients.errors import ApiRateLimited, ApiUnavailable
from sidecar.clients.zendesk import ZendeskClient
from sidecar.errors import Conflict, InvalidInput
from sidecar.services.history import (
    RequestPacer,
    import_zendesk_history,
    zendesk_client_for,
)
from sidecar.services.installations import get_installation, set_credentials
from sidecar.store.history import (
    count_history,
    get_cursor,
    get_history_ticket,
    iter_history,
)
from tests.clients.conftest import load_fixture
from tests.conftest import ENCRYPTION_KEY

CREDENTIALS = {"subdomain": "acme", "email": "integration@acme.example", "api_token": "zd_token_5up3r53cr3t"}
API = "https://acme.zendesk.com/api/v2"
EXPORT = f"{API}/incremental/tickets/cursor.json"
INCLUDE = "users,groups,organizations,metric_sets,comment_count"
SINCE = datetime(2024, 5, 1, tzinfo=UTC)
CURSORS = ["MTcxNDU1MDQwMC4wfHwxMDAyfA==", "MTcxNDk4MjQwMC4wfHwxMDA0fA==", "MTcxNTQxNDQwMC4wfHwxMDA2fA==",
           "MTcxNTQxNDQ2MC4wfHwxMDA2fA=="]


class FakeClock:
    """A clock for the pacer: sleeping records the wait and moves time on, instantly."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def http() -> Iterator[responses.RequestsMock]:
    """The HTTP layer, faked: unregistered calls fail and every registered call must happen."""
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        yield mock


@pytest.fixture
def database(app):
    """The test database (tables are emptied after each test)."""
    return app.extensions["sidecar"].database


def zendesk(name: str):
    return load_fixture("zendesk", name)


def export_page(http, query: dict, body=None, **kwargs) -> None:
    """Register one export request with exactly these query parameters."""
    if body is not None:
        kwargs["json"] = body
    http.get(EXPORT, match=[matchers.query_param_matcher({"include": INCLUDE, **query})], **kwargs)


def register_full_export(http, *, comments: bool = True) -> None:
    """Page 1, its comment calls, a 429, then pages 2 and 3 (end of stream)."""
    export_page(http, {"start_time": str(int(SINCE.timestamp()))}, zendesk("incremental_tickets_page1.json"))
    if comments:
        http.get(f"{API}/tickets/1001/comments.json",
                 match=[matchers.query_param_matcher({"page[size]": "100", "include_inline_images": "false"})],
                 json=zendesk("ticket_1001_comments.json"))
        http.get(f"{API}/users/show_many.json", match=[matchers.query_param_matcher({"ids": "20978777"})],
                 json=zendesk("users_show_many_cc.json"))
    http.get(EXPORT, match=[matchers.query_param_matcher({"include": INCLUDE, "cursor": CURSORS[0]})],
             status=429, headers={"Retry-After": "45"}, body="Too Many Requests")
    export_page(http, {"cursor": CURSORS[0]}, zendesk("incremental_tickets_page2.json"))
    export_page(http, {"cursor": CURSORS[1]}, zendesk("incremental_tickets_page3.json"))


def run(database, installation_id: str, clock: FakeClock, **options):
    return import_zendesk_history(database, installation_id=installation_id, client=ZendeskClient(CREDENTIALS),
                                  clock=clock, **options)


def test_acceptance_three_pages_and_a_429_import_every_ticket_once_and_a_rerun_adds_nothing(
    http, database, installation
):
    register_full_export(http)
    clock = FakeClock()

    first = run(database, installation["id"], clock, since=SINCE)

    assert (first.inserted, first.updated, first.unchanged, first.skipped, first.pages) == (6, 0, 0, 0, 3)
    assert clock.sleeps == [45.0]  # the Retry-After, waited once; no other pause was needed
    assert first.as_dict()["rate_limited"] == 1
    with database.session() as session:
        rows = list(iter_history(session, installation_id=installation["id"]))
        assert sorted(r.external_id for r in rows) == ["1001", "1002", "1003", "1004", "1005", "1006"]
        assert get_cursor(session, installation_id=installation["id"], source="zendesk") == {
            "after_cursor": CURSORS[2], "end_of_stream": True, "since": SINCE.isoformat()}

    # The re-run starts from the stored cursor (no --since needed) and finds nothing new.
    export_page(http, {"cursor": CURSORS[2]}, zendesk("incremental_tickets_empty.json"))
    again = run(database, installation["id"], clock)

    assert again.resumed
    assert (again.inserted, again.updated, again.tickets, again.pages) == (0, 0, 0, 1)
    with database.session() as session:
        assert count_history(session, installation_id=installation["id"]) == 6
        assert get_cursor(session, installation_id=installation["id"], source="zendesk")["after_cursor"] == CURSORS[3]


def test_rows_carry_names_resolution_and_the_conversation(http, database, installation):
    register_full_export(http)

    run(database, installation["id"], FakeClock(), since=SINCE)

    with database.session() as session:
        def ticket(external_id):
            return get_history_ticket(session, installation_id=installation["id"], source="zendesk",
                                      external_id=external_id)

        refund = ticket("1001")
        assert (refund.group_name, refund.assignee, refund.status, refund.priority) == (
            "Billing", "Priya Shah", "solved", "high")
        assert refund.resolution.startswith("Hi Maya, we refunded the duplicate charge")
        assert refund.resolved_at.replace(tzinfo=UTC) == datetime(2024, 5, 1, 10, tzinfo=UTC)
        assert refund.url == "https://acme.zendesk.com/agent/tickets/1001"
        # The opening comment is the description, so it is not repeated; the CC (fetched in one
        # show_many call) is an end user, so a customer.
        assert [(c["author"], c["public"]) for c in refund.data["comments"]] == [
            ("customer", True), ("agent", False), ("agent", True)]
        assert "other card ending 4242" in refund.search_text
        assert "refunded the duplicate charge for INV-2291" not in refund.search_text  # agents' words are not indexed
        assert refund.data["organization"]["name"] == "Northwind Traders"
        assert refund.data["requester"]["email"] == "maya@northwind.example"

        sso = ticket("1002")
        assert (sso.group_name, sso.assignee, sso.resolution, sso.resolved_at) == (
            "Platform Engineering", "Tom Becker", None, None)
        unassigned = ticket("1003")
        assert (unassigned.group_name, unassigned.assignee, unassigned.data["reopens"]) == (None, None, 1)


def test_an_interrupted_import_resumes_after_the_last_page_written(http, database, installation):
    export_page(http, {"start_time": str(int(SINCE.timestamp()))}, zendesk("incremental_tickets_page1.json"))
    export_page(http, {"cursor": CURSORS[0]}, status=503, body="Service Unavailable")

    with pytest.raises(ApiUnavailable):
        run(database, installation["id"], FakeClock(), since=SINCE, comments=False)

    with database.session() as session:
        assert count_history(session, installation_id=installation["id"]) == 2
        assert get_cursor(session, installation_id=installation["id"], source="zendesk")["after_cursor"] == CURSORS[0]

    export_page(http, {"cursor": CURSORS[0]}, zendesk("incremental_tickets_page2.json"))
    export_page(http, {"cursor": CURSORS[1]}, zendesk("incremental_tickets_page3.json"))
    resumed = run(database, installation["id"], FakeClock(), since=SINCE, comments=False)

    assert resumed.resumed and (resumed.inserted, resumed.pages) == (4, 2)
    with database.session() as session:
        assert count_history(session, installation_id=installation["id"]) == 6


def test_restart_ignores_the_cursor_and_reimports_unchanged(http, database, installation):
    register_full_export(http, comments=False)
    run(database, installation["id"], FakeClock(), since=SINCE, comments=False)
    register_full_export(http, comments=False)

    again = run(database, installation["id"], FakeClock(), since=SINCE, comments=False, restart=True)

    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 6)


def test_deleted_tickets_leave_history(http, database, installation):
    page = zendesk("incremental_tickets_page3.json")
    export_page(http, {"start_time": str(int(SINCE.timestamp()))}, page)
    run(database, installation["id"], FakeClock(), since=SINCE, comments=False)
    gone = {**page, "tickets": [{**page["tickets"][1], "status": "deleted"}], "after_cursor": CURSORS[3]}
    export_page(http, {"cursor": CURSORS[2]}, gone)

    summary = run(database, installation["id"], FakeClock(), comments=False)

    assert (summary.deleted, summary.tickets) == (1, 0)
    with database.session() as session:
        assert [t.external_id for t in iter_history(session, installation_id=installation["id"])] == ["1005"]


def test_pages_are_paced_to_the_export_limit(http, database, installation):
    register_full_export(http, comments=False)
    clock = FakeClock()

    run(database, installation["id"], clock, since=SINCE, comments=False, exports_per_minute=2)

    # Page 1 and the 429 start at t=0; after the 45 s Retry-After the retry would be the third
    # request within 60 s, so it waits 15 s more; at t=60 pages 2 and 3 fit the new minute.
    assert clock.sleeps == [45.0, 15.0]


def test_a_first_import_needs_since(database, installation):
    with pytest.raises(InvalidInput, match="--since"):
        run(database, installation["id"], FakeClock())


def test_since_in_the_last_minute_is_refused(database, installation):
    with pytest.raises(InvalidInput, match="a minute in the past"):
        run(database, installation["id"], FakeClock(), since=datetime.now(UTC))


def test_pacer_waits_out_429s_and_gives_up_after_its_budget():
    clock = FakeClock()
    pacer = RequestPacer(10, clock=clock, max_rate_limit_waits=2)
    attempts = []

    def always_limited():
        attempts.append(clock.now)
        raise ApiRateLimited("Zendesk GET /api/v2/incremental/tickets/cursor.json failed: HTTP 429", retry_after=30)

    with pytest.raises(ApiRateLimited):
        pacer.call(always_limited)

    assert clock.sleeps == [30.0, 30.0] and len(attempts) == 3


def test_pacer_does_not_wait_for_a_spent_daily_allowance():
    clock = FakeClock()
    pacer = RequestPacer(10, clock=clock)

    def spent():
        raise ApiRateLimited("Salesforce query failed: HTTP 403: REQUEST_LIMIT_EXCEEDED", 403,
                             code="REQUEST_LIMIT_EXCEEDED")

    with pytest.raises(ApiRateLimited):
        pacer.call(spent)
    assert clock.sleeps == []


def test_pacer_keeps_any_minute_under_the_limit():
    clock = FakeClock()
    pacer = RequestPacer(10, clock=clock)
    starts = []

    for _ in range(25):
        pacer.call(lambda: starts.append(clock.now))

    assert all(sum(1 for t in starts if s <= t < s + 60) <= 10 for s in starts)
    assert starts[-1] - starts[0] == 120.0


def test_client_for_installation_needs_zendesk_credentials(app, database, installation, make_installation, box):
    with database.session() as session:
        with pytest.raises(Conflict, match="no zendesk credentials"):
            zendesk_client_for(get_installation(session, installation["id"]), box=box)
        salesforce = get_installation(session, make_installation("Globex", "salesforce")["id"])
        with pytest.raises(Conflict, match="not Zendesk"):
            zendesk_client_for(salesforce, box=box)


def test_cli_imports_with_stored_credentials_and_prints_json_last(
    http, app, database, database_url, installation, box, monkeypatch
):
    waited: list[float] = []
    monkeypatch.setattr("time.sleep", waited.append)
    with database.session() as session:
        set_credentials(session, get_installation(session, installation["id"]), credentials=CREDENTIALS, box=box)
    register_full_export(http, comments=False)
    env = {"DATABASE_URL": database_url, "SIDECAR_ENCRYPTION_KEY": ENCRYPTION_KEY, "LOG_LEVEL": "warning"}

    result = CliRunner().invoke(
        import_group, ["zendesk", "--installation", installation["id"], "--since", "2024-05-01", "--no-comments"],
        env=env, catch_exceptions=False,
    )

    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert {k: summary[k] for k in ("source", "inserted", "skipped", "pages", "rate_limited")} == {
        "source": "zendesk", "inserted": 6, "skipped": 0, "pages": 3, "rate_limited": 1}
    assert waited == [45.0]
    assert "page 3: 6 tickets so far" in result.stderr
    assert "Zendesk incremental export: rate limited (HTTP 429); waiting 45s as asked" in result.stderr
    assert CREDENTIALS["api_token"] not in result.output


def test_cli_failure_says_how_to_resume_and_hides_the_token(http, app, database, database_url, installation, box):
    with database.session() as session:
        set_credentials(session, get_installation(session, installation["id"]), credentials=CREDENTIALS, box=box)
    export_page(http, {"start_time": str(int(SINCE.timestamp()))}, status=401,
                json={"error": "Couldn't authenticate you"})
    env = {"DATABASE_URL": database_url, "SIDECAR_ENCRYPTION_KEY": ENCRYPTION_KEY, "LOG_LEVEL": "warning"}

    result = CliRunner().invoke(import_group,
                                ["zendesk", "--installation", installation["id"], "--since", "2024-05-01"],
                                env=env, catch_exceptions=False)

    assert result.exit_code == 1
    assert "HTTP 401" in result.output and "Run the same command again to resume" in result.output
    assert CREDENTIALS["api_token"] not in result.output
