"""The history repository: idempotent upserts and their counts, tenancy, validation, cursors and reads."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from sidecar.intelligence.ticket import Comment, Ticket
from sidecar.store.history import (
    HistoryRowError,
    UpsertCounts,
    count_history,
    delete_history,
    get_cursor,
    get_history_ticket,
    iter_history,
    prepare_history_row,
    record_ticket,
    set_cursor,
    upsert_history,
)
from sidecar.store.models import HistoryTicket

ROWS = [
    {
        "id": "T-1",
        "subject": "Charged twice",
        "description": "<p>We were charged <b>twice</b> for invoice INV-9.</p>",
        "comments": [
            {"author": "agent", "body": "Looking into it", "public": True},
            {"author": "customer", "body": "Any news on the refund?", "public": True},
        ],
        "group": "Billing",
        "assignee": "Priya Shah",
        "status": "solved",
        "priority": "high",
        "escalated": False,
        "needs_human": True,
        "created_at": "2024-05-01T08:00:00Z",
        "updated_at": "2024-05-02T08:00:00+02:00",
        "resolution": "Refunded the duplicate charge",
        "url": "https://acme.zendesk.com/agent/tickets/1",
        "channel": "email",  # unknown keys are kept
    },
    {"id": 2, "description": "SSO login fails with a SAML error", "group": None},
]


@pytest.fixture
def database(app):
    """The test database (tables are emptied after each test)."""
    return app.extensions["sidecar"].database


def _upsert(database, installation_id, rows, source="file"):
    with database.session() as session:
        return upsert_history(session, installation_id=installation_id, rows=rows, source=source)


def test_upsert_maps_columns_and_keeps_the_whole_row(database, installation):
    counts = _upsert(database, installation["id"], ROWS)

    assert counts == UpsertCounts(inserted=2, updated=0, unchanged=0)
    with database.session() as session:
        first = get_history_ticket(session, installation_id=installation["id"], source="file", external_id="T-1")
        second = get_history_ticket(session, installation_id=installation["id"], source="file", external_id="2")
        assert (first.kind, first.group_name, first.assignee, first.status, first.priority) == (
            "ticket", "Billing", "Priya Shah", "solved", "high")
        assert (first.escalated, first.needs_human) == (False, True)
        assert first.resolution == "Refunded the duplicate charge"
        assert first.url == "https://acme.zendesk.com/agent/tickets/1"
        assert first.updated_at.replace(tzinfo=UTC) == datetime(2024, 5, 2, 6, 0, tzinfo=UTC)
        # Plain text only, and only the customer's own words besides subject and description.
        assert first.search_text == "Charged twice\nWe were charged twice for invoice INV-9.\nAny news on the refund?"
        assert first.data["channel"] == "email"
        assert first.data["description"] == ROWS[0]["description"]
        assert second.subject == "" and second.group_name is None and second.data["id"] == "2"


def test_reimporting_the_same_rows_changes_nothing(database, installation):
    _upsert(database, installation["id"], ROWS)
    with database.session() as session:
        before = {t.external_id: (t.imported_at, t.data) for t in session.scalars(select(HistoryTicket))}

    again = _upsert(database, installation["id"], ROWS)

    assert again == UpsertCounts(inserted=0, updated=0, unchanged=2)
    with database.session() as session:
        after = {t.external_id: (t.imported_at, t.data) for t in session.scalars(select(HistoryTicket))}
        assert count_history(session, installation_id=installation["id"]) == 2
    assert after == before


def test_a_changed_row_is_updated_and_an_older_version_is_ignored(database, installation):
    _upsert(database, installation["id"], ROWS)
    changed = {**ROWS[0], "status": "closed", "updated_at": "2024-05-03T08:00:00Z"}
    older = {**ROWS[0], "status": "open", "updated_at": "2024-04-30T08:00:00Z"}

    assert _upsert(database, installation["id"], [changed]) == UpsertCounts(0, 1, 0)
    assert _upsert(database, installation["id"], [older]) == UpsertCounts(0, 0, 1)

    with database.session() as session:
        row = get_history_ticket(session, installation_id=installation["id"], source="file", external_id="T-1")
        assert row.status == "closed"


def test_a_repeated_id_in_one_batch_counts_like_a_repeat(database, installation):
    rows = [ROWS[1], {**ROWS[1], "description": "SSO login fails (edited)"}, ROWS[1]]

    counts = _upsert(database, installation["id"], rows)

    assert counts == UpsertCounts(inserted=1, updated=2, unchanged=0)
    with database.session() as session:
        assert get_history_ticket(session, installation_id=installation["id"], source="file",
                                  external_id="2").description == "SSO login fails with a SAML error"


def test_the_same_id_from_two_sources_is_two_tickets(database, installation):
    _upsert(database, installation["id"], ROWS[1:], source="file")
    _upsert(database, installation["id"], ROWS[1:], source="zendesk")

    with database.session() as session:
        assert count_history(session, installation_id=installation["id"]) == 2
        assert count_history(session, installation_id=installation["id"], sources=["zendesk"]) == 1


def test_installations_never_see_each_others_history(database, make_installation):
    acme, globex = make_installation("Acme"), make_installation("Globex")
    _upsert(database, acme["id"], ROWS)
    # Globex has a ticket with the same id: a separate row, untouched by Acme's import.
    assert _upsert(database, globex["id"], [{"id": "T-1", "subject": "Globex's own ticket"}]).inserted == 1

    with database.session() as session:
        assert count_history(session, installation_id=acme["id"]) == 2
        assert count_history(session, installation_id=globex["id"]) == 1
        assert [t.subject for t in iter_history(session, installation_id=globex["id"])] == ["Globex's own ticket"]
        assert get_history_ticket(session, installation_id=globex["id"], source="file", external_id="2") is None
        assert delete_history(session, installation_id=globex["id"], source="file", external_ids=["2"]) == 0
        assert get_cursor(session, installation_id=globex["id"], source="zendesk") is None


def test_iter_and_count_by_kind(database, installation):
    jira = {"id": "10042", "kind": "jira_issue", "subject": "Dashboard 500s", "resolution": "Fixed"}
    _upsert(database, installation["id"], ROWS)
    _upsert(database, installation["id"], [jira], source="jira")

    with database.session() as session:
        assert count_history(session, installation_id=installation["id"], kinds=["jira_issue"]) == 1
        assert [t.external_id for t in iter_history(session, installation_id=installation["id"], kinds=["ticket"])] == [
            "T-1", "2"]


@pytest.mark.parametrize(
    ("row", "field", "words"),
    [
        ({"subject": "no id"}, "id", "required"),
        ({"id": True, "subject": "x"}, "id", "string or an integer"),
        ({"id": "x" * 101, "subject": "x"}, "id", "at most 100"),
        ({"id": "1"}, "subject", "subject and/or a description"),
        ({"id": "1", "subject": 7}, "subject", "must be a string"),
        ({"id": "1", "subject": "x", "created_at": "yesterday"}, "created_at", "ISO 8601"),
        ({"id": "1", "subject": "x", "comments": [{"author": "robot", "body": "hi"}]},
         "comments[0].author", "customer"),
        ({"id": "1", "subject": "x", "comments": [{"author": "agent"}]}, "comments[0].body", "string"),
        ({"id": "1", "subject": "x", "escalated": "yes"}, "escalated", "true, false or null"),
        ({"id": "1", "subject": "x", "group": "g" * 201}, "group", "at most 200"),
        ({"id": "1", "subject": "x", "tags": "billing"}, "tags", "list of strings"),
        ({"id": "1", "subject": "x", "kind": "email"}, "kind", "ticket, jira_issue"),
        ({"id": "1", "subject": "x", "organization": {"arr": "lots"}}, "organization.arr", "number"),
    ],
)
def test_invalid_rows_name_the_field(row, field, words):
    with pytest.raises(HistoryRowError) as caught:
        prepare_history_row(row, source="file")
    assert caught.value.field == field
    assert words in str(caught.value)


def test_nul_characters_are_dropped_before_storage(database, installation):
    counts = _upsert(database, installation["id"], [{"id": "n\x00ul", "subject": "zero\x00byte", "x": ["a\x00"]}])

    assert counts.inserted == 1
    with database.session() as session:
        row = get_history_ticket(session, installation_id=installation["id"], source="file", external_id="nul")
        assert (row.subject, row.data["x"], row.data["id"]) == ("zerobyte", ["a"], "nul")


def test_record_ticket_joins_history_and_keeps_what_an_import_knew(database, installation):
    _upsert(database, installation["id"], [{
        "id": "35436", "subject": "Dashboard down", "status": "solved", "resolution": "Rolled back the release",
        "url": "https://acme.zendesk.com/agent/tickets/35436", "updated_at": "2024-05-01T00:00:00Z",
    }], source="zendesk")
    live = Ticket(
        id="35436", source="zendesk", subject="Dashboard down again", description="It is down again.",
        comments=(Comment(author="customer", body="Still down!"),), status="open", group="Platform",
        updated_at=datetime(2024, 6, 1, tzinfo=UTC),
    )

    with database.session() as session:
        counts = record_ticket(session, installation_id=installation["id"], ticket=live)
    with database.session() as session:
        again = record_ticket(session, installation_id=installation["id"], ticket=live)
        row = get_history_ticket(session, installation_id=installation["id"], source="zendesk", external_id="35436")

    assert (counts, again) == (UpsertCounts(0, 1, 0), UpsertCounts(0, 0, 1))
    assert (row.subject, row.status, row.group_name) == ("Dashboard down again", "open", "Platform")
    assert row.resolution == "Rolled back the release"  # not something a live ticket carries
    assert row.url.endswith("/35436")
    assert "Still down!" in row.search_text


def test_cursor_round_trip(database, installation):
    with database.session() as session:
        set_cursor(session, installation_id=installation["id"], source="zendesk", cursor={"after_cursor": "abc"})
    with database.session() as session:
        set_cursor(session, installation_id=installation["id"], source="zendesk", cursor={"after_cursor": "def"})
    with database.session() as session:
        assert get_cursor(session, installation_id=installation["id"], source="zendesk") == {"after_cursor": "def"}
        assert get_cursor(session, installation_id=installation["id"], source="jira") is None


def test_record_ticket_fits_overlong_fields_instead_of_failing(database, installation):
    live = Ticket(id="77", source="zendesk", subject="", status="s" * 60, group="g" * 300)

    with database.session() as session:
        counts = record_ticket(session, installation_id=installation["id"], ticket=live)
        row = get_history_ticket(session, installation_id=installation["id"], source="zendesk", external_id="77")

    assert counts.inserted == 1
    assert (len(row.status), len(row.group_name), row.subject) == (40, 200, "zendesk ticket 77")
