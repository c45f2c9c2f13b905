"""The rolling summary of an escalation: extractive by default, written by a model when one is configured.

The model is an optional improvement, never a dependency: whatever goes wrong with it (an ApiError, a
timeout, an answer that is not the JSON asked for, a bug) is logged as a warning and the extractive
summary is returned. Nothing leaves for the model unredacted: the installation's redaction settings
apply, and emails are masked whatever those say (card numbers are masked by default and again in
`llm_prompt`). The extractive summary is built from the same context and timeline redacted with the
installation's settings, since it is written back into the ticket, Jira and Slack.
"""
from __future__ import annotations

import dataclasses
import logging
from collections.abc import Mapping, Sequence
from typing import Any

from sidecar.clients.errors import ApiError
from sidecar.clients.llm import ChatClient
from sidecar.intelligence.escalation_context import EscalationContext
from sidecar.intelligence.redaction import Redactor
from sidecar.intelligence.summary import (
    RollingSummary,
    llm_prompt,
    parse_llm_summary,
    redact_timeline,
    summarise_escalation,
)

log = logging.getLogger(__name__)

LLM_TEMPERATURE = 0.0
LLM_MAX_TOKENS = 400


def rolling_summary(
    *,
    context: EscalationContext,
    timeline: Sequence[Mapping[str, Any]],
    status: str,
    jira_status: str | None,
    owner: str | None,
    acknowledged_by: str | None,
    llm: ChatClient | None,
    redactor: Redactor,
) -> RollingSummary:
    """The escalation's rolling summary: the model's when `llm` is set and it answers usably, else extractive.

    Never raises.
    """
    extractive = _extractive(context=context, timeline=timeline, status=status, jira_status=jira_status,
                             owner=owner, acknowledged_by=acknowledged_by, redactor=redactor)
    if llm is None:
        return extractive
    outbound = dataclasses.replace(redactor, emails=True)
    try:
        messages = llm_prompt(
            context.redacted(outbound),
            redact_timeline(timeline, outbound),
            status,
            jira_status,
            outbound.redact(owner) if owner else None,
            acknowledged_by=outbound.redact(acknowledged_by) if acknowledged_by else None,
        )
        answer = llm.complete(messages, temperature=LLM_TEMPERATURE, max_tokens=LLM_MAX_TOKENS)
        summary = parse_llm_summary(answer)
    except ApiError as exc:
        # The error's class and status only: its message may quote the vendor's answer.
        log.warning("LLM summary for escalation %s failed (%s%s); using the extractive summary",
                    context.escalation_id, type(exc).__name__, f", HTTP {exc.status}" if exc.status else "")
        return extractive
    except ValueError:
        log.warning("LLM summary for escalation %s: the model's answer was not a usable summary; using the "
                    "extractive summary", context.escalation_id)
        return extractive
    except Exception as exc:  # noqa: BLE001 - the model is optional: any failure means the extractive summary
        log.warning("LLM summary for escalation %s failed unexpectedly (%s); using the extractive summary",
                    context.escalation_id, type(exc).__name__)
        return extractive
    if summary.owner is None and extractive.owner:
        # Who owns the work is a fact we hold; the model only gets to say it when it knows better.
        summary = RollingSummary.compose(problem=summary.problem, findings=summary.findings, status=summary.status,
                                         next_step=summary.next_step, owner=extractive.owner, source="llm")
    return summary


def _extractive(
    *,
    context: EscalationContext,
    timeline: Sequence[Mapping[str, Any]],
    status: str,
    jira_status: str | None,
    owner: str | None,
    acknowledged_by: str | None,
    redactor: Redactor,
) -> RollingSummary:
    try:
        return summarise_escalation(context=context.redacted(redactor), timeline=redact_timeline(timeline, redactor),
                                    status=status, jira_status=jira_status,
                                    owner=redactor.redact(owner) if owner else None,
                                    acknowledged_by=redactor.redact(acknowledged_by) if acknowledged_by else None)
    except Exception as exc:  # noqa: BLE001 - a summary must never stop the sync it rides along with
        log.warning("extractive summary for escalation %s failed (%s); using a minimal one",
                    context.escalation_id, type(exc).__name__)
        return RollingSummary.compose(
            problem=redactor.redact(context.problem or context.title), findings=(),
            status=" ".join(f"{status or 'unknown'} (Jira: {jira_status})".split()) if jira_status else
            (status or "unknown"),
            next_step="See the Jira issue and the Slack thread for the latest updates.",
            owner=redactor.redact(owner or acknowledged_by or (context.expert.name if context.expert else "")) or None,
            source="extractive",
        )
