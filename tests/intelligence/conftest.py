"""Builders for the intelligence tests: small readable tickets, one conversation per test."""
from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from sidecar.intelligence.assessment import Assessment
from sidecar.intelligence.scoring import assess_ticket
from sidecar.intelligence.ticket import Ticket, ticket_from_mapping

NOW = datetime(2024, 6, 3, 12, 0, tzinfo=UTC)


def build_ticket(
    description: str = "",
    *,
    subject: str = "",
    comments: list[tuple[str, str]] | None = None,
    **fields: Any,
) -> Ticket:
    """A ticket from a description and (author, body) comments; other history fields pass through."""
    row: dict[str, Any] = {"id": fields.pop("id", "t-1"), "subject": subject, "description": description}
    if comments is not None:
        row["comments"] = [
            {"author": author, "body": body, "created_at": f"2024-06-0{1 + i // 8}T{8 + i % 8:02d}:00:00Z"}
            for i, (author, body) in enumerate(comments)
        ]
    row.update(fields)
    return ticket_from_mapping(row)


def assess_text(text: str, **fields: Any) -> Assessment:
    """Assess a one-message ticket (the text is the description)."""
    return assess_ticket(build_ticket(text, **fields), now=NOW)


@pytest.fixture(scope="session")
def now() -> datetime:
    return NOW


@pytest.fixture(scope="session")
def make_ticket() -> Callable[..., Ticket]:
    return build_ticket


@pytest.fixture(scope="session")
def assess() -> Callable[..., Assessment]:
    """assess(text, **history_fields) -> Assessment of a one-message ticket at NOW."""
    return assess_text


@pytest.fixture(scope="module")
def rules_only():
    """The rules alone (SIDECAR_SEMANTIC=off) for a whole module: tests of what the patterns themselves find
    and quote. The product with its semantic layer is tested in test_semantic_meaning.py and the API tests."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SIDECAR_SEMANTIC", "off")
        yield
