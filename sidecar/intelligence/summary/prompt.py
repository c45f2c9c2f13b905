"""The optional model-written summary's two pure halves: the prompt, and reading the model's answer."""
from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sidecar.intelligence.escalation_context import EscalationContext, format_when
from sidecar.intelligence.redaction import Redactor
from sidecar.intelligence.summary.events import ordered_events
from sidecar.intelligence.summary.patterns import slack_to_plain
from sidecar.intelligence.summary.rolling import RollingSummary
from sidecar.intelligence.text.clean import collapse, truncate

PROMPT_EVENTS_MAX = 40  # the most recent events a model is shown
PROMPT_EVENT_TEXT_MAX = 600

# Whatever the caller already masked, a prompt never carries an email address or a card number.
_PROMPT_REDACTOR = Redactor(emails=True, cards=True)

LLM_SYSTEM_PROMPT = """\
You summarise the progress of an escalated customer-support ticket for the support agent who owns \
the ticket. Use only the facts you are given: never invent causes, fixes, dates, numbers or names. \
Placeholders such as [email], [phone], [redacted] or [card ending 4242] stand for masked data; keep them \
as they are.

Answer with one JSON object and nothing else, with exactly these keys:
"problem": the customer's problem in one sentence (at most 200 characters);
"findings": a list of at most 3 of the most informative statements by the engineers or experts \
(causes, fixes, workarounds, decisions, ETAs, numbers, ids), newest first, each at most 200 characters; \
[] when they have reported nothing yet. Leave out greetings and "looking into it";
"status": where things stand, in a few words (for example "Investigating (Jira: In Progress)");
"next_step": what the support agent should do next, in one short sentence;
"owner": the name of the person or team who owns the work now, or null."""


def llm_prompt(
    context: EscalationContext,
    timeline: Sequence[Mapping[str, Any]],
    status: str,
    jira_status: str | None,
    owner: str | None,
    *,
    acknowledged_by: str | None = None,
) -> list[dict[str, str]]:
    """Chat messages asking a model for the summary's five fields as JSON; every fact masked for emails and cards.

    Pass an already redacted context and timeline (the installation's redaction settings); emails and card
    numbers are masked here again whatever the caller did.
    """
    r = _PROMPT_REDACTOR.redact
    lines = [
        f"Ticket: {context.ticket_label}",
        f"Title: {r(context.title)}",
        f"Problem (customer's words, condensed): {r(context.problem) or 'not stated'}",
    ]
    if context.error_messages:
        lines.append("Errors reported: " + "; ".join(r(e) for e in context.error_messages[:5]))
    if context.team:
        lines.append(f"Team: {r(context.team.name)}")
    lines += [
        f"Escalation status: {r(status) or 'unknown'}",
        f"Jira status: {r(jira_status) if jira_status else 'unknown'}",
        f"Owner: {r(owner) if owner else 'unknown'}",
        f"Acknowledged by: {r(acknowledged_by) if acknowledged_by else 'nobody yet'}",
        "",
        "Timeline (oldest first):",
    ]
    events = [e for e in ordered_events(timeline) if e["kind"] != "summary"]
    if len(events) > PROMPT_EVENTS_MAX:
        lines.append(f"- ({len(events) - PROMPT_EVENTS_MAX} earlier events not shown)")
        events = events[-PROMPT_EVENTS_MAX:]
    for event in events:
        lines.append("- " + _prompt_event(event, r))
    if not events:
        lines.append("- (no events yet)")
    return [
        {"role": "system", "content": LLM_SYSTEM_PROMPT},
        {"role": "user", "content": "\n".join(lines)},
    ]


def _prompt_event(event: Mapping[str, Any], r: Any) -> str:
    when = format_when(event["at_dt"]) if isinstance(event["at_dt"], datetime) else None
    who = f" by {r(event['actor'])}" if event["actor"] else ""
    head = f"{when + ' ' if when else ''}{event['system'] or 'unknown'} {event['kind'] or 'event'}{who}"
    data = event["data"]
    details = []
    if event["kind"] == "status_changed" and (data.get("from") or data.get("to")):
        details.append(f"from {r(str(data.get('from') or '?'))} to {r(str(data.get('to') or '?'))}")
    if data.get("resolution"):
        details.append(f"resolution {r(str(data['resolution']))}")
    if event["kind"] == "reassigned" and data.get("to"):
        to = data["to"].get("name") if isinstance(data["to"], Mapping) else data["to"]
        details.append(f"to {r(str(to))}")
    text = event["text"]
    if event["system"] == "slack":
        text = slack_to_plain(text)
    text = truncate(collapse(r(text)), PROMPT_EVENT_TEXT_MAX)
    return head + (f" ({', '.join(details)})" if details else "") + (f": {text}" if text else "")


_FENCE = re.compile(r"^\s*```[A-Za-z0-9_-]*\s*\n?(?P<body>.*?)\n?\s*```\s*$", re.DOTALL)


def parse_llm_summary(text: str) -> RollingSummary:
    """The model's answer as a RollingSummary (source "llm"); JSON, possibly in ```json fences.

    ValueError when the answer holds no usable JSON object with problem, status and next_step.
    """
    if not isinstance(text, str) or not text.strip():
        raise ValueError("the model's answer is empty")
    body = text.strip()
    fenced = _FENCE.match(body)
    if fenced:
        body = fenced.group("body").strip()
    try:
        data = json.loads(body)
    except ValueError:
        start, end = body.find("{"), body.rfind("}")
        if start < 0 or end <= start:
            raise ValueError("the model's answer holds no JSON object") from None
        try:
            data = json.loads(body[start:end + 1])
        except ValueError:
            raise ValueError("the model's answer is not valid JSON") from None
    if not isinstance(data, Mapping):
        raise ValueError("the model's answer is not a JSON object")  # noqa: TRY004 - parse errors are ValueErrors

    def text_field(*names: str, required: bool = True) -> str | None:
        for name in names:
            value = data.get(name)
            if value is None:
                continue
            if not isinstance(value, str):
                raise ValueError(f"the model's {names[0]} is not a string")  # noqa: TRY004 - as above
            if value.strip():
                return value
        if required:
            raise ValueError(f"the model's answer has no {names[0]}")
        return None

    findings = data.get("findings", [])
    if findings is None:
        findings = []
    if isinstance(findings, str):
        findings = [findings]
    if not isinstance(findings, list) or not all(isinstance(f, str) for f in findings):
        raise ValueError("the model's findings are not a list of strings")
    owner = text_field("owner", required=False)
    if owner and owner.strip().lower() in ("null", "none", "unknown", "n/a"):
        owner = None
    return RollingSummary.compose(
        problem=text_field("problem") or "",
        findings=findings,
        status=text_field("status") or "",
        next_step=text_field("next_step", "nextStep", "next") or "",
        owner=owner,
        source="llm",
    )
