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
from sidecar.clients import salesforce as salesforce_api
from sidecar.clients import slack as slack_api
from sidecar.clients import zendesk as zendesk_api
from sidecar.clients.base import PlannedRequest
from sidecar.domain.statuses import AuditOutcome, WriteStatus
from sidecar.jobs.worker import JobContext


@dataclass(frozen=True)
class WriteOutcome:
    """How a write went: `written`, `existing` (found from an earlier attempt) or `dry_run` (with the plan)."""

    status: str
    requests: list[PlannedRequest] = field(default_factory=list)
    result: dict[str, Any] = field(default_factory=dict)


def first_attempt(ctx: JobContext) -> bool:
    """True on a job's first run: no earlier attempt can have written anything, so there is nothing to find.

    A worker that died mid-job counts as an attempt (claiming increments it), so a job taken over after
    a crash, like any retry, searches before it writes.
    """
    return ctx.job.attempts <= 1


def write_ticket_note(ctx: JobContext, work, *, body: str, marker: str, jira_key: str | None = None,
                      tags: tuple[str, ...] = ()) -> WriteOutcome:
    """An internal (never public) note on the ticket, plus the Jira key field and tags when given."""
    ticket_id = work.escalation_ticket_id
    if work.ticket_source == "zendesk":
        return _zendesk_note(ctx, work, ticket_id, body=body, marker=marker, jira_key=jira_key, tags=tags)
    return _salesforce_note(ctx, work, ticket_id, body=body, marker=marker, jira_key=jira_key)


def _zendesk_note(ctx, work, ticket_id: str, *, body, marker, jira_key, tags) -> WriteOutcome:
    connections = work.connections
    field_id = connections.get("zendesk.jira_key_field_id")
    custom_fields = {int(field_id): jira_key} if field_id and jira_key else None
    if not connections.is_live("zendesk"):
        plan = zendesk_api.plan_internal_note(ticket_id, body=body, custom_fields=custom_fields, tags=list(tags) or None)
        ctx.audit(system="zendesk", action="internal_note", target=ticket_id, outcome=AuditOutcome.DRY_RUN)
        return WriteOutcome(WriteStatus.DRY_RUN, [plan])
    client = work.client("zendesk")
    existing = None
    if not first_attempt(ctx):
        existing = ctx.call("zendesk", "find_note", ticket_id, client.find_comment_containing, ticket_id, marker)
    if existing is None:
        ctx.call("zendesk", "internal_note", ticket_id, client.add_internal_note, ticket_id, body=body,
                 custom_fields=custom_fields, tags=list(tags) or None)
        return WriteOutcome(WriteStatus.WRITTEN, result={"tags": list(tags)})
    if custom_fields or tags:  # the note is there; make sure the field and tags are too (both idempotent)
        ctx.call("zendesk", "update_ticket", ticket_id, client.update_ticket, ticket_id,
                 custom_fields=custom_fields, tags=list(tags) or None)
    return WriteOutcome(WriteStatus.EXISTING, result={"tags": list(tags)})


def _salesforce_note(ctx, work, case_id: str, *, body, marker, jira_key) -> WriteOutcome:
    connections = work.connections
    field_name = connections["salesforce.jira_key_field"]
    version = connections["salesforce.api_version"]
    if not connections.is_live("salesforce"):
        plans = [salesforce_api.plan_case_comment(case_id, body, version=version)]
        if jira_key:
            plans.append(salesforce_api.plan_update_case(case_id, {field_name: jira_key}, version=version))
        ctx.audit(system="salesforce", action="case_comment", target=case_id, outcome=AuditOutcome.DRY_RUN)
        return WriteOutcome(WriteStatus.DRY_RUN, plans)
    client = work.client("salesforce")
    existing = None
    if not first_attempt(ctx):
        existing = ctx.call("salesforce", "find_comment", case_id, client.find_case_comment_containing, case_id, marker)
    if existing is None:
        ctx.call("salesforce", "case_comment", case_id, client.add_case_comment, case_id, body)
    if jira_key:
        ctx.call("salesforce", "update_case", case_id, client.update_case, case_id, {field_name: jira_key})
    return WriteOutcome(WriteStatus.EXISTING if existing else WriteStatus.WRITTEN)


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
