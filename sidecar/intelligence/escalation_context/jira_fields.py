"""The Jira fields an escalation sets from its assessment: the priority and the labels."""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from sidecar.intelligence.ticket import Ticket

PRIORITIES = ("Highest", "High", "Medium", "Low")
# Score lower bounds for each Jira priority (the defaults match the scorer's medium/high/critical levels),
# and how many steps up an account tier moves the priority (matched case-insensitively, whole value).
DEFAULT_PRIORITY_MAPPING: dict[str, Any] = {
    "Highest": 0.85,
    "High": 0.6,
    "Medium": 0.35,
    "tier_bumps": {"enterprise": 1, "strategic": 1, "platinum": 1, "vip": 1},
}


def jira_priority(score: float, tier: str | None, mapping: Mapping[str, Any] | None = None) -> str:
    """The Jira priority name (Highest/High/Medium/Low) for a score and the account's tier.

    Default mapping (DEFAULT_PRIORITY_MAPPING): score >= 0.85 (the scorer's "critical") -> Highest,
    >= 0.6 ("high") -> High, >= 0.35 ("medium") -> Medium, otherwise Low; then an enterprise, strategic,
    platinum or VIP account moves it one step up, so critical, or high on an enterprise account, is
    Highest. An installation may override any threshold and the tier bumps, e.g.
    ``{"Highest": 0.9, "High": 0.7, "tier_bumps": {"enterprise": 1, "business": 1}}``.
    ValueError when the mapping is malformed.
    """
    merged = {**DEFAULT_PRIORITY_MAPPING, **dict(mapping or {})}
    unknown = sorted(set(merged) - set(DEFAULT_PRIORITY_MAPPING) - {"Low"})
    if unknown:
        raise ValueError(f"unknown priority mapping key(s): {', '.join(unknown)} (use Highest, High, Medium, "
                         f"tier_bumps)")
    try:
        bounds = [float(merged[name]) for name in PRIORITIES[:3]]
    except (TypeError, ValueError):
        raise ValueError("priority mapping thresholds must be numbers between 0 and 1") from None
    if not all(0.0 <= b <= 1.0 for b in bounds) or not bounds[0] >= bounds[1] >= bounds[2]:
        raise ValueError("priority mapping thresholds must satisfy 1 >= Highest >= High >= Medium >= 0")
    bumps = merged.get("tier_bumps") or {}
    if not isinstance(bumps, Mapping):
        raise ValueError(  # noqa: TRY004 - settings errors are ValueErrors (a 400 naming the key)
            "priority mapping tier_bumps must map tier names to whole numbers of steps")
    rank = next((i for i, bound in enumerate(bounds) if score >= bound), 3)
    bump = 0
    if tier:
        for name, steps in bumps.items():
            if str(name).strip().lower() == tier.strip().lower():
                if not isinstance(steps, int) or isinstance(steps, bool):
                    raise ValueError(f"priority mapping tier_bumps.{name} must be a whole number of steps")
                bump = steps
    return PRIORITIES[min(3, max(0, rank - bump))]


def escalation_labels(ticket: Ticket, category_names: Iterable[str]) -> tuple[str, ...]:
    """Jira labels: where it came from, the ticket, and the categories (no spaces, as Jira requires)."""
    labels = [f"escalated-from-{ticket.source}", f"{ticket.source}-{ticket.id}", *category_names]
    out: list[str] = []
    for label in labels:
        clean = re.sub(r"\s+", "-", str(label).strip().lower())[:255]
        if clean and clean not in out:
            out.append(clean)
    return tuple(out)
