"""An installation's scoring weights and thresholds: validate overrides, show the effective values."""
from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from sidecar.errors import InvalidInput
from sidecar.intelligence import scoring
from sidecar.store.models import Installation


def _pick(overrides: dict[str, Any], name: str, default: float) -> float:
    value = overrides.get(name)
    return default if value is None else value


def effective_scoring_settings(installation: Installation) -> dict[str, Any]:
    """Defaults merged with the installation's overrides, as the scorer will use them."""
    overrides = (installation.settings or {}).get("scoring") or {}
    return {
        "weights": {**scoring.DEFAULT_WEIGHTS, **(overrides.get("weights") or {})},
        "level_thresholds": {**scoring.DEFAULT_LEVEL_THRESHOLDS, **(overrides.get("level_thresholds") or {})},
        "escalate_threshold": _pick(overrides, "escalate_threshold", scoring.DEFAULT_ESCALATE_THRESHOLD),
        "watch_threshold": _pick(overrides, "watch_threshold", scoring.DEFAULT_WATCH_THRESHOLD),
        "category_threshold": _pick(overrides, "category_threshold", scoring.DEFAULT_CATEGORY_THRESHOLD),
        "overrides": overrides,
    }


def update_scoring_settings(session: Session, *, installation: Installation, overrides: dict[str, Any]) -> dict[str, Any]:
    """Replace the installation's overrides after checking names and threshold order."""
    unknown = sorted(set(overrides.get("weights") or {}) - set(scoring.DEFAULT_WEIGHTS))
    if unknown:
        raise InvalidInput(
            f"unknown signal weight(s): {', '.join(unknown)}",
            details={"weights": unknown, "known": sorted(scoring.DEFAULT_WEIGHTS)},
        )
    cleaned = {k: v for k, v in overrides.items() if v not in (None, {}, [])}
    candidate = dict(installation.settings or {})
    candidate["scoring"] = cleaned
    trial = Installation(settings=candidate)
    merged = effective_scoring_settings(trial)
    levels = merged["level_thresholds"]
    if not levels["medium"] < levels["high"] < levels["critical"]:
        raise InvalidInput("level thresholds must rise: medium < high < critical", details={"level_thresholds": levels})
    if merged["watch_threshold"] > merged["escalate_threshold"]:
        raise InvalidInput(
            "watch_threshold must not exceed escalate_threshold",
            details={"watch_threshold": merged["watch_threshold"], "escalate_threshold": merged["escalate_threshold"]},
        )
    installation.settings = candidate  # reassign: JSON columns only notice a new object
    session.add(installation)
    session.flush()
    return merged
