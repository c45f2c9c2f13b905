"""After the handoff: each timeline entry fans out to idempotent writes.

Inbound events (`inbound.event`, jobs/inbound_events.py) become timeline entries and queue the writes
they cause. The write jobs here (`update.*`) render from the timeline entry, so a retry writes the same
thing, and look for their marker before writing again. The acknowledgement check pings the next expert
when nobody acknowledged in time.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from sidecar.clients.factory import build_client
from sidecar.domain import marker as echo_marker
from sidecar.domain.statuses import AuditOutcome
from sidecar.intelligence.redaction import Redactor
from sidecar.jobs.context import JobContext, JobHandler, PermanentJobError
from sidecar.jobs.escalation_delivery import (
    Delivery,
    installation_client,
    installation_connections,
)
from sidecar.jobs.inbound_events import InboundEvents, fan_out, queue_update
from sidecar.jobs.outbox import enqueue
from sidecar.jobs.writes import comment_on_jira, post_to_slack, write_ticket_note
from sidecar.rendering import updates
from sidecar.rendering.environment import escape_mrkdwn
from sidecar.rendering.escalation import render_slack_message
from sidecar.services import lifecycle
from sidecar.services.connections import Connections
from sidecar.services.installations import installation_settings
from sidecar.services.summaries import rolling_summary
from sidecar.services.timeline import event_to_dict, timeline_of
from sidecar.store.models import (
    Escalation,
    EscalationEvent,
    Installation,
)

log = logging.getLogger(__name__)

UPDATE_EVENT_TYPE = "sidecar_update"
RESOLVED_TAG = "escalation_resolved"
SUGGESTED_TAG = "escalation_suggested"
ACK_ROUNDS = 2  # after two unanswered pings the team channel has been told; people take it from there


# --------------------------------------------------------------------------------------------------
# The writes an event causes


def load_update(ctx: JobContext) -> tuple[Delivery, dict[str, Any], list[dict[str, Any]]]:
    """The escalation (detached), its installation and connections, the event and the whole timeline."""
    with ctx.database.session() as session:
        escalation = session.get(Escalation, ctx.job.payload["escalation_id"])
        event = session.get(EscalationEvent, ctx.job.payload["event_id"])
        if escalation is None or event is None:
            raise PermanentJobError("the escalation or its event no longer exists")
        installation = session.get(Installation, escalation.installation_id)
        if installation is None:
            raise PermanentJobError("the installation no longer exists")
        timeline = timeline_of(session, escalation.id)
        event_dict = event_to_dict(event)
        session.expunge_all()
    return (Delivery(ctx, installation, escalation, None, installation_connections(ctx, installation)),
            event_dict, timeline)


def current_summary(ctx: JobContext, work: Delivery, timeline: list[dict[str, Any]]):
    """The rolling summary after the latest event (LLM when configured, extractive otherwise), stored on the escalation.

    One event causes a ticket note and a Slack reply, and both show the summary: it is made once per
    timeline state in a worker, so a configured LLM is asked once, not once per write.
    """
    latest = timeline[-1]["id"] if timeline else None
    return ctx.cached(("summary", work.escalation.id, latest), lambda: _make_summary(ctx, work, timeline))


def _make_summary(ctx: JobContext, work: Delivery, timeline: list[dict[str, Any]]):
    escalation = work.escalation
    llm = None
    if work.connections.is_live("llm"):
        llm = work.ctx.cached(("llm", work.installation.id, work.connections.get("llm.url"),
                               work.connections.get("llm.model")),
                              lambda: build_client("llm", work.connections, allow_private=work.ctx.allow_private_urls))
    summary = rolling_summary(
        context=work.context(), timeline=timeline, status=escalation.status, jira_status=escalation.jira_status,
        owner=(escalation.expert or {}).get("name") or (escalation.team or {}).get("name"),
        acknowledged_by=escalation.acknowledged_by, llm=llm,
        redactor=Redactor.from_settings(
            installation_settings(work.installation).escalation.redaction.to_mapping()),
    )
    with ctx.database.write_session() as session:
        lifecycle.store_summary(session, escalation.id, summary.as_dict())
    return summary


def _duration(seconds: float | None) -> str | None:
    """A stored time to acknowledge or resolve (kept by the lifecycle), in words."""
    return updates.format_duration(seconds) if seconds is not None else None


class UpdateTicketNote:
    """`update.ticket_note`: the internal note an event causes on the ticket (update, resolution, ack...)."""

    def run(self, ctx: JobContext) -> None:
        """Render the note for the event and write it once."""
        work, event, timeline = load_update(ctx)
        escalation = work.escalation
        env = work.environment()
        context = work.context()
        marker = echo_marker.for_event(escalation.id, event["id"])
        tags: tuple[str, ...] = ()
        if event["kind"] == "resolved":
            summary = current_summary(ctx, work, timeline)
            resolution = (event["data"] or {}).get("resolution")
            draft = updates.render_resolution_reply(context, resolution=resolution, summary=summary, env=env)
            _keep_draft(ctx, event["id"], draft)
            body = updates.render_resolution_note(
                context, resolution=resolution, draft=draft, summary=summary, jira_key=escalation.jira_key,
                jira_url=escalation.jira_url,
                time_to_acknowledge=_duration(escalation.ack_seconds),
                time_to_resolve=_duration(escalation.resolve_seconds), marker=marker, env=env)
            tags = (RESOLVED_TAG,) if work.ticket_source == "zendesk" else ()
        elif event["kind"] == "acknowledged":
            body = updates.render_ack_note(context, who=event["actor"] or "an expert", when=event["at"], marker=marker,
                                           env=env)
        elif event["kind"] == "ack_timeout":
            pinged = ((event["data"] or {}).get("expert") or {}).get("name") or event["text"].rsplit("pinged ", 1)[-1]
            body = updates.render_ack_timeout_note(context, minutes=(event["data"] or {}).get("minutes") or 0,
                                                   pinged=pinged, marker=marker, env=env)
        else:
            summary = current_summary(ctx, work, timeline)
            body = updates.render_update_note(context, event=event, summary=summary, jira_key=escalation.jira_key,
                                              jira_url=escalation.jira_url, marker=marker, env=env)
        write_ticket_note(ctx, work, body=body, marker=marker, tags=tags)

    def on_settled(self, ctx: JobContext, *, status: str, error: str | None) -> None:
        """Failures are on the job."""


def _keep_draft(ctx: JobContext, event_id: str, draft: str) -> None:
    """Keep the drafted reply on the resolution event: the sidebar's "insert drafted reply" reads it there."""
    with ctx.database.write_session() as session:
        row = session.get(EscalationEvent, event_id)
        if row is not None:
            row.data = {**(row.data or {}), "drafted_reply": draft}


class UpdateSlackReply:
    """`update.slack_reply`: a reply in the escalation's Slack thread."""

    def run(self, ctx: JobContext) -> None:
        """Render the reply for the event and post it once in the thread."""
        work, event, timeline = load_update(ctx)
        escalation = work.escalation
        if not escalation.slack_ts or not escalation.slack_channel:
            return
        summary = current_summary(ctx, work, timeline) if event["kind"] in ("resolved", "status_changed") else None
        message = updates.render_thread_reply(work.context(), event=event, summary=summary, env=work.environment())
        text, blocks = message["text"], message.get("blocks")
        mention = _mention(event)
        elsewhere = _ping_elsewhere(event, escalation.slack_channel)
        if elsewhere is not None:
            # The thread is a DM with the first expert: the new one cannot see it, so they get the
            # escalation in their own DM (or their team channel), and the thread only says where it went.
            _ping_new_owner(ctx, work, event, channel=elsewhere, mention=mention or "")
            text = f"{text} (moved: {_where(elsewhere)} has been sent the escalation)"
        elif mention:
            text = f"{mention} {text}"
            blocks = None  # a mention must be in the text Slack notifies with
        post_to_slack(ctx, work, channel=escalation.slack_channel, text=text, blocks=blocks,
                      thread_ts=escalation.slack_ts, event_type=UPDATE_EVENT_TYPE, key="event_id", value=event["id"])

    def on_settled(self, ctx: JobContext, *, status: str, error: str | None) -> None:
        """Failures are on the job."""


def _mention(event: dict[str, Any]) -> str | None:
    """Who a reassignment or an unanswered ping calls on: the expert (<@U...>) or the team channel (<!here>)."""
    if event["kind"] not in ("reassigned", "ack_timeout"):
        return None
    expert = (event["data"] or {}).get("expert") or {}
    if expert.get("slack_user_id"):
        return f"<@{expert['slack_user_id']}>"
    return "<!here>"


def _ping_elsewhere(event: dict[str, Any], thread_channel: str) -> str | None:
    """Where a reassignment's ping goes when the thread is a DM: the new expert (user id) or the team channel."""
    if event["kind"] not in ("reassigned", "ack_timeout") or not _is_direct_message(thread_channel):
        return None
    data = event["data"] or {}
    return (data.get("expert") or {}).get("slack_user_id") or data.get("team_channel")


def _is_direct_message(channel: str) -> bool:
    # Slack's conversation ids: D... a DM with the bot; C (channel), G (private or group) are shared places.
    return channel[:1] == "D"


def _where(channel: str) -> str:
    return f"<@{channel}>" if channel[:1] in ("U", "W") else "the team channel"


def _ping_new_owner(ctx: JobContext, work: Delivery, event: dict[str, Any], *, channel: str, mention: str) -> None:
    """The escalation's message, with its buttons, posted to whoever has it now (once: the event id is its key)."""
    escalation = work.escalation
    message = render_slack_message(work.context(), jira_key=escalation.jira_key or "",
                                   jira_url=escalation.jira_url or "", env=work.environment())
    headline = f"{mention} {escape_mrkdwn(event['text'] or '')}".strip()
    # The mention leads a block of its own as well as the text: with blocks, Slack notifies from either.
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": headline}}, *message["blocks"]]
    post_to_slack(ctx, work, channel=channel, text=f"{headline}: {message['text']}", blocks=blocks,
                  event_type=UPDATE_EVENT_TYPE, key="event_id", value=event["id"])


class UpdateJiraComment:
    """`update.jira_comment`: a Jira comment for a Slack reply or a new customer comment."""

    def run(self, ctx: JobContext) -> None:
        """Render the comment for the event and add it once."""
        work, event, _ = load_update(ctx)
        escalation = work.escalation
        if not escalation.jira_key:
            return
        marker = echo_marker.for_event(escalation.id, event["id"])
        body = updates.render_jira_comment(work.context(), event=event, marker=marker, env=work.environment())
        comment_on_jira(ctx, work, key=escalation.jira_key, body_adf=body, marker=marker)

    def on_settled(self, ctx: JobContext, *, status: str, error: str | None) -> None:
        """Failures are on the job."""


class UpdateJiraAssignee:
    """`update.jira_assignee`: the Jira issue follows a reassignment (setting the same assignee twice is harmless)."""

    def run(self, ctx: JobContext) -> None:
        """Set the issue's assignee to the new expert's Jira account, when both are known."""
        work, event, _ = load_update(ctx)
        account = ((event["data"] or {}).get("expert") or {}).get("jira_account_id")
        key = work.escalation.jira_key
        if not account or not key:
            return
        if not work.connections.is_live("jira"):
            ctx.audit(system="jira", action="assign", target=key, outcome=AuditOutcome.DRY_RUN)
            return
        client = work.client("jira")
        ctx.call("jira", "assign", key, client.update_issue, key, fields={"assignee": {"accountId": account}})

    def on_settled(self, ctx: JobContext, *, status: str, error: str | None) -> None:
        """Failures are on the job."""


class AcknowledgementCheck:
    """`escalation.ack_check`: nobody acknowledged in time: ping the next expert (or the team channel)."""

    def run(self, ctx: JobContext) -> None:
        """If the escalation is still unacknowledged, reassign to the next expert and say so everywhere."""
        round_number = int(ctx.job.payload.get("round") or 1)
        with ctx.database.write_session() as session:
            escalation = session.get(Escalation, ctx.job.payload["escalation_id"])
            if escalation is None or not lifecycle.awaiting_acknowledgement(escalation):
                return
            installation = session.get(Installation, escalation.installation_id)
            if installation is None:
                raise PermanentJobError("the installation no longer exists")
            minutes = installation_settings(installation).escalation.ack_minutes
            event = lifecycle.reassign(session, escalation, actor=None, kind="ack_timeout", minutes=minutes)
            fan_out(session, escalation, event)
            if (event.data or {}).get("expert"):
                queue_update(session, escalation, "update.jira_assignee", event)
            if round_number < ACK_ROUNDS:
                schedule_ack_check(session, escalation, minutes=minutes, round_number=round_number + 1)

    def on_settled(self, ctx: JobContext, *, status: str, error: str | None) -> None:
        """Failures are on the job."""


def schedule_ack_check(session: Session, escalation: Escalation, *, minutes: int, round_number: int = 1) -> None:
    """Queue the check that pings the next expert if nobody acknowledges within `minutes`."""
    kind, payload, run_after = lifecycle.ack_check(escalation.id, minutes=minutes, round_number=round_number)
    enqueue(session, installation_id=escalation.installation_id, kind=kind, payload=payload,
            escalation_id=escalation.id, run_after=run_after)


class ProactiveNote:
    """`proactive.ticket_note`: the suggestion note (and tag) when a ticket's score crosses the threshold."""

    def run(self, ctx: JobContext) -> None:
        """Write the rendered suggestion once on the ticket."""
        payload = ctx.job.payload
        with ctx.database.session() as session:
            installation = session.get(Installation, ctx.job.installation_id)
            session.expunge_all()
        if installation is None:
            raise PermanentJobError("the installation no longer exists")
        work = TicketWork(ctx, installation, installation_connections(ctx, installation), payload["ticket_source"],
                          payload["ticket_id"])
        tags = (SUGGESTED_TAG,) if payload["ticket_source"] == "zendesk" else ()
        write_ticket_note(ctx, work, body=payload["body"], marker=payload["marker"], tags=tags)

    def on_settled(self, ctx: JobContext, *, status: str, error: str | None) -> None:
        """Failures are on the job."""


@dataclass
class TicketWork:
    """A ticket to write on without an escalation (a proactive suggestion)."""

    ctx: JobContext
    installation: Installation
    connections: Connections
    ticket_source: str
    escalation_ticket_id: str

    def client(self, system: str):
        """A client for the system, built once per worker."""
        return installation_client(self.ctx, self.installation, self.connections, system)


HANDLERS: dict[str, JobHandler] = {
    "inbound.event": InboundEvents(),
    "update.ticket_note": UpdateTicketNote(),
    "update.slack_reply": UpdateSlackReply(),
    "update.jira_comment": UpdateJiraComment(),
    "update.jira_assignee": UpdateJiraAssignee(),
    lifecycle.ACK_CHECK_KIND: AcknowledgementCheck(),
    "proactive.ticket_note": ProactiveNote(),
}
