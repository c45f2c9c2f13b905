"""The shapes of an escalation assessment: what the scorer returns and what an installation can tune."""
from __future__ import annotations

from dataclasses import dataclass, field

from sidecar.domain.settings import ScoringSettings
from sidecar.domain.statuses import AssessmentLevel, Recommendation

CATEGORIES = (
    "billing_refund",
    "bug_incident",
    "compliance_security",
    "cross_team",
    "high_value_customer",
    "human_requested",
)
LEVELS = tuple(AssessmentLevel)  # lowest first
RECOMMENDATIONS = tuple(Recommendation)


# The evidence of a category only the needs-person model's head read (scoring.read_categories): the customer's
# sentence it reads most strongly. No weight of its own: the model's share of the score is its contribution.
WHOLE_TICKET_SIGNAL = "whole_ticket_reading"


@dataclass(frozen=True)
class Signal:
    """One reason the score moved, with the evidence a person can check."""

    name: str
    contribution: float
    evidence: str  # e.g. 'comment 3 (customer): "I want a refund"' or 'organization.arr = 250000'
    category: str | None = None


@dataclass(frozen=True)
class CategoryScore:
    """A category the ticket falls in and how sure the scorer is."""

    name: str
    confidence: float


@dataclass(frozen=True)
class Assessment:
    """The answer to 'does this ticket need a human expert, and why?'."""

    score: float
    level: AssessmentLevel
    recommendation: Recommendation
    categories: tuple[CategoryScore, ...]
    signals: tuple[Signal, ...]
    model_version: str


@dataclass(frozen=True)
class ScoringPolicy:
    """Weights and thresholds; the defaults are documented in the README, an installation may override them."""

    weights: dict[str, float] = field(default_factory=dict)  # signal name -> weight (merged over defaults)
    level_thresholds: dict[str, float] = field(default_factory=dict)  # medium/high/critical lower bounds
    escalate_threshold: float | None = None
    watch_threshold: float | None = None
    category_threshold: float | None = None  # min confidence for a category to be reported

    @classmethod
    def from_settings(cls, settings: ScoringSettings) -> ScoringPolicy:
        """The policy an installation's scoring settings describe (what they leave unset takes the defaults)."""
        return cls(
            weights=dict(settings.weights),
            level_thresholds=dict(settings.level_thresholds),
            escalate_threshold=settings.escalate_threshold,
            watch_threshold=settings.watch_threshold,
            category_threshold=settings.category_threshold,
        )
