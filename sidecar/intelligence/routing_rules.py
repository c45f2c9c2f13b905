"""Routing rules: ordered, readable conditions an operator writes to send tickets to a team.

A rule's `when` holds any of these conditions; all of them must hold (AND), and inside a list any value
may match (OR):

    category: [billing_refund, ...]   the assessment found one of these categories
    tier: [enterprise, ...]           organization.tier is one of these (case-insensitive)
    tags: [vip, ...]                  the ticket has one of these tags
    language: [de, fr, ...]           the ticket's language (requester locale/language, a custom field, or a guess
                                      from the customer's words in de, fr, es, pt, it, nl)
    product: [billing-api, ...]       custom_fields.product, or a tag 'product:<name>' / 'product_<name>'
    keywords: ["chargeback", ...]     the customer's text contains one of these words or phrases
    min_arr: 100000                   organization.arr >= this
    max_arr: 5000                     organization.arr < this

The first enabled rule that matches wins.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sidecar.intelligence.language import guess_language
from sidecar.intelligence.ticket import Ticket

LIST_CONDITIONS = ("category", "tier", "tags", "language", "product", "keywords")
NUMBER_CONDITIONS = ("min_arr", "max_arr")
CONDITIONS = LIST_CONDITIONS + NUMBER_CONDITIONS


@dataclass(frozen=True)
class RuleSpec:
    """A rule as the decision needs it: its id, name, target team and conditions."""

    id: str
    name: str
    team_id: str
    conditions: Mapping[str, Any]


@dataclass(frozen=True)
class RuleMatch:
    """The rule that matched, with each condition that held spelled out."""

    rule: RuleSpec
    because: tuple[str, ...]


def check_conditions(conditions: Mapping[str, Any]) -> list[str]:
    """Problems with a rule's conditions, each naming the condition; empty when the rule is well-formed."""
    problems = []
    if not conditions:
        problems.append("a rule needs at least one condition")
    for key, value in conditions.items():
        if key not in CONDITIONS:
            problems.append(f"unknown condition {key!r} (known: {', '.join(CONDITIONS)})")
        elif key in LIST_CONDITIONS:
            if not isinstance(value, list) or not value or not all(isinstance(v, str) and v.strip() for v in value):
                problems.append(f"{key} must be a non-empty list of strings")
        elif isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            problems.append(f"{key} must be a non-negative number")
    return problems


def ticket_language(ticket: Ticket) -> str | None:
    """The ticket's language code: what the help desk says (requester locale, a language custom field),
    else a guess from the customer's own words when they are clearly not English (intelligence.language)."""
    candidates = []
    if ticket.requester is not None:
        candidates += [ticket.requester.extra.get(k) for k in ("locale", "language")]
    candidates += [ticket.custom_fields.get(k) for k in ("language", "locale")]
    for value in candidates:
        if isinstance(value, str) and value.strip():
            return value.strip().lower().replace("_", "-").split("-")[0]
    guessed = guess_language(" ".join(text for _, text in ticket.customer_messages()))
    # English is every team's working language here: guessing it would only add "speaks en" to every
    # route, so only another language is reported.
    return guessed if guessed != "en" else None


def ticket_products(ticket: Ticket) -> set[str]:
    """Product names from custom_fields.product and tags like 'product:x' / 'product_x'."""
    products = set()
    value = ticket.custom_fields.get("product")
    if isinstance(value, str) and value.strip():
        products.add(value.strip().lower())
    for tag in ticket.tags:
        match = re.match(r"^product[:_](.+)$", tag.lower())
        if match:
            products.add(match.group(1))
    return products


def _customer_text(ticket: Ticket) -> str:
    return " ".join(text for _, text in ticket.customer_messages()).lower()


def _contains_phrase(text: str, phrase: str) -> bool:
    return re.search(r"(?<!\w)" + re.escape(phrase.lower().strip()) + r"(?!\w)", text) is not None


def _lowered(values: Iterable[str]) -> set[str]:
    return {v.strip().lower() for v in values}


def explain_match(conditions: Mapping[str, Any], ticket: Ticket, categories: set[str]) -> tuple[str, ...] | None:
    """Why every condition holds for this ticket, or None if one does not."""
    because: list[str] = []
    org = ticket.organization
    for key, wanted in conditions.items():
        if key == "category":
            hit = categories & set(wanted)
            if not hit:
                return None
            because.append(f"category {', '.join(sorted(hit))}")
        elif key == "tier":
            tier = (org.tier or "").lower() if org else ""
            if tier not in _lowered(wanted):
                return None
            because.append(f"tier {tier}")
        elif key == "tags":
            hit = _lowered(ticket.tags) & _lowered(wanted)
            if not hit:
                return None
            because.append(f"tag {', '.join(sorted(hit))}")
        elif key == "language":
            language = ticket_language(ticket)
            if language is None or language not in _lowered(wanted):
                return None
            because.append(f"language {language}")
        elif key == "product":
            hit = ticket_products(ticket) & _lowered(wanted)
            if not hit:
                return None
            because.append(f"product {', '.join(sorted(hit))}")
        elif key == "keywords":
            text = _customer_text(ticket)
            mentioned = [w for w in wanted if _contains_phrase(text, w)]
            if not mentioned:
                return None
            because.append(f"mentions {', '.join(repr(w) for w in mentioned[:3])}")
        elif key == "min_arr":
            if org is None or org.arr is None or org.arr < wanted:
                return None
            because.append(f"ARR {org.arr:,.0f} >= {wanted:,.0f}")
        elif key == "max_arr":
            if org is None or org.arr is None or org.arr >= wanted:
                return None
            because.append(f"ARR {org.arr:,.0f} < {wanted:,.0f}")
    return tuple(because)


def first_matching_rule(rules: Iterable[RuleSpec], ticket: Ticket, categories: set[str]) -> RuleMatch | None:
    """The first rule (in order) whose conditions all hold, with the reasons; None if none does."""
    for rule in rules:
        because = explain_match(rule.conditions, ticket, categories)
        if because is not None:
            return RuleMatch(rule=rule, because=because)
    return None
