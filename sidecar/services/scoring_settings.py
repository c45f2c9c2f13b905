"""An installation's scoring weights and thresholds: validate overrides, show the effective values."""
from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from sidecar.domain.settings import ScoringSettings
from sidecar.errors import Conflict, InvalidInput
from sidecar.intelligence.assessment import ScoringPolicy
from sidecar.intelligence.scoring import resolve_policy
from sidecar.services.audit import record_admin_change
from sidecar.services.escalation_models import has_escalation_model
from sidecar.services.installations import installation_settings, save_settings
from sidecar.store.models import Installation


def scoring_models(overrides: ScoringSettings) -> tuple[str, str | None]:
    """(model that makes the score, shadow model or None) named by the overrides."""
    return overrides.scoring_model, overrides.shadow


def policy_from_overrides(overrides: ScoringSettings) -> ScoringPolicy:
    """The ScoringPolicy an installation's stored overrides describe."""
    return ScoringPolicy.from_settings(overrides)


def scoring_overrides(installation: Installation) -> ScoringSettings:
    """The installation's stored scoring overrides (all unset when it uses the defaults)."""
    return installation_settings(installation).scoring


def _effective(overrides: ScoringSettings) -> dict[str, Any]:
    weights, levels, escalate, watch, category = resolve_policy(policy_from_overrides(overrides))
    return {
        "weights": weights,
        "level_thresholds": levels,
        "escalate_threshold": escalate,
        "watch_threshold": watch,
        "category_threshold": category,
        "model": overrides.scoring_model,
        "shadow": overrides.shadow,
        "overrides": overrides.to_mapping(),
    }


def effective_scoring_settings(installation: Installation) -> dict[str, Any]:
    """Defaults merged with the installation's overrides, as the scorer will use them."""
    return _effective(scoring_overrides(installation))


def update_scoring_settings(
    session: Session, *, installation: Installation, overrides: dict[str, Any]
) -> dict[str, Any]:
    """Replace the installation's overrides after the scorer has checked names and threshold order."""
    cleaned = ScoringSettings.from_mapping(overrides)
    model, shadow = scoring_models(cleaned)
    if shadow is not None and shadow == model:
        raise InvalidInput(f"shadow must name the other model than model ({model!r})",
                           details={"shadow": [f"the same as model ({model!r})"]})
    if "learned" in (model, shadow):
        if not has_escalation_model(session, installation_id=installation.id):
            raise Conflict("this installation has no trained escalation model; run `sidecar train --installation "
                           f"{installation.id}` on a history with `escalated` labels first",
                           code="no_escalation_model", details={"model": model, "shadow": shadow})
    try:
        merged = _effective(cleaned)
    except ValueError as exc:  # the scorer names the bad weight or threshold
        raise InvalidInput(str(exc), details={"settings": cleaned.to_mapping()}) from None
    save_settings(session, installation, installation_settings(installation).updated(scoring=cleaned))
    record_admin_change(session, installation_id=installation.id, action="settings.scoring", target="scoring",
                        detail="overrides: " + (", ".join(sorted(cleaned.to_mapping())) or "none (the defaults)"))
    return merged
