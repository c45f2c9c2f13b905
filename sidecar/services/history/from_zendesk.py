"""Import Zendesk ticket history through the incremental ticket export, resumable and within its rate limit.

How it talks to Zendesk:

- Tickets come from the cursor-based incremental export
  (`/api/v2/incremental/tickets/cursor.json?start_time=...`, then `?cursor=<after_cursor>` until
  `end_of_stream`), with users, groups, organisations, metric sets and comment counts side-loaded,
  so one request brings everything but the conversation. Zendesk allows 10 export requests a minute
  (30 with the High Volume API add-on); `RequestPacer` keeps under that before Zendesk has to say
  so, and a 429 is waited out for its Retry-After and the same page asked again.
- The cursor is stored with each page's rows in one transaction: an interrupted import resumes
  after the last page it wrote, and the next run picks up what changed since the last one.
- The export carries no comments. For each ticket with more than its opening message
  (`comment_count` > 1) the comments are fetched from the Ticket Comments endpoint, which counts
  against the account's ordinary limit (200-2500 a minute by plan, shared with agents' apps and
  every other integration), not the export's 10. They are paced at `comments_per_minute` (default
  100, half the smallest plan's budget), and comment authors the export did not side-load are
  looked up 100 at a time. `comments=False` skips them: the description (the opening message) is
  then the only customer text, and imports run at the export's pace.
- Group and assignee are names (teams are matched by name); deleted tickets are removed from history.
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sidecar.clients.errors import ApiError, ApiNotFound
from sidecar.clients.zendesk import TicketExportPage, ZendeskClient
from sidecar.errors import Conflict, InvalidInput
from sidecar.intelligence.ticket import ticket_to_mapping
from sidecar.services.helpdesk_tickets import helpdesk_client_of
from sidecar.services.history.pacing import Clock, RequestPacer
from sidecar.services.history.runner import (
    ImportPage,
    ImportSummary,
    check_installation,
    last_agent_reply,
    run_pages,
)
from sidecar.store.crypto import SecretBox
from sidecar.store.db import Database
from sidecar.store.history import get_cursor
from sidecar.store.models import Installation

log = logging.getLogger(__name__)

SOURCE = "zendesk"
EXPORTS_PER_MINUTE = 10
COMMENT_CALLS_PER_MINUTE = 100
SOLVED_STATUSES = ("solved", "closed")
_USERS_PER_CALL = 100
_EXPORT_DELAY = timedelta(minutes=1)  # the export refuses start times in the last minute


def zendesk_client_for(
    installation: Installation, *, box: SecretBox, allow_private: bool | None = None
) -> ZendeskClient:
    """The ZendeskClient of a Zendesk installation, from its stored credentials and help-desk settings."""
    if installation.source != "zendesk":
        raise Conflict(f"installation {installation.id} is a {installation.source} installation, not Zendesk",
                       code="wrong_source")
    client = helpdesk_client_of(installation, box=box, allow_private=allow_private)
    assert isinstance(client, ZendeskClient)
    return client


def import_zendesk_history(
    database: Database,
    *,
    installation_id: str,
    client: ZendeskClient,
    since: datetime | None = None,
    restart: bool = False,
    comments: bool = True,
    exports_per_minute: int = EXPORTS_PER_MINUTE,
    comments_per_minute: int = COMMENT_CALLS_PER_MINUTE,
    escalation_tags: Sequence[str] = (),
    clock: Clock | None = None,
    on_page: Callable[[ImportSummary], None] | None = None,
    on_rejected: Callable[[str], None] | None = None,
    on_wait: Callable[[str], None] | None = None,
) -> ImportSummary:
    """Import tickets changed since `since` (or since the stored cursor) from the incremental export.

    A stored cursor wins over `since` unless `restart` is set: re-running the same command picks up
    where the last run stopped. `escalation_tags`, when given, mark a ticket `escalated` if it
    carries any of them (otherwise `escalated` stays unknown).
    """
    check_installation(database, installation_id)
    with database.session() as session:
        stored = None if restart else get_cursor(session, installation_id=installation_id, source=SOURCE)
    summary = ImportSummary(source=SOURCE, installation_id=installation_id)
    if stored and stored.get("after_cursor"):
        start: dict[str, Any] = {"cursor": stored["after_cursor"]}
        since_text = stored.get("since")
        summary.resumed = True
    else:
        if since is None:
            raise InvalidInput("give --since for the first Zendesk import (nothing to resume from)",
                               details={"since": None})
        since = since if since.tzinfo else since.replace(tzinfo=UTC)
        if since > datetime.now(UTC) - _EXPORT_DELAY:
            raise InvalidInput("--since must be at least a minute in the past (Zendesk's export excludes the "
                               "last minute)", details={"since": since.isoformat()})
        start = {"start_time": int(since.timestamp())}
        since_text = since.isoformat()
    export_pacer = RequestPacer(exports_per_minute, clock=clock, name="Zendesk incremental export", on_wait=on_wait)
    comment_pacer = RequestPacer(comments_per_minute, clock=clock, name="Zendesk comments", on_wait=on_wait)
    pages = _pages(
        client,
        start=start,
        since_text=since_text,
        fetch_comments=comments,
        export_pacer=export_pacer,
        comment_pacer=comment_pacer,
        escalation_tags=frozenset(escalation_tags),
    )
    run_pages(database, installation_id=installation_id, source=SOURCE, pages=pages, summary=summary,
              on_page=on_page, on_rejected=on_rejected)
    summary.extra.update({
        "requests": {"export": export_pacer.calls, "comments": comment_pacer.calls},
        "rate_limited": export_pacer.rate_limited + comment_pacer.rate_limited,
        "waited_seconds": round(export_pacer.waited_seconds + comment_pacer.waited_seconds, 1),
    })
    return summary.finish()


def _pages(
    client: ZendeskClient,
    *,
    start: dict[str, Any],
    since_text: str | None,
    fetch_comments: bool,
    export_pacer: RequestPacer,
    comment_pacer: RequestPacer,
    escalation_tags: frozenset[str],
) -> Iterator[ImportPage]:
    groups = _GroupNames(client, comment_pacer)
    cursor = start.get("cursor")
    while True:
        if cursor is None:
            page = export_pacer.call(client.export_tickets, start_time=start["start_time"])
        else:
            page = export_pacer.call(client.export_tickets, cursor=cursor)
        live = [ticket for ticket in page.tickets if ticket.get("status") != "deleted"]
        deleted = [str(ticket["id"]) for ticket in page.tickets if ticket.get("status") == "deleted"]
        conversations: dict[int, list[dict[str, Any]]] = {}
        authors: dict[int, dict[str, Any]] = {}
        if fetch_comments:
            conversations = _conversations(client, live, comment_pacer)
            authors = _unknown_authors(client, page, conversations, comment_pacer)
        rows, rejected = [], []
        for ticket in live:
            try:
                rows.append(_history_row(client, ticket, page=page, comments=conversations.get(int(ticket["id"])),
                                         users=authors, groups=groups, escalation_tags=escalation_tags))
            except (KeyError, TypeError, ValueError) as exc:
                rejected.append(f"zendesk ticket {ticket.get('id')!r}: could not be read ({exc})")
        next_cursor = page.after_cursor or cursor
        yield ImportPage(
            rows=rows,
            deleted=deleted,
            rejected=rejected,
            cursor={"after_cursor": next_cursor, "end_of_stream": page.end_of_stream, "since": since_text},
        )
        if page.end_of_stream:
            return
        if not page.after_cursor:
            raise ApiError("Zendesk's export page says there is more but gives no after_cursor; stopping")
        cursor = page.after_cursor


def _conversations(
    client: ZendeskClient, tickets: list[dict[str, Any]], pacer: RequestPacer
) -> dict[int, list[dict[str, Any]]]:
    conversations = {}
    for ticket in tickets:
        count = ticket.get("comment_count")
        if isinstance(count, int) and count <= 1:
            continue  # only the opening message, which is the description
        try:
            conversations[int(ticket["id"])] = pacer.call(client.ticket_comments, ticket["id"])
        except ApiNotFound:
            log.info("Zendesk ticket %s disappeared before its comments were read", ticket["id"])
    return conversations


def _unknown_authors(
    client: ZendeskClient,
    page: TicketExportPage,
    conversations: Mapping[int, list[dict[str, Any]]],
    pacer: RequestPacer,
) -> dict[int, dict[str, Any]]:
    missing = sorted({
        int(comment["author_id"])
        for comments in conversations.values()
        for comment in comments
        if comment.get("author_id") is not None and int(comment["author_id"]) > 0
        and int(comment["author_id"]) not in page.users
    })
    users: dict[int, dict[str, Any]] = {}
    for start in range(0, len(missing), _USERS_PER_CALL):
        users.update(pacer.call(client.users_by_id, missing[start:start + _USERS_PER_CALL]))
    return users


class _GroupNames:
    """Group names from each page's side-load; the full list is fetched once if a group is missing."""

    def __init__(self, client: ZendeskClient, pacer: RequestPacer) -> None:
        self._client = client
        self._pacer = pacer
        self._all: dict[str, str] | None = None

    def name(self, group_id: Any, page: TicketExportPage) -> str | None:
        if group_id is None:
            return None
        group = page.groups.get(int(group_id))
        if group and group.get("name"):
            return str(group["name"])
        if self._all is None:
            self._all = self._pacer.call(self._client.group_names)
        # An id that even the group list lacks still separates this group's tickets from others.
        return self._all.get(str(group_id), str(group_id))


def _history_row(
    client: ZendeskClient,
    ticket: Mapping[str, Any],
    *,
    page: TicketExportPage,
    comments: list[dict[str, Any]] | None,
    users: Mapping[int, Mapping[str, Any]],
    groups: _GroupNames,
    escalation_tags: frozenset[str],
) -> dict[str, Any]:
    normalised = client.ticket_from_export(ticket, page=page, comments=comments, users=users)
    row = ticket_to_mapping(normalised)
    solved = ticket.get("status") in SOLVED_STATUSES
    metric = page.metric_sets.get(int(ticket["id"])) or {}
    assignee_id = ticket.get("assignee_id")
    assignee = page.users.get(int(assignee_id)) if assignee_id else None
    row.update({
        "group": groups.name(ticket.get("group_id"), page),
        "assignee": (assignee or {}).get("name") or (str(assignee_id) if assignee_id else None),
        "url": client.agent_url(ticket["id"]),
        "resolved_at": metric.get("solved_at") if solved else None,
        "resolution": last_agent_reply(normalised) if solved else None,
        "escalated": bool(escalation_tags & set(normalised.tags)) if escalation_tags else None,
        "group_id": ticket.get("group_id"),
        "assignee_id": assignee_id,
        "type": ticket.get("type"),
        "problem_id": ticket.get("problem_id"),
    })
    return row
