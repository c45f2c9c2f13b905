"""The rolling summary of an escalation after the handoff: what the problem is, what the experts found,
where things stand, what the agent should do next, and who owns it.

`summarise_escalation` is extractive and needs no external service: findings are the experts' own
sentences (Jira comments, Slack thread replies, the resolution comment), picked by general shapes
that carry information (a cause, a fix done or planned, a workaround, a decision, an ETA, a question
for the customer, numbers and ids) and never by matching particular sentences. Pleasantries are
dropped; "looking into it" is kept only when nothing better was said. The next step follows from the
escalation's status and the order of the latest events.

`llm_prompt` and `parse_llm_summary` are the two pure halves of the optional model-written summary
(the call itself lives in sidecar/services/summaries.py, which falls back to the extractive one).

Timeline events are plain mappings::

    {"at": "2026-11-22T10:05:00Z", "system": "jira"|"slack"|"zendesk"|"salesforce"|"sidecar",
     "kind": "escalated"|"status_changed"|"comment"|"customer_comment"|"acknowledged"|"reassigned"|
             "ack_timeout"|"resolved"|"reopened"|"summary",
     "actor": "Priya Shah" | None, "text": "...", "data": {...}}

with, in `data`, ``from``/``to`` (and optionally ``category``: new | indeterminate | done, Jira's
status category) for a status change, ``resolution`` for a resolution, ``to`` for a reassignment.
"""
from sidecar.intelligence.summary.events import ordered_events, redact_timeline
from sidecar.intelligence.summary.extractive import summarise_escalation
from sidecar.intelligence.summary.patterns import (
    clean_statement,
    is_pleasantry,
    is_progress_only,
    sentence_score,
    slack_to_plain,
    statement_kinds,
)
from sidecar.intelligence.summary.prompt import (
    LLM_SYSTEM_PROMPT,
    llm_prompt,
    parse_llm_summary,
)
from sidecar.intelligence.summary.rolling import FINDING_MAX, SOURCES, RollingSummary

__all__ = [
    "FINDING_MAX",
    "LLM_SYSTEM_PROMPT",
    "SOURCES",
    "RollingSummary",
    "clean_statement",
    "is_pleasantry",
    "is_progress_only",
    "llm_prompt",
    "ordered_events",
    "parse_llm_summary",
    "redact_timeline",
    "sentence_score",
    "slack_to_plain",
    "statement_kinds",
    "summarise_escalation",
]
