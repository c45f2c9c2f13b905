"""`inbound.event`: one verified webhook delivery, applied to the escalations it concerns.

Database work only: find the escalation the event is about, have the lifecycle (services.lifecycle)
change it and note the event on its timeline (resolved, reopened, acknowledged, reassigned), and queue
one job per write it causes (`update.*`, in jobs/after_handoff.py).

No echoes: what the sidecar writes is recognisable when it comes back. Ticket notes and Jira comments
end with a `[sidecar:...]` marker; Slack posts are the bot's own (`bot_id`). Events carrying either are
not acted on, so a round trip ends after one hop.

Nothing said is dropped: an expert's Jira comment or Slack thread reply that arrives after the Jira
issue is resolved still reaches the ticket (and the other side), marked as after resolution, until the
help-desk ticket itself is solved or closed (its status, from the help desk's webhooks, is kept on the
escalation). Every delivery ends recorded: acted on, or ignored with the reason
(services.inbound.record_outcome; GET /v1/inbound?status=ignored lists them).
"""
from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from sidecar.clients.errors import ApiError
from sidecar.clients.slack import post_to_response_url
from sidecar.domain import marker as echo_marker
from sidecar.domain.statuses import AuditOutcome, EscalationStatus, InboundStatus
from sidecar.jobs.context import JobContext, PermanentJobError
from sidecar.jobs.escalation_delivery import (
    installation_client,
    installation_connections,
)
from sidecar.jobs.outbox import enqueue
from sidecar.jobs.proactive import reassess_on_customer_comment
from sidecar.metrics.families import count_webhook
from sidecar.services import lifecycle, slack_buttons
from sidecar.services.inbound import record_outcome
from sidecar.services.installations import installation_settings
from sidecar.services.timeline import append_event
from sidecar.store.models import Escalation, EscalationEvent, Installation

log = logging.getLogger(__name__)

CUSTOMER_STATUSES_REOPENED = frozenset({"new", "open", "pending", "hold", "on-hold", "reopened", "working",
                                       "escalated"})
TICKET_DONE_STATUSES = frozenset({"solved", "closed"})  # past these nothing more reaches the ticket
HELPDESK_KINDS = ("zendesk.ticket_event", "salesforce.case_event")

Outcome = str | None  # None: acted on; otherwise why not


def queue_update(session: Session, escalation: Escalation, kind: str, event: EscalationEvent, **extra: Any) -> None:
    """Queue one write job (`update.*`) for a timeline event."""
    enqueue(session, installation_id=escalation.installation_id, kind=kind,
            payload={"escalation_id": escalation.id, "event_id": event.id, **extra}, escalation_id=escalation.id)


def fan_out(session: Session, escalation: Escalation, event: EscalationEvent, *, ticket: bool = True,
            slack: bool = True, jira: bool = False) -> None:
    """Queue the writes a timeline event causes: a ticket note, a Slack thread reply, a Jira comment."""
    if ticket:
        queue_update(session, escalation, "update.ticket_note", event)
    if slack and escalation.slack_ts:
        queue_update(session, escalation, "update.slack_reply", event)
    if jira and escalation.jira_key:
        queue_update(session, escalation, "update.jira_comment", event)


def still_listening(escalation: Escalation) -> bool:
    """True while what experts say reaches the ticket: the escalation is open, or its ticket is not solved yet."""
    if escalation.status != EscalationStatus.RESOLVED:
        return True
    return (escalation.ticket_status or "").lower() not in TICKET_DONE_STATUSES


def _closed_reason(escalation: Escalation) -> str:
    return (f"escalation {escalation.id} is resolved and its ticket is {escalation.ticket_status}: nothing more "
            "reaches the ticket")


def _by_jira_key(session: Session, installation_id: str, key: str) -> list[Escalation]:
    return list(session.scalars(select(Escalation).where(Escalation.installation_id == installation_id,
                                                         Escalation.jira_key == key)
                                .order_by(Escalation.created_at)))


def _jira_issue_updated(session: Session, installation_id: str, data: dict[str, Any]) -> Outcome:
    escalations = _by_jira_key(session, installation_id, data["issue_key"])
    if not escalations:
        return f"no escalation has the Jira issue {data['issue_key']}"
    changed = 0
    actor = (data.get("actor") or {}).get("display_name")
    for escalation in escalations:
        event = lifecycle.follow_jira_issue(session, escalation, resolved=bool(data.get("resolved")),
                                            status=data.get("status"), previous=data.get("previous_status"),
                                            resolution=data.get("resolution"), actor=actor)
        if event is not None:
            fan_out(session, escalation, event)
            changed += 1
    return None if changed else f"nothing changed: {data['issue_key']}'s status ({data.get('status')}) is known"


def _jira_comment(session: Session, installation_id: str, data: dict[str, Any]) -> Outcome:
    if echo_marker.detect(data.get("body_text")):
        return "the sidecar's own comment coming back"  # a Slack reply or a customer comment we synced
    escalations = _by_jira_key(session, installation_id, data.get("issue_key") or "")
    if not escalations:
        return f"no escalation has the Jira issue {data.get('issue_key') or data.get('issue_id')}"
    changed, reasons = 0, []
    for escalation in escalations:
        if _seen_comment(session, escalation.id, data.get("comment_id")):
            reasons.append(f"comment {data.get('comment_id')} is already on escalation {escalation.id}")
            continue
        if not still_listening(escalation):
            reasons.append(_closed_reason(escalation))
            continue
        after = escalation.status == EscalationStatus.RESOLVED
        event = append_event(session, escalation=escalation, system="jira", kind="comment",
                             actor=(data.get("author") or {}).get("display_name"), text=data.get("body_text") or "",
                             data={"comment_id": data.get("comment_id"), "after_resolution": after})
        fan_out(session, escalation, event)
        changed += 1
    return None if changed else "; ".join(reasons)


def _seen_comment(session: Session, escalation_id: str, comment_id: Any) -> bool:
    """True when this Jira comment is on the timeline already (Jira sends one comment as two webhook events
    when both comment_created and issue_updated are subscribed, with different delivery ids)."""
    if not comment_id:
        return False
    events: Iterable[dict[str, Any] | None] = session.scalars(
        select(EscalationEvent.data).where(EscalationEvent.escalation_id == escalation_id,
                                           EscalationEvent.system == "jira", EscalationEvent.kind == "comment"))
    return any((data or {}).get("comment_id") == comment_id for data in events)


def _not_a_reply(data: dict[str, Any]) -> Outcome:
    """Why a Slack message is not an expert's reply to sync: the bot's own posts, edits and joins, top-level chatter."""
    if data.get("bot_id"):
        return "the bot's own Slack post"
    if data.get("subtype"):
        return f"a Slack {data['subtype']} message, not a new reply"
    if not data.get("thread_ts"):
        return "a Slack message outside any thread"
    if echo_marker.detect(data.get("text")):
        return "the sidecar's own words coming back"
    return None


def _slack_message(session: Session, installation_id: str, data: dict[str, Any]) -> Outcome:
    why_not = _not_a_reply(data)
    if why_not:
        return why_not
    escalation = session.scalar(select(Escalation).where(
        Escalation.installation_id == installation_id, Escalation.slack_channel == data.get("channel"),
        Escalation.slack_ts == data["thread_ts"]))
    if escalation is None:
        return "a reply in a Slack thread that is no escalation's"
    if not still_listening(escalation):
        return _closed_reason(escalation)
    event = append_event(session, escalation=escalation, system="slack", kind="comment",
                         actor=data.get("user"), text=data.get("text") or "",
                         data={"ts": data.get("ts"),
                               "after_resolution": escalation.status == EscalationStatus.RESOLVED})
    fan_out(session, escalation, event, slack=False, jira=True)
    return None


def _block_action(session: Session, installation_id: str, data: dict[str, Any]) -> Outcome:
    escalation = session.get(Escalation, str(data.get("value") or ""))
    if escalation is None or escalation.installation_id != installation_id:
        return f"a button for an escalation this installation does not have ({data.get('value')})"
    user = data.get("user") or {}
    who = user.get("name") or user.get("id") or "someone"
    if data.get("action_id") == "escalation_acknowledge":
        event = lifecycle.acknowledge(session, escalation, who=who, user_id=user.get("id"))
    elif data.get("action_id") == "escalation_reassign":
        event = lifecycle.reassign(session, escalation, actor=who)
        if (event.data or {}).get("expert"):
            queue_update(session, escalation, "update.jira_assignee", event)
    else:
        return f"a Slack button the sidecar does not handle ({data.get('action_id')})"
    if event is None:
        return f"escalation {escalation.id} is already acknowledged or resolved"
    fan_out(session, escalation, event)
    return None


def _refuse_unknown_presser(ctx: JobContext, kind: str, data: dict[str, Any]) -> Outcome:
    """Refuse a button press by a Slack user the installation does not know (see services.slack_buttons).

    The refusal's reason when refused (nothing is changed; an audit entry and an ephemeral answer to the
    presser are all), else None.
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
        return None
    target = f"{data.get('value') or '?'} by {user_id or '?'}"
    ctx.audit(system="slack", action="button_refused", target=target, outcome=AuditOutcome.REFUSED,
              detail=f"{data.get('action_id')} pressed by {user_id} ({(data.get('user') or {}).get('name')}): {reason}")
    url = data.get("response_url")
    if not slack_buttons.response_url_allowed(url, connections):
        log.warning("refused %s by %s; its response_url is not Slack's, so the refusal is not shown",
                    data.get("action_id"), user_id)
        return f"button refused: {reason}"
    try:
        ctx.call("slack", "respond_ephemeral", target, post_to_response_url, url,
                 slack_buttons.refusal_message(data, reason), allow_private=ctx.allow_private_urls)
    except ApiError as exc:
        # The refusal stands either way; a retry would only re-ask who the presser is.
        log.warning("refused %s by %s; telling them failed: %s", data.get("action_id"), user_id, exc.message)
    return f"button refused: {reason}"


def _ticket_status(source: str, data: dict[str, Any]) -> str | None:
    """The ticket's status in the help desk's words, with Salesforce's closed flag read as `closed`."""
    if data.get("closed"):
        return "closed"
    status = data.get("status")
    return str(status).lower()[:40] if status else None


def _ticket_event(session: Session, installation: Installation, source: str, data: dict[str, Any]) -> Outcome:
    """A help-desk event on a ticket: keep its status, sync a new customer comment to an escalation, or reopen it."""
    escalation = lifecycle.escalation_for_ticket(session, installation_id=installation.id, source=source,
                                                 ticket_id=str(data["ticket_id"]))
    if escalation is None:
        return f"{source} ticket {data['ticket_id']} has no escalation"
    escalation.ticket_status = _ticket_status(source, data) or escalation.ticket_status
    comment = data.get("comment") or {}
    changed = 0
    reopened_status = str(data.get("status") or "").lower() in CUSTOMER_STATUSES_REOPENED and not data.get("closed")
    if escalation.status == EscalationStatus.RESOLVED and reopened_status and data.get("event") != "ticket_created":
        event = lifecycle.reopen(session, escalation, system=source, actor=None,
                                 why=f"The ticket was reopened ({data.get('status')})")
        if event is not None:
            fan_out(session, escalation, event, ticket=False, slack=True, jira=True)
            changed += 1
    why_not = _not_a_customer_comment(installation, escalation, comment)
    if why_not is None:
        # The name only: what the comment needs to say who wrote; the email stays in the help desk.
        name = (data.get("requester") or {}).get("name") or comment.get("author_name")
        event = append_event(session, escalation=escalation, system=source, kind="customer_comment",
                             actor=name, text=comment["body"], data={"requester": {"name": name}})
        fan_out(session, escalation, event, ticket=False, slack=True, jira=True)
        changed += 1
    return None if changed else why_not


def _not_a_customer_comment(installation: Installation, escalation: Escalation, comment: dict[str, Any]) -> Outcome:
    """Why a ticket event carries no customer comment to sync to the escalation, or None when it does."""
    if comment.get("author") != "customer" or not comment.get("body"):
        return "no new customer comment (the ticket's status is kept)"
    if echo_marker.detect(comment.get("body")):
        return "the sidecar's own note coming back"
    if escalation.status == EscalationStatus.RESOLVED:
        return f"escalation {escalation.id} is resolved: a customer comment is not synced to it"
    if not installation_settings(installation).escalation.sync_customer_comments:
        return "customer comments are not synced (the sync_customer_comments setting is off)"
    return None


@dataclass
class InboundEvents:
    """`inbound.event`: one verified webhook delivery, applied to the escalations it concerns."""

    def run(self, ctx: JobContext) -> None:
        """Apply the event, queue the writes it causes, record what became of it. Proactive re-assessment runs first."""
        payload = ctx.job.payload
        kind, data = payload["kind"], payload.get("data") or {}
        refused = None
        if kind == slack_buttons.REFUSED_KIND or (kind == "slack.block_action" and slack_buttons.is_guarded(data)):
            # Decided before the write lock is taken: a user-group lookup is a call to Slack.
            refused = _refuse_unknown_presser(ctx, kind, data)
        proactive = None
        if kind in HELPDESK_KINDS and refused is None:
            proactive = reassess_on_customer_comment(ctx, source=kind.split(".")[0], data=data)
        with ctx.database.write_session() as session:
            installation = session.get(Installation, ctx.job.installation_id)
            if installation is None:
                raise PermanentJobError("the installation no longer exists")
            outcome = refused if refused is not None else _apply(session, installation, kind, data)
            if proactive is not None:
                proactive(session, installation)
                outcome = None  # the ticket was assessed for a proactive suggestion: acted on
            if payload.get("delivery_id"):
                record_outcome(session, installation_id=installation.id, system=payload.get("system") or "",
                               delivery_id=payload["delivery_id"], reason=outcome)
            if outcome is not None:
                log.info("inbound event %s not acted on: %s", kind, outcome)
        if payload.get("delivery_id"):  # after the commit: what the delivery's row now says
            count_webhook(payload.get("system") or "unknown", stage="worker",
                          outcome=InboundStatus.ACTED if outcome is None else InboundStatus.IGNORED)

    def on_settled(self, ctx: JobContext, *, status: str, error: str | None) -> None:
        """Failures are on the job (`sidecar jobs list`); there is no step to mark."""


def _apply(session: Session, installation: Installation, kind: str, data: dict[str, Any]) -> Outcome:
    """Hand the event to the function for its kind; what it returns says whether it was acted on."""
    if kind == "jira.issue_updated":
        return _jira_issue_updated(session, installation.id, data)
    if kind in ("jira.comment_created", "jira.comment_updated"):
        return _jira_comment(session, installation.id, data)
    if kind == "slack.message":
        return _slack_message(session, installation.id, data)
    if kind == "slack.block_action":
        return _block_action(session, installation.id, data)
    if kind in HELPDESK_KINDS:
        return _ticket_event(session, installation, kind.split(".")[0], data)
    return f"an event of kind {kind} is not one the sidecar acts on"
