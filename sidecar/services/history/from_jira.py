"""Import resolved Jira issues as history rows (kind `jira_issue`), so similar-incident search finds them.

Jira is reached with the installation's connection settings `jira.url`, `jira.email` and
`jira.api_token` (`sidecar installation configure`, or a `{"jira": {...}}` object in the stored
help-desk credentials).

Issues come from the enhanced JQL search (`/rest/api/3/search/jql`, token-paginated). Only
resolved issues (a `resolution` is set) become rows; the others are counted as ignored. Each row:
`id` is the numeric issue id (keys change when an issue moves project; the key is kept as `key`),
subject = summary, description = the ADF description as plain text, `resolution` = the resolution
name and the text of the comment that resolved it (the last one written by the resolution time),
`url` = `<base>/browse/<KEY>`, assignee = display name, status and priority names in lower case,
labels as tags, comments as internal agent comments. Jira allows API-token traffic bursts and
answers 429 with Retry-After beyond them; the pacer waits those out. The page token is stored
after each page, so an interrupted import of the same JQL resumes (tokens live 7 days); a
finished one starts over next time, which only re-counts unchanged rows.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from datetime import datetime, timedelta
from typing import Any

from sidecar.clients.factory import build_client, has_credentials
from sidecar.clients.jira import JiraClient, adf_to_text, field_names
from sidecar.clients.url_policy import private_urls_allowed
from sidecar.errors import Conflict, InvalidInput
from sidecar.intelligence.ticket import parse_datetime
from sidecar.services.connections import load_connections
from sidecar.services.history.pacing import Clock, RequestPacer
from sidecar.services.history.runner import (
    ImportPage,
    ImportSummary,
    check_installation,
    run_pages,
)
from sidecar.store.crypto import SecretBox
from sidecar.store.db import Database
from sidecar.store.history import get_cursor
from sidecar.store.models import Installation

SOURCE = "jira"
CALLS_PER_MINUTE = 120
# The resolving comment is saved with the transition, a moment after resolutiondate at most.
_RESOLUTION_SLACK = timedelta(minutes=1)


def jira_client_for(installation: Installation, *, box: SecretBox, allow_private: bool | None = None) -> JiraClient:
    """The JiraClient from the installation's `jira.*` connection settings, or Conflict saying what is missing."""
    connections = load_connections(installation, box=box)
    if not has_credentials("jira", connections):
        raise Conflict(
            f"installation {installation.id} has no Jira credentials: set jira.url, jira.email and jira.api_token "
            "with `sidecar installation configure` (or a \"jira\" object {base_url, email, api_token} in its "
            "stored credentials)",
            code="credentials_missing",
        )
    try:
        client: JiraClient = build_client("jira", connections, allow_private=private_urls_allowed(allow_private))
        return client
    except ValueError as exc:
        raise Conflict(str(exc), code="credentials_incomplete") from None


def import_jira_history(
    database: Database,
    *,
    installation_id: str,
    client: JiraClient,
    jql: str,
    restart: bool = False,
    clock: Clock | None = None,
    on_page: Callable[[ImportSummary], None] | None = None,
    on_rejected: Callable[[str], None] | None = None,
    on_wait: Callable[[str], None] | None = None,
) -> ImportSummary:
    """Import the resolved issues a JQL query finds; resumes an interrupted run of the same query."""
    if not jql or not jql.strip():
        raise InvalidInput("give a JQL query, e.g. --jql 'project = ENG AND resolution IS NOT EMPTY'",
                           details={"jql": jql})
    check_installation(database, installation_id)
    with database.session() as session:
        stored = None if restart else get_cursor(session, installation_id=installation_id, source=SOURCE)
    summary = ImportSummary(source=SOURCE, installation_id=installation_id)
    token = None
    if stored and stored.get("jql") == jql and stored.get("next_page_token"):
        token = stored["next_page_token"]
        summary.resumed = True
    pacer = RequestPacer(CALLS_PER_MINUTE, clock=clock, name="Jira search", on_wait=on_wait)
    pages = _pages(client, jql=jql, token=token, pacer=pacer)
    run_pages(database, installation_id=installation_id, source=SOURCE, pages=pages, summary=summary,
              on_page=on_page, on_rejected=on_rejected)
    summary.extra.update({"requests": {"search": pacer.calls}, "rate_limited": pacer.rate_limited})
    return summary.finish()


def _pages(client: JiraClient, *, jql: str, token: str | None, pacer: RequestPacer) -> Iterator[ImportPage]:
    while True:
        page = pacer.call(client.search, jql, next_page_token=token)
        rows, rejected, ignored = [], [], 0
        for issue in page.issues:
            if not (issue.get("fields") or {}).get("resolution"):
                ignored += 1
                continue
            try:
                rows.append(jira_history_row(issue, url=client.issue_url(issue["key"])))
            except (KeyError, TypeError, ValueError) as exc:
                rejected.append(f"jira issue {issue.get('key')!r}: could not be read ({exc})")
        yield ImportPage(rows=rows, rejected=rejected, ignored=ignored,
                         cursor={"jql": jql, "next_page_token": page.next_page_token})
        if page.is_last:
            return
        token = page.next_page_token


def jira_history_row(issue: Mapping[str, Any], *, url: str) -> dict[str, Any]:
    """A history-format row (kind jira_issue) from one issue of a search result."""
    fields = issue.get("fields") or {}
    resolution = fields.get("resolution") or {}
    resolved_at = _time(fields.get("resolutiondate"))
    comments = [
        {
            "author": "agent",
            "body": adf_to_text(comment.get("body")),
            "public": False,
            "created_at": _iso(comment.get("created")),
            "by": (comment.get("author") or {}).get("displayName"),
        }
        for comment in (fields.get("comment") or {}).get("comments") or ()
    ]
    resolving = _resolving_comment(comments, resolved_at)
    name = resolution.get("name") or "Resolved"
    return {
        "id": str(issue["id"]),
        "key": issue["key"],
        "kind": "jira_issue",
        "subject": fields.get("summary") or issue["key"],
        "description": adf_to_text(fields.get("description")),
        "comments": comments,
        "status": _name(fields.get("status")),
        "resolution": f"{name}\n{resolving}" if resolving else name,
        "priority": _name(fields.get("priority")),
        "assignee": (fields.get("assignee") or {}).get("displayName"),
        "group": None,  # Jira projects and components are not help-desk groups; kept below instead
        "project": (fields.get("project") or {}).get("key"),
        "components": field_names(fields.get("components")),
        "issuetype": (fields.get("issuetype") or {}).get("name"),
        "tags": [str(label) for label in fields.get("labels") or ()],
        "created_at": _iso(fields.get("created")),
        "updated_at": _iso(fields.get("updated")),
        "resolved_at": resolved_at.isoformat() if resolved_at else None,
        "url": url,
    }


def _resolving_comment(comments: list[dict[str, Any]], resolved_at: datetime | None) -> str | None:
    candidates = [c for c in comments if c["body"].strip()]
    if resolved_at is not None:
        latest = resolved_at + _RESOLUTION_SLACK
        # A time that does not parse was a TypeError here before; such a comment is now simply not "before".
        before = [c for c in candidates if (at := _time(c["created_at"])) is not None and at <= latest]
        candidates = before or candidates
    return candidates[-1]["body"].strip() if candidates else None


def _name(value: Any) -> str | None:
    name = value.get("name") if isinstance(value, Mapping) else None
    return str(name).lower() if name else None


def _time(value: Any) -> datetime | None:
    try:
        return parse_datetime(value)
    except (TypeError, ValueError):
        return None


def _iso(value: Any) -> str | None:
    # Jira writes "2024-05-02T14:40:03.000+0000"; an unreadable time is passed on for validation to name.
    parsed = _time(value)
    return parsed.isoformat() if parsed else value
