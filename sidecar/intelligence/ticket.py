"""The normalised ticket every decision is made from, whatever system it came from."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

AUTHOR_ROLES = ("customer", "agent", "bot")
SOURCES = ("zendesk", "salesforce")


@dataclass(frozen=True)
class Comment:
    """One message in the conversation, in the order it was written."""

    author: str  # customer | agent | bot
    body: str
    public: bool = True
    created_at: datetime | None = None


@dataclass(frozen=True)
class Organization:
    """The customer's company as the help desk knows it (Zendesk organisation, Salesforce Account)."""

    name: str | None = None
    tier: str | None = None
    arr: float | None = None
    renewal_date: date | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Requester:
    """The person who opened the ticket."""

    name: str | None = None
    email: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Ticket:
    """A support ticket normalised from Zendesk, Salesforce or a history file."""

    id: str
    source: str
    subject: str = ""
    description: str = ""
    comments: tuple[Comment, ...] = ()
    requester: Requester | None = None
    organization: Organization | None = None
    priority: str | None = None
    status: str | None = None
    tags: tuple[str, ...] = ()
    custom_fields: Mapping[str, Any] = field(default_factory=dict)
    created_at: datetime | None = None
    updated_at: datetime | None = None
    reopens: int = 0
    group: str | None = None
    assignee: str | None = None

    def customer_messages(self) -> list[tuple[str, str]]:
        """(where, text) for everything the customer wrote: subject, description, customer comments."""
        out: list[tuple[str, str]] = []
        if self.subject:
            out.append(("subject", self.subject))
        if self.description:
            out.append(("description", self.description))
        for index, comment in enumerate(self.comments):
            if comment.author == "customer" and comment.body:
                out.append((f"comment {index + 1}", comment.body))
        return out


def parse_datetime(value: Any) -> datetime | None:
    """Parse an ISO 8601 timestamp (a trailing Z allowed) into an aware datetime; None stays None."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    text = str(value).strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    parsed = datetime.fromisoformat(text)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def parse_date(value: Any) -> date | None:
    """Parse an ISO date (or the date part of a timestamp); None stays None."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value).strip()[:10])


def _float_or_none(value: Any) -> float | None:
    if value is None or value == "":
        return None
    return float(value)


def organization_from_mapping(data: Mapping[str, Any] | None) -> Organization | None:
    """Build an Organization from a plain mapping; unknown keys are kept in `extra`."""
    if not data:
        return None
    known = {"name", "tier", "arr", "renewal_date"}
    return Organization(
        name=data.get("name"),
        tier=(str(data["tier"]) if data.get("tier") is not None else None),
        arr=_float_or_none(data.get("arr")),
        renewal_date=parse_date(data.get("renewal_date")),
        extra={k: v for k, v in data.items() if k not in known},
    )


def ticket_from_mapping(data: Mapping[str, Any], *, default_source: str = "zendesk") -> Ticket:
    """Build a Ticket from the API's ticket JSON or a history-format row (already validated)."""
    comments = tuple(
        Comment(
            author=c.get("author", "customer"),
            body=c.get("body") or "",
            public=bool(c.get("public", True)),
            created_at=parse_datetime(c.get("created_at")),
        )
        for c in data.get("comments") or ()
    )
    requester = data.get("requester")
    if isinstance(requester, Mapping):
        requester = Requester(
            name=requester.get("name"),
            email=requester.get("email"),
            extra={k: v for k, v in requester.items() if k not in ("name", "email")},
        )
    elif isinstance(requester, str):
        requester = Requester(email=requester) if "@" in requester else Requester(name=requester)
    else:
        requester = None
    return Ticket(
        id=str(data["id"]),
        source=data.get("source") or default_source,
        subject=data.get("subject") or "",
        description=data.get("description") or "",
        comments=comments,
        requester=requester,
        organization=organization_from_mapping(data.get("organization")),
        priority=data.get("priority"),
        status=data.get("status"),
        tags=tuple(data.get("tags") or ()),
        custom_fields=dict(data.get("custom_fields") or {}),
        created_at=parse_datetime(data.get("created_at")),
        updated_at=parse_datetime(data.get("updated_at")),
        reopens=int(data.get("reopens") or 0),
        group=data.get("group"),
        assignee=data.get("assignee"),
    )


def _iso(value: datetime | date | None) -> str | None:
    return value.isoformat() if value is not None else None


def ticket_to_mapping(ticket: Ticket) -> dict[str, Any]:
    """The JSON-ready form of a Ticket (the inverse of ticket_from_mapping)."""
    organization = None
    if ticket.organization is not None:
        organization = {
            **dict(ticket.organization.extra),
            "name": ticket.organization.name,
            "tier": ticket.organization.tier,
            "arr": ticket.organization.arr,
            "renewal_date": _iso(ticket.organization.renewal_date),
        }
    requester = None
    if ticket.requester is not None:
        requester = {**dict(ticket.requester.extra), "name": ticket.requester.name, "email": ticket.requester.email}
    return {
        "id": ticket.id,
        "source": ticket.source,
        "subject": ticket.subject,
        "description": ticket.description,
        "comments": [
            {"author": c.author, "body": c.body, "public": c.public, "created_at": _iso(c.created_at)}
            for c in ticket.comments
        ],
        "requester": requester,
        "organization": organization,
        "priority": ticket.priority,
        "status": ticket.status,
        "tags": list(ticket.tags),
        "custom_fields": dict(ticket.custom_fields),
        "created_at": _iso(ticket.created_at),
        "updated_at": _iso(ticket.updated_at),
        "reopens": ticket.reopens,
        "group": ticket.group,
        "assignee": ticket.assignee,
    }
