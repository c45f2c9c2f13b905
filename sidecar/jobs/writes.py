"""The idempotent outbound writes every job uses: a ticket note, a Slack post, a Jira comment.

Each write carries a marker (or Slack message metadata). A job's first attempt writes directly: no
earlier attempt can have written anything. Any later attempt, including one taken over after a crash,
looks for the marker first and writes only if it is not there. A system without credentials is not
called: the write comes back as `dry_run` with the exact request it would have sent.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sidecar.clients import jira as jira_api
from sidecar.clients import slack as slack_api
from sidecar.clients.factory import helpdesk_notes
from sidecar.clients.plans import PlannedRequest
from sidecar.domain.statuses import AuditOutcome, WriteStatus
from sidecar.jobs.context import JobContext


@dataclass(frozen=True)
class WriteOutcome:
    """How a write went: `written`, `existing` (found from an earlier attempt) or `dry_run` (with the plan)."""

    status: str
    requests: list[PlannedRequest] = field(default_factory=list)
    result: dict[str, Any] = field(default_factory=dict)


def first_attempt(ctx: JobContext) -> bool:
    """True on a job's first run: no earlier attempt can have written anything, so there is nothing to find.

    A worker that died mid-job counts as an attempt (claiming increments it), and a job claimed after
    another worker's lease on it ran out is never a first attempt, so a job taken over after a crash
    or a slow call, like any retry, searches before it writes.
    """
    return ctx.job.attempts <= 1 and not ctx.job.taken_over


def write_ticket_note(ctx: JobContext, work, *, body: str, marker: str, jira_key: str | None = None,
                      tags: tuple[str, ...] = ()) -> WriteOutcome:
    """An internal (never public) note on the ticket, plus the Jira key field and tags when given."""
    ticket_id, source, connections = work.escalation_ticket_id, work.ticket_source, work.connections
    notes = helpdesk_notes(source, connections)
    fields = notes.jira_key_fields(jira_key)
    if not connections.is_live(source):
        plans = notes.plan(ticket_id, body=body, fields=fields, tags=tags)
        ctx.audit(system=source, action=notes.note_action, target=ticket_id, outcome=AuditOutcome.DRY_RUN)
        return WriteOutcome(WriteStatus.DRY_RUN, plans)
    client = work.client(source)
    existing = None
    if not first_attempt(ctx):
        existing = ctx.call(source, notes.find_action, ticket_id, client.find_note, ticket_id, marker)
    carried = notes.note_carries_fields
    if existing is None:
        ctx.call(source, notes.note_action, ticket_id, client.add_note, ticket_id, body=body,
                 fields=fields if carried else None, tags=tags if carried else ())
    # The note is there (found, or just written without them): make sure the fields and tags are too
    # (both idempotent).
    if (fields or tags) and (existing is not None or not carried):
        ctx.call(source, notes.update_action, ticket_id, client.update_fields, ticket_id, fields=fields, tags=tags)
    return WriteOutcome(WriteStatus.WRITTEN if existing is None else WriteStatus.EXISTING, result={"tags": list(tags)})


def post_to_slack(ctx: JobContext, work, *, channel: str, text: str, blocks: list[dict] | None,
                  event_type: str, key: str, value: str, thread_ts: str | None = None,
                  oldest: float = 0.0) -> WriteOutcome:
    """A Slack message (or thread reply) carrying metadata {event_type: {key: value}}, found again on a retry."""
    metadata = {"event_type": event_type, "event_payload": {key: value}}
    if not work.connections.is_live("slack"):
        plan = slack_api.plan_post_message(channel, text=text, blocks=blocks, thread_ts=thread_ts, metadata=metadata)
        ctx.audit(system="slack", action="post_message", target=channel, outcome=AuditOutcome.DRY_RUN)
        return WriteOutcome(WriteStatus.DRY_RUN, [plan], {"channel": channel})
    client = work.client("slack")
    if channel[:1] in ("U", "W"):  # a person: post in the DM the bot has with them
        channel = ctx.call("slack", "open_dm", channel, client.open_conversation, channel)
    found = None
    if not first_attempt(ctx):
        found = ctx.call("slack", "find_message", channel, client.find_message_with_metadata, channel,
                         event_type=event_type, key=key, value=value, oldest=oldest, thread_ts=thread_ts)
    if found is not None:
        return WriteOutcome(WriteStatus.EXISTING, result={"channel": channel, "ts": found["ts"]})
    posted = ctx.call("slack", "post_message", channel, client.post_message, channel, text=text, blocks=blocks,
                      thread_ts=thread_ts, metadata=metadata)
    return WriteOutcome(WriteStatus.WRITTEN, result={"channel": posted["channel"], "ts": posted["ts"]})


def comment_on_jira(ctx: JobContext, work, *, key: str, body_adf: dict, marker: str) -> WriteOutcome:
    """A Jira comment ending with our marker, found again on a retry."""
    if not work.connections.is_live("jira"):
        ctx.audit(system="jira", action="add_comment", target=key, outcome=AuditOutcome.DRY_RUN)
        return WriteOutcome(WriteStatus.DRY_RUN, [jira_api.plan_add_comment(key, body_adf)])
    client = work.client("jira")
    if not first_attempt(ctx):
        comments = ctx.call("jira", "list_comments", key, client.comments, key)
        if any(marker in jira_api.adf_to_text(comment.get("body")) for comment in comments):
            return WriteOutcome(WriteStatus.EXISTING)
    created = ctx.call("jira", "add_comment", key, client.add_comment, key, body_adf)
    return WriteOutcome(WriteStatus.WRITTEN, result={"comment_id": created.get("id")})
