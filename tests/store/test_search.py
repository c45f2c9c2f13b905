"""Full-text candidate search over history tickets, on SQLite FTS5 and PostgreSQL tsvector alike."""
from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete, insert, update

from sidecar.store import search as search_module
from sidecar.store.models import HistoryTicket
from sidecar.store.search import (
    choose_terms,
    fts5_query,
    include_in_autogenerate,
    optimize_search_index,
    query_words,
    scratch_history_index,
    search_similar,
    tsquery_text,
)

T0 = datetime(2024, 3, 1, 9, 0, tzinfo=UTC)

TICKETS = [
    ("101", "SSO login fails with SAML error", "Users get 'invalid SAML response' when signing in through Okta."),
    ("102", "Invoice PDF shows the wrong VAT rate", "The October invoice charges 21% VAT instead of 19%."),
    ("103", "CSV export times out", "Exporting the contacts list to CSV never finishes, the request times out."),
    ("104", "Webhook deliveries delayed", "Our webhook endpoint receives events two hours late."),
    ("105", "Überweisung fehlgeschlagen", "Die Überweisung an den Lieferanten ist fehlgeschlagen."),
]


@pytest.fixture
def database(app):
    return app.extensions["sidecar"].database


def add_tickets(database, installation_id: str, tickets=TICKETS, *, source: str = "zendesk", start: datetime = T0):
    """Insert history rows with Core, as the importer does; the n-th ticket is created n days after start."""
    rows = [
        {
            "installation_id": installation_id,
            "source": source,
            "external_id": external_id,
            "kind": "ticket",
            "subject": subject,
            "description": description,
            "search_text": f"{subject}\n{description}",
            "status": "solved",
            "resolution": f"resolution of {external_id}",
            "url": f"https://acme.zendesk.com/agent/tickets/{external_id}",
            "assignee": "ana@example.com",
            "group_name": "Tier 2",
            "created_at": start + timedelta(days=position),
            "data": {},
        }
        for position, (external_id, subject, description) in enumerate(tickets)
    ]
    with database.engine.begin() as connection:
        connection.execute(insert(HistoryTicket), rows)


def search(database, installation_id: str, text: str, **options):
    with database.session() as session:
        return search_similar(session, installation_id=installation_id, text=text, **options)


def as_utc(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes (stored as UTC); PostgreSQL aware ones.
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def ids(candidates) -> list[str]:
    return [candidate.external_id for candidate in candidates]


def test_the_ticket_about_the_same_problem_comes_first_with_what_the_agent_needs(database, installation):
    add_tickets(database, installation["id"])

    found = search(database, installation["id"], "Okta SAML sign in broken: login fails for all users")

    assert found[0].external_id == "101"
    first = found[0]
    assert (first.source, first.kind, first.subject, first.status) == ("zendesk", "ticket", TICKETS[0][1], "solved")
    assert first.resolution == "resolution of 101"
    assert first.url == "https://acme.zendesk.com/agent/tickets/101"
    assert (first.assignee, first.group_name) == ("ana@example.com", "Tier 2")
    assert as_utc(first.created_at) == T0
    assert first.text.startswith("SSO login fails")
    assert first.score > 0
    assert [c.score for c in found] == sorted((c.score for c in found), reverse=True)


def test_only_tickets_sharing_words_are_candidates(database, installation):
    add_tickets(database, installation["id"])

    assert ids(search(database, installation["id"], "webhook events arrive late")) == ["104"]
    assert search(database, installation["id"], "completely unrelated gibberish zzyzx") == []


def test_an_installation_never_sees_another_installations_tickets(database, make_installation):
    first, second = make_installation("Acme"), make_installation("Globex")
    add_tickets(database, first["id"], [("A-1", "SSO login fails with SAML error", "Okta SAML response invalid")])
    add_tickets(database, second["id"], [("B-1", "SSO login fails with SAML error", "Okta SAML response invalid")])

    assert ids(search(database, first["id"], "SAML login fails")) == ["A-1"]
    assert ids(search(database, second["id"], "SAML login fails")) == ["B-1"]
    assert search(database, "no-such-installation", "SAML login fails") == []


def test_tenancy_holds_when_another_installation_has_far_more_matches(database, make_installation):
    crowded, small = make_installation("Crowded"), make_installation("Small")
    # More matches than the SQLite search ranks before it filters by installation.
    many = [(f"C-{n}", f"SAML login fails case {n}", "SAML login fails again") for n in range(250)]
    add_tickets(database, crowded["id"], many)
    add_tickets(database, small["id"], [("S-1", "SAML login fails", "just one")])

    found = search(database, small["id"], "SAML login fails", limit=5)

    assert ids(found) == ["S-1"]


def test_created_before_keeps_only_earlier_tickets(database, installation):
    add_tickets(database, installation["id"], [
        ("1", "CSV export times out", "export never finishes"),
        ("2", "CSV export times out again", "export never finishes"),
        ("3", "CSV export still times out", "export never finishes"),
    ])

    found = search(database, installation["id"], "CSV export times out", created_before=T0 + timedelta(days=2))

    assert sorted(ids(found)) == ["1", "2"]


def test_exclude_leaves_out_the_ticket_being_looked_at(database, installation):
    add_tickets(database, installation["id"], [
        ("1", "CSV export times out", "export never finishes"),
        ("2", "CSV export times out", "export never finishes"),
    ])
    add_tickets(database, installation["id"], [("1", "CSV export times out", "from Salesforce")], source="salesforce")

    found = search(database, installation["id"], "CSV export times out", exclude=("zendesk", "1"))

    assert sorted((c.source, c.external_id) for c in found) == [("salesforce", "1"), ("zendesk", "2")]


def test_limit_is_respected(database, installation):
    add_tickets(database, installation["id"], [(str(n), f"CSV export times out {n}", "export") for n in range(12)])

    assert len(search(database, installation["id"], "CSV export times out", limit=5)) == 5
    assert search(database, installation["id"], "CSV export times out", limit=0) == []


def test_edits_and_deletes_reach_the_index(database, installation):
    add_tickets(database, installation["id"], [("1", "CSV export times out", "export never finishes")])
    with database.engine.begin() as connection:
        connection.execute(
            update(HistoryTicket)
            .where(HistoryTicket.external_id == "1")
            .values(subject="Calendar sync duplicates events", search_text="Calendar sync duplicates events")
        )

    assert search(database, installation["id"], "CSV export") == []
    assert ids(search(database, installation["id"], "calendar sync duplicates")) == ["1"]

    with database.engine.begin() as connection:
        connection.execute(delete(HistoryTicket).where(HistoryTicket.external_id == "1"))
    assert search(database, installation["id"], "calendar sync duplicates") == []


def test_search_works_after_the_index_is_optimized(database, installation):
    add_tickets(database, installation["id"])
    with database.session() as session:
        optimize_search_index(session)

    assert ids(search(database, installation["id"], "CSV export"))[0] == "103"


def test_non_english_words_are_found(database, installation):
    add_tickets(database, installation["id"])

    assert ids(search(database, installation["id"], "Überweisung an Lieferanten"))[0] == "105"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   \n\t ",
        '"',
        "'",
        '"unterminated quote',
        "it's O'Reilly's \"quoted\" export",
        "AND OR NOT",
        "NEAR(export csv, 2)",
        "subject: export OR search_text: csv",
        "-export +csv *",
        "csv* ^export",
        "export & | ! <-> :* (",
        "'; DROP TABLE history_tickets; --",
        "a' OR '1'='1",
        "\\ backslash \\' escape",
        "日本語のテキスト 検索",
        "émoji 🎉 café naïve",
        "\x00 nul \x00",
        "x" * 5000,
        "export " * 2000,
        "ﬁle ﬂow İstanbul ß",
    ],
)
def test_odd_input_never_raises(database, installation, text):
    add_tickets(database, installation["id"])

    found = search(database, installation["id"], text)

    assert isinstance(found, list)


def test_operators_in_the_ticket_are_plain_words(database, installation):
    add_tickets(database, installation["id"])

    found = search(database, installation["id"], 'NOT "CSV" AND -export* OR subject:times')

    assert "103" in ids(found)  # "csv", "export", "times" were searched as words


def test_scratch_index_searches_given_tickets():
    tickets = [
        {"external_id": "1", "subject": "Printer jams", "search_text": "Printer jams on page two", "created_at": T0},
        {"external_id": "2", "subject": "Scanner is slow", "search_text": "Scanner is slow", "created_at": T0},
    ]
    with scratch_history_index(tickets) as scratch_search:
        assert ids(scratch_search(text="the printer jams", limit=10)) == ["1"]


def test_query_words_drop_function_words_and_rank_by_frequency():
    words = query_words("The export of the CSV export fails; export again. A b")

    assert list(words)[:3] == ["export", "csv", "fails"]
    assert words["export"] == 3
    assert "the" not in words and "b" not in words


def test_choose_terms_spends_the_posting_budget_on_the_most_telling_words():
    counts = Counter({"error": 3, "saml": 1, "okta": 1, "login": 1, "zzyzx": 1})
    frequency = {"error": 900, "saml": 40, "okta": 30, "login": 600, "zzyzx": 0}

    chosen = choose_terms(counts, frequency, 1000, budget=700, max_terms=10)

    assert chosen[:2] == ["okta", "saml"]  # rarest first, unknown words skipped
    assert "login" in chosen and "error" not in chosen  # 30 + 40 + 600 fits, adding 900 would not
    assert choose_terms(counts, frequency, 1000, budget=10) == ["okta"]  # nothing fits: the rarest alone
    assert choose_terms(Counter({"zzyzx": 1}), frequency, 1000) == []


def test_query_syntax_is_quoted_not_built_from_raw_text():
    assert fts5_query(["export", 'a"b']) == '"export" OR "a""b"'
    assert tsquery_text(["export", "o'neil", "a\\b"]) == "'export' | 'o''neil' | 'a\\\\b'"


def test_autogenerate_ignores_only_the_search_objects():
    assert not include_in_autogenerate("history_search", "table", {})
    assert not include_in_autogenerate("history_search_data", "table", {})
    assert not include_in_autogenerate("search_vector", "column", {"table_name": "history_tickets"})
    assert not include_in_autogenerate("ix_history_tickets_search", "index", {"table_name": "history_tickets"})
    assert include_in_autogenerate("history_tickets", "table", {})
    assert include_in_autogenerate("subject", "column", {"table_name": "history_tickets"})
    assert include_in_autogenerate("ix_history_created", "index", {"table_name": "history_tickets"})


def test_when_every_word_is_over_the_budget_only_the_newest_matches_are_ranked(database, installation, monkeypatch):
    tickets = [(str(n), f"CSV export times out {n}", "export" + (" urgent" if n % 2 else "")) for n in range(30)]
    add_tickets(database, installation["id"], tickets)
    # A budget of 3 postings: "export" (30 tickets) and every other word are too common for it.
    monkeypatch.setattr(search_module, "POSTING_BUDGET", 3)
    monkeypatch.setattr(search_module, "_term_counts", search_module._TermCounts())
    found = search(database, installation["id"], "urgent export", limit=2)
    assert len(found) == 2
    # The rarest word ("urgent", 15 tickets) is searched among its newest matches only; the re-ranker
    # orders what comes back.
    assert set(ids(found)) <= {str(n) for n in range(30) if n % 2}
    assert search(database, installation["id"], "urgent export", limit=2, exclude=("zendesk", "29"))
