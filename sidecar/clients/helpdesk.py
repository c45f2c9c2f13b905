"""The help desk as the domain sees it: one narrow protocol for the reads and writes both help desks share.

Clients are built by `sidecar.clients.factory` (`helpdesk_client`, and `helpdesk_notes` for what a
dry run plans without credentials).
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from sidecar.clients.plans import PlannedRequest
from sidecar.clients.salesforce import (
    DEFAULT_API_VERSION,
    plan_case_comment,
    plan_update_case,
)
from sidecar.clients.zendesk_plans import plan_internal_note
from sidecar.intelligence.ticket import Ticket


@runtime_checkable
class HelpdeskClient(Protocol):
    """A help desk: fetch one ticket as our `Ticket`; find and write internal notes, fields and tags on it.

    `fields` are the help desk's own field ids or API names with their values; `tags` are added to
    the ticket's others (Salesforce Cases have none: its client does not write them, the Jira key
    field marks an escalated Case). Every method raises an ApiError on failure.
    """

    def fetch_ticket(self, ticket_id: str) -> Ticket:
        """Fetch one ticket, normalised."""
        ...

    def find_note(self, ticket_id: str, marker: str) -> dict[str, Any] | None:
        """The first comment on the ticket that contains `marker`, or None."""
        ...

    def add_note(self, ticket_id: str, *, body: str, fields: Mapping[Any, Any] | None = None,
                 tags: Iterable[str] = ()) -> Any:
        """An internal (never public) note; the fields and tags too (in the same request where the help desk can)."""
        ...

    def update_fields(self, ticket_id: str, *, fields: Mapping[Any, Any] | None = None,
                      tags: Iterable[str] = ()) -> Any:
        """Set fields and add tags without a note."""
        ...


class HelpdeskNotes(Protocol):
    """How one help desk writes the sidecar's notes, known without credentials.

    `find_action`, `note_action`, `update_action` name the three calls in the audit trail in the
    help desk's own words; `note_carries_fields` is True when the note's own request also sets the
    fields and tags (else they are a separate update).
    """

    find_action: str
    note_action: str
    update_action: str
    note_carries_fields: bool

    def jira_key_fields(self, jira_key: str | None) -> dict[Any, str] | None:
        """The fields that hold the Jira key ({field: key}), or None when there is no key or no field."""
        ...

    def plan(self, ticket_id: str, *, body: str, fields: Mapping[Any, Any] | None,
             tags: Iterable[str] = ()) -> list[PlannedRequest]:
        """The exact requests a note with these fields and tags is written with (what a dry run records)."""
        ...


@dataclass(frozen=True)
class ZendeskNotes:
    """Zendesk: the note, the Jira key's ticket field (when one is configured) and the tags in one ticket update."""

    jira_key_field_id: str | None = None
    find_action = "find_note"
    note_action = "internal_note"
    update_action = "update_ticket"
    note_carries_fields = True

    def jira_key_fields(self, jira_key: str | None) -> dict[Any, str] | None:
        """{field id: key} when a field is configured and there is a key."""
        return {int(self.jira_key_field_id): jira_key} if self.jira_key_field_id and jira_key else None

    def plan(self, ticket_id: str, *, body: str, fields: Mapping[Any, Any] | None,
             tags: Iterable[str] = ()) -> list[PlannedRequest]:
        """One ticket update."""
        return [plan_internal_note(ticket_id, body=body, custom_fields=fields or None, tags=list(tags) or None)]


@dataclass(frozen=True)
class SalesforceNotes:
    """Salesforce: an internal CaseComment, then the Jira key in its Case field (a second request; no tags)."""

    version: str = DEFAULT_API_VERSION
    jira_key_field: str = "Jira_Key__c"
    find_action = "find_comment"
    note_action = "case_comment"
    update_action = "update_case"
    note_carries_fields = False

    def jira_key_fields(self, jira_key: str | None) -> dict[Any, str] | None:
        """{Case field: key} when there is a key."""
        return {self.jira_key_field: jira_key} if jira_key else None

    def plan(self, ticket_id: str, *, body: str, fields: Mapping[Any, Any] | None,
             tags: Iterable[str] = ()) -> list[PlannedRequest]:
        """The comment, then the Case update when there are fields."""
        plans = [plan_case_comment(ticket_id, body, version=self.version)]
        if fields:
            plans.append(plan_update_case(ticket_id, fields, version=self.version))
        return plans
