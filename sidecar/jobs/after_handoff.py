"""After the handoff: inbound events become timeline entries, and each entry fans out to idempotent writes.

`inbound.event` (one per accepted webhook delivery) is database work only: it finds the escalation the
event is about, has the lifecycle (services.lifecycle) change it and note the event on its timeline
(resolved, reopened, acknowledged, reassigned), and queues one job per write it causes. The write jobs (`update.*`) render
from the timeline entry, so a retry writes the same thing, and look for their marker before writing
again.

No echoes: what the sidecar writes is recognisable when it comes back. Ticket notes and Jira comments
end with a `[sidecar:...]` marker; Slack posts are the bot's own (`bot_id`). Events carrying either are
dropped here, so a round trip ends after one hop.
"""
from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from sidecar.clients.base import ApiError
from sidecar.clients.factory import build_client
from sidecar.clients.slack import post_to_response_url
from sidecar.domain import marker as echo_marker
from sidecar.domain.statuses import AuditOutcome, EscalationStatus
from sidecar.intelligence.redaction import Redactor
from sidecar.jobs.context import JobContext, JobHandler, PermanentJobError
from sidecar.jobs.escalation_delivery import (
    Delivery,
    installation_client,
    installation_connections,
)
from sidecar.jobs.outbox import enqueue
from sidecar.jobs.proactive import reassess_on_customer_comment
from sidecar.jobs.writes import comment_on_jira, post_to_slack, write_ticket_note
from sidecar.rendering import updates
from sidecar.services import lifecycle, slack_buttons
from sidecar.services.connections import Connections
from sidecar.services.installations import installation_settings
from sidecar.services.summaries import rolling_summary
from sidecar.services.timeline import append_event, event_to_dict, timeline_of
from sidecar.store.models import (
    Escalation,
    EscalationEvent,
    Installation,
    stored_utc,
)

log = logging.getLogger(__name__)

UPDATE_EVENT_TYPE = "sidecar_update"
RESOLVED_TAG = "escalation_resolved"
SUGGESTED_TAG = "escalation_suggested"
ACK_ROUNDS = 2  # after two unanswered pings the team channel has been told; people take it from there
CUSTOMER_STATUSES_REOPENED = frozenset({"new", "open", "pending", "hold", "on-hold", "reopened", "working",
                                       "escalated"})


# --------------------------------------------------------------------------------------------------
# Inbound events


def _queue(session: Session, escalation: Escalation, kind: str, event: EscalationEvent, **extra: Any) -> None:
    enqueue(session, installation_id=escalation.installation_id, kind=kind,
            payload={"escalation_id": escalation.id, "event_id": event.id, **extra}, escalation_id=escalation.id)


def _fan_out(session: Session, escalation: Escalation, event: EscalationEvent, *, ticket: bool = True,
             slack: bool = True, jira: bool = False) -> None:
    if ticket:
        _queue(session, escalation, "update.ticket_note", event)
    if slack and escalation.slack_ts:
        _queue(session, escalation, "update.slack_reply", event)
    if jira and escalation.jira_key:
        _queue(session, escalation, "update.jira_comment", event)


def _by_jira_key(session: Session, installation_id: str, key: str) -> list[Escalation]:
    return list(session.scalars(select(Escalation).where(Escalation.installation_id == installation_id,
                                                         Escalation.jira_key == key)
                                .order_by(Escalation.created_at)))


def _jira_issue_updated(session: Session, installation_id: str, data: dict[str, Any]) -> int:
    changed = 0
    actor = (data.get("actor") or {}).get("display_name")
    for escalation in _by_jira_key(session, installation_id, data["issue_key"]):
        event = lifecycle.follow_jira_issue(session, escalation, resolved=bool(data.get("resolved")),
                                            status=data.get("status"), previous=data.get("previous_status"),
                                            resolution=data.get("resolution"), actor=actor)
        if event is not None:
            _fan_out(session, escalation, event)
            changed += 1
    return changed


def _jira_comment(session: Session, installation_id: str, data: dict[str, Any]) -> int:
    if echo_marker.detect(data.get("body_text")):
        return 0  # our own comment (a Slack reply or a customer comment we synced) coming back
    changed = 0
    for escalation in _by_jira_key(session, installation_id, data["issue_key"]):
        if (escalation.status == EscalationStatus.RESOLVED
                or _seen_comment(session, escalation.id, data.get("comment_id"))):
            continue
        event = append_event(session, escalation=escalation, system="jira", kind="comment",
                             actor=(data.get("author") or {}).get("display_name"), text=data.get("body_text") or "",
                             data={"comment_id": data.get("comment_id")})
        _fan_out(session, escalation, event)
        changed += 1
    return changed


def _seen_comment(session: Session, escalation_id: str, comment_id: Any) -> bool:
    """True when this Jira comment is on the timeline already (Jira sends one comment as two webhook events
    when both comment_created and issue_updated are subscribed, with different delivery ids)."""
    if not comment_id:
        return False
    events: Iterable[dict[str, Any] | None] = session.scalars(
        select(EscalationEvent.data).where(EscalationEvent.escalation_id == escalation_id,
                                           EscalationEvent.system == "jira", EscalationEvent.kind == "comment"))
    return any((data or {}).get("comment_id") == comment_id for data in events)


def _slack_message(session: Session, installation_id: str, data: dict[str, Any]) -> int:
    if data.get("bot_id") or data.get("subtype") or not data.get("thread_ts") or echo_marker.detect(data.get("text")):
        return 0  # the bot's own posts, edits and joins, and top-level chatter are not thread replies to sync
    escalation = session.scalar(select(Escalation).where(
        Escalation.installation_id == installation_id, Escalation.slack_channel == data.get("channel"),
        Escalation.slack_ts == data["thread_ts"]))
    if escalation is None or escalation.status == EscalationStatus.RESOLVED:
        return 0
    event = append_event(session, escalation=escalation, system="slack", kind="comment",
                         actor=data.get("user"), text=data.get("text") or "", data={"ts": data.get("ts")})
    _fan_out(session, escalation, event, slack=False, jira=True)
    return 1


def _escalation_for_action(session: Session, installation_id: str, data: dict[str, Any]) -> Escalation | None:
    escalation = session.get(Escalation, str(data.get("value") or ""))
    if escalation is None or escalation.installation_id != installation_id:
        return None
    return escalation


def _block_action(session: Session, installation_id: str, data: dict[str, Any]) -> int:
    escalation = _escalation_for_action(session, installation_id, data)
    if escalation is None:
        return 0
    user = data.get("user") or {}
    who = user.get("name") or user.get("id") or "someone"
    if data.get("action_id") == "escalation_acknowledge":
        event = lifecycle.acknowledge(session, escalation, who=who, user_id=user.get("id"))
    elif data.get("action_id") == "escalation_reassign":
        event = lifecycle.reassign(session, escalation, actor=who)
        if (event.data or {}).get("expert"):
            _queue(session, escalation, "update.jira_assignee", event)
    else:
        return 0
    if event is None:
        return 0
    _fan_out(session, escalation, event)
    return 1


def _refuse_unknown_presser(ctx: JobContext, kind: str, data: dict[str, Any]) -> bool:
    """Refuse a button press by a Slack user the installation does not know (see services.slack_buttons).

    True when refused: nothing is changed; an audit entry and an ephemeral answer to the presser are all.
    """
    with ctx.database.session() as session:
        installation = session.get(Installation, ctx.job.installation_id)
        if installation is None:
            raise PermanentJobError("the installation no longer exists")
        session.expunge(installation)
    connections = installation_connections(ctx, installation)
    user_id = (data.get("user") or {}).get("id")
    if kind == slack_buttons.REFUSED_KIND:  # refused at receipt: no user group could allow it
        reason = data.get("refusal") or slack_buttons.UNKNOWN_USER
    else:
        reason = slack_buttons.authorize(ctx.database, installation.id, connections, user_id,
                                         lambda: installation_client(ctx, installation, connections, "slack"))
    if reason is None:
        return False
    target = f"{data.get('value') or '?'} by {user_id or '?'}"
    ctx.audit(system="slack", action="button_refused", target=target, outcome=AuditOutcome.REFUSED,
              detail=f"{data.get('action_id')} pressed by {user_id} ({(data.get('user') or {}).get('name')}): {reason}")
    url = data.get("response_url")
    if not slack_buttons.response_url_allowed(url, connections):
        log.warning("refused %s by %s; its response_url is not Slack's, so the refusal is not shown",
                    data.get("action_id"), user_id)
        return True
    try:
        ctx.call("slack", "respond_ephemeral", target, post_to_response_url, url,
                 slack_buttons.refusal_message(data, reason), allow_private=ctx.allow_private_urls)
    except ApiError as exc:
        # The refusal stands either way; a retry would only re-ask who the presser is.
        log.warning("refused %s by %s; telling them failed: %s", data.get("action_id"), user_id, exc.message)
    return True


def _ticket_event(session: Session, installation: Installation, source: str, data: dict[str, Any]) -> int:
    """A help-desk event on a ticket: sync a new customer comment to an escalation, or reopen it."""
    escalation = lifecycle.escalation_for_ticket(session, installation_id=installation.id, source=source,
                                                 ticket_id=str(data["ticket_id"]))
    if escalation is None:
        return 0
    comment = data.get("comment") or {}
    changed = 0
    reopened_status = str(data.get("status") or "").lower() in CUSTOMER_STATUSES_REOPENED and not data.get("closed")
    if escalation.status == EscalationStatus.RESOLVED and reopened_status and data.get("event") != "ticket_created":
        event = lifecycle.reopen(session, escalation, system=source, actor=None,
                       why=f"The ticket was reopened ({data.get('status')})")
        if event is not None:
            _fan_out(session, escalation, event, ticket=False, slack=True, jira=True)
            changed += 1
    if (comment.get("author") == "customer" and comment.get("body") and not echo_marker.detect(comment.get("body"))
            and escalation.status != EscalationStatus.RESOLVED
            and installation_settings(installation).escalation.sync_customer_comments):
        event = append_event(session, escalation=escalation, system=source, kind="customer_comment",
                             actor=data.get("requester_name") or "customer", text=comment["body"])
        _fan_out(session, escalation, event, ticket=False, slack=True, jira=True)
        changed += 1
    return changed


@dataclass
class InboundEvents:
    """`inbound.event`: one verified webhook delivery, applied to the escalations it concerns."""

    def run(self, ctx: JobContext) -> None:
        """Apply the event; queue the writes it causes. Proactive re-assessment runs first, outside the lock."""
        payload = ctx.job.payload
        kind, data = payload["kind"], payload.get("data") or {}
        if kind == slack_buttons.REFUSED_KIND or (kind == "slack.block_action" and slack_buttons.is_guarded(data)):
            # Decided before the write lock is taken: a user-group lookup is a call to Slack.
            if _refuse_unknown_presser(ctx, kind, data):
                return
        proactive = None
        if kind in ("zendesk.ticket_event", "salesforce.case_event"):
            proactive = reassess_on_customer_comment(ctx, source=kind.split(".")[0], data=data)
        with ctx.database.write_session() as session:
            installation = session.get(Installation, ctx.job.installation_id)
            if installation is None:
                raise PermanentJobError("the installation no longer exists")
            if kind == "jira.issue_updated":
                _jira_issue_updated(session, installation.id, data)
            elif kind in ("jira.comment_created", "jira.comment_updated"):
                _jira_comment(session, installation.id, data)
            elif kind == "slack.message":
                _slack_message(session, installation.id, data)
            elif kind == "slack.block_action":
                _block_action(session, installation.id, data)
            elif kind in ("zendesk.ticket_event", "salesforce.case_event"):
                _ticket_event(session, installation, kind.split(".")[0], data)
                if proactive is not None:
                    proactive(session, installation)
            else:
                log.info("inbound event %s ignored", kind)

    def on_settled(self, ctx: JobContext, *, status: str, error: str | None) -> None:
        """Failures are on the job (`sidecar jobs list`); there is no step to mark."""


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
    return Delivery(ctx, installation, escalation, None, installation_connections(ctx, installation)), event_dict, timeline


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


def _duration(start: datetime | None, end: datetime | None) -> str | None:
    if start is None or end is None:
        return None
    return updates.format_duration((stored_utc(end) - stored_utc(start)).total_seconds())


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
                time_to_acknowledge=_duration(escalation.created_at, escalation.acknowledged_at),
                time_to_resolve=_duration(escalation.created_at, escalation.resolved_at), marker=marker, env=env)
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
        if mention:
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
            _fan_out(session, escalation, event)
            if (event.data or {}).get("expert"):
                _queue(session, escalation, "update.jira_assignee", event)
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
