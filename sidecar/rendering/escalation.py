"""What an escalation writes, rendered from its EscalationContext: the Jira issue, the ticket's internal
note, the Slack message, and the Jira comment when another customer is affected.

Words live in templates/ (operators may override them); this module only feeds the templates, turns
the Jira markup into ADF, and builds Slack's blocks within Block Kit's limits.
"""
from __future__ import annotations

from typing import Any

import jinja2

from sidecar.domain import marker as echo_marker
from sidecar.domain.statuses import AssessmentLevel
from sidecar.intelligence.escalation_context import EscalationContext, format_amount
from sidecar.intelligence.text.clean import truncate
from sidecar.rendering.adf import markup_to_adf, safe_url
from sidecar.rendering.environment import escape_mrkdwn, template_environment

ISSUE_SUMMARY_TEMPLATE = "jira/issue_summary.txt.j2"
ISSUE_DESCRIPTION_TEMPLATE = "jira/issue_description.md.j2"
AFFECTED_COMMENT_TEMPLATE = "jira/affected_comment.md.j2"
TICKET_NOTE_TEMPLATE = "ticket/escalation_note.txt.j2"
SLACK_SUMMARY_TEMPLATE = "slack/escalation_summary.mrkdwn.j2"

JIRA_SUMMARY_MAX = 255
# Block Kit limits (docs.slack.dev, block and element references).
SLACK_HEADER_MAX = 150
SLACK_SECTION_TEXT_MAX = 3000
SLACK_FIELDS_MAX = 10
SLACK_FIELD_TEXT_MAX = 2000
SLACK_CONTEXT_TEXT_MAX = 2000
SLACK_BUTTON_TEXT_MAX = 75
SLACK_BUTTON_VALUE_MAX = 2000
SLACK_BUTTON_URL_MAX = 3000
SLACK_FALLBACK_MAX = 3000
SLACK_WHY_REASONS = 3

ACKNOWLEDGE_ACTION = "escalation_acknowledge"
OPEN_JIRA_ACTION = "escalation_open_jira"
REASSIGN_ACTION = "escalation_reassign"  # the next expert of the team, by the routing ranking
OPEN_TICKET_ACTION = "escalation_open_ticket"

_LEVEL_EMOJI: dict[str, str] = {AssessmentLevel.CRITICAL: ":rotating_light:", AssessmentLevel.HIGH: ":warning:",
                AssessmentLevel.MEDIUM: ":large_yellow_circle:"}


def render_jira_issue(context: EscalationContext, *, env: jinja2.Environment | None = None) -> dict[str, Any]:
    """The Jira issue's summary (one line, at most 255 characters) and description (ADF)."""
    env = env or template_environment()
    data = context.as_template_data()
    summary = " ".join(env.get_template(ISSUE_SUMMARY_TEMPLATE).render(data).split())
    description = env.get_template(ISSUE_DESCRIPTION_TEMPLATE).render(data)
    return {"summary": truncate(summary or context.title, JIRA_SUMMARY_MAX), "description": markup_to_adf(description)}


def render_ticket_note(
    context: EscalationContext,
    *,
    jira_key: str | None,
    jira_url: str | None,
    marker: str,
    env: jinja2.Environment | None = None,
) -> str:
    """The internal note for the help-desk ticket (plain text), ending with `marker` on its own line."""
    env = env or template_environment()
    data = {**context.as_template_data(), "jira_key": jira_key, "jira_url": jira_url, "marker": marker}
    # Added when an overriding template dropped it: without it the sidecar would echo its own note back.
    return echo_marker.append(env.get_template(TICKET_NOTE_TEMPLATE).render(data).strip(), marker)


def render_slack_message(
    context: EscalationContext,
    *,
    jira_key: str | None,
    jira_url: str | None,
    env: jinja2.Environment | None = None,
) -> dict[str, Any]:
    """The Slack message to the expert: fallback `text` and Block Kit `blocks` (header, summary, fields,
    why, buttons), every piece cut to Block Kit's limits and user text escaped."""
    env = env or template_environment()
    data = {**context.as_template_data(), "jira_key": jira_key, "jira_url": jira_url}
    summary = env.get_template(SLACK_SUMMARY_TEMPLATE).render(data).strip()

    header = f"{_LEVEL_EMOJI.get(context.level, '')} {jira_key}: {context.title}".strip()
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": truncate(header, SLACK_HEADER_MAX), "emoji": True}},
    ]
    if summary:
        blocks.append({"type": "section",
                       "text": {"type": "mrkdwn", "text": truncate_mrkdwn(summary, SLACK_SECTION_TEXT_MAX)}})
    fields = _slack_fields(context)
    if fields:
        blocks.append({"type": "section", "fields": [
            {"type": "mrkdwn", "text": truncate_mrkdwn(field, SLACK_FIELD_TEXT_MAX)}
            for field in fields[:SLACK_FIELDS_MAX]
        ]})
    if context.reasons:
        why = " \u00b7 ".join(_why(context))
        blocks.append({"type": "context", "elements": [
            {"type": "mrkdwn", "text": truncate_mrkdwn(f"*Why:* {why}", SLACK_CONTEXT_TEXT_MAX)},
        ]})
    blocks.append({"type": "actions", "elements": _slack_buttons(context, jira_url)})

    account = context.account.name or context.customer.name
    fallback = f"Escalation {jira_key}: {context.title}" + (f" ({account}, {context.level})" if account else "")
    return {"text": truncate_mrkdwn(escape_mrkdwn(fallback), SLACK_FALLBACK_MAX), "blocks": blocks}


def render_affected_comment(
    context: EscalationContext,
    *,
    affected_count: int,
    total_arr: float | None,
    env: jinja2.Environment | None = None,
) -> dict[str, Any]:
    """The Jira comment (ADF) saying another customer is affected, with the running count and total ARR."""
    env = env or template_environment()
    data = {
        **context.as_template_data(),
        "affected_count": int(affected_count),
        "total_arr": total_arr,
        "total_arr_display": format_amount(total_arr),
    }
    return markup_to_adf(env.get_template(AFFECTED_COMMENT_TEMPLATE).render(data))


# --- Slack pieces ------------------------------------------------------------------------------------

def _slack_fields(context: EscalationContext) -> list[str]:
    e = escape_mrkdwn
    account = context.account
    customer = e(context.customer.name or "unknown")
    if account.name:
        customer = f"{customer} ({e(account.name)})"
    fields = [f"*Customer*\n{customer}"]
    money = [e(account.tier) if account.tier else None,
             f"ARR {format_amount(account.arr)}" if account.arr is not None else None]
    if any(money):
        fields.append("*Tier / ARR*\n" + " \u00b7 ".join(m for m in money if m))
    if account.renewal_date:
        days = account.days_to_renewal
        when = account.renewal_date.isoformat() + (f" (in {days} days)" if days is not None and days >= 0 else "")
        fields.append(f"*Renewal*\n{when}")
    fields.append(f"*Score*\n{context.score:.2f} ({e(context.level)}) \u00b7 {e(context.priority)}")
    if context.team:
        fields.append(f"*Team*\n{e(context.team.name)}")
    if context.expert:
        expert = context.expert
        # A mention pings the expert; the id is ours (directory data), not text from the ticket.
        mention = f"<@{expert.slack_user_id}>" if _is_slack_id(expert.slack_user_id) else e(expert.name)
        fields.append(f"*Expert*\n{mention}")
    return fields


def _why(context: EscalationContext) -> list[str]:
    # "Refund request: subject: "..."" for the top reasons; evidence already quoted is not repeated.
    parts: list[str] = []
    shown: set[str] = set()
    for reason in context.reasons[:SLACK_WHY_REASONS]:
        if reason.evidence and reason.evidence not in shown:
            shown.add(reason.evidence)
            parts.append(f"{escape_mrkdwn(reason.label)}: {escape_mrkdwn(reason.evidence)}")
        else:
            parts.append(escape_mrkdwn(reason.label))
    return parts


def _is_slack_id(value: str | None) -> bool:
    return value is not None and value.isalnum() and value[:1] in "UW"  # "" is not alphanumeric


def _slack_buttons(context: EscalationContext, jira_url: str | None) -> list[dict[str, Any]]:
    buttons: list[dict[str, Any]] = [{
        "type": "button",
        "action_id": ACKNOWLEDGE_ACTION,
        "text": {"type": "plain_text", "text": "Acknowledge", "emoji": True},
        "style": "primary",
        "value": context.escalation_id[:SLACK_BUTTON_VALUE_MAX],
    }]
    for action_id, label, url in (
        (OPEN_JIRA_ACTION, "Open in Jira", jira_url),
        (OPEN_TICKET_ACTION, "Open ticket", context.ticket_url),
    ):
        href = safe_url(url)
        if href and len(href) <= SLACK_BUTTON_URL_MAX:  # a cut URL would lead nowhere: leave the button out
            buttons.append({
                "type": "button",
                "action_id": action_id,
                "text": {"type": "plain_text", "text": truncate(label, SLACK_BUTTON_TEXT_MAX), "emoji": True},
                "url": href,
            })
    # Last: handing it on is the rarer choice, and Slack shows buttons in order.
    buttons.append({
        "type": "button",
        "action_id": REASSIGN_ACTION,
        "text": {"type": "plain_text", "text": "Reassign", "emoji": True},
        "value": context.escalation_id[:SLACK_BUTTON_VALUE_MAX],
    })
    return buttons


def truncate_mrkdwn(text: str, limit: int) -> str:
    """Cut Slack mrkdwn to `limit` characters without breaking an &entity; or a <link|token>."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    open_link = cut.rfind("<")
    if open_link > cut.rfind(">"):
        cut = cut[:open_link]
    amp = cut.rfind("&")
    if amp != -1 and ";" not in cut[amp:]:
        cut = cut[:amp]
    space = cut.rfind(" ")
    if space >= (limit * 2) // 3:
        cut = cut[:space]
    return cut.rstrip() + "\u2026"
