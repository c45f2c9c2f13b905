"""Choose the named expert inside a team: skills, experience with similar incidents, load, availability.

Every candidate gets a score from these parts (documented in the README):

    skills       +1.0 x best category confidence the expert covers, +0.3 per matching tag (max 0.6)
    experience   +0.4 per similar past incident they solved, weighted by similarity (max 1.2)
    language     +0.3 if they speak the ticket's language, -0.6 if the language is known and they do not
    load         -1.0 x open load / capacity; at or over capacity a further -1.5
    availability outside working hours -0.4; out of office: not a candidate at all

Ties (and near-ties, within 0.05) are broken by rendezvous hashing of (ticket id, expert id): stateless,
the same ticket always gets the same answer, and over many tickets equal experts get equal shares.
"""
from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
NEAR_TIE = 0.05


@dataclass(frozen=True)
class ExpertProfile:
    """What selection needs to know about one expert."""

    id: str
    name: str
    categories: frozenset[str] = frozenset()
    tags: frozenset[str] = frozenset()
    languages: frozenset[str] = frozenset()
    timezone: str = "UTC"
    working_hours: Mapping[str, Any] = field(default_factory=dict)
    capacity: int = 5
    out_of_office: Sequence[Mapping[str, Any]] = ()
    open_load: int = 0
    similar_solved: float = 0.0  # sum of similarity scores of similar incidents they solved
    similar_count: int = 0


@dataclass(frozen=True)
class ExpertChoice:
    """One ranked candidate with its score and the reasons in words."""

    expert: ExpertProfile
    score: float
    available_now: bool
    reasons: tuple[str, ...]


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _as_date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and value:
        return date.fromisoformat(value[:10])
    return None


def out_of_office_on(expert: ExpertProfile, now: datetime) -> Mapping[str, Any] | None:
    """The out-of-office period covering `now` in the expert's time zone (dates inclusive), if any."""
    today = now.astimezone(_zone(expert.timezone)).date()
    for period in expert.out_of_office:
        start, end = _as_date(period.get("start")), _as_date(period.get("end"))
        if (start is None or start <= today) and (end is None or today <= end):
            return period
    return None


def _clock(value: Any, default: time) -> time:
    if isinstance(value, str) and value:
        return time.fromisoformat(value)
    return default


def within_working_hours(expert: ExpertProfile, now: datetime) -> bool:
    """True when `now` falls in the expert's working days and hours, in their own time zone."""
    hours = expert.working_hours or {}
    local = now.astimezone(_zone(expert.timezone))
    days = [d.lower()[:3] for d in hours.get("days", DAYS[:5])]
    if DAYS[local.weekday()] not in days:
        return False
    start = _clock(hours.get("start"), time(9, 0))
    end = _clock(hours.get("end"), time(17, 0))
    current = local.time().replace(tzinfo=None)
    if start <= end:
        return start <= current < end
    return current >= start or current < end  # a shift that crosses midnight


def _tie_break(ticket_id: str, expert_id: str) -> float:
    digest = hashlib.blake2b(f"{ticket_id}:{expert_id}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


def score_expert(
    expert: ExpertProfile,
    *,
    categories: Mapping[str, float],
    ticket_tags: frozenset[str],
    language: str | None,
    now: datetime,
) -> ExpertChoice | None:
    """Score one expert for a ticket; None if they cannot take it now (out of office)."""
    period = out_of_office_on(expert, now)
    if period is not None:
        return None
    score = 0.0
    reasons: list[str] = []
    covered = {name: conf for name, conf in categories.items() if name in expert.categories}
    if covered:
        best = max(covered, key=covered.__getitem__)
        score += covered[best]
        reasons.append(f"skilled in {best.replace('_', ' ')}")
    tag_hits = sorted(expert.tags & ticket_tags)
    if tag_hits:
        score += min(0.6, 0.3 * len(tag_hits))
        reasons.append(f"knows {', '.join(tag_hits[:3])}")
    if expert.similar_count:
        score += min(1.2, 0.4 * expert.similar_solved)
        reasons.append(f"solved {expert.similar_count} similar incident{'s' if expert.similar_count > 1 else ''}")
    if language:
        if language in expert.languages:
            score += 0.3
            reasons.append(f"speaks {language}")
        elif expert.languages:
            score -= 0.6
            reasons.append(f"does not list {language} among their languages")
    capacity = max(expert.capacity, 1)
    score -= expert.open_load / capacity
    if expert.open_load >= capacity:
        score -= 1.5
        reasons.append(f"at capacity ({expert.open_load} open of {capacity})")
    else:
        reasons.append(f"{expert.open_load} open of {capacity} capacity")
    available = within_working_hours(expert, now)
    if available:
        reasons.append("available now")
    else:
        score -= 0.4
        reasons.append(f"outside working hours ({expert.timezone})")
    return ExpertChoice(expert=expert, score=score, available_now=available, reasons=tuple(reasons))


def rank_experts(
    experts: Sequence[ExpertProfile],
    *,
    ticket_id: str,
    categories: Mapping[str, float],
    ticket_tags: frozenset[str] = frozenset(),
    language: str | None = None,
    now: datetime,
) -> tuple[list[ExpertChoice], list[tuple[ExpertProfile, str]]]:
    """Candidates best first, and those left out with why (out of office)."""
    ranked: list[ExpertChoice] = []
    excluded: list[tuple[ExpertProfile, str]] = []
    for expert in experts:
        choice = score_expert(expert, categories=categories, ticket_tags=ticket_tags, language=language, now=now)
        if choice is None:
            period = out_of_office_on(expert, now) or {}
            until = period.get("end")
            excluded.append((expert, f"out of office{f' until {until}' if until else ''}"))
        else:
            ranked.append(choice)
    # Scores within NEAR_TIE of each other count as equal; the hash decides among them.
    ranked.sort(key=lambda c: (-round(c.score / NEAR_TIE), _tie_break(ticket_id, c.expert.id)))
    return ranked, excluded
