"""Measuring similar-incident search on a file of tickets with duplicate links."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from sidecar.intelligence.similarity import (
    duplicate_queries,
    evaluate_similar,
    format_similar_table,
    searchable_text,
)
from sidecar.intelligence.similarity.evaluation import duplicate_queries_with_groups
from sidecar.services.similar_evaluation import evaluate_product_search


def ticket(ticket_id: str, day: int | None, subject: str, description: str = "", duplicate_of=()) -> dict:
    row = {"id": ticket_id, "subject": subject, "description": description, "duplicate_of": list(duplicate_of)}
    if day is not None:
        row["created_at"] = f"2024-01-{day:02d}T10:00:00Z"
    return row


ROWS = [
    ticket("1", 1, "App crashes on startup", "The iOS app crashes right after launch since version 4.2."),
    ticket("2", 2, "Invoice shows wrong VAT", "October invoice charges 21% VAT instead of 19%."),
    ticket("3", 3, "Password reset e-mail never arrives", "Users never get the reset e-mail."),
    ticket("4", 4, "Dashboard loads slowly", "The analytics dashboard takes a minute to load."),
    # Marked on the later ticket, pointing back: the usual way.
    ticket("5", 5, "iOS app crashed at launch", "After updating to 4.2 the app crashes on launch.", duplicate_of=["1"]),
    # Marked on the earlier ticket, pointing forward: the later one is still the query.
    ticket("6", 6, "No password reset email", "The reset e-mail does not arrive for our users.", duplicate_of=[]),
    ticket("7", 7, "Analytics dashboard very slow", "Dashboard takes ages to load.", duplicate_of=["unknown-id"]),
    ticket("8", None, "App crashes on startup again", "No date: cannot be placed in time.", duplicate_of=["1"]),
]
ROWS[2]["duplicate_of"] = ["6"]


def test_links_are_read_both_ways_and_the_later_ticket_asks():
    queries = {row["id"]: earlier for row, earlier in duplicate_queries(ROWS)}

    assert queries == {"5": {"1"}, "6": {"3"}}  # 7 links to no row in the file, 8 has no date


def test_search_is_measured_through_the_product_pipeline():
    metrics = evaluate_product_search(ROWS)

    assert metrics["queries"] == 2
    assert metrics["tickets"] == len(ROWS)
    assert metrics["recall_at_1"] == 1.0
    assert metrics["recall_at_10"] == 1.0
    assert metrics["mrr"] == 1.0
    assert metrics["found_in_pool"] == 1.0
    assert 0.0 <= metrics["full_text_mrr"] <= 1.0


def test_only_earlier_tickets_are_candidates_and_the_query_itself_is_excluded():
    seen = []

    def search(*, text, limit, exclude, created_before):
        seen.append((exclude, created_before.day))
        return []

    metrics = evaluate_similar(ROWS, search=search, pool=7)

    assert sorted(seen) == [(("file", "5"), 5), (("file", "6"), 6)]
    assert metrics["recall_at_10"] == 0.0 and metrics["mrr"] == 0.0


def test_recall_and_mrr_count_the_first_duplicate_found():
    def candidate(ticket_id: str, subject: str):
        return SimpleNamespace(external_id=ticket_id, subject=subject, text=subject)

    def search(*, text, limit, exclude, created_before):
        # The duplicate is third in full-text order, behind two unrelated tickets.
        if exclude == ("file", "5"):
            return [
                candidate("2", "Invoice VAT"),
                candidate("4", "Dashboard slow"),
                candidate("1", "App crashes on startup"),
            ]
        return [candidate("2", "Invoice VAT")]

    metrics = evaluate_similar(ROWS, search=search)

    assert metrics["full_text_recall_at_1"] == 0.0
    assert metrics["full_text_mrr"] == pytest.approx((1 / 3) / 2)
    assert metrics["recall_at_1"] == 0.5  # re-ranking lifts it to first; the other query has none
    assert metrics["mrr"] == pytest.approx(0.5)
    assert metrics["found_in_pool"] == 0.5


def test_a_file_without_earlier_duplicates_cannot_be_measured():
    with pytest.raises(ValueError, match="duplicate_of"):
        evaluate_product_search([ticket("1", 1, "a"), ticket("2", 2, "b")])


def test_the_table_shows_both_stages():
    table = format_similar_table(evaluate_product_search(ROWS), "tiny")

    assert table.splitlines()[0].startswith("tiny: 2 queries over 8 tickets")
    assert "recall@10" in table and "full-text" in table and "re-ranked" in table


def test_searchable_text_takes_customer_comments_only():
    row = {
        "subject": "Export fails",
        "description": "CSV export errors",
        "comments": [{"author": "customer", "body": "still broken"}, {"author": "agent", "body": "looking"}],
    }

    assert searchable_text(row) == "Export fails\nCSV export errors\nstill broken"


def test_a_duplicate_group_joins_tickets_linked_through_others():
    rows = [
        ticket("a", 1, "Export fails"),
        ticket("b", 2, "CSV export broken", duplicate_of=["a"]),
        ticket("c", 3, "Export to CSV errors", duplicate_of=["b"]),
        ticket("d", 4, "Unrelated login issue"),
    ]
    found = {row["id"]: (direct, group) for row, direct, group in duplicate_queries_with_groups(rows)}
    assert found == {"b": ({"a"}, {"a"}), "c": ({"b"}, {"a", "b"})}


def test_group_figures_count_an_earlier_member_of_the_group():
    rows = [
        ticket("a", 1, "Export fails"),
        ticket("b", 2, "CSV export broken", duplicate_of=["a"]),
        ticket("c", 3, "Export to CSV errors", duplicate_of=["b"]),
    ]
    metrics = evaluate_product_search(rows, embeddings="off")
    # c's direct duplicate is b; a (same group) counts only in the group figures.
    assert metrics["queries"] == 2
    assert metrics["group_recall_at_10"] == 1.0
    assert metrics["group_mrr"] >= metrics["mrr"]
    assert "same duplicate group" in format_similar_table(metrics)
