"""Display forms of an escalation context: amounts, times, the renewal, and the data templates receive."""
from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # type names only: records imports this module to build its template data
    from sidecar.intelligence.escalation_context.records import (
        Account,
        EscalationContext,
    )

# Names of the languages a customer's text is recognised in (and common locales), for notes and issues.
LANGUAGE_NAMES = {"de": "German", "fr": "French", "es": "Spanish", "pt": "Portuguese", "it": "Italian",
                  "nl": "Dutch", "ja": "Japanese", "zh": "Chinese", "ko": "Korean", "sv": "Swedish",
                  "da": "Danish", "no": "Norwegian", "fi": "Finnish", "pl": "Polish"}


def format_amount(value: float | None) -> str | None:
    """57600.0 -> '57,600'; no currency symbol, since installations bill in their own currency."""
    if value is None:
        return None
    return f"{value:,.0f}" if float(value).is_integer() or abs(value) >= 1000 else f"{value:,.2f}"


def format_when(value: datetime | None) -> str | None:
    """'2026-11-20 09:12 UTC' for a timestamp (converted to UTC)."""
    if value is None:
        return None
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _renewal_display(account: Account) -> str | None:
    if account.renewal_date is None:
        return None
    days = account.days_to_renewal
    if days is None:
        return account.renewal_date.isoformat()
    if days < 0:
        return f"{account.renewal_date.isoformat()} ({-days} days ago)"
    if days == 0:
        return f"{account.renewal_date.isoformat()} (today)"
    return f"{account.renewal_date.isoformat()} (in {days} days)"


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def template_data(context: EscalationContext) -> dict[str, Any]:
    """Plain dicts, lists and strings for templates; dates as ISO strings plus ready-made display forms."""
    return {
        "escalation_id": context.escalation_id,
        "ticket_source": context.ticket_source,
        "ticket_id": context.ticket_id,
        "ticket_url": context.ticket_url,
        "ticket_label": context.ticket_label,
        "title": context.title,
        "customer": {"name": context.customer.name, "email": context.customer.email},
        "account": _account_data(context.account),
        "problem": context.problem,
        "steps": list(context.steps),
        "error_messages": list(context.error_messages),
        "identifiers": [
            {"value": i.value, "kind": i.kind, "label": f"{i.kind} {i.value}" if i.kind else i.value}
            for i in context.identifiers
        ],
        "timeline": _timeline_data(context),
        "agent_tried": [
            {"by": t.by, "text": t.text, "at": _iso(t.at), "when": format_when(t.at), "public": t.public,
             "repeats": t.repeats}
            for t in context.agent_tried
        ],
        "agent_note": context.agent_note,
        "score": context.score,
        "score_display": f"{context.score:.2f}",
        "level": context.level,
        "categories": [dataclasses.asdict(c) for c in context.categories],
        "reasons": [dataclasses.asdict(x) for x in context.reasons],
        **_assignment_data(context),
        "similar": [dataclasses.asdict(s) for s in context.similar],
        "labels": list(context.labels),
        "priority": context.priority,
        "language": context.language,
        "language_name": LANGUAGE_NAMES.get(context.language or "", context.language),
        "escalated_by": ({**dataclasses.asdict(context.escalated_by), "display": context.escalated_by.display}
                         if context.escalated_by else None),
    }


def _account_data(account: Account) -> dict[str, Any]:
    return {
        "name": account.name,
        "tier": account.tier,
        "arr": account.arr,
        "arr_display": format_amount(account.arr),
        "renewal_date": _iso(account.renewal_date),
        "days_to_renewal": account.days_to_renewal,
        "renewal_display": _renewal_display(account),
    }


def _timeline_data(context: EscalationContext) -> list[dict[str, Any]]:
    return [
        {
            "at": _iso(t.at), "when": format_when(t.at), "author": t.author, "public": t.public,
            "text": t.text, "repeats": t.repeats, "last_at": _iso(t.last_at),
            "last_when": format_when(t.last_at),
        }
        for t in context.timeline
    ]


def _assignment_data(context: EscalationContext) -> dict[str, Any]:
    expert = context.expert
    return {
        "team": dataclasses.asdict(context.team) if context.team else None,
        "expert": {**dataclasses.asdict(expert), "reasons": list(expert.reasons)} if expert else None,
        "route_reasons": list(context.route_reasons),
        "assigned_by_agent": context.assigned_by_agent,
    }
