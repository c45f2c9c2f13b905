"""Choose the team: operator rules first, then a blend of the learned router, skills and past incidents.

How the parts combine (documented in the README):

1. Rules are the operator's explicit policy: the first enabled rule that matches decides the team
   (confidence 0.95), whatever the models think.
2. Otherwise each team gets a blended score from the evidence that is available:
     learned router  probability that the installation's history would send this ticket to the team
                     (0.55 of the blend; only when a trained router exists)
     skills          best confidence of an assessment category the team handles (0.30)
     past incidents  share of the similar past incidents this team handled, weighted by similarity (0.15)
   Weights of missing evidence are spread over the rest, so the blend stays in 0..1. A tag or product
   word the team lists adds up to 0.1.
3. If the best blend is under the confidence threshold (0.45), or the router abstained and nothing
   else points anywhere, the decision is `team: null` with the reason, rather than a guess.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

RULE_CONFIDENCE = 0.95
CONFIDENCE_THRESHOLD = 0.45
BLEND = {"router": 0.55, "skills": 0.30, "incidents": 0.15}
TAG_BONUS = 0.05


@dataclass(frozen=True)
class TeamProfile:
    """What team selection needs to know about one team."""

    id: str
    name: str
    categories: frozenset[str] = frozenset()
    tags: frozenset[str] = frozenset()
    history_groups: frozenset[str] = frozenset()  # lower-cased group names that mean this team


@dataclass(frozen=True)
class TeamScore:
    """A team's blended score and the reasons in words."""

    team: TeamProfile
    confidence: float
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class TeamEvidence:
    """Everything known about the ticket that can point at a team."""

    categories: Mapping[str, float] = field(default_factory=dict)
    router_probabilities: Mapping[str, float] | None = None  # history group (lower-cased) -> probability
    router_abstained: bool = False
    incident_groups: Sequence[tuple[str, float]] = ()  # (group name lower-cased, similarity) of similar incidents
    words: frozenset[str] = frozenset()  # ticket tags and lower-cased words of the customer's text


def _router_probability(team: TeamProfile, probabilities: Mapping[str, float]) -> float:
    return sum(p for group, p in probabilities.items() if group in team.history_groups)


def score_teams(teams: Sequence[TeamProfile], evidence: TeamEvidence) -> list[TeamScore]:
    """Every team with its blended confidence and reasons, best first."""
    have_router = evidence.router_probabilities is not None
    have_incidents = bool(evidence.incident_groups)
    weights = {"router": BLEND["router"] if have_router else 0.0, "skills": BLEND["skills"],
               "incidents": BLEND["incidents"] if have_incidents else 0.0}
    total = sum(weights.values())
    weights = {k: v / total for k, v in weights.items()}
    incident_weight = sum(sim for _, sim in evidence.incident_groups) or 1.0
    scored = []
    for team in teams:
        reasons: list[str] = []
        blend = 0.0
        if evidence.router_probabilities is not None:  # have_router
            probability = _router_probability(team, evidence.router_probabilities)
            blend += weights["router"] * probability
            if probability >= 0.2:
                reasons.append(f"history routes tickets like this to {team.name} ({probability:.0%})")
        covered = {name: conf for name, conf in evidence.categories.items() if name in team.categories}
        if covered:
            best = max(covered, key=covered.__getitem__)
            blend += weights["skills"] * covered[best]
            reasons.append(f"handles {best.replace('_', ' ')} ({covered[best]:.0%} sure)")
        if have_incidents:
            share = sum(sim for group, sim in evidence.incident_groups
                        if group in team.history_groups) / incident_weight
            if share > 0:
                blend += weights["incidents"] * share
                handled = sum(1 for group, _ in evidence.incident_groups if group in team.history_groups)
                reasons.append(f"handled {handled} of the similar past incidents")
        tag_hits = sorted(team.tags & evidence.words)
        if tag_hits:
            blend += min(2 * TAG_BONUS, TAG_BONUS * len(tag_hits))
            reasons.append(f"covers {', '.join(tag_hits[:3])}")
        scored.append(TeamScore(team=team, confidence=min(1.0, blend), reasons=tuple(reasons)))
    scored.sort(key=lambda s: (-s.confidence, s.team.name))
    return scored


def is_confident(best: TeamScore | None, evidence: TeamEvidence) -> tuple[bool, str]:
    """Whether the best blend is good enough to name a team, and if not, why."""
    if best is None:
        return False, "no teams are set up for this installation"
    if best.confidence < CONFIDENCE_THRESHOLD:
        if evidence.router_abstained and not any(r.startswith("handles") for r in best.reasons):
            return False, "this ticket is unlike any team's past work, and no team handles its categories"
        return False, (f"no team is a confident match (best: {best.team.name} at {best.confidence:.0%}, "
                       f"needs {CONFIDENCE_THRESHOLD:.0%})")
    return True, ""
