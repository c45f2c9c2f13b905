"""What the sidecar writes after the handoff, rendered from the escalation's context and its timeline:
internal ticket notes for Jira and Slack updates, Slack thread replies, Jira comments carrying Slack
replies and new customer comments, the resolution note with a drafted customer reply, the proactive
"needs an expert" suggestion, and the acknowledgement notes.

Words live in templates/ (operators may override them); this module prepares the data (an event as
plain fields, the rolling summary as a dict, durations as text), turns Jira markup into ADF and keeps
Slack's pieces within Block Kit's limits. Every note that carries a marker ends with it, even when an
overriding template drops it, because the sidecar recognises its own writes by it.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

import jinja2

from sidecar.domain import marker as echo_marker
from sidecar.intelligence.escalation_context import EscalationContext, format_when
from sidecar.intelligence.summary import RollingSummary, slack_to_plain, statement_kinds
from sidecar.intelligence.text.clean import truncate
from sidecar.intelligence.text.sentences import sentences
from sidecar.intelligence.ticket import parse_datetime
from sidecar.rendering.adf import markup_to_adf
from sidecar.rendering.environment import escape_mrkdwn, template_environment
from sidecar.rendering.escalation import (
    SLACK_FALLBACK_MAX,
    SLACK_SECTION_TEXT_MAX,
    truncate_mrkdwn,
)

UPDATE_NOTE_TEMPLATE = "ticket/update_note.txt.j2"
THREAD_UPDATE_TEMPLATE = "slack/thread_update.mrkdwn.j2"
SYNC_COMMENT_TEMPLATE = "jira/sync_comment.md.j2"
RESOLUTION_REPLY_TEMPLATE = "ticket/resolution_reply.txt.j2"
RESOLUTION_NOTE_TEMPLATE = "ticket/resolution_note.txt.j2"
SUGGESTION_NOTE_TEMPLATE = "ticket/suggestion_note.txt.j2"
ACK_NOTE_TEMPLATE = "ticket/acknowledged_note.txt.j2"
ACK_TIMEOUT_NOTE_TEMPLATE = "ticket/ack_timeout_note.txt.j2"

EVENT_TEXT_MAX = 2000  # an event's text quoted in a note or a Jira comment
SLACK_EVENT_TEXT_MAX = 1200  # ... and in a Slack thread reply, which should stay short
ACTOR_MAX = 80  # a display name; longer is not a name
SUGGESTION_REASONS_MAX = 4
SUGGESTION_REASON_MAX = 160
SYSTEM_LABELS = {"jira": "Jira", "slack": "Slack", "zendesk": "Zendesk", "salesforce": "Salesforce",
                 "sidecar": "the sidecar"}

# Jira resolution names, grouped by what the customer should hear (anything else counts as fixed).
_NOT_FIXED = re.compile(r"\b(?:won'?t|will\s+not|declined|rejected|by\s+design|as\s+designed|not\s+a\s+bug|"
                        r"obsolete|out\s+of\s+scope)\b", re.IGNORECASE)
_CANNOT_REPRODUCE = re.compile(r"\b(?:cannot|can'?t|could\s+not|unable\s+to)\s+reproduce|\bincomplete\b|"
                               r"\bno\s+response\b", re.IGNORECASE)
# Internal references that mean nothing to a customer: pull/merge requests, commits, @mentions, labels.
_INTERNAL_REF = re.compile(
    r"\s*\((?:[^()]*\b(?:PR|MR|pull\s+request|merge\s+request|commit|branch)\b[^()]*)\)"
    r"|\b(?:in\s+|via\s+|with\s+)?(?:PR|MR|pull\s+request|merge\s+request)\s*#?\d+\b"
    r"|\b(?:in\s+)?commit\s+[0-9a-f]{7,40}\b"
    r"|(?<![\w.])@[\w.\-]+",
    re.IGNORECASE,
)
_DONE_KINDS = frozenset({"fix_done", "verified", "eta", "workaround", "decision"})
_LEADING_LABEL = re.compile(r"^(?:[A-Z][\w'-]*(?:\s+[\w'-]+){0,2})\s*:\s+(?=\S)")


# --- notes and replies for timeline events -----------------------------------------------------------

def render_update_note(
    context: EscalationContext,
    *,
    event: Mapping[str, Any],
    summary: RollingSummary | Mapping[str, Any],
    jira_key: str | None,
    jira_url: str | None,
    marker: str,
    env: jinja2.Environment | None = None,
) -> str:
    """The internal ticket note for a Jira status change or comment or a Slack reply, with where things stand."""
    env = env or template_environment()
    data = {**context.as_template_data(), "event": event_template_data(event), "summary": _summary_data(summary),
            "jira_key": jira_key, "jira_url": jira_url, "marker": marker}
    return echo_marker.append(_clean_text(env.get_template(UPDATE_NOTE_TEMPLATE).render(data)), marker)


def render_thread_reply(
    context: EscalationContext,
    *,
    event: Mapping[str, Any],
    summary: RollingSummary | Mapping[str, Any] | None,
    env: jinja2.Environment | None = None,
) -> dict[str, Any]:
    """The Slack thread reply for a Jira update or a new customer comment: fallback `text` and one section block."""
    env = env or template_environment()
    data = {**context.as_template_data(), "event": event_template_data(event, text_max=SLACK_EVENT_TEXT_MAX),
            "summary": _summary_data(summary)}
    body = env.get_template(THREAD_UPDATE_TEMPLATE).render(data).strip()
    if not body:
        body = escape_mrkdwn(f"Update on {context.ticket_label}")
    headline = body.split("\n", 1)[0]
    return {
        "text": truncate_mrkdwn(headline, SLACK_FALLBACK_MAX),
        "blocks": [{"type": "section",
                    "text": {"type": "mrkdwn", "text": truncate_mrkdwn(body, SLACK_SECTION_TEXT_MAX)}}],
    }


def render_jira_comment(
    context: EscalationContext,
    *,
    event: Mapping[str, Any],
    marker: str,
    env: jinja2.Environment | None = None,
) -> dict[str, Any]:
    """The Jira comment (ADF) carrying a Slack thread reply or a new customer comment, the marker last."""
    env = env or template_environment()
    data = {**context.as_template_data(), "event": event_template_data(event), "marker": marker}
    document = markup_to_adf(env.get_template(SYNC_COMMENT_TEMPLATE).render(data))
    if marker not in _adf_text(document):
        # An override that drops the marker would make the sidecar sync its own comment back.
        document = echo_marker.append_adf(document, marker, style="code")
    return document


# --- resolution ---------------------------------------------------------------------------------------

def render_resolution_reply(
    context: EscalationContext,
    *,
    resolution: str | None,
    summary: RollingSummary | Mapping[str, Any] | None,
    env: jinja2.Environment | None = None,
) -> str:
    """A drafted reply to the customer (plain, friendly, no internal references) saying what was wrong and done."""
    env = env or template_environment()
    summary_data = _summary_data(summary)
    explained = _explanation(summary_data["findings"] if summary_data else [], context)
    data = {
        **context.as_template_data(),
        "first_name": _first_name(context.customer.name),
        "subject": _subject(context),
        "resolution": resolution or None,
        "resolution_kind": resolution_kind(resolution),
        "summary": summary_data,
        **explained,
    }
    return _clean_text(env.get_template(RESOLUTION_REPLY_TEMPLATE).render(data))


def render_resolution_note(
    context: EscalationContext,
    *,
    resolution: str | None,
    draft: str,
    summary: RollingSummary | Mapping[str, Any] | None,
    jira_key: str | None,
    jira_url: str | None,
    time_to_acknowledge: str | None,
    time_to_resolve: str | None,
    marker: str,
    env: jinja2.Environment | None = None,
) -> str:
    """The internal note saying engineering resolved the issue, with the times and the drafted reply to send."""
    env = env or template_environment()
    data = {
        **context.as_template_data(),
        "resolution": resolution or None,
        "draft": draft,
        "summary": _summary_data(summary),
        "jira_key": jira_key,
        "jira_url": jira_url,
        "time_to_acknowledge": time_to_acknowledge or None,
        "time_to_resolve": time_to_resolve or None,
        "marker": marker,
    }
    return echo_marker.append(_clean_text(env.get_template(RESOLUTION_NOTE_TEMPLATE).render(data)), marker)


def resolution_kind(resolution: str | None) -> str:
    """'not_fixed' (Won't Do, Declined, ...), 'cannot_reproduce' (Cannot Reproduce, Incomplete) or 'fixed'."""
    name = " ".join(str(resolution or "").split())
    if _NOT_FIXED.search(name):
        return "not_fixed"
    if _CANNOT_REPRODUCE.search(name):
        return "cannot_reproduce"
    return "fixed"


# --- proactive suggestion and acknowledgement ---------------------------------------------------------

def render_suggestion_note(
    context: EscalationContext,
    *,
    score: float,
    level: str,
    reasons: Sequence[str | Mapping[str, Any]],
    team: str | Mapping[str, Any] | None,
    expert: str | Mapping[str, Any] | None,
    marker: str,
    env: jinja2.Environment | None = None,
) -> str:
    """The internal note suggesting an escalation when a ticket's score crosses the threshold."""
    env = env or template_environment()
    team_name, expert_name = _name(team), _name(expert)
    data = {
        **context.as_template_data(),
        "score": float(score),
        "score_display": f"{float(score):.2f}",
        "level": level,
        "suggestion_reasons": _reason_texts(reasons),
        "suggested_team": team_name,
        "suggested_expert": expert_name,
        "suggested": " / ".join(n for n in (team_name, expert_name) if n) or None,
        "marker": marker,
    }
    return echo_marker.append(_clean_text(env.get_template(SUGGESTION_NOTE_TEMPLATE).render(data)), marker)


def render_ack_note(
    context: EscalationContext,
    *,
    who: str,
    when: datetime | str | None,
    marker: str | None = None,
    env: jinja2.Environment | None = None,
) -> str:
    """The internal note saying the expert acknowledged the escalation (ending with `marker` when given)."""
    env = env or template_environment()
    at = _datetime(when)
    data = {**context.as_template_data(), "who": who, "when": format_when(at) if at else None,
            "when_iso": at.isoformat() if at else None, "marker": marker or None}
    note = env.get_template(ACK_NOTE_TEMPLATE).render(data)
    return echo_marker.append(_clean_text(note), marker)


def render_ack_timeout_note(
    context: EscalationContext,
    *,
    minutes: float,
    pinged: str | Sequence[str | Mapping[str, Any]] | None,
    marker: str | None = None,
    env: jinja2.Environment | None = None,
) -> str:
    """The internal note saying nobody acknowledged in time and who was pinged next."""
    env = env or template_environment()
    names = [pinged] if isinstance(pinged, str) else [_name(p) for p in pinged or ()]
    data = {**context.as_template_data(), "minutes": minutes, "waited": format_duration(float(minutes) * 60),
            "pinged": [n for n in names if n], "marker": marker or None}
    note = env.get_template(ACK_TIMEOUT_NOTE_TEMPLATE).render(data)
    return echo_marker.append(_clean_text(note), marker)


def format_duration(seconds: float) -> str:
    """A duration as people say it: '45 s', '2 min 5 s', '2 h 5 min', '3 d 4 h' (two largest units, floored)."""
    total = max(0, int(seconds))
    units = (("d", 86400), ("h", 3600), ("min", 60), ("s", 1))
    for index, (name, size) in enumerate(units):
        if total >= size or size == 1:
            whole, rest = divmod(total, size)
            text = f"{whole} {name}"
            if index + 1 < len(units):
                next_name, next_size = units[index + 1]
                part = rest // next_size
                if part:
                    text += f" {part} {next_name}"
            return text
    return "0 s"  # pragma: no cover - the loop always returns


# --- data for the templates ---------------------------------------------------------------------------

def event_template_data(event: Mapping[str, Any], *, text_max: int = EVENT_TEXT_MAX) -> dict[str, Any]:
    """A timeline event as template variables: {at, when, system, system_label, kind, actor, text, lines,
    from_status, to_status, resolution, reassigned_to, data}; Slack markup decoded, text cut to `text_max`."""
    event = event or {}
    system = str(event.get("system") or "")
    raw_data = event.get("data")
    data = dict(raw_data) if isinstance(raw_data, Mapping) else {}
    text = str(event.get("text") or "")
    if system == "slack":
        text = slack_to_plain(text)
    text = "\n".join(line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")).strip()
    text = truncate(text, text_max)
    at = _datetime(event.get("at"))
    actor = truncate(" ".join(str(event.get("actor") or "").split()), ACTOR_MAX) or None
    return {
        "at": at.isoformat() if at else None,
        "when": format_when(at),
        "system": system,
        "system_label": SYSTEM_LABELS.get(system, system.title() or "the sidecar"),
        "kind": str(event.get("kind") or ""),
        "actor": actor,
        "text": text,
        "lines": [line.strip() for line in text.split("\n") if line.strip()],
        "from_status": _text_or_none(data.get("from") or data.get("from_status")),
        "to_status": _text_or_none(data.get("to") or data.get("to_status")) if event.get("kind") == "status_changed"
        else _text_or_none(data.get("to_status")),
        "resolution": _text_or_none(data.get("resolution")),
        "reassigned_to": _name(data.get("to")) if event.get("kind") == "reassigned" else None,
        "data": data,
    }


def _summary_data(summary: RollingSummary | Mapping[str, Any] | None) -> dict[str, Any] | None:
    if summary is None:
        return None
    if isinstance(summary, RollingSummary):
        return summary.as_dict()
    findings = summary.get("findings") or []
    return {
        "problem": str(summary.get("problem") or ""),
        "findings": [str(f) for f in findings] if isinstance(findings, (list, tuple)) else [str(findings)],
        "status": str(summary.get("status") or ""),
        "next_step": str(summary.get("next_step") or ""),
        "owner": summary.get("owner") or None,
        "text": str(summary.get("text") or ""),
        "source": str(summary.get("source") or "extractive"),
    }


def _explanation(findings: Iterable[str], context: EscalationContext) -> dict[str, str | None]:
    """From the findings (newest first): what was wrong (`cause`), what was done (`fix`), a `workaround`
    and a `decision`, each cleaned of internal references for a customer to read."""
    cause = fix = workaround = decision = None
    for finding in findings:
        parts = [(s, statement_kinds(s)) for s in sentences(str(finding))]
        if fix is None and any("fix_done" in k for _, k in parts):
            # The fix and what goes with it (verification, timing); how it was found is not for the customer.
            kept = [s for s, k in parts if not k & {"cause", "diagnosis"} or k & _DONE_KINDS]
            fix = _customer_safe(" ".join(kept), context)
        for sentence, kinds in parts:
            if cause is None and "cause" in kinds and "fix_done" not in kinds:
                cause = _customer_safe(sentence, context)
            if workaround is None and "workaround" in kinds:
                workaround = _customer_safe(sentence, context)
            if decision is None and "decision" in kinds and "fix_done" not in kinds:
                decision = _customer_safe(sentence, context)
    return {"cause": cause or None, "fix": fix or None, "workaround": workaround or None,
            "decision": decision or None}


def _customer_safe(text: str, context: EscalationContext) -> str:
    """Text without pull requests, commits, @mentions, the team's Jira keys or a leading 'Label:'."""
    text = _INTERNAL_REF.sub("", text)
    project = context.team.jira_project if context.team and context.team.jira_project else None
    if project:
        text = re.sub(rf"\s*\(?\b(?:(?i:in|on|via|see|under|per)\s+)?{re.escape(project)}-\d+\b\)?", "", text)
    text = _LEADING_LABEL.sub("", text.strip())
    text = re.sub(r"\s+([,.;:!?])", r"\1", " ".join(text.split())).strip(" ,;:-")
    if text.endswith("\u2026"):
        return ""  # a finding cut mid-sentence reads badly in a reply: leave it out
    if text and text[-1] not in ".!?":
        text += "."
    return text[:1].upper() + text[1:]


def _first_name(name: str | None) -> str | None:
    words = [w for w in str(name or "").replace(",", " ").split() if w.strip(".")]
    if not words:
        return None
    if len(words) > 1 and words[0].rstrip(".").lower() in {"mr", "mrs", "ms", "dr", "prof", "mx"}:
        return None  # "Dr Smith" is not addressed by a first name
    return words[0] if "@" not in words[0] else None


def _subject(context: EscalationContext) -> str:
    title = context.title
    account = context.account.name
    if account and title.startswith(f"{account}: "):
        title = title[len(account) + 2:]
    return title


def _reason_texts(reasons: Sequence[str | Mapping[str, Any]] | None) -> list[str]:
    out = []
    for reason in reasons or ():
        if isinstance(reason, Mapping):
            label = reason.get("label") or str(reason.get("name") or reason.get("signal") or "").replace("_", " ")
            label = str(label).strip()
            label = label[:1].upper() + label[1:]
            evidence = " ".join(str(reason.get("evidence") or "").split())
            text = f"{label}: {evidence}" if label and evidence else label or evidence
        else:
            text = " ".join(str(reason or "").split())
        if text:
            out.append(truncate(text, SUGGESTION_REASON_MAX))
    return out[:SUGGESTION_REASONS_MAX]


def _name(value: Any) -> str | None:
    if isinstance(value, Mapping):
        value = value.get("name") or value.get("display_name") or value.get("id")
    text = " ".join(str(value or "").split())
    return text or None


def _text_or_none(value: Any) -> str | None:
    if isinstance(value, Mapping):
        value = value.get("name")
    text = " ".join(str(value or "").split())
    return text or None


def _datetime(value: Any) -> datetime | None:
    try:
        return parse_datetime(value)
    except (TypeError, ValueError):
        return None


def _clean_text(text: str) -> str:
    # Optional template parts can leave runs of blank lines; one blank line is the most a note shows.
    text = "\n".join(line.rstrip() for line in text.strip().split("\n"))
    return re.sub(r"\n{3,}", "\n\n", text)


def _adf_text(node: Any) -> str:
    if isinstance(node, Mapping):
        return str(node.get("text") or "") + "".join(_adf_text(child) for child in node.get("content") or ())
    return ""
