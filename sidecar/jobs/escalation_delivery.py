"""Delivering an escalation: one job kind per step, each idempotent (found before it is written).

- jira_issue: with `link_to`, join that issue ("another customer affected" comment and the running
  count of affected customers and their ARR, kept in the issue property `sidecar.affected`); else
  search for the issue labelled with this escalation's id and create it only if there is none. A
  crash between "created" and "recorded" therefore cannot make a second issue: the retry comes after
  the job's lease runs out, long after Jira's search index has the label.
- jira_link: a remote link to the ticket (Jira updates a link with the same globalId in place).
- ticket_note: an internal note, a tag and the Jira key field; the note carries a marker, and the
  ticket's comments are searched for it before writing.
- slack_message: the message carries Slack message metadata with the escalation id, and the channel
  history is searched for it before posting; its ts is kept for the thread of later updates.

A system without credentials runs in dry-run: the step records the exact requests it would send.
Each step ends in the lifecycle (services.lifecycle.settle_step, or step_failed on a failed attempt),
which records it and sets the escalation's status.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from sqlalchemy import bindparam, select

from sidecar.clients import jira as jira_api
from sidecar.clients.errors import ApiError, ApiNotFound
from sidecar.clients.factory import build_client
from sidecar.clients.plans import PlannedRequest
from sidecar.domain import marker as echo_marker
from sidecar.domain.settings import EscalationSettings
from sidecar.domain.statuses import (
    SETTLED_STEP_STATUSES,
    AuditOutcome,
    EscalationStatus,
    JobStatus,
    StepStatus,
    WriteStatus,
)
from sidecar.intelligence.summary import summarise_escalation
from sidecar.jobs.context import JobContext, JobHandler, PermanentJobError
from sidecar.jobs.writes import first_attempt, post_to_slack, write_ticket_note
from sidecar.rendering.environment import template_environment
from sidecar.rendering.escalation import (
    render_affected_comment,
    render_jira_issue,
    render_slack_message,
    render_ticket_note,
)
from sidecar.services import lifecycle
from sidecar.services.connections import Connections, load_connections
from sidecar.services.escalation_rendering import escalation_context
from sidecar.services.installations import installation_settings
from sidecar.services.lifecycle import FOLLOW_UP_STEPS, affected_after_join, affected_entry
from sidecar.store.models import (
    Escalation,
    EscalationStep,
    Installation,
    stored_utc,
    utcnow,
)

ESCALATION_LABEL_PREFIX = "sidecar-"
AFFECTED_PROPERTY = "sidecar.affected"
SLACK_EVENT_TYPE = "sidecar_escalation"
PLACEHOLDER_URLS = {
    "jira": "https://your-site.atlassian.net",
    "slack": "https://slack.com/api",
    "zendesk": "https://your-subdomain.zendesk.com",
    "salesforce": "https://your-org.my.salesforce.com",
}
DRY_RUN_SLACK_CHANNEL = "#escalations"  # shown in dry-run plans when no channel is configured yet


def escalation_label(escalation_id: str) -> str:
    """The Jira label that marks the issue of one escalation (how the issue is found before creating)."""
    return ESCALATION_LABEL_PREFIX + escalation_id.replace("_", "-")


def dry_run_key(escalation_id: str) -> str:
    """A stand-in Jira key for a dry-run escalation (shows where the real key would appear)."""
    return "DRYRUN-" + str(int(hashlib.sha256(escalation_id.encode()).hexdigest()[:8], 16) % 100_000)


@dataclass
class Delivery:
    """One step of one escalation, loaded for a job: the rows, the connections and the rendering context.

    The rows are read-only: snapshots with the models' attributes (load_delivery) or ORM rows (after the
    handoff); every change to them goes through the lifecycle (services.lifecycle).
    """

    ctx: JobContext
    installation: Installation
    escalation: Escalation
    step: EscalationStep | None
    connections: Connections

    @property
    def settled(self) -> bool:
        """True when the step already finished (a repeated job does nothing)."""
        return self.step is not None and self.step.status in SETTLED_STEP_STATUSES

    @property
    def ticket_source(self) -> str:
        """zendesk or salesforce."""
        return self.escalation.ticket_source

    @property
    def escalation_ticket_id(self) -> str:
        """The ticket's id in its help desk."""
        return self.escalation.ticket_external_id

    def context(self):
        """The escalation's rendering context, redacted by the installation's settings (built once per worker)."""
        settings = self.settings()
        key = ("context", self.escalation.id, self.escalation.agent_note,
               repr((settings.redaction, settings.jira_priority)))
        return self.ctx.cached(key, self._build_context)

    def _build_context(self):
        return escalation_context(self.escalation.context or {}, escalation_id=self.escalation.id,
                                  note=self.escalation.agent_note, team=self.escalation.team,
                                  expert=self.escalation.expert, settings=self.settings())

    def settings(self) -> EscalationSettings:
        """The installation's escalation settings."""
        return installation_settings(self.installation).escalation

    def client(self, system: str):
        """The system's client for these connections, reused across jobs (keep-alive connections)."""
        return installation_client(self.ctx, self.installation, self.connections, system)

    def environment(self):
        """The Jinja environment: the operator's templates first, then ours."""
        return template_environment(self.ctx.templates_dir)


STEPS_TABLE = EscalationStep.__table__
ESCALATIONS_TABLE = Escalation.__table__
INSTALLATIONS_TABLE = Installation.__table__
# Built once: the worker loads a step for every job, and building the statement costs more than running it.
_LOAD = (select(*(c.label("e_" + c.name) for c in ESCALATIONS_TABLE.c),
                *(c.label("s_" + c.name) for c in STEPS_TABLE.c),
                *(c.label("i_" + c.name) for c in INSTALLATIONS_TABLE.c))
         .join_from(ESCALATIONS_TABLE, STEPS_TABLE, STEPS_TABLE.c.escalation_id == ESCALATIONS_TABLE.c.id)
         .join(INSTALLATIONS_TABLE, INSTALLATIONS_TABLE.c.id == ESCALATIONS_TABLE.c.installation_id)
         .where(ESCALATIONS_TABLE.c.id == bindparam("escalation_id"), STEPS_TABLE.c.name == bindparam("step")))


def _columns(row, prefix: str) -> dict[str, Any]:
    return {key[len(prefix):]: value for key, value in row.items() if key.startswith(prefix)}


def installation_connections(ctx: JobContext, installation: Installation) -> Connections:
    """The installation's connections, decrypted once per stored value and worker (a changed setting is a new
    ciphertext, so a new entry)."""
    return ctx.cached(("connections", installation.id, installation.credentials_encrypted),
                      lambda: load_connections(installation, box=ctx.box))


def installation_client(ctx: JobContext, installation: Installation, connections: Connections, system: str):
    """A client for one system, built once per worker and stored settings, so its connections are kept alive."""
    return ctx.cached(("client", installation.id, system, installation.credentials_encrypted),
                      lambda: build_client(system, connections, allow_private=ctx.allow_private_urls))


def load_delivery(ctx: JobContext) -> Delivery:
    """Read the job's escalation, step and installation (one query, detached objects) and its connections."""
    with ctx.reading() as connection:
        row = connection.execute(_LOAD, {"escalation_id": ctx.job.payload["escalation_id"],
                                         "step": ctx.job.payload["step"]}).mappings().first()
    if row is None:
        raise PermanentJobError(f"escalation {ctx.job.payload['escalation_id']} no longer exists")
    # Read-only snapshots, not ORM objects: a job never writes through them (the lifecycle uses statements),
    # and building three mapped instances per job cost more than the query.
    # Typed Any: mypy cannot see that a snapshot has its model's attributes.
    installation: Any = SimpleNamespace(**_columns(row, "i_"))
    escalation: Any = SimpleNamespace(**_columns(row, "e_"))
    step: Any = SimpleNamespace(**_columns(row, "s_"))
    return Delivery(ctx, installation, escalation, step, installation_connections(ctx, installation))


def settle_step(ctx: JobContext, delivery: Delivery, *, status: str, result: dict[str, Any] | None = None,
                requests: list[PlannedRequest] | None = None, learnt: dict[str, Any] | None = None,
                follow_ups: tuple[str, ...] = (), scheduled: tuple[tuple[str, dict[str, Any], Any], ...] = ()) -> None:
    """Settle the delivery's step through the lifecycle (lifecycle.settle_step says what each argument is)."""
    lifecycle.settle_step(ctx, escalation=delivery.escalation, step=delivery.step, status=status, result=result,
                          requests=None if requests is None else [request.as_dict() for request in requests],
                          learnt=learnt, follow_ups=follow_ups, scheduled=scheduled)


class StepHandler:
    """Base of the four step handlers: load, skip when settled, run the step, note failures on the step."""

    step = ""

    def run(self, ctx: JobContext) -> None:
        """Run the step unless it already finished."""
        delivery = load_delivery(ctx)
        if delivery.settled:
            return
        self.deliver(ctx, delivery)

    def deliver(self, ctx: JobContext, delivery: Delivery) -> None:
        raise NotImplementedError

    def on_settled(self, ctx: JobContext, *, status: str, error: str | None) -> None:
        """A failed attempt: the step shows the error in words, and `retrying` or `dead`."""
        with ctx.database.write_session() as session:
            lifecycle.step_failed(session, escalation_id=ctx.job.payload["escalation_id"],
                                  step_name=ctx.job.payload["step"], dead=status == JobStatus.DEAD,
                                  attempts=ctx.job.attempts, error=error)


# --------------------------------------------------------------------------------------------------
# Jira issue


def issue_fields(delivery: Delivery, rendered: dict[str, Any], context) -> dict[str, Any]:
    """The Jira fields of a new issue: project, type, summary, ADF description, labels, priority, component,
    assignee."""
    team = delivery.escalation.team or {}
    expert = delivery.escalation.expert or {}
    project = team.get("jira_project") or delivery.connections.get("jira.project") or "ESC"
    fields: dict[str, Any] = {
        "project": {"key": project},
        "issuetype": {"name": delivery.connections["jira.issue_type"]},
        "summary": rendered["summary"],
        "description": rendered["description"],
        "labels": sorted({*context.labels, escalation_label(delivery.escalation.id)}),
        "priority": {"name": context.priority},
    }
    if team.get("jira_component"):
        fields["components"] = [{"name": team["jira_component"]}]
    if expert.get("jira_account_id"):
        fields["assignee"] = {"accountId": expert["jira_account_id"]}
    return fields


def _affected_entry(delivery: Delivery, context) -> dict[str, Any]:
    return affected_entry(delivery.escalation, context.account)


class JiraIssueStep(StepHandler):
    """Find or create the escalation's Jira issue, or join the one the agent named."""

    step = "jira_issue"

    def deliver(self, ctx: JobContext, delivery: Delivery) -> None:
        context = delivery.context()
        env = delivery.environment()
        escalation = delivery.escalation
        if escalation.link_to:
            return self._join(ctx, delivery, context, env)
        rendered = render_jira_issue(context, env=env)
        fields = issue_fields(delivery, rendered, context)
        properties = {AFFECTED_PROPERTY: affected_after_join(None, _affected_entry(delivery, context))}
        if not delivery.connections.is_live("jira"):
            key = dry_run_key(escalation.id)
            base = delivery.connections.get("jira.url") or PLACEHOLDER_URLS["jira"]
            ctx.audit(system="jira", action="create_issue", target=key, outcome=AuditOutcome.DRY_RUN)
            settle_step(ctx, delivery, status=StepStatus.DRY_RUN,
                        requests=[jira_api.plan_create_issue(fields, properties=properties)],
                        result={"key": key, "dry_run": True},
                        learnt={"jira_key": key, "jira_url": f"{base}/browse/{key}"},
                        follow_ups=FOLLOW_UP_STEPS)
            return
        client = delivery.client("jira")
        found = []
        if not first_attempt(ctx):  # on a first attempt nobody can have created this escalation's issue yet
            label = escalation_label(escalation.id)
            found = ctx.call("jira", "find_issue", label, client.find_issues,
                             f"labels = {jira_api.jql_string(label)}", max_results=2)
        if found:
            issue, created = found[0], False
            key = issue["key"]
            ctx.call("jira", "set_property", key, client.set_issue_property, key, AFFECTED_PROPERTY,
                     properties[AFFECTED_PROPERTY])
        else:
            issue = ctx.call("jira", "create_issue", fields["project"]["key"], client.create_issue, fields,
                             properties=properties)
            created, key = True, issue["key"]
        settle_step(ctx, delivery, status=StepStatus.DONE,
                    result={"key": key, "id": issue.get("id"), "created": created},
                    learnt={"jira_key": key, "jira_id": str(issue.get("id") or ""),
                                        "jira_url": client.issue_url(key)},
                    follow_ups=FOLLOW_UP_STEPS)

    def _join(self, ctx: JobContext, delivery: Delivery, context, env) -> None:
        escalation = delivery.escalation
        key = escalation.link_to
        if key is None:  # cannot happen: _join runs for an escalation with link_to
            raise PermanentJobError("the escalation has no Jira issue to join")
        marker = echo_marker.for_escalation(escalation.id)
        entry = _affected_entry(delivery, context)
        if not delivery.connections.is_live("jira"):
            affected = affected_after_join(None, entry)
            comment = echo_marker.append_adf(render_affected_comment(
                context, affected_count=affected["count"], total_arr=affected["total_arr"], env=env), marker)
            base = delivery.connections.get("jira.url") or PLACEHOLDER_URLS["jira"]
            requests = [jira_api.plan_add_comment(key, comment),
                        jira_api.plan_set_property(key, AFFECTED_PROPERTY, affected)]
            ctx.audit(system="jira", action="join_issue", target=key, outcome=AuditOutcome.DRY_RUN)
            settle_step(ctx, delivery, status=StepStatus.DRY_RUN, requests=requests,
                        result={"key": key, "joined": True},
                        learnt={"jira_key": key, "jira_url": f"{base}/browse/{key}"},
                        follow_ups=FOLLOW_UP_STEPS)
            return
        client = delivery.client("jira")
        try:
            issue = ctx.call("jira", "get_issue", key, client.get_issue, key)
        except ApiNotFound:
            raise PermanentJobError(f"Jira has no issue {key} visible to this installation's account; "
                                    "check link_to, or escalate without it") from None
        current = ctx.call("jira", "get_property", key, client.get_issue_property, key, AFFECTED_PROPERTY)
        affected, version = lifecycle.record_affected(ctx.database, installation_id=escalation.installation_id,
                                                      jira_key=key, current=current, entry=entry)
        comments = ctx.call("jira", "list_comments", key, client.comments, key)
        if not any(marker in jira_api.adf_to_text(c.get("body")) for c in comments):
            comment = echo_marker.append_adf(render_affected_comment(
                context, affected_count=affected["count"], total_arr=affected["total_arr"], env=env), marker)
            ctx.call("jira", "add_comment", key, client.add_comment, key, comment)
        _mirror_affected(ctx, client, delivery, key, affected, version)
        settle_step(ctx, delivery, status=StepStatus.DONE,
                    result={"key": key, "joined": True, "affected": affected["count"],
                            "total_arr": affected["total_arr"]},
                    learnt={"jira_key": issue["key"], "jira_id": str(issue.get("id") or ""),
                                        "jira_url": client.issue_url(issue["key"])},
                    follow_ups=FOLLOW_UP_STEPS)


def _mirror_affected(ctx: JobContext, client, delivery: Delivery, key: str, affected: dict[str, Any],
                     version: int) -> None:
    """Write the stored record to the issue's property until Jira has the latest version.

    Two joins may reach Jira in either order; each, after its write, checks whether a later join
    recorded a newer version meanwhile and writes that one, so Jira ends with the full count.
    """
    for _ in range(3):
        ctx.call("jira", "set_property", key, client.set_issue_property, key, AFFECTED_PROPERTY, affected)
        latest, latest_version = lifecycle.affected_record(
            ctx.database, installation_id=delivery.escalation.installation_id, jira_key=key)
        if latest_version <= version:
            return
        affected, version = latest, latest_version


# --------------------------------------------------------------------------------------------------
# Remote link


def ticket_global_id(installation_id: str, source: str, ticket_id: str) -> str:
    """The stable globalId of a ticket's remote link: one link per ticket per issue, updated in place."""
    return f"sidecar:{installation_id}:{source}:ticket:{ticket_id}"


class JiraLinkStep(StepHandler):
    """Link the ticket from the Jira issue."""

    step = "jira_link"

    def deliver(self, ctx: JobContext, delivery: Delivery) -> None:
        escalation = delivery.escalation
        if escalation.jira_key is None:  # cannot happen: this step follows the Jira issue step, which learns it
            raise PermanentJobError("the escalation has no Jira issue to link from")
        url = (escalation.context or {}).get("ticket_url")
        if not url:
            settle_step(ctx, delivery, status=StepStatus.SKIPPED,
                        result={"reason": f"the ticket's URL is unknown: set {escalation.ticket_source}."
                                          f"{'url' if escalation.ticket_source == 'zendesk' else 'instance_url'}"})
            return
        source_name = "Zendesk ticket" if escalation.ticket_source == "zendesk" else "Salesforce Case"
        plan_args = dict(global_id=ticket_global_id(escalation.installation_id, escalation.ticket_source,
                                                    escalation.ticket_external_id),
                         url=url, title=f"{source_name} {escalation.ticket_external_id}",
                         summary=(escalation.context.get("ticket") or {}).get("subject") or None,
                         relationship="escalated from", resolved=False)
        if not delivery.connections.is_live("jira"):
            ctx.audit(system="jira", action="remote_link", target=escalation.jira_key or "",
                      outcome=AuditOutcome.DRY_RUN)
            settle_step(ctx, delivery, status=StepStatus.DRY_RUN,
                        requests=[jira_api.plan_remote_link(escalation.jira_key, **plan_args)])
            return
        client = delivery.client("jira")
        link = ctx.call("jira", "remote_link", escalation.jira_key, client.upsert_remote_link,
                        escalation.jira_key, **plan_args)
        settle_step(ctx, delivery, status=StepStatus.DONE, result={"id": link.get("id")})


# --------------------------------------------------------------------------------------------------
# Ticket note


class TicketNoteStep(StepHandler):
    """Internal note, tag and Jira key on the ticket (Zendesk or Salesforce)."""

    step = "ticket_note"

    def deliver(self, ctx: JobContext, delivery: Delivery) -> None:
        escalation = delivery.escalation
        marker = echo_marker.for_escalation(escalation.id)
        note = render_ticket_note(delivery.context(), jira_key=escalation.jira_key, jira_url=escalation.jira_url,
                                  marker=marker, env=delivery.environment())
        tags = (delivery.connections["zendesk.escalation_tag"],) if delivery.ticket_source == "zendesk" else ()
        outcome = write_ticket_note(ctx, delivery, body=note, marker=marker, jira_key=escalation.jira_key, tags=tags)
        # The first rolling summary, so the sidebar has one from the start (updates refresh it later).
        changes = {"summary": first_summary(delivery)}
        if outcome.status == WriteStatus.DRY_RUN:
            settle_step(ctx, delivery, status=StepStatus.DRY_RUN, requests=outcome.requests, learnt=changes)
        else:
            settle_step(ctx, delivery, status=StepStatus.DONE, result={"note": outcome.status, "tags": list(tags)},
                        learnt=changes)


def first_summary(delivery: Delivery) -> dict[str, Any]:
    """The extractive rolling summary at handoff (no timeline yet beyond the escalation itself)."""
    escalation = delivery.escalation
    # Written by the step that completes the handoff and read from then on: as of the delivered escalation,
    # so it never says "being delivered" once it is (the last step may settle a moment later).
    status = EscalationStatus.DELIVERED if escalation.status == EscalationStatus.PENDING else escalation.status
    summary = summarise_escalation(context=delivery.context(), timeline=[], status=status,
                                   jira_status=escalation.jira_status,
                                   owner=(escalation.expert or {}).get("name") or (escalation.team or {}).get("name"),
                                   acknowledged_by=None)
    return {**summary.as_dict(), "updated_at": utcnow().isoformat()}


# --------------------------------------------------------------------------------------------------
# Slack


def slack_destination(delivery: Delivery) -> str | None:
    """Where the ping goes: the expert (a DM), else the team's channel, else the installation's default."""
    expert = delivery.escalation.expert or {}
    team = delivery.escalation.team or {}
    return expert.get("slack_user_id") or team.get("slack_channel") or delivery.connections.get("slack.default_channel")


class SlackMessageStep(StepHandler):
    """Ping the expert (or the team channel) in Slack, once, and keep the thread."""

    step = "slack_message"

    def deliver(self, ctx: JobContext, delivery: Delivery) -> None:
        escalation = delivery.escalation
        destination = slack_destination(delivery)
        if not destination and not delivery.connections.is_live("slack"):
            # A dry-run still shows the message; where it would go is a placeholder until configured.
            destination = DRY_RUN_SLACK_CHANNEL
        if not destination:
            settle_step(ctx, delivery, status=StepStatus.SKIPPED, result={
                "reason": "no Slack destination: the expert has no slack_user_id, the team no slack_channel, "
                          "and slack.default_channel is not set"})
            return
        message = render_slack_message(delivery.context(), jira_key=escalation.jira_key, jira_url=escalation.jira_url,
                                       env=delivery.environment())
        oldest = stored_utc(escalation.created_at).timestamp() - 60 if escalation.created_at else 0.0
        outcome = post_to_slack(ctx, delivery, channel=destination, text=message["text"], blocks=message["blocks"],
                                event_type=SLACK_EVENT_TYPE, key="escalation_id", value=escalation.id, oldest=oldest)
        if outcome.status == WriteStatus.DRY_RUN:
            settle_step(ctx, delivery, status=StepStatus.DRY_RUN, requests=outcome.requests,
                        learnt={"slack_channel": destination})
            return
        channel, ts = outcome.result["channel"], outcome.result["ts"]
        permalink = _permalink(ctx, delivery.client("slack"), channel, ts)
        minutes = delivery.settings().ack_minutes
        check = lifecycle.ack_check(escalation.id, minutes=minutes)
        settle_step(ctx, delivery, status=StepStatus.DONE, result={"channel": channel, "ts": ts,
                                                          "posted": outcome.status == WriteStatus.WRITTEN},
                    learnt={"slack_channel": channel, "slack_ts": ts, "slack_permalink": permalink},
                    scheduled=(check,))


def _permalink(ctx: JobContext, client, channel: str, ts: str) -> str | None:
    # The message is posted and recorded either way; a permalink is a convenience, not worth a retry
    # that could only repeat the search.
    try:
        return ctx.call("slack", "get_permalink", channel, client.get_permalink, channel, ts)
    except ApiError:
        return None


HANDLERS: dict[str, JobHandler] = {
    "escalation." + handler.step: handler
    for handler in (JiraIssueStep(), JiraLinkStep(), TicketNoteStep(), SlackMessageStep())
}
