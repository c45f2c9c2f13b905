"""Import Salesforce Case history: Cases changed since a time, with comments, emails and Account fields.

One SOQL query (Cases with LastModifiedDate >= since, oldest change first, comments and emails as
relationship subqueries) is read page by page through `nextRecordsUrl`. After each page the newest
LastModifiedDate written is stored with the rows, so an interrupted run, or the next one, starts a
fresh query from there (query locators expire after about 15 idle minutes, so they are never
stored). The Cases at that boundary are read again and counted unchanged.

Group: the name of the queue that owns the Case, or, when the installation's help-desk settings
name a `group_field` (a Case field such as `Team__c`), that field's value first: Cases owned by a
person have lost their queue, and many orgs keep the team in a field. Assignee: the owning user's
name. `IsEscalated` is the Case's own escalated flag; `ClosedDate` is when it was resolved.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

from sidecar.clients.salesforce import SalesforceClient
from sidecar.errors import Conflict, InvalidInput
from sidecar.intelligence.ticket import parse_datetime, ticket_to_mapping
from sidecar.services.helpdesk_tickets import helpdesk_client_of
from sidecar.services.history.pacing import Clock, RequestPacer
from sidecar.services.history.runner import (
    ImportPage,
    ImportSummary,
    check_installation,
    last_agent_reply,
    run_pages,
)
from sidecar.services.installations import installation_settings
from sidecar.store.crypto import SecretBox
from sidecar.store.db import Database
from sidecar.store.history import get_cursor
from sidecar.store.models import Installation

SOURCE = "salesforce"
# Salesforce meters API calls per day, not per minute; the pacer is here for 429s from a busy org.
CALLS_PER_MINUTE = 120
_QUEUE_PREFIX, _USER_PREFIX = "00G", "005"


def salesforce_client_for(installation: Installation, *, box: SecretBox,
                          allow_private: bool | None = None) -> SalesforceClient:
    """The SalesforceClient of a Salesforce installation; reads the `group_field` setting too."""
    if installation.source != "salesforce":
        raise Conflict(f"installation {installation.id} is a {installation.source} installation, not Salesforce",
                       code="wrong_source")
    helpdesk = installation_settings(installation).helpdesk
    settings = helpdesk.to_mapping()
    if helpdesk.group_field:
        settings["case_fields"] = [*helpdesk.case_fields, helpdesk.group_field]
    client = helpdesk_client_of(installation, box=box, settings=settings, allow_private=allow_private)
    assert isinstance(client, SalesforceClient)
    return client


def import_salesforce_history(
    database: Database,
    *,
    installation_id: str,
    client: SalesforceClient,
    since: datetime | None = None,
    restart: bool = False,
    group_field: str | None = None,
    clock: Clock | None = None,
    on_page: Callable[[ImportSummary], None] | None = None,
    on_rejected: Callable[[str], None] | None = None,
    on_wait: Callable[[str], None] | None = None,
) -> ImportSummary:
    """Import Cases changed since `since` (or since the stored high-water mark, unless `restart`)."""
    check_installation(database, installation_id)
    with database.session() as session:
        stored = None if restart else get_cursor(session, installation_id=installation_id, source=SOURCE)
    summary = ImportSummary(source=SOURCE, installation_id=installation_id)
    if stored and stored.get("last_modified"):
        start = parse_datetime(stored["last_modified"])
        if start is None:  # cannot happen: parse_datetime answers None only for an empty value, checked above
            raise ValueError("the stored Salesforce cursor has no last_modified")
        since_text = stored.get("since")
        summary.resumed = True
    elif since is not None:
        start = since if since.tzinfo else since.replace(tzinfo=UTC)
        since_text = start.isoformat()
    else:
        raise InvalidInput("give --since for the first Salesforce import (nothing to resume from)",
                           details={"since": None})
    pacer = RequestPacer(CALLS_PER_MINUTE, clock=clock, name="Salesforce query", on_wait=on_wait)
    pages = _pages(client, start=start, since_text=since_text, pacer=pacer, group_field=group_field)
    run_pages(database, installation_id=installation_id, source=SOURCE, pages=pages, summary=summary,
              on_page=on_page, on_rejected=on_rejected)
    summary.extra.update({"requests": {"query": pacer.calls}, "rate_limited": pacer.rate_limited})
    return summary.finish()


def _pages(
    client: SalesforceClient,
    *,
    start: datetime,
    since_text: str | None,
    pacer: RequestPacer,
    group_field: str | None,
) -> Iterator[ImportPage]:
    page = pacer.call(client.export_cases, since=start)
    high_water = start
    while True:
        rows, rejected = [], []
        for record in page.records:
            try:
                rows.append(_history_row(client, record, group_field=group_field))
            except (KeyError, TypeError, ValueError) as exc:
                rejected.append(f"salesforce Case {record.get('Id')!r}: could not be read ({exc})")
            modified = _time(record.get("LastModifiedDate"))
            if modified is not None and modified > high_water:
                high_water = modified
        yield ImportPage(rows=rows, rejected=rejected,
                         cursor={"last_modified": high_water.isoformat(), "since": since_text})
        if not page.next_records_url:
            return
        page = pacer.call(client.export_cases, next_records_url=page.next_records_url)


def _time(value: Any) -> datetime | None:
    try:
        return parse_datetime(value)
    except (TypeError, ValueError):
        return None


def _history_row(client: SalesforceClient, record: Mapping[str, Any], *, group_field: str | None) -> dict[str, Any]:
    ticket = client.case_from_export(record)
    row = ticket_to_mapping(ticket)
    owner_id = str(record.get("OwnerId") or "")
    owner_name = (record.get("Owner") or {}).get("Name")
    queue = owner_name if owner_id.startswith(_QUEUE_PREFIX) else None
    team = ticket.custom_fields.get(group_field) if group_field else None
    closed = bool(record.get("IsClosed"))
    escalated = record.get("IsEscalated")
    row.update({
        "group": str(team) if team not in (None, "") else queue,
        "assignee": owner_name if owner_id.startswith(_USER_PREFIX) else None,
        "url": client.case_url(record["Id"]),
        "resolved_at": _iso(record.get("ClosedDate")) if closed else None,
        "resolution": last_agent_reply(ticket) if closed else None,
        "escalated": escalated if isinstance(escalated, bool) else None,
        "case_number": record.get("CaseNumber"),
        "owner_id": owner_id or None,
    })
    return row


def _iso(value: Any) -> str | None:
    parsed = _time(value)
    return parsed.isoformat() if parsed else None
